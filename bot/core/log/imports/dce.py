"""DiscordChatExporter JSON, streamed: one channel or thread per file, any size.

The format (DiscordChatExporter's JSON writer): an object with `guild` {id, name}, `channel`
{id, type, categoryId, category, name, topic}, `dateRange`, then `messages`, a list of
{id, type, timestamp, timestampEdited, content, author {id, name, nickname, isBot}, attachments
[{fileName, url}], reactions [{count}], mentions [{id, name, nickname}], reference {messageId}},
and `messageCount`. A thread's file has a thread `type` and gives its parent channel as
`categoryId`/`category`. Message `type`s other than Default and Reply are system notices.

Ids match the live adapter's, so an import merges with what the bot logged: message id = the
snowflake; channel id = the channel's or thread's snowflake; a thread's `parent_id` = its
parent channel; guild id = the guild snowflake. `guild` and `channel` come before `messages`
in the exporter's output, so the header is read from the start of the file and the messages
are then streamed with ijson: memory stays bounded by a batch whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import ijson

from bot.core.log.imports.sources import Counting, ExportFile, Readable
from bot.core.log.imports.writer import BATCH, Tracker, Writer
from bot.core.log.people import PeopleBook
from bot.core.models import STAFF_ROLE, Attachment, ChannelInfo, LoggedMessage, log_time

# Message kinds that are people talking; the rest are system notices ("X pinned a message",
# "X started a thread", joins, calls).
CONTENT_KINDS = {"Default", "Reply"}


class NotAnExport(ValueError):
    """The file is JSON but not a DiscordChatExporter export."""


def utc(value: str | None) -> str | None:
    """An export timestamp as the live log stores Discord times (`log_time`: UTC, to the
    second): the exporter's milliseconds would make an exported copy look newer than the same
    version logged live."""
    if not value:
        return None
    try:
        return log_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


@dataclass(slots=True)
class Header:
    info: ChannelInfo  # the channel, or the thread
    parent_name: str | None  # a thread's channel, as the exporter names it


def read_header(stream: IO[bytes], label: str) -> Header:
    """`guild` and `channel`, read from the start of the file (up to `messages`)."""
    builders: dict[str, ijson.ObjectBuilder] = {}
    for prefix, event, value in ijson.parse(stream, use_float=True):
        top = prefix.partition(".")[0]
        if top in ("guild", "channel"):
            builders.setdefault(top, ijson.ObjectBuilder()).event(event, value)
        elif prefix == "messages" and {"guild", "channel"} <= builders.keys():
            break
        elif prefix == "" and event == "start_array":
            raise NotAnExport(f"{label} is a JSON list, not a DiscordChatExporter export.")
    guild = builders["guild"].value if "guild" in builders else {}
    channel = builders["channel"].value if "channel" in builders else {}
    if not isinstance(guild, dict) or not isinstance(channel, dict) or not guild.get("id") \
            or not channel.get("id"):
        raise NotAnExport(
            f"{label} is not a DiscordChatExporter JSON export (no `guild`/`channel` ids)."
        )
    guild_id, channel_id = str(guild["id"]), str(channel["id"])
    is_thread = "thread" in str(channel.get("type", "")).lower()
    parent_id = str(channel["categoryId"]) if is_thread and channel.get("categoryId") else None
    info = ChannelInfo(
        id=channel_id, platform="discord", guild_id=guild_id, name=channel.get("name"),
        parent_id=parent_id, kind="thread" if is_thread else "channel",
    )
    parent_name = str(channel["category"]) if parent_id and channel.get("category") else None
    return Header(info, parent_name)


def _names(book: PeopleBook, guild_id: str, who: dict[str, Any], staff: Collection[str]) -> None:
    uid = str(who.get("id") or "")
    if not uid:
        return
    person = book.person(guild_id, uid)
    person.add(who.get("name"), who.get("globalName"),
               display=who.get("nickname") or who.get("globalName") or who.get("name"))
    if uid in staff:
        person.role = STAFF_ROLE


def to_logged(raw: Any, info: ChannelInfo, staff: Collection[str]) -> LoggedMessage | None:
    """One exported message as a log record; None for a system notice or a broken entry."""
    if not isinstance(raw, dict):
        return None
    author = raw.get("author")
    created = utc(raw.get("timestamp"))
    if (not isinstance(author, dict) or not raw.get("id") or created is None
            or raw.get("type", "Default") not in CONTENT_KINDS):
        return None
    reference = raw.get("reference") or {}
    author_id = str(author.get("id"))
    return LoggedMessage(
        id=str(raw["id"]),
        platform="discord",
        guild_id=info.guild_id,
        channel_id=info.id,
        parent_id=info.parent_id,
        author_id=author_id,
        author_name=author.get("nickname") or author.get("name"),
        author_is_bot=bool(author.get("isBot")),
        content=raw.get("content") or "",
        created_at=created,
        edited_at=utc(raw.get("timestampEdited")),
        reply_to=str(reference["messageId"]) if isinstance(reference, dict)
        and reference.get("messageId") else None,
        attachments=tuple(
            Attachment(a.get("fileName") or "", a.get("url") or "")
            for a in raw.get("attachments") or () if isinstance(a, dict)
        ),
        reactions=sum(int(r.get("count") or 0) for r in raw.get("reactions") or ()
                      if isinstance(r, dict)),
        source="import",
        author_role=STAFF_ROLE if author_id in staff else None,
    )


def _messages(stream: Readable) -> Iterator[Any]:
    yield from ijson.items(stream, "messages.item", use_float=True)


def import_file(
    export: ExportFile, writer: Writer, book: PeopleBook, tracker: Tracker,
    staff: Collection[str],
) -> Header:
    """Stream one file into the log; raises NotAnExport or ijson/OS errors for a bad file
    (what was read before the error is kept: it is the export's own text)."""
    with export.opener() as raw:
        header = read_header(raw, export.label)
    info = header.info
    writer.channels([info])
    batch: list[LoggedMessage] = []
    with Counting(export.opener(), tracker.tick) as stream:
        try:
            _stream(stream, info, writer, book, staff, batch)
        finally:
            writer.messages(batch)  # what was read before a truncation is kept
    return header


def _stream(stream: Readable, info: ChannelInfo, writer: Writer, book: PeopleBook,
            staff: Collection[str], batch: list[LoggedMessage]) -> None:
    report = writer.report
    for raw_msg in _messages(stream):
        report.messages += 1
        msg = to_logged(raw_msg, info, staff)
        if msg is None:
            report.skipped += 1
            continue
        _names(book, info.guild_id, raw_msg["author"], staff)
        for who in raw_msg.get("mentions") or ():
            if isinstance(who, dict):
                _names(book, info.guild_id, who, staff)
        batch.append(msg)
        if len(batch) >= BATCH:
            writer.messages(list(batch))
            batch.clear()
