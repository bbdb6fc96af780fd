"""The readings index in SQLite: what is indexed, its passages, and full-text search over them.

Schema (documented in docs/database.md; open the file with `datasette` or `sqlite-utils`):
- `readings`: one row per reading file per course, with its metadata, the content hash that
  decides whether it must be re-indexed, and its cleaned text (passage offsets point into it).
- `passages`: one row per passage, with where it stands (section, paragraph, page, offsets).
- `passages_fts`: FTS5 over passages.text and passages.section, accent-insensitive
  (`remove_diacritics 2`) with Porter stemming, kept in sync by triggers.
- `course_terms`: the ranking vocabulary (how many askable passages of the course use each
  folded word, and how the readings hyphenate it), kept up to date reading by reading from
  `reading_terms`, so a question never has to scan every passage (at 100k passages that scan
  took tens of seconds; see bench/RESULTS.md).

`bot.core.storage.migrations` creates these tables. Everything reads and writes them through
this module; the writes (`store_reading`, `delete_reading`, `update_file`) are
`bot.core.readings.refresh`'s, on the writer thread.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import NotFound
from bot.core.models import ASKABLE_KINDS, Passage, PassageKind, Reading, now_iso
from bot.core.readings.prepare import PIPELINE_VERSION, PreparedReading
from bot.core.references import store as references
from bot.core.storage.settings import get_value, put_value
from bot.core.textnorm import fold, term_counts


def load_terms(conn: sqlite3.Connection, course: str) -> tuple[dict[str, int], dict[str, str]]:
    """The course vocabulary: passages per word, and hyphenated words as the readings print them."""
    df: dict[str, int] = {}
    spaced: dict[str, str] = {}
    for term, n, printed in conn.execute(
        "SELECT term, df, spaced FROM course_terms WHERE course = ?", (course,)
    ):
        df[term] = n
        if printed is not None:
            spaced[term] = printed
    return df, spaced


# -- writing the index ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """What the index remembers of the file a reading came from, to tell if it changed."""

    path: str
    content_hash: str
    size: int
    mtime_ns: int
    pipeline: str


def indexed_files(conn: sqlite3.Connection, course: str) -> dict[str, IndexedFile]:
    """reading id -> its file as last indexed."""
    return {
        row["id"]: IndexedFile(row["path"], row["content_hash"], row["size"], row["mtime_ns"],
                               row["pipeline"])
        for row in conn.execute(
            "SELECT id, path, content_hash, size, mtime_ns, pipeline FROM readings WHERE course = ?",
            (course,),
        )
    }


def store_reading(conn: sqlite3.Connection, reading: PreparedReading) -> None:
    """Replace whatever the index holds for the reading with `reading`."""
    delete_reading(conn, reading.course, reading.reading_id)
    _insert_reading(conn, reading)
    _add_terms(conn, reading.course, reading.reading_id, reading.passages)
    references.store_references(conn, reading.references)


def update_file(
    conn: sqlite3.Connection, course: str, reading_id: str, path: Path, size: int, mtime_ns: int
) -> None:
    """A reading's file moved or was touched without changing: remember it as it is now."""
    conn.execute(
        "UPDATE readings SET size = ?, mtime_ns = ?, path = ? WHERE course = ? AND id = ?",
        (size, mtime_ns, str(path), course, reading_id),
    )


def delete_reading(conn: sqlite3.Connection, course: str, rid: str) -> None:
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


def _insert_reading(conn: sqlite3.Connection, r: PreparedReading) -> None:
    m = r.metadata
    conn.execute(
        "INSERT INTO readings (course, id, title, authors, year, path, format, content_hash, size,"
        " mtime_ns, pipeline, indexed_at, passages, text, container, volume, issue, pages, doi,"
        " page_labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            r.course, r.reading_id, m.title, json.dumps(list(m.authors)), m.year, str(r.path),
            r.format, r.content_hash, r.stat.st_size, r.stat.st_mtime_ns, PIPELINE_VERSION,
            now_iso(), len(r.passages), r.text,
            m.container, m.volume, m.issue, m.pages, m.doi,
            json.dumps(list(r.page_labels)) if r.page_labels else None,
        ),
    )
    conn.executemany(
        "INSERT INTO passages (course, id, reading_id, kind, section, paragraph, page, pdf_page,"
        " start, end, label, parent_id, note_ids, text)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.course, p.id, r.reading_id, p.kind, p.section, p.paragraph, p.page, p.pdf_page,
                p.start, p.end, p.label, p.parent_id, json.dumps(list(p.note_ids)), p.text,
            )
            for p in r.passages
        ],
    )


# -- reading the index ---------------------------------------------------------------------


def row_to_reading(row: sqlite3.Row) -> Reading:
    return Reading(
        id=row["id"], title=row["title"], authors=tuple(json.loads(row["authors"] or "[]")),
        year=row["year"], course=row["course"], path=row["path"], format=row["format"],
        passages=row["passages"], container=row["container"], volume=row["volume"],
        issue=row["issue"], pages=row["pages"], doi=row["doi"],
        page_labels=tuple(json.loads(row["page_labels"] or "[]")),
    )


def row_to_passage(row: sqlite3.Row) -> Passage:
    return Passage(
        id=row["id"], reading_id=row["reading_id"], kind=PassageKind(row["kind"]), text=row["text"],
        section=row["section"], paragraph=row["paragraph"], page=row["page"],
        start=row["start"], end=row["end"], label=row["label"], parent_id=row["parent_id"],
        note_ids=tuple(json.loads(row["note_ids"] or "[]")), course=row["course"],
        pdf_page=row["pdf_page"],
    )


READING_COLUMNS = ("id, title, authors, year, course, path, format, passages, container, volume,"
                   " issue, pages, doi, page_labels")


def list_readings(conn: sqlite3.Connection, course: str) -> list[Reading]:
    rows = conn.execute(
        f"SELECT {READING_COLUMNS} FROM readings WHERE course = ? ORDER BY title", (course,)
    )
    return [row_to_reading(r) for r in rows]


def readings_by_id(conn: sqlite3.Connection, course: str) -> dict[str, Reading]:
    """The course's readings by id; not SELECT *: that would read every reading's whole text."""
    rows = conn.execute(f"SELECT {READING_COLUMNS} FROM readings WHERE course = ?", (course,))
    return {r["id"]: row_to_reading(r) for r in rows}


def get_passage(conn: sqlite3.Connection, passage_id: str, course: str) -> tuple[Passage, Reading] | None:
    row = conn.execute(
        "SELECT * FROM passages WHERE course = ? AND id = ?", (course, passage_id)
    ).fetchone()
    if row is None:
        return None
    reading = conn.execute(
        f"SELECT {READING_COLUMNS} FROM readings WHERE course = ? AND id = ?",
        (course, row["reading_id"]),
    ).fetchone()
    return row_to_passage(row), row_to_reading(reading)


def neighbours(conn: sqlite3.Connection, passage: Passage, context: int) -> list[Passage]:
    """The passage with up to `context` passages of the same kind on each side, in order."""
    rows = conn.execute(
        "SELECT * FROM passages WHERE course = ? AND reading_id = ? AND kind = ? ORDER BY start",
        (passage.course, passage.reading_id, passage.kind),
    ).fetchall()
    ids = [r["id"] for r in rows]
    at = ids.index(passage.id)
    return [row_to_passage(r) for r in rows[max(0, at - context): at + context + 1]]


def resolve_reading(readings: list[Reading], name: str) -> str:
    """Match a reading by id, title or a fragment of either, accent- and case-insensitively."""
    wanted = fold(name).strip()
    for r in readings:
        if wanted in (fold(r.id), fold(r.title)):
            return r.id
    partial = [r for r in readings if wanted and (wanted in fold(r.id) or wanted in fold(r.title))]
    if len(partial) == 1:
        return partial[0].id
    if not partial:
        from rapidfuzz import fuzz, process

        choices = {r.id: fold(f"{r.title} {r.id}") for r in readings}
        best = process.extractOne(wanted, choices, scorer=fuzz.partial_ratio, score_cutoff=80)
        if best is not None:
            return str(best[2])
        raise NotFound(f"No reading matches {name!r}; `readings` lists them.")
    raise NotFound(
        f"{name!r} matches several readings: " + ", ".join(r.id for r in partial[:5])
    )


# -- warnings already shown ----------------------------------------------------------------

# A file the bot cannot read is reported on every refresh; whoever runs the command line
# needs to hear it once (and again from `seminar-bot index`), not before every answer.
SHOWN_WARNINGS_KEY = "index_warnings_shown:{course}"
MAX_SHOWN_WARNINGS = 500


def shown_warnings(conn: sqlite3.Connection, course: str) -> set[str]:
    """The warnings already shown for `course` (read only: see `unshown_warnings`)."""
    value = get_value(conn, SHOWN_WARNINGS_KEY.format(course=course))
    return set(json.loads(value)) if value else set()


def unshown_warnings(conn: sqlite3.Connection, course: str, warnings: list[str]) -> list[str]:
    """Those of `warnings` not shown before for `course`, in order; all are remembered as shown
    (in the `settings` table, the most recent MAX_SHOWN_WARNINGS)."""
    key = SHOWN_WARNINGS_KEY.format(course=course)
    value = get_value(conn, key)
    shown: list[str] = json.loads(value) if value else []
    known = set(shown)
    new = [w for w in dict.fromkeys(warnings) if w not in known]
    if new:
        current = list(dict.fromkeys(warnings))
        kept = [w for w in shown if w not in set(current)] + current
        put_value(conn, key, json.dumps(kept[-MAX_SHOWN_WARNINGS:], ensure_ascii=False))
    return new
