"""Score passages for a question: pure functions over a `Query` and candidate rows.

Candidates come from FTS5 (bot.core.search.retrieval); this module only scores them, with
every weight and threshold in one `RankingConfig`.

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
content words in one sentence and is the strongest BM25 match. Below the config's confidence
floors the bot says it found nothing convincing instead of presenting noise as an answer.
"""

from __future__ import annotations

import heapq
import itertools
import re
import sqlite3
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.models import Passage
from bot.core.readings.store import row_to_passage
from bot.core.search.retrieval import Vocabulary
from bot.core.textnorm import (
    STOPWORDS,
    content_words,
    initialisms,
    sentences,
    stem,
    word_forms,
    words,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingConfig:
    """Every weight and threshold of the scoring, measured on the development questions
    (answerable and unanswerable; see tests/core/test_ranking.py and the README's "How answers
    are ranked")."""

    # A passage's score: coverage of the question's weight, BM25 relative to the best
    # candidate, and its best sentence (or pair of sentences).
    coverage_weight: float = 0.40
    bm25_weight: float = 0.20
    sentence_weight: float = 0.40
    # A sentence's score: its coverage, its token-set similarity to the question, and the
    # answer-type cues it carries.
    sentence_coverage: float = 0.75
    sentence_similarity: float = 0.25
    answer_type_bonus: float = 0.1
    pair_penalty: float = 0.92  # a pair must beat a single sentence clearly to be highlighted
    # Words that frame a question rather than name its subject count for this much.
    framing_weight: float = 0.3
    stem_only_credit: float = 0.7  # "institutional" is weaker evidence for "institutionalization"
    # Below either floor the answer is "nothing convincing": the best passage must score well
    # and hold a fair share of what the question asks about.
    confident_score: float = 45.0
    confident_coverage: float = 0.35
    typo_cutoff: float = 85.0  # how close a word must be to a reading's word to be corrected to it
    max_terms: int = 32


RANKING = RankingConfig()


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
# kinds of X" question by an enumeration ("a, b, and c"). Small bonuses
# (`RankingConfig.answer_type_bonus`): they break ties between equally relevant sentences.
#
# Words that frame a question rather than name its subject ("why does X matter", "what
# happened"): they count, but little (`RankingConfig.framing_weight`), so the subject decides.
FRAMING_WORDS = frozenset(
    "matter matters happen happened happens mean means meaning explain explains describe "
    "think know example examples important importance role reason reasons way ways kind kinds "
    "type types thing things main idea ideas point argue argues argument claim claims".split()
)
ACRONYM_LENGTHS = range(3, 7)  # two letters match too many word pairs by chance


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


def query_terms(question: str, vocab: Vocabulary, *, config: RankingConfig = RANKING) -> list[str]:
    """Content words, typo-corrected against the words the readings actually use."""
    raw = content_words(question) or [w for w in words(question) if len(w) > 1]
    out: list[str] = []
    for term in raw:
        correction = _typo_correction(term, vocab, config)
        if correction is not None and correction not in out:
            out.append(correction)
        if term and term not in out:
            out.append(term)
    return out[: config.max_terms]


def _typo_correction(term: str, vocab: Vocabulary, config: RankingConfig) -> str | None:
    """The readings' closest word to one they never use (neither it nor its stem)."""
    if term in vocab.df or stem(term) in vocab.by_stem or len(term) < 4 or term.isdigit():
        return None
    match = process.extractOne(term, vocab.terms, scorer=fuzz.ratio,
                               score_cutoff=config.typo_cutoff)
    return match[0] if match is not None else None


def build_query(question: str, vocab: Vocabulary, *, config: RankingConfig = RANKING) -> Query:
    terms = query_terms(question, vocab, config=config)
    weights: dict[str, float] = {}
    exact: dict[str, set[str]] = {}
    for t in terms:
        key = stem(t)
        weight = vocab.idf(t)
        if t in FRAMING_WORDS:
            weight *= config.framing_weight
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


def is_acronym_candidate(term: str, vocab: Vocabulary) -> bool:
    return term.isalpha() and len(term) in ACRONYM_LENGTHS and term not in vocab.df


def coverage(text: str, query: Query, *, config: RankingConfig = RANKING) -> float:
    """Share of the question's weight the text holds; a same-stem different word counts less."""
    return coverage_of(*word_forms(text), query, config)


def coverage_of(
    words_: list[str], compounds_: list[str], query: Query, config: RankingConfig = RANKING
) -> float:
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
            got += weight * config.stem_only_credit
    return got / query.total


def is_confident(
    score: float, text: str, query: Query, *, config: RankingConfig = RANKING
) -> bool:
    """Whether the best passage (its score and text) is an answer, not the least bad guess."""
    return (
        score >= config.confident_score
        and coverage(text, query, config=config) >= config.confident_coverage
    )


def rerank(
    query: Query, rows: list[sqlite3.Row], top: int, *, config: RankingConfig = RANKING
) -> list[tuple[float, Passage, str]]:
    """The `top` best candidates, exactly as if every one had been scored in full.

    Sentence scoring is the costly part, and most candidates cannot reach the top: a passage's
    sentence score is at most `sentence_coverage` x its own coverage + `sentence_similarity` +
    the answer-type cues the passage itself carries, so candidates are scored in order of that
    bound and the rest skipped once `top` scores beat it (measured in bench/: this keeps ask
    fast at 100k)."""
    if not rows:
        return []
    q_text = " ".join(query.terms)
    bounded = _bounds(query, rows, config)
    scored: list[tuple[float, int, sqlite3.Row, str]] = []
    kept: list[float] = []  # min-heap of the best `top` scores so far
    for bound, partial, order, row in bounded:
        if len(kept) >= top and 100.0 * bound < kept[0]:
            break
        sent_score, best = best_sentence(row["text"], q_text, query, config)
        score = min(100.0 * (partial + config.sentence_weight * sent_score), 100.0)
        scored.append((score, order, row, best))
        if len(kept) < top:
            heapq.heappush(kept, score)
        else:
            heapq.heappushpop(kept, score)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(score, row_to_passage(row), best) for score, _, row, best in scored[:top]]


def _bounds(
    query: Query, rows: list[sqlite3.Row], config: RankingConfig
) -> list[tuple[float, float, int, sqlite3.Row]]:
    """(the best score each row could reach, its score without the sentence part, its place
    in `rows`, the row), the most promising first."""
    best_bm = min(r["bm"] for r in rows) or -1.0
    bounded = []
    for order, row in enumerate(rows):
        text = row["text"]
        cov = coverage_of(*word_forms(text), query, config)
        bm = row["bm"] / best_bm if best_bm < 0 else 0.0
        partial = config.coverage_weight * cov + config.bm25_weight * bm
        sentence_bound = min(1.0, config.sentence_coverage * cov + config.sentence_similarity
                             + answer_bonus(text, query, config))
        bounded.append((partial + config.sentence_weight * sentence_bound, partial, order, row))
    bounded.sort(key=lambda item: (-item[0], item[2]))
    return bounded


def answer_bonus(text: str, query: Query, config: RankingConfig = RANKING) -> float:
    """The answer-type cues `text` carries for this question (a number for "how many", a cause
    for "why", a quotation for "what did X say")."""
    return config.answer_type_bonus * (
        (query.wants_quantity and re.search(r"\d", text) is not None)
        + (query.wants_cause and CAUSE_MARKERS.search(text) is not None)
        + (query.wants_speech and QUOTATION.search(text) is not None)
        + (query.wants_list and ENUMERATION.search(text) is not None)
    )


def best_sentence(
    text: str, q_text: str, query: Query, config: RankingConfig = RANKING
) -> tuple[float, str]:
    """The sentence (or adjacent pair) that best answers; its score is in 0..1."""
    sents = sentences(text) or [text]
    tokens = [word_forms(s) for s in sents]
    windows = list(zip(sents, tokens, strict=True)) + [
        (f"{a} {b}", (wa + wb, ca + cb))
        for (a, (wa, ca)), (b, (wb, cb)) in itertools.pairwise(zip(sents, tokens, strict=True))
    ]
    best_score, best_text = -1.0, sents[0]
    for i, (window, (ws, cs)) in enumerate(windows):
        cov = coverage_of(ws, cs, query, config)
        if i >= len(sents):
            cov *= config.pair_penalty
        sim = fuzz.token_set_ratio(q_text, " ".join(w for w in ws if w not in STOPWORDS)) / 100
        score = (config.sentence_coverage * cov + config.sentence_similarity * sim
                 + answer_bonus(window, query, config))
        if score > best_score:
            best_score, best_text = score, window
    return min(max(best_score, 0.0), 1.0), best_text
