"""Where does a half-remembered quote come from?

Two stages: a cheap word-overlap filter picks candidate passages, then rapidfuzz aligns the
quote inside each one (`partial_ratio_alignment`) and the span is snapped to word boundaries
so the reader sees the words as printed, not the words as remembered.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from bot.core.errors import InvalidQuery
from bot.core.models import TEXT_KINDS, Passage, QuoteMatch
from bot.core.readings.store import row_to_passage
from bot.core.search.retrieval import Vocabulary, course_passages, fetch_candidates, recall_terms
from bot.core.textnorm import STOPWORDS, content_words, fold_aligned, stem, words

# A quote longer than this is a pasted page, not a quote; aligning it would be slow for nothing.
MAX_QUOTE_CHARS = 1_000
# Below this the best span shares too little with the quote to say it comes from there.
CONFIDENT_SCORE = 70.0
_CANDIDATES = 25
# Up to this many passages every one is a candidate; beyond it, full-text search picks them.
_SCAN_ALL = 1_500
_FTS_CANDIDATES = 150  # word-overlap shortlisting costs ~0.15 ms a passage
# A quote's words are nearly all in the passage, so more of them are worth searching than a
# question's; measured on 100 synthetic quotes at 100k passages (located@1 1.0, p95 < 100 ms).
_RECALL_POSTINGS = 40_000
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")
_WORD_END = re.compile(r"[^\W_](?![^\W_])")
_ALIGNED = 6


def check_quote(text: str) -> str:
    """The quote, trimmed; raises InvalidQuery for what cannot be a quote."""
    text = (text or "").strip()
    if not text:
        raise InvalidQuery('Give the quote to look for, e.g. quote "the borders are disappearing".')
    if len(text) > MAX_QUOTE_CHARS:
        raise InvalidQuery(
            f"That quote is {len(text):,} characters long; give at most {MAX_QUOTE_CHARS:,} "
            "(a sentence or two is plenty)."
        )
    if not re.search(r"[^\W_]", text):
        raise InvalidQuery("That quote has no words in it; give a few words of the quote.")
    return text


def _squash(text: str) -> str:
    """Folded, one space between words, quotes and punctuation kept: the alignment alphabet."""
    return re.sub(r"\s+", " ", fold_aligned(text))


def _key(word: str) -> str:
    """A word's first five letters after stemming: "disapearing" still meets "disappearing"."""
    return stem(word)[:5]


def _trigrams(tokens: list[str]) -> set[str]:
    squashed = " ".join(tokens)
    return {squashed[i : i + 3] for i in range(len(squashed) - 2)}


def _overlap(query_terms: set[str], query_grams: set[str], passage: str) -> float:
    """Shared words, and shared letter trigrams for when every word was misspelt."""
    tokens = words(passage)  # tokenised once for both measures: this runs on every candidate
    terms = {_key(w) for w in tokens}
    by_word = sum(1 for t in query_terms if t in terms) / max(len(query_terms), 1)
    by_gram = len(query_grams & _trigrams(tokens)) / max(len(query_grams), 1)
    return by_word + by_gram


def find_quote(query: str, candidates: Sequence[tuple[str, str]], top: int = 3) -> list[QuoteMatch]:
    """Best places for `query` among (passage id, passage text) pairs, best first."""
    query = check_quote(query)
    q = _squash(query).strip()
    tokens = words(query)
    terms = {_key(w) for w in tokens if w not in STOPWORDS} or {_key(w) for w in tokens}
    grams = _trigrams(tokens)
    shortlist = sorted(candidates, key=lambda c: _overlap(terms, grams, c[1]),
                       reverse=True)[:_CANDIDATES]
    aligned = []
    for pid, text in shortlist:
        hay = fold_aligned(text.replace("\n", " "))  # same length: offsets stay valid
        al = fuzz.partial_ratio_alignment(q, hay)
        if al is None:
            continue
        aligned.append((al.score, pid, text, hay, al.dest_start, al.dest_end))
    aligned.sort(key=lambda a: a[0], reverse=True)
    matches = []
    for _, pid, text, hay, s, e in aligned[:_ALIGNED]:
        start, end, score = _snap(q, hay, s, e)
        matches.append(QuoteMatch(pid, round(score, 1), start, end, text[start:end]))
    matches.sort(key=lambda m: m.score, reverse=True)
    return matches[:top]


def _snap(q: str, hay: str, s: int, e: int) -> tuple[int, int, float]:
    """Widen or narrow the aligned window to whole words, keeping the span that best covers q.

    The objective rewards characters of the quote found in the span and charges for printed
    characters that are not in the quote, at half the rate: a remembered quote usually drops
    words ("not for law enforcement" for "not disappearing for law enforcement").
    """
    reach = min(60, max(12, len(q) // 2))
    starts = [m.start() for m in _WORD_START.finditer(hay, max(0, s - reach), s + reach)]
    ends = [m.end() for m in _WORD_END.finditer(hay, max(0, e - reach), min(len(hay), e + reach))]
    best = (s, e, -1e9)
    for a in starts:
        for b in ends:
            if b <= a:
                continue
            span = hay[a:b]
            matched = (len(q) + len(span) - Indel.distance(q, span)) / 2
            value = matched - 0.5 * (len(span) - matched)
            if value > best[2]:
                best = (a, b, value)
    start, end = best[0], best[1]
    score = fuzz.ratio(q, re.sub(r"\s+", " ", hay[start:end]))
    return start, end, score


def candidate_passages(
    conn: sqlite3.Connection, query: str, course: str, vocab: Vocabulary
) -> list[Passage]:
    """Passages the quote may come from: all of a small course, else full-text search hits.

    FTS alone would miss a quote whose every word is misremembered slightly, so it is only a
    shortcut for courses too large to scan. There, as for questions, only the quote's rarest
    words within the recall budget are searched (bench/RESULTS.md: a quote of common words
    matched most of a 100k-passage index).
    """
    rows = course_passages(conn, course, TEXT_KINDS, at_most=_SCAN_ALL)
    if rows is None:
        terms = recall_terms(list(dict.fromkeys(content_words(query))), vocab, _RECALL_POSTINGS)
        rows = fetch_candidates(conn, course, terms, None, kinds=TEXT_KINDS, limit=_FTS_CANDIDATES)
    return [row_to_passage(r) for r in rows]
