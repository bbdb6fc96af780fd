"""The one SQLite file, and the one thread that writes to it.

Every write (index builds, logged messages, feedback) goes through `Database.write`, which runs
it on a single writer thread that owns the only writing connection. Bursts of events queue up
instead of fighting over SQLite's lock, and the asyncio loop never waits on disk: adapters await
the returned future (`asyncio.wrap_future`). Reads use their own short-lived connections; WAL
lets them run beside the writer.

Errors: SQLite conditions outside the code that whoever runs the bot can act on (a lock another
program holds, a damaged file, a read-only file, a full disk, a file that cannot be opened) become
`DatabaseUnavailable`, whose message never names the file: it reaches students. The path goes to
the log instead, and rides on the exception for the CLI. Every other `sqlite3.Error` ("no such
column", a constraint failed) is a bug in the code and propagates unchanged, to be logged as one.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.core.errors import DatabaseBusy, DatabaseDamaged, DatabaseUnavailable
from bot.core.storage import migrations

log = logging.getLogger("bot.core.storage")

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000
# Writes are committed in batches of up to this many queued operations: one fsync per batch is
# what lets the writer keep up with a burst of message events.
MAX_BATCH = 500

_STOP = object()


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the database with the settings every connection needs, or raise a clear error."""
    target = str(path)
    with environmental_errors(target):
        if readonly and target != ":memory:":
            conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = sqlite3.connect(target, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


# SQLite's primary result codes (https://sqlite.org/rescode.html) for conditions of the file and
# the machine, not of the code, with what to say about each.
_BUSY = "The database is locked by another program; try again in a moment."
_CONDITIONS: dict[int, tuple[type[DatabaseUnavailable], str]] = {
    sqlite3.SQLITE_BUSY: (DatabaseBusy, _BUSY),
    sqlite3.SQLITE_LOCKED: (DatabaseBusy, _BUSY),
    sqlite3.SQLITE_PROTOCOL: (DatabaseBusy, _BUSY),  # WAL lock contention
    sqlite3.SQLITE_CORRUPT: (
        DatabaseDamaged,
        "The database is damaged or not a database; whoever runs the bot can rebuild it with "
        "`seminar-bot index --rebuild`.",
    ),
    sqlite3.SQLITE_READONLY: (
        DatabaseUnavailable,
        "The database cannot be written (its file or folder is read-only); whoever runs the "
        "bot must make it writable.",
    ),
    sqlite3.SQLITE_FULL: (
        DatabaseUnavailable,
        "The disk holding the database is full; whoever runs the bot must free some space.",
    ),
    sqlite3.SQLITE_CANTOPEN: (
        DatabaseUnavailable,
        "The database file cannot be opened (its folder is missing or not accessible); whoever "
        "runs the bot must check SEMINAR_DB or --db.",
    ),
    sqlite3.SQLITE_IOERR: (
        DatabaseUnavailable,
        "The database could not be read or written (a disk I/O error); whoever runs the bot "
        "must check the disk.",
    ),
}
_CONDITIONS[sqlite3.SQLITE_NOTADB] = _CONDITIONS[sqlite3.SQLITE_CORRUPT]
_CONDITIONS[sqlite3.SQLITE_PERM] = _CONDITIONS[sqlite3.SQLITE_READONLY]


def unavailable(path: str, exc: sqlite3.Error) -> DatabaseUnavailable | None:
    """The error to show for a condition of the file or the machine; None when `exc` is a bug.

    Extended result codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ...) count as their
    primary code. An error Python raised without a code is not SQLite's report of the file."""
    code = getattr(exc, "sqlite_errorcode", None)
    condition = _CONDITIONS.get(code & 0xFF) if code is not None else None
    if condition is None:
        return None
    kind, message = condition
    log.warning("database %s unusable: %s (%s)", path, exc, exc.sqlite_errorname)
    error = kind(message, path=path)
    error.__cause__ = exc
    return error


@contextlib.contextmanager
def environmental_errors(path: str) -> Iterator[None]:
    """Raise `DatabaseUnavailable` for what whoever runs the bot can fix; let bugs through."""
    try:
        yield
    except sqlite3.Error as exc:
        error = unavailable(path, exc)
        if error is None:
            raise
        raise error from exc


class Database:
    """Owns the file path, the schema and the single writer thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._memory_conn: sqlite3.Connection | None = None
        if self.path == ":memory:":
            # One shared connection: a second in-memory connection would be another database.
            self._memory_conn = connect(":memory:")
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pushback: Any = None

    # -- writing ---------------------------------------------------------------------------

    def write(self, op: Callable[[sqlite3.Connection], T]) -> Future[T]:
        """Queue `op(conn)` for the writer thread; it runs inside a transaction."""
        fut: Future[T] = Future()
        self._ensure_writer()
        self._queue.put((op, fut, True))
        return fut

    def setup(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run `op` on the writer thread outside a batch, for work that manages its own
        transaction (the migrations: one BEGIN IMMEDIATE ... COMMIT for all of them)."""
        fut: Future[T] = Future()
        self._ensure_writer()
        self._queue.put((op, fut, False))
        return fut.result()

    def migrate(self) -> int:
        """Bring the schema up to date (bot.core.storage.migrations); returns its version. The
        one way a database file is set up: the service calls it on start, tests on every file."""
        return self.setup(partial(migrations.migrate, path=self.path))

    def run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Write and wait: the synchronous form for the CLI and tests."""
        return self.write(op).result()

    def flush(self) -> None:
        """Wait until everything queued so far is committed."""
        self.run(lambda conn: None)

    def close(self) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(_STOP)
            thread.join(timeout=30)
        self._thread = None
        if self._memory_conn is not None:
            self._memory_conn.close()
            self._memory_conn = None

    def _ensure_writer(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._writer_loop, name="seminar-db-writer", daemon=True
                )
                self._thread.start()

    def _writer_loop(self) -> None:
        conn = self._memory_conn
        try:
            if conn is None:
                conn = connect(self.path)
        except Exception as exc:
            # Stay alive and answer every request with the error: a thread that exited here
            # could strand a request queued a moment later.
            self._refuse_all(exc)
            return
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                if not item[2]:
                    self._run_alone(conn, item[0], item[1])
                    continue
                batch = [item]
                while len(batch) < MAX_BATCH:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP or not nxt[2]:
                        self._pushback = nxt
                        break
                    batch.append(nxt)
                try:
                    self._run_batch(conn, batch)
                except BaseException as exc:  # never leave a caller waiting forever
                    err = _translate(self.path, exc)
                    for _op, fut, _tx in batch:
                        if not fut.done():
                            fut.set_exception(err)
                    if conn.in_transaction:
                        conn.rollback()
                if self._pushback is not None:
                    item, self._pushback = self._pushback, None
                    if item is _STOP:
                        return
                    self._run_alone(conn, item[0], item[1])
        finally:
            if conn is not self._memory_conn:
                conn.close()

    def _run_alone(self, conn: sqlite3.Connection, op: Callable[[sqlite3.Connection], Any],
                   fut: Future[Any]) -> None:
        try:
            value = op(conn)
            if conn.in_transaction:
                conn.commit()
        except BaseException as exc:
            if conn.in_transaction:
                conn.rollback()
            fut.set_exception(_translate(self.path, exc))
        else:
            fut.set_result(value)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[Any]) -> None:
        results: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            err = _translate(self.path, exc)
            for _op, fut, _tx in batch:
                fut.set_exception(err)
            return
        for op, fut, _tx in batch:
            conn.execute("SAVEPOINT op")
            try:
                value = op(conn)
            except BaseException as exc:  # one bad operation must not sink the batch
                if not conn.in_transaction:
                    # SQLite rolled the whole batch back itself (a full disk, an I/O error):
                    # the operations before this one are undone too, so none of them succeeded.
                    err = _translate(self.path, exc)
                    for _op, waiting, _tx in batch:
                        waiting.set_exception(err)
                    return
                conn.execute("ROLLBACK TO op")
                conn.execute("RELEASE op")
                results.append((fut, None, _translate(self.path, exc)))
            else:
                conn.execute("RELEASE op")
                results.append((fut, value, None))
        try:
            conn.commit()
        except sqlite3.Error as exc:
            conn.rollback()
            err = _translate(self.path, exc)
            for fut, _value, _exc in results:
                fut.set_exception(err)
            return
        for fut, value, error in results:
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(value)

    def _refuse_all(self, exc: BaseException) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            item[1].set_exception(exc)

    # -- reading ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for queries; never used to write."""
        if self._memory_conn is not None:
            yield self._memory_conn
            return
        conn = connect(self.path, readonly=Path(self.path).exists())
        try:
            with environmental_errors(self.path):
                yield conn
        finally:
            conn.close()


def _translate(path: str, exc: BaseException) -> BaseException:
    """What a waiting caller receives for `exc`: `DatabaseUnavailable`, or the bug itself."""
    if isinstance(exc, sqlite3.Error):
        return unavailable(path, exc) or exc
    return exc
