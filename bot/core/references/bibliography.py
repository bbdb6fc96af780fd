"""Reference lists: split a reading's bibliography into entries and parse each one.

Two layouts: an author header line with one dated line per work under it (some humanities
lists), handled here; and one paragraph per entry in any style (APA, Chicago, MLA, Harvard,
German author-date, numbered, Vancouver/IEEE), split by `splitter` and parsed by `parser`.
The raw text of every entry is kept, whatever could not be understood, so nothing is lost.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from bot.core.models import BibEntry
from bot.core.references.names import natural_surname, parse_names
from bot.core.references.parser import parse_reference
from bot.core.references.splitter import (
    STRONG,
    Line,
    lines_from_text,
    split_entries,
    start_strength,
)
from bot.core.references.titles import list_keeps_subtitles

__all__ = ["NO_DATE", "YEAR", "Line", "canonical_year", "natural_surname", "parse_bibliography", "split_authors"]

# A year as reference lists print it: 1999, 2000a, 1993-94, 1993-1994, or a no-year marker:
# n.d., o.J. (German "ohne Jahr"), "forthcoming", "in press".
YEAR = (r"(?:1[5-9]\d\d|20\d\d)(?:\s?[-–/]\s?(?:\d{4}|\d{2}))?[a-z]?|n\.\s?d\.|o\.\s?J\.|"
        r"forthcoming|in\s+press|im\s+Druck")
NO_DATE = frozenset({"n.d.", "in press", "forthcoming"})  # canonical no-year markers
_YEAR_LINE_RE = re.compile(
    rf"^(?:[-–•*]\s+)?(?P<year>{YEAR})(?P<open>[-–])?(?=\s|[.,]|$)\s*(?P<rest>.*)$"
)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s,;)\]]+[^\s,;.)\]]")
_PAGES_RE = re.compile(r"\bpp?\.\s?(?P<p>[A-Z]?\d+(?:\s?[-–]\s?[A-Z]?\d+)?)")
_BARE_PAGES_RE = re.compile(r"[,:]\s?(?P<p>\d+[-–]\d+)\.?\s*$")
_HEADING_RE = re.compile(
    r"(?i)(references?|bibliography|works cited|literature cited|sources|notes)[:.]?"
)
_QUOTED_RE = re.compile(r"^[\"“](?P<t>.+?)[,.]?[\"”][,.]?\s*(?P<rest>.*)$")
_ITALIC_RE = re.compile(r"^\*(?P<t>[^*]+)\*[,.]?\s*(?P<rest>.*)$")
_CONTAINER_RE = re.compile(r"\*(?P<c>[^*]+)\*")


@functools.lru_cache(maxsize=4_096)  # cite compares the query's year with every entry's
def canonical_year(year: str | None) -> str | None:
    """"1993 - 1994", "1993–94" and "1993-94" are the same year range: print it one way."""
    if year is None:
        return None
    y = re.sub(r"\s+", "", year).replace("–", "-")
    low = y.lower()
    if low in ("n.d.", "nd", "o.j.", "oj"):
        return "n.d."
    if low in ("inpress", "imdruck"):
        return "in press"
    if low == "forthcoming":
        return "forthcoming"
    m = re.fullmatch(r"(\d{4})[-/](\d{2}|\d{4})([a-z]?)", y)
    if m:
        first, second, suffix = m.groups()
        if len(second) == 4 and second[:2] == first[:2]:
            second = second[2:]
        return f"{first}-{second}{suffix}"
    return y


def split_authors(text: str) -> tuple[str, ...]:
    """Surnames from an author string in any of the usual orders (see `names.parse_names`)."""
    return tuple(n.surname for n in parse_names(text))


def _is_year_line(line: str) -> bool:
    return bool(_YEAR_LINE_RE.match(line.strip()))


def _looks_like_header(line: str, next_line: str | None) -> bool:
    """An author header in the "NAME / year lines" layout: short, no year, no title markup."""
    s = line.strip()
    if not s or _is_year_line(s) or next_line is None or not _is_year_line(next_line):
        return False
    if len(s) > 160 or re.search(r"[\"“”*]|\bpp?\.\s?\d", s) or s.endswith(","):
        return False
    return bool(re.match(r"^[^\W\d_]", s))


def _nonblank(lines: list[str]) -> list[str]:
    return [ln.strip() for ln in lines if ln.strip()]


def parse_bibliography(text: str | Sequence[Line]) -> list[BibEntry]:
    """Every entry of a reference list, in order; a heading line such as "References" is skipped.

    Takes the list as text or as `Line`s with layout hints from the PDF reader."""
    lines = lines_from_text(text) if isinstance(text, str) else [ln for ln in text if ln.text.strip()]
    if lines and _HEADING_RE.fullmatch(lines[0].text.strip()):
        lines = lines[1:]
    lines = _without_running_heads(lines)
    if not lines:
        return []
    plain = [ln.text.strip() for ln in lines]
    headers = sum(_looks_like_header(a, b) for a, b in itertools.pairwise(plain))
    if headers >= 2 or (headers == 1 and len(plain) <= 4):
        dated = sum(start_strength(ln) == STRONG for ln in plain)
        if headers > dated:
            return _parse_header_layout(plain)
    entries: list[BibEntry] = []
    chunks = split_entries(lines)
    subtitles = list_keeps_subtitles(chunks)
    for chunk in chunks:
        entry = parse_reference(chunk, previous=entries[-1] if entries else None,
                                subtitles=subtitles)
        if entry is not None:
            entries.append(entry)
    return _the_list(entries)


# What follows a reference list on the page and reads as no reference at all: the author's
# address and notes, the journal's dates of receipt, a series' imprint ("ISSN: ...",
# "Titel: ...", "Editor: ...": a field's name and a colon, "© 2001 by ...").
_BACK_MATTER = re.compile(
    r"(?i)^(?:e-?mail|tel\.?|fax|anschrift|adresse|address|correspondence|contact|kontakt|"
    r"eingereicht|akzeptiert|angenommen|received|accepted|revised|submitted|about the authors?|"
    r"die autorin|der autor|die autoren|zur autorin|zum autor|zu den autor|notes? on contributors|"
    r"issn|isbn|impressum|imprint)\b"
    r"|^(?:autor(?:en|in|innen)?|authors?|titel|title|editors?|herausgeber(?:in)?|verlag|"
    r"publisher|redaktion)\s?:|^©"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+"
)


def _without_running_heads(lines: list[Line]) -> list[Line]:
    """A page's running head or foot left inside the list by the reader ("Journal of Media
    Studies, vol. 6, no. 1 / 2013 183" at the top of every page): a line printed again and
    again, but for its page number, with a page number at an end; no entry starts like it.
    A year after a comma is an entry's date, not a page: entries ending on their publisher
    and year ("Lakeside Press, 1965") give many lines that differ only in it."""
    def shape(text: str) -> str:
        return re.sub(r"\d[\d\s]*", "#", text.strip())

    counts: dict[str, int] = {}
    for ln in lines:
        counts[shape(ln.text)] = counts.get(shape(ln.text), 0) + 1
    return [ln for ln in lines if not (
        counts[shape(ln.text)] >= 2 and len(ln.text.strip()) >= 20
        and re.search(r"(?:^\d{1,4}\s|\s\d{1,4}$)", ln.text.strip())
        and not re.search(r",\s(?:1[5-9]|20)\d\d$", ln.text.strip())
        and start_strength(ln.text) != STRONG)]


def _likeness(entry: BibEntry) -> int:
    """+1 for what reads as a reference (a date, a reference's length), -1 for prose, -2 for an
    address or a note about the author."""
    n = len(entry.raw)
    if _BACK_MATTER.search(entry.raw[:80]):
        return -2
    if (entry.year or re.search(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)", entry.raw)) and n <= 800:
        return 1
    if n <= 300 and entry.authors:
        return 0
    return -2 if n > 800 else -1


def _the_list(entries: list[BibEntry]) -> list[BibEntry]:
    """The reference list within what the reader handed over: a heading in a table of contents
    or a running head can open "the list" pages before it starts, and running text can follow
    it. The densest run of reference-like entries is kept, with the undated entries next to it
    that lead to more dated ones."""
    scores = [_likeness(e) for e in entries]
    best, (lo, hi) = _densest(scores, 0, len(scores))
    if best < 3:
        return entries
    earlier, span = _densest(scores, 0, lo)
    if earlier >= 0.5 * best and span[1] <= lo:
        lo, hi = span  # a list before the densest one is the reading's, that one a later list
    n = len(entries)
    while lo > 0 and (scores[lo - 1] > 0 or (scores[lo - 1] == 0 and (lo == 1 or scores[lo - 2] > 0))):
        lo -= 1
    while hi < n and (scores[hi] > 0 or (scores[hi] == 0 and (hi + 1 == n or scores[hi + 1] > 0))):
        hi += 1
    if hi == n - 1 and len(entries[hi].raw) <= 300:
        hi += 1  # an undated entry closing the list: "Interview with the harbour master. Hull."
    lo, hi = _first_of_lists(scores, lo, hi)
    return entries[lo:hi]


def _densest(scores: list[int], lo: int, hi: int) -> tuple[int, tuple[int, int]]:
    """The run of entries within [lo, hi) whose scores add up highest, and that sum."""
    best, span, run, start = 0, (lo, lo), 0, lo
    for i in range(lo, hi):
        if run <= 0:
            run, start = 0, i
        run += scores[i]
        if run > best:
            best, span = run, (start, i + 1)
    return best, span


def _first_of_lists(scores: list[int], lo: int, hi: int) -> tuple[int, int]:
    """A list followed, after a stretch of prose (the publisher's notes, an author's
    address), by another (the series' other titles): the reading's own list comes first, and
    is kept unless it is much the smaller."""
    parts: list[tuple[int, int]] = []
    start, i = lo, lo
    while i + 5 <= hi:
        window = scores[i:i + 5]
        if scores[i] <= 0 and min(window) < 0 and sum(s > 0 for s in window) <= 1:
            # prose: five entries with at most one dated among them; the next list starts
            # where two reference-like entries follow each other again
            k = i + 1
            while k + 1 < hi and not (scores[k] > 0 and scores[k + 1] > 0):
                k += 1
            parts.append((start, i))
            start = i = k
            continue
        i += 1
    parts.append((start, hi))
    weights = [sum(max(s, 0) for s in scores[a:b]) for a, b in parts]
    best = max(weights)
    a, b = next(p for p, w in zip(parts, weights, strict=True) if w >= 0.5 * best)
    tail = b
    while tail > a + 1 and scores[tail - 1] < 0:
        tail -= 1
    if b - tail >= 2 or (b - tail == 1 and b != len(scores)):
        b = tail  # prose after the list (an address, a "cite this as"), not one undated entry
    return a, b


def _parse_header_layout(lines: list[str]) -> list[BibEntry]:
    """AUTHOR header, then one line per work starting with its year; long works wrap."""
    entries: list[tuple[str, list[str]]] = []  # (header, lines of one work)
    header: str | None = None
    current: list[str] | None = None
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if _looks_like_header(line, nxt) or (current is not None and _shouted_name(line)):
            if header is not None and current is None:
                entries.append((header, []))  # a name with no dated work under it
            header, current = line, None
            continue
        if current is not None and len(current) == 1:
            # "1993-" ending one line and "1994 ..." opening the next: one range, two lines.
            opened = re.match(rf"^((?:[-–•*]\s+)?(?:{YEAR})[-–])(\s.*)$", current[0])
            closing = re.match(r"^(\d{4})\s+(.*)$", line)
            if opened and closing:
                current[0] = f"{opened.group(1)}{closing.group(1)}{opened.group(2)}"
                line = closing.group(2)
                current.append(line)
                continue
        if header is not None and (current is None or _is_year_line(line)):
            current = [line]
            entries.append((header, current))
        elif current is not None:
            current.append(line)
    if header is not None and current is None:
        entries.append((header, []))
    return [_parse_year_entry(head, " ".join(body)) for head, body in entries]


def _shouted_name(line: str) -> bool:
    """An all-capitals name line ("ZAVALA, OSWALDO, and ANTONIO FINS"), even with no year after."""
    letters = [c for c in line if c.isalpha()]
    return (len(line) <= 160 and not re.search(r"[\"“”*\d]", line) and len(letters) >= 3
            and sum(c.isupper() for c in letters) >= 0.75 * len(letters))


def _parse_year_entry(header: str, body: str) -> BibEntry:
    raw = f"{header}\n{body}".strip()
    m = _YEAR_LINE_RE.match(body)
    year, rest = (None, body)
    if m:
        year, rest = m.group("year"), m.group("rest")
        if m.group("open"):
            # "1993-" at a line end, "1994 ..." on the next: one range written over two lines.
            m2 = re.match(r"^(\d{4})\s+(.*)$", rest)
            if m2:
                year, rest = f"{year}-{m2.group(1)}", m2.group(2)
    authors = split_authors(header)
    title, container = _title_and_container(rest)
    return BibEntry(authors=authors, year=canonical_year(year), title=title, raw=raw,
                    container=container, pages=_pages(rest), url=_url(rest))


def _title_and_container(rest: str) -> tuple[str, str | None]:
    rest = rest.strip()
    m = _QUOTED_RE.match(rest)
    if m:
        c = _CONTAINER_RE.search(" " + m.group("rest"))
        container = c.group("c") if c else _first_clause(m.group("rest"))
        return m.group("t").strip(" ,."), container
    m = _ITALIC_RE.match(rest)
    if m:
        return m.group("t").strip(" ,."), None
    # "2000 1999 *International Narcotics Strategy Report*": a title led by words before italics.
    m = re.match(r"^(?P<pre>[^*\"“]{1,40}?)\s*\*(?P<t>[^*]+)\*", rest)
    if m and not m.group("pre").rstrip().endswith(","):
        return f"{m.group('pre').strip()} {m.group('t').strip()}".strip(), None
    return _first_clause(rest) or rest, None


def _first_clause(text: str) -> str | None:
    text = text.strip(" ,.")
    if not text:
        return None
    head = re.split(r",\s|(?<=\w{4})\.\s", text, maxsplit=1)[0]
    return head.strip(" ,.*") or None


def _pages(text: str) -> str | None:
    m = _PAGES_RE.search(text) or _BARE_PAGES_RE.search(text)
    return re.sub(r"\s", "", m.group("p")).replace("–", "-") if m else None


def _url(text: str) -> str | None:
    m = _URL_RE.search(text)
    return m.group(0) if m else None
