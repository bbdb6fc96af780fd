"""Reference lists as lines -> one string per entry.

Lines come from text extracted from a PDF (hard-wrapped, page breaks, blank lines the cleaner
guessed) or typed one entry per line. Each line is judged on its own evidence: does it start
like an entry (a name list followed by a date, a number continuing the list's sequence, a
repeated-author dash), does the line before it end like one, was the line before it cut at the
wrap width. The list as a whole only lends robust statistics (its wrap width, whether its
numbers run in sequence), so one odd line ("14. Oktober 2005.", a wrapped line starting with a
year, "Cambridge, MA: Harvard University Press.") never flips the whole list into another
layout, and a line that cannot be placed joins the entry before it rather than cutting it.

`Line` carries optional layout hints from a layout-aware PDF reader: where the line starts
(`x`; a hanging indent marks continuation lines) and whether a vertical gap or a page break
comes before it. Without them, the text alone decides.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.references.authors import looks_like_authors
from bot.core.references.dates import MONTH, year_candidates
from bot.core.references.parser import (
    CUE,
    LEADS,
    LONE_DASH,
    NUMBER_PREFIX,
    REPEAT_DASH,
    author_date,
)
from bot.core.references.titles import LOCATOR, PLACE_PUBLISHER, PUBLISHER_WORDS


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line of a reference list; the layout hints are None when unknown."""

    text: str
    gap_before: bool = False  # a blank line or a wider vertical gap before this line
    x: float | None = None  # where the line starts, in any unit, the same for every line
    page_break_before: bool = False


@dataclass(frozen=True, slots=True)
class PrintedLine:
    """One line of a reference list as a layout-aware reader places it: the page (any index)
    and the line's box in the page's units (top-down, as PDF readers give them)."""

    text: str
    page: int
    x0: float
    top: float
    bottom: float


def lines_from_layout(printed: Sequence[PrintedLine]) -> list[Line]:
    """The splitter's hints from where lines stand, so a PDF reader hands over geometry only:
    a line's start measured from the left edge of its own column (two-column lists hang
    their entries in each), a vertical gap wider than the list's usual line spacing, and a
    break in the flow (a new page, or the text going back up to a new column)."""
    rows = [p for p in printed if p.text.strip()]
    if not rows:
        return []
    breaks = [i == 0 or p.page != rows[i - 1].page or p.top < rows[i - 1].top
              for i, p in enumerate(rows)]
    starts = [i for i, b in enumerate(breaks) if b] + [len(rows)]
    lefts: list[float] = []
    for a, b in itertools.pairwise(starts):
        lefts.extend([min(p.x0 for p in rows[a:b])] * (b - a))
    steps = sorted(rows[i].top - rows[i - 1].top for i in range(1, len(rows)) if not breaks[i])
    step = steps[(len(steps) - 1) // 2] if steps else 0.0
    return [
        Line(p.text.strip(), x=round(p.x0 - lefts[i], 1), page_break_before=breaks[i] and i > 0,
             gap_before=i > 0 and not breaks[i] and step > 0
             and p.top - rows[i - 1].top > 1.4 * step)
        for i, p in enumerate(rows)
    ]


def lines_from_text(text: str) -> list[Line]:
    """Plain text: blank lines become gaps (a hint, never a rule)."""
    out: list[Line] = []
    gap = False
    for raw in text.splitlines():
        s = raw.strip()
        if not s:
            gap = bool(out)
            continue
        out.append(Line(s, gap_before=gap))
        gap = False
    return out


NONE, WEAK, STRONG = 0, 1, 2
_TERMINAL = re.compile(
    r"(?:[.!?)\]”\"’»>]|\d|\.\s?\w{0,3}|[a-z]/|(?:https?://|www\.)\S+|\S\.(?:pdf|html?|php|aspx?)\S*)$")
_CONTINUES = re.compile(
    r"^(?:[a-zäöüßàâçéèêëîïôûùüÿñæœ]|[,;:)\]&–]|[Ii]n:|pp?\.\s?\d|S\.\s?\d|\d+\s?[-–]\d|"
    r"(?:and|und|&)\s)"
)
_LINKING_WORD = re.compile(r"^(?:(?:in|und|and|et|with|mit|from|aus|of|von)\b|(?:eds?|hrsg|hg|pp?|vol|no|nr|bd|s)\.)")
# "van der Quell, Ada", "de la Cruz, M.": a surname's particles, one or more, before its capital
_PARTICLE_START = re.compile(
    r"^(?:(?:van|von|de|del|della|der|den|di|du|la|le|da|dos|ten|ter|zu)\s){1,3}[A-ZÀ-Þ]")


def start_strength(text: str) -> int:
    """How surely a line opens a new entry, from the line alone."""
    s = text.strip()
    if not s:
        return NONE
    if REPEAT_DASH.match(s):
        return STRONG
    if re.match(r"^[•▪●◦]\s", s):
        return max(WEAK, start_strength(s[2:]))  # a bulleted list: the bullet opens entries
    if LONE_DASH.match(s):
        return WEAK
    particle = _PARTICLE_START.match(s)
    if particle and re.match(r"^[A-ZÀ-ÞŁŠŽČ][\w'’\-]+(?:,|\s[A-Z]{1,3}\b)", s[particle.end() - 1:]):
        # "van der Quell, Ada: ...", "da Quell SH, ...": a surname behind its particles opens
        # an entry as it would alone
        return start_strength(s[particle.end() - 1:])
    if s[:1].islower() and not _LINKING_WORD.match(s) and STRONG in (
            _name_start(s), _name_start(s[:1].upper() + s[1:])):
        return WEAK  # names and a date with their capitals lost: "r ingen, s. (1988).",
        # "statistik Austria (2005).", "henke, J./ t ill, m. (2008)."
    if _CONTINUES.match(s) and not particle:
        return NONE
    if re.match(r"^[A-ZÀ-Þ][\w/.\-]+,\s(?:S|SS|pp?|Bd|Vol)\.\s?\d(?!\d{3}[a-z]?\.\s)", s):
        return NONE  # "London, S. 201-238.": a place and its pages ("Quell, S. 2007. Title"
        # is a name with its initial and its date)
    if re.match(r"^In\s+(?=[A-ZÀ-Þ\"“‘*])", s):
        return NONE  # "In J. Marques-Teixeira & S. Antunes (Eds.), ...": the container
    place = PLACE_PUBLISHER.match(s)
    if place and PUBLISHER_WORDS.search(" ".join(s[place.end() - 1:].split()[:3])):
        # "Cambridge: Cambridge University Press, 2007.": place and publisher. The publisher's
        # word is in the few words after the colon: a surname can hold one ("Fischer-Lang,
        # Lars: Title"), and a title after a name's colon runs on to its publisher ("Torre,
        # Inés: Salz im Watt. Bremen : Weser Verlag")
        return NONE
    number = NUMBER_PREFIX.match(s)
    if number:
        body = s[number.end():]
        if re.match(rf"^(?:{MONTH})\b", body) or re.match(r"^\d{4}\.", s) or (
                body[:1] in ",;:" and not year_candidates(s[: number.end()])):
            return NONE  # "14. Oktober 2005.", "2005. Title", "(4), S. 1-9": no list number
        return max(WEAK, _name_start(body))
    bare = re.match(r"^\d{1,4}\s+(?=[A-ZÀ-ÞŁŠŽČ])", s)
    if bare and _name_start(s[bare.end():]) == STRONG:
        return WEAK  # "13 Cartier, E., Stathis, J. H. & ...": a list number without its stop
    if re.match(r"^[\d(\[]", s):
        return NONE
    cue = CUE.match(s)
    if cue and cue.end():
        return max(WEAK, _name_start(s[cue.end():]))  # "Vgl. Siddiqi, Moin A. (2005): ..."
    return _name_start(s)


# "Surname, Given[ I.][, and Given Surname][, ed.]. Title": an inverted personal name with its
# given name spelled out, and more after it (a place and its country, "Gothenburg, Sweden.",
# ends a line; "Hillsdale, NJ: Erlbaum" is followed by a colon).
_INVERTED_LEAD = re.compile(
    r"^[A-ZÀ-ÞŁŠŽČ][\w'’\-]+(?:\s[A-ZÀ-ÞŁŠŽČ][\w'’\-]+)?,\s[A-ZÀ-ÞŁŠŽČ][a-zà-ÿ][\w'’\-]*"
    r"(?:\s[A-ZÀ-ÞŁŠŽČ]\.)*(?:,?\s(?:and|und|&)\s[^.,:]{3,40})?(?:,\s(?:eds?|trans|comp)\.)?"
    r"(?:[.,;]|(?<=\.))\s+[\"“‘«A-ZÀ-ÞŁŠŽČ0-9(\[]"
)


# "Kümmerling, Angelika / Schietinger, Marc", "Buschmann, Marco/Daiber, Birgit": inverted
# names joined by a slash or a semicolon, as German lists give authors.
_JOINED_NAMES = re.compile(
    r"^[A-ZÀ-ÞŁŠŽČ][\w'’\-]+,\s[A-ZÀ-ÞŁŠŽČ][\w.'’\-]*(?:\s[A-ZÀ-ÞŁŠŽČ][\w.'’\-]*)?\s?[/;]\s?"
    r"[A-ZÀ-ÞŁŠŽČ][\w'’\-]+,\s[A-ZÀ-ÞŁŠŽČ]"
)


def _same_opening(text: str, first: str) -> bool:
    """A line opening with the first three words of its entry's first line starts the next of
    a series ("Interview mit dem Besitzer des Restaurants ..."): no entry repeats its own head."""
    words = text.split()[:3]
    return len(words) == 3 and first.split()[:3] == words


_AFTER_CONTAINER_DATE = re.compile(
    r"^[\s.,;:)]*(?:\d|[Vv]ol\.|[Nn]o\.|pp?\.|S\.\s?\d|Web\b|Available|Retrieved|Accessed|ISBN|"
    r"DOI|doi|https?:|www\.|IEEE|ACM|Ph\.?\s?D|Thesis|$)"
)
_CONTAINER_WORDS = re.compile(
    r"(?i)\b(?:proceedings|journal|conference|symposium|workshop|thesis|blog|review|bulletin|"
    r"transactions|letters|magazine|quarterly|annals|studies|notes|report|series|newsletter|"
    r"zeitschrift|jahrbuch|technical|center|centre|press|verlag|publications?)\b|\b" + MONTH + r"\b"
)


_JOURNAL_WORDS = re.compile(
    r"(?i)\b(?:journal|review|quarterly|proceedings|bulletin|transactions|letters|magazine|"
    r"annals|zeitschrift|jahrbuch)\b")


def _container_date(authors: str, after: str, before: str) -> bool:
    """"Mol Genet, 2005. 14(8)", "Stanford University, 2011. Web.", "Proceedings of the 1992
    ACM ...": a bare date after a journal, place or publisher, then locators; not an author."""
    if re.search(r"\(\s*$", before):
        # "Name (2005)": a date in brackets after names is an author's, unless they name a
        # journal: "Journal of Psycholinguistic Research (2015): 1-10"
        return bool(_JOURNAL_WORDS.search(authors)) and not re.search(r"\b[A-Z]\.", authors)
    # "Kowalski, Jan": a given name that is also a month's abbreviation names a person
    words = _CONTAINER_WORDS.search(_GIVEN_MONTH.sub("", authors))
    if re.search(r"\b[A-Z]\.|,\s?[A-Z]{1,3}\b", authors) and not words:
        return False  # initials: a person
    return bool(_AFTER_CONTAINER_DATE.match(after) or words)


_GIVEN_MONTH = re.compile(rf"^[A-ZÀ-ÞŁŠŽČ][\w'’\-]+,\s(?:{MONTH})\b")


def _open_end(text: str) -> bool:
    """A line that stops where an entry cannot: after "In", "eds.", "and", a comma, a lone
    initial ("In T. F.", "E. J.", "Edited by K.-C."), an opening bracket; an edition ("3rd ed.") or an
    abbreviation written solid ("Washington, D.C.") can end an entry."""
    text = text.rstrip()
    if re.search(r"(?:\d(?:st|nd|rd|th|\.)|[Rr]ev\.)\s?ed\.$", text) or re.search(
            r"(?:https?://|www\.)\S+$", text):
        return False  # (a URL ending in "/" may end its entry)
    return bool(re.search(
        r"(?:[,;:&(\[/–-]|\b(?:[Ii]n|and|und|et|eds?\.|[Hh]rsg\.|[Hh]g\.|[Tt]rans\.|[Tt]ransl\.|"
        r"[Üü]bers\.|by|von|of|the|du|de|des|"
        r"la|le|der|die|das|den|dem|zur|zum|für|for|to|a|an|on|with|mit|aus)|"
        r"(?:^|,\s|\b(?:[Ii]n|by|von|and|und|&)\s|\b[A-ZÀ-ÞŁŠŽČ]\.\s-?)(?:[A-ZÀ-ÞŁŠŽČ]\.-)?[A-ZÀ-ÞŁŠŽČ]\.)$",
        text))


# "Gerber, Pia (2006):", "Habermas, J. (1996):": an inverted personal name and its date in
# brackets, which no line inside an entry starts with (German lists often end entries bare).
_PERSON_DATED = re.compile(
    r"^[A-ZÀ-ÞŁŠŽČ][\w'’\-]+(?:\s[A-ZÀ-ÞŁŠŽČ][\w'’\-]+)?,\s[A-ZÀ-ÞŁŠŽČ][\w.'’\-]*"
    r"(?:\s[A-ZÀ-ÞŁŠŽČ][\w.'’\-]*){0,2}(?:(?:\s?[/;&]\s?|\s(?:and|und)\s)[^()]{0,80}?)?"
    r"\s?\((?:1[5-9]|20)\d\d[a-z]?[),]"
)


_NAME_THEN_DATE = re.compile(
    r"^[A-ZÀ-ÞŁŠŽČ][\w'’\-]+,\s(?:[A-ZÀ-ÞŁŠŽČ][\w'’\-]+\s)?(?:[A-ZÀ-ÞŁŠŽČ]\.\s?)+\s?\(?(?:1[5-9]|20)\d\d\b"
)


# "RAMADIER Thierry, ...", "ACKET Claude, BACHER Pierre", "QUILL, Ada und Jan BEND": a surname
# in capitals, the French way and ISO 690's, before a given name and a comma or "and".
_SHOUTED_LEAD = re.compile(
    r"^[A-ZÀ-ÞŁŠŽČ]{3,}(?:[\s-][A-ZÀ-ÞŁŠŽČ]{3,})*,?\s[A-ZÀ-ÞŁŠŽČ][a-zà-ÿ]+(?:[\s-][A-ZÀ-ÞŁŠŽČ][a-zà-ÿ]+)?"
    r"(?:,\s|\s(?:und|and|et|&)\s)"
)


def _strength_ahead(text: str, following: str) -> int:
    """A line of names whose date opens the next line ("Alkemeyer, Thomas / ... (Hg.)" over
    "(2003): Aufs Spiel ...") opens an entry as surely as one with the date on it."""
    strength = start_strength(text)
    if strength == WEAK and not year_candidates(text) and re.match(
        r"^\(?(?:1[5-9]\d\d|20\d\d)[a-z]?\)?\s?[.:,]", following.strip()
    ):
        return max(strength, start_strength(f"{text.strip()} {following.strip()[:80]}"))
    return strength


# Lower-case words a list of names holds: particles, "and", "et al.", "u."
_NAME_WORDS = frozenset(
    "von van der den de du la le da das dos di del della ten ter zu y e et al al. und and u. "
    "u & eds ed hrsg hg".split())


def _reads_as_title(authors: str, before: str) -> bool:
    """"Wahrnehmung und Wirkung des TV-Duells 2005 im ...": what stands before a bare date
    is a title's words, not names, when it opens with an article or holds a lower-case word
    no list of names does ("des", "im"); names with their date in brackets are never so."""
    if re.search(r"\(\s*$", before):
        return False
    words = authors.split()
    return bool(words) and (words[0] in ("Die", "Das", "The", "Ein", "Eine", "An") or any(
        w[:1].islower() and w.strip(",.;:") not in _NAME_WORDS for w in words))


def _name_start(s: str) -> int:
    head = s[:260]
    years = [y for y in year_candidates(head) if y.start < 220]
    lead = author_date(head, years, dashed=False)
    if lead is not None and re.match(r"^[;:]\s?\d", head[years[0].end:]):
        lead = None  # "Urban Review. 1950;79:46-78.": a journal's date, volume and pages
    if lead is not None and lead[0] and lead[2]:
        return WEAK if _container_date(lead[0], s[years[0].end:], s[: years[0].start]) \
            or _reads_as_title(lead[0], s[: years[0].start]) else STRONG
    if lead is not None and lead[0] and (
        re.search(r"\(\s*$", s[: years[0].start]) or s[years[0].end:].lstrip().startswith(":")
    ):
        return STRONG  # the date closes the line: "Müller, Hans (2005):"
    for k, pattern in enumerate(LEADS):
        m = pattern.match(head)
        if m and looks_like_authors(m.group("a")):
            # "Surname, I.", "Surname AB,", "A. B. Surname,": names no other line starts with
            return STRONG if k < 3 and re.search(r"[A-Z]\.|\b[A-Z]{1,3}\b", m.group("a")) else WEAK
    colon = re.match(r"^(?P<a>[^:\"“„«]{2,100}?)\s?[:,]\s?(?=[\"“„«‘»])|^(?P<b>[^:]{2,100}?):\s", s)
    if colon and looks_like_authors(colon.group("a") or colon.group("b")):
        return WEAK  # "Konami: Silent Hill, 1999.", "Wonka, Arndt, »Accountability ...«"
    if re.match(r"^[A-ZÀ-ÞŁŠŽČ][\w'’\-]+(?:\s[A-ZÀ-Þ][\w'’\-]+)?,\s(?!(?:S|SS|pp?|Vol|No|Nr|Bd)\.\s?\d)[A-ZÀ-Þ]", s):
        return WEAK
    return NONE


def _capitalised(text: str) -> bool:
    """Starts (after quotes or a bracket) with a capital, or a letter of a script without case."""
    first = text.lstrip("\"“‘„«‹'([《「『 ")[:1]
    return first.isalpha() and not first.islower()


def _ends_entry(text: str) -> bool:
    """Whether a line could end an entry: not where it is left open (`_open_end`)."""
    text = text.rstrip()
    return bool(_TERMINAL.search(text)) and not _open_end(text)


def _wrap_width(lines: Sequence[Line]) -> float | None:
    """The width lines were wrapped at, when most lines run to it (else None: one per line)."""
    lengths = sorted(len(ln.text) for ln in lines)
    if len(lengths) < 8:  # too few lines to tell a printed width
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width <= 150 and sum(1 for n in lengths if n >= 0.85 * width) >= 0.45 * len(lengths):
        return float(width)
    for share in (0.8, 0.7):  # running text after the list can be set wider: a peak of
        width = lengths[int(share * (len(lengths) - 1))]  # lengths just under a lower width
        near = sum(1 for n in lengths if 0.85 * width <= n <= width)
        if width <= 150 and near >= 0.4 * len(lengths):
            return float(width)
    return None


def _unwrapped(lines: Sequence[Line]) -> bool:
    """Whether the lines are too long to be printed lines (a page holds ~110 characters) and
    run on without blank lines: text typed or exported one entry to a line, where a line's
    end is an entry's end unless it is left open. Lines each set apart by a blank line are
    paragraphs a reader already cut (a PDF reader's guesses at entries): that cut is what
    the splitter checks, so it lends them no such trust."""
    long = sum(1 for ln in lines if len(ln.text) > 120) >= max(2, len(lines) // 3)
    return long and sum(ln.gap_before for ln in lines) < 0.5 * len(lines)


def _numbering(lines: Sequence[Line]) -> set[int]:
    """Indexes of lines whose numbers continue one sequence, when numbering runs the list."""
    picked: list[int] = []
    expected: int | None = None
    for i, ln in enumerate(lines):
        m = NUMBER_PREFIX.match(ln.text)
        if not m or start_strength(ln.text) == NONE:
            continue
        n = int(m.group("a") or m.group("b") or m.group("c"))
        if expected is None or expected <= n <= expected + 2 or n == 1:
            picked.append(i)
            expected = n + 1
    return set(picked) if len(picked) >= 3 else set()


def _hanging(lines: Sequence[Line]) -> float | None:
    """The left margin of entry starts, when the reader gave line starts and the list hangs."""
    xs = [ln.x for ln in lines if ln.x is not None]
    if len(xs) < 0.8 * len(lines) or len(xs) < 3:
        return None
    left = min(xs)
    indented = sum(1 for x in xs if x > left + 2)
    return left if 0 < indented < len(xs) else None


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the list as a whole lends each decision: robust statistics, never a mode switch."""

    strength: list[int]
    numbered: set[int]  # lines whose numbers continue the list's sequence
    by_number: bool  # numbering, not names, opens this list's entries
    width: float | None  # the printed wrap width, None when one entry is one line
    left: float | None  # the entries' left margin when the reader gave line starts
    unwrapped: bool  # lines longer than a printed line holds: each ends its paragraph


def _shape(lines: Sequence[Line]) -> _Shape:
    """What the whole list lends each line's decision, worked out once per list."""
    strength = [_strength_ahead(ln.text, nxt.text if nxt else "")
                for ln, nxt in zip(lines, [*lines[1:], None], strict=True)]
    numbered = _numbering(lines)
    by_number = len(numbered) >= max(
        3, sum(1 for i, s in enumerate(strength) if s == STRONG and i not in numbered))
    return _Shape(strength, numbered, by_number, _wrap_width(lines), _hanging(lines),
                  _unwrapped(lines))


def split_entries(lines: Sequence[Line]) -> list[str]:
    """One string per entry, in order; every line ends up in exactly one entry."""
    lines = [ln for ln in lines if ln.text.strip()]
    if not lines:
        return []
    shape = _shape(lines)
    entries: list[list[str]] = [[lines[0].text.strip()]]
    opened = 0  # the line the current entry starts on
    for i in range(1, len(lines)):
        if _starts_new(lines, i, shape, entries[-1], numbered_entry=opened in shape.numbered):
            entries.append([lines[i].text.strip()])
            opened = i
        else:
            entries[-1].append(lines[i].text.strip())
    return [_join(parts) for parts in entries]


def _starts_new(lines: Sequence[Line], i: int, shape: _Shape, current: list[str], *,
                numbered_entry: bool) -> bool:
    line, strength, width = lines[i], shape.strength[i], shape.width
    text, before = line.text.strip(), lines[i - 1].text.rstrip()
    if re.search(r"[^\W\d_]-$", before) and not REPEAT_DASH.match(text):
        return False  # a word hyphenated across the break
    if (i in shape.numbered and not _open_end(before)) or (
            text.startswith("[") and NUMBER_PREFIX.match(text) and _ends_entry(before)):
        return True  # "[83] ...": a bracketed number opens an entry, in sequence or not
    if shape.by_number and NUMBER_PREFIX.match(text) and not text.startswith("["):
        return False  # a number out of the list's sequence: "14. Oktober 2005."
    if shape.left is not None and line.x is not None:
        if line.x > shape.left + 2:
            return False  # a hanging indent: a continuation line
        return strength > NONE or _ends_entry(before)
    if width is not None:
        return _wrapped_start(lines, i, shape, current, numbered_entry=numbered_entry)
    if shape.unwrapped and not _open_end(before):
        # a whole line ended the entry before, unless it stops mid-phrase
        return strength > NONE or _capitalised(text) or not _CONTINUES.match(text)
    if strength == NONE:
        return _unmarked_start(lines, i, width, current)
    if strength == STRONG:
        return True
    if line.gap_before or line.page_break_before:
        # a gap may cut an entry that ends bare, never one left open ("... zur Lage der")
        return _ends_entry(before) or not (line.page_break_before or _open_end(before))
    return _ends_entry(before)


def _wrapped_start(lines: Sequence[Line], i: int, shape: _Shape, current: list[str], *,
                   numbered_entry: bool) -> bool:
    """Lines wrapped at a printed width: a line that stops short of the margin, when this
    line's first word would have fitted on it, ended its entry there; a line that ran to the
    margin says nothing, so the start of the next line decides (after an entry opened by its
    number, only the next number)."""
    line, strength, width = lines[i], shape.strength[i], shape.width or 0.0
    text, before = line.text.strip(), lines[i - 1].text.rstrip()
    short = len(before) + 1 + len(text.split()[0]) <= width
    if _open_end(before):
        return False
    if not _ends_entry(before):
        # "Rennes : PUR" / "David Archard, Sexual Consent (...)": an entry ending bare
        return not numbered_entry and (
            (short and strength > NONE) or bool(_PERSON_DATED.match(text))
            or _names_after_bare_end(text, strength, current))
    if short:
        return strength > NONE or _unmarked_start(lines, i, None, current)
    if numbered_entry:
        # numbers open these entries; a full line runs on, unless a name and its date follow
        return bool(_PERSON_DATED.match(text) or _NAME_THEN_DATE.match(text))
    if _dates_the_entry(text, current):
        return False
    if strength == STRONG or (strength == WEAK and (
            _INVERTED_LEAD.match(text) or _JOINED_NAMES.match(text) or (
                _SHOUTED_LEAD.match(text) and not PUBLISHER_WORDS.search(text[:40])))
                              and not re.match(rf"^\S+,\s(?:{MONTH})\b", text)):
        return True  # "Nietzsche, Friedrich. Jenseits ...": a person, then what they wrote
    if _ends_entry(before) and _same_opening(text, current[0]):
        return True  # "Interview mit dem Besitzer ..." again: a series of entries
    if _opens_dated_entry(lines, i, shape, current) or (
            _TITLE_DATED.match(text) and year_candidates(" ".join(current))):
        return True
    ahead = text + (" " + lines[i + 1].text if i + 1 < len(lines) else "")
    return line.gap_before and (
        (strength == WEAK and bool(year_candidates(ahead)))
        or _unmarked_start(lines, i, width, current))


def _names_after_bare_end(text: str, strength: int, current: list[str]) -> bool:
    """After a full line that ends bare ("... Paris: Lakeside Press" over "QUILL, Ada,
    1977."), names open the next entry once this one has its date (before it, they are its
    own names running on: "... und Peter" over "QUILL, 1977."). Only a person's name
    counts, inverted or with its initials (after its particles: "da Quell K-R (1986)"), or
    the entry's own author again (a list sorted by author: "Harbour Trust (1967)" after
    "Harbour Trust (1960) ..."), set off from its date by a comma or a bracket: a name's
    words run on over a line ("... Semantic Information Processing, MIT" over "Press
    (1968)"), and a journal's or a place's name comes with a date ("Local History. 1956.",
    "Besatzungszeit, Lodz 1945]"). A surname in capitals before a given name is as sure."""
    if not year_candidates(" ".join(current)):
        return False
    if strength == WEAK:
        return bool(_SHOUTED_LEAD.match(text)) and not PUBLISHER_WORDS.search(text[:40])
    years = year_candidates(text)
    if strength != STRONG or not years:
        return False
    head = text[: years[0].start]
    particle = _PARTICLE_START.match(head)
    person = re.match(r"^[^\W\d_][\w'’\-]+(?:,\s|\s[A-Z](?:-?[A-Z]){0,2}[,\s(])",
                      head[particle.end() - 1:] if particle else head)
    again = head.strip(" (,") == current[0][: len(head)].strip(" (,")
    return bool(person or again) and head.rstrip()[-1:] in (",", "(")


def _dates_the_entry(text: str, current: list[str]) -> bool:
    """A partial entry is kept whole: after a full line, an entry with no date yet takes the
    date the next line brings ("IEEE Computer, 29(2), 18-28, February 1996.", "Tesla Blog,
    N.p., 2 Aug. 2006"), unless that line opens with names and then their date ("Golomb, S.,
    & Baumert, L. (1965).", "Aykut Firat, 2003.")."""
    years = year_candidates(text)
    if not years or year_candidates(" ".join(current)):
        return False
    before = text[: years[0].start]
    named = bool(re.search(r"[^\W\d_]{2,}", before))  # a name, not initials alone ("V. W. (1999)")
    return not (named and (bool(re.search(r"\(\s*$", before))
                           or not re.search(rf"\d|\b(?:{MONTH})\b", before)))


# "Good chemistry. (1996, September).", "Australia. Department of Health. (1999).": a title or
# a body's name, then its date in brackets, as APA sets entries with no person at their head.
_TITLE_DATED = re.compile(r"^[\"“]?[A-ZÀ-ÞŁŠŽČ][^()]{1,100}?[.?!][\"”]?\s\((?:1[5-9]|20)\d\d[a-z]?[,)]")


def _opens_dated_entry(lines: Sequence[Line], i: int, shape: _Shape, current: list[str]) -> bool:
    """After a full line that ends like an entry the wrap cannot tell, but dates can: an
    entry has one. When the entry so far has its date and ends on its locator (pages, a
    volume, its year: "9(1), 69-80."), and this line opens like names and a stretch with a
    date of its own (up to where a line stops short, the wrap's sign of an entry's end), it
    opens the next entry. A line carrying on an undated entry, or an entry that stops
    after its title ("... Kulturstandards." over "Kultur, Handlung, ... 2000"), never does."""
    if shape.strength[i] != WEAK or not year_candidates(" ".join(current)):
        return False
    if not re.search(r"(?:\d|\bpp?\.)[)\].,;]*$", lines[i - 1].text.rstrip()):
        return False
    return bool(year_candidates(" ".join(_stretch(lines, i, shape))))


def _stretch(lines: Sequence[Line], i: int, shape: _Shape) -> list[str]:
    """Lines from `i` to the first that stops short of the wrap width (or before the next
    sure start), at most six: what would be one entry if `i` opened it."""
    width = shape.width or 0.0
    out: list[str] = []
    for k in range(i, min(i + 6, len(lines))):
        if k > i and shape.strength[k] == STRONG:
            break
        here = lines[k].text.strip()
        out.append(here)
        if k + 1 < len(lines) and len(here) + 1 + len(lines[k + 1].text.split()[0]) <= width:
            break
    return out


# "Wirtschaftsdienst 12 2009, S. 792-796.", "2010, S. 444-451.": a short line that ends on
# its page range is an entry's tail, wherever a reader cut the list before it.
_TAIL = re.compile(r"^.{0,50}(?:S\.|pp?\.)\s?\d+\s?[-–]\s?\d+\.?$")


def _unmarked_start(lines: Sequence[Line], i: int, width: float | None, current: list[str]) -> bool:
    """A line that does not open like an entry (no names and date, no number) opens one only
    after a finished entry, capitalised, and either one entry per line or set apart by a gap;
    after a gap it must also bring a date of its own while the entry before has one, so a gap
    inside an entry ("In D. Morley (Eds.), ...", "Western Psychological Services") cuts nothing."""
    line, before = lines[i], lines[i - 1].text.rstrip()
    text = line.text.strip()
    if not _ends_entry(before) or _CONTINUES.match(text) or _TAIL.match(text):
        return False
    if width is None:
        return (_capitalised(text) or bool(re.match(r"^[(\[]?\d", text))) and not (
            LOCATOR.search(text) and not year_candidates(text))  # "Journal 49 (1): 37-65."
    if not line.gap_before:
        return False
    ahead = text + (" " + lines[i + 1].text if i + 1 < len(lines) else "")
    return _capitalised(text) and not re.match(r"^In\s", text) \
        and bool(year_candidates(" ".join(current))) and bool(year_candidates(ahead))


def _join(parts: list[str]) -> str:
    out = parts[0]
    for part in parts[1:]:
        if re.search(r"[a-zäöüß]-$", out) and part[:1].islower():
            out = out[:-1] + part
        elif re.search(r"(?:https?://|www\.)\S*[/.\-_=]$", out):
            out = out + part
        else:
            out = f"{out} {part}"
    return out
