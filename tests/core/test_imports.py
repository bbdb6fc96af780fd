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
from tests.core.conftest import DISCORD_EXPORTS, SLACK_EXPORT, make_db


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
    assert report.messages == 14 and report.new == 13  # every entry read is counted once
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
    assert report.new == 12 and report.skipped == 2  # the pin notice, carol's message
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
    with pytest.raises(ExportUnreadable, match="not readable JSON"):
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
    assert report.skipped == 2 and report.messages == 7  # the join, the message deleted in the export


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


# -- streaming sources, bad files, true counts, merging by content time -----------------------


def dce(messages: list[dict[str, object]], *, channel: str = "100", name: str = "seminar",
        thread_of: str | None = None) -> dict[str, object]:
    chan: dict[str, object] = {"id": channel, "type": "GuildTextChat", "name": name}
    if thread_of:
        chan.update(type="GuildPublicThread", categoryId=thread_of, category="seminar")
    return {"guild": {"id": "900", "name": "POLS"}, "channel": chan, "messages": messages}


def dce_msg(mid: str, text: str, *, at: str = "2026-11-02T10:00:00+00:00",
            edited: str | None = None, author: str = "1001", nick: str = "Alice",
            mentions: list[dict[str, object]] | None = None) -> dict[str, object]:
    return {"id": mid, "type": "Default", "timestamp": at, "timestampEdited": edited,
            "content": text, "author": {"id": author, "name": nick.lower(), "nickname": nick},
            "mentions": mentions or []}


def write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_folders_are_searched_recursively_and_zips_are_read(db: Database, tmp_path: Path) -> None:
    server = tmp_path / "server"
    write_json(server / "a" / "seminar.json", dce([dce_msg("1", "hello class")]))
    write_json(server / "b" / "c" / "thread.json",
               dce([dce_msg("2", "in the thread")], channel="300", name="t", thread_of="100"))
    report = import_discord_exports(db, [server])
    assert (report.files, report.new) == (2, 2)
    archive = tmp_path / "server.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in server.rglob("*.json"):
            zf.write(f, f"export/{f.relative_to(server)}")
        zf.writestr("export/more.json", json.dumps(dce([dce_msg("3", "from the zip")])))
    again = import_discord_exports(db, [archive])
    assert (again.files, again.new, again.unchanged) == (3, 1, 2)


def test_a_bad_file_is_named_and_the_others_are_imported(db: Database, tmp_path: Path) -> None:
    good = write_json(tmp_path / "good.json", dce([dce_msg(str(i), f"message {i}")
                                                    for i in range(1, 6)]))
    text = json.dumps(dce([dce_msg(str(i), f"message {i}") for i in range(10, 20)]))
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    other = write_json(tmp_path / "other.json", {"hello": 1})
    report = import_discord_exports(db, [truncated, good, other, tmp_path / "missing.json"])
    assert report.bad_files == 3 and len(report.warnings) == 3
    assert any("truncated.json is not readable JSON" in w for w in report.warnings)
    assert any("other.json is not a DiscordChatExporter" in w for w in report.warnings)
    assert any("missing.json" in w for w in report.warnings)
    stored = {r[0] for r in rows(db, "SELECT id FROM messages")}
    assert {"1", "2", "3", "4", "5"} <= stored  # the good file, whole
    assert report.new == len(stored)  # and the part of the truncated one read before the cut
    assert report.messages == report.new + report.updated + report.unchanged + report.skipped


def test_the_latest_edit_wins_whatever_the_order(db: Database, tmp_path: Path) -> None:
    old = write_json(tmp_path / "old.json", dce([dce_msg("1", "first draft")]))
    new = write_json(tmp_path / "new.json", dce([dce_msg(
        "1", "final text", edited="2026-11-02T11:00:00+00:00")]))
    import_discord_exports(db, [new])
    report = import_discord_exports(db, [old])  # the older export last
    assert report.unchanged == 1 and report.updated == 0
    assert rows(db, "SELECT content FROM messages")[0][0] == "final text"
    history = [tuple(r) for r in rows(db, "SELECT content, replaced_at FROM message_edits")]
    assert history == [("first draft", "2026-11-02T11:00:00+00:00")]

    other = make_db(tmp_path / "other.db")
    try:
        forward = import_discord_exports(other, [old, new])
        assert (forward.new, forward.updated) == (1, 1)
        with other.read() as conn:
            assert [tuple(r) for r in conn.execute(
                "SELECT content, replaced_at FROM message_edits")] == history
            assert conn.execute("SELECT content FROM messages").fetchone()[0] == "final text"
        before = snapshot(other)
        again = import_discord_exports(other, [new, old])
        assert snapshot(other) == before and again.unchanged == 2
    finally:
        other.close()


def test_an_old_export_does_not_revert_what_was_logged_live(db: Database, tmp_path: Path) -> None:
    live = LoggedMessage(id="1", platform="discord", guild_id="900", channel_id="100",
                         author_id="1001", author_name="Alice", content="edited live",
                         created_at="2026-11-02T10:00:00+00:00",
                         edited_at="2026-11-03T08:00:00+00:00")
    db.run(lambda c: discussion.store_messages(c, [live]))
    old = write_json(tmp_path / "old.json", dce([dce_msg("1", "as first written")]))
    import_discord_exports(db, [old])
    assert rows(db, "SELECT content FROM messages")[0][0] == "edited live"
    # and a late live edit event older than what is logged does not revert it either
    db.run(lambda c: discussion.store_edit(c, "1", content="stale",
                                           edited_at="2026-11-02T12:00:00+00:00"))
    assert rows(db, "SELECT content FROM messages")[0][0] == "edited live"


def test_reimporting_a_file_with_a_message_listed_twice_adds_no_history(
    db: Database, tmp_path: Path
) -> None:
    twice = write_json(tmp_path / "twice.json", dce([
        dce_msg("1", "same", edited="2026-11-02T10:05:00+00:00"),
        dce_msg("1", "same", edited="2026-11-02T10:05:00+00:00"),
        dce_msg("2", "other"),
    ]))
    first = import_discord_exports(db, [twice])
    assert (first.messages, first.new, first.unchanged) == (3, 2, 1)
    before = snapshot(db)
    for _ in range(2):
        import_discord_exports(db, [twice])
    assert snapshot(db) == before and before["message_edits"] == []


def test_people_and_staff_are_learned_from_the_export(db: Database, tmp_path: Path) -> None:
    export = write_json(tmp_path / "x.json", dce([
        dce_msg("1", "Welcome @Sam Tutor, our TA", author="7", nick="Prof Reed", mentions=[
            {"id": "8", "name": "samt", "nickname": "Sam Tutor"}]),
        dce_msg("2", "hi", author="1001"),
    ]))
    import_discord_exports(db, [export], staff=["7"])
    people = {r["user_id"]: r for r in rows(db, "SELECT * FROM people")}
    assert json.loads(people["8"]["names"]) == ["Sam Tutor", "samt"]
    assert people["7"]["role"] == "staff" and people["1001"]["role"] is None
    roles = dict(tuple(r) for r in rows(db, "SELECT id, author_role FROM messages"))
    assert roles == {"1": "staff", "2": None}


def test_slack_lists_once_reads_only_day_files_and_old_formats(db: Database, tmp_path: Path) -> None:
    export = tmp_path / "slack"
    shutil.copytree(SLACK_EXPORT, export)
    write_json(export / "seminar" / "canvas_in_the_conversation.json", {"not": "a day"})
    write_json(export / "seminar" / "2016-01-15.json", [
        {"type": "message", "subtype": "file_share", "user": "U01ALICE", "ts": "1452816000.000100",
         "text": "uploaded a file", "file": {"name": "old.pdf", "url_private": "https://x.invalid/o"}},
        {"type": "message", "subtype": "file_comment", "ts": "1452816060.000200",
         "text": "<@U01BOB> commented on old.pdf: page 3 is key",
         "comment": {"user": "U01BOB", "comment": "page 3 is key"}},
    ])
    calls = 0
    real = zipfile.ZipFile.namelist

    def counting(self: zipfile.ZipFile) -> list[str]:
        nonlocal calls
        calls += 1
        return real(self)

    archive = tmp_path / "slack.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in export.rglob("*.json"):
            zf.write(f, f.relative_to(export))
    zipfile.ZipFile.namelist = counting  # type: ignore[method-assign]
    try:
        report = import_slack_export(db, archive)
    finally:
        zipfile.ZipFile.namelist = real  # type: ignore[method-assign]
    assert calls == 1
    assert report.bad_files == 0 and report.files == 3
    msgs = {r["id"]: r for r in rows(db, "SELECT * FROM messages")}
    assert json.loads(msgs["C01SEM:1452816000.000100"]["attachments"])[0]["name"] == "old.pdf"
    comment = msgs["C01SEM:1452816060.000200"]
    assert (comment["author_id"], comment["content"]) == ("U01BOB", "page 3 is key")


def test_forget_removes_the_names_an_import_learned(db: Database, tmp_path: Path) -> None:
    from bot.core.log.retention import forget

    import_slack_export(db, SLACK_EXPORT)
    assert rows(db, "SELECT * FROM people WHERE user_id = 'U01BOB'")
    forget(db, "U01BOB")
    assert rows(db, "SELECT * FROM people WHERE user_id = 'U01BOB'") == []


def test_the_same_version_again_keeps_the_most_reactions(db: Database, tmp_path: Path) -> None:
    def export(count: int, name: str) -> Path:
        m = dce_msg("1", "same text")
        m["reactions"] = [{"count": count}]
        return write_json(tmp_path / name, dce([m]))

    import_discord_exports(db, [export(1, "early.json"), export(4, "late.json")])
    report = import_discord_exports(db, [export(1, "early.json")])
    assert report.unchanged == 1
    assert rows(db, "SELECT reactions FROM messages")[0][0] == 4


def test_an_export_with_fractions_of_a_second_meets_the_live_log_as_the_same_version(
    db: Database, tmp_path: Path
) -> None:
    """DiscordChatExporter writes milliseconds, the live log stores times to the second (as
    Discord's gateway events are read): the same message and edit must compare as the same
    moment, or the copy in the export counts as newer and the import is not idempotent."""
    live = LoggedMessage(id="1", platform="discord", guild_id="900", channel_id="100",
                         author_id="1001", author_name="Alice", content="final words",
                         created_at="2026-11-02T10:00:00+00:00",
                         edited_at="2026-11-02T10:05:00+00:00")
    db.run(lambda c: discussion.store_messages(c, [live]))
    export = write_json(tmp_path / "x.json", dce([
        dce_msg("1", "final words", at="2026-11-02T10:00:00.250+00:00",
                edited="2026-11-02T10:05:00.750+00:00")]))
    report = import_discord_exports(db, [export])
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    [row] = rows(db, "SELECT created_at, edited_at FROM messages")
    assert tuple(row) == ("2026-11-02T10:00:00+00:00", "2026-11-02T10:05:00+00:00")
    assert rows(db, "SELECT * FROM message_edits") == []
