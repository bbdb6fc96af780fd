"""The discussion log: `/log channels add|remove|list`, live events, and catch-up.

Live events are written as they come; nothing here waits for the disk except the awaited
future of the single writer, which retries while another program holds the database's lock.
Because the gateway drops events while the bot is away, every start and every reconnect of a
shard runs the core's catch-up (bot.core.log.catchup) over each of its guilds through
`DiscordHistory`: each logged channel and thread resumes from its own durable point (never moved
by live events), re-reads an overlap window so edits and deletions made while away are
applied, and reads threads created or archived meanwhile. A live event the writer could not
store at all is fetched again by a catch-up of its guild, started once the write has failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.core.errors import DatabaseUnavailable, NotConfigured
from bot.core.models import ChannelInfo, HistoryPage, LoggedMessage, PlaceState
from bot.core.presentation import description
from bot.discord_app.checks import guild_only_check, instructor_only
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.formatting import content, safe
from bot.discord_app.logging_events import (
    PLATFORM,
    channel_info,
    edit_fields,
    from_message,
    parent_of,
    thread_update_info,
)

log = logging.getLogger("bot.discord.log")

T = TypeVar("T")
HISTORY_PAGE = 100  # what one history request returns
LoggableChannel = discord.TextChannel | discord.ForumChannel


@dataclass(slots=True)
class GuildScope:
    """Which channels of one guild are logged, and which parent each known thread has."""

    channels: set[int] = field(default_factory=set)
    parents: dict[int, int] = field(default_factory=dict)
    # Channels looked up over HTTP and found not to be threads: not asked again.
    unthreaded: set[int] = field(default_factory=set)

    def covers(self, channel_id: int, parent_id: int | None = None) -> bool:
        parent = parent_id or self.parents.get(channel_id)
        return channel_id in self.channels or (parent is not None and parent in self.channels)


class LogCog(commands.Cog):
    log_group = app_commands.Group(
        name="log",
        description=description("log", PLATFORM),
        guild_only=True,  # no default_permissions: it would hide /log from the instructor role
    )
    channels_group = app_commands.Group(
        name="channels", description="Which channels are logged", parent=log_group
    )

    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot
        self.service = bot.service
        # A running bot waits out another program's lock rather than drop an event.
        self.service.retry_events_for(bot.settings.busy_retry_seconds)
        self._scopes: dict[int, asyncio.Task[GuildScope]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._lookups: dict[int, asyncio.Task[Any]] = {}
        self._owed: set[int] = set()  # guilds with a live event lost: a catch-up is owed
        self._thread_gaps: dict[int, str] = {}  # channel -> why some of its threads go unread

    async def cog_load(self) -> None:
        if self.bot.settings.retention_days:
            self.retention.start()

    async def cog_unload(self) -> None:
        self.retention.cancel()

    @tasks.loop(hours=24)
    async def retention(self) -> None:
        """Daily, and once at start: forget what is older than SEMINAR_RETENTION_DAYS."""
        report = await asyncio.to_thread(
            self.service.apply_retention, self.bot.settings.retention_days
        )
        log.info("retention applied: %s", report)

    # -- which channels are logged ----------------------------------------------------------

    async def scope(self, guild_id: int) -> GuildScope:
        task = self._scopes.get(guild_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(
                self._load_scope(guild_id), name=f"seminar-bot: scope {guild_id}"
            )
            self._scopes[guild_id] = task
        return await task

    async def _load_scope(self, guild_id: int) -> GuildScope:
        try:
            self.bot.scope_for(guild_id)
        except NotConfigured:
            return GuildScope()  # a server nobody configured: nothing of it is logged
        gid = str(guild_id)
        channels = await asyncio.to_thread(self.service.logged_channels, gid)
        known = await asyncio.to_thread(self.service.known_channels, gid)
        return GuildScope(
            channels={int(c) for c in channels},
            parents={int(c.id): int(c.parent_id) for c in known if c.parent_id},
        )

    async def _logged_parent(self, guild_id: int, channel: object, channel_id: int) -> bool:
        scope = await self.scope(guild_id)
        parent = parent_of(channel)
        if parent is None and isinstance(channel, discord.PartialMessageable):
            parent = await self._lookup_parent(scope, channel_id)
        if parent is not None:
            scope.parents[channel_id] = parent
        return scope.covers(channel_id, parent)

    async def _lookup_parent(self, scope: GuildScope, channel_id: int) -> int | None:
        """A channel missing from the cache (a thread unarchived or created while we were
        away): ask Discord once whether it is a thread, so its messages are not skipped."""
        if channel_id in scope.parents:
            return scope.parents[channel_id]
        if channel_id in scope.channels or channel_id in scope.unthreaded:
            return None
        lookup = self._lookups.get(channel_id)
        if lookup is None:  # a burst in that channel shares one request
            lookup = asyncio.get_running_loop().create_task(
                self.bot.fetch_channel(channel_id), name=f"seminar-bot: channel {channel_id}"
            )
            self._lookups[channel_id] = lookup
        try:
            fetched = await asyncio.shield(lookup)
        except (discord.NotFound, discord.Forbidden):
            scope.unthreaded.add(channel_id)  # gone, or hidden from us: nothing to log there
            return None
        except discord.HTTPException:
            return None  # Discord hiccuped: ask again with the next message
        finally:
            self._lookups.pop(channel_id, None)
        if isinstance(fetched, discord.Thread) and fetched.parent_id is not None:
            return fetched.parent_id
        scope.unthreaded.add(channel_id)
        return None

    def _keep_content(self, message: discord.Message) -> bool:
        """Without the Message Content intent others' text arrives empty: store it as unknown."""
        if self.bot.intents.message_content:
            return True
        me = self.bot.user
        return me is not None and (message.author.id == me.id or me in message.mentions)

    # -- live events ---------------------------------------------------------------------------

    async def _write(self, guild_id: int, write: Future[T]) -> T | None:
        """Await one live event's write. The writer retries while another program holds the
        lock (SEMINAR_BUSY_RETRY_SECONDS); if the event still cannot be stored (the lock
        outlasted that, the disk is full, the file is damaged), a catch-up of the guild
        fetches it again, and its edits and deletions with it. A bug propagates, to be logged
        as one by discord.py's event error handler."""
        try:
            return await asyncio.wrap_future(write)
        except DatabaseUnavailable as exc:
            log.error("could not log an event of guild %s (%s); a catch-up will fetch it",
                      guild_id, exc)
            self._owe_catch_up(guild_id)
            return None

    def _owe_catch_up(self, guild_id: int) -> None:
        if guild_id in self._owed:
            return
        self._owed.add(guild_id)
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            self._spawn(self._catch_up_owed(guild))

    async def _catch_up_owed(self, guild: discord.Guild) -> None:
        self._owed.discard(guild.id)
        await self.catch_up_guild(guild)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None:
            return
        if not await self._logged_parent(message.guild.id, message.channel, message.channel.id):
            return
        scope = await self.scope(message.guild.id)
        record = from_message(
            message,
            parent_id=scope.parents.get(message.channel.id),
            keep_content=self._keep_content(message),
            instructor_role=self.bot.settings.instructor_role,
        )
        await self._write(message.guild.id, self.service.record_messages([record]))

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if payload.guild_id is None:
            return
        fields = edit_fields(payload.data)
        if not self.bot.intents.message_content and not self._keep_content(payload.message):
            fields["content"] = None
        known = await self._write(payload.guild_id, self.service.record_edit(
            str(payload.message_id), guild_id=str(payload.guild_id), **fields
        ))
        if known is not False:
            return
        # An edit of a message we never saw (sent while we were away, or by an opted-out
        # student, whom store_messages only counts): log it as a message of its own.
        message = payload.message
        if await self._logged_parent(payload.guild_id, message.channel, payload.channel_id):
            scope = await self.scope(payload.guild_id)
            record = from_message(
                message,
                parent_id=scope.parents.get(payload.channel_id),
                keep_content=fields["content"] is not None,
                instructor_role=self.bot.settings.instructor_role,
            )
            await self._write(payload.guild_id, self.service.record_messages([record]))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            await self._write(payload.guild_id, self.service.record_deletes(
                [str(payload.message_id)], guild_id=str(payload.guild_id)
            ))

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            await self._write(payload.guild_id, self.service.record_deletes(
                [str(i) for i in payload.message_ids], guild_id=str(payload.guild_id)
            ))

    async def _reaction(self, payload: Any, delta: int | None) -> None:
        if payload.guild_id is None:
            return
        user = getattr(payload, "user_id", None)
        await self._write(payload.guild_id, self.service.bump_reactions(
            str(payload.message_id), delta, user_id=None if user is None else str(user),
            guild_id=str(payload.guild_id),
        ))

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, 1)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, -1)

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        await self._reaction(payload, None)

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        scope = await self.scope(thread.guild.id)
        if thread.parent_id is not None:
            scope.parents[thread.id] = thread.parent_id
        if scope.covers(thread.id):
            await self._write(thread.guild.id, self.service.record_channel(
                channel_info(thread), event="create"
            ))

    @commands.Cog.listener()
    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        scope = await self.scope(payload.guild_id)
        scope.parents[payload.thread_id] = payload.parent_id
        if not scope.covers(payload.thread_id):
            return
        parent = self.bot.get_channel(payload.parent_id)
        info = thread_update_info(payload, forum=isinstance(parent, discord.ForumChannel))
        await self._write(payload.guild_id, self.service.record_channel(
            info, event="archive" if info.archived else "update"
        ))

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        scope = await self.scope(payload.guild_id)
        if not scope.covers(payload.thread_id, payload.parent_id):
            return
        info = ChannelInfo(
            id=str(payload.thread_id),
            platform=PLATFORM,
            guild_id=str(payload.guild_id),
            parent_id=str(payload.parent_id),
            kind="thread",
            archived=True,
        )
        await self._write(payload.guild_id, self.service.record_channel(info, event="delete"))

    # -- reconnects and catch-up ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_shard_ready(self, shard_id: int) -> None:
        """A shard identified afresh (start, or a session Discord would not resume)."""
        self._spawn(self.catch_up_shard(shard_id))

    @commands.Cog.listener()
    async def on_shard_resumed(self, shard_id: int) -> None:
        self._spawn(self.catch_up_shard(shard_id))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro, name="seminar-bot: catch-up")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def catch_up_shard(self, shard_id: int) -> int:
        """Catch up the guilds of one shard; returns how many messages were stored."""
        total = 0
        for guild in [g for g in self.bot.guilds if g.shard_id == shard_id]:
            total += await self.catch_up_guild(guild)
        return total

    async def catch_up_guild(self, guild: discord.Guild, *, only: int | None = None) -> int:
        """One guild's logged channels (or `only` that one); the core isolates failures."""
        source = DiscordHistory(self, guild, await self.scope(guild.id), only=only)
        report = await self.service.catch_up(source)
        return report.stored

    # -- logging gaps made visible (issue 13): unreadable threads -------------------------------

    def _note_unreadable_threads(
        self, channel: discord.TextChannel | discord.ForumChannel, *, private: bool
    ) -> None:
        """Discord refused a thread archive: warn once per channel (the operator's log) and
        keep it for `/log channels list` (the instructors'), instead of an info line nobody
        reads while those threads go unlogged."""
        if channel.id in self._thread_gaps:
            return
        self._thread_gaps[channel.id] = (
            "its private threads cannot be read: give the bot **Manage Threads** (and Read "
            "Message History) in that channel, or re-invite it with the link in docs/discord.md"
            if private else
            "its archived threads cannot be read: give the bot Read Message History there"
        )
        log.warning("logged channel %s (guild %s): %s", channel.id, channel.guild.id,
                    self._thread_gaps[channel.id].replace("**", ""))

    def thread_gaps(self, guild: discord.Guild | None) -> list[str]:
        """The unreadable-thread notes for `/log channels list`, one line per channel."""
        return [f"⚠ <#{cid}>: {note}" for cid, note in sorted(self._thread_gaps.items())
                if guild is not None and guild.get_channel(cid) is not None]

    # -- /log channels ---------------------------------------------------------------------------

    @channels_group.command(name="add", description="Log a channel or forum and its threads")
    @app_commands.describe(channel="The text channel or forum to log")
    @instructor_only()
    async def add(
        self, interaction: discord.Interaction, channel: discord.TextChannel | discord.ForumChannel
    ) -> None:
        guild_id = guild_only_check(interaction)
        self.bot.scope_for(guild_id)  # a server nobody configured logs nothing
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.wrap_future(
            self.service.set_logged_channel(
                str(guild_id), str(channel.id), on=True, by=str(interaction.user.id)
            )
        )
        resolved = interaction.guild.get_channel(channel.id) if interaction.guild else None
        if isinstance(resolved, LoggableChannel):  # its name, for digests and pickers
            await asyncio.wrap_future(self.service.record_channel(channel_info(resolved)))
        (await self.scope(guild_id)).channels.add(channel.id)
        await interaction.followup.send(
            content(
                f"Logging {channel.mention} and its threads from now on. Earlier messages are "
                "fetched in the background."
            ),
            ephemeral=True,
        )
        if self.bot.is_ready() and isinstance(resolved, LoggableChannel):
            self._spawn(self.catch_up_guild(resolved.guild, only=resolved.id))

    @channels_group.command(name="remove", description="Stop logging a channel")
    @app_commands.describe(channel="The channel or forum to stop logging")
    @instructor_only()
    async def remove(
        self, interaction: discord.Interaction, channel: discord.TextChannel | discord.ForumChannel
    ) -> None:
        guild_id = guild_only_check(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.wrap_future(
            self.service.set_logged_channel(str(guild_id), str(channel.id), on=False)
        )
        (await self.scope(guild_id)).channels.discard(channel.id)
        await interaction.followup.send(
            content(f"Stopped logging {channel.mention}. What was logged stays in the log."),
            ephemeral=True,
        )

    @channels_group.command(name="list", description="Which channels are logged")
    @instructor_only()
    async def list_channels(self, interaction: discord.Interaction) -> None:
        guild_id = guild_only_check(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        scope = await self.scope(guild_id)
        if not scope.channels:
            text = "No channel is logged yet. Add one with `/log channels add`."
        else:
            lines = []
            for cid in sorted(scope.channels):
                ch = interaction.guild.get_channel(cid) if interaction.guild else None
                lines.append(f"• <#{cid}>" + ("" if ch else " (not visible to me)"))
            text = "Logged channels (and their threads):\n" + "\n".join(lines)
            text += "".join(f"\n{gap}" for gap in self.thread_gaps(interaction.guild))
        if not self.bot.intents.message_content:
            text += "\n" + safe(
                "Note: the Message Content intent is off, so message text is not stored."
            )
        await interaction.followup.send(content(text), ephemeral=True)


class DiscordHistory:
    """One guild's history as the core's catch-up reads it (bot.core.log.catchup.HistorySource)."""

    platform = PLATFORM
    visible_since: datetime | None = None  # Discord hides no history from a bot that may read it

    def __init__(
        self, cog: LogCog, guild: discord.Guild, scope: GuildScope, *, only: int | None = None
    ) -> None:
        self.cog = cog
        self.guild = guild
        self.guild_id = str(guild.id)
        self.scope = scope
        self.only = only
        self._places: dict[str, discord.TextChannel | discord.ForumChannel | discord.Thread] = {}
        self._active: list[discord.Thread] | None = None

    async def channels(self) -> list[ChannelInfo]:
        out = []
        for channel_id in sorted(self.scope.channels):
            if self.only is not None and channel_id != self.only:
                continue
            channel = self.guild.get_channel(channel_id)
            if not isinstance(channel, LoggableChannel):
                log.warning("logged channel %s is gone or not a text/forum channel", channel_id)
                continue
            self._places[str(channel_id)] = channel
            out.append(channel_info(channel))
        return out

    async def describe(self, place: ChannelInfo) -> ChannelInfo:
        return place  # from the cache or the thread listings: as Discord shows it now

    async def threads(
        self, channel: ChannelInfo, known: Mapping[str, PlaceState]
    ) -> list[ChannelInfo]:
        """Active threads always (anyone can write there); an archived one unless it was
        read after it was archived (nobody can have written there since)."""
        parent = self._places[channel.id]
        assert isinstance(parent, LoggableChannel)
        if self._active is None:
            self._active = await self.guild.active_threads()
        threads = {t.id: t for t in self._active if t.parent_id == parent.id}
        threads.update({t.id: t for t in parent.threads})
        archives = [(False, parent.archived_threads(limit=None))]
        if isinstance(parent, discord.TextChannel):  # forums have no private threads
            archives.append((True, parent.archived_threads(limit=None, private=True)))
        for private, archive in archives:
            try:
                async for thread in archive:
                    threads[thread.id] = thread
            except discord.Forbidden:
                self.cog._note_unreadable_threads(parent, private=private)
        out = []
        for thread in threads.values():
            self.scope.parents[thread.id] = parent.id
            state = known.get(str(thread.id))
            if thread.archived and state is not None and state.checked_at is not None and (
                thread.archive_timestamp < datetime.fromisoformat(state.checked_at)
            ):
                continue
            self._places[str(thread.id)] = thread
            out.append(channel_info(thread))
        return out

    async def history(self, place: ChannelInfo, after: datetime | None) -> AsyncIterator[HistoryPage]:
        target = self._places[place.id]
        if isinstance(target, discord.ForumChannel):
            return
        parent_id = target.parent_id if isinstance(target, discord.Thread) else None
        start = discord.Object(id=discord.utils.time_snowflake(after, high=True)) if after else None
        batch: list[LoggedMessage] = []
        async for message in target.history(limit=None, after=start, oldest_first=True):
            batch.append(from_message(message, parent_id=parent_id,
                                      keep_content=self.cog._keep_content(message),
                                      source="backfill",
                                      instructor_role=self.cog.bot.settings.instructor_role))
            if len(batch) >= HISTORY_PAGE:
                yield HistoryPage(batch)
                batch = []
        if batch:
            yield HistoryPage(batch)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, LogCog(bot))
