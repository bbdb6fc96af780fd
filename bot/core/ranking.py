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

import itertools
import math
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.database import Database
from bot.core.index import READING_COLUMNS, row_to_passage, row_to_reading
from bot.core.models import ASKABLE_KINDS, Answer, Hit, Passage, Reading
from bot.core.textnorm import (
    COMPOUND_RE,
    STOPWORDS,
    compounds,
    content_words,
    fold,
    sentences,
    stem,
    words,
)

CANDIDATES = 120
# Below either floor the answer is "nothing convincing": the best passage must score well and
# hold a fair share of what the question asks about (measured on answerable and unanswerable
# questions; see tests/core/test_ranking.py).
CONFIDENT_SCORE = 45.0
CONFIDENT_COVERAGE = 0.35
W_COVERAGE, W_BM25, W_SENTENCE = 0.40, 0.20, 0.40
TYPO_CUTOFF = 85


@dataclass(slots=True)
class Vocabulary:
    df: dict[str, int]
    by_stem: dict[str, int]
    passages: int
    terms: list[str]
    compounds: dict[str, str]  # "decertify" -> "de certify" where the readings hyphenate it

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
        query = build_query(question, vocab)
        terms = query.terms
        if not terms:
            return Answer(question, (), False, self._suggest(question, vocab))
        with self.db.read() as conn:
            rows = fetch_candidates(conn, self.course, terms, reading, vocab.compounds)
            readings = {
                r["id"]: row_to_reading(r)
                for r in conn.execute(
                    f"SELECT {READING_COLUMNS} FROM readings WHERE course = ?", (self.course,)
                )
            }
        scored = rerank(query, rows)
        hits = tuple(
            Hit(rank=i, score=round(score, 1), passage=p, reading=readings[p.reading_id],
                best_sentence=best)
            for i, (score, p, best) in enumerate(scored[:top], start=1)
        )
        confident = (
            bool(hits)
            and hits[0].score >= CONFIDENT_SCORE
            and coverage(hits[0].passage.text, query) >= CONFIDENT_COVERAGE
        )
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
    joined: dict[str, str] = {}
    for (text,) in conn.execute(
        f"SELECT text FROM passages WHERE course = ? AND kind IN ({marks})", (course, *ASKABLE_KINDS)
    ):
        total += 1
        df.update(set(words(text)) | set(compounds(text)))
        for hyphenated in COMPOUND_RE.findall(fold(text)):
            joined[hyphenated.replace("-", "")] = hyphenated.replace("-", " ")
    by_stem: Counter[str] = Counter()
    for term, n in df.items():
        by_stem[stem(term)] += n
    terms = [t for t in df if len(t) > 2 and not t.isdigit() and t not in STOPWORDS]
    return Vocabulary(dict(df), dict(by_stem), total, terms, joined)


QUANTITY_QUESTION = re.compile(
    r"\bhow (much|many|big|large|long|often|old|far|high)\b|\bwhat (percentage|amount|number|"
    r"share|proportion|year)\b|\bwhen\b|\bcu[aá]nt[oa]s?\b",
    re.I,
)
CAUSE_QUESTION = re.compile(r"\bwhy\b|\bfor what reason\b|\bpor ?qu[eé]\b", re.I)
CAUSE_MARKERS = re.compile(
    r"\b(because|since|due to|owing to|so that|therefore|thus|as a result|reasons?|leads? to|"
    r"porque|debido)\b",
    re.I,
)
SPEECH_QUESTION = re.compile(
    r"\b(say|said|says|state|stated|declare|declared|quote|quoted|words|dijo)\b", re.I
)
QUOTATION = re.compile(r"[“”\"«»]")
# Answer-type cues: a quantity question is answered by a sentence with a number, a why-question
# by one that gives a cause, a what-did-X-say question by a quotation. Small bonuses: they break ties between equally relevant sentences.
ANSWER_TYPE_BONUS = 0.1
# Words that frame a question rather than name its subject ("why does X matter", "what
# happened"): they count, but little, so the subject decides the ranking.
FRAMING_WORDS = frozenset(
    "matter matters happen happened happens mean means meaning explain explains describe "
    "think know example examples important importance role reason reasons way ways kind kinds "
    "type types thing things main idea ideas point argue argues argument claim claims".split()
)
FRAMING_WEIGHT = 0.3
STEM_ONLY_CREDIT = 0.7  # "institutional" is weaker evidence for "institutionalization"


@dataclass(slots=True)
class Query:
    terms: list[str]
    weights: dict[str, float]  # stem -> weight
    exact: dict[str, set[str]]  # stem -> the exact (folded) words asked for
    wants_quantity: bool
    wants_cause: bool
    wants_speech: bool

    @property
    def total(self) -> float:
        return sum(self.weights.values())


def query_terms(question: str, vocab: Vocabulary) -> list[str]:
    """Content words, typo-corrected against the words the readings actually use."""
    raw = content_words(question) or [w for w in words(question) if len(w) > 1]
    out: list[str] = []
    for term in raw:
        if term not in vocab.df and stem(term) not in vocab.by_stem and len(term) >= 4 and not term.isdigit():
            match = process.extractOne(term, vocab.terms, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            if match is not None and match[0] not in out:
                out.append(match[0])
        if term and term not in out:
            out.append(term)
    return out[:32]


def build_query(question: str, vocab: Vocabulary) -> Query:
    terms = query_terms(question, vocab)
    weights: dict[str, float] = {}
    exact: dict[str, set[str]] = {}
    for t in terms:
        key = stem(t)
        weight = vocab.idf(t)
        if t in FRAMING_WORDS:
            weight *= FRAMING_WEIGHT
        weights[key] = max(weights.get(key, 0.0), weight)
        exact.setdefault(key, set()).add(t)
    return Query(
        terms, weights, exact,
        wants_quantity=bool(QUANTITY_QUESTION.search(question)),
        wants_cause=bool(CAUSE_QUESTION.search(question)),
        wants_speech=bool(SPEECH_QUESTION.search(question)),
    )


def passage_stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)} | {stem(c) for c in compounds(text)}


def coverage(text: str, query: Query) -> float:
    """Share of the question's weight the text holds; a same-stem different word counts less."""
    if not query.total:
        return 0.0
    tokens = set(words(text)) | set(compounds(text))
    stems_ = {stem(w) for w in tokens}
    got = 0.0
    for key, weight in query.weights.items():
        if query.exact[key] & tokens:
            got += weight
        elif key in stems_:
            got += weight * STEM_ONLY_CREDIT
    return got / query.total


def fts_query(terms: list[str], compounds_: dict[str, str] | None = None) -> str:
    """Every term quoted (so `?`, `-`, `:`, `NEAR(` and friends are plain text), OR-ed; a
    word the readings hyphenate is also looked up as the phrase they print."""
    phrases = list(terms)
    for t in terms:
        if compounds_ and t in compounds_:
            phrases.append(compounds_[t])
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in phrases)


def fetch_candidates(
    conn: sqlite3.Connection, course: str, terms: list[str], reading: str | None,
    compounds_: dict[str, str] | None = None,
) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(ASKABLE_KINDS))
    sql = (
        "SELECT p.*, bm25(passages_fts, 1.0, 0.4) AS bm FROM passages_fts"
        " JOIN passages p ON p.rowid = passages_fts.rowid"
        f" WHERE passages_fts MATCH ? AND p.course = ? AND p.kind IN ({marks})"
    )
    args: list[object] = [fts_query(terms, compounds_), course, *ASKABLE_KINDS]
    if reading:
        sql += " AND p.reading_id = ?"
        args.append(reading)
    sql += " ORDER BY bm LIMIT ?"
    args.append(CANDIDATES)
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []  # a query FTS5 still cannot parse finds nothing rather than failing


def rerank(query: Query, rows: list[sqlite3.Row]) -> list[tuple[float, Passage, str]]:
    if not rows:
        return []
    q_text = " ".join(query.terms)
    best_bm = min(r["bm"] for r in rows) or -1.0
    out: list[tuple[float, Passage, str]] = []
    for row in rows:
        passage = row_to_passage(row)
        cov = coverage(passage.text, query)
        bm = row["bm"] / best_bm if best_bm < 0 else 0.0
        sent_score, best = best_sentence(passage.text, q_text, query)
        score = 100.0 * (W_COVERAGE * cov + W_BM25 * bm + W_SENTENCE * sent_score)
        out.append((min(score, 100.0), passage, best))
    out.sort(key=lambda item: -item[0])
    return out


def best_sentence(text: str, q_text: str, query: Query) -> tuple[float, str]:
    """The sentence (or adjacent pair) that best answers; its score is in 0..1."""
    sents = sentences(text) or [text]
    windows = sents + [f"{a} {b}" for a, b in itertools.pairwise(sents)]
    best_score, best_text = -1.0, sents[0]
    for i, window in enumerate(windows):
        cov = coverage(window, query)
        if i >= len(sents):
            cov *= 0.92  # a pair must beat a single sentence clearly to be highlighted
        sim = fuzz.token_set_ratio(q_text, " ".join(w for w in words(window) if w not in STOPWORDS)) / 100
        score = 0.75 * cov + 0.25 * sim
        if query.wants_quantity and re.search(r"\d", window):
            score += ANSWER_TYPE_BONUS
        if query.wants_cause and CAUSE_MARKERS.search(window):
            score += ANSWER_TYPE_BONUS
        if query.wants_speech and QUOTATION.search(window):
            score += ANSWER_TYPE_BONUS
        if score > best_score:
            best_score, best_text = score, window
    return min(max(best_score, 0.0), 1.0), best_text
