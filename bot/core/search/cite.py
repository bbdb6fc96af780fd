"""`cite`: which reference-list entry a loose query means, and the passages citing it.

Entries and citations are stored at index time (`bot.core.references.store`); this module only
reads them. When no reference list names the author, passages that mention the name instead.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz

from bot.core.errors import InvalidQuery
from bot.core.models import (
    TEXT_KINDS,
    BibEntry,
    CitationKind,
    CitedIn,
    CiteMatch,
    CiteResult,
    Reading,
)
from bot.core.readings.store import row_to_passage
from bot.core.references.bibliography import NO_DATE, YEAR, canonical_year
from bot.core.references.citations import (
    name_key,
    year_fit,
)
from bot.core.references.store import row_to_entry
from bot.core.search.retrieval import passages_with_all
from bot.core.textnorm import STOPWORDS, fold_aligned

MATCH_THRESHOLD = 60.0
NO_YEAR_FACTOR = 0.85  # the entry prints no date the parser could read
NO_DATE_FACTOR = 0.75  # the entry says it has none: "n.d.", "o.J.", "in press"
MAX_CITE_CHARS = 300
_NAME_HIT = 80.0
_TITLE_HIT = 85.0
_QUERY_YEAR_RE = re.compile(rf"(?<![\w-])(?:{YEAR})(?![\w-])", re.IGNORECASE)


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
        score *= _year_factor(years, entry.year)
    return score


def _year_factor(years: Sequence[str], listed: str | None) -> float:
    """A wrong year all but rules an entry out; an entry with no year ("n.d.", or none the
    parser could read) is still found by its names and title words, below a dated match."""
    fit = max(year_fit(y, listed) for y in years)
    if fit == 0.0 and listed is None:
        return NO_YEAR_FACTOR
    if fit == 0.0 and canonical_year(listed) in NO_DATE:
        return NO_DATE_FACTOR
    return {1.0: 1.0, 0.6: 0.9}.get(fit, 0.3)


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
        if years and _year_factor(years, row["year"]) * 100 < MATCH_THRESHOLD:
            continue  # a wrong year caps the score at 30, below MATCH_THRESHOLD: skip the work
        entry = row_to_entry(row)
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
                           row["locator"], CitationKind.CITATION))
    return out


def _mentions(conn: sqlite3.Connection, course: str, name_words: Sequence[str],
              readings: Mapping[str, Reading]) -> list[CitedIn]:
    """Passages naming every word of the query, for authors no reference list lists."""
    words = [w for w in name_words if w not in STOPWORDS and len(w) > 1]
    if not words:
        return []
    rows = passages_with_all(conn, course, words, TEXT_KINDS)
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)")
    out = []
    for row in rows:
        m = pattern.search(fold_aligned(row["text"]))
        if m:  # FTS stems; a mention needs the name itself
            out.append(CitedIn(row_to_passage(row), readings[row["reading_id"]],
                               row["text"][m.start() : m.end()], None, CitationKind.MENTION))
    return out
