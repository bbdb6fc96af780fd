"""Schema versions: a new file is born at the latest version, a file made before versions existed
is adopted in place with its data, each migration runs once, and no file is half-migrated."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.core.errors import DatabaseUnavailable
from bot.core.service import SeminarService
from bot.core.storage import migrations
from bot.core.storage.database import Database

# Made by the last unversioned code, commit 616450a (see make_main_616450a.py beside it).
OLD_DB = Path(__file__).resolve().parent.parent / "fixtures" / "db" / "main-616450a.db"


def read_only(path: Path) -> sqlite3.Connection:
    """Never creates or changes the file: the committed fixture must stay as the old code made it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def pragma_version(path: Path) -> int:
    conn = read_only(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def schema_of(path: Path) -> set[tuple[str, str, str]]:
    conn = read_only(path)
    try:
        return set(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        conn.close()


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    copy = tmp_path / "seminar.db"
    shutil.copyfile(OLD_DB, copy)
    return copy


def test_a_new_database_starts_at_the_latest_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "new.db")
    assert db.migrate() == migrations.latest_version() >= 1
    db.close()
    assert pragma_version(tmp_path / "new.db") == migrations.latest_version()


def test_the_fixture_is_what_the_unversioned_code_made() -> None:
    assert pragma_version(OLD_DB) == 0
    assert {"readings", "passages", "messages", "bot_queries", "settings"} <= {
        name for kind, name, _sql in schema_of(OLD_DB) if kind == "table"
    }


def test_a_database_made_by_the_unversioned_code_is_migrated_in_place(
    old_db: Path, tmp_path: Path, knowledge_dir: Path
) -> None:
    service = SeminarService(old_db, knowledge_dir)
    try:
        assert pragma_version(old_db) == migrations.latest_version()
        # The old index answers as it is, before any re-indexing.
        answer = service.scope("cli", None).ask("Can regimes work without trust?")
        assert answer.hits and answer.hits[0].reading.id == "regimes-without-trust"
        # The discussion log, its privacy state and the pseudonym secret survived.
        with service.db.read() as conn:
            messages = dict(conn.execute("SELECT id, content FROM messages"))
            assert messages == {
                "9001": "Is trust a precondition for a water treaty?",
                "9002": "Regimes can work without trust.",
                "9003": None,  # deleted before the migration: stays without its text
            }
            assert conn.execute("SELECT count(*) FROM message_edits").fetchone()[0] == 1
            assert conn.execute("SELECT count(*) FROM optout_messages").fetchone()[0] == 1
            feedback = conn.execute("SELECT feedback FROM bot_queries").fetchall()
            assert [tuple(r) for r in feedback] == [("helpful",)]
            secret = conn.execute("SELECT value FROM settings WHERE key = 'pseudonym_secret'")
            assert len(secret.fetchone()[0]) == 64
        assert service.is_opted_out("111", "504")
        # And it keeps working as a current database: indexing and logging write to it.
        service.ensure_all()
        assert service.scope("cli", None).ask("Can regimes work without trust?").hits
        service.serve_default(["111"])
        service.scope("discord", "111").record_query(kind="ask", query="q", results=[]).result()
    finally:
        service.close()
    # Adopted, it has exactly the schema of a new database.
    fresh = Database(tmp_path / "fresh.db")
    fresh.migrate()
    fresh.close()
    assert schema_of(old_db) == schema_of(tmp_path / "fresh.db")


def test_each_migration_runs_once(old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []

    def next_adds_a_column(conn: sqlite3.Connection) -> None:
        runs.append(migrations.schema_version(conn))
        conn.execute("ALTER TABLE messages ADD COLUMN mood TEXT NOT NULL DEFAULT 'calm'")

    shipped = migrations.latest_version()
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, next_adds_a_column))
    for _ in range(3):
        db = Database(old_db)
        assert db.migrate() == shipped + 1
        db.close()
    assert runs == [shipped]  # after the shipped ones were applied in the same transaction
    assert pragma_version(old_db) == shipped + 1
    with sqlite3.connect(old_db) as conn:
        assert conn.execute("SELECT count(*) FROM messages WHERE mood = 'calm'").fetchone()[0] == 3


def test_a_failing_migration_leaves_the_database_as_it_was(
    old_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def v2_breaks_halfway(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, v2_breaks_halfway))
    before = schema_of(old_db)
    db = Database(old_db)
    with pytest.raises(RuntimeError, match="migration bug"):
        db.migrate()
    db.close()
    assert pragma_version(old_db) == 0  # not even migration 1 stuck: one transaction
    assert schema_of(old_db) == before


def test_a_database_from_a_newer_bot_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    Database(path).migrate()
    newer = migrations.latest_version() + 1
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")
    db = Database(path)
    with pytest.raises(DatabaseUnavailable, match="newer Seminar Bot") as caught:
        db.migrate()
    db.close()
    assert str(tmp_path) not in str(caught.value) and caught.value.path == str(path)
    assert pragma_version(path) == newer


def test_another_programs_database_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "zotero.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT)")
    before = schema_of(path)
    db = Database(path)
    with pytest.raises(DatabaseUnavailable, match="another program"):
        db.migrate()
    db.close()
    assert schema_of(path) == before and pragma_version(path) == 0


def test_opening_a_current_database_takes_no_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    Database(path).migrate()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing: WAL still lets us read
    try:
        db = Database(path)
        assert db.migrate() == migrations.latest_version()
        db.close()
    finally:
        holder.rollback()
        holder.close()


def test_statements_splits_scripts_with_trigger_bodies() -> None:
    script = """
    CREATE TABLE a (x);
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
      INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);
    END;
    """
    assert [s.split()[1] for s in migrations.statements(script)] == ["TABLE", "TRIGGER"]
    with pytest.raises(ValueError, match="incomplete"):
        list(migrations.statements("CREATE TABLE b (x)"))


def test_printed_pages_migration_keeps_old_pages_and_adds_reading_metadata(old_db: Path) -> None:
    with sqlite3.connect(old_db) as conn:
        conn.execute("UPDATE passages SET page = 7 WHERE rowid = (SELECT min(rowid) FROM passages)")
        old_pages = dict(conn.execute("SELECT id, page FROM passages"))
    db = Database(old_db)
    db.migrate()
    db.close()
    conn = read_only(old_db)
    try:
        pages = {i: (p, pdf) for i, p, pdf in conn.execute("SELECT id, page, pdf_page FROM passages")}
        columns = {row[1]: row[2] for row in conn.execute("PRAGMA table_info(readings)")}
        passage_types = {row[1]: row[2] for row in conn.execute("PRAGMA table_info(passages)")}
        fts = conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH 'trust'").fetchone()
    finally:
        conn.close()
    # The old PDF index is kept as `pdf_page` and, until re-indexing, is the page to cite.
    assert {i: pdf for i, (_, pdf) in pages.items()} == old_pages
    assert {i: p for i, (p, _) in pages.items()} == {
        i: None if v is None else str(v) for i, v in old_pages.items()
    }
    assert passage_types["page"] == "TEXT" and passage_types["pdf_page"] == "INTEGER"
    assert {"container", "volume", "issue", "pages", "doi", "page_labels"} <= set(columns)
    assert fts[0] > 0  # full-text search still reads the renamed table's rows


def test_reference_fields_are_added_to_an_old_index(old_db: Path) -> None:
    """Version 6: entries indexed before it get empty new fields, so old rows still read."""
    db = Database(old_db)
    db.migrate()
    db.close()
    conn = read_only(old_db)
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(bib_entries)")}
        assert {"author_names", "volume", "issue", "doi", "editors"} <= columns
        names = {row[0] for row in conn.execute("SELECT author_names FROM bib_entries")}
        assert names <= {"[]"}
    finally:
        conn.close()
