"""`/ask`: the best passages of the readings for a question."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.presentation import description
from bot.core.service import MAX_QUESTION_CHARS
from bot.discord_app.autocomplete import reading_choices
from bot.discord_app.checks import guild_only_check
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.logging_events import PLATFORM
from bot.discord_app.views import send_answer


class AskCog(commands.Cog):
    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="ask", description=description("ask", PLATFORM)
    )
    @app_commands.describe(
        question="Your question, in your own words",
        reading="Only search this reading",
        private="Only you see the answer",
    )
    @app_commands.autocomplete(reading=reading_choices)
    @app_commands.guild_only()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        reading: str | None = None,
        private: bool = False,
    ) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer = await asyncio.to_thread(scope.ask, question, reading=reading)
        await send_answer(interaction, scope, answer, ephemeral=private)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, AskCog(bot))
