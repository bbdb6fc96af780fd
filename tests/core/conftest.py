"""A fresh database file per test, with the discussion-log schema and the two fixture exports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.storage.database import Database

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DISCORD_EXPORTS = [FIXTURES / "discord" / "seminar.json", FIXTURES / "discord" / "seminar-thread.json"]
SLACK_EXPORT = FIXTURES / "slack_export"


def make_db(path: Path) -> Database:
    database = Database(path)
    database.migrate()
    return database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = make_db(tmp_path / "seminar.db")
    yield database
    database.close()
