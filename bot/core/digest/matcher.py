"""The digest's view of the readings: which passage a message quotes, which source it cites.

A term's digest asks this about tens of thousands of messages, so the quote finder
(bot.core.quotes.find_quote) is only called where it can succeed: a message (or a quoted span
of it) must share a three-word sequence, or two adjacent content words, with a passage before
that passage is aligned against it. The shared words also say where in a chatty message the
quote sits, so the aligner is given that window, not the commentary around it.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections import defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.core.digest.model import PassageInfo, Reference, ReferenceKind
from bot.core.errors import InvalidQuery
from bot.core.models import TEXT_KINDS, Passage, Reading, kinds_sql
from bot.core.readings import store as index
from bot.core.references.citations import find_citations
from bot.core.search import cite, quotes
from bot.core.textnorm import STOPWORDS, WORD_RE, fold, stem

# Spans in quotation marks: straight, curly, guillemets.
_QUOTED_RE = re.compile(r"\"([^\"]{12,})\"|“([^”]{12,})”|«([^»]{12,})»")
_NAME_RE = re.compile(r"[A-Z][\w'’-]+")
_NAMES_BEFORE_RE = re.compile(
    r"((?:[A-Z][\w'’-]+(?:\s*,\s*|\s+and\s+|\s*&\s*|\s+))+(?:et al\.?\s*)?)\(?\s*$"
)
MIN_QUOTE_WORDS = 6
# "I read Aspinwall (2013) too" shares words with a passage but quotes nothing.
MIN_QUOTE_CONTENT_WORDS = 4
# Words kept either side of the shared sequences when cutting the window out of a message.
WINDOW_MARGIN = 6
MAX_CANDIDATES = 4
# Of those, the quote finder aligns at most this many (the best by the prefilter's score).
MAX_ALIGNED = 1
# Below this partial alignment score no passage is worth asking the quote finder about; the
# quote finder itself accepts from quotes.CONFIDENT_SCORE on.
PREFILTER_SCORE = quotes.CONFIDENT_SCORE - 5
# A cited source counts when the citation index is at least this sure of the entry.
CITE_SCORE = 75.0


# (folded word, its stem when it is a content word, start, end) for each word of a text.
Token = tuple[str, str | None, int, int]


class _Words:
    """Folding and stemming are the digest's hot path; a term has a few thousand distinct
    words, so each is folded and stemmed once."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, str | None]] = {}

    def tokens(self, text: str) -> list[Token]:
        seen = self._seen
        out: list[Token] = []
        for m in WORD_RE.finditer(text):
            raw = m.group()
            info = seen.get(raw)
            if info is None:
                folded = fold(raw)
                content = folded not in STOPWORDS and len(folded) > 2 and not folded.isdigit()
                info = seen[raw] = (folded, stem(folded) if content else None)
            out.append((info[0], info[1], m.start(), m.end()))
        return out


def _keys(tokens: Sequence[Token]) -> list[tuple[int, tuple[str, ...]]]:
    """(position, key) pairs: word trigrams with a content word, and adjacent content stems."""
    out: list[tuple[int, tuple[str, ...]]] = []
    for i in range(len(tokens) - 2):
        a, b, c = tokens[i], tokens[i + 1], tokens[i + 2]
        if a[1] or b[1] or c[1]:
            out.append((i, (a[0], b[0], c[0])))
    content = [(i, t[1]) for i, t in enumerate(tokens) if t[1]]
    for (i, x), (_j, y) in itertools.pairwise(content):
        out.append((i, ("~", x or "", y or "")))
    return out


class IndexMatcher:
    """`ReadingsMatcher` over one course's index; built once per digest (reads every passage)."""

    def __init__(self, conn: sqlite3.Connection, course: str) -> None:
        self._conn = conn
        self.course = course
        self.readings: dict[str, Reading] = {r.id: r for r in index.list_readings(conn, course)}
        # The quote finder's kinds, so both look at the same passages.
        kinds = kinds_sql(TEXT_KINDS)
        rows = conn.execute(
            f"SELECT * FROM passages WHERE course = ? AND kind IN ({kinds})", (course,)
        ).fetchall()
        self.passages: dict[str, Passage] = {}
        self._by_key: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._words = _Words()
        self._hay: dict[str, str] = {}  # each passage as folded words, for the prefilter
        for row in rows:
            passage = index.row_to_passage(row)
            self.passages[passage.id] = passage
            tokens = self._words.tokens(passage.text)
            self._hay[passage.id] = " ".join(t[0] for t in tokens)
            for _pos, key in _keys(tokens):
                self._by_key[key].add(passage.id)
        self._cites: dict[str, list[Reference]] = {}

    # -- ReadingsMatcher ----------------------------------------------------------------------

    def references(self, text: str) -> Sequence[Reference]:
        cited, spans = self._cited(text)
        quoted = [m.span() for m in _QUOTED_RE.finditer(text)]
        # A citation's names and year are not a quotation of the passage that lists them,
        # unless they stand inside quotation marks (a quote that carries its citation).
        masked = list(text)
        for start, end in spans:
            if not any(a <= start and end <= b for a, b in quoted):
                masked[start:end] = " " * (end - start)
        return [*self._quoted("".join(masked)), *cited]

    def describe(self, passage_id: str) -> PassageInfo | None:
        passage = self.passages.get(passage_id)
        if passage is None:
            found = index.get_passage(self._conn, passage_id, self.course)
            if found is None:
                return None
            passage = found[0]
        reading = self.readings.get(passage.reading_id)
        return PassageInfo(
            passage.id, passage.reading_id, reading.title if reading else passage.reading_id,
            passage.text, passage.location,
        )

    def reading_title(self, reading_id: str) -> str:
        reading = self.readings.get(reading_id)
        return reading.title if reading else reading_id

    # -- quotes -------------------------------------------------------------------------------

    def _quoted(self, text: str) -> list[Reference]:
        """Passages quoted in quotation marks; failing that (no marks, or marks nested inside
        the quote), anywhere in the text."""
        spans = [next(g for g in m.groups() if g) for m in _QUOTED_RE.finditer(text)]
        found = [ref for span in spans if (ref := self._quote(span)) is not None]
        if not found and spans != [text]:
            whole = self._quote(text)
            found = [whole] if whole is not None else []
        return found

    def _quote(self, span: str) -> Reference | None:
        window, needle, candidates = self._window(span)
        # A fast alignment score first: the quote finder proper (word-boundary snapping,
        # exact spans) only runs on the passages that already align best with the window.
        scored = sorted(
            ((fuzz.partial_ratio(needle, self._hay[pid], score_cutoff=PREFILTER_SCORE), pid)
             for pid in candidates),
            reverse=True,
        )
        candidates = [pid for score, pid in scored[:MAX_ALIGNED] if score]
        if not candidates:
            return None
        try:
            matches = quotes.find_quote(
                window, [(pid, self.passages[pid].text) for pid in candidates], top=1
            )
        except InvalidQuery:
            return None
        if not matches or matches[0].score < quotes.CONFIDENT_SCORE:
            return None
        pid = matches[0].passage_id
        return Reference(self.passages[pid].reading_id, pid, ReferenceKind.QUOTE)

    def _window(self, text: str) -> tuple[str, str, list[str]]:
        """The part of `text` that shares words with passages (as written, and as folded
        words), and the passages it shares most with; none when too little is shared."""
        tokens = self._words.tokens(text)
        if len(tokens) < MIN_QUOTE_WORDS or sum(1 for t in tokens if t[1]) < MIN_QUOTE_CONTENT_WORDS:
            return text, "", []
        hits: dict[str, list[int]] = defaultdict(list)
        for pos, key in _keys(tokens):
            for pid in self._by_key.get(key, ()):
                hits[pid].append(pos)
        if not hits:
            return text, "", []
        ranked = sorted(hits, key=lambda pid: len(set(hits[pid])), reverse=True)
        best = ranked[:MAX_CANDIDATES]
        positions = hits[best[0]]
        first = max(0, min(positions) - WINDOW_MARGIN)
        last = min(len(tokens) - 1, max(positions) + 2 + WINDOW_MARGIN)
        window = tokens[first : last + 1]
        content = [t for t in window if t[1]]
        if len(window) < MIN_QUOTE_WORDS or len(content) < MIN_QUOTE_CONTENT_WORDS:
            return text, "", []
        needle = " ".join(t[0] for t in window)
        return text[tokens[first][2] : tokens[last][3]], needle, best

    # -- citations ----------------------------------------------------------------------------

    def _cited(self, text: str) -> tuple[list[Reference], list[tuple[int, int]]]:
        """References by citation, and the character spans the citations take up."""
        found: list[Reference] = []
        spans: list[tuple[int, int]] = []
        for citation in find_citations(text):
            authors, start = citation.authors, citation.start
            if not authors:
                # "Reich and Aspinwall (2010)": the parser gives the year; the names precede it.
                before = _NAMES_BEFORE_RE.search(text[: citation.start])
                names = _NAME_RE.findall(before.group(1)) if before else []
                authors = tuple(n for n in names if fold(n) not in STOPWORDS)
                start = before.start(1) if before else start
            spans.append((start, citation.end))
            if not authors:
                continue
            query = f"{' '.join(authors)} {citation.year or ''}".strip()
            key = fold(query)
            if key not in self._cites:
                self._cites[key] = self._resolve_citation(authors, citation.year, query)
            found.extend(self._cites[key])
        return found, spans

    def _resolve_citation(
        self, authors: Sequence[str], year: str | None, text: str
    ) -> list[Reference]:
        """The reading itself when the names (and year) are its own; else a source from the
        reference lists, counted at the passages that cite it; else a reading by one of the
        names whose year we do not know."""
        names = {fold(a) for a in authors}
        loose: list[Reference] = []
        for reading in self.readings.values():
            surnames = {fold(a.split()[-1]) for a in reading.authors if a.strip()}
            if not names & surnames:
                continue
            if surnames <= names or (year is not None and reading.year == year):
                return [Reference(reading.id, None, ReferenceKind.CITE)]
            if reading.year is None:
                loose.append(Reference(reading.id, None, ReferenceKind.CITE))
        result = cite.lookup(self._conn, text, self.course, self.readings, limit=1)
        refs: list[Reference] = []
        for match in result.matches:
            if match.entry is None or match.score < CITE_SCORE:
                continue
            refs.extend(Reference(c.reading.id, c.passage.id, ReferenceKind.CITE) for c in match.cited_in)
            if not refs and match.reading is not None:
                refs.append(Reference(match.reading.id, None, ReferenceKind.CITE))
        return refs or loose
