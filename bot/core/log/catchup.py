"""One catch-up for every platform: what was said while the bot was away, fetched and reconciled.

A platform adapter implements `HistorySource` (bot/discord_app/cogs/log.py, bot/slack_app/
backfill.py): which channels are logged, which of their threads to read, and a channel's or
thread's history after a moment, oldest first. Everything else is here, the same for both:

- **Resume points are durable.** Each channel and thread has its own point in
  `catchup_points`: the newest message stored with everything before it. It moves only when a
  page of history is stored (in the same transaction), never for a live event, so a message
  logged live after a reconnect cannot hide the gap before it, and a run that breaks off (a
  network error, a restart) resumes where its last page ended.
- **An overlap window is re-read.** Each read starts `overlap` before the point: edits made
  while away arrive as the current text (the store keeps the old one as history), and a logged
  message inside the window the read covered that it did not return was deleted meanwhile, so
  it is marked deleted. The window's top is the newest message returned or the read's start
  (less the clock skew), whichever is later: a message posted while the read pages is not
  taken for deleted.
- **Threads archived or created while away** are read: the source gets every known thread's
  state (its point, when it was last read, what is logged there) and returns those that may
  hold something new, and a thread read is recorded as a channel of the log.
- **Failures stay in their place.** A channel or thread that fails (no access, the platform
  erring, the database unavailable) is recorded with the reason and tried again next run; the
  others go on.

What it stores goes through bot.core.log.discussion's own functions, so tombstones and opt-outs
hold on this path as on every other. It is async (Discord's client is); the Slack adapter runs
it on its catch-up thread's own event loop. Database reads run in threads, writes on the single
writer, so the event loop never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

from bot.core.log import discussion
from bot.core.models import CatchUpReport, ChannelInfo, HistoryPage, LoggedMessage, PlaceState
from bot.core.storage.database import Database

log = logging.getLogger(__name__)

OVERLAP = timedelta(days=7)
# Our clock against the platform's: a message posted while a read runs is created after its
# start, give or take this much, and must not be taken for one the read should have returned.
CLOCK_SKEW = timedelta(seconds=60)


class HistorySource(Protocol):
    """What a platform adapter provides; `guild_id` is the Discord guild or Slack team."""

    platform: str
    guild_id: str
    # History older than this is hidden by the platform (Slack's free plan), not deleted.
    visible_since: datetime | None

    async def channels(self) -> Sequence[ChannelInfo]:
        """The logged channels (kind "forum" for one that only has threads)."""
        ...

    async def describe(self, place: ChannelInfo) -> ChannelInfo:
        """The channel or thread as the platform shows it now (its name, archived or not)."""
        ...

    async def threads(
        self, channel: ChannelInfo, known: Mapping[str, PlaceState]
    ) -> Sequence[ChannelInfo]:
        """The threads of `channel` that may hold something the log lacks; `known` are the
        threads the log knows there, by id (called after the channel's own history)."""
        ...

    def history(self, place: ChannelInfo, after: datetime | None) -> AsyncIterator[HistoryPage]:
        """Every message of `place` created after `after` (None: all), oldest first."""
        ...


class CatchUp:
    """Runs catch-ups over one database; one at a time per instance (they share rate limits)."""

    def __init__(
        self,
        db: Database,
        *,
        overlap: timedelta = OVERLAP,
        patience: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.db = db
        self.overlap = overlap
        self.patience = patience  # how long its writes wait out another program's lock
        self._lock = asyncio.Lock()

    async def run(self, source: HistorySource) -> CatchUpReport:
        """Every logged channel of the source, and its threads."""
        report = CatchUpReport()
        async with self._lock:
            try:
                channels = await source.channels()
            except Exception as exc:
                _failed(report, source, "*", exc)
                return report
            for channel in channels:
                await self._channel(source, channel, report)
        log.info("%s catch-up of %s: %s", source.platform, source.guild_id, report.summary())
        return report

    async def _channel(
        self, source: HistorySource, channel: ChannelInfo, report: CatchUpReport
    ) -> None:
        states = await self._states(source, None)
        if channel.kind != "forum" and not await self._place(
            source, channel, states.get(channel.id), report
        ):
            return  # its threads wait for the next run with it
        known = await self._states(source, channel.id)
        try:
            threads = await source.threads(channel, known)
        except Exception as exc:
            _failed(report, source, channel.id, exc)
            return
        for thread in threads:
            await self._place(source, thread, known.get(thread.id), report)

    async def _states(self, source: HistorySource, parent_id: str | None) -> dict[str, PlaceState]:
        def load() -> dict[str, PlaceState]:
            with self.db.read() as conn:
                return discussion.place_states(conn, source.platform, source.guild_id, parent_id)

        return await asyncio.to_thread(load)

    async def _place(
        self,
        source: HistorySource,
        place: ChannelInfo,
        state: PlaceState | None,
        report: CatchUpReport,
    ) -> bool:
        """Read one place; False (recorded, never raised) if it failed."""
        try:
            await self._read(source, place, state, report)
        except Exception as exc:
            _failed(report, source, place.id, exc)
            try:
                await self._write(partial(discussion.finish_place, platform=source.platform,
                                          guild_id=source.guild_id, place=place,
                                          error=_reason(exc)))
            except Exception:
                log.warning("could not record the failure of %s either", place.id)
            return False
        return True

    async def _read(
        self,
        source: HistorySource,
        place: ChannelInfo,
        state: PlaceState | None,
        report: CatchUpReport,
    ) -> None:
        started = datetime.now(UTC)
        place = await source.describe(place)
        await self._write(partial(discussion.store_channel, info=place))
        after = None
        if state is not None and state.cursor_at is not None:
            after = datetime.fromisoformat(state.cursor_at) - self.overlap
        returned: set[str] = set()
        gone: list[str] = []
        newest: datetime | None = None
        async for page in source.history(place, after):
            gone.extend(page.deleted)
            if not page.messages:
                continue
            last = max(page.messages, key=lambda m: m.created_at)
            report.fetched += len(page.messages)
            report.stored += await self._write(
                partial(_store_page, platform=source.platform, guild_id=source.guild_id,
                        place=place, messages=page.messages, last=last)
            )
            returned.update(m.id for m in page.messages)
            last_at = datetime.fromisoformat(last.created_at)
            newest = last_at if newest is None else max(newest, last_at)
        top = max(newest or started, started - CLOCK_SKEW)
        low = after
        if source.visible_since is not None and (low is None or low < source.visible_since):
            low = source.visible_since
        gone += await self._vanished(source, place, low, top, returned)
        if gone:
            report.deleted += await self._write(
                partial(discussion.mark_deleted, message_ids=gone, guild_id=source.guild_id)
            )
        await self._write(partial(discussion.finish_place, platform=source.platform,
                                  guild_id=source.guild_id, place=place,
                                  checked_at=started.isoformat()))
        report.places += 1

    async def _vanished(
        self,
        source: HistorySource,
        place: ChannelInfo,
        low: datetime | None,
        top: datetime,
        returned: set[str],
    ) -> list[str]:
        """Logged messages the read covered and did not return: deleted while we were away."""

        def load() -> list[tuple[str, str]]:
            with self.db.read() as conn:
                return discussion.logged_between(conn, source.guild_id, place.id,
                                                 low.isoformat() if low else None, top.isoformat())

        return [mid for mid, _at in await asyncio.to_thread(load) if mid not in returned]

    async def _write(self, op: Callable[[sqlite3.Connection], int | None]) -> int:
        value = await asyncio.wrap_future(self.db.write(op, patience=self.patience()))
        return int(value or 0)


def _store_page(
    conn: sqlite3.Connection,
    *,
    platform: str,
    guild_id: str,
    place: ChannelInfo,
    messages: Sequence[LoggedMessage],
    last: LoggedMessage,
) -> int:
    """A page stored and the place's point moved past it, in one transaction."""
    stored = discussion.store_messages(conn, messages)
    discussion.advance_cursor(conn, platform, guild_id, place, last.id, last.created_at)
    return stored


def _reason(exc: BaseException) -> str:
    """Why a read failed, for the log and `catchup_points.error`: the kind of error and what
    the platform or the database said (never message text)."""
    return f"{type(exc).__name__}: {exc}"[:300]


def _failed(
    report: CatchUpReport, source: HistorySource, place_id: str, exc: BaseException
) -> None:
    report.failed.append((place_id, _reason(exc)))
    log.warning("%s catch-up of %s of guild %s failed (the next run tries again): %s",
                source.platform, place_id, source.guild_id, _reason(exc), exc_info=exc)
