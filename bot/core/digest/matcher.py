"""The digest's view of the readings: which passage a message quotes, which source it cites.

A term's digest asks this about tens of thousands of messages, so the quote finder
(bot.core.quotes.find_quote) is only called where it can succeed: a message (or a quoted span
of it) must share a three-word sequence, or two adjacent content words, with a passage before
that passage is aligned against it. The shared words also say where in a chatty message the
quote sits, so the aligner is given that window, not the commentary around it.

Precision, measured on chat unrelated to the readings (a software team's; see
docs/digest.md): a quote counts only when the message shares at least
MIN_DISTINCTIVE_WORDS distinctive words with the passage's matched span (not stop words, not
words any prose uses such as "important" or "other hand", not code tokens, not words in more
than a fifth of the course's passages), or MIN_RUN_WORDS of its words in a row; so "it is
important to note that ... on the other hand" quotes nothing. A citation counts only with an author name the course knows (a
reading's author or a reference-list entry's) in a known form: "(Reich 2010)", "Reich and
Aspinwall (2010)", "Reich 2010", "Reich et al."; a bare "[1]" or "Output [1,0,0,1,1]" is
not a citation of anything in chat.
"""

from __future__ import annotations

import itertools
import json
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
# A quote must share this many distinctive words with the span of the passage it matches.
MIN_DISTINCTIVE_WORDS = 3
# ... or this many of its words in a row, in the same order (a quote of plain prose).
MIN_RUN_WORDS = 8
# A word in more than this share of the course's passages is not distinctive.
COMMON_DF = 0.2
# Words every kind of prose uses: sharing them with a passage is not quoting it.
COMMON_WORDS = frozenset("""
important note other hand way fact example case point part time thing things lot kind sort
make made makes making take took give gave get got use used using see seen look looks know
known think thought say said says mean means meant want need needs work works going go goes
come came first second last next new old good bad great little big long short high low many
much more most less least very really quite just also even still well back right left same
different own able likely sure clear true whole general given certain simply actually often
always never ever sometimes perhaps rather almost enough however therefore thus hence indeed
instead though although whether while since because according regard regarding terms number
people person man woman year years day days week way ways world life place end start set put
order result results reason reasons question questions answer problem problems issue issues
idea ideas word words something anything nothing everything someone anyone everyone yes
""".split())
_CODE_TOKEN = re.compile(r"\d|_|[a-z][A-Z]|^[A-Z]{2,}$")
# Author-year as people type it in chat, without parentheses: "Reich 2010", "Reich and
# Aspinwall 2010", "Keohane et al. 1984". Counted only for names the course knows.
_PLAIN_CITE_RE = re.compile(
    r"\b([A-Z][\w'’-]+(?:\s*(?:,|and|&)\s*[A-Z][\w'’-]+)*)(?:\s+et al\.?)?,?\s+"
    r"((?:1[6-9]|20)\d{2}[a-z]?)\b"
)


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
        self._common = self._common_words(rows)
        self.surnames = self._known_surnames(conn, course)

    def _common_words(self, rows: Sequence[sqlite3.Row]) -> set[str]:
        """Folded words in more than COMMON_DF of the passages: not distinctive of any."""
        df: dict[str, int] = defaultdict(int)
        for pid in self.passages:
            for word in set(self._hay[pid].split()):
                df[word] += 1
        limit = max(3, COMMON_DF * len(self.passages))
        return {w for w, n in df.items() if n > limit}

    def _known_surnames(self, conn: sqlite3.Connection, course: str) -> set[str]:
        """Every author name a citation may use: the readings' own and their references'."""
        names = {fold(a.split()[-1]) for r in self.readings.values() for a in r.authors if a.strip()}
        for (raw,) in conn.execute("SELECT authors FROM bib_entries WHERE course = ?", (course,)):
            for author in json.loads(raw or "[]"):
                words = _NAME_RE.findall(str(author))
                names.update(fold(w) for w in words)
        return {n for n in names if n and n not in STOPWORDS}

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
        span = matches[0].quote
        if (self._distinctive_shared(window, span) < MIN_DISTINCTIVE_WORDS
                and self._longest_run(window, span) < MIN_RUN_WORDS):
            return None  # shares only words any prose uses, and no long stretch of the text
        pid = matches[0].passage_id
        return Reference(self.passages[pid].reading_id, pid, ReferenceKind.QUOTE)

    def _distinctive(self, text: str) -> set[str]:
        return {
            t[0] for t in self._words.tokens(text)
            if t[1] and t[0] not in COMMON_WORDS and t[0] not in self._common
            and not _CODE_TOKEN.search(text[t[2]:t[3]])
        }

    def _longest_run(self, window: str, span: str) -> int:
        """The longest stretch of the span's words that the message has in the same order
        (a misspelt word still counts): a quote of plain prose is still a quote."""
        mine = [t[0] for t in self._words.tokens(window)]
        theirs = [t[0] for t in self._words.tokens(span)]
        best = 0
        previous = [0] * (len(theirs) + 1)
        for a in mine:
            current = [0] * (len(theirs) + 1)
            for j, b in enumerate(theirs, start=1):
                if a == b or (len(a) > 4 and fuzz.ratio(a, b, score_cutoff=80)):
                    current[j] = previous[j - 1] + 1
                    best = max(best, current[j])
            previous = current
        return best

    def _distinctive_shared(self, window: str, span: str) -> int:
        """How many distinctive words of the passage's matched span the message has (a
        misspelt one counts: "sovereinty" for "sovereignty")."""
        mine = {t[0] for t in self._words.tokens(window)}
        shared = 0
        for word in self._distinctive(span):
            if word in mine or any(fuzz.ratio(word, w, score_cutoff=80) for w in mine
                                   if abs(len(w) - len(word)) <= 2):
                shared += 1
        return shared

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
        forms = [(c.authors, c.year, c.start, c.end, c.kind) for c in find_citations(text)]
        forms += [(tuple(_NAME_RE.findall(m.group(1))), m.group(2), m.start(), m.end(), "plain")
                  for m in _PLAIN_CITE_RE.finditer(text)
                  if not any(a <= m.start() < b for _n, _y, a, b, _k in forms)]
        for authors, year, start, end, kind in forms:
            if kind == "numeric":
                continue  # "[1]" in chat points at no reading's numbering
            citation_start = start
            if not authors:
                # "Reich and Aspinwall (2010)": the parser gives the year; the names precede it.
                before = _NAMES_BEFORE_RE.search(text[:citation_start])
                names = _NAME_RE.findall(before.group(1)) if before else []
                authors = tuple(n for n in names if fold(n) not in STOPWORDS)
                start = before.start(1) if before else start
            spans.append((start, end))
            authors = tuple(a for a in authors if fold(a) in self.surnames)
            if not authors:
                continue  # no author the readings know: a year in brackets, a function call
            query = f"{' '.join(authors)} {year or ''}".strip()
            key = fold(query)
            if key not in self._cites:
                self._cites[key] = self._resolve_citation(authors, year, query)
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
            if not names & {fold(w) for a in match.entry.authors for w in _NAME_RE.findall(a)}:
                continue  # a near match on other names is not this citation
            refs.extend(Reference(c.reading.id, c.passage.id, ReferenceKind.CITE) for c in match.cited_in)
            if not refs and match.reading is not None:
                refs.append(Reference(match.reading.id, None, ReferenceKind.CITE))
        return refs or loose
