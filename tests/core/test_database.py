"""The single writer: batches commit together, one failing operation does not sink the others,
and async callers never block the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.core.errors import DatabaseUnavailable
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
    with pytest.raises(DatabaseUnavailable):
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
        with pytest.raises(DatabaseUnavailable, match="damaged"):
            db.run(make_table)
    db.close()
