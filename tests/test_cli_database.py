"""Database errors on the command line: the conditions of the file exit 2 with a message naming
the file (whoever runs the CLI is the one to fix it); a SQL bug is a bug, not exit 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.storage import database, migrations
from tests.test_cli import run


@pytest.fixture
def indexed(tmp_path: Path, knowledge_dir: Path) -> list[str]:
    base = ["--readings", str(knowledge_dir), "--db", str(tmp_path / "cli.db")]
    assert main([*base, "index"]) == 0
    return base


def test_a_sql_bug_is_reported_as_a_bug_not_as_an_unusable_database(
    indexed: list[str], tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "cli.db") as conn:  # what a missing migration looks like
        conn.execute("ALTER TABLE readings DROP COLUMN format")
    proc = run([*indexed, "ask", "rivers"])
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" in proc.stderr and "no such column: format" in proc.stderr
    assert "seminar-bot: The database" not in proc.stderr


def test_a_locked_database_exits_2_and_names_the_file(
    indexed: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(tmp_path / "cli.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert main([*indexed, "index"]) == 2
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    assert "locked by another program" in err and str(tmp_path / "cli.db") in err
    assert "Traceback" not in err


def test_a_database_from_a_newer_bot_is_refused_and_never_set_aside(
    indexed: list[str], tmp_path: Path
) -> None:
    db = tmp_path / "cli.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    for args in (["ask", "rivers"], ["index", "--rebuild"]):  # --rebuild only replaces damage
        proc = run([*indexed, *args])
        assert proc.returncode == 2, proc.stderr
        assert "newer Seminar Bot" in proc.stderr and str(db) in proc.stderr
    assert db.is_file() and not list(tmp_path.glob("*damaged*"))
