"""Bring the readings index up to date with a folder: find what changed, index only that.

`refresh` runs on the database's writer thread inside one transaction: a crash or an error
half-way leaves the previous index exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core.errors import ReadingsNotFound
from bot.core.models import ASKABLE_KINDS, IndexReport, Passage
from bot.core.readings import cleaning, loaders, metadata
from bot.core.readings.passages import build_passages
from bot.core.references import store as references
from bot.core.textnorm import term_counts

# Bump when cleaning or passage rules change: every reading is then re-indexed once.
# 2: reference lists and citations are indexed too; 3: the vocabulary is kept (course_terms).
PIPELINE_VERSION = "3"
IGNORED_FILES = {metadata.SIDECAR, "readme.md", "courses.toml"}
Progress = Callable[[str, int, int], None]


def _file_hash(data: bytes, extra: str) -> str:
    digest = hashlib.sha256(data)
    digest.update(extra.encode())
    return digest.hexdigest()


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
    conn: sqlite3.Connection,
    *,
    folder: Path,
    course: str,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IndexReport:
    """Index what changed in `folder` since the last run; remove what disappeared."""
    started = time.perf_counter()
    report = IndexReport()
    files = reading_files(folder)
    sidecar, sidecar_warning = metadata.load_sidecar(folder)
    if sidecar_warning:
        report.warnings.append(sidecar_warning)
    known = {
        row["id"]: row
        for row in conn.execute(
            "SELECT id, path, content_hash, size, mtime_ns, pipeline FROM readings WHERE course = ?",
            (course,),
        )
    }
    seen: set[str] = set()
    for number, path in enumerate(files, start=1):
        if progress:
            progress(path.name, number, len(files))
        if path.suffix.lower() not in loaders.SUPPORTED:
            report.warnings.append(f"{path.name}: skipped, not a supported format (.txt .md .pdf .docx)")
            continue
        rid = metadata.reading_id(path)
        if rid in seen:
            report.warnings.append(f"{path.name}: skipped, another file already has the id {rid!r}")
            continue
        seen.add(rid)
        entry = json.dumps(
            {k: sidecar.get(k) for k in (path.name, rid) if k in sidecar}, sort_keys=True
        )
        try:
            stat = path.stat()
        except OSError as exc:
            report.warnings.append(f"{path.name}: skipped, it cannot be read ({exc.strerror})")
            continue
        old = known.get(rid)
        if (
            not rebuild and old is not None and old["pipeline"] == PIPELINE_VERSION
            and old["size"] == stat.st_size and old["mtime_ns"] == stat.st_mtime_ns
            and old["path"] == str(path)
        ):
            report.unchanged.append(rid)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.warnings.append(f"{path.name}: skipped, it cannot be read ({exc.strerror})")
            continue
        digest = _file_hash(data, PIPELINE_VERSION + entry)
        if not rebuild and old is not None and old["content_hash"] == digest:
            conn.execute(
                "UPDATE readings SET size = ?, mtime_ns = ?, path = ? WHERE course = ? AND id = ?",
                (stat.st_size, stat.st_mtime_ns, str(path), course, rid),
            )
            report.unchanged.append(rid)
            continue
        try:
            raw = loaders.load(path)
        except loaders.UnreadableFile as exc:
            report.warnings.append(f"{path.name}: skipped, {exc}")
            _delete_reading(conn, course, rid)
            continue
        doc = cleaning.clean(raw)
        title, authors, year = metadata.resolve(
            path, detected_title=doc.title, detected_authors=doc.authors,
            front_matter=raw.meta, sidecar=sidecar,
        )
        passages = build_passages(rid, doc, course)
        if not any(p.kind in ("body", "abstract") for p in passages):
            report.warnings.append(f"{path.name}: no readable paragraphs found")
        _delete_reading(conn, course, rid)
        _insert_reading(conn, course, rid, path, raw.format, digest, stat, title, authors, year,
                        passages, doc.text)
        unlinked = references.index_reading(conn, course, rid, passages, doc.bibliography)
        if unlinked:  # kept in the citations table with no entry; said here so they get fixed
            report.warnings.append(
                f"{path.name}: {len(unlinked)} citation(s) match no reference-list entry: "
                + "; ".join(unlinked[:5]) + (" ..." if len(unlinked) > 5 else "")
            )
        report.indexed.append(rid)
        report.passages += len(passages)
    for rid in set(known) - seen:
        _delete_reading(conn, course, rid)
        report.removed.append(rid)
    report.seconds = time.perf_counter() - started
    return report


def _delete_reading(conn: sqlite3.Connection, course: str, rid: str) -> None:
    references.delete_reading(conn, course, rid)
    conn.execute("DELETE FROM passages WHERE course = ? AND reading_id = ?", (course, rid))
    conn.execute("DELETE FROM readings WHERE course = ? AND id = ?", (course, rid))
    row = conn.execute(
        "SELECT terms FROM reading_terms WHERE course = ? AND reading_id = ?", (course, rid)
    ).fetchone()
    if row is None:
        return
    conn.executemany(
        "UPDATE course_terms SET df = df - ? WHERE course = ? AND term = ?",
        [(n, course, term) for term, n in json.loads(row[0]).items()],
    )
    conn.execute("DELETE FROM course_terms WHERE course = ? AND df <= 0", (course,))
    conn.execute("DELETE FROM reading_terms WHERE course = ? AND reading_id = ?", (course, rid))


def _add_terms(conn: sqlite3.Connection, course: str, rid: str, passages: list[Passage]) -> None:
    df, spaced = term_counts(p.text for p in passages if p.kind in ASKABLE_KINDS)
    conn.execute("INSERT INTO reading_terms VALUES (?, ?, ?)", (course, rid, json.dumps(df)))
    conn.executemany(
        "INSERT INTO course_terms (course, term, df, spaced) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (course, term) DO UPDATE SET df = df + excluded.df,"
        " spaced = coalesce(excluded.spaced, spaced)",
        [(course, term, n, spaced.get(term)) for term, n in df.items()],
    )


def _insert_reading(
    conn: sqlite3.Connection,
    course: str,
    rid: str,
    path: Path,
    fmt: str,
    digest: str,
    stat: os.stat_result,
    title: str,
    authors: tuple[str, ...],
    year: str | None,
    passages: list[Passage],
    text: str,
) -> None:
    """`text` is the cleaned reading the passages' start/end offsets point into."""
    conn.execute(
        "INSERT INTO readings (course, id, title, authors, year, path, format, content_hash, size,"
        " mtime_ns, pipeline, indexed_at, passages, text)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            course, rid, title, json.dumps(list(authors)), year, str(path), fmt, digest,
            stat.st_size, stat.st_mtime_ns, PIPELINE_VERSION,
            datetime.now(UTC).isoformat(timespec="seconds"), len(passages), text,
        ),
    )
    conn.executemany(
        "INSERT INTO passages (course, id, reading_id, kind, section, paragraph, page, start,"
        " end, label, parent_id, note_ids, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                course, p.id, rid, p.kind, p.section, p.paragraph, p.page, p.start, p.end,
                p.label, p.parent_id, json.dumps(list(p.note_ids)), p.text,
            )
            for p in passages
        ],
    )
    _add_terms(conn, course, rid, passages)
