"""Slack `message` payloads -> discussion-log records (see bot/slack_app/__init__.py for ids).

Used by both the live event handler and the backfill, so a message logged live and the same
message fetched later by `conversations.history` map to the very same row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from bot.core.models import Attachment, ChannelInfo, LoggedMessage

PLATFORM: Final = "slack"

# Subtypes that are somebody saying something; joins, topic changes, pins and the like are not
# discussion and are not logged.
DISCUSSION_SUBTYPES = frozenset({None, "bot_message", "file_share", "thread_broadcast", "me_message"})


def message_id(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def ts_of(logged_id: str) -> str:
    """The Slack `ts` of a logged message id."""
    return logged_id.rsplit(":", 1)[1]


def thread_channel_id(channel: str, thread_ts: str) -> str:
    return f"{channel}:{thread_ts}"


def slack_time(ts: str) -> str:
    """A Slack ts as ISO 8601 UTC, exact to the microsecond so messages of one second order.

    The same string `datetime.isoformat()` gives (as the Slack-export importer writes), but
    computed without going through a float."""
    try:
        value = Decimal(ts)
    except (InvalidOperation, TypeError):
        value = Decimal(0)
    seconds = int(value)
    micros = int((value - seconds) * 1_000_000)
    moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
    return moment.isoformat()


def is_newer(ts: str, than: str | None) -> bool:
    return than is None or Decimal(ts) > Decimal(than)


def is_thread_reply(msg: Mapping[str, Any]) -> bool:
    thread_ts = msg.get("thread_ts")
    return bool(thread_ts) and thread_ts != msg.get("ts")


def to_logged(
    msg: Mapping[str, Any], *, team_id: str, channel: str, source: str = "live"
) -> LoggedMessage | None:
    """A message as Slack sends it (event or history item); None if it is not discussion."""
    if msg.get("subtype") not in DISCUSSION_SUBTYPES or not msg.get("ts"):
        return None
    ts = str(msg["ts"])
    if is_thread_reply(msg):
        where, parent, reply_to = (
            thread_channel_id(channel, str(msg["thread_ts"])),
            channel,
            message_id(channel, str(msg["thread_ts"])),
        )
    else:
        where, parent, reply_to = channel, None, None
    edited = msg.get("edited") or {}
    profile = msg.get("user_profile") or {}
    author_name = (
        profile.get("display_name") or profile.get("real_name") or msg.get("username") or None
    )
    return LoggedMessage(
        id=message_id(channel, ts),
        platform=PLATFORM,
        guild_id=team_id,
        channel_id=where,
        parent_id=parent,
        author_id=str(msg.get("user") or msg.get("bot_id") or "unknown"),
        author_name=author_name,
        author_is_bot=bool(msg.get("bot_id")) or msg.get("subtype") == "bot_message",
        content=msg.get("text") or "",
        created_at=slack_time(ts),
        edited_at=slack_time(str(edited["ts"])) if edited.get("ts") else None,
        reply_to=reply_to,
        attachments=tuple(
            Attachment(name=str(f.get("name") or f.get("title") or ""),
                       url=str(f.get("url_private") or f.get("permalink") or ""))
            for f in msg.get("files") or ()
        ),
        reactions=sum(int(r.get("count", 0)) for r in msg.get("reactions") or ()),
        source=source,
    )


def thread_info(team_id: str, channel: str, thread_ts: str) -> ChannelInfo:
    """A Slack thread as a channel of the log. It has no name of its own; the parent's text is
    not copied into one, since its author may have opted out."""
    return ChannelInfo(
        id=thread_channel_id(channel, thread_ts),
        platform=PLATFORM,
        guild_id=team_id,
        parent_id=channel,
        kind="thread",
        created_at=slack_time(thread_ts),
    )


@dataclass(frozen=True, slots=True)
class Store:
    message: LoggedMessage


@dataclass(frozen=True, slots=True)
class Delete:
    message_id: str


Change = Store | Delete


def classify(event: Mapping[str, Any], team_id: str) -> Change | None:
    """What a live `message` event means for the log: a message to store, one to blank, or
    nothing. An edit is stored whole: the upsert keeps the previous text as history, and a
    message we missed while down is logged instead of the edit being dropped."""
    channel = str(event.get("channel") or "")
    subtype = event.get("subtype")
    if not channel:
        return None
    if subtype == "message_deleted":
        deleted = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        return Delete(message_id(channel, str(deleted))) if deleted else None
    if subtype == "message_changed":
        new = event.get("message") or {}
        if new.get("subtype") == "tombstone":  # a thread parent deleted under its replies
            return Delete(message_id(channel, str(new.get("ts"))))
        logged = to_logged(new, team_id=team_id, channel=channel)
        return Store(logged) if logged else None
    logged = to_logged(event, team_id=team_id, channel=channel)
    return Store(logged) if logged else None
