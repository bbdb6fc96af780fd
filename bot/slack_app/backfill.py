"""A Slack workspace's history as the core's catch-up reads it (bot.core.log.catchup).

The engine decides where each channel and thread resumes, re-reads the overlap window, and
finds deletions by absence; this adapter only says what Slack holds:
- a channel's history after a moment, from `conversations.history`. Slack pages it newest
  first; the pages are read to the end and handed over oldest first, so the engine can store
  them in order and move the channel's point as it goes;
- a channel's threads: every parent the history returned whose thread grew (its
  `latest_reply` is past the thread's point) or shrank (it says fewer replies than the log
  holds, so some were deleted), and every thread the log knows that history did not reach
  (a reply added to an old thread moves nothing in the channel's history), while Slack still
  shows it (`VISIBLE_HISTORY`); a thread is read with `conversations.replies`;
- a thread parent deleted under its replies shows as a `tombstone`: reported as deleted.
The WebClient calls block; the catch-up runs them on its own thread and event loop (catch_up.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from slack_sdk import WebClient

from bot.core.models import ChannelInfo, HistoryPage, LoggedMessage, PlaceState
from bot.slack_app.events import (
    PLATFORM,
    is_newer,
    message_id,
    slack_time,
    thread_info,
    to_logged,
    ts_of,
)

PAGE_LIMIT = 200
# Free workspaces hide history older than 90 days; hidden is not deleted.
VISIBLE_HISTORY = timedelta(days=89)


def pages(call: Callable[..., Any], **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every message of a cursor-paged conversations.* call."""
    cursor: str | None = None
    while True:
        response = call(**kwargs, limit=PAGE_LIMIT, **({"cursor": cursor} if cursor else {}))
        yield from response.get("messages") or []
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def slack_ts(moment: datetime) -> str:
    """A moment as a Slack ts, exact to the microsecond (the inverse of `slack_time`)."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return f"{delta.days * 86400 + delta.seconds}.{delta.microseconds:06d}"


class SlackHistory:
    """One workspace's logged channels (bot.core.log.catchup.HistorySource)."""

    platform = PLATFORM

    def __init__(self, client: WebClient, team_id: str, channels: list[str]) -> None:
        self.client = client
        self.guild_id = team_id
        self.channel_ids = channels
        self.visible_since: datetime | None = datetime.now(UTC) - VISIBLE_HISTORY
        self._parents: dict[str, list[dict[str, Any]]] = {}  # channel -> thread parents read

    async def channels(self) -> list[ChannelInfo]:
        return [ChannelInfo(id=c, platform=PLATFORM, guild_id=self.guild_id)
                for c in self.channel_ids]

    async def describe(self, place: ChannelInfo) -> ChannelInfo:
        """A channel's name (digests say #seminar rather than C0123); a thread has none."""
        if place.kind != "channel":
            return place
        info = self.client.conversations_info(channel=place.id).get("channel") or {}
        created = info.get("created")
        return ChannelInfo(
            id=place.id, platform=PLATFORM, guild_id=self.guild_id, name=info.get("name"),
            kind="channel", created_at=None if created is None else slack_time(str(created)),
            archived=bool(info.get("is_archived")),
        )

    async def history(self, place: ChannelInfo, after: datetime | None) -> AsyncIterator[HistoryPage]:
        oldest = {} if after is None else {"oldest": slack_ts(after)}
        if place.kind == "thread":
            channel, thread_ts = place.parent_id or "", ts_of(place.id)
            found = [m for m in pages(self.client.conversations_replies, channel=channel,
                                      ts=thread_ts, **oldest)
                     if m.get("ts") and m["ts"] != thread_ts]  # every page leads with the parent
        else:
            channel = place.id
            found = list(pages(self.client.conversations_history, channel=channel, **oldest))
            self._parents[channel] = [m for m in found if m.get("reply_count")
                                      and m.get("thread_ts") == m.get("ts")]
        found.sort(key=lambda m: Decimal(str(m.get("ts") or 0)))
        for start in range(0, len(found), PAGE_LIMIT):
            yield _page(found[start:start + PAGE_LIMIT], self.guild_id, channel)

    async def threads(
        self, channel: ChannelInfo, known: Mapping[str, PlaceState]
    ) -> list[ChannelInfo]:
        out: dict[str, ChannelInfo] = {}
        reached: set[str] = set()
        for parent in self._parents.pop(channel.id, []):
            thread = thread_info(self.guild_id, channel.id, str(parent["ts"]))
            reached.add(thread.id)
            state = known.get(thread.id)
            if state is None or _changed(parent, state):
                out[thread.id] = thread
        visible = self.visible_since.isoformat() if self.visible_since else ""
        for state in known.values():  # threads the channel's history did not reach
            if state.place_id not in reached and (state.last_at or state.cursor_at or "") >= visible:
                out[state.place_id] = thread_info(self.guild_id, channel.id,
                                                  ts_of(state.place_id))
        return list(out.values())


def _changed(parent: Mapping[str, Any], state: PlaceState) -> bool:
    """Whether a thread the log knows has replies it lacks, or lost some."""
    latest = parent.get("latest_reply")
    since = None if state.cursor_at is None else _ts_of_time(state.cursor_at)
    grew = since is None or latest is None or is_newer(str(latest), since)
    return grew or state.logged > int(parent.get("reply_count") or 0)


def _ts_of_time(iso_time: str) -> str:
    return slack_ts(datetime.fromisoformat(iso_time))


def _page(items: list[dict[str, Any]], team_id: str, channel: str) -> HistoryPage:
    messages: list[LoggedMessage] = []
    deleted: list[str] = []
    for msg in items:
        logged = to_logged(msg, team_id=team_id, channel=channel, source="backfill")
        if logged is not None:
            messages.append(logged)
        elif msg.get("subtype") == "tombstone" and msg.get("ts"):
            deleted.append(message_id(channel, str(msg["ts"])))
    return HistoryPage(messages, deleted)
