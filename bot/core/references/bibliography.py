"""Reference lists: split a reading's bibliography into entries and parse each one.

Readings come with reference lists in many shapes, and citation linking only needs a few
fields to be right (surnames and year); so the parser recognises the common layouts (author
header lines followed by year lines, APA, Chicago author-date, MLA, numbered lists) and keeps
the raw text of every entry, whatever it could not understand, so nothing is lost.
"""

from __future__ import annotations

import functools
import itertools
import re

from bot.core.models import BibEntry

# A year as reference lists print it: 1999, 2000a, 1993-94, 1993-1994, n.d., "forthcoming".
YEAR = r"(?:1[5-9]\d\d|20\d\d)(?:\s?[-–/]\s?(?:\d{4}|\d{2}))?[a-z]?|n\.\s?d\.|forthcoming"
_YEAR_LINE_RE = re.compile(
    rf"^(?:[-–•*]\s+)?(?P<year>{YEAR})(?P<open>[-–])?(?=\s|[.,]|$)\s*(?P<rest>.*)$"
)
_NUMBERED_RE = re.compile(r"^\s*(?:\[(?P<a>\d{1,4})\]|(?P<b>\d{1,4})\.)\s+(?P<rest>\S.*)$")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s,;)\]]+[^\s,;.)\]]")
_PAGES_RE = re.compile(r"\bpp?\.\s?(?P<p>[A-Z]?\d+(?:\s?[-–]\s?[A-Z]?\d+)?)")
_BARE_PAGES_RE = re.compile(r"[,:]\s?(?P<p>\d+[-–]\d+)\.?\s*$")
_INITIALS_RE = re.compile(r"^(?=.*\.)(?:[A-Z]\.?(?:\s?-?[A-Z]\.?)*)$")
_PARTICLES = frozenset(
    ["de", "del", "della", "der", "di", "du", "la", "le", "van", "von", "y", "da", "dos", "das",
     "st"]
)
_LOWER_WORDS = _PARTICLES | frozenset(["of", "and", "the", "en", "for", "on", "in"])
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
    if y.replace(" ", "").lower() in ("n.d.", "nd"):
        return "n.d."
    m = re.fullmatch(r"(\d{4})[-/](\d{2}|\d{4})([a-z]?)", y)
    if m:
        first, second, suffix = m.groups()
        if len(second) == 4 and second[:2] == first[:2]:
            second = second[2:]
        return f"{first}-{second}{suffix}"
    return y


def display_name(name: str) -> str:
    """Shouted reference-list names ("AI CAMP", "U.S. SENATE") in the case a reader expects."""
    name = " ".join(name.replace("*", "").split()).strip(" ,;")
    letters = [c for c in name if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return name
    out = []
    for i, word in enumerate(name.split(" ")):
        bare = word.strip("()")
        if "." in bare or (len(bare) <= 4 and not re.search(r"[AEIOUÁÉÍÓÚÀÈÌÒÙÄËÏÖÜ]", bare)):
            out.append(word)  # U.S., PGR, PBS: initialisms stay as printed
        elif i > 0 and bare.lower() in _LOWER_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), p)
                                for p in word.split("-")))
    return " ".join(out)


def split_authors(text: str) -> tuple[str, ...]:
    """Surnames from an author string in any of the usual orders.

    "Krasner, S. D., & Keohane, R. O." (APA), "Reuter, Peter, and David Ronfeldt" (Chicago/MLA,
    first author inverted), "S. D. Krasner and R. O. Keohane" (numbered styles), "U.S. Senate"
    (corporate: no comma, kept whole).
    """
    text = " ".join(text.replace("*", "").split()).strip(" ,;")
    if not text.rstrip("."):
        return ()
    et_al = re.search(r",?\s+et\s+al\.?$", text)
    if et_al:
        text = text[: et_al.start()]
    text = re.sub(r",?\s+(?:and|&|y|et|und)\s+", " | ", text)
    chunks = [c.strip(" ,") for c in text.split(" | ") if c.strip(" ,")]
    # APA: "Surname, I. I., Surname, I." -> pairs of (surname, initials).
    pieces = [p.strip() for c in chunks for p in c.split(",") if p.strip()]
    initials = [bool(_INITIALS_RE.match(p)) for p in pieces]
    if len(pieces) >= 2 and len(pieces) % 2 == 0 and all(initials[1::2]) and not any(initials[::2]):
        return tuple(display_name(p) for p in pieces[0::2])
    surnames: list[str] = []
    for i, chunk in enumerate(chunks):
        parts = [p.strip() for p in chunk.split(",") if p.strip()]
        if i == 0 and len(parts) >= 2:
            surnames.append(parts[0])  # inverted first author; parts[1] is the given name
            surnames.extend(natural_surname(p) for p in parts[2:])
        elif len(parts) == 1 and i == 0 and len(chunks) == 1:
            surnames.append(natural_surname(parts[0]) if _looks_personal(parts[0]) else parts[0])
        else:
            surnames.extend(natural_surname(p) for p in parts)
    return tuple(display_name(_drop_full_stop(s)) for s in surnames if s)


def _drop_full_stop(name: str) -> str:
    """"U.S. Senate." ends a sentence, "U.S." or "J." end an abbreviation."""
    return name[:-1] if re.search(r"(?:^|\s)[^\W\d_]{2,}\.$", name) else name


def _looks_personal(name: str) -> bool:
    """"S. D. Krasner" is a person; "U.S. Senate" or "Huffington Post" are corporate authors."""
    return bool(re.match(r"^(?!(?:U\.\s?[SKN]|E\.\s?U)\.)(?:[A-Z]\.\s?){1,3}[A-Z][\w'’-]+$", name))


def natural_surname(name: str) -> str:
    """Surname of a name written in natural order, keeping particles ("Samuel del Villar")."""
    words = name.split()
    if not words:
        return ""
    k = len(words) - 1
    while k > 0 and words[k - 1].lower() in _PARTICLES:
        k -= 1
    return " ".join(words[k:])


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


def parse_bibliography(text: str) -> list[BibEntry]:
    """Every entry of a reference list, in order; a heading line such as "References" is skipped."""
    all_lines = text.strip().splitlines()
    if all_lines and _HEADING_RE.fullmatch(all_lines[0].strip()):
        all_lines = all_lines[1:]
    lines = _nonblank(all_lines)
    if not lines:
        return []
    headers = sum(_looks_like_header(a, b) for a, b in itertools.pairwise(lines))
    if headers >= 2 or (headers == 1 and len(lines) <= 4):
        return _parse_header_layout(lines)
    return [e for e in (parse_entry(chunk) for chunk in _split_entries(all_lines)) if e]


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


def _split_entries(lines: list[str]) -> list[str]:
    """One chunk per entry for the one-paragraph-per-entry styles (APA, Chicago, MLA, numbered).

    Entries are separated by blank lines, or each starts a line; a wrapped line is recognised
    by not looking like the start of an entry.
    """
    numbered = sum(bool(_NUMBERED_RE.match(ln)) for ln in lines if ln.strip())
    chunks: list[str] = []
    fresh = True
    for ln in lines:
        s = ln.strip()
        if not s:
            fresh = True
            continue
        starts = _NUMBERED_RE.match(s) if numbered >= 2 else _starts_entry(s)
        if fresh or starts or not chunks:
            chunks.append(s)
        else:
            chunks[-1] += " " + s
        fresh = False
    return chunks


def _starts_entry(line: str) -> bool:
    """A new entry starts with an inverted surname ("Krasner, S.") or a corporate author + date."""
    return bool(re.match(r"^[^\W\d_][\w'’.\- ]{0,40},\s+[^\W\d_]", line)) or bool(
        re.match(rf"^[^\W\d_][^.]{{0,80}}\.?\s\(?(?:{YEAR})\)?[.,]?(?=\s|$)", line)
    )


def parse_entry(chunk: str) -> BibEntry | None:
    """Parse one entry of an APA, Chicago author-date, MLA or numbered list."""
    raw = " ".join(chunk.split())
    if not raw:
        return None
    number = None
    m = _NUMBERED_RE.match(raw)
    if m:
        number = int(m.group("a") or m.group("b"))
        raw_body = m.group("rest")
    else:
        raw_body = raw
    for parse in (_parse_apa, _parse_chicago, _parse_initials_first, _parse_mla):
        got = parse(raw_body)
        if got:
            authors, year, title, rest = got
            c = _CONTAINER_RE.search(" " + rest) if rest else None
            container = c.group("c") if c else _first_clause(re.sub(r"^in\s+", "", rest or ""))
            if container:  # "Journal 34 (3): 89–153" -> "Journal"
                container = re.sub(r",?\s+(?:vol\.\s*)?\d+\s*(?:\(\d+\))?\s*:.*$", "", container)
            return BibEntry(authors=authors, year=canonical_year(year), title=title, raw=raw,
                            container=container, pages=_pages(rest or ""),
                            url=_url(raw_body), number=number)
    return BibEntry(authors=(), year=canonical_year(_last_year(raw_body)),
                    title=_first_clause(raw_body) or raw_body, raw=raw, url=_url(raw_body),
                    number=number)


def _last_year(text: str) -> str | None:
    years = re.findall(rf"\b(?:{YEAR})\b", text)
    return years[-1] if years else None


_Parsed = tuple[tuple[str, ...], str | None, str, str]


def _split_title(text: str) -> tuple[str, str]:
    """Title and what follows it: quoted, italic, or up to the first full stop."""
    text = text.strip()
    m = _QUOTED_RE.match(text) or _ITALIC_RE.match(text)
    if m:
        return m.group("t").strip(" ,."), m.group("rest")
    m = re.match(r"^(?P<t>.+?[.?!])\s+(?P<rest>.*)$", text)
    if m:
        return m.group("t").strip(" ."), m.group("rest")
    return text.strip(" ."), ""


def _parse_apa(text: str) -> _Parsed | None:
    """Krasner, S. D. (1999). Sovereignty: Organized hypocrisy. Princeton University Press."""
    m = re.match(rf"^(?P<a>[^()]+?)\s*\((?P<y>{YEAR})(?:,[^)]*)?\)\.?\s+(?P<rest>.+)$", text)
    if not m:
        return None
    title, rest = _split_title(m.group("rest"))
    return split_authors(m.group("a")), m.group("y"), title, rest


def _parse_chicago(text: str) -> _Parsed | None:
    """Krasner, Stephen D. 1999. Sovereignty: Organized Hypocrisy. Princeton: Princeton UP."""
    m = re.match(rf"^(?P<a>.+?)\.\s+(?P<y>{YEAR})(?:(?<=\.)|\.)\s+(?P<rest>.+)$", text)
    if not m or len(m.group("a")) > 200:
        return None
    title, rest = _split_title(m.group("rest"))
    return split_authors(m.group("a")), m.group("y"), title, rest


def _parse_mla(text: str) -> _Parsed | None:
    """Krasner, Stephen D. Sovereignty: Organized Hypocrisy. Princeton UP, 1999."""
    m = re.match(r"^(?P<a>[^\W\d_][^,]{0,60},\s+[^.\"“*]+?(?:\s[A-Z]\.)*(?:,? et al)?)\.\s+"
                 r"(?P<rest>.+)$", text)
    if not m:
        return None
    title, rest = _split_title(m.group("rest"))
    return split_authors(m.group("a")), _last_year(rest), title, rest


def _parse_initials_first(text: str) -> _Parsed | None:
    """S. D. Krasner, Sovereignty: Organized Hypocrisy. Princeton University Press, 1999."""
    name = r"(?:[A-Z]\.\s?){1,3}[^\W\d_][\w'’-]+"
    m = re.match(rf"^(?P<a>{name}(?:(?:,\s*|,?\s+and\s+){name})*(?:,? et al\.)?),\s+(?P<rest>.+)$",
                 text)
    if not m:
        return None
    title, rest = _split_title(m.group("rest"))
    return split_authors(m.group("a")), _last_year(rest), title, rest
