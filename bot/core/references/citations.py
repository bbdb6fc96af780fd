"""In-text citations: find them in a passage and link them to reference-list entries.

Readings cite in author-year form (parenthetical, narrative, bare in notes) or with numbers and
footnote markers. Finding is pure text work; linking needs the reading's entries, and is
deliberately forgiving about accents, case and small misspellings ("Carreno" = "CARREÑO"),
but strict about years, so "Walker, 1981" never lands on Walker 1995.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.models import BibEntry
from bot.core.references.bibliography import NO_DATE, YEAR, canonical_year
from bot.core.textnorm import SUPER_TO_DIGIT, SUPERSCRIPTS, fold, fold_aligned

# parenthetical | narrative | inline | numeric | footnote-marker | ibid | op-cit
CitationKind = str

_CYEAR = rf"(?:{YEAR})"
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_YEARS_RE = re.compile(
    rf"(?P<years>{_CYEAR}(?:\s*,\s*{_CYEAR})*)(?=\s*(?:$|[:;),.]))"
    r"(?:\s*(?::|,\s*(?=(?:pp?|chap|ch|n)\.))\s*(?P<loc>[^;]*?))?\s*$"
)
_YEAR_ONLY_RE = re.compile(
    rf"^\s*(?P<years>{_CYEAR}(?:\s*,\s*{_CYEAR})*)"
    r"(?:\s*(?::|,\s*(?=(?:pp?|S|chap|ch)\.\s?\d))\s*(?P<loc>.+?))?\s*$"
)
# "Davis 1995: 221" in running text or a note, no brackets: a name right before a year and
# its page.
_BARE_RE = re.compile(rf"(?<=[^\W\d_]\s)(?P<year>{_CYEAR})(?=\s?:\s?[A-Za-z]?\d)")
# A note pointing back: "Ibid., p. 45", "Ebd., S. 12" (the previous note's source) and
# "Morgenthau, op. cit., p. 4", "Weber, a.a.O., S. 3" (that author's source cited last).
IBID_RE = re.compile(r"(?i)(?<!\w)(?:ibid(?:em)?|ebd|ebenda)\b\.?(?:,?\s*(?P<loc>(?:pp?\.|S\.)?\s?\d[\w\-–]*))?")
OP_CIT_RE = re.compile(
    r"(?P<name>[A-ZÀ-ÞŁŠŽČ][\w'’\-]+(?:\s[A-ZÀ-ÞŁŠŽČ][\w'’\-]+)?),?\s+(?:op\.\s?cit\.|a\.\s?a\.\s?O\.|loc\.\s?cit\.)"
    r"(?:,?\s*(?P<loc>(?:pp?\.|S\.)?\s?\d[\w\-–]*))?"
)
_INLINE_LOC_RE = re.compile(
    r"\s*:\s*(?P<loc>[A-Za-z]?\d[\w\-–]*(?:\s*(?:,|and)\s*[A-Za-z]?\d[\w\-–]*)*(?:\s*n\.\s*\d+)?)"
)
# "(Taylor, 1969: 290 and Walker, 1981)": a second citation joined by "and" after a locator.
_AND_NEXT_RE = re.compile(rf"((?<=[\d)])\s*,?\s+(?:and|&)\s+(?=\*?[A-Z][^;]*?{_CYEAR}))")
_NUMERIC_RE = re.compile(r"\[(\d{1,3}(?:\s*[-–,]\s*\d{1,3})*)\]")
_MARKER_RE = re.compile(rf"(?<=[\w.,;:!?)\]\"”’*])([{SUPERSCRIPTS}]+)")
_CUES = re.compile(
    r"^(?:(?:see\s+also|see|cf\.?|compare|e\.\s?g\.,?|i\.\s?e\.,?|also|and|quoted\s+in|cited\s+in"
    r"|in|as\s+in|from)\s+)+",
    re.IGNORECASE,
)
_PARTICLES = frozenset(
    "de del della der di du la le van von y da dos das of the en los las st".split()
)
_CONNECTORS = frozenset({",", "and", "&", "y"})
# Letters NFKD leaves alone ("Bjøl" must meet "BJÖL"); one-for-one so offsets survive.
_EXTRA_ONE = {"ø": "o", "ł": "l", "đ": "d", "ı": "i"}
_EXTRA_LETTERS = str.maketrans({**_EXTRA_ONE, "æ": "ae", "œ": "oe", "ß": "ss", "þ": "th"})
_EXTRA_ALIGNED = str.maketrans(_EXTRA_ONE)


@dataclass(frozen=True, slots=True)
class InTextCitation:
    """One reference as printed in a passage; `authors` is empty for a year-only parenthesis."""

    text: str
    authors: tuple[str, ...]
    year: str | None
    locator: str | None
    kind: CitationKind
    start: int
    end: int
    et_al: bool = False
    number: int | None = None


@functools.lru_cache(maxsize=65_536)  # linking compares every citation with every entry
def name_key(name: str) -> str:
    """The form names are compared in: folded, no dots or markup ("U.S. SENATE" -> "us senate")."""
    key = fold(name.replace("*", "")).translate(_EXTRA_LETTERS)
    key = re.sub(r"(?<=\w)\.(?=\w)", "", key).replace(".", " ")
    key = re.sub(r"[^\w\s-]", " ", key)
    return " ".join(key.split())


def split_cited_names(names: str) -> tuple[tuple[str, ...], bool]:
    """"Olson, Shirk, and Selee" -> three surnames; "González et al." -> one, with et al."""
    names = names.replace("*", "").strip(" ,")
    et_al = bool(re.search(r"\bet\s+al\.?$", names))
    names = re.sub(r",?\s*\bet\s+al\.?$", "", names)
    parts = re.split(r",\s*(?:and|&)\s+|\s+(?:and|&)\s+|\s*&\s*|,\s*", names)
    return tuple(p.strip() for p in parts if p.strip()), et_al


def _name_tail(text: str) -> str:
    """The author names that end `text`: scan back over capitalised words and connectors."""
    tokens = re.findall(r"et\s+al\.?|[^\s,]+|,", text.rstrip(" ,"))
    keep = [tokens.pop()] if tokens and re.fullmatch(r"et\s+al\.?", tokens[-1]) else []
    seen_name = False
    while tokens:
        tok = tokens[-1]
        bare = tok.strip("*“”\"'")
        low = bare.lower()
        if any(c.isupper() for c in bare) and any(c.isalpha() for c in bare):
            seen_name = True
        elif (low in _CONNECTORS or low in _PARTICLES) and seen_name:
            pass
        else:
            break
        keep.append(tokens.pop())
    names = " ".join(reversed(keep)).replace(" ,", ",")
    names = _CUES.sub("", names)
    while True:
        first = names.lstrip(" ,;").split(" ", 1)
        if len(first) == 2 and (first[0].strip(",") in _CONNECTORS | _PARTICLES
                                or first[0].rstrip(",").lower() in _LEADING_WORDS):
            names = first[1]
        else:
            break
    return names.strip(" ,")


# Capitalised words that open a sentence or a note before the name: "As Davis 1995: 221 shows".
_LEADING_WORDS = frozenset(
    "see cf. also as in the and but while when since for after before according to by like"
    " following unlike vgl. siehe nach bei laut wie so auch und whereas although thus".split()
)


def _years(text: str) -> list[str]:
    return [y.strip() for y in re.split(r"\s*,\s*", text) if y.strip()]


def _parts(inner: str) -> list[tuple[int, str]]:
    """Split a parenthesis at ";" (and at ", and Name, 1999" after a locator) with offsets."""
    out: list[tuple[int, str]] = []
    pos = 0
    for piece in re.split(r"(;)", inner):
        if piece != ";":
            sub = 0
            for seg in _AND_NEXT_RE.split(piece):
                if seg and not re.fullmatch(r"\s*,?\s+(?:and|&)\s+", seg):
                    out.append((pos + sub, seg))
                sub += len(seg)
        pos += len(piece)
    return out


def find_citations(text: str) -> list[InTextCitation]:
    """Every citation in a passage, in reading order."""
    found: list[InTextCitation] = []
    masked = list(text)
    for m in _PAREN_RE.finditer(text):
        inner, base = m.group(1), m.start(1)
        found.extend(_from_parenthesis(inner, base))
        masked[m.start() : m.end()] = " " * (m.end() - m.start())
    found.extend(_inline(text, "".join(masked)))
    for m in _NUMERIC_RE.finditer(text):
        for n in _expand_numbers(m.group(1)):
            found.append(InTextCitation(m.group(0), (), None, None, "numeric", m.start(), m.end(),
                                        number=n))
    for m in _MARKER_RE.finditer(text):
        n = int(m.group(1).translate(SUPER_TO_DIGIT))
        found.append(InTextCitation(m.group(1), (), None, None, "footnote-marker", m.start(),
                                    m.end(), number=n))
    return sorted(found, key=lambda c: (c.start, c.end))


def _from_parenthesis(inner: str, base: int) -> list[InTextCitation]:
    only = _YEAR_ONLY_RE.match(inner)
    if only:
        loc = (only.group("loc") or "").strip() or None
        return [InTextCitation(inner.strip(), (), canonical_year(y), loc, "narrative", base - 1,
                               base + len(inner) + 1) for y in _years(only.group("years"))]
    out = []
    for offset, part in _parts(inner):
        m = _YEARS_RE.search(part)
        if not m:
            continue
        names = _name_tail(part[: m.start()])
        if not names:
            continue
        authors, et_al = split_cited_names(names)
        lead = len(part) - len(part.lstrip())
        written = part.strip()
        loc = (m.group("loc") or "").strip() or None
        for y in _years(m.group("years")):
            out.append(InTextCitation(written, authors, canonical_year(y), loc, "parenthetical",
                                      base + offset + lead, base + offset + len(part.rstrip()),
                                      et_al=et_al))
    return out


def _inline(text: str, masked: str) -> list[InTextCitation]:
    """"See Storrs, 1997: 1; and Anderson and Farah, 1999: A01." in running text or notes."""
    out = []
    comma = re.finditer(rf"(?<=,\s)(?P<year>{_CYEAR})(?=$|[\s:;.,)])", masked)
    for m in sorted([*comma, *_BARE_RE.finditer(masked)], key=lambda m: m.start()):
        names = _name_tail(masked[max(0, m.start() - 120) : m.start() - 1].rstrip(" ,"))
        if not names:
            continue
        authors, et_al = split_cited_names(names)
        start = masked.rindex(names, 0, m.start())
        loc_m = _INLINE_LOC_RE.match(masked, m.end())
        end = loc_m.end() if loc_m else m.end()
        out.append(InTextCitation(text[start:end], authors, canonical_year(m.group("year")),
                                  loc_m.group("loc") if loc_m else None, "inline", start, end,
                                  et_al=et_al))
    return out


def _expand_numbers(spec: str) -> list[int]:
    numbers: list[int] = []
    for piece in re.split(r"\s*,\s*", spec):
        a, _, b = piece.replace("–", "-").partition("-")
        if b.strip().isdigit() and 0 <= int(b) - int(a) <= 50:
            numbers.extend(range(int(a), int(b) + 1))
        elif a.strip().isdigit():
            numbers.append(int(a))
    return numbers


# --- linking ---------------------------------------------------------------------------------

def entry_keys(entry: BibEntry) -> list[str]:
    """Name keys an entry answers to: each surname, and a corporate author's short and long form."""
    keys = []
    for author in entry.authors:
        key = name_key(author)
        keys.append(key)
        m = re.match(r"^(.+?)\s*\((.+)\)$", author)
        if m:
            keys += [name_key(m.group(1)), name_key(m.group(2))]
    return [k for k in dict.fromkeys(keys) if k]


@functools.lru_cache(maxsize=65_536)
def name_similarity(cited: str, listed: str) -> float:
    """0-100: exact, a word-boundary prefix ("Embajada de México" of the full name), or fuzzy."""
    a, b = name_key(cited), name_key(listed)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    if b.startswith(a + " ") or a.startswith(b + " "):
        return 95.0
    score = fuzz.ratio(a, b)
    # One typo in a short name costs many points; allow it only when the rest is identical.
    if min(len(a), len(b)) >= 5:
        return score
    return score if score >= 85 else 0.0


def year_fit(cited: str | None, listed: str | None) -> float:
    """1 for the same year; less for "2000" against "2000a" or "1993" against "1993-94"; else 0."""
    c, e = canonical_year(cited), canonical_year(listed)
    if c is None or e is None:
        return 0.5 if c is None else 0.0
    if c == e:
        return 1.0
    if e[:4] == c[:4] and (len(c) == 4 or len(e) == 4):
        return 0.6
    return 0.0


def link_score(cit: InTextCitation, entry: BibEntry) -> float:
    """How well a citation fits an entry, 0-100; 0 when the year or first author disagree."""
    if not cit.authors or not entry.authors:
        return 0.0
    first = max(name_similarity(cit.authors[0], k) for k in entry_keys(entry))
    if first < 85:
        return 0.0
    fit = year_fit(cit.year, entry.year)
    if fit == 0.0 and entry.year is None and first >= 95 and cit.year not in NO_DATE:
        fit = 0.3  # the entry prints no date the parser could read: its name still links it
    if fit == 0.0:
        return 0.0
    score = first * 0.6 + fit * 30
    others = cit.authors[1:]
    if others:
        listed = [name_key(a) for a in entry.authors[1:]]
        hits = [max((name_similarity(o, k) for k in listed), default=0.0) for o in others]
        score += 10 * (sum(h >= 85 for h in hits) / len(others))
        if not listed:
            score -= 15
    elif len(entry.authors) > 1 and not cit.et_al:
        score -= 5  # "Reich, 2010" prefers Reich's own book over Reich and Aspinwall
    return score


def link_citations(
    citations: Sequence[InTextCitation],
    entries: Sequence[BibEntry],
    text: str = "",
    context: str = "",
) -> list[tuple[InTextCitation, int | None]]:
    """Pair each citation with the index of its entry (None when nothing fits).

    A year-only parenthesis takes its author from the nearest name of a listed author before it
    in `text` (or, failing that, at the end of `context`, e.g. the paragraph introducing a block
    quote). Footnote markers and numeric citations link by number to numbered entries only.
    """
    out: list[tuple[InTextCitation, int | None]] = []
    numbered = {e.number: i for i, e in enumerate(entries) if e.number is not None}
    for cit in citations:
        if cit.kind in ("numeric", "footnote-marker"):
            found = numbered.get(cit.number) if cit.number is not None else None
            out.append((cit, found if cit.kind == "numeric" else None))
            continue
        if cit.kind == "narrative" and not cit.authors:
            out.append((cit, _resolve_narrative(cit, entries, text, context)))
            continue
        best, best_score = None, 0.0
        for i, entry in enumerate(entries):
            s = link_score(cit, entry)
            if s > best_score:
                best, best_score = i, s
        out.append((cit, best))
    return out


def _resolve_narrative(cit: InTextCitation, entries: Sequence[BibEntry], text: str,
                       context: str) -> int | None:
    for source, limit in ((text, cit.start), (context, len(context))):
        if not source:
            continue
        folded = fold_aligned(source[:limit]).translate(_EXTRA_ALIGNED)
        nearest, candidates = -1, []
        for i, entry in enumerate(entries):
            for key in entry_keys(entry):
                pattern = _key_pattern(key)
                for m in re.finditer(pattern, folded):
                    if m.end() > nearest:
                        nearest, candidates = m.end(), [i]
                    elif m.end() == nearest:
                        candidates.append(i)
        if nearest < 0:
            continue
        fits = [(year_fit(cit.year, entries[i].year), i) for i in candidates]
        fits = [f for f in fits if f[0] > 0]
        return max(fits)[1] if fits else None
    return None


def _key_pattern(key: str) -> str:
    """A name key as a regex over folded text: "us senate" also finds "U.S. Senate", "*Senate*"."""
    words = [w for w in re.split(r"[\s-]+", key) if w]
    dotted = ["".join(re.escape(ch) + r"\.?" for ch in w) for w in words]
    return r"(?<!\w)" + r"[\W_]+".join(dotted) + r"(?!\w)"
