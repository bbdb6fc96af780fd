"""Repairing a damaged database without losing the discussion log.

The file holds two kinds of data. The readings index (readings, passages, their full-text
index, references) can always be rebuilt from the readings folder. The discussion log
(`migrations.LOG_TABLES`) exists nowhere else: a repair that starts a fresh file to rebuild
the index must carry the log over, and must never leave an empty log where one was.

`repair_if_damaged` checks the file (`PRAGMA quick_check`, or SQLite refusing to open it) and,
if it is damaged:
1. reads it where it lies: a file whose first page header was overwritten gets a sound header
   on a copy (the page size found by trying the possible ones), so SQLite can open it again;
2. makes a fresh file with the current schema and copies every log table into it row by row:
   forwards from the first row and backwards from the last, so rows on either side of a
   damaged page are saved; what cannot be read is reported, table by table;
3. keeps the damaged file (and its -wal and -shm) untouched beside the new one, as
   `NAME.damaged-TIMESTAMP`, and puts the new file in its place. The index tables are left
   empty for the caller to rebuild from the readings.
If not even the list of tables can be read from a file that is an SQLite database, nothing is
replaced: the error says so, and the file stays where it is for someone to try
`sqlite3 FILE .recover` on. A file that is not an SQLite database at all (no header SQLite
knows, none that makes it readable) held no log: it is kept aside and a fresh file started.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import struct
import time
from collections.abc import Iterator
from pathlib import Path

from bot.core.errors import DatabaseDamaged
from bot.core.models import RepairReport
from bot.core.storage import migrations
from bot.core.storage.database import Database, file_uri

log = logging.getLogger(__name__)

MAGIC = b"SQLite format 3\x00"
PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)
SIDE_FILES = ("", "-wal", "-shm")


def damage_of(path: Path) -> str | None:
    """What is wrong with the file, or None if SQLite finds it sound."""
    try:
        with contextlib.closing(_open(path)) as conn:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)[:300]


def repair_if_damaged(path: Path) -> RepairReport | None:
    if not path.is_file():
        return None
    damage = damage_of(path)
    if damage is None:
        return None
    log.warning("database %s is damaged (%s); saving its discussion log", path, damage)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    fresh = path.with_name(f"{path.name}.repairing-{stamp}")
    with _readable(path, stamp) as source:
        report = RepairReport(damage=damage, aside=str(aside), method="row by row")
        tables = _tables(source)
        if tables is None and _is_sqlite(path):
            raise DatabaseDamaged(
                "The database is too damaged to read even its list of tables, so it was left "
                f"as it is (nothing replaced); try `sqlite3 {path} .recover` on a copy, or move "
                "it away to start a new one.",
                path=str(path),
            )
        _new_file(fresh)
        with contextlib.closing(sqlite3.connect(fresh)) as target:
            for table in migrations.LOG_TABLES:
                if table in (tables or ()):
                    _copy(source, target, table, report)
            target.commit()
        if tables is None:
            report.method = "nothing to save: the file is not an SQLite database"
    for suffix in SIDE_FILES:
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.rename(f"{aside}{suffix}")
    fresh.rename(path)
    log.warning("database %s repaired: %s", path, report.summary())
    return report


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(file_uri(path, mode="ro"), uri=True)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


@contextlib.contextmanager
def _readable(path: Path, stamp: str) -> Iterator[sqlite3.Connection]:
    """A connection to the damaged file, or to a copy with its header made sound again."""
    try:
        conn = _open(path)
    except sqlite3.DatabaseError:
        conn = None
    if conn is not None:
        with contextlib.closing(conn):
            yield conn
        return
    copy = path.with_name(f"{path.name}.header-{stamp}")
    try:
        for suffix in ("", "-wal"):
            if Path(f"{path}{suffix}").exists():
                shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
        conn = _with_sound_header(copy, wal=Path(f"{copy}-wal").exists())
        with contextlib.closing(conn) if conn is not None else contextlib.nullcontext():
            yield conn  # type: ignore[misc]  # None: _tables() reports it unreadable
    finally:
        for suffix in SIDE_FILES:
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


def _with_sound_header(copy: Path, *, wal: bool) -> sqlite3.Connection | None:
    """Rewrite the 100-byte header of `copy` with each possible page size until SQLite can
    read its schema; None if none works (the damage goes beyond the header)."""
    size = copy.stat().st_size
    for page_size in PAGE_SIZES:
        if size % page_size:
            continue
        with copy.open("r+b") as fh:
            fh.write(_header(page_size, wal=wal))
        try:
            return _open(copy)
        except sqlite3.DatabaseError:
            continue
    return None


def _header(page_size: int, *, wal: bool) -> bytes:
    """A database header (https://sqlite.org/fileformat.html#the_database_header) that lets
    SQLite find the pages: the page size, UTF-8, the page count taken from the file size (a
    size field of 0 makes SQLite use the file's), an empty free list, schema format 4, and WAL
    mode when a -wal file holds the latest pages."""
    header = bytearray(100)
    header[0:16] = MAGIC
    header[16:18] = struct.pack(">H", 1 if page_size == 65536 else page_size)
    header[18] = header[19] = 2 if wal else 1
    header[21:24] = bytes((64, 32, 32))
    header[40:44] = struct.pack(">I", 1)  # schema cookie
    header[44:48] = struct.pack(">I", 4)  # schema format
    header[56:60] = struct.pack(">I", 1)  # UTF-8
    return bytes(header)


def _tables(conn: sqlite3.Connection | None) -> set[str] | None:
    if conn is None:
        return None
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return None


def _new_file(fresh: Path) -> None:
    db = Database(fresh)
    try:
        db.migrate()
    finally:
        db.close()


def _copy(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, report: RepairReport
) -> None:
    """Every readable row of `table` into the fresh file, in the columns both have."""
    wanted = {r[1] for r in target.execute(f'PRAGMA table_info("{table}")')}
    try:
        have = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
    except sqlite3.DatabaseError:
        report.incomplete.append(table)
        return
    columns = [c for c in have if c in wanted]
    rows, complete = _salvage(source, table, columns)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    target.executemany(f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({marks})', rows)
    report.saved[table] = len(rows)
    if not complete:
        report.incomplete.append(table)


MAX_PROBES = 500  # reads of one table's damaged stretches before what is left is given up


def _salvage(
    conn: sqlite3.Connection, table: str, columns: list[str]
) -> tuple[list[tuple[object, ...]], bool]:
    """The rows SQLite can still read, by rowid, and whether that is all of them. A stretch
    that fails is read forwards up to the damage and backwards down to it, and what lies
    between is split and tried again (the b-tree above a damaged leaf still finds the rows
    beyond it), so only the rows on damaged pages are lost."""
    names = ", ".join(f'"{c}"' for c in columns)
    found: dict[int, tuple[object, ...]] = {}
    complete = True
    stretches: list[tuple[int | None, int | None]] = [(None, None)]  # exclusive rowid bounds
    probes = 0
    while stretches and probes < MAX_PROBES:
        low, high = stretches.pop()
        probes += 1
        reached = _read(conn, table, names, low, high, found, descending=False)
        if reached is None:
            continue  # read to the end of the stretch
        complete = False
        back = _read(conn, table, names, reached, high, found, descending=True)
        if back is not None and back - reached > 2:  # unknown: reached < rowid < back
            middle = (reached + back) // 2
            stretches += [(middle, back), (reached + 1, middle + 1)]
    return [found[k] for k in sorted(found)], complete


def _read(
    conn: sqlite3.Connection,
    table: str,
    names: str,
    low: int | None,
    high: int | None,
    found: dict[int, tuple[object, ...]],
    *,
    descending: bool,
) -> int | None:
    """Rows with low < rowid < high into `found`, in one direction; None if it read them all,
    else the last rowid read before the damage (or the bound it started from)."""
    where = " AND ".join(
        clause for clause, bound in (("rowid > :low", low), ("rowid < :high", high))
        if bound is not None
    )
    query = (f'SELECT rowid, {names} FROM "{table}"' + (f" WHERE {where}" if where else "")
             + f" ORDER BY rowid {'DESC' if descending else 'ASC'}")
    last = high if descending else low
    try:
        for row in conn.execute(query, {"low": low, "high": high}):
            last = row[0]
            found.setdefault(row[0], tuple(row[1:]))
    except sqlite3.DatabaseError:
        if last is None:
            return 2**63 - 1 if descending else -(2**63)
        return last
    return None
