"""`/readings`, `/passage` and `/help`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.presentation import HELP_INTRO, description, help_entries, readings_view
from bot.discord_app.checks import guild_only_check, is_instructor
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.formatting import COLOUR, fit, readings_embed
from bot.discord_app.logging_events import PLATFORM
from bot.discord_app.views import send_passage


class ReadingsCog(commands.Cog):
    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot

    @app_commands.command(name="readings", description=description("readings", PLATFORM))
    @app_commands.guild_only()
    async def readings(self, interaction: discord.Interaction) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(thinking=True)
        found = await self.bot.readings_for(scope)
        await interaction.followup.send(embed=readings_embed(readings_view(found)))

    @app_commands.command(name="passage", description=description("passage", PLATFORM))
    @app_commands.describe(id="The passage id shown under an answer, e.g. 'reading-p12'")
    @app_commands.guild_only()
    async def passage(
        self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 200]
    ) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(thinking=True)
        await send_passage(interaction, scope, id, ephemeral=False)

    @app_commands.command(name="help", description=description("help", PLATFORM))
    async def help(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Seminar Bot", description=HELP_INTRO, colour=COLOUR)
        instructor = is_instructor(interaction, self.bot.settings)
        for usage, what in help_entries(PLATFORM, instructor=instructor):
            embed.add_field(name=usage, value=what, inline=False)
        await interaction.response.send_message(embed=fit(embed), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, ReadingsCog(bot))
