"""The one SQLite file, and the one thread that writes to it.

Every write (index builds, logged messages, feedback) goes through `Database.write`, which runs
it on a single writer thread that owns the only writing connection. Bursts of events queue up
instead of fighting over SQLite's lock, and the asyncio loop never waits on disk: adapters await
the returned future (`asyncio.wrap_future`). Reads use their own short-lived, read-only connections: WAL
lets them run beside the writer, and they never take its lock, so a command that only reads
works while another program writes, and a database on read-only storage still answers.

Another program holding the write lock (an `index` in another terminal, a backup tool) can be
waited out: a write queued with `patience` is retried while the lock lasts, up to that many
seconds after it was queued, before it fails as busy; the order of writes is kept. The
discussion log's events are written so (a running bot loses no event to a lock of a few
minutes); a command someone waits for fails after SQLite's own busy timeout instead, with a
message they can act on.

Errors: SQLite conditions outside the code that whoever runs the bot can act on (a lock another
program holds, a damaged file, a read-only file, a full disk, a file that cannot be opened) become
`DatabaseUnavailable`, whose message never names the file: it reaches students. The path goes to
the log instead, and rides on the exception for the CLI. Every other `sqlite3.Error` ("no such
column", a constraint failed) is a bug in the code and propagates unchanged, to be logged as one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from bot.core.errors import DatabaseBusy, DatabaseDamaged, DatabaseUnavailable
from bot.core.storage import migrations

log = logging.getLogger("bot.core.storage")

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000
# Writes are committed in batches of up to this many queued operations: one fsync per batch is
# what lets the writer keep up with a burst of message events.
MAX_BATCH = 500
# Between two attempts at a batch another program keeps locked (each already waits
# BUSY_TIMEOUT_MS inside SQLite): doubling from the first to the last.
RETRY_FIRST_SECONDS = 0.05
RETRY_MAX_SECONDS = 2.0

_STOP = object()


class _Queued(NamedTuple):
    op: Callable[[sqlite3.Connection], Any]
    future: Future[Any]
    in_batch: bool  # False: runs alone, outside a transaction (migrations, checkpoints)
    queued_at: float
    patience: float = 0.0  # seconds it may wait out another program's lock


class Connection(sqlite3.Connection):
    """A connection others may keep things about (it can be weakly referenced): the log keeps
    the tombstones it read per connection (bot.core.log.discussion.guard)."""


def file_uri(path: str | Path, **params: str) -> str:
    """A `file:` URI for any path: `#`, `?`, `%` and spaces in it are escaped, so SQLite opens
    the file named and not another."""
    uri = Path(path).absolute().as_uri()
    return uri + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the database with the settings every connection needs, or raise a clear error.

    The writer's connection zeroes what it deletes (`secure_delete`): a forgotten message's
    text must not linger in the file's free pages."""
    target = str(path)
    with environmental_errors(target):
        if readonly and target != ":memory:":
            conn = _open_readonly(target)
        else:
            conn = sqlite3.connect(target, check_same_thread=False, factory=Connection)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _open_readonly(target: str) -> sqlite3.Connection:
    """A reader that never writes. A WAL file in a folder we cannot write has no `-shm` for a
    reader to make; there nobody can be writing it either, so it is read as immutable."""
    conn = sqlite3.connect(file_uri(target, mode="ro"), uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        conn.close()
        folder = os.path.dirname(os.path.abspath(target))
        if code not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN) or os.access(
            folder, os.W_OK
        ):
            raise
        conn = sqlite3.connect(file_uri(target, immutable="1"), uri=True, check_same_thread=False)
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
        self._closing = threading.Event()

    # -- writing ---------------------------------------------------------------------------

    def write(
        self,
        op: Callable[[sqlite3.Connection], T],
        *,
        checkpoint: bool = False,
        patience: float = 0.0,
    ) -> Future[T]:
        """Queue `op(conn)` for the writer thread; it runs inside a transaction.

        `patience`: seconds it may wait while another program holds the lock (0: fail once
        SQLite's busy timeout has passed). `checkpoint=True` (erasure): the future resolves
        only once the WAL has been copied into the file and emptied as well, so no copy of
        what `op` removed stays in the -wal file."""
        fut: Future[T] = Future()
        self._ensure_writer()
        self._queue.put(_Queued(op, fut, True, time.monotonic(), patience))
        if not checkpoint:
            return fut
        done: Future[T] = Future()

        def after(conn: sqlite3.Connection) -> None:
            try:
                _truncate_wal(conn, self.path)
            except sqlite3.Error as exc:  # what `op` did is committed: only the copy lingers
                log.warning("database %s: the WAL could not be emptied: %s", self.path, exc)

        emptied: Future[None] = Future()
        emptied.add_done_callback(lambda _f: _chain(fut, done))
        self._queue.put(_Queued(after, emptied, False, time.monotonic()))
        return done

    def setup(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run `op` on the writer thread outside a batch, for work that manages its own
        transaction (the migrations: one BEGIN IMMEDIATE ... COMMIT for all of them)."""
        fut: Future[T] = Future()
        self._ensure_writer()
        self._queue.put(_Queued(op, fut, False, time.monotonic()))
        return fut.result()

    def migrate(self) -> int:
        """Bring the schema up to date (bot.core.storage.migrations); returns its version. The
        one way a database file is set up: the service calls it on start, tests on every file.
        A file already up to date is only read, so a read-only database still opens."""
        if self._memory_conn is None and Path(self.path).is_file():
            with self.read() as conn:
                if migrations.schema_version(conn) == migrations.latest_version():
                    return migrations.latest_version()
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
            self._closing.set()  # a batch waiting out a lock gives up now
            self._queue.put(_STOP)
            thread.join(timeout=30)
        elif self._memory_conn is None and Path(f"{self.path}-wal").exists():
            self._tidy_after_readers()
        self._thread = None
        if self._memory_conn is not None:
            self._memory_conn.close()
            self._memory_conn = None

    def _tidy_after_readers(self) -> None:
        """Only read-only connections were used, and they cannot fold the WAL back into the
        file when they close: a writable one opened and closed does, when it is the last on
        the file (another program's open connection keeps it, as SQLite always does)."""
        with contextlib.suppress(sqlite3.Error, OSError), \
                contextlib.closing(sqlite3.connect(self.path)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def _ensure_writer(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._closing.clear()
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
                if not item.in_batch:
                    self._run_alone(conn, item)
                    continue
                batch = [item]
                while len(batch) < MAX_BATCH:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP or not nxt.in_batch:
                        self._pushback = nxt
                        break
                    batch.append(nxt)
                try:
                    self._run_batch(conn, batch)
                except BaseException as exc:  # never leave a caller waiting forever
                    err = _translate(self.path, exc)
                    for queued in batch:
                        if not queued.future.done():
                            queued.future.set_exception(err)
                    if conn.in_transaction:
                        conn.rollback()
                if self._pushback is not None:
                    item, self._pushback = self._pushback, None
                    if item is _STOP:
                        return
                    self._run_alone(conn, item)
        finally:
            if conn is not self._memory_conn:
                conn.close()

    def _run_alone(self, conn: sqlite3.Connection, item: _Queued) -> None:
        try:
            value = item.op(conn)
            if conn.in_transaction:
                conn.commit()
        except BaseException as exc:
            if conn.in_transaction:
                conn.rollback()
            item.future.set_exception(_translate(self.path, exc))
        else:
            item.future.set_result(value)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Queued]) -> None:
        batch = self._begin(conn, batch)
        if not batch:
            return
        results: list[tuple[Future[Any], Any, BaseException | None]] = []
        for queued in batch:
            conn.execute("SAVEPOINT op")
            try:
                value = queued.op(conn)
            except BaseException as exc:  # one bad operation must not sink the batch
                if not self._undo_one(conn):
                    # SQLite rolled the whole batch back itself (a full disk, an I/O error):
                    # the operations before this one are undone too, so none of them succeeded.
                    err = _translate(self.path, exc)
                    if conn.in_transaction:
                        conn.rollback()
                    for waiting in batch:
                        waiting.future.set_exception(err)
                    return
                results.append((queued.future, None, _translate(self.path, exc)))
            else:
                conn.execute("RELEASE op")
                results.append((queued.future, value, None))
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

    @staticmethod
    def _undo_one(conn: sqlite3.Connection) -> bool:
        """Roll back the failed operation alone; False if SQLite had already undone more (the
        transaction, or the savepoint with it), so the whole batch is lost."""
        if not conn.in_transaction:
            return False
        try:
            conn.execute("ROLLBACK TO op")
            conn.execute("RELEASE op")
        except sqlite3.Error:
            return False
        return True

    def _begin(self, conn: sqlite3.Connection, batch: list[_Queued]) -> list[_Queued]:
        """BEGIN IMMEDIATE, waiting out another program's lock: the operations still within
        their `patience` of being queued are tried again, the others fail as busy. What waits
        stays in order, ahead of everything queued meanwhile."""
        delay = RETRY_FIRST_SECONDS
        waited = False
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                err = _translate(self.path, exc)
                if not isinstance(err, DatabaseBusy) or self._closing.is_set():
                    for queued in batch:
                        queued.future.set_exception(err)
                    return []
                now = time.monotonic()
                late = [q for q in batch if now - q.queued_at >= q.patience]
                for queued in late:
                    queued.future.set_exception(err)
                batch = [q for q in batch if now - q.queued_at < q.patience]
                if not batch:
                    return []
                if not waited:
                    log.warning("database %s is locked by another program; %d write(s) wait",
                                self.path, len(batch))
                    waited = True
                self._closing.wait(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            if waited:
                log.info("database %s is free again; the waiting writes go in", self.path)
            return batch

    def _refuse_all(self, exc: BaseException) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            item.future.set_exception(exc)

    # -- reading ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for queries; never used to write, never taking the write lock."""
        if self._memory_conn is not None:
            yield self._memory_conn
            return
        conn = connect(self.path, readonly=Path(self.path).exists())
        try:
            with environmental_errors(self.path):
                yield conn
        finally:
            conn.close()


def _truncate_wal(conn: sqlite3.Connection, path: str) -> bool:
    """Copy the WAL into the file and empty it; False (logged) if readers kept it from
    finishing within the busy timeout: their snapshots still need the old pages, and the next
    checkpoint empties it."""
    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        log.warning("database %s: readers kept the WAL from being emptied; the next "
                    "checkpoint does it", path)
    return not busy


def _chain(source: Future[T], target: Future[T]) -> None:
    """Resolve `target` as `source` was."""
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


def _translate(path: str, exc: BaseException) -> BaseException:
    """What a waiting caller receives for `exc`: `DatabaseUnavailable`, or the bug itself."""
    if isinstance(exc, sqlite3.Error):
        return unavailable(path, exc) or exc
    return exc
