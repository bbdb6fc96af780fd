"""Reference lists and citations in the index, stored per reading at index time.

Each reading's reference list is parsed into `bib_entries` and every citation in its passages
goes into `citations` (linked entry or NULL, so unlinkable ones are kept and can be reported).
`bot.core.search.cite` answers lookups over them; `bot.core.storage.migrations` creates the tables.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.models import RUNNING_KINDS, TEXT_KINDS, BibEntry, Passage, PassageKind
from bot.core.references.bibliography import parse_bibliography
from bot.core.references.citations import (
    IBID_RE,
    OP_CIT_RE,
    InTextCitation,
    entry_keys,
    find_citations,
    link_citations,
    name_key,
)
from bot.core.references.splitter import Line
from bot.core.textnorm import fold


def reference_labels(conn: sqlite3.Connection, course: str) -> list[str]:
    """"Surname Year" for every reference-list entry of a course, as a student would type it
    into `cite` (two authors by name, more as "et al."), alphabetical, without repeats."""
    labels: dict[str, None] = {}
    for row in conn.execute(
        "SELECT authors, year FROM bib_entries WHERE course = ? ORDER BY authors, year", (course,)
    ):
        names = json.loads(row["authors"] or "[]")
        if not names:
            continue
        who = names[0] if len(names) == 1 else (
            f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."
        )
        labels.setdefault(f"{who} {row['year']}" if row["year"] else who, None)
    return sorted(labels, key=fold)


def reference_counts(conn: sqlite3.Connection, course: str) -> dict[str, int]:
    """Entries per reading, by reading id (readings with no reference list are absent)."""
    rows = conn.execute(
        "SELECT reading_id, COUNT(*) AS n FROM bib_entries WHERE course = ? GROUP BY reading_id",
        (course,),
    )
    return {row["reading_id"]: row["n"] for row in rows}


def delete_reading(conn: sqlite3.Connection, course: str, reading_id: str) -> None:
    for table in ("citations", "bib_entries"):
        conn.execute(f"DELETE FROM {table} WHERE course = ? AND reading_id = ?",
                     (course, reading_id))


@dataclass(frozen=True, slots=True)
class ReadingReferences:
    """One reading's reference list and citations as rows of `bib_entries` and `citations`."""

    entries: list[tuple[Any, ...]]
    citations: list[tuple[Any, ...]]
    unlinked: list[str]  # citations no entry matches, as written: reported so they get fixed


def parse_references(
    course: str, reading_id: str, passages: Sequence[Passage],
    bibliography: str | Sequence[Line],
) -> ReadingReferences:
    """Parse one reading's reference list and find its citations (no database needed).

    The list comes as the cleaner's text, or, from a layout-aware reader, as `Line`s with
    layout hints (`splitter.lines_from_layout` makes them from line positions)."""
    given = bibliography.strip() if isinstance(bibliography, str) else bibliography
    entries = parse_bibliography(given) if given else []
    ids = [f"{reading_id}-r{i + 1}" for i in range(len(entries))]
    entry_rows = [
        (course, eid, reading_id, i, e.number, json.dumps(list(e.authors), ensure_ascii=False),
         json.dumps(entry_keys(e)), e.year, e.title, e.container, e.pages, e.url, e.raw,
         json.dumps(list(e.author_names), ensure_ascii=False), e.volume, e.issue, e.doi,
         int(e.editors))
        for i, (eid, e) in enumerate(zip(ids, entries, strict=True))
    ]
    notes = {p.label: p.id for p in passages if p.kind == PassageKind.FOOTNOTE and p.label}
    rows = []
    unlinked: list[str] = []
    back = _NoteTrail()
    for p, context in _with_context(passages):
        linked = link_citations(find_citations(p.text), entries, p.text, context)
        if p.kind == PassageKind.FOOTNOTE:
            linked = sorted([*linked, *back.resolve(p.text, linked, entries)],
                            key=lambda pair: pair[0].start)
        for cit, idx in linked:
            note_id = notes.get(str(cit.number)) if cit.number is not None else None
            if not _is_citation(cit, idx, note_id):
                continue
            if idx is None and cit.kind not in ("numeric", "footnote-marker"):
                unlinked.append(cit.text)
            rows.append((
                course, reading_id, p.id, cit.kind, cit.text,
                json.dumps(list(cit.authors), ensure_ascii=False), cit.year, cit.locator,
                cit.start, cit.end, cit.number, ids[idx] if idx is not None else None, note_id,
            ))
    return ReadingReferences(entry_rows, rows, unlinked)


class _NoteTrail:
    """What earlier notes cited, so "Ibid., p. 45" finds the previous note's source and
    "Morgenthau, op. cit., p. 4" the last work of Morgenthau's a note cited."""

    def __init__(self) -> None:
        self.previous: list[int] = []  # entries the last note that cited any cited
        self.by_name: dict[str, int] = {}  # a surname's key -> the entry last cited under it

    def resolve(self, text: str, linked: list[tuple[InTextCitation, int | None]],
                entries: Sequence[BibEntry]) -> list[tuple[InTextCitation, int | None]]:
        out: list[tuple[InTextCitation, int | None]] = []
        for m in OP_CIT_RE.finditer(text):
            idx = self.by_name.get(name_key(m.group("name")))
            out.append((_back_citation(m, "op-cit", idx, entries), idx))
        taken = [(a, b) for a, b in ((m.start(), m.end()) for m in OP_CIT_RE.finditer(text))]
        for m in IBID_RE.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            out.extend((_back_citation(m, "ibid", idx, entries), idx) for idx in self.previous)
        cited = [idx for _, idx in [*linked, *out] if idx is not None]
        if cited:
            self.previous = list(dict.fromkeys(cited))
            for idx in cited:
                for key in entry_keys(entries[idx]):
                    self.by_name[key] = idx
        return out


def _back_citation(m: re.Match[str], kind: str, idx: int | None,
                   entries: Sequence[BibEntry]) -> InTextCitation:
    entry = entries[idx] if idx is not None else None
    return InTextCitation(m.group(0).strip(), entry.authors if entry else (), entry.year if entry
                          else None, m.group("loc"), kind, m.start(), m.end())


def _with_context(passages: Sequence[Passage]) -> Iterator[tuple[Passage, str]]:
    """The passages citations can stand in, each with the paragraph that introduces it when
    it is a block quote: "(1999: 4)" takes its author from the paragraph ending in ":"."""
    previous = ""
    for p in passages:
        if p.kind not in TEXT_KINDS:
            continue
        yield p, previous if previous.rstrip().endswith(":") else ""
        previous = p.text if p.kind in RUNNING_KINDS else previous


def _is_citation(cit: InTextCitation, entry: int | None, note_id: str | None) -> bool:
    if cit.kind == "footnote-marker" and note_id is None:
        return False  # a superscript with no note behind it is not a citation
    # "Operation Intercept (1969)", "in May, 1994" with no entry: a date, not a citation
    return not (cit.kind in ("narrative", "inline") and entry is None)


def store_references(conn: sqlite3.Connection, refs: ReadingReferences) -> None:
    """Insert a reading's parsed references (its old ones are deleted first by the caller)."""
    conn.executemany(
        "INSERT INTO bib_entries (course, id, reading_id, position, number, authors, keys, year,"
        " title, container, pages, url, raw, author_names, volume, issue, doi, editors)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        refs.entries,
    )
    conn.executemany(
        "INSERT INTO citations (course, reading_id, passage_id, kind, text, authors, year,"
        " locator, start, end, number, entry_id, note_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        refs.citations,
    )


# -- lookup -----------------------------------------------------------------------------------


def row_to_entry(row: sqlite3.Row) -> BibEntry:
    return BibEntry(
        authors=tuple(json.loads(row["authors"])), year=row["year"], title=row["title"] or "",
        raw=row["raw"], container=row["container"], pages=row["pages"], url=row["url"],
        number=row["number"], author_names=tuple(json.loads(row["author_names"] or "[]")),
        volume=row["volume"], issue=row["issue"], doi=row["doi"], editors=bool(row["editors"]),
    )


# -- how to cite a reading ------------------------------------------------------------------------


