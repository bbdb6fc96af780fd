"""Getting candidate passages out of the index: what ask, quote and cite all start from.

- the vocabulary: which words the course's readings use, in how many passages, and how they
  print hyphenated words (kept at index time, see bot.core.readings.store);
- FTS5 queries built from words, every one quoted, so nothing a student types (`NEAR(`, `"`,
  `*`, `-`, `OR`, `:`, parentheses) is ever FTS syntax: a query FTS5 rejects is a bug, and
  sqlite3 errors propagate;
- candidate fetching: the best rows by bm25 within a budget, a course's whole (small) text,
  the passages naming every word of a name.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.models import ASKABLE_KINDS, PassageKind, kinds_sql
from bot.core.readings.store import load_terms
from bot.core.textnorm import STOPWORDS, stem

CANDIDATES = 120
# FTS5 computes bm25 for every row the OR query matches, so recall costs about as much as the
# terms' postings: at 100k passages a question with a few corpus-common words matched half the
# index (bench/RESULTS.md). Past this many postings the commonest terms are left out of the
# recall query only; the rerank still weighs them. Small courses never reach it.
RECALL_POSTINGS = 10_000
# The best rows of the whole index are fetched first and filtered to the course afterwards:
# joining every match to `passages` before ranking cost as much as the search itself at 100k
# passages. This many rows leave room for other courses' and non-askable rows.
PREFETCH = 4 * CANDIDATES


@dataclass(slots=True)
class Vocabulary:
    df: dict[str, int]
    by_stem: dict[str, int]
    passages: int
    terms: list[str]
    compounds: dict[str, str]  # "decertify" -> "de certify" where the readings hyphenate it
    forms: dict[str, list[str]]  # stem -> the words of the readings with that stem

    def idf(self, term: str) -> float:
        n = self.by_stem.get(stem(term), 0)
        return math.log((self.passages - n + 0.5) / (n + 0.5) + 1.0)


def load_vocabulary(conn: sqlite3.Connection, course: str) -> Vocabulary:
    df, joined = load_terms(conn, course)
    (total,) = conn.execute(
        f"SELECT count(*) FROM passages WHERE course = ? AND kind IN ({kinds_sql(ASKABLE_KINDS)})",
        (course,),
    ).fetchone()
    by_stem: Counter[str] = Counter()
    forms: dict[str, list[str]] = {}
    for term, n in df.items():
        key = stem(term)
        by_stem[key] += n
        forms.setdefault(key, []).append(term)
    terms = [t for t in df if len(t) > 2 and not t.isdigit() and t not in STOPWORDS]
    return Vocabulary(df, dict(by_stem), total, terms, joined, forms)


# -- FTS5 queries ----------------------------------------------------------------------------


def phrase(text: str) -> str:
    """`text` as an FTS5 string: whatever it holds is matched as words, never as syntax.

    FTS5 reads a NUL as the end of the query ("unterminated string"); it separates words like
    any other non-word character, so it becomes a space."""
    return '"' + text.replace('"', '""').replace("\x00", " ") + '"'


def fts_query(
    terms: Sequence[str],
    compounds_: dict[str, str] | None = None,
    acronyms: Iterable[str] = (),
) -> str:
    """Any of the terms; a word the readings hyphenate is also looked up as the phrase they
    print, and a possible abbreviation as words starting with its letters ("gdp" -> g* + d* +
    p*)."""
    phrases = list(terms)
    for t in terms:
        if compounds_ and t in compounds_:
            phrases.append(compounds_[t])
    quoted = [phrase(t) for t in phrases]
    quoted += [" + ".join(f"{phrase(letter)}*" for letter in a) for a in sorted(acronyms)]
    return " OR ".join(quoted)


def fts_all_of(words: Sequence[str]) -> str:
    """Every one of the words."""
    return " AND ".join(phrase(w) for w in words)


# -- candidates ------------------------------------------------------------------------------


def recall_terms(
    terms: list[str], vocab: Vocabulary, budget: int = RECALL_POSTINGS
) -> list[str]:
    """The rarest terms whose postings fit the budget (at least one), in question order."""
    kept: set[str] = set()
    postings = 0
    for term in sorted(terms, key=lambda t: vocab.by_stem.get(stem(t), 0)):
        postings += vocab.by_stem.get(stem(term), 0)
        if kept and postings > budget:
            break
        kept.add(term)
    return [t for t in terms if t in kept]


def fetch_candidates(
    conn: sqlite3.Connection, course: str, terms: list[str], reading: str | None,
    compounds_: dict[str, str] | None = None, acronyms: frozenset[str] = frozenset(),
    *, kinds: tuple[PassageKind, ...] = ASKABLE_KINDS, limit: int = CANDIDATES,
) -> list[sqlite3.Row]:
    """The course's `limit` best rows of `kinds` by bm25 (column `bm`), exactly: from the
    index-wide best `PREFETCH` when enough of them qualify, else by filtering every match."""
    expr = fts_query(terms, compounds_, acronyms)
    filters = f"p.course = ? AND p.kind IN ({kinds_sql(kinds)})" + (
        " AND p.reading_id = ?" if reading else ""
    )
    args: list[object] = [course, *([reading] if reading else [])]
    if not reading:
        prefetch = max(PREFETCH, 4 * limit)
        rows = conn.execute(
            "SELECT p.*, best.bm FROM (SELECT rowid AS rid, bm25(passages_fts, 1.0, 0.4) AS bm"
            " FROM passages_fts WHERE passages_fts MATCH ? ORDER BY bm LIMIT ?) AS best"
            f" JOIN passages p ON p.rowid = best.rid WHERE {filters} ORDER BY best.bm LIMIT ?",
            [expr, prefetch, *args, limit],
        ).fetchall()
        if len(rows) == limit or _matches(conn, expr) <= prefetch:
            return rows  # enough rows, or every match was looked at
    return conn.execute(
        "SELECT p.*, bm25(passages_fts, 1.0, 0.4) AS bm FROM passages_fts"
        " JOIN passages p ON p.rowid = passages_fts.rowid"
        f" WHERE passages_fts MATCH ? AND {filters} ORDER BY bm LIMIT ?",
        [expr, *args, limit],
    ).fetchall()


def _matches(conn: sqlite3.Connection, expr: str) -> int:
    (n,) = conn.execute(
        "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (expr,)
    ).fetchone()
    return int(n)


def course_passages(
    conn: sqlite3.Connection, course: str, kinds: tuple[PassageKind, ...], *, at_most: int
) -> list[sqlite3.Row] | None:
    """Every passage of `kinds` in the course, in order; None when there are more than
    `at_most` (counting stops there: a full count took 30 ms at 100k passages)."""
    marks = kinds_sql(kinds)
    (total,) = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM passages WHERE course = ? AND kind IN ({marks})"
        " LIMIT ?)", (course, at_most + 1),
    ).fetchone()
    if total > at_most:
        return None
    return conn.execute(
        f"SELECT * FROM passages WHERE course = ? AND kind IN ({marks}) ORDER BY rowid", (course,)
    ).fetchall()


def passages_with_all(
    conn: sqlite3.Connection, course: str, words: Sequence[str], kinds: tuple[PassageKind, ...]
) -> list[sqlite3.Row]:
    """The course's passages of `kinds` whose (stemmed) words include all of `words`, by
    reading and in reading order."""
    return conn.execute(
        "SELECT p.* FROM passages_fts f JOIN passages p ON p.rowid = f.rowid"
        f" WHERE passages_fts MATCH ? AND p.course = ? AND p.kind IN ({kinds_sql(kinds)})"
        " ORDER BY p.reading_id, p.rowid",
        (fts_all_of(words), course),
    ).fetchall()
