"""Publication dates in a reference string: the year patterns and the candidates they find.

Kept apart from the parser because every other stage asks the same question of a string
("where could its date be?"): the author-date lead, the title's end, the splitter's entry
starts. A candidate is never a page range, a volume or issue number, a DOI's or a URL's digits;
a missing date ("n.d.", "o.J.", "in press") is a candidate too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.references.identifiers import DOI_PATTERN, URL_PATTERN

YEAR_TEXT = r"1[5-9]\d\d|20[0-4]\d"
_YEAR_CAND = re.compile(
    rf"(?<![\d.,])(?<!\d\.)(?P<y>{YEAR_TEXT})(?:\s?[-–/]\s?(?P<y2>\d{{4}}|\d{{1,2}})(?!\d))?"
    r"(?P<s>[a-z](?![a-zäöüß]))?(?!\d)"
)
# "n.d.", "o.J." and the like, never a name's initials ("N. D. Mermin", "O. J. Quill")
NO_YEAR = re.compile(
    r"(?<!\w)(?:n\.\s?[dD]\.?|N\.\s?D(?:\.(?!\s?[A-ZÀ-Þ][a-zà-ÿ])|(?![.\w]))|o\.\s?J\.?|s\.\s?d\.|s/d|n\.\s?y\.|o\.\s?D\.|(?i:in\s+press|"
    r"im\s+druck|forthcoming|im\s+erscheinen|in\s+preparation|under\s+review|sous\s+presse)|"
    r"i\.\s?E\.(?=\)|\s*$))(?!\w)"
)
_MARKERS = {"in press": "in press", "im druck": "in press", "sous presse": "in press",
            "forthcoming": "forthcoming", "im erscheinen": "forthcoming", "i.e.": "forthcoming",
            "in preparation": "forthcoming", "under review": "forthcoming"}


MONTH = (r"(?:Jan(?:uary|uar)?|Feb(?:ruary|ruar)?|Mar(?:ch)?|März|Apr(?:il)?|May|Mai|Jun[ei]?|"
          r"Jul[iy]?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Okt(?:ober)?|Nov(?:ember)?|"
          r"Dec(?:ember)?|Dez(?:ember)?|Spring|Summer|Fall|Autumn|Winter|Frühjahr|Herbst|Sommer)")


STARTS_WITH_YEAR = re.compile(rf"^(?:{YEAR_TEXT})\b")
SPAN_OF_YEARS = re.compile(rf"({YEAR_TEXT})\s?[-–]\s?({YEAR_TEXT})\.?")


@dataclass(frozen=True, slots=True)
class YearCandidate:
    start: int
    end: int
    value: str  # canonical: "1999", "2000a", "1993-94", "n.d.", "in press", "forthcoming"


_ONE_YEAR = re.compile(rf"(?:{YEAR_TEXT})[a-z]?")


def first_single_year(pool: list[YearCandidate]) -> YearCandidate | None:
    """The first candidate, unless it spans years and a single year follows: "Revolution,
    1917-1921 (Oxford: Keel, 1989)" was published in 1989; the span is the period it covers."""
    if pool and "-" in pool[0].value:
        single = next((y for y in pool[1:] if _ONE_YEAR.fullmatch(y.value)), None)
        return single or pool[0]
    return pool[0] if pool else None


_LOCATOR_BEFORE = re.compile(
    r"(?:\bpp?\.|\bS\.|\bpages?|\b[Nn]o\.|\bNr\.|\bISBN|\bISSN|[:;]|\bp\.|\bBd\.|#|-)\s*$"
)


def year_candidates(text: str) -> list[YearCandidate]:
    """Every plausible publication date in the string, in order; page ranges, volume and issue
    numbers, DOIs and URLs excluded."""
    blocked = [(m.start(), m.end()) for m in URL_PATTERN.finditer(text)]
    blocked += [(m.start(), m.end()) for m in DOI_PATTERN.finditer(text)]
    out: list[YearCandidate] = []
    for m in _YEAR_CAND.finditer(text):
        if any(a <= m.start() < b for a, b in blocked):
            continue
        before = text[max(0, m.start() - 12):m.start()]
        if _LOCATOR_BEFORE.search(before) and not _initial_s(text[:m.start()]) and not (
            before.rstrip().endswith((":", ";")) and m.group("y2") is None
            and _looks_year_after_colon(text, m)
        ):
            continue  # "pp. 1999", "No. 2005", "Review 53: 1999": a number, not a date
        y, y2, suffix = m.group("y"), m.group("y2"), m.group("s") or ""
        value = y
        if y2:
            second = int(y2) if len(y2) == 4 else int(y[: 4 - len(y2)] + y2)
            gap = second - int(y)
            if "/" in text[m.start():m.end()] and len(y2) == 4 and gap > 10:
                out.append(YearCandidate(m.start(), m.end(), y))  # "(1759/1977)": first edition, reprint
                continue
            if not 0 < gap <= 10:
                continue  # "1695-1705", "1477-81": pages
            value = f"{y}-{str(second)[2:]}"
        after = text[m.end():m.end() + 3]
        if re.match(r"^\s?[-–]\s?\d", after) or re.match(r"^\.?\d", after):
            continue  # a range, or an identifier's digits ("arXiv:1504.07295")
        out.append(YearCandidate(m.start(), m.end(), value + suffix))
    for m in NO_YEAR.finditer(text):
        if any(a <= m.start() < b for a, b in blocked):
            continue
        word = re.sub(r"\s+", " ", m.group(0).lower())
        out.append(YearCandidate(m.start(), m.end(), _MARKERS.get(word, "n.d.")))
    out.sort(key=lambda y: y.start)
    return out


def _initial_s(head: str) -> bool:
    """"Sassen, S. 2001", "Quill, Mark S. 1985", "Hoff, C. S. 1990", "Hoff, K.-S. 1990": the
    "S." of a name, not the German page abbreviation."""
    return bool(re.fullmatch(r"[^\W\d_][^\d:;]{0,80}?,\s?(?:[A-ZÀ-Þ][\w'’\-]*\.?\s?){0,3}-?S\.\s*", head))


def _looks_year_after_colon(text: str, m: re.Match[str]) -> bool:
    """"Frankfurt/M.: 1999", "In: 1999" and Vancouver's "Oxford: Quay Press; 1999" are dates;
    "Review 53: 1999" is a page."""
    before = text[:m.start()].rstrip()[:-1].rstrip()
    return not re.search(r"\d\s*$", before)
