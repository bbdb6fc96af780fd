"""A fresh database file per test, with the discussion-log schema and the two fixture exports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import discussion, pseudonyms
from bot.core.database import Database, connect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DISCORD_EXPORTS = [FIXTURES / "discord" / "seminar.json", FIXTURES / "discord" / "seminar-thread.json"]
SLACK_EXPORT = FIXTURES / "slack_export"


def make_db(path: Path) -> Database:
    # The schema is made on a plain connection: `executescript` commits, which the writer
    # thread's per-operation savepoints do not allow.
    conn = connect(path)
    discussion.create_schema(conn)
    pseudonyms.create_schema(conn)
    conn.commit()
    conn.close()
    return Database(path)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = make_db(tmp_path / "seminar.db")
    yield database
    database.close()
