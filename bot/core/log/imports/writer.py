"""Writing an import as it is read: batches of messages through the log's store functions.

Parsing runs in the caller's thread; each batch goes to the database's writer thread as one
transaction (bot.core.log.discussion decides what is stored, merged or left out), and the
parser goes on reading the next batch meanwhile, so the two cores work at once. At most
`IN_FLIGHT` batches wait, which bounds the memory an import of any size takes.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter, deque
from collections.abc import Sequence
from concurrent.futures import Future
from functools import partial

from bot.core.log.discussion import store_channel, store_messages
from bot.core.log.imports.sources import Progress
from bot.core.log.people import PeopleBook, store_people
from bot.core.models import ChannelInfo, ImportReport, LoggedMessage
from bot.core.storage.database import Database

BATCH = 2_000
IN_FLIGHT = 2


def store_channel_if_changed(conn: sqlite3.Connection, info: ChannelInfo) -> bool:
    """Re-importing must change nothing, so an unchanged channel is not touched; a name the
    log already has is not replaced by an export's empty one."""
    row = conn.execute(
        "SELECT name, parent_id, kind FROM channels WHERE id = ?", (info.id,)
    ).fetchone()
    if row is not None and (info.name or row["name"], info.parent_id or row["parent_id"],
                            info.kind) == (row["name"], row["parent_id"], row["kind"]):
        return False
    store_channel(conn, info, event=None if row is not None else "imported")
    return True


def store_channel_if_missing(conn: sqlite3.Connection, info: ChannelInfo) -> bool:
    if conn.execute("SELECT 1 FROM channels WHERE id = ?", (info.id,)).fetchone():
        return False
    store_channel(conn, info, event="imported")
    return True


def _store_batch(conn: sqlite3.Connection, messages: Sequence[LoggedMessage]) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    store_messages(conn, messages, outcomes=outcomes)
    return outcomes


class Writer:
    """Queues an import's writes and folds what they did into the report."""

    def __init__(self, db: Database, report: ImportReport) -> None:
        self.db = db
        self.report = report
        self._pending: deque[tuple[Future[Counter[str]], int]] = deque()

    def channels(self, infos: Sequence[ChannelInfo]) -> None:
        def op(conn: sqlite3.Connection) -> int:
            return sum(int(store_channel_if_changed(conn, info)) for info in infos)

        self.report.channels += self.db.write(op).result()

    def messages(self, batch: Sequence[LoggedMessage]) -> None:
        if not batch:
            return
        self._pending.append((self.db.write(partial(_store_batch, messages=batch)), len(batch)))
        while len(self._pending) > IN_FLIGHT:
            self._collect()

    def flush(self) -> None:
        while self._pending:
            self._collect()

    def people(self, book: PeopleBook) -> None:
        for guild, people in book.by_guild.items():
            self.db.write(partial(store_people, guild_id=guild, people=list(people.values())))
        self.db.flush()

    def _collect(self) -> None:
        fut, size = self._pending.popleft()
        outcomes = fut.result()
        self.report.new += outcomes["new"]
        self.report.updated += outcomes["updated"]
        self.report.unchanged += outcomes["unchanged"]
        # Opted-out students' messages (and any the log refuses) are counted, not stored.
        self.report.skipped += size - sum(outcomes.values())


class Tracker:
    """Bytes read so far of all an import's files, reported at most ten times a second."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.label = ""
        self._progress = progress
        self._last = 0.0

    def tick(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self._progress is not None and now - self._last >= 0.1:
            self._last = now
            self._progress(min(self.done, self.total), self.total, self.label)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(self.total, self.total, self.label)
