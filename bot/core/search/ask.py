"""`ask`: the passages that answer a question, from one course's readings.

The question becomes a `Query` (bot.core.search.ranking), its rarest words fetch candidates
(bot.core.search.retrieval), and ranking scores them. When nothing convincing is found the
answer says so, with words the readings do use and the readings themselves as next steps.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Sequence

from bot.core.models import Answer, Hit, Reading
from bot.core.readings.store import readings_by_id
from bot.core.search.ranking import (
    FRAMING_WORDS,
    RANKING,
    Query,
    RankingConfig,
    build_query,
    coverage,
    evidence,
    is_confident,
    rerank,
)
from bot.core.search.retrieval import (
    WIDER_POSTINGS,
    Vocabulary,
    context_texts,
    fetch_candidates,
    load_vocabulary,
    recall_terms,
    term_key,
)
from bot.core.storage.database import Database
from bot.core.textnorm import STOPWORDS, WORD_RE, fold

MAX_SUGGESTIONS = 8
SUGGESTED_TERMS = 5
MIN_SUGGESTED_LENGTH = 4  # "tal", "ing": the debris of hyphenation and page breaks
MIN_SUGGESTED_DF = 2  # a word printed once is more likely a fragment than a topic
# Passages holding less of the question than this are not near it: their words would be
# noise ("pizza near campus" -> "information").
NEAR_COVERAGE = 0.3


class Searcher:
    """Ranks one course's passages; caches the vocabulary until the index changes."""

    def __init__(self, db: Database, course: str, *, config: RankingConfig = RANKING) -> None:
        self.db = db
        self.course = course
        self.config = config
        self._vocab: Vocabulary | None = None
        self._reading_cache: dict[str, Reading] | None = None
        self._lock = threading.Lock()

    def vocabulary(self) -> Vocabulary:
        with self._lock:
            if self._vocab is None:
                with self.db.read() as conn:
                    self._vocab = load_vocabulary(conn, self.course)
            return self._vocab

    def readings(self, conn: sqlite3.Connection) -> dict[str, Reading]:
        """The course's readings, cached like the vocabulary: a department has hundreds."""
        with self._lock:
            if self._reading_cache is None:
                self._reading_cache = readings_by_id(conn, self.course)
            return self._reading_cache

    def ask(self, question: str, *, top: int = 5, reading: str | None = None) -> Answer:
        vocab = self.vocabulary()
        query = build_query(question, vocab, config=self.config)
        if not query.terms:
            with self.db.read() as conn:
                readings = self.readings(conn)
            return Answer(question, (), False, suggestions(query, (), vocab, readings))
        with self.db.read() as conn:
            rows = self._candidates(conn, query, vocab, top, reading)
            context = context_texts(conn, rows)
            scored = rerank(query, rows, top, config=self.config, context=context)
            readings = self.readings(conn)
        hits = tuple(
            Hit(rank=i, score=round(min(score, 100.0), 1), passage=p,
                reading=readings[p.reading_id], best_sentence=best)
            for i, (score, p, best) in enumerate(scored[:top], start=1)
        )
        confident = bool(hits) and is_confident(evidence(
            scored, query, _context_of(rows, context, hits[0].passage.id), config=self.config,
        ), config=self.config)
        found = () if confident else suggestions(query, hits, vocab, readings)
        return Answer(question, hits, confident, found)

    def _candidates(
        self, conn: sqlite3.Connection, query: Query, vocab: Vocabulary, top: int,
        reading: str | None,
    ) -> list[sqlite3.Row]:
        """Rows for the rarest terms; for more of them when that finds fewer than `top`.

        A possible abbreviation is searched as words starting with its letters only when the
        words find nothing: a prefix of one letter matches most of a large index (at 100k
        passages "never" read as n* + e* + v* + e* + r* cost 200 ms), and the rerank credits a
        spelled-out name among the candidates the other words find anyway."""
        recall = recall_terms(query.terms, vocab)
        rows = fetch_candidates(conn, self.course, recall, reading, vocab.compounds)
        if len(rows) < top and len(recall) < len(query.terms):
            wider = recall_terms(query.terms, vocab, WIDER_POSTINGS)
            if len(wider) > len(recall):
                rows = fetch_candidates(conn, self.course, wider, reading, vocab.compounds)
        if not rows and query.acronyms:
            rows = fetch_candidates(conn, self.course, query.terms, reading, vocab.compounds,
                                    query.acronyms)
        return rows


def _context_of(rows: list[sqlite3.Row], context: dict[int, str], passage_id: str) -> str:
    return next((context.get(r["rowid"], "") for r in rows if r["id"] == passage_id), "")


def suggestions(
    query: Query, hits: Sequence[Hit], vocab: Vocabulary, readings: dict[str, Reading]
) -> tuple[str, ...]:
    """What to try next when nothing convincing was found: the readings' words for those the
    question misspelt, the subject words of the closest passages (as printed, never a
    function word or a fragment), then the readings those passages are in (else the course's
    readings)."""
    close = [h for h in hits if coverage(h.passage.text, query) >= NEAR_COVERAGE]
    terms = [*query.corrections, *_nearby_terms(query, close, vocab)]
    near = list(dict.fromkeys(h.passage.reading_id for h in hits)) or list(readings)
    titles = [readings[r].title for r in near if r in readings][:3]
    return tuple(dict.fromkeys([*terms[:SUGGESTED_TERMS], *titles]))[:MAX_SUGGESTIONS]


def _nearby_terms(query: Query, hits: Sequence[Hit], vocab: Vocabulary) -> list[str]:
    """Words and two-word phrases that several of the closest passages share, weighted by
    their rarity in the readings: what those passages are about, in their own words."""
    found_in: dict[str, int] = defaultdict(int)  # in how many of the hits
    times: dict[str, int] = defaultdict(int)  # how often in all of them
    printed: dict[str, str] = {}  # as printed: "Mérida", "DTOS"; lower case at a sentence start
    for hit in hits:
        seen: set[str] = set()
        previous = None
        for match in WORD_RE.finditer(hit.passage.text):
            word = match.group()
            folded = fold(word)
            if not _suggestable(folded, vocab):
                previous = None
                continue
            before = hit.passage.text[max(0, match.start() - 2):match.start()]
            if not re.search(r"[.!?:]\s*$|^$", before):  # a capital that is not a sentence's
                printed[folded] = word if printed.get(folded, word) == word else folded
            times[folded] += 1
            seen.add(folded)
            if previous is not None:
                seen.add(f"{previous} {folded}")
            previous = folded
        for term in seen:
            found_in[term] += 1
    # A phrase must recur in two passages; a single word, three times besides (a word used
    # once in each passage is usually the language of the field, not its subject).
    scores = {t: n * _rarity(t, vocab) for t, n in found_in.items()
              if n >= 2 and (" " in t or times[t] >= 3) and not _asked(t, query)}
    out: list[str] = []
    for term in sorted(scores, key=lambda t: (-scores[t], t)):
        if any(term in kept or kept in term for kept in out):
            continue
        out.append(term)
        if len(out) == SUGGESTED_TERMS:
            break
    return [" ".join(printed.get(w, w) for w in t.split()) for t in out]


def _rarity(term: str, vocab: Vocabulary) -> float:
    return sum(vocab.idf(w) for w in term.split())


def _suggestable(word: str, vocab: Vocabulary) -> bool:
    return (
        len(word) >= MIN_SUGGESTED_LENGTH and word.isalpha() and word not in STOPWORDS
        and word not in FRAMING_WORDS and vocab.df.get(word, 0) >= MIN_SUGGESTED_DF
    )


def _asked(term: str, query: Query) -> bool:
    """Every word of `term` is in the question already: suggesting it says nothing new (a
    phrase with one new word does: "cattle fair" for a question about the fair)."""
    return all(term_key(w) in query.weights for w in term.split())
