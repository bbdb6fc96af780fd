"""Imports of discussion the bot did not see live: DiscordChatExporter JSON and Slack exports.

Imported messages use the live adapters' ids, so an import merges with what the bot logged
(same id = same row) and importing the same export twice changes nothing:
- Discord: message id = the snowflake; channel id = the channel's or thread's snowflake; a
  thread's `parent_id` = its parent channel (DiscordChatExporter gives it as the thread's
  `category`/`categoryId`); guild id = the guild snowflake.
- Slack: message id = "CHANNELID:ts"; guild id = the team id; a thread reply sits in channel
  "CHANNELID:thread_ts" (the root message's id) with `parent_id` = CHANNELID and
  `reply_to` = the root's id; the root itself stays in CHANNELID.

Parsing runs in the caller's thread; only the upserts go to the writer thread, in batches.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from bot.core.errors import SeminarError
from bot.core.log.discussion import mark_deleted, store_channel, store_edit, store_messages
from bot.core.models import Attachment, ChannelInfo, ImportReport, LoggedMessage
from bot.core.storage.database import Database

BATCH = 2_000
# DiscordChatExporter message kinds that are people talking; the rest are system notices
# ("X pinned a message", "X started a thread", joins, calls).
DISCORD_CONTENT_KINDS = {"Default", "Reply"}
# Slack subtypes that are people (or bots) talking; joins, topic changes etc. are skipped.
SLACK_CONTENT_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message", "bot_message"}


class ExportUnreadable(SeminarError):
    """An export cannot be read: not found, not JSON, or not the expected shape."""




def _utc(value: str | None) -> str | None:
    """An export timestamp as the log's UTC ISO form."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _ts_iso(ts: str | None) -> str | None:
    if not ts:
        return None
    try:
        return datetime.fromtimestamp(float(ts), UTC).isoformat()
    except (ValueError, OverflowError):
        return None


def _store_channel_if_changed(conn: sqlite3.Connection, info: ChannelInfo) -> bool:
    """Re-importing must change nothing, so an unchanged channel is not touched."""
    row = conn.execute(
        "SELECT name, parent_id, kind FROM channels WHERE id = ?", (info.id,)
    ).fetchone()
    if row is not None and (row["name"], row["parent_id"], row["kind"]) == (
        info.name, info.parent_id, info.kind
    ):
        return False
    store_channel(conn, info, event=None if row is not None else "imported")
    return True


# -- DiscordChatExporter ------------------------------------------------------------------------


def _load_json(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise ExportUnreadable(f"No such file: {path}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ExportUnreadable(f"{path} is not a readable JSON file: {exc}") from None


@dataclass(slots=True)
class DiscordFile:
    info: ChannelInfo  # the channel, or the thread
    messages: list[LoggedMessage]
    skipped: int
    parent_name: str | None  # a thread's channel, as DiscordChatExporter names it


def parse_discord_export(data: Any, source: str) -> DiscordFile:
    """One DiscordChatExporter JSON file -> its channel (or thread) and its messages."""
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ExportUnreadable(
            f"{source} is not a DiscordChatExporter JSON export (no `guild`/`channel`/`messages`)."
        )
    guild = data.get("guild") or {}
    channel = data.get("channel") or {}
    guild_id = str(guild.get("id") or "")
    channel_id = str(channel.get("id") or "")
    if not guild_id or not channel_id:
        raise ExportUnreadable(f"{source} has no guild or channel id.")
    is_thread = "thread" in str(channel.get("type", "")).lower()
    parent_id = str(channel["categoryId"]) if is_thread and channel.get("categoryId") else None
    info = ChannelInfo(
        id=channel_id,
        platform="discord",
        guild_id=guild_id,
        name=channel.get("name"),
        parent_id=parent_id,
        kind="thread" if is_thread else "channel",
    )
    messages: list[LoggedMessage] = []
    skipped = 0
    for raw in data["messages"]:
        author = raw.get("author") if isinstance(raw, dict) else None
        created = _utc(raw.get("timestamp")) if isinstance(raw, dict) else None
        if (
            not isinstance(author, dict)
            or not raw.get("id")
            or created is None
            or raw.get("type", "Default") not in DISCORD_CONTENT_KINDS
        ):
            skipped += 1
            continue
        reference = raw.get("reference") or {}
        messages.append(
            LoggedMessage(
                id=str(raw["id"]),
                platform="discord",
                guild_id=guild_id,
                channel_id=channel_id,
                parent_id=parent_id,
                author_id=str(author.get("id")),
                author_name=author.get("nickname") or author.get("name"),
                author_is_bot=bool(author.get("isBot")),
                content=raw.get("content") or "",
                created_at=created,
                edited_at=_utc(raw.get("timestampEdited")),
                reply_to=str(reference["messageId"]) if reference.get("messageId") else None,
                attachments=tuple(
                    Attachment(a.get("fileName") or "", a.get("url") or "")
                    for a in raw.get("attachments") or ()
                    if isinstance(a, dict)
                ),
                reactions=sum(int(r.get("count") or 0) for r in raw.get("reactions") or ()
                              if isinstance(r, dict)),
                source="import",
            )
        )
    parent_name = str(channel["category"]) if parent_id and channel.get("category") else None
    return DiscordFile(info, messages, skipped, parent_name)


def import_discord_exports(db: Database, paths: Iterable[str | Path]) -> ImportReport:
    report = ImportReport()
    parsed = []
    for path in paths:
        p = Path(path)
        try:
            parsed.append(parse_discord_export(_load_json(p), str(p)))
        except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a hostile file
            raise ExportUnreadable(f"{p} is not a well-formed DiscordChatExporter export "
                                   f"({type(exc).__name__}: {exc}); nothing of it was imported.") from None
    # Parents first, so a thread's parent channel row exists before the thread's.
    parsed.sort(key=lambda f: f.info.kind == "thread")
    for f in parsed:
        report.files += 1
        report.skipped += f.skipped
        report.messages += len(f.messages)
        _write_batches(db, [f.info], f.messages, report)
    for f in parsed:
        if f.info.parent_id:
            # A thread exported without its channel: the channel's name is in the thread's file.
            parent = ChannelInfo(id=f.info.parent_id, platform="discord",
                                 guild_id=f.info.guild_id, name=f.parent_name)
            report.channels += db.run(partial(_store_channel_if_missing, info=parent))
    return report


def _store_channel_if_missing(conn: sqlite3.Connection, info: ChannelInfo) -> bool:
    if conn.execute("SELECT 1 FROM channels WHERE id = ?", (info.id,)).fetchone():
        return False
    store_channel(conn, info, event="imported")
    return True


def _write_batches(
    db: Database, channels: list[ChannelInfo], messages: list[LoggedMessage], report: ImportReport
) -> None:
    def channels_op(conn: sqlite3.Connection) -> int:
        return sum(int(_store_channel_if_changed(conn, info)) for info in channels)

    report.channels += db.run(channels_op)
    for start in range(0, len(messages), BATCH):
        report.stored += db.run(partial(store_messages, messages=messages[start : start + BATCH]))


# -- Slack --------------------------------------------------------------------------------------


class _SlackSource:
    """A Slack export as a folder or a zip: `channels.json`, `users.json`, CHANNEL/DAY.json."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._prefix = PurePosixPath("")
        if not path.exists():
            raise ExportUnreadable(f"No such file or folder: {path}")
        if path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise ExportUnreadable(f"{path} is neither a folder nor a zip file.") from None
            names = self._zip.namelist()
            tops = [n for n in names if PurePosixPath(n).name == "channels.json"]
            if tops:
                self._prefix = PurePosixPath(tops[0]).parent
        if not self.exists("channels.json"):
            raise ExportUnreadable(f"{path} is not a Slack export: it has no channels.json.")

    def exists(self, name: str) -> bool:
        if self._zip is not None:
            return str(self._prefix / name) in self._zip.namelist()
        return (self.path / name).is_file()

    def load(self, name: str) -> Any:
        try:
            if self._zip is not None:
                raw = self._zip.read(str(self._prefix / name))
            else:
                raw = (self.path / name).read_bytes()
            return json.loads(raw)
        except (OSError, KeyError, ValueError, UnicodeDecodeError) as exc:
            raise ExportUnreadable(f"{name} in {self.path} is not readable JSON: {exc}") from None

    def day_files(self, folder: str) -> list[str]:
        if self._zip is not None:
            base = self._prefix / folder
            names = [
                str(PurePosixPath(n).relative_to(self._prefix))
                for n in self._zip.namelist()
                if PurePosixPath(n).parent == base and n.endswith(".json")
            ]
        else:
            d = self.path / folder
            names = [f"{folder}/{p.name}" for p in d.glob("*.json")] if d.is_dir() else []
        return sorted(names)


def _slack_team(source: _SlackSource, users: list[dict[str, Any]], team: str | None) -> str:
    if team:
        return team
    for user in users:
        if user.get("team_id"):
            return str(user["team_id"])
    raise ExportUnreadable(
        "The export does not say which Slack workspace it is from (no team_id in users.json); "
        "pass --team TEAM_ID."
    )


def _slack_name(user: dict[str, Any]) -> str | None:
    profile = user.get("profile") or {}
    return (
        profile.get("display_name") or profile.get("real_name") or user.get("real_name")
        or user.get("name")
    )


@dataclass(slots=True)
class _SlackChanges:
    messages: list[LoggedMessage] = field(default_factory=list)
    threads: dict[str, ChannelInfo] = field(default_factory=dict)
    edits: list[tuple[str, str, str | None]] = field(default_factory=list)
    deletes: list[tuple[str, str | None]] = field(default_factory=list)
    skipped: int = 0


def _slack_channel_messages(
    entries: Iterator[dict[str, Any]],
    channel_id: str,
    team: str,
    names: dict[str, str | None],
    bots: set[str],
) -> _SlackChanges:
    out = _SlackChanges()
    for raw in entries:
        subtype = raw.get("subtype")
        if subtype == "message_changed" and isinstance(raw.get("message"), dict):
            new = raw["message"]
            edited = (new.get("edited") or {}).get("ts") or raw.get("ts")
            out.edits.append((f"{channel_id}:{new.get('ts')}", new.get("text") or "",
                              _ts_iso(edited)))
            continue
        if subtype == "message_deleted" and raw.get("deleted_ts"):
            out.deletes.append((f"{channel_id}:{raw['deleted_ts']}", _ts_iso(raw.get("ts"))))
            continue
        if subtype == "tombstone" and raw.get("ts"):
            out.deletes.append((f"{channel_id}:{raw['ts']}", None))
            continue
        ts = raw.get("ts")
        created = _ts_iso(ts)
        if subtype not in SLACK_CONTENT_SUBTYPES or created is None or raw.get("hidden"):
            out.skipped += 1
            continue
        user = raw.get("user") or raw.get("bot_id") or ""
        is_bot = subtype == "bot_message" or bool(raw.get("bot_id")) or user in bots
        thread_ts = raw.get("thread_ts")
        mid = f"{channel_id}:{ts}"
        in_thread = bool(thread_ts) and thread_ts != ts
        root = f"{channel_id}:{thread_ts}"
        if in_thread and root not in out.threads:
            out.threads[root] = ChannelInfo(
                id=root, platform="slack", guild_id=team, parent_id=channel_id, kind="thread"
            )
        profile = raw.get("user_profile") or {}
        out.messages.append(
            LoggedMessage(
                id=mid,
                platform="slack",
                guild_id=team,
                channel_id=root if in_thread else channel_id,
                parent_id=channel_id if in_thread else None,
                author_id=str(user),
                author_name=names.get(user) or profile.get("display_name")
                or profile.get("real_name") or raw.get("username"),
                author_is_bot=is_bot,
                content=raw.get("text") or "",
                created_at=created,
                edited_at=_ts_iso((raw.get("edited") or {}).get("ts")),
                reply_to=root if in_thread else None,
                attachments=tuple(
                    Attachment(f.get("name") or "", f.get("url_private") or "")
                    for f in raw.get("files") or ()
                    if isinstance(f, dict)
                ),
                reactions=sum(int(r.get("count") or 0) for r in raw.get("reactions") or ()
                              if isinstance(r, dict)),
                source="import",
            )
        )
    _fold_changes(out)
    return out


def _fold_changes(out: _SlackChanges) -> None:
    """Apply the export's own edits and deletions before storing, so a re-import finds every
    message already in its final state and changes nothing; only changes to messages outside
    this export (logged live earlier) are left for `store_edit`/`mark_deleted`."""
    by_id = {m.id: m for m in out.messages}
    outside = []
    for mid, text, at in out.edits:
        msg = by_id.get(mid)
        if msg is None:
            outside.append((mid, text, at))
        else:
            msg.content, msg.edited_at = text, at or msg.edited_at
    out.edits = outside
    gone = {mid for mid, _at in out.deletes}
    out.messages = [m for m in out.messages if m.id not in gone]


def _thread_names(changes: _SlackChanges) -> None:
    """A Slack thread has no title: name it after the start of its root message (whose author
    owns it: an opted-out or forgotten one's is not stored)."""
    roots = {m.id: m for m in changes.messages}
    for tid, info in changes.threads.items():
        root = " ".join((roots[tid].content or "").split()) if tid in roots else ""
        info.name = (root[:77] + "…") if len(root) > 78 else (root or None)
        info.owner_id = roots[tid].author_id if tid in roots else None


def import_slack_export(db: Database, path: str | Path, *, team: str | None = None) -> ImportReport:
    source = _SlackSource(Path(path))
    users = source.load("users.json") if source.exists("users.json") else []
    if not isinstance(users, list):
        raise ExportUnreadable("users.json in the export is not a list of users.")
    team_id = _slack_team(source, users, team)
    names = {str(u.get("id")): _slack_name(u) for u in users if isinstance(u, dict)}
    bots = {str(u.get("id")) for u in users if isinstance(u, dict) and u.get("is_bot")}
    report = ImportReport()
    channel_lists = [
        name for name in ("channels.json", "groups.json") if source.exists(name)
    ]
    for list_name in channel_lists:
        channels = source.load(list_name)
        if not isinstance(channels, list):
            raise ExportUnreadable(f"{list_name} in the export is not a list of channels.")
        for ch in channels:
            if not isinstance(ch, dict) or not ch.get("id") or not ch.get("name"):
                report.skipped += 1
                continue
            cid, cname = str(ch["id"]), str(ch["name"])
            files = source.day_files(cname)
            entries: list[dict[str, Any]] = []
            for day in files:
                content = source.load(day)
                if isinstance(content, list):
                    entries.extend(e for e in content if isinstance(e, dict))
                else:
                    report.warnings.append(f"{day} is not a list of messages; skipped.")
            report.files += len(files)
            try:
                entries.sort(key=lambda e: float(e.get("ts") or 0))
                changes = _slack_channel_messages(iter(entries), cid, team_id, names, bots)
            except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a hostile file
                raise ExportUnreadable(
                    f"{cname}/ in {path} is not a well-formed Slack export "
                    f"({type(exc).__name__}: {exc}); its messages were not imported."
                ) from None
            _thread_names(changes)
            created = _ts_iso(str(ch["created"])) if ch.get("created") else None
            infos = [ChannelInfo(id=cid, platform="slack", guild_id=team_id, name=cname,
                                 created_at=created), *changes.threads.values()]
            report.messages += len(changes.messages)
            report.skipped += changes.skipped
            _write_batches(db, infos, changes.messages, report)
            if changes.edits or changes.deletes:
                report.edits += db.run(partial(_apply_edits, edits=changes.edits))
                report.deleted += db.run(partial(_apply_deletes, deletes=changes.deletes))
    return report


def _apply_edits(conn: sqlite3.Connection, edits: list[tuple[str, str, str | None]]) -> int:
    return sum(int(store_edit(conn, mid, content=text, edited_at=at)) for mid, text, at in edits)


def _apply_deletes(conn: sqlite3.Connection, deletes: list[tuple[str, str | None]]) -> int:
    return sum(mark_deleted(conn, [mid], at) for mid, at in deletes)
