"""`ask`: the passages that answer a question, from one course's readings.

The question becomes a `Query` (bot.core.search.ranking), its rarest words fetch candidates
(bot.core.search.retrieval), and ranking scores them. When nothing convincing is found the
answer says so, with words the readings do use and the readings themselves as next steps.
"""

from __future__ import annotations

import sqlite3
import threading

from rapidfuzz import fuzz, process

from bot.core.models import Answer, Hit, Reading
from bot.core.readings.store import readings_by_id
from bot.core.search.ranking import RANKING, Query, RankingConfig, build_query, is_confident, rerank
from bot.core.search.retrieval import Vocabulary, fetch_candidates, load_vocabulary, recall_terms
from bot.core.storage.database import Database
from bot.core.textnorm import content_words

# How close a reading's word must be to a word of the question to be suggested instead.
SUGGESTION_CUTOFF = 70
MAX_SUGGESTIONS = 8


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
            return Answer(question, (), False, suggestions(question, vocab))
        with self.db.read() as conn:
            rows = self._candidates(conn, query, vocab, top, reading)
            scored = rerank(query, rows, top, config=self.config)
            readings = self.readings(conn)
        hits = tuple(
            Hit(rank=i, score=round(score, 1), passage=p, reading=readings[p.reading_id],
                best_sentence=best)
            for i, (score, p, best) in enumerate(scored[:top], start=1)
        )
        confident = bool(hits) and is_confident(
            hits[0].score, hits[0].passage.text, query, config=self.config
        )
        found = () if confident else suggestions(question, vocab, list(readings.values()))
        return Answer(question, hits, confident, found)

    def _candidates(
        self, conn: sqlite3.Connection, query: Query, vocab: Vocabulary, top: int,
        reading: str | None,
    ) -> list[sqlite3.Row]:
        """Rows for the rarest terms; for all of them when that finds fewer than `top`."""
        recall = recall_terms(query.terms, vocab)
        rows = fetch_candidates(conn, self.course, recall, reading, vocab.compounds,
                                query.acronyms)
        if len(rows) < top and len(recall) < len(query.terms):
            rows = fetch_candidates(conn, self.course, query.terms, reading, vocab.compounds,
                                    query.acronyms)
        return rows


def suggestions(
    question: str, vocab: Vocabulary, readings: list[Reading] | None = None
) -> tuple[str, ...]:
    """Nearby words the readings do use, and the readings themselves, as a next step."""
    out: list[str] = []
    for word in content_words(question)[:6]:
        if word in vocab.df:
            continue
        match = process.extractOne(word, vocab.terms, scorer=fuzz.ratio,
                                   score_cutoff=SUGGESTION_CUTOFF)
        if match and match[0] not in out:
            out.append(match[0])
    for r in (readings or [])[:5]:
        out.append(r.title)
    return tuple(out[:MAX_SUGGESTIONS])
