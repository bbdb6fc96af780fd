"""Tombstones hold against every store path (imports included) and carry no content; hostile
text never crashes a write; the importer rejects malformed files by name."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.console import Console
from bot.core.log import discussion
from bot.core.log.imports import ExportUnreadable, import_discord_exports, import_slack_export
from bot.core.log.retention import forget, purge
from bot.core.models import ChannelInfo, LoggedMessage
from bot.core.service import SeminarService
from bot.core.storage.database import Database
from tests.core.conftest import DISCORD_EXPORTS, SLACK_EXPORT


def count(db: Database, sql: str, *args: object) -> int:
    with db.read() as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def message(mid: str, author: str, created_at: str, content: str = "hello") -> LoggedMessage:
    return LoggedMessage(id=mid, platform="discord", guild_id="900", channel_id="100",
                         author_id=author, created_at=created_at, content=content)


def test_reimporting_an_export_never_brings_back_what_was_forgotten(db: Database) -> None:
    first = import_discord_exports(db, DISCORD_EXPORTS)
    import_slack_export(db, SLACK_EXPORT)
    alice = count(db, "SELECT count(*) FROM messages WHERE author_id = '1001'")
    assert alice and forget(db, "1001") == alice
    assert forget(db, "U01ALICE") > 0
    again = import_discord_exports(db, DISCORD_EXPORTS)
    import_slack_export(db, SLACK_EXPORT)
    assert count(db, "SELECT count(*) FROM messages WHERE author_id IN ('1001', 'U01ALICE')") == 0
    assert again.new == 0 and again.skipped == first.skipped + alice
    assert count(db, "SELECT count(*) FROM messages WHERE author_id = '1002'") > 0


def test_reimporting_after_a_purge_or_a_deletion_brings_nothing_back(db: Database) -> None:
    import_discord_exports(db, DISCORD_EXPORTS)
    from datetime import UTC, datetime

    purged = purge(db, 3, now=datetime(2026, 11, 6, tzinfo=UTC)).messages
    db.run(lambda c: discussion.mark_deleted(c, ["5009"]))
    remaining = count(db, "SELECT count(*) FROM messages")
    import_discord_exports(db, DISCORD_EXPORTS)
    assert purged and count(db, "SELECT count(*) FROM messages") == remaining
    assert count(db, "SELECT count(*) FROM messages WHERE content IS NOT NULL AND id = '5009'") == 0


def test_a_deletion_seen_before_the_message_holds_when_it_arrives(db: Database) -> None:
    """A delete event (or a catch-up's absence) for a message never logged: the create that
    arrives later, redelivered or imported, is not stored."""
    db.run(lambda c: discussion.mark_deleted(c, ["7001"]))
    stored = db.run(lambda c: discussion.store_messages(
        c, [message("7001", "1001", "2026-11-02T10:00:00+00:00")]))
    assert stored == 0 and count(db, "SELECT count(*) FROM messages") == 0


def test_opting_back_in_never_stores_what_was_written_while_out(db: Database) -> None:
    db.run(lambda c: discussion.set_optout(c, "900", "1001", out=True))
    db.run(lambda c: c.execute("UPDATE optouts SET at = '2026-11-02T00:00:00+00:00'"))
    db.run(lambda c: discussion.set_optout(c, "900", "1001", out=False))
    during = message("7002", "1001", "2026-11-03T10:00:00+00:00")
    before = message("7003", "1001", "2026-11-01T10:00:00+00:00")
    assert db.run(lambda c: discussion.store_messages(c, [during, before])) == 1
    with db.read() as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM messages")] == ["7003"]


def test_tombstones_hold_no_content(db: Database) -> None:
    secret = "the-text-that-was-removed"
    import_discord_exports(db, DISCORD_EXPORTS)
    db.run(lambda c: discussion.store_messages(c, [message("7004", "1001",
                                                           "2026-11-05T10:00:00+00:00", secret)]))
    db.run(lambda c: discussion.mark_deleted(c, ["5001", "nonexistent"]))
    forget(db, "1001")
    with db.read() as conn:
        rows = [tuple(r) for r in conn.execute("SELECT * FROM tombstones")]
    assert {r[1] for r in rows} == {"deleted", "forget"}
    flat = " ".join(str(v) for r in rows for v in r)
    for leaked in (secret, "1001", "5001", "Alice", "alice"):
        assert leaked not in flat  # ids are hashed, text is never there


def test_lone_surrogates_are_replaced_before_storage(db: Database) -> None:
    broken = message("7005", "1001", "2026-11-05T10:00:00+00:00", "half \ud83d of an emoji")
    broken.author_name = "name \udc80"
    db.run(lambda c: discussion.store_messages(c, [broken]))
    db.run(lambda c: discussion.store_edit(c, "7005", content="edit \udfff", edited_at=None))
    db.run(lambda c: discussion.store_channel(c, ChannelInfo("100", "discord", "900",
                                                             name="chan \ud800")))
    db.run(lambda c: discussion.record_query(c, guild_id="900", kind="ask",
                                             query="why \ud800?", results=[]))
    with db.read() as conn:
        stored = conn.execute("SELECT content, author_name FROM messages").fetchone()
        assert tuple(stored) == ("edit \ufffd", "name \ufffd")
        assert conn.execute("SELECT content FROM message_edits").fetchone()[0] == (
            "half \ufffd of an emoji")
        assert conn.execute("SELECT name FROM channels").fetchone()[0] == "chan \ufffd"
        assert conn.execute("SELECT query FROM bot_queries").fetchone()[0] == "why \ufffd?"


def test_the_console_say_takes_a_lone_surrogate(tmp_path: Path, knowledge_dir: Path) -> None:
    service = SeminarService(tmp_path / "console.db", knowledge_dir)
    try:
        out = io.StringIO()
        Console(service, author="ana").run(io.StringIO("/say week-1 broken \udc9c bytes\n"), out)
        out.getvalue().encode("utf-8")  # printable
        assert "[week-1] ana: broken \ufffd bytes" in out.getvalue()
    finally:
        service.close()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["messages"][0].update(timestamp=12345), "AttributeError"),
        (lambda d: d["messages"][0].update(reactions=[{"count": "many"}]), "many"),
    ],
)
def test_a_malformed_discord_export_is_rejected_with_its_name_and_why(
    db: Database, tmp_path: Path, change, reason: str
) -> None:
    data = json.loads(DISCORD_EXPORTS[0].read_text(encoding="utf-8"))
    change(data)
    bad = tmp_path / "hostile.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ExportUnreadable, match=reason) as caught:  # nothing else to import
        import_discord_exports(db, [bad])
    assert str(bad) in str(caught.value)
    assert count(db, "SELECT count(*) FROM messages") == 0
    # Beside a good file: the good one is imported, the bad one named with the reason.
    report = import_discord_exports(db, [bad, DISCORD_EXPORTS[1]])
    assert report.bad_files == 1 and str(bad) in report.warnings[0]
    assert reason in report.warnings[0] and report.new > 0


def test_odd_but_harmless_discord_fields_are_read_without_a_crash(
    db: Database, tmp_path: Path
) -> None:
    data = json.loads(DISCORD_EXPORTS[0].read_text(encoding="utf-8"))
    data["messages"][0]["reference"] = "5000"
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(data), encoding="utf-8")
    assert import_discord_exports(db, [odd]).bad_files == 0


def test_a_malformed_slack_export_entry_is_skipped_not_a_crash(
    db: Database, tmp_path: Path
) -> None:
    copy = tmp_path / "export"
    shutil.copytree(SLACK_EXPORT, copy)
    day = next((copy / "seminar").glob("*.json"))
    entries = json.loads(day.read_text(encoding="utf-8"))
    entries[0]["ts"] = "not a time"
    entries[1]["reactions"] = "lots"
    day.write_text(json.dumps(entries), encoding="utf-8")
    report = import_slack_export(db, copy)
    assert report.skipped >= 1 and report.new > 0


def test_a_forget_run_by_another_process_holds_in_the_running_bot(
    db: Database, tmp_path: Path
) -> None:
    """The running bot keeps what it read of the tombstones: a CLI `forget` on the same file
    (another connection) must be seen before its next write."""
    early = "2026-11-02T10:00:00+00:00"
    db.run(lambda c: discussion.store_messages(c, [message("7101", "1001", early)]))  # warmed
    cli = Database(db.path)
    try:
        forget(cli, "1001")
    finally:
        cli.close()
    stored = db.run(lambda c: discussion.store_messages(c, [message("7102", "1001", early)]))
    assert stored == 0 and count(db, "SELECT count(*) FROM messages") == 0
