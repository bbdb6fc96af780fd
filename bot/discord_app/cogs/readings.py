"""`/readings`, `/passage` and `/help`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.presentation import readings_view
from bot.discord_app.checks import guild_only_check, is_instructor
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.formatting import COLOUR, fit, readings_embed
from bot.discord_app.views import send_passage

STUDENT_HELP = (
    ("/ask question [reading] [private]", "The passages of the readings that answer a question."),
    ("/cite reference", "Where the readings cite an author or work."),
    ("/quote text", "Where a half-remembered quote comes from."),
    ("/readings", "The readings of this course."),
    ("/passage id", "One passage in full, by the id shown under an answer."),
    ("/privacy optout | optin | status", "Whether your messages are kept in the discussion log."),
)
INSTRUCTOR_HELP = (
    ("/log channels add | remove | list", "Which channels (and their threads) are logged."),
    ("/digest", "A digest of the logged discussion."),
    ("/reindex [rebuild]", "Re-read the readings folder after adding or changing files."),
    ("/sync", "Publish the bot's commands to this server after an update."),
)


class ReadingsCog(commands.Cog):
    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot

    @app_commands.command(name="readings", description="The readings of this course")
    @app_commands.guild_only()
    async def readings(self, interaction: discord.Interaction) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(thinking=True)
        found = await self.bot.readings_for(scope)
        await interaction.followup.send(embed=readings_embed(readings_view(found)))

    @app_commands.command(name="passage", description="Show one passage by its id")
    @app_commands.describe(id="The passage id shown under an answer, e.g. 'reading-p12'")
    @app_commands.guild_only()
    async def passage(
        self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 200]
    ) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(thinking=True)
        await send_passage(interaction, scope, id, ephemeral=False)

    @app_commands.command(name="help", description="What this bot can do")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title="Seminar Bot",
            description=(
                "I answer from the assigned readings only, quoting where each passage stands "
                "(reading, section, page, paragraph). I never invent an answer."
            ),
            colour=COLOUR,
        )
        for name, what in STUDENT_HELP:
            embed.add_field(name=name, value=what, inline=False)
        if is_instructor(interaction, self.bot.settings):
            for name, what in INSTRUCTOR_HELP:
                embed.add_field(name=f"{name} (instructors)", value=what, inline=False)
        await interaction.response.send_message(embed=fit(embed), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, ReadingsCog(bot))
