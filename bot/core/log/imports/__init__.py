"""Imports of discussion the bot did not see live: DiscordChatExporter JSON and Slack exports.

Both stream what they read into the log in batches (bot.core.log.imports.writer) through the
store functions of bot.core.log.discussion, which merge by content time: a message already
logged (live, by a catch-up, or by another export) keeps whichever version was edited last,
so the order of files and sources does not matter and importing the same export twice changes
nothing. A file that cannot be read is reported (`ImportReport.warnings`) and the import goes
on with the others; only when nothing at all can be read is it an error (`ExportUnreadable`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from functools import partial
from pathlib import Path

import ijson

from bot.core.errors import SeminarError
from bot.core.log.discussion import mark_deleted, store_edit
from bot.core.log.imports import dce, slack_export
from bot.core.log.imports.sources import Progress, expand
from bot.core.log.imports.writer import Tracker, Writer, store_channel_if_missing
from bot.core.log.people import PeopleBook
from bot.core.models import ChannelInfo, ImportReport
from bot.core.storage.database import Database

__all__ = ["ExportUnreadable", "Progress", "import_discord_exports", "import_slack_export"]


class ExportUnreadable(SeminarError):
    """Nothing of an export can be read: not found, not JSON, or not the expected shape."""


def import_discord_exports(
    db: Database,
    paths: Iterable[str | Path],
    *,
    staff: Collection[str] = (),
    progress: Progress | None = None,
) -> ImportReport:
    """DiscordChatExporter JSON files, folders of them (searched recursively) or zips."""
    files, warnings = expand(paths)
    report = ImportReport(warnings=warnings, bad_files=len(warnings))
    writer = Writer(db, report)
    book = PeopleBook()
    tracker = Tracker(sum(f.size for f in files), progress)
    parents: dict[str, ChannelInfo] = {}
    staff = set(staff)
    good = 0
    for export in files:
        report.files += 1
        tracker.label = Path(export.label).name
        try:
            header = dce.import_file(export, writer, book, tracker, staff)
        except dce.NotAnExport as exc:
            report.bad_files += 1
            report.warnings.append(f"{exc} Skipped.")
            continue
        except (ijson.JSONError, OSError, UnicodeDecodeError, ValueError) as exc:
            report.bad_files += 1
            report.warnings.append(
                f"{export.label} is not readable JSON ({_reason(exc)}); what was read before "
                "the error is kept, the rest of the file is skipped."
            )
            continue
        except (TypeError, AttributeError, KeyError) as exc:  # a field of the wrong shape
            report.bad_files += 1
            report.warnings.append(
                f"{export.label} is not a well-formed DiscordChatExporter export "
                f"({type(exc).__name__}: {_reason(exc)}); what was read before the error is "
                "kept, the rest of the file is skipped."
            )
            continue
        good += 1
        info = header.info
        if info.parent_id and info.parent_id not in parents:
            # A thread exported without its channel: the channel's name is in the thread's file.
            parents[info.parent_id] = ChannelInfo(id=info.parent_id, platform="discord",
                                                  guild_id=info.guild_id, name=header.parent_name)
    writer.flush()
    for parent in parents.values():
        report.channels += db.run(partial(store_channel_if_missing, info=parent))
    writer.people(book)
    tracker.finish()
    if not good and report.warnings:
        more = len(report.warnings) - 3
        raise ExportUnreadable(" ".join(report.warnings[:3])
                               + (f" (and {more} more unreadable files)" if more > 0 else ""))
    return report


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def import_slack_export(
    db: Database,
    path: str | Path,
    *,
    team: str | None = None,
    staff: Collection[str] = (),
    progress: Progress | None = None,
) -> ImportReport:
    """A Slack workspace export, as its folder or its zip."""
    try:
        source = slack_export.SlackSource(Path(path))
        users = source.load("users.json") if source.exists("users.json") else []
        if not isinstance(users, list):
            raise slack_export.SlackUnreadable("users.json in the export is not a list of users.")
        team_id = slack_export.team_of(users, team)
        conversations = list(slack_export.conversations(source))
    except slack_export.SlackUnreadable as exc:
        raise ExportUnreadable(str(exc)) from None
    book = PeopleBook()
    slack_export.learn_users(book, team_id, users, set(staff))
    people = book.by_guild.get(team_id, {})
    ctx = slack_export.Context(
        team=team_id,
        names={uid: p.display for uid, p in people.items()},
        bots={str(u.get("id")) for u in users if isinstance(u, dict) and u.get("is_bot")},
        staff={uid for uid, p in people.items() if p.role},
    )
    report = ImportReport()
    writer = Writer(db, report)
    total = sum(source.size(day) for _cid, folder, _c in conversations
                for day in source.days.get(folder, ()))
    tracker = Tracker(total, progress)
    for cid, folder, created in conversations:
        conv = slack_export.import_conversation(source, cid, folder, created, ctx, writer, tracker)
        if conv.edits or conv.deletes:
            writer.flush()
            report.edits += db.run(partial(_apply_edits, edits=conv.edits))
            report.deleted += db.run(partial(_apply_deletes, deletes=conv.deletes))
    writer.flush()
    writer.people(book)
    tracker.finish()
    return report


def _apply_edits(conn: sqlite3.Connection, edits: list[tuple[str, str, str | None]]) -> int:
    return sum(int(store_edit(conn, mid, content=text, edited_at=at)) for mid, text, at in edits)


def _apply_deletes(conn: sqlite3.Connection, deletes: list[tuple[str, str | None]]) -> int:
    return sum(mark_deleted(conn, [mid], at) for mid, at in deletes)
