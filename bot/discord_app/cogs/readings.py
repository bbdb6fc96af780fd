"""`/readings`, `/passage` and `/help`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.presentation import (
    HELP_INTRO,
    description,
    help_entries,
    metadata_notice,
    readings_view,
)
from bot.discord_app.checks import guild_only_check, is_instructor
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.errors import answered, think
from bot.discord_app.formatting import COLOUR, fit, metadata_text, readings_embed
from bot.discord_app.logging_events import PLATFORM
from bot.discord_app.views import send_passage

# The instructor commands carry no default_member_permissions: those would hide them from a
# member whose only claim is the instructor role. The bot's own check is the gatekeeper.
INSTRUCTOR_COMMANDS = "/digest, /reindex, /sync and /log"
INSTRUCTOR_VISIBILITY = (
    f"{INSTRUCTOR_COMMANDS} are listed for everyone in Discord's command list, so the "
    "instructor role needs no server setting; I refuse them to anyone who is not an "
    "instructor (the instructor role, Manage Server, or an owner). To hide them from students "
    "too, an admin can limit them to the instructor role in Server Settings → Integrations → "
    "Seminar Bot."
)
STUDENT_VISIBILITY = f"{INSTRUCTOR_COMMANDS} are for instructors: I refuse them to students."


class ReadingsCog(commands.Cog):
    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot

    @app_commands.command(name="readings", description=description("readings", PLATFORM))
    @app_commands.guild_only()
    async def readings(self, interaction: discord.Interaction) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await think(interaction, ephemeral=False)
        found = await self.bot.readings_for(scope)
        view = readings_view(found)
        await interaction.followup.send(embed=readings_embed(view))
        notice = metadata_notice(view) if is_instructor(interaction, self.bot.settings) else None
        if notice is not None:  # only the instructor sees what to add to readings.toml
            await interaction.followup.send(metadata_text(notice), ephemeral=True)
        answered(interaction)

    @app_commands.command(name="passage", description=description("passage", PLATFORM))
    @app_commands.describe(id="The passage id shown under an answer, e.g. 'reading-p12'")
    @app_commands.guild_only()
    async def passage(
        self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 200]
    ) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await think(interaction, ephemeral=False)  # an unknown id: the placeholder goes
        await send_passage(interaction, scope, id, ephemeral=False)

    @app_commands.command(name="help", description=description("help", PLATFORM))
    async def help(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Seminar Bot", description=HELP_INTRO, colour=COLOUR)
        instructor = is_instructor(interaction, self.bot.settings)
        for usage, what in help_entries(PLATFORM, instructor=instructor):
            embed.add_field(name=usage, value=what, inline=False)
        embed.add_field(name="Who sees the instructor commands",
                        value=INSTRUCTOR_VISIBILITY if instructor else STUDENT_VISIBILITY,
                        inline=False)
        await interaction.response.send_message(embed=fit(embed), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, ReadingsCog(bot))
