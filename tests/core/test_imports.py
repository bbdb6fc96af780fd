"""Imports from DiscordChatExporter and Slack exports: shapes, ids, idempotence, merging."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from bot.core.log import discussion
from bot.core.log.imports import ExportUnreadable, import_discord_exports, import_slack_export
from bot.core.models import LoggedMessage
from bot.core.storage.database import Database
from tests.core.conftest import DISCORD_EXPORTS, SLACK_EXPORT


def snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    tables = ["messages", "message_edits", "channels", "channel_events", "optout_messages"]
    with db.read() as conn:
        return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in tables}


def rows(db: Database, sql: str, *args: object) -> list[sqlite3.Row]:
    with db.read() as conn:
        return conn.execute(sql, args).fetchall()


def test_discord_export_maps_ids_threads_and_skips_system_messages(db: Database) -> None:
    report = import_discord_exports(db, DISCORD_EXPORTS)
    assert report.files == 2
    assert report.skipped == 1  # the pin notice
    assert report.messages == 13 and report.stored == 13
    msgs = {r["id"]: r for r in rows(db, "SELECT * FROM messages")}
    assert set(msgs) == {"5001", "5002", "5003", "5004", "5005", "5006", "5008", "5009",
                         "6001", "6002", "6003", "6004", "6005"}
    assert msgs["5001"]["created_at"].startswith("2026-11-02T09:00:00")  # +01:00 made UTC
    assert msgs["5001"]["author_name"] == "Alice"  # nickname wins over the account name
    assert msgs["5001"]["reactions"] == 2
    assert msgs["5002"]["reply_to"] == "5001"
    assert msgs["5004"]["author_is_bot"] == 1
    assert msgs["5006"]["edited_at"].startswith("2026-11-04T15:02")
    assert json.loads(msgs["5006"]["attachments"])[0]["name"] == "notes.pdf"
    assert msgs["6001"]["channel_id"] == "5001" and msgs["6001"]["parent_id"] == "100"
    assert msgs["5001"]["source"] == "import" and msgs["5001"]["guild_id"] == "900"
    chans = {r["id"]: r for r in rows(db, "SELECT * FROM channels")}
    assert chans["100"]["kind"] == "channel" and chans["100"]["parent_id"] is None
    assert chans["5001"]["kind"] == "thread" and chans["5001"]["parent_id"] == "100"
    assert chans["5001"]["name"] == "Paradox of unilateralism"


def test_a_thread_exported_alone_names_its_channel(db: Database) -> None:
    import_discord_exports(db, DISCORD_EXPORTS[1:])
    chans = {r["id"]: r for r in rows(db, "SELECT * FROM channels")}
    assert chans["100"]["name"] == "seminar" and chans["100"]["kind"] == "channel"
    import_discord_exports(db, DISCORD_EXPORTS)  # the channel's own export agrees
    assert rows(db, "SELECT name FROM channels WHERE id = '100'")[0][0] == "seminar"


def test_discord_import_twice_changes_nothing(db: Database) -> None:
    import_discord_exports(db, DISCORD_EXPORTS)
    first = snapshot(db)
    again = import_discord_exports(db, DISCORD_EXPORTS)
    assert snapshot(db) == first
    assert again.channels == 0


def test_discord_import_merges_with_live_log_and_keeps_the_edit_history(db: Database) -> None:
    live = LoggedMessage(id="5006", platform="discord", guild_id="900", channel_id="100",
                         author_id="1002", author_name="Bob", content="Thanks all",
                         created_at="2026-11-04T15:00:00+00:00")
    db.run(lambda c: discussion.store_messages(c, [live]))
    import_discord_exports(db, DISCORD_EXPORTS)
    assert len(rows(db, "SELECT * FROM messages WHERE id = '5006'")) == 1
    assert rows(db, "SELECT content FROM messages WHERE id = '5006'")[0][0] == "Thanks all for the notes"
    assert [r[0] for r in rows(db, "SELECT content FROM message_edits")] == ["Thanks all"]


def test_discord_import_honours_opt_out(db: Database) -> None:
    db.run(lambda c: discussion.set_optout(c, "900", "1003", out=True))
    report = import_discord_exports(db, DISCORD_EXPORTS)
    assert report.stored == report.messages - 1
    assert rows(db, "SELECT * FROM messages WHERE author_id = '1003'") == []
    assert len(rows(db, "SELECT * FROM optout_messages")) == 1
    import_discord_exports(db, DISCORD_EXPORTS)
    assert len(rows(db, "SELECT * FROM optout_messages")) == 1


def test_discord_import_rejects_other_json(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(ExportUnreadable, match="not a DiscordChatExporter"):
        import_discord_exports(db, [bad])
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ExportUnreadable, match="not a readable JSON"):
        import_discord_exports(db, [broken])
    with pytest.raises(ExportUnreadable, match="No such file"):
        import_discord_exports(db, [tmp_path / "missing.json"])
    assert rows(db, "SELECT * FROM messages") == []


def test_slack_export_threads_edits_deletes_and_ids(db: Database) -> None:
    report = import_slack_export(db, SLACK_EXPORT)
    msgs = {r["id"]: r for r in rows(db, "SELECT * FROM messages")}
    root = "C01SEM:1793613600.000100"
    assert set(msgs) == {
        root, "C01SEM:1793613900.000200", "C01SEM:1793614200.000300",
        "C01SEM:1793620800.000400", "C01SEM:1793624400.000500",
    }  # the deleted message and the join notice are not there
    assert all(m["guild_id"] == "T01CLASS" and m["platform"] == "slack" for m in msgs.values())
    assert msgs[root]["channel_id"] == "C01SEM" and msgs[root]["parent_id"] is None
    reply = msgs["C01SEM:1793613900.000200"]
    assert reply["channel_id"] == root and reply["parent_id"] == "C01SEM"
    assert reply["reply_to"] == root and reply["author_name"] == "Bob Brown"
    assert msgs[root]["author_name"] == "alice"
    assert msgs["C01SEM:1793620800.000400"]["content"] == "Anyone want to meet before class on Friday?"
    assert msgs["C01SEM:1793620800.000400"]["edited_at"].startswith("2026-11-03T09:30")
    assert msgs["C01SEM:1793614200.000300"]["edited_at"].startswith("2026-11-02T10:11")
    assert msgs["C01SEM:1793624400.000500"]["author_is_bot"] == 1
    assert msgs[root]["created_at"].startswith("2026-11-02T10:00:00")
    thread = rows(db, "SELECT * FROM channels WHERE id = ?", root)[0]
    assert thread["kind"] == "thread" and thread["parent_id"] == "C01SEM"
    assert thread["name"] == "What does Aspinwall mean by the paradox?"
    assert report.skipped == 1


def test_slack_import_twice_changes_nothing_and_zip_is_the_same(db: Database, tmp_path: Path) -> None:
    import_slack_export(db, SLACK_EXPORT)
    first = snapshot(db)
    import_slack_export(db, SLACK_EXPORT)
    assert snapshot(db) == first
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in SLACK_EXPORT.rglob("*.json"):
            zf.write(f, f"Class Slack export/{f.relative_to(SLACK_EXPORT)}")
    import_slack_export(db, archive)
    assert snapshot(db) == first


def test_slack_import_applies_a_deletion_to_a_message_logged_live(db: Database) -> None:
    live = LoggedMessage(id="C01SEM:1793696400.000600", platform="slack", guild_id="T01CLASS",
                         channel_id="C01SEM", author_id="U01ALICE", content="oops wrong channel",
                         created_at="2026-11-03T09:00:00+00:00")
    db.run(lambda c: discussion.store_messages(c, [live]))
    report = import_slack_export(db, SLACK_EXPORT)
    row = rows(db, "SELECT deleted, content FROM messages WHERE id = ?", live.id)[0]
    assert row["deleted"] == 1 and row["content"] is None
    assert report.deleted == 1


def test_slack_export_without_team_needs_one(db: Database, tmp_path: Path) -> None:
    copy = tmp_path / "export"
    shutil.copytree(SLACK_EXPORT, copy)
    users = json.loads((copy / "users.json").read_text())
    for u in users:
        u.pop("team_id")
    (copy / "users.json").write_text(json.dumps(users))
    with pytest.raises(ExportUnreadable, match="--team"):
        import_slack_export(db, copy)
    import_slack_export(db, copy, team="T01CLASS")
    assert len(rows(db, "SELECT * FROM messages WHERE guild_id = 'T01CLASS'")) == 5


def test_slack_import_rejects_what_is_not_an_export(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ExportUnreadable, match=r"no channels\.json"):
        import_slack_export(db, tmp_path)
    not_zip = tmp_path / "x.zip"
    not_zip.write_text("hello")
    with pytest.raises(ExportUnreadable, match="neither a folder nor a zip"):
        import_slack_export(db, not_zip)
