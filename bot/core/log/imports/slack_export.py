"""Slack workspace exports (a folder or a zip): channels.json, users.json, CHANNEL/DAY.json.

The format (Slack's "Export your workspace data" help page): `channels.json` (public
channels: id, name, created), `groups.json` (private channels), `mpims.json` (group DMs,
folders named by name) and `dms.json` (DMs, folders named by id), `users.json` (id, name,
real_name, is_admin, is_owner, is_bot, profile {display_name, real_name, first_name}), and one
folder per conversation with one `YYYY-MM-DD.json` per day: a list of messages {ts, user, text,
subtype, thread_ts, edited {ts}, files | file (before 2019), reactions [{count}], comment (a
`file_comment`)}. Other files in a folder (a canvas, `canvas_in_the_conversation.json`) are not
days.

Ids match the live adapter's: message id = "CHANNELID:ts"; guild id = the team id; a thread
reply sits in channel "CHANNELID:thread_ts" (the root message's id) with `parent_id` =
CHANNELID and `reply_to` = the root's id; the root itself stays in CHANNELID. The archive is
listed once; each conversation is read day by day and written in batches.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from bot.core.log.imports.writer import BATCH, Tracker, Writer
from bot.core.log.people import PeopleBook
from bot.core.models import STAFF_ROLE, Attachment, ChannelInfo, LoggedMessage

# Subtypes that are people (or bots) talking; joins, topic changes etc. are skipped.
CONTENT_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message", "bot_message",
                    "file_comment"}
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
# (list file, whether its folders are named by id rather than by name)
CONVERSATION_LISTS = (("channels.json", False), ("groups.json", False), ("mpims.json", False),
                      ("dms.json", True))


class SlackUnreadable(ValueError):
    """Not a Slack export, or a part of one that cannot be read."""


def ts_iso(ts: Any) -> str | None:
    if not ts:
        return None
    try:
        return datetime.fromtimestamp(float(ts), UTC).isoformat()
    except (ValueError, OverflowError, TypeError):
        return None


class SlackSource:
    """A Slack export as a folder or a zip, listed once: day files by conversation folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._files: dict[str, str] = {}  # name relative to the export's top -> where it is
        self.days: dict[str, list[str]] = defaultdict(list)  # folder -> its day files
        if not path.exists():
            raise SlackUnreadable(f"No such file or folder: {path}")
        if path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise SlackUnreadable(f"{path} is neither a folder nor a zip file.") from None
            names = [n for n in self._zip.namelist() if not n.endswith("/")]
        else:
            names = [p.relative_to(path).as_posix() for p in path.rglob("*.json") if p.is_file()]
        tops = sorted((n for n in names if PurePosixPath(n).name == "channels.json"),
                      key=lambda n: n.count("/"))
        if not tops:
            raise SlackUnreadable(f"{path} is not a Slack export: it has no channels.json.")
        prefix = PurePosixPath(tops[0]).parent
        for name in names:
            pure = PurePosixPath(name)
            try:
                rel = pure.relative_to(prefix)
            except ValueError:
                continue
            self._files[str(rel)] = name
            if len(rel.parts) == 2 and DAY_FILE.match(rel.name):
                self.days[rel.parts[0]].append(str(rel))
        for files in self.days.values():
            files.sort()

    def exists(self, name: str) -> bool:
        return name in self._files

    def size(self, name: str) -> int:
        where = self._files[name]
        if self._zip is not None:
            return self._zip.getinfo(where).file_size
        return (self.path / where).stat().st_size

    def load(self, name: str) -> Any:
        where = self._files.get(name, name)
        try:
            raw = self._zip.read(where) if self._zip is not None else (self.path / where).read_bytes()
            return json.loads(raw)
        except (OSError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise SlackUnreadable(f"{self.path}:{name} is not readable JSON ({exc})") from None


def team_of(users: list[Any], team: str | None) -> str:
    if team:
        return team
    for user in users:
        if isinstance(user, dict) and user.get("team_id"):
            return str(user["team_id"])
    raise SlackUnreadable(
        "The export does not say which Slack workspace it is from (no team_id in users.json); "
        "pass --team TEAM_ID."
    )


def display_name(user: dict[str, Any]) -> str | None:
    profile = user.get("profile") or {}
    return (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
            or user.get("name"))


def learn_users(book: PeopleBook, team: str, users: Iterable[Any], staff: Collection[str]) -> None:
    """Every name form of every member; workspace admins and owners count as staff, as they
    do for the live app's instructor commands."""
    for user in users:
        if not isinstance(user, dict) or not user.get("id"):
            continue
        profile = user.get("profile") or {}
        person = book.person(team, str(user["id"]))
        person.add(user.get("name"), user.get("real_name"), profile.get("real_name"),
                   profile.get("display_name"), profile.get("first_name"),
                   profile.get("real_name_normalized"), profile.get("display_name_normalized"),
                   display=display_name(user))
        if str(user["id"]) in staff or user.get("is_admin") or user.get("is_owner"):
            person.role = STAFF_ROLE


@dataclass(slots=True)
class Conversation:
    """One channel's messages as read, with the export's own edits and deletions folded in."""

    messages: dict[str, LoggedMessage] = field(default_factory=dict)
    threads: dict[str, ChannelInfo] = field(default_factory=dict)
    edits: list[tuple[str, str, str | None]] = field(default_factory=list)
    deletes: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Context:
    team: str
    names: dict[str, str | None]
    bots: set[str]
    staff: set[str]


def _files(raw: dict[str, Any]) -> tuple[Attachment, ...]:
    files = list(raw.get("files") or ())
    if isinstance(raw.get("file"), dict):  # exports before 2019: one `file`
        files.append(raw["file"])
    return tuple(Attachment(str(f.get("name") or f.get("title") or ""),
                            str(f.get("url_private") or f.get("permalink") or ""))
                 for f in files if isinstance(f, dict))


def entry(raw: dict[str, Any], channel_id: str, ctx: Context, conv: Conversation) -> bool:
    """Fold one exported entry into `conv`; False for what is not discussion."""
    subtype = raw.get("subtype")
    if subtype == "message_changed" and isinstance(raw.get("message"), dict):
        new = raw["message"]
        edited = (new.get("edited") or {}).get("ts") or raw.get("ts")
        conv.edits.append((f"{channel_id}:{new.get('ts')}", new.get("text") or "", ts_iso(edited)))
        return True
    if subtype == "message_deleted" and raw.get("deleted_ts"):
        conv.deletes.append((f"{channel_id}:{raw['deleted_ts']}", ts_iso(raw.get("ts"))))
        return True
    if subtype == "tombstone" and raw.get("ts"):
        conv.deletes.append((f"{channel_id}:{raw['ts']}", None))
        return True
    ts = raw.get("ts")
    created = ts_iso(ts)
    if subtype not in CONTENT_SUBTYPES or created is None or raw.get("hidden"):
        return False
    text = raw.get("text") or ""
    user = raw.get("user") or raw.get("bot_id") or ""
    if subtype == "file_comment" and isinstance(raw.get("comment"), dict):
        user = raw["comment"].get("user") or user
        text = raw["comment"].get("comment") or text
    user = str(user)
    thread_ts = raw.get("thread_ts")
    in_thread = bool(thread_ts) and thread_ts != ts
    root = f"{channel_id}:{thread_ts}"
    if in_thread and root not in conv.threads:
        conv.threads[root] = ChannelInfo(id=root, platform="slack", guild_id=ctx.team,
                                         parent_id=channel_id, kind="thread")
    profile = raw.get("user_profile") or {}
    msg = LoggedMessage(
        id=f"{channel_id}:{ts}",
        platform="slack",
        guild_id=ctx.team,
        channel_id=root if in_thread else channel_id,
        parent_id=channel_id if in_thread else None,
        author_id=user,
        author_name=ctx.names.get(user) or profile.get("display_name")
        or profile.get("real_name") or raw.get("username"),
        author_is_bot=subtype == "bot_message" or bool(raw.get("bot_id")) or user in ctx.bots,
        content=text,
        created_at=created,
        edited_at=ts_iso((raw.get("edited") or {}).get("ts")),
        reply_to=root if in_thread else None,
        attachments=_files(raw),
        reactions=sum(int(r.get("count") or 0) for r in raw.get("reactions") or ()
                      if isinstance(r, dict)),
        source="import",
        author_role=STAFF_ROLE if user in ctx.staff else None,
    )
    conv.messages[msg.id] = msg
    return True


def fold_changes(conv: Conversation) -> None:
    """Apply the export's own edits and deletions before storing, so a re-import finds every
    message already in its final state and changes nothing; only changes to messages outside
    this export (logged live earlier) are left for `store_edit`/`mark_deleted`."""
    outside = []
    for mid, text, at in conv.edits:
        msg = conv.messages.get(mid)
        if msg is None:
            outside.append((mid, text, at))
        elif (at or "") >= (msg.edited_at or msg.created_at):
            msg.content, msg.edited_at = text, at or msg.edited_at
    conv.edits = outside
    for mid, _at in conv.deletes:
        conv.messages.pop(mid, None)


def name_threads(conv: Conversation) -> None:
    """A Slack thread has no title: name it after the start of its root message (whose
    author owns it: an opted-out or forgotten one's is not stored)."""
    for tid, info in conv.threads.items():
        root = conv.messages.get(tid)
        text = " ".join((root.content or "").split()) if root is not None else ""
        info.name = (text[:77] + "…") if len(text) > 78 else (text or None)
        info.owner_id = root.author_id if root is not None else None


def conversations(source: SlackSource) -> Iterator[tuple[str, str, str | None]]:
    """(id, folder, created) of every conversation the export lists."""
    for list_name, by_id in CONVERSATION_LISTS:
        if not source.exists(list_name):
            continue
        listed = source.load(list_name)
        if not isinstance(listed, list):
            raise SlackUnreadable(f"{list_name} in the export is not a list of conversations.")
        for ch in listed:
            if not isinstance(ch, dict) or not ch.get("id"):
                continue
            folder = str(ch["id"]) if by_id else str(ch.get("name") or ch["id"])
            yield str(ch["id"]), folder, ts_iso(ch.get("created"))


def import_conversation(
    source: SlackSource, cid: str, folder: str, created: str | None, ctx: Context,
    writer: Writer, tracker: Tracker,
) -> Conversation:
    report = writer.report
    conv = Conversation()
    accepted = 0
    for day in source.days.get(folder, ()):
        report.files += 1
        tracker.label = day
        try:
            content = source.load(day)
        except SlackUnreadable as exc:
            report.bad_files += 1
            report.warnings.append(f"{exc}; skipped.")
            continue
        finally:
            tracker.tick(source.size(day))
        if not isinstance(content, list):
            report.bad_files += 1
            report.warnings.append(f"{source.path}:{day} is not a list of messages; skipped.")
            continue
        for raw in sorted((e for e in content if isinstance(e, dict)), key=_ts_key):
            notice = raw.get("subtype") in ("message_changed", "message_deleted", "tombstone")
            report.messages += 0 if notice else 1
            if not entry(raw, cid, ctx, conv):
                report.skipped += 1
            elif not notice:
                accepted += 1
    fold_changes(conv)
    name_threads(conv)
    # Read but not stored: deleted by the export's own notices, or listed twice.
    report.skipped += accepted - len(conv.messages)
    writer.channels([ChannelInfo(id=cid, platform="slack", guild_id=ctx.team,
                                 name=folder, created_at=created), *conv.threads.values()])
    batch = list(conv.messages.values())
    for start in range(0, len(batch), BATCH):
        writer.messages(batch[start:start + BATCH])
    return conv


def _ts_key(raw: dict[str, Any]) -> float:
    try:
        return float(raw.get("ts") or 0)
    except (TypeError, ValueError):
        return 0.0
