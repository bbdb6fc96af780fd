"""Retention (purge older than N days, the daily job) and forgetting one person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.digest.compute import build_digest
from bot.core.log import discussion
from bot.core.log.imports import import_discord_exports, import_slack_export
from bot.core.log.retention import BadAge, apply_retention, forget, parse_age, purge
from bot.core.models import DigestOptions
from bot.core.storage.database import Database
from tests.core.conftest import DISCORD_EXPORTS, SLACK_EXPORT

NOW = datetime(2026, 11, 6, 0, 0, tzinfo=UTC)


def count(db: Database, sql: str, *args: object) -> int:
    with db.read() as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def test_parse_age() -> None:
    assert parse_age("180d") == 180
    assert parse_age("180") == 180
    assert parse_age("2w") == 14
    assert parse_age("1y") == 365
    for bad in ("", "soon", "0d", "-3d"):
        with pytest.raises(BadAge):
            parse_age(bad)


def test_purge_drops_old_messages_their_edits_and_queries(db: Database) -> None:
    import_discord_exports(db, DISCORD_EXPORTS)
    db.run(lambda c: discussion.store_edit(c, "5001", content="changed", edited_at=None))
    db.run(lambda c: discussion.store_edit(c, "5009", content="changed too", edited_at=None))
    # Messages before 2026-11-03 00:00 (3 days before NOW): 5001-5004 and 6001-6005.
    report = purge(db, 3, now=NOW)
    assert report.messages == 9
    assert report.cutoff == "2026-11-03T00:00:00+00:00"
    assert count(db, "SELECT count(*) FROM messages") == 4
    assert count(db, "SELECT count(*) FROM message_edits") == 1  # only 5009's survives
    assert build_digest(db, DigestOptions()).totals["messages"] == 4
    assert purge(db, 3, now=NOW).messages == 0


def test_retention_off_keeps_everything(db: Database) -> None:
    import_discord_exports(db, DISCORD_EXPORTS)
    assert apply_retention(db, None, now=NOW) is None
    assert count(db, "SELECT count(*) FROM messages") == 13
    report = apply_retention(db, 1, now=NOW)
    assert report is not None and report.messages == 11  # all but 5008 and 5009 (11-05)


def test_forget_removes_one_person_everywhere(db: Database) -> None:
    import_discord_exports(db, DISCORD_EXPORTS)
    import_slack_export(db, SLACK_EXPORT)
    db.run(lambda c: discussion.store_edit(c, "5001", content="edited", edited_at=None))
    db.run(lambda c: discussion.record_query(c, guild_id="900", kind="ask", query="my question",
                                             results=[], user_id="1001"))
    assert forget(db, "<@1001>") == 4
    assert count(db, "SELECT count(*) FROM messages WHERE author_id = '1001'") == 0
    assert count(db, "SELECT count(*) FROM message_edits") == 0
    assert count(db, "SELECT count(*) FROM bot_queries") == 0
    assert count(db, "SELECT count(*) FROM messages WHERE author_id = 'U01ALICE'") == 2
    d = build_digest(db, DigestOptions(guild_id="900"))
    assert [p.name for p in d.participants] == ["Bob", "carol"]
    assert forget(db, "1001") == 0
