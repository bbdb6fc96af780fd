"""Rank passages for a question: lexical recall from FTS5, then a fuzzy, sentence-aware rerank.

Why this shape (measured on the development questions, see the README's "How answers are
ranked"): BM25 alone misses paraphrases and prefers long passages; rapidfuzz alone over whole
passages is length-biased and slow at scale. So:

1. The question's content words are folded (case, accents), typo-corrected against the index
   vocabulary, and sent to FTS5 as a quoted OR query (Porter-stemmed, accent-free) to collect
   candidates cheaply, with their BM25 scores.
2. Each candidate is rescored by (a) how much of the question's IDF weight it covers, (b) its
   BM25 relative to the best candidate, and (c) its best single sentence (or pair of
   sentences): term coverage plus a rapidfuzz token-set similarity. The best sentence is what
   the surfaces highlight.

The final score is on a 0-100 scale: 0 shares nothing with the question, 100 contains all its
content words in one sentence and is the strongest BM25 match. Below `CONFIDENT` the bot says
it found nothing convincing instead of presenting noise as an answer.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.database import Database
from bot.core.index import READING_COLUMNS, row_to_passage, row_to_reading
from bot.core.models import ASKABLE_KINDS, Answer, Hit, Passage, Reading
from bot.core.textnorm import STOPWORDS, content_words, sentences, stem, words

CANDIDATES = 120
CONFIDENT = 30.0  # below this the answer is "nothing convincing"
W_COVERAGE, W_BM25, W_SENTENCE = 0.40, 0.20, 0.40
TYPO_CUTOFF = 82


@dataclass(slots=True)
class Vocabulary:
    df: dict[str, int]
    by_stem: dict[str, int]
    passages: int
    terms: list[str]

    def idf(self, term: str) -> float:
        n = self.by_stem.get(stem(term), 0)
        return math.log((self.passages - n + 0.5) / (n + 0.5) + 1.0)


class Searcher:
    """Ranks one course's passages; caches the vocabulary until the index changes."""

    def __init__(self, db: Database, course: str) -> None:
        self.db = db
        self.course = course
        self._vocab: Vocabulary | None = None
        self._lock = threading.Lock()

    def vocabulary(self) -> Vocabulary:
        with self._lock:
            if self._vocab is None:
                with self.db.read() as conn:
                    self._vocab = load_vocabulary(conn, self.course)
            return self._vocab

    def ask(self, question: str, *, top: int = 5, reading: str | None = None) -> Answer:
        vocab = self.vocabulary()
        terms = query_terms(question, vocab)
        if not terms:
            return Answer(question, (), False, self._suggest(question, vocab))
        with self.db.read() as conn:
            rows = fetch_candidates(conn, self.course, terms, reading)
            readings = {
                r["id"]: row_to_reading(r)
                for r in conn.execute(
                    f"SELECT {READING_COLUMNS} FROM readings WHERE course = ?", (self.course,)
                )
            }
        scored = rerank(question, terms, rows, vocab)
        hits = tuple(
            Hit(rank=i, score=round(score, 1), passage=p, reading=readings[p.reading_id],
                best_sentence=best)
            for i, (score, p, best) in enumerate(scored[:top], start=1)
        )
        confident = bool(hits) and hits[0].score >= CONFIDENT
        suggestions = () if confident else self._suggest(question, vocab, list(readings.values()))
        return Answer(question, hits, confident, suggestions)

    def _suggest(
        self, question: str, vocab: Vocabulary, readings: list[Reading] | None = None
    ) -> tuple[str, ...]:
        """Nearby words the readings do use, and the readings themselves, as a next step."""
        out: list[str] = []
        for word in content_words(question)[:6]:
            if word in vocab.df:
                continue
            match = process.extractOne(word, vocab.terms, scorer=fuzz.ratio, score_cutoff=70)
            if match and match[0] not in out:
                out.append(match[0])
        for r in (readings or [])[:5]:
            out.append(r.title)
        return tuple(out[:8])


def load_vocabulary(conn: sqlite3.Connection, course: str) -> Vocabulary:
    df: Counter[str] = Counter()
    marks = ",".join("?" * len(ASKABLE_KINDS))
    total = 0
    for (text,) in conn.execute(
        f"SELECT text FROM passages WHERE course = ? AND kind IN ({marks})", (course, *ASKABLE_KINDS)
    ):
        total += 1
        df.update(set(words(text)))
    by_stem: Counter[str] = Counter()
    for term, n in df.items():
        by_stem[stem(term)] += n
    terms = [t for t in df if len(t) > 2 and not t.isdigit() and t not in STOPWORDS]
    return Vocabulary(dict(df), dict(by_stem), total, terms)


def query_terms(question: str, vocab: Vocabulary) -> list[str]:
    """Content words, typo-corrected against the words the readings actually use."""
    raw = content_words(question) or [w for w in words(question) if len(w) > 1]
    out: list[str] = []
    for word in raw:
        term = word.replace("'", "")
        if term not in vocab.df and stem(term) not in vocab.by_stem and len(term) >= 4 and not term.isdigit():
            match = process.extractOne(term, vocab.terms, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            if match is not None:
                term = match[0]
        if term and term not in out:
            out.append(term)
    return out[:32]


def fts_query(terms: list[str]) -> str:
    """Every term quoted (so `?`, `-`, `:`, `NEAR(` and friends are plain text), OR-ed."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def fetch_candidates(
    conn: sqlite3.Connection, course: str, terms: list[str], reading: str | None
) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(ASKABLE_KINDS))
    sql = (
        "SELECT p.*, bm25(passages_fts, 1.0, 0.4) AS bm FROM passages_fts"
        " JOIN passages p ON p.rowid = passages_fts.rowid"
        f" WHERE passages_fts MATCH ? AND p.course = ? AND p.kind IN ({marks})"
    )
    args: list[object] = [fts_query(terms), course, *ASKABLE_KINDS]
    if reading:
        sql += " AND p.reading_id = ?"
        args.append(reading)
    sql += " ORDER BY bm LIMIT ?"
    args.append(CANDIDATES)
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []  # a query FTS5 still cannot parse finds nothing rather than failing


def _coverage(stems: set[str], weights: dict[str, float], total: float) -> float:
    return sum(w for s, w in weights.items() if s in stems) / total if total else 0.0


def rerank(
    question: str, terms: list[str], rows: list[sqlite3.Row], vocab: Vocabulary
) -> list[tuple[float, Passage, str]]:
    if not rows:
        return []
    weights: dict[str, float] = {}
    for t in terms:
        weights[stem(t)] = max(weights.get(stem(t), 0.0), vocab.idf(t))
    total = sum(weights.values())
    q_text = " ".join(terms)
    best_bm = min(r["bm"] for r in rows) or -1.0
    out: list[tuple[float, Passage, str]] = []
    for row in rows:
        passage = row_to_passage(row)
        p_stems = {stem(w) for w in words(passage.text)}
        coverage = _coverage(p_stems, weights, total)
        bm = row["bm"] / best_bm if best_bm < 0 else 0.0
        sent_score, best = best_sentence(passage.text, q_text, weights, total)
        score = 100.0 * (W_COVERAGE * coverage + W_BM25 * bm + W_SENTENCE * sent_score)
        out.append((score, passage, best))
    out.sort(key=lambda item: -item[0])
    return out


def best_sentence(
    text: str, q_text: str, weights: dict[str, float], total: float
) -> tuple[float, str]:
    """The sentence (or adjacent pair) that best answers; its score is in 0..1."""
    sents = sentences(text) or [text]
    windows = sents + [f"{a} {b}" for a, b in zip(sents, sents[1:], strict=False)]
    best_score, best_text = -1.0, sents[0]
    for i, window in enumerate(windows):
        stems_ = [stem(w) for w in words(window)]
        cov = _coverage(set(stems_), weights, total)
        if i >= len(sents):
            cov *= 0.92  # a pair must beat a single sentence clearly to be highlighted
        sim = fuzz.token_set_ratio(q_text, " ".join(w for w in words(window) if w not in STOPWORDS)) / 100
        score = 0.75 * cov + 0.25 * sim
        if score > best_score:
            best_score, best_text = score, window
    return max(best_score, 0.0), best_text
