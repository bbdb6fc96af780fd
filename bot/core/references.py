"""Reference lists and citations in the index: store them per reading, look them up by name.

At index time each reading's reference list is parsed into `bib_entries` and every citation
in its passages goes into `citations` (linked entry or NULL, so unlinkable ones are kept and
can be reported). `lookup` answers `cite`: which entry a loose query means and which passages
cite it; when no reference list names the author, passages that mention the name instead.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlite_utils
from rapidfuzz import fuzz
from sqlite_utils.db import Table

from bot.core.bibliography import YEAR, BibEntry, natural_surname, parse_bibliography
from bot.core.citations import (
    entry_keys,
    find_citations,
    link_citations,
    name_key,
    year_fit,
)
from bot.core.errors import InvalidQuery
from bot.core.models import TEXT_KINDS, Passage, Reading, kinds_sql
from bot.core.textnorm import STOPWORDS, fold, fold_aligned

MATCH_THRESHOLD = 60.0
MAX_CITE_CHARS = 300
_NAME_HIT = 80.0
_TITLE_HIT = 85.0
_QUERY_YEAR_RE = re.compile(rf"(?<![\w-])(?:{YEAR})(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CitedIn:
    passage: Passage
    reading: Reading
    citation: str  # as written in the passage, or the name as written for a mention
    locator: str | None
    kind: str  # "citation" | "mention"


@dataclass(frozen=True, slots=True)
class CiteMatch:
    score: float
    entry: BibEntry | None
    reading: Reading | None  # the reading whose reference list holds the entry
    cited_in: tuple[CitedIn, ...] = ()


@dataclass(slots=True)
class CiteResult:
    query: str
    matches: list[CiteMatch] = field(default_factory=list)


def create_schema(conn: sqlite3.Connection) -> None:
    db = sqlite_utils.Database(conn)
    if "bib_entries" not in db.table_names():
        entries = Table(db, "bib_entries")
        entries.create(
            {
                "course": str, "id": str, "reading_id": str, "position": int, "number": int,
                "authors": str, "keys": str, "year": str, "title": str, "container": str,
                "pages": str, "url": str, "raw": str,
            },
            pk=("course", "id"),
        )
        entries.create_index(["course", "reading_id"])
    if "citations" not in db.table_names():
        citations = Table(db, "citations")
        citations.create(
            {
                "id": int, "course": str, "reading_id": str, "passage_id": str, "kind": str,
                "text": str, "authors": str, "year": str, "locator": str, "start": int,
                "end": int, "number": int, "entry_id": str, "note_id": str,
            },
            pk="id",
        )
        citations.create_index(["course", "entry_id"])
        citations.create_index(["course", "reading_id"])


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


def delete_reading(conn: sqlite3.Connection, course: str, reading_id: str) -> None:
    for table in ("citations", "bib_entries"):
        conn.execute(f"DELETE FROM {table} WHERE course = ? AND reading_id = ?",
                     (course, reading_id))


def index_reading(
    conn: sqlite3.Connection,
    course: str,
    reading_id: str,
    passages: Sequence[Passage],
    bibliography: str,
) -> list[str]:
    """Parse and store one reading's reference list and citations; returns the unlinked ones."""
    delete_reading(conn, course, reading_id)
    entries = parse_bibliography(bibliography) if bibliography.strip() else []
    ids = [f"{reading_id}-r{i + 1}" for i in range(len(entries))]
    conn.executemany(
        "INSERT INTO bib_entries (course, id, reading_id, position, number, authors, keys, year,"
        " title, container, pages, url, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (course, eid, reading_id, i, e.number, json.dumps(list(e.authors), ensure_ascii=False),
             json.dumps(entry_keys(e)), e.year, e.title, e.container, e.pages, e.url, e.raw)
            for i, (eid, e) in enumerate(zip(ids, entries, strict=True))
        ],
    )
    notes = {p.label: p.id for p in passages if p.kind == "footnote" and p.label}
    rows = []
    unlinked: list[str] = []
    previous = ""
    for p in passages:
        if p.kind not in TEXT_KINDS:
            continue
        # A block quote's "(1999: 4)" takes its author from the paragraph that introduces it.
        context = previous if previous.rstrip().endswith(":") else ""
        previous = p.text if p.kind in ("body", "abstract") else previous
        for cit, idx in link_citations(find_citations(p.text), entries, p.text, context):
            note_id = notes.get(str(cit.number)) if cit.number is not None else None
            if cit.kind == "footnote-marker" and note_id is None:
                continue  # a superscript with no note behind it is not a citation
            if cit.kind in ("narrative", "inline") and idx is None:
                # "Operation Intercept (1969)", "in May, 1994": a date, not a citation
                continue
            if idx is None and cit.kind not in ("numeric", "footnote-marker"):
                unlinked.append(cit.text)
            rows.append((
                course, reading_id, p.id, cit.kind, cit.text,
                json.dumps(list(cit.authors), ensure_ascii=False), cit.year, cit.locator,
                cit.start, cit.end, cit.number, ids[idx] if idx is not None else None, note_id,
            ))
    conn.executemany(
        "INSERT INTO citations (course, reading_id, passage_id, kind, text, authors, year,"
        " locator, start, end, number, entry_id, note_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return unlinked


# -- lookup -----------------------------------------------------------------------------------


def _row_to_entry(row: sqlite3.Row) -> BibEntry:
    return BibEntry(
        authors=tuple(json.loads(row["authors"])), year=row["year"], title=row["title"] or "",
        raw=row["raw"], container=row["container"], pages=row["pages"], url=row["url"],
        number=row["number"],
    )


def _words(text: str) -> list[str]:
    return [w for w in name_key(text).replace("-", " ").split() if w]


def score_entry(name_words: Sequence[str], years: Sequence[str], keys: Sequence[str],
                entry: BibEntry) -> float:
    """0-100: how well a loose query ("krasnr soverignty hypocrisy") describes an entry.

    Every query word must be accounted for by an author word or a title word (typos allowed);
    a given year must fit the entry's year, suffix and ranges included.
    """
    author_words = {w for k in keys for w in k.replace("-", " ").split()} | set(keys)
    title_words = {w for w in _words(entry.title) if len(w) > 2 and w not in STOPWORDS}
    if not name_words:
        return 0.0
    total, author_hit = 0.0, False
    joined = " ".join(name_words)
    for key in keys:  # a multi-word surname typed whole: "ribando seelke", "del villar"
        if " " in key and key in joined:
            author_hit = True
    for w in name_words:
        a = max((fuzz.ratio(w, x) for x in author_words), default=0.0)
        t = max((fuzz.ratio(w, x) for x in title_words), default=0.0)
        if a >= _NAME_HIT and (len(w) > 3 or a == 100):
            author_hit = True
            total += a
        elif t >= _TITLE_HIT:
            total += 0.9 * t
        elif a >= _NAME_HIT:
            total += a
    score = total / len(name_words)
    if not author_hit and score < 90:
        score *= 0.7  # a partial title match alone is a weak lead
    if years:
        fit = max(year_fit(y, entry.year) for y in years)
        score *= {1.0: 1.0, 0.6: 0.9}.get(fit, 0.3)
    return score


def check_cite_query(query: str | None) -> str:
    """The query with spaces tidied; raises InvalidQuery for what names no source."""
    cleaned = " ".join((query or "").split())
    if not cleaned:
        raise InvalidQuery('Give an author and a year or a few title words, e.g. "Krasner 1999".')
    if not any(ch.isalnum() for ch in cleaned):
        raise InvalidQuery("That cite query has no words in it, only punctuation.")
    if len(cleaned) > MAX_CITE_CHARS:
        raise InvalidQuery(
            f"A cite query is a name, a year or a few title words; that one is "
            f"{len(cleaned):,} characters long (at most {MAX_CITE_CHARS})."
        )
    return cleaned


def parse_query(query: str) -> tuple[list[str], list[str]]:
    """(name and title words, years) of a cite query; "et al.", initials, page numbers and "the"
    drop out, so a citation pasted as printed ("(Walker 1993-94: 43)") works as a query."""
    years = _QUERY_YEAR_RE.findall(query)
    rest = _QUERY_YEAR_RE.sub(" ", query)
    rest = re.sub(r"(?i)\bet\.?\s+al\b\.?|\b(?:eds?|pp?|vol|no)\.", " ", rest)
    every = _words(rest)
    kept = [w for w in every if w not in STOPWORDS and len(w) > 1 and not w.isdigit()]
    return kept or every, [y.lower() for y in years]


def lookup(
    conn: sqlite3.Connection,
    query: str,
    course: str,
    readings: Mapping[str, Reading],
    *,
    limit: int = 3,
) -> CiteResult:
    """Entries a query names, best first, each with the passages that cite it.

    `readings` are the course's readings by id: callers keep them cached (the digest looks up
    every citation in a discussion), so they are not read again per query."""
    name_words, years = parse_query(query)
    result = CiteResult(query=query)
    scored = []
    for row in conn.execute("SELECT * FROM bib_entries WHERE course = ?", (course,)):
        if years and max(year_fit(y, row["year"]) for y in years) == 0.0:
            continue  # a wrong year caps the score at 30, below MATCH_THRESHOLD: skip the work
        entry = _row_to_entry(row)
        s = score_entry(name_words, years, json.loads(row["keys"]), entry)
        if s >= MATCH_THRESHOLD:
            scored.append((s, -row["position"], row["id"], row["reading_id"], entry))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    for s, _, eid, rid, entry in scored[:limit]:
        if scored and s < scored[0][0] - 15:
            break
        result.matches.append(CiteMatch(round(s, 1), entry, readings.get(rid),
                                        tuple(_cited_in(conn, course, eid, readings))))
    if not result.matches:
        mentions = _mentions(conn, course, name_words, readings)
        if mentions:
            result.matches.append(CiteMatch(0.0, None, None, tuple(mentions)))
    return result


def _cited_in(conn: sqlite3.Connection, course: str, entry_id: str,
              readings: Mapping[str, Reading]) -> list[CitedIn]:
    from bot.core.index import row_to_passage  # index imports this module to store citations

    rows = conn.execute(
        "SELECT c.text AS citation, c.locator AS locator, p.* FROM citations c"
        " JOIN passages p ON p.course = c.course AND p.id = c.passage_id"
        " WHERE c.course = ? AND c.entry_id = ? ORDER BY c.reading_id, p.rowid, c.start",
        (course, entry_id),
    ).fetchall()
    out, seen = [], set()
    for row in rows:
        key = (row["id"], row["citation"])
        if key in seen:
            continue
        seen.add(key)
        out.append(CitedIn(row_to_passage(row), readings[row["reading_id"]], row["citation"],
                           row["locator"], "citation"))
    return out


def _mentions(conn: sqlite3.Connection, course: str, name_words: Sequence[str],
              readings: Mapping[str, Reading]) -> list[CitedIn]:
    """Passages naming every word of the query, for authors no reference list lists."""
    from bot.core.index import row_to_passage  # index imports this module to store citations

    words = [w for w in name_words if w not in STOPWORDS and len(w) > 1]
    if not words:
        return []
    expr = " AND ".join(f'"{w}"' for w in words)
    try:
        rows = conn.execute(
            "SELECT p.* FROM passages_fts f JOIN passages p ON p.rowid = f.rowid"
            f" WHERE passages_fts MATCH ? AND p.course = ? AND p.kind IN ({kinds_sql(TEXT_KINDS)})"
            " ORDER BY p.reading_id, p.rowid",
            (expr, course),
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)")
    out = []
    for row in rows:
        m = pattern.search(fold_aligned(row["text"]))
        if m:  # FTS stems; a mention needs the name itself
            out.append(CitedIn(row_to_passage(row), readings[row["reading_id"]],
                               row["text"][m.start() : m.end()], None, "mention"))
    return out


# -- how to cite a reading ------------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    """(given names, surname) from "Simon Reich" or "Reich, Simon"."""
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    surname = natural_surname(name)
    return name[: len(name) - len(surname)].strip(), surname


def _initials(given: str) -> str:
    return " ".join(f"{p[0]}." for p in re.split(r"[\s.]+", given) if p)


def how_to_cite(reading: Reading, page: int | None = None) -> dict[str, str]:
    """APA and Chicago author-date references to a reading, with in-text forms for a page."""
    names = [_split_name(a) for a in reading.authors if a.strip()]
    year = reading.year or "n.d."
    title = reading.title.rstrip(".")
    if names:
        apa_names = [f"{last}, {_initials(first)}".rstrip(", ") for first, last in names]
        apa_who = apa_names[0] if len(apa_names) == 1 else (
            ", ".join(apa_names[:-1]) + ", & " + apa_names[-1])
        first, last = names[0]
        chi = [f"{last}, {first}".rstrip(", ")] + [f"{f} {la}".strip() for f, la in names[1:]]
        chi_who = chi[0] if len(chi) == 1 else ", ".join(chi[:-1]) + ", and " + chi[-1]
        surnames = [last for _, last in names]
    else:  # no author: the title takes the author's place, as both styles prescribe
        short = title if len(title) <= 40 else title[:40].rsplit(" ", 1)[0] + "…"
        page_apa = f", p. {page}" if page is not None else ""
        page_chi = f", {page}" if page is not None else ""
        return {
            "apa": f"{title}. ({year}).",
            "chicago": f"\u201c{title}.\u201d {year}.",
            "apa_in_text": f"({short}, {year}{page_apa})",
            "chicago_in_text": f"(\u201c{short}\u201d {year}{page_chi})",
        }
    short_apa = surnames[0] if len(surnames) == 1 else (
        " & ".join(surnames) if len(surnames) == 2 else f"{surnames[0]} et al.")
    short_chi = short_apa.replace(" & ", " and ")
    page_apa = f", p. {page}" if page is not None else ""
    page_chi = f", {page}" if page is not None else ""
    return {
        "apa": f"{apa_who} ({year}). {title}.",
        "chicago": f"{chi_who.rstrip('.')}. {year}. \u201c{title}.\u201d",
        "apa_in_text": f"({short_apa}, {year}{page_apa})",
        "chicago_in_text": f"({short_chi} {year}{page_chi})",
    }
