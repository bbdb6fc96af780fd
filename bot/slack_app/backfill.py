"""Catch up on what was said in the logged channels while the bot was not running.

Each channel resumes from its newest logged message, reaching back `THREAD_LOOKBACK` further:
a thread whose parent is older than the last logged message can still have grown replies, and
history only reports such a parent (with its `latest_reply`) when the parent is in range.
Re-reading a little is harmless because every write is an idempotent upsert; a thread is only
fetched with `conversations.replies` when it has replies newer than the ones we hold.
Edits made while down arrive as the current text and are kept as edits; deletions made while
down cannot be seen in history and are only caught live, except a thread parent's, which
history shows as a tombstone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.discussion import ChannelInfo, LoggedMessage
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


@dataclass(slots=True)
class BackfillReport:
    channels: int = 0
    messages: int = 0
    threads: int = 0
    failed: tuple[str, ...] = ()


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
    client: WebClient, service: SeminarService, team_id: str, channels: list[str]
) -> BackfillReport:
    """Backfill every channel; one channel failing (not a member, gone) does not stop the rest."""
    report = BackfillReport()
    failed = []
    for channel in channels:
        try:
            messages, threads = backfill_channel(client, service, team_id, channel)
        except SlackApiError as exc:
            failed.append(channel)
            log.warning("backfill of %s failed: %s", channel, exc.response.get("error"))
            continue
        report.channels += 1
        report.messages += messages
        report.threads += threads
    report.failed = tuple(failed)
    return report


def backfill_channel(
    client: WebClient, service: SeminarService, team_id: str, channel: str
) -> tuple[int, int]:
    """Returns (messages stored, threads fetched)."""
    _record_channel(client, service, team_id, channel)
    last = service.last_message(team_id, channel)
    oldest = None
    if last is not None:
        oldest = str(max(Decimal(0), Decimal(ts_of(last)) - THREAD_LOOKBACK_SECONDS))
    kwargs: dict[str, Any] = {"channel": channel}
    if oldest is not None:
        kwargs["oldest"] = oldest
    stored = threads = 0
    batch: list[LoggedMessage] = []
    gone: list[str] = []
    for msg in pages(client.conversations_history, **kwargs):
        logged = to_logged(msg, team_id=team_id, channel=channel, source="backfill")
        if logged is not None:
            batch.append(logged)
        elif msg.get("subtype") == "tombstone":  # a thread parent deleted under its replies
            gone.append(message_id(channel, str(msg["ts"])))
        if msg.get("reply_count") and msg.get("thread_ts") == msg.get("ts"):
            got = _backfill_thread(client, service, team_id, channel, msg)
            if got is not None:
                stored += got
                threads += 1
        if len(batch) >= PAGE_LIMIT:
            stored += service.record_messages(batch).result()
            batch = []
    if batch:
        stored += service.record_messages(batch).result()
    if gone:
        service.record_deletes(gone).result()
    return stored, threads


def _backfill_thread(
    client: WebClient,
    service: SeminarService,
    team_id: str,
    channel: str,
    parent: dict[str, Any],
) -> int | None:
    thread_ts = str(parent["ts"])
    logged_last = service.last_message(team_id, thread_channel_id(channel, thread_ts))
    since = ts_of(logged_last) if logged_last else None
    latest = parent.get("latest_reply")
    if since is not None and latest is not None and not is_newer(str(latest), since):
        return None
    service.record_channel(thread_info(team_id, channel, thread_ts)).result()
    kwargs: dict[str, Any] = {"channel": channel, "ts": thread_ts}
    if since is not None:
        kwargs["oldest"] = since
    batch = [
        logged
        for msg in pages(client.conversations_replies, **kwargs)
        if msg.get("ts") != thread_ts  # the parent comes first in every page; history has it
        and (logged := to_logged(msg, team_id=team_id, channel=channel, source="backfill"))
    ]
    return service.record_messages(batch).result() if batch else 0


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

