"""Catch up on what was said in the logged channels while the bot was not connected.

Each channel resumes from its newest message logged before the reconnect (`stored_upto`, a log
watermark taken when Slack said hello), reaching back `THREAD_LOOKBACK` further: a thread whose
parent is older than the last logged message can still have grown replies, and history only
reports such a parent (with its `latest_reply`) when the parent is in range. Messages logged live
since the reconnect (or redelivered late by Slack) do not move the resume point past the gap.
Re-reading a little is harmless because every write is an idempotent upsert; a thread is only
fetched with `conversations.replies` when it has replies newer than the ones we hold.
Edits made while down arrive as the current text and are kept as edits. Deletions made while
down are seen as absences: a logged message inside the window a fetch actually covered that the
fetch did not return is marked deleted (a thread parent shows as a tombstone instead).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.models import ChannelInfo, LoggedMessage
from bot.slack_app.events import (
    PLATFORM,
    is_newer,
    message_id,
    slack_time,
    thread_channel_id,
    thread_info,
    to_logged,
    ts_of,
)

if TYPE_CHECKING:
    from bot.core.service import SeminarService

log = logging.getLogger(__name__)

PAGE_LIMIT = 200
THREAD_LOOKBACK_SECONDS = 14 * 24 * 3600
# Our clock against Slack's: a message posted while a fetch runs has a ts after its start, give
# or take this much, and must not be taken for one the fetch should have returned.
CLOCK_SKEW_SECONDS = 60
# Free workspaces hide history older than 90 days; hidden is not deleted.
VISIBLE_HISTORY_SECONDS = 89 * 24 * 3600
TINY = Decimal("0.000001")


@dataclass(slots=True)
class BackfillReport:
    channels: int = 0
    messages: int = 0
    threads: int = 0
    deleted: int = 0
    failed: tuple[str, ...] = ()


@dataclass(slots=True)
class Window:
    """The ts range a completed fetch covered, (after, upto]: a logged message in it that the
    fetch did not return was deleted meanwhile."""

    after: Decimal
    upto: Decimal

    @classmethod
    def covered(cls, after: Decimal | None, returned: list[Decimal], started: Decimal) -> Window:
        """`after` is the fetch's exclusive `oldest` (None: from the first message returned).
        The top is what the fetch saw, or its start less the clock skew if that is later:
        messages posted while it paged are newer than both."""
        low = after if after is not None else min(returned, default=started) - TINY
        low = max(low, started - VISIBLE_HISTORY_SECONDS)
        return cls(low, max([started - CLOCK_SKEW_SECONDS, *returned]))

    def vanished(
        self, service: SeminarService, team_id: str, logged_in: str, returned: set[str]
    ) -> list[str]:
        since = slack_time(str(int(self.after)))  # whole seconds: sorts before that second
        return [
            mid
            for mid in service.live_message_ids(team_id, logged_in, since)
            if mid not in returned and self.after < Decimal(ts_of(mid)) <= self.upto
        ]


def pages(call: Callable[..., Any], **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every message of a cursor-paged conversations.* call."""
    cursor: str | None = None
    while True:
        response = call(**kwargs, limit=PAGE_LIMIT, **({"cursor": cursor} if cursor else {}))
        yield from response.get("messages") or []
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return


def backfill(
    client: WebClient,
    service: SeminarService,
    team_id: str,
    channels: list[str],
    *,
    stored_upto: int | None = None,
) -> BackfillReport:
    """Backfill every channel; one channel failing (not a member, gone) does not stop the rest.

    `stored_upto` is the log watermark at the reconnect; None resumes from everything logged."""
    report = BackfillReport()
    failed = []
    for channel in channels:
        try:
            got = backfill_channel(client, service, team_id, channel, stored_upto)
        except SlackApiError as exc:
            failed.append(channel)
            log.warning("backfill of %s failed: %s", channel, exc.response.get("error"))
            continue
        report.channels += 1
        report.messages += got.messages
        report.threads += got.threads
        report.deleted += got.deleted
    report.failed = tuple(failed)
    return report


def backfill_channel(
    client: WebClient,
    service: SeminarService,
    team_id: str,
    channel: str,
    stored_upto: int | None = None,
) -> BackfillReport:
    """One channel and its threads; the report counts messages stored, threads fetched and
    messages found deleted."""
    _record_channel(client, service, team_id, channel)
    last = service.last_message(team_id, channel, stored_upto=stored_upto)
    oldest = None
    if last is not None:
        oldest = max(Decimal(0), Decimal(ts_of(last)) - THREAD_LOOKBACK_SECONDS)
    kwargs: dict[str, Any] = {"channel": channel}
    if oldest is not None:
        kwargs["oldest"] = str(oldest)
    report = BackfillReport(channels=1)
    started = _now()
    batch: list[LoggedMessage] = []
    gone: list[str] = []
    returned: set[str] = set()
    times: list[Decimal] = []
    for msg in pages(client.conversations_history, **kwargs):
        if msg.get("ts"):
            returned.add(message_id(channel, str(msg["ts"])))
            times.append(Decimal(str(msg["ts"])))
        logged = to_logged(msg, team_id=team_id, channel=channel, source="backfill")
        if logged is not None:
            batch.append(logged)
        elif msg.get("subtype") == "tombstone":  # a thread parent deleted under its replies
            gone.append(message_id(channel, str(msg["ts"])))
        if msg.get("reply_count") and msg.get("thread_ts") == msg.get("ts"):
            thread = _backfill_thread(client, service, team_id, channel, msg, stored_upto)
            if thread is not None:
                report.messages += thread.messages
                report.threads += 1
                gone += thread.gone
        if len(batch) >= PAGE_LIMIT:
            report.messages += service.record_messages(batch).result()
            batch = []
    if batch:
        report.messages += service.record_messages(batch).result()
    gone += Window.covered(oldest, times, started).vanished(service, team_id, channel, returned)
    if gone:
        report.deleted = service.record_deletes(gone).result()
    return report


@dataclass(slots=True)
class ThreadCatchUp:
    messages: int
    gone: list[str]


def _backfill_thread(
    client: WebClient,
    service: SeminarService,
    team_id: str,
    channel: str,
    parent: dict[str, Any],
    stored_upto: int | None,
) -> ThreadCatchUp | None:
    thread_ts = str(parent["ts"])
    where = thread_channel_id(channel, thread_ts)
    logged_last = service.last_message(team_id, where, stored_upto=stored_upto)
    since = ts_of(logged_last) if logged_last else None
    latest = parent.get("latest_reply")
    grew = since is None or latest is None or is_newer(str(latest), since)
    # Holding more replies than the thread has means some were deleted: re-read it whole.
    shrank = len(service.live_message_ids(team_id, where)) > int(parent.get("reply_count") or 0)
    if not (grew or shrank):
        return None
    if shrank:
        since = None
    service.record_channel(thread_info(team_id, channel, thread_ts)).result()
    kwargs: dict[str, Any] = {"channel": channel, "ts": thread_ts}
    if since is not None:
        kwargs["oldest"] = since
    started = _now()
    replies = [m for m in pages(client.conversations_replies, **kwargs)
               if m.get("ts") and m["ts"] != thread_ts]  # every page leads with the parent
    batch = [
        logged
        for msg in replies
        if (logged := to_logged(msg, team_id=team_id, channel=channel, source="backfill"))
    ]
    stored = service.record_messages(batch).result() if batch else 0
    window = Window.covered(Decimal(since or thread_ts),
                            [Decimal(str(m["ts"])) for m in replies], started)
    returned = {message_id(channel, str(m["ts"])) for m in replies}
    return ThreadCatchUp(stored, window.vanished(service, team_id, where, returned))


def _now() -> Decimal:
    return Decimal(str(time.time()))


def _record_channel(
    client: WebClient, service: SeminarService, team_id: str, channel: str
) -> None:
    """Keep the channel's name so digests can say #seminar rather than C0123."""
    info = client.conversations_info(channel=channel).get("channel") or {}
    created = info.get("created")
    service.record_channel(
        ChannelInfo(
            id=channel,
            platform=PLATFORM,
            guild_id=team_id,
            name=info.get("name"),
            kind="channel",
            created_at=None if created is None else slack_time(str(created)),
            archived=bool(info.get("is_archived")),
        )
    ).result()

