"""`/privacy optout | optin | status`: a student decides whether the log keeps their messages."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.presentation import description
from bot.discord_app.checks import guild_only_check
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.logging_events import PLATFORM
from bot.discord_app.views import SeminarView

ERASE_TIMEOUT = 10 * 60.0


class EraseView(SeminarView):
    """Offered after an opt-out: erase what was stored before, or keep it."""

    def __init__(self, bot: SeminarBot, guild_id: int, user_id: int) -> None:
        super().__init__(timeout=ERASE_TIMEOUT)
        self.bot = bot
        self.guild_id = guild_id
        self.user_id = user_id

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(label="Erase what was stored", style=discord.ButtonStyle.danger)
    async def erase(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        removed = await asyncio.wrap_future(
            self.bot.service.erase_user(str(self.user_id), str(self.guild_id))
        )
        self.stop()
        await interaction.response.edit_message(
            content=f"Done: erased {removed} of your messages and your questions to the bot "
            "from this server's log.",
            view=None,
        )

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def keep(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Kept what was stored before. New messages will not be stored.", view=None
        )


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(
        name="privacy",
        description=description("privacy", PLATFORM),
        guild_only=True,
    )

    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot

    @privacy.command(name="optout", description="Stop storing your messages in the discussion log")
    async def optout(self, interaction: discord.Interaction) -> None:
        guild_id = guild_only_check(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = self.bot.service
        await asyncio.wrap_future(
            service.set_optout(str(guild_id), str(interaction.user.id), out=True)
        )
        stored = await asyncio.to_thread(
            service.count_messages, str(guild_id), str(interaction.user.id)
        )
        text = (
            "You are opted out: from now on your messages in this server are not stored (only "
            "counted, anonymously, per thread)."
        )
        if stored:
            view = EraseView(self.bot, guild_id, interaction.user.id)
            view.message = await interaction.followup.send(
                f"{text}\nThe log still holds {stored} of your earlier messages. Erase them?",
                view=view,
                ephemeral=True,
                wait=True,
            )
        else:
            await interaction.followup.send(text, ephemeral=True)

    @privacy.command(name="optin", description="Let the discussion log store your messages again")
    async def optin(self, interaction: discord.Interaction) -> None:
        guild_id = guild_only_check(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.wrap_future(
            self.bot.service.set_optout(str(guild_id), str(interaction.user.id), out=False)
        )
        await interaction.followup.send(
            "You are opted in: your messages in logged channels are stored again.", ephemeral=True
        )

    @privacy.command(name="status", description="Is the discussion log storing your messages?")
    async def status(self, interaction: discord.Interaction) -> None:
        guild_id = guild_only_check(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = self.bot.service
        gid, uid = str(guild_id), str(interaction.user.id)
        out = await asyncio.to_thread(service.is_opted_out, gid, uid)
        stored = await asyncio.to_thread(service.count_messages, gid, uid)
        state = (
            "opted out: new messages are not stored"
            if out
            else "opted in: messages in logged channels are stored"
        )
        await interaction.followup.send(
            f"You are {state}. The log holds {stored} of your messages in this server.",
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, PrivacyCog(bot))
