"""Instructor commands: `/digest`, `/reindex`, `/sync`."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import SeminarError
from bot.core.models import DIGEST_FORMATS, DigestOptions
from bot.core.presentation import description
from bot.discord_app.checks import guild_only_check, instructor_only, is_instructor
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.formatting import CHOICE_MAX, clip, content
from bot.discord_app.logging_events import PLATFORM

MAX_CHOICES = 25


class AdminCog(commands.Cog):
    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot

    async def logged_thread_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Logged channels and threads; students get nothing (checks do not cover autocomplete)."""
        if interaction.guild_id is None or not is_instructor(interaction, self.bot.settings):
            return []
        known = await asyncio.to_thread(self.bot.service.known_channels, str(interaction.guild_id))
        wanted = current.casefold()
        return [
            app_commands.Choice(name=clip(c.name or c.id, CHOICE_MAX), value=c.id)
            for c in known
            if wanted in (c.name or c.id).casefold()
        ][:MAX_CHOICES]

    @app_commands.command(
        name="digest", description=description("digest", PLATFORM)
    )
    @app_commands.describe(
        since="From: a date (2026-11-01) or a span back from now (7d, 2w); default: everything",
        until="Up to this date (included)",
        channel="Only this logged channel or thread (with its threads)",
        format="The file to attach",
        anonymize="Replace names with stable pseudonyms",
    )
    @app_commands.choices(
        format=[app_commands.Choice(name=label, value=fmt) for fmt, label in DIGEST_FORMATS.items()]
    )
    @app_commands.autocomplete(channel=logged_thread_choices)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @instructor_only()
    async def digest(
        self,
        interaction: discord.Interaction,
        since: app_commands.Range[str, 1, 40] | None = None,
        until: app_commands.Range[str, 1, 40] | None = None,
        channel: app_commands.Range[str, 1, 100] | None = None,
        format: str = "md",
        anonymize: bool = False,
    ) -> None:
        """Only the instructor sees it (ephemeral): exports of the log are theirs alone."""
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(ephemeral=True, thinking=True)
        options = DigestOptions(since=since, until=until, channel=channel, anonymize=anonymize)
        files = await asyncio.to_thread(scope.digest_files, options, format)
        limit = interaction.filesize_limit
        too_big = [f.filename for f in files if len(f.data) > limit]
        if too_big:
            raise SeminarError(
                f"The digest is larger than Discord accepts ({limit // 1_000_000} MB); narrow it "
                "with `since`/`channel`, or run `seminar-bot digest` on the server."
            )
        attachments = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in files[:10]]
        of = f" of {channel}" if channel else ""
        await interaction.followup.send(
            content(f"Digest{of} ({format}), {len(attachments)} file(s)."),
            files=attachments,
            ephemeral=True,
        )

    @app_commands.command(name="reindex", description=description("reindex", PLATFORM))
    @app_commands.describe(rebuild="Rebuild the whole index instead of only what changed")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @instructor_only()
    async def reindex(self, interaction: discord.Interaction, rebuild: bool = False) -> None:
        scope = self.bot.scope_for(guild_only_check(interaction))
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await asyncio.to_thread(scope.ensure_index, rebuild=rebuild)
        self.bot.forget_readings(scope.course)
        lines = [
            f"Indexed {len(report.indexed)}, unchanged {len(report.unchanged)}, removed "
            f"{len(report.removed)}; {report.passages} passages in {report.seconds:.1f} s."
        ]
        lines += [f"⚠ {w}" for w in report.warnings[:10]]
        await interaction.followup.send(content("\n".join(lines)), ephemeral=True)

    @app_commands.command(
        name="sync", description=description("sync", PLATFORM)
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @instructor_only()
    async def sync(self, interaction: discord.Interaction) -> None:
        guild_id = guild_only_check(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        scoped = {g.id for g in self.bot.command_guilds()}
        if scoped and guild_id not in scoped:
            raise SeminarError(
                "This server is not configured as a class server (DISCORD_GUILD_IDS or courses.toml)."
            )
        synced = await self.bot.tree.sync(guild=discord.Object(id=guild_id) if scoped else None)
        where = (
            "this server" if scoped else "every server (global commands can take an hour to appear)"
        )
        await interaction.followup.send(
            f"Synced {len(synced)} commands to {where}.", ephemeral=True
        )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, AdminCog(bot))
