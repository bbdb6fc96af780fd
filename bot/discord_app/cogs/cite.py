"""`/cite` (where the readings cite a reference) and `/quote` (where a quote comes from)."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.models import CiteResult, QuoteResult
from bot.core.presentation import description
from bot.core.service import MAX_QUESTION_CHARS
from bot.discord_app.autocomplete import reference_choices
from bot.discord_app.checks import guild_only_check
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.logging_events import PLATFORM
from bot.discord_app.views import send_answer


class CiteCog(commands.Cog):
    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot

    async def _lookup(
        self, interaction: discord.Interaction, kind: str, text: str, private: bool
    ) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer: CiteResult | QuoteResult = (
            await asyncio.to_thread(scope.cite, text)
            if kind == "cite"
            else await asyncio.to_thread(scope.quote, text)
        )
        await send_answer(interaction, scope, answer, ephemeral=private)

    @app_commands.command(name="cite", description=description("cite", PLATFORM))
    @app_commands.describe(
        reference="An author and year, e.g. 'Castells 2009'", private="Only you see the answer"
    )
    @app_commands.autocomplete(reference=reference_choices)
    @app_commands.guild_only()
    async def cite(
        self,
        interaction: discord.Interaction,
        reference: app_commands.Range[str, 1, 300],
        private: bool = False,
    ) -> None:
        await self._lookup(interaction, "cite", reference, private)

    @app_commands.command(
        name="quote", description=description("quote", PLATFORM)
    )
    @app_commands.describe(text="The words you remember", private="Only you see the answer")
    @app_commands.guild_only()
    async def quote(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        await self._lookup(interaction, "quote", text, private)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, CiteCog(bot))
