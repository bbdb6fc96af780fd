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

`bot.core.storage.migrations` creates these tables; `bot.core.readings.refresh` writes them;
everything else reads them through this module.
"""

from __future__ import annotations

import json
import sqlite3

from bot.core.errors import NotFound
from bot.core.models import Passage, Reading
from bot.core.textnorm import fold

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"


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


# -- reading the index ---------------------------------------------------------------------


def row_to_reading(row: sqlite3.Row) -> Reading:
    return Reading(
        id=row["id"], title=row["title"], authors=tuple(json.loads(row["authors"] or "[]")),
        year=row["year"], course=row["course"], path=row["path"], format=row["format"],
        passages=row["passages"],
    )


def row_to_passage(row: sqlite3.Row) -> Passage:
    return Passage(
        id=row["id"], reading_id=row["reading_id"], kind=row["kind"], text=row["text"],
        section=row["section"], paragraph=row["paragraph"], page=row["page"],
        start=row["start"], end=row["end"], label=row["label"], parent_id=row["parent_id"],
        note_ids=tuple(json.loads(row["note_ids"] or "[]")), course=row["course"],
    )


READING_COLUMNS = "id, title, authors, year, course, path, format, passages"


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
