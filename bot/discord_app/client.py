"""The Discord client: one process, any number of class servers, shardable.

Commands are registered per guild (the configured guild ids and every guild named in a course),
so a course's commands appear at once in its servers; with no guild configured they are global.
Registering them with Discord (`/sync`) is an explicit instructor action, never done at start-up:
syncing on every start is rate-limited and can wipe commands mid-class.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import SeminarError
from bot.core.models import Reading
from bot.core.service import CourseScope, SeminarService
from bot.discord_app.errors import on_tree_error
from bot.discord_app.logging_events import PLATFORM
from bot.settings import Settings

T = TypeVar("T")

log = logging.getLogger("bot.discord")

COG_MODULES = (
    "bot.discord_app.cogs.ask",
    "bot.discord_app.cogs.cite",
    "bot.discord_app.cogs.readings",
    "bot.discord_app.cogs.admin",
    "bot.discord_app.cogs.privacy",
    "bot.discord_app.cogs.log",
)
# Autocomplete has three seconds; the readings list changes only on /reindex, so it is cached
# and refreshed at most this often even without one.
READINGS_CACHE_SECONDS = 300.0


class SeminarTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await on_tree_error(interaction, error)


def make_intents(*, message_content: bool = True) -> discord.Intents:
    intents = discord.Intents.default()  # guilds, guild messages, reactions; no members/presences
    intents.message_content = message_content
    return intents


class SeminarBot(commands.AutoShardedBot):
    """Carries the settings and the core service every cog needs."""

    def __init__(
        self,
        settings: Settings,
        service: SeminarService,
        *,
        message_content: bool = True,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=make_intents(message_content=message_content),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=SeminarTree,
            help_command=None,
        )
        self.settings = settings
        self.service = service
        # (what, course) -> (when loaded, value): readings and reference labels for autocomplete
        self._course_cache: dict[tuple[str, str], tuple[float, list[Any]]] = {}

    def command_guilds(self) -> list[discord.Object]:
        ids = set(self.settings.discord_guild_ids)
        ids.update(int(g) for g in self.settings.guild_courses() if g.isdigit())
        return [discord.Object(id=i) for i in sorted(ids)]

    async def setup_hook(self) -> None:
        """Before the gateway connects: every course's readings indexed (only what changed, off
        the event loop), so a course added in SEMINAR_COURSES answers from its first command."""
        reports = await asyncio.to_thread(self.service.ensure_all)
        for course, report in reports.items():
            log.info("course %s: %s", course, report.summary())
            for warning in report.warnings:
                log.warning("course %s: %s", course, warning)
        for module in COG_MODULES:
            await self.load_extension(module)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: messages are only logged (see the log cog)."""

    def scope_for(self, guild_id: int | None) -> CourseScope:
        """The course a server is taught in, as that server may see it."""
        return self.service.scope(PLATFORM, guild_id)

    async def readings_for(self, scope: CourseScope) -> list[Reading]:
        """The course's readings, cached so autocomplete never waits on the database."""
        return await self._cached("readings", scope.course, scope.readings)

    async def references_for(self, scope: CourseScope) -> list[str]:
        """The course's reference-list labels ("Krasner 1999"), cached like the readings."""
        return await self._cached("references", scope.course, scope.reference_labels)

    async def _cached(self, kind: str, course: str, load: Callable[[], list[T]]) -> list[T]:
        hit = self._course_cache.get((kind, course))
        if hit is not None and time.monotonic() - hit[0] < READINGS_CACHE_SECONDS:
            return hit[1]
        value = await asyncio.to_thread(load)
        self._course_cache[(kind, course)] = (time.monotonic(), value)
        return value

    def forget_readings(self, course: str | None = None) -> None:
        """After a re-index: readings and reference lists are read afresh."""
        for key in [k for k in self._course_cache if course is None or k[1] == course]:
            del self._course_cache[key]


async def add_feature_cog(bot: commands.Bot, cog: commands.Cog) -> None:
    """Add a cog with its commands scoped to the class servers (global when none is set)."""
    guilds = bot.command_guilds() if isinstance(bot, SeminarBot) else []
    if guilds:
        await bot.add_cog(cog, guilds=guilds)
    else:
        await bot.add_cog(cog)


def run_discord(settings: Settings, service: SeminarService) -> int:
    """`seminar-bot run` with a DISCORD_TOKEN: the exit status once the bot is stopped.

    If the Message Content intent is not enabled in the developer portal, Discord refuses the
    connection; the bot then starts again without it and says what that costs (docs/discord.md).
    """
    if settings.discord_token is None:
        raise SeminarError("DISCORD_TOKEN is not set; see docs/discord.md.")
    token = settings.discord_token.reveal()
    try:
        try:
            SeminarBot(settings, service).run(token, log_handler=None)
        except discord.PrivilegedIntentsRequired:
            log.warning(
                "The Message Content intent is not enabled for this bot, so logged messages are"
                " stored without their text. Enable it in the developer portal (docs/discord.md)."
            )
            SeminarBot(settings, service, message_content=False).run(token, log_handler=None)
    except discord.LoginFailure as exc:
        raise SeminarError("Discord refused the token in DISCORD_TOKEN; check it.") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise SeminarError(f"Cannot reach Discord ({exc}); check the network.") from exc
    return 0
