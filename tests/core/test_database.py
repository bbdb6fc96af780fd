"""The single writer: batches commit together, one failing operation does not sink the others,
and async callers never block the loop. Conditions of the file (locked, damaged, full, cannot
be opened) are `DatabaseUnavailable` without the path; SQL bugs pass through unchanged."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.core.errors import DatabaseBusy, DatabaseDamaged, DatabaseUnavailable
from bot.core.storage import database
from bot.core.storage.database import Database


def make_table(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)")


def test_burst_of_writes_loses_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "w.db")
    db.setup(make_table)
    futures = [db.write(lambda c, n=n: c.execute("INSERT INTO t VALUES (?)", (n,))) for n in range(5000)]
    for fut in futures:
        fut.result()
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 5000
    db.close()


def test_a_failing_operation_does_not_sink_its_batch(tmp_path: Path) -> None:
    db = Database(tmp_path / "w.db")
    db.setup(make_table)
    ok1 = db.write(lambda c: c.execute("INSERT INTO t VALUES (1)"))
    bad = db.write(lambda c: c.execute("INSERT INTO t VALUES (1)"))  # duplicate key
    ok2 = db.write(lambda c: c.execute("INSERT INTO t VALUES (2)"))
    ok1.result()
    ok2.result()
    with pytest.raises(sqlite3.IntegrityError):  # a bug in the caller, passed on unchanged
        bad.result()
    with db.read() as conn:
        assert [r[0] for r in conn.execute("SELECT n FROM t ORDER BY n")] == [1, 2]
    db.close()


async def test_writes_awaited_from_the_event_loop(tmp_path: Path) -> None:
    db = Database(tmp_path / "w.db")
    await asyncio.to_thread(db.setup, make_table)
    results = await asyncio.gather(
        *(asyncio.wrap_future(db.write(lambda c, n=n: c.execute("INSERT INTO t VALUES (?)", (n,)).rowcount))
          for n in range(200))
    )
    assert sum(results) == 200
    db.close()


def test_unusable_file_fails_every_request_promptly(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"not a database" * 200)
    db = Database(path)
    for _ in range(3):
        with pytest.raises(DatabaseDamaged, match="damaged") as caught:
            db.run(make_table)
        assert str(tmp_path) not in str(caught.value) and caught.value.path == str(path)
    db.close()


def test_sql_bugs_pass_through_unchanged(tmp_path: Path) -> None:
    db = Database(tmp_path / "w.db")
    db.setup(make_table)
    with pytest.raises(sqlite3.OperationalError, match="no such column"), db.read() as conn:
        conn.execute("SELECT nope FROM t")
    with pytest.raises(sqlite3.OperationalError, match="no column named"):
        db.run(lambda c: c.execute("INSERT INTO t (nope) VALUES (1)"))
    db.run(lambda c: c.execute("INSERT INTO t VALUES (1)"))  # the writer carries on
    db.close()


def test_a_locked_database_is_busy_and_names_its_file_only_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "w.db"
    Database(path).setup(make_table)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    db = Database(path)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with (
            caplog.at_level(logging.WARNING, logger="bot.core.storage"),
            pytest.raises(DatabaseBusy, match="locked by another program") as caught,
        ):
            db.run(lambda c: c.execute("INSERT INTO t VALUES (1)"))
        assert str(tmp_path) not in str(caught.value) and caught.value.path == str(path)
        assert any(str(path) in r.getMessage() for r in caplog.records)
    finally:
        holder.rollback()
        holder.close()
    db.run(lambda c: c.execute("INSERT INTO t VALUES (1)"))  # free again: the write goes in
    db.close()


def test_a_full_disk_fails_the_whole_batch_it_undid(tmp_path: Path) -> None:
    db = Database(tmp_path / "w.db")
    db.setup(lambda c: c.execute("CREATE TABLE b (data BLOB)"))
    db.setup(lambda c: c.execute("PRAGMA max_page_count = 8"))  # a disk with 32 KB to spare
    started, gate = threading.Event(), threading.Event()
    db.write(lambda c: (started.set(), gate.wait()))  # hold the writer so the next two batch
    started.wait()
    small = db.write(lambda c: c.execute("INSERT INTO b VALUES (zeroblob(10))"))
    big = db.write(lambda c: c.execute("INSERT INTO b VALUES (zeroblob(100000))"))
    gate.set()
    # SQLite rolls the whole transaction back on a full disk: the small write is undone too.
    for undone in (small, big):
        with pytest.raises(DatabaseUnavailable, match="full"):
            undone.result()
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM b").fetchone()[0] == 0
    db.run(lambda c: c.execute("INSERT INTO b VALUES (zeroblob(10))"))  # room for this one
    db.close()


def test_a_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    db = Database(tmp_path / "no-such-folder" / "w.db")
    with pytest.raises(DatabaseUnavailable, match="cannot be opened") as caught:
        db.run(make_table)
    assert "no-such-folder" not in str(caught.value)
    db.close()
