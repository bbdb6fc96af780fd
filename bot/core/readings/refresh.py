"""Bring the readings index up to date with a folder: find what changed, index only that.

Three steps, kept apart so each can run where it belongs:
1. `plan_refresh` looks at the folder (names, sizes, times; no file is read) against what the
   index remembers, and says which files are new, changed, unchanged or skipped (with why)
   and which readings were removed;
2. `prepare_reading` (bot.core.readings.prepare) reads and cleans one file into a record
   ready to store, without the database;
3. the store functions (bot.core.readings.store) write it.

`refresh` runs the first two in the caller's thread, off the database's writer, and stores each
reading in a short transaction of its own: asks and the discussion log go on while a large
folder is (re)indexed, and a crash or an error half-way leaves every reading either as it was
or as it is now, never half of one.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

from bot.core.errors import ReadingsNotFound
from bot.core.models import IndexReport
from bot.core.readings import loaders, metadata, store
from bot.core.readings.prepare import (
    PIPELINE_VERSION,
    Prepared,
    PreparedReading,
    SameContent,
    Sidecar,
    Unreadable,
    prepare_reading,
)
from bot.core.storage.database import Database

IGNORED_FILES = {metadata.SIDECAR, "readme.md", "courses.toml"}
Progress = Callable[[str, int, int], None]
# new: no reading has its id yet; changed: its size, time or place differ from what was
# indexed (or everything is rebuilt), so its content decides; unchanged: not read again;
# recheck: unchanged, but readings.toml names it, so its content hash (which covers its
# readings.toml entry) decides, quietly: an edited entry is then applied.
FileAction = Literal["new", "changed", "unchanged", "recheck"]


@dataclass(frozen=True, slots=True)
class PlannedFile:
    path: Path
    action: FileAction
    reading_id: str
    stat: os.stat_result
    indexed_hash: str | None = None  # a changed file's content hash as indexed; None: rebuild


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: Path
    warning: str


@dataclass(slots=True)
class RefreshPlan:
    files: list[PlannedFile | SkippedFile]  # every file of the folder, in name order
    removed: list[str]  # readings indexed from files that are gone
    sidecar: Sidecar
    warnings: list[str] = field(default_factory=list)  # about the folder, not one file


def reading_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ReadingsNotFound(
            f"The readings folder {folder} does not exist; create it or pass --readings DIR."
        )
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower() not in IGNORED_FILES
    )


def refresh(
    db: Database,
    *,
    folder: Path,
    course: str,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IndexReport:
    """Index what changed in `folder` since the last run; remove what disappeared. Nothing is
    written when nothing changed, so an up-to-date index refreshes on a read-only database or
    while another program holds the write lock."""
    started = time.perf_counter()
    with db.read() as conn:
        indexed = store.indexed_files(conn, course)
    plan = plan_refresh(folder, indexed, rebuild=rebuild)
    report = IndexReport(warnings=list(plan.warnings))
    # progress counts only the files read, so an unchanged folder reports nothing
    to_read = sum(1 for p in plan.files if _is_read(p))
    read = 0
    for planned in plan.files:
        if progress and _is_read(planned):
            read += 1
            progress(planned.path.name, read, to_read)
        _index_file(db, course, planned, plan.sidecar, report)
    for rid in plan.removed:
        db.run(partial(store.delete_reading, course=course, rid=rid))
        report.removed.append(rid)
    report.seconds = time.perf_counter() - started
    return report


def _is_read(planned: PlannedFile | SkippedFile) -> bool:
    """Whether the progress display counts it: new and changed files (a recheck is quiet)."""
    return isinstance(planned, PlannedFile) and planned.action in ("new", "changed")


def plan_refresh(
    folder: Path, indexed: Mapping[str, store.IndexedFile], *, rebuild: bool = False
) -> RefreshPlan:
    """What `refresh` has to do, from the folder's listing and what the index remembers."""
    files = reading_files(folder)
    sidecar, sidecar_warning = metadata.load_sidecar(folder)
    seen: set[str] = set()
    planned = [_plan_file(path, indexed, seen, rebuild=rebuild, overridden=frozenset(sidecar))
               for path in files]
    removed = [rid for rid in indexed if rid not in seen]
    return RefreshPlan(planned, removed, sidecar, [sidecar_warning] if sidecar_warning else [])


def _plan_file(
    path: Path, indexed: Mapping[str, store.IndexedFile], seen: set[str], *, rebuild: bool,
    overridden: frozenset[str] = frozenset(),
) -> PlannedFile | SkippedFile:
    """One file's action; `seen` collects the reading ids the folder still has (a file that
    cannot be opened keeps its reading: it may be back next time); `overridden`: the names
    and ids readings.toml has entries for."""
    if path.suffix.lower() not in loaders.SUPPORTED:
        return _skip(path, f"not a supported format ({' '.join(loaders.SUPPORTED)})")
    rid = metadata.reading_id(path)
    if rid in seen:
        return _skip(path, f"another file already has the id {rid!r}")
    seen.add(rid)
    try:
        stat = path.stat()
    except OSError as exc:
        return _skip(path, f"it cannot be read ({exc.strerror})")
    old = indexed.get(rid)
    if old is None:
        return PlannedFile(path, "new", rid, stat)
    if rebuild:
        return PlannedFile(path, "changed", rid, stat)
    if _same_file(old, path, stat):
        action: FileAction = "recheck" if overridden & {path.name, rid} else "unchanged"
        return PlannedFile(path, action, rid, stat, indexed_hash=old.content_hash)
    return PlannedFile(path, "changed", rid, stat, indexed_hash=old.content_hash)


def unreadable_warning(path: Path, reason: str, *, indexed: bool) -> str:
    """What to tell the instructor about a file that cannot be read: a reading indexed from
    it before keeps answering from that version (a file half-copied or replaced by a broken
    one should not make the reading vanish before a seminar)."""
    if indexed:
        return f"{path.name}: not re-indexed, {reason}; its last readable version stays in the index"
    return f"{path.name}: skipped, {reason}"


def _skip(path: Path, why: str) -> SkippedFile:
    return SkippedFile(path, f"{path.name}: skipped, {why}")


def _same_file(old: store.IndexedFile, path: Path, stat: os.stat_result) -> bool:
    """Same place, size and modification time, indexed by this pipeline: not read again."""
    return (
        old.pipeline == PIPELINE_VERSION and old.size == stat.st_size
        and old.mtime_ns == stat.st_mtime_ns and old.path == str(path)
    )


def _index_file(
    db: Database, course: str, planned: PlannedFile | SkippedFile, sidecar: Sidecar,
    report: IndexReport,
) -> None:
    """Carry out one file's plan, saying what happened in `report`: the file is read here,
    the result stored in one write."""
    if isinstance(planned, SkippedFile):
        report.warnings.append(planned.warning)
        return
    if planned.action == "unchanged":
        report.unchanged.append(planned.reading_id)
        return
    outcome = prepare_reading(
        planned.path, planned.reading_id, planned.stat, course=course, sidecar=sidecar,
        indexed_hash=planned.indexed_hash,
    )
    if planned.action == "recheck" and isinstance(outcome, SameContent):
        report.unchanged.append(planned.reading_id)  # the same file, as indexed: no write
        return
    if isinstance(outcome, Unreadable):  # nothing to write: its last version stays
        report.warnings.append(
            unreadable_warning(outcome.path, outcome.reason, indexed=planned.action != "new"))
        return
    db.run(partial(_store_outcome, course=course, outcome=outcome, report=report))


def _store_outcome(
    conn: sqlite3.Connection, *, course: str, outcome: Prepared, report: IndexReport
) -> None:
    """On the writer: what a prepared file changes in the index."""
    match outcome:
        case SameContent(reading_id=rid, path=path, stat=stat):
            store.update_file(conn, course, rid, path, stat.st_size, stat.st_mtime_ns)
            report.unchanged.append(rid)
        case PreparedReading():
            store.store_reading(conn, outcome)
            report.warnings.extend(outcome.warnings)
            report.indexed.append(outcome.reading_id)
            report.passages += len(outcome.passages)
