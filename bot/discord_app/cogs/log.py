"""The discussion log: `/log channels add|remove|list`, live events, and backfill.

Live events are written as they come; nothing here waits for the disk except the awaited
future of the single writer. Because the gateway drops events while the bot is away, every
start and every reconnect backfills each logged channel and its threads (active and archived)
from the newest message logged *before* the connection was lost, so messages that arrive live
right after a reconnect cannot hide the gap. Upserts are idempotent, so overlap costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.core.errors import DatabaseBusy, DatabaseUnavailable
from bot.core.models import ChannelInfo, LoggedMessage
from bot.core.presentation import description
from bot.discord_app.checks import guild_only_check, instructor_only
from bot.discord_app.client import SeminarBot, add_feature_cog
from bot.discord_app.formatting import content, safe
from bot.discord_app.logging_events import (
    PLATFORM,
    channel_info,
    edit_fields,
    from_message,
    iso,
    parent_of,
)

log = logging.getLogger("bot.discord.log")

BACKFILL_BATCH = 100
STORE_ATTEMPTS = 4  # waits of 1, 2 and 4 s between them, on top of SQLite's own busy timeout
STORE_RETRY_SECONDS = 1.0
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
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),  # a hint; the check decides
    )
    channels_group = app_commands.Group(
        name="channels", description="Which channels are logged", parent=log_group
    )

    def __init__(self, bot: SeminarBot) -> None:
        self.bot = bot
        self.service = bot.service
        self._scopes: dict[int, asyncio.Task[GuildScope]] = {}
        # Per shard, backfills resume from the newest message logged before its anchor: the
        # process start, then its first disconnect since its last complete backfill (None: no gap).
        self._started = datetime.now(UTC)
        self._anchors: dict[int, datetime | None] = {}
        self._backfill_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._lookups: dict[int, asyncio.Task[Any]] = {}

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
        )
        await self._store([record])

    async def _store(self, records: list[LoggedMessage]) -> None:
        """Store, retrying while another program holds the database's lock. If it stays busy,
        or cannot be used at all, or a bug stops the write, the next backfill of that shard
        starts before these messages so they are fetched again: nothing is lost."""
        for attempt in range(STORE_ATTEMPTS):
            try:
                await asyncio.wrap_future(self.service.record_messages(records))
                return
            except DatabaseBusy:
                if attempt < STORE_ATTEMPTS - 1:
                    await asyncio.sleep(STORE_RETRY_SECONDS * 2**attempt)
                    continue
                self._give_up(records, "the database stayed locked")
                return
            except DatabaseUnavailable as exc:  # damaged, full, read-only: waiting cannot help
                self._give_up(records, str(exc))
                return
            except BaseException:  # a bug: logged as one by discord.py's event error handler
                self._rewind(records)
                raise

    def _give_up(self, records: list[LoggedMessage], why: str) -> None:
        log.error(
            "could not log %d message(s) (first id %s): %s; the next backfill fetches them again",
            len(records),
            records[0].id,
            why,
        )
        self._rewind(records)

    def _rewind(self, records: list[LoggedMessage]) -> None:
        guild = self.bot.get_guild(int(records[0].guild_id))
        shard = guild.shard_id if guild is not None else 0
        earliest = min(datetime.fromisoformat(r.created_at) for r in records)
        current = self._anchor_of(shard)
        self._anchors[shard] = earliest if current is None else min(current, earliest)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if payload.guild_id is None:
            return
        fields = edit_fields(payload.data)
        if not self.bot.intents.message_content and not self._keep_content(payload.message):
            fields["content"] = None
        known = await asyncio.wrap_future(
            self.service.record_edit(str(payload.message_id), **fields)
        )
        if known:
            return
        # An edit of a message we never saw (sent while we were away, or by an opted-out
        # student, whom store_messages only counts): log it as a message of its own.
        message = payload.message
        if await self._logged_parent(payload.guild_id, message.channel, payload.channel_id):
            scope = await self.scope(payload.guild_id)
            await self._store(
                [
                    from_message(
                        message,
                        parent_id=scope.parents.get(payload.channel_id),
                        keep_content=fields["content"] is not None,
                    )
                ]
            )

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await asyncio.wrap_future(self.service.record_deletes([str(payload.message_id)]))

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        await asyncio.wrap_future(
            self.service.record_deletes([str(i) for i in payload.message_ids])
        )

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await asyncio.wrap_future(self.service.bump_reactions(str(payload.message_id), 1))

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await asyncio.wrap_future(self.service.bump_reactions(str(payload.message_id), -1))

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        await asyncio.wrap_future(self.service.bump_reactions(str(payload.message_id), None))

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        scope = await self.scope(thread.guild.id)
        if thread.parent_id is not None:
            scope.parents[thread.id] = thread.parent_id
        if scope.covers(thread.id):
            await asyncio.wrap_future(
                self.service.record_channel(channel_info(thread), event="create")
            )

    @commands.Cog.listener()
    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        scope = await self.scope(payload.guild_id)
        scope.parents[payload.thread_id] = payload.parent_id
        if not scope.covers(payload.thread_id):
            return
        data = payload.data
        archived = bool(data.get("thread_metadata", {}).get("archived", False))
        parent = self.bot.get_channel(payload.parent_id)
        info = ChannelInfo(
            id=str(payload.thread_id),
            platform=PLATFORM,
            guild_id=str(payload.guild_id),
            name=data.get("name"),
            parent_id=str(payload.parent_id),
            kind="forum_post" if isinstance(parent, discord.ForumChannel) else "thread",
            archived=archived,
        )
        await asyncio.wrap_future(
            self.service.record_channel(info, event="archive" if archived else "update")
        )

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
        await asyncio.wrap_future(self.service.record_channel(info, event="delete"))

    # -- reconnects and backfill ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_shard_disconnect(self, shard_id: int) -> None:
        if self._anchor_of(shard_id) is None:
            self._anchors[shard_id] = datetime.now(UTC)

    @commands.Cog.listener()
    async def on_shard_ready(self, shard_id: int) -> None:
        """A shard identified afresh (start, or a session Discord would not resume)."""
        self._spawn(self.backfill_shard(shard_id))

    @commands.Cog.listener()
    async def on_shard_resumed(self, shard_id: int) -> None:
        self._spawn(self.backfill_shard(shard_id))

    def _anchor_of(self, shard_id: int) -> datetime | None:
        return self._anchors.get(shard_id, self._started)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro, name="seminar-bot: backfill")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def backfill_shard(self, shard_id: int) -> int:
        """Backfill the guilds of one shard; returns how many messages were fetched."""
        async with self._backfill_lock:  # one backfill at a time: they share the rate limits
            anchor = self._anchor_of(shard_id)
            total = 0
            for guild in [g for g in self.bot.guilds if g.shard_id == shard_id]:
                try:
                    total += await self.backfill_guild(guild, anchor)
                except Exception:
                    log.exception(
                        "backfill of guild %s failed; the next reconnect retries", guild.id
                    )
                    return total
            if self._anchor_of(shard_id) is anchor:  # no disconnect while we caught up
                self._anchors[shard_id] = None
            log.info("backfill of shard %s done: %d message(s) fetched", shard_id, total)
            return total

    async def backfill_guild(self, guild: discord.Guild, anchor: datetime | None = None) -> int:
        scope = await self.scope(guild.id)
        if not scope.channels:
            return 0
        active = await guild.active_threads()
        total = 0
        for channel_id in sorted(scope.channels):
            channel = guild.get_channel(channel_id)
            if not isinstance(channel, LoggableChannel):
                log.warning("logged channel %s is gone or not a text/forum channel", channel_id)
                continue
            total += await self.backfill_channel(channel, active, anchor)
        return total

    async def backfill_channel(
        self,
        channel: discord.TextChannel | discord.ForumChannel,
        active: list[discord.Thread],
        anchor: datetime | None = None,
    ) -> int:
        scope = await self.scope(channel.guild.id)
        threads = {t.id: t for t in active if t.parent_id == channel.id}
        threads.update({t.id: t for t in channel.threads})
        archives = [channel.archived_threads(limit=None)]
        if isinstance(channel, discord.TextChannel):  # forums have no private threads
            archives.append(channel.archived_threads(limit=None, private=True))
        for archive in archives:
            try:
                async for thread in archive:
                    threads[thread.id] = thread
            except discord.Forbidden:
                log.info("no access to some archived threads of %s", channel.id)
        total = 0
        if isinstance(channel, discord.TextChannel):
            total += await self._backfill_one(channel, None, anchor)
        settled = anchor or datetime.now(UTC)
        for thread in threads.values():
            if (
                thread.id in scope.parents
                and thread.archived
                and thread.archive_timestamp < settled
            ):
                continue  # fetched before, and archived since: nobody can have written there
            total += await self._backfill_one(thread, channel.id, anchor)
            # Recorded only once its history is in: a thread we know is a thread we have read.
            await asyncio.wrap_future(self.service.record_channel(channel_info(thread)))
            scope.parents[thread.id] = channel.id
        return total

    async def _backfill_one(
        self,
        target: discord.TextChannel | discord.Thread,
        parent_id: int | None,
        anchor: datetime | None,
    ) -> int:
        gid = str(target.guild.id)
        last = await asyncio.to_thread(self.service.last_message, gid, str(target.id), iso(anchor))
        after = discord.Object(id=int(last)) if last else None
        batch: list[LoggedMessage] = []
        count = 0
        try:
            async for message in target.history(limit=None, after=after, oldest_first=True):
                batch.append(
                    from_message(
                        message,
                        parent_id=parent_id,
                        keep_content=self._keep_content(message),
                        source="backfill",
                    )
                )
                if len(batch) >= BACKFILL_BATCH:
                    await self._store(batch)
                    count += len(batch)
                    batch = []
        except discord.Forbidden:
            log.warning("no permission to read the history of %s", target.id)
        if batch:
            await self._store(batch)
            count += len(batch)
        return count

    # -- /log channels ---------------------------------------------------------------------------

    @channels_group.command(name="add", description="Log a channel or forum and its threads")
    @app_commands.describe(channel="The text channel or forum to log")
    @instructor_only()
    async def add(
        self, interaction: discord.Interaction, channel: discord.TextChannel | discord.ForumChannel
    ) -> None:
        guild_id = guild_only_check(interaction)
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
            self._spawn(self._backfill_new(resolved))

    async def _backfill_new(self, channel: discord.TextChannel | discord.ForumChannel) -> None:
        try:
            await self.backfill_channel(channel, await channel.guild.active_threads())
        except Exception:
            log.exception("backfill of newly logged channel %s failed", channel.id)

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
        if not self.bot.intents.message_content:
            text += "\n" + safe(
                "Note: the Message Content intent is off, so message text is not stored."
            )
        await interaction.followup.send(content(text), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, SeminarBot)
    await add_feature_cog(bot, LogCog(bot))
