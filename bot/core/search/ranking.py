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

import heapq
import itertools
import math
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.models import ASKABLE_KINDS, Answer, Hit, Passage, Reading
from bot.core.readings.store import load_terms, readings_by_id, row_to_passage
from bot.core.storage.database import Database
from bot.core.textnorm import (
    STOPWORDS,
    content_words,
    initialisms,
    sentences,
    stem,
    word_forms,
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
    forms: dict[str, list[str]]  # stem -> the words of the readings with that stem

    def idf(self, term: str) -> float:
        n = self.by_stem.get(stem(term), 0)
        return math.log((self.passages - n + 0.5) / (n + 0.5) + 1.0)


class Searcher:
    """Ranks one course's passages; caches the vocabulary until the index changes."""

    def __init__(self, db: Database, course: str) -> None:
        self.db = db
        self.course = course
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
        query = build_query(question, vocab)
        terms = query.terms
        if not terms:
            return Answer(question, (), False, self._suggest(question, vocab))
        with self.db.read() as conn:
            recall = recall_terms(terms, vocab)
            rows = fetch_candidates(
                conn, self.course, recall, reading, vocab.compounds, query.acronyms
            )
            if len(rows) < top and len(recall) < len(terms):
                rows = fetch_candidates(
                    conn, self.course, terms, reading, vocab.compounds, query.acronyms
                )
            scored = rerank(query, rows, top)
            readings = self.readings(conn)
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
    df, joined = load_terms(conn, course)
    marks = ",".join("?" * len(ASKABLE_KINDS))
    (total,) = conn.execute(
        f"SELECT count(*) FROM passages WHERE course = ? AND kind IN ({marks})",
        (course, *ASKABLE_KINDS),
    ).fetchone()
    by_stem: Counter[str] = Counter()
    forms: dict[str, list[str]] = {}
    for term, n in df.items():
        key = stem(term)
        by_stem[key] += n
        forms.setdefault(key, []).append(term)
    terms = [t for t in df if len(t) > 2 and not t.isdigit() and t not in STOPWORDS]
    return Vocabulary(df, dict(by_stem), total, terms, joined, forms)


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
LIST_QUESTION = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?\w+s\b|"
    r"\bwhat (?:are|were) the (?:main |different )?\w+s\b",
    re.I,
)
ENUMERATION = re.compile(r"\w[^,;.]*,[^,;.]+,?\s+(?:and|or|y)\s+\w")
# Answer-type cues: a quantity question is answered by a sentence with a number, a why-question
# by one that gives a cause, a what-did-X-say question by a quotation, a "what are the three
# kinds of X" question by an enumeration ("a, b, and c"). Small bonuses: they break ties
# between equally relevant sentences.
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
    # stem -> every word of the readings with that stem: a passage's words are all in the
    # vocabulary, so a set intersection finds same-stem words without stemming the passage.
    forms: dict[str, frozenset[str]]
    wants_quantity: bool
    wants_cause: bool
    wants_speech: bool
    wants_list: bool = False
    # Words the readings never use that could be abbreviations of a name they spell out.
    acronyms: frozenset[str] = frozenset()

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


# FTS5 computes bm25 for every row the OR query matches, so recall costs about as much as the
# terms' postings: at 100k passages a question with a few corpus-common words matched half the
# index (bench/RESULTS.md). Past this many postings the commonest terms are left out of the
# recall query only; the rerank still weighs them. Small courses never reach it.
RECALL_POSTINGS = 10_000


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
        forms={key: frozenset(vocab.forms.get(key, ())) for key in weights},
        wants_quantity=bool(QUANTITY_QUESTION.search(question)),
        wants_cause=bool(CAUSE_QUESTION.search(question)),
        wants_speech=bool(SPEECH_QUESTION.search(question)),
        wants_list=bool(LIST_QUESTION.search(question)),
        acronyms=frozenset(t for t in terms if is_acronym_candidate(t, vocab)),
    )


ACRONYM_LENGTHS = range(3, 7)  # two letters match too many word pairs by chance


def is_acronym_candidate(term: str, vocab: Vocabulary) -> bool:
    return term.isalpha() and len(term) in ACRONYM_LENGTHS and term not in vocab.df


def coverage(text: str, query: Query) -> float:
    """Share of the question's weight the text holds; a same-stem different word counts less."""
    return coverage_of(*word_forms(text), query)


def coverage_of(words_: list[str], compounds_: list[str], query: Query) -> float:
    """`coverage` over already tokenised text: ranking tokenises each passage once and reuses
    the tokens for the passage, its sentences and their pairs."""
    if not query.total:
        return 0.0
    tokens = set(words_)
    tokens.update(compounds_)
    if query.acronyms:
        tokens |= initialisms(words_, {len(a) for a in query.acronyms}) & query.acronyms
    got = 0.0
    for key, weight in query.weights.items():
        if not tokens.isdisjoint(query.exact[key]):
            got += weight
        elif not tokens.isdisjoint(query.forms[key]):
            got += weight * STEM_ONLY_CREDIT
    return got / query.total


def fts_query(
    terms: list[str],
    compounds_: dict[str, str] | None = None,
    acronyms: frozenset[str] = frozenset(),
) -> str:
    """Every term quoted (so `?`, `-`, `:`, `NEAR(` and friends are plain text), OR-ed; a
    word the readings hyphenate is also looked up as the phrase they print, and a possible
    abbreviation as words starting with its letters ("gdp" -> g* + d* + p*)."""
    phrases = list(terms)
    for t in terms:
        if compounds_ and t in compounds_:
            phrases.append(compounds_[t])
    quoted = ['"' + t.replace('"', '""') + '"' for t in phrases]
    quoted += [" + ".join(f'"{letter}"*' for letter in a) for a in sorted(acronyms)]
    return " OR ".join(quoted)


# The best rows of the whole index are fetched first and filtered to the course afterwards:
# joining every match to `passages` before ranking cost as much as the search itself at 100k
# passages. This many rows leave room for other courses' and non-askable rows.
PREFETCH = 4 * CANDIDATES


def fetch_candidates(
    conn: sqlite3.Connection, course: str, terms: list[str], reading: str | None,
    compounds_: dict[str, str] | None = None, acronyms: frozenset[str] = frozenset(),
    *, kinds: tuple[str, ...] = ASKABLE_KINDS, limit: int = CANDIDATES,
) -> list[sqlite3.Row]:
    """The course's `limit` best rows of `kinds` by bm25, exactly: from the index-wide best
    `PREFETCH` when enough of them qualify, else by filtering every match."""
    marks = ",".join("?" * len(kinds))
    expr = fts_query(terms, compounds_, acronyms)
    filters = f"p.course = ? AND p.kind IN ({marks})" + (" AND p.reading_id = ?" if reading else "")
    args: list[object] = [course, *kinds, *([reading] if reading else [])]
    quick = (
        "SELECT p.*, best.bm FROM (SELECT rowid AS rid, bm25(passages_fts, 1.0, 0.4) AS bm"
        " FROM passages_fts WHERE passages_fts MATCH ? ORDER BY bm LIMIT ?) AS best"
        f" JOIN passages p ON p.rowid = best.rid WHERE {filters} ORDER BY best.bm LIMIT ?"
    )
    exact = (
        "SELECT p.*, bm25(passages_fts, 1.0, 0.4) AS bm FROM passages_fts"
        " JOIN passages p ON p.rowid = passages_fts.rowid"
        f" WHERE passages_fts MATCH ? AND {filters} ORDER BY bm LIMIT ?"
    )
    try:
        if not reading:
            rows = conn.execute(quick, [expr, max(PREFETCH, 4 * limit), *args, limit]).fetchall()
            if len(rows) == limit:
                return rows
            (matches,) = conn.execute(
                "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (expr,)
            ).fetchone()
            if matches <= max(PREFETCH, 4 * limit):
                return rows  # every match was looked at
        return conn.execute(exact, [expr, *args, limit]).fetchall()
    except sqlite3.OperationalError:
        return []  # a query FTS5 still cannot parse finds nothing rather than failing


def rerank(query: Query, rows: list[sqlite3.Row], top: int) -> list[tuple[float, Passage, str]]:
    """The `top` best candidates, exactly as if every one had been scored in full.

    Sentence scoring is the costly part, and most candidates cannot reach the top: a passage's
    sentence score is at most 0.75 x its own coverage + 0.25 + the answer-type cues the
    passage itself carries, so candidates are scored in order of that bound and the rest
    skipped once `top` scores beat it (measured in bench/: this keeps ask fast at 100k)."""
    if not rows:
        return []
    q_text = " ".join(query.terms)
    best_bm = min(r["bm"] for r in rows) or -1.0
    bounded = []
    for order, row in enumerate(rows):
        text = row["text"]
        cov = coverage_of(*word_forms(text), query)
        bm = row["bm"] / best_bm if best_bm < 0 else 0.0
        partial = W_COVERAGE * cov + W_BM25 * bm
        bound = partial + W_SENTENCE * min(1.0, 0.75 * cov + 0.25 + answer_bonus(text, query))
        bounded.append((bound, partial, order, row))
    bounded.sort(key=lambda item: (-item[0], item[2]))
    scored: list[tuple[float, int, sqlite3.Row, str]] = []
    kept: list[float] = []  # min-heap of the best `top` scores so far
    for bound, partial, order, row in bounded:
        if len(kept) >= top and 100.0 * bound < kept[0]:
            break
        sent_score, best = best_sentence(row["text"], q_text, query)
        score = min(100.0 * (partial + W_SENTENCE * sent_score), 100.0)
        scored.append((score, order, row, best))
        if len(kept) < top:
            heapq.heappush(kept, score)
        else:
            heapq.heappushpop(kept, score)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(score, row_to_passage(row), best) for score, _, row, best in scored[:top]]


def answer_bonus(text: str, query: Query) -> float:
    """The answer-type cues `text` carries for this question (a number for "how many", a cause
    for "why", a quotation for "what did X say")."""
    return ANSWER_TYPE_BONUS * (
        (query.wants_quantity and re.search(r"\d", text) is not None)
        + (query.wants_cause and CAUSE_MARKERS.search(text) is not None)
        + (query.wants_speech and QUOTATION.search(text) is not None)
        + (query.wants_list and ENUMERATION.search(text) is not None)
    )


def best_sentence(text: str, q_text: str, query: Query) -> tuple[float, str]:
    """The sentence (or adjacent pair) that best answers; its score is in 0..1."""
    sents = sentences(text) or [text]
    tokens = [word_forms(s) for s in sents]
    windows = list(zip(sents, tokens, strict=True)) + [
        (f"{a} {b}", (wa + wb, ca + cb))
        for (a, (wa, ca)), (b, (wb, cb)) in itertools.pairwise(zip(sents, tokens, strict=True))
    ]
    best_score, best_text = -1.0, sents[0]
    for i, (window, (ws, cs)) in enumerate(windows):
        cov = coverage_of(ws, cs, query)
        if i >= len(sents):
            cov *= 0.92  # a pair must beat a single sentence clearly to be highlighted
        sim = fuzz.token_set_ratio(q_text, " ".join(w for w in ws if w not in STOPWORDS)) / 100
        score = 0.75 * cov + 0.25 * sim + answer_bonus(window, query)
        if score > best_score:
            best_score, best_text = score, window
    return min(max(best_score, 0.0), 1.0), best_text
