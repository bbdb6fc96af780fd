"""One reference-list entry as a string -> its fields, in whatever style the author used.

The parser reads the string the way a person does: first where the authors end and whether a
date follows them (author-date styles, with any punctuation after the year: "Name (1999).",
"Name (1999): Title", "Name (1999), Title", "OECD, 1995: Title", "Name. 1999."); otherwise
where a name list ends in the styles that put the date last (numbered, Vancouver/IEEE,
notes-and-bibliography, MLA, "J.M. Foley, Title, New York 1985"). Then the title runs to the
first thing that reads as a container, publisher or locator, and the year is the first plausible
year after it, never a page range ("pp. 1695-1705") nor a reprint date ("Oxford 1971 (Rpt.
1987)" is 1971). Nothing is ever dropped: the raw string is kept with every entry.

This module holds the lead (numbers, cues, repeated-author dashes, the author-date lead, the
names at the start); the rules it applies after that live beside it: `dates` (year candidates),
`authors` (does this read as an author list), `titles` (title, subtitle, container), `locators`
(pages, volume, issue) and `identifiers` (DOI, URL).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.models import BibEntry
from bot.core.references.authors import (
    ALLOWED_LOWER,
    TITLE_WORDS,
    looks_like_authors,
    lost_capitals,
)
from bot.core.references.dates import (
    MONTH,
    YEAR_TEXT,
    YearCandidate,
    first_single_year,
    year_candidates,
)
from bot.core.references.identifiers import find_doi, find_url
from bot.core.references.locators import find_pages, find_volume_issue
from bot.core.references.names import (
    CORPORATE,
    INITIALS_RE,
    PARTICLES,
    Name,
    clean_author_text,
    parse_names,
)
from bot.core.references.titles import (
    CONTAINER_START,
    OPEN_QUOTES,
    find_container,
    first_sentence,
    split_title,
)

# A note's lead-in before the source it names: "Vgl.", "See also", "Siehe ausführlich dazu".
CUE = re.compile(r"^(?:\d{1,3}\s+)?(?:(?:[Vv]gl\.|[Ss]iehe(?:\s+(?:auch|dazu|ausführlich|hierzu))*|"
                  r"[Ss]ee(?:\s+also)?|[Cc]f\.|[Zz]u(?:m|r)?\s+\w+\s+(?:siehe|vgl\.))\s+)+")
NUMBER_PREFIX = re.compile(r"^\s*(?:\[(?P<a>\d{1,4})\]|\((?P<b>\d{1,4})\)|(?P<c>\d{1,4})[.)])\s*(?=\S)")
# A bare number before "Surname, I." ("1 Quill, A. ..."): an entry's number, to the parser
# only (the splitter does not start entries on it: a wrapped line can begin with a number).
_BARE_NUMBER = re.compile(r"^\s*(?P<c>\d{1,3})\s(?=[A-ZÀ-Þ][\w'’\-]+,\s?[A-ZÀ-Þ]\.)")
REPEAT_DASH = re.compile(r"^\s*(?:[—–\-_]\s?){2,}\s*[.,:]?\s*")
# One long dash before a title ("– »The Early-Warning System ...«"): the same author again,
# in lists that print it so; a dash inside a wrapped title could open a line the same way,
# so the splitter only takes it as a start after a finished entry.
LONE_DASH = re.compile(r"^\s*[—–][,.:]?\s(?=[»«\"“„‘A-ZÀ-Þ(\[])")


def parse_reference(text: str, *, previous: BibEntry | None = None,
                    subtitles: bool = False) -> BibEntry | None:
    """Fields of one entry; `previous` lends its authors to a repeated-author dash ("———.");
    `subtitles` says the list keeps subtitles after a full stop ("Titel. Untertitel."), as
    German lists do whatever the punctuation after an entry's date (see `list_keeps_subtitles`)."""
    # composed accents: "Le\u0301on" as PDFs extract it is "Léon", one letter the patterns read
    raw = unicodedata.normalize("NFC", " ".join(text.split()))
    if not raw:
        return None
    body, number = raw, None
    m = NUMBER_PREFIX.match(body) or _BARE_NUMBER.match(body)
    if m and not re.match(rf"^\s*\d{{1,4}}\.\s*(?:{MONTH})\b", body):
        number = int(m.group("c") or m.group("a") or m.group("b"))
        body = body[m.end():]
    body = CUE.sub("", body)
    inherited: list[Name] | None = None
    dash = REPEAT_DASH.match(body) or (LONE_DASH.match(body) if previous else None)
    if dash:
        inherited = [Name(s, f) for s, f in zip(previous.authors, previous.author_names or previous.authors, strict=False)] if previous else []
        body = body[dash.end():]
    fields = _parse_body(body, dashed=inherited is not None, subtitles=subtitles)
    names = inherited if inherited is not None else fields.names
    if inherited is not None and fields.names and not inherited:
        names = fields.names
    rest = fields.after_title
    doi = find_doi(body)
    url = find_url(body)
    volume, issue = find_volume_issue(rest)
    return BibEntry(
        authors=tuple(n.surname for n in names),
        year=fields.year,
        title=fields.title,
        raw=raw,
        container=fields.container,
        pages=find_pages(rest),
        url=url or (f"https://doi.org/{doi}" if doi else None),
        number=number,
        author_names=tuple(n.full for n in names),
        volume=volume,
        issue=issue,
        doi=doi,
        editors=fields.editors,
    )


@dataclass(slots=True)
class _Fields:
    names: list[Name]
    year: str | None
    title: str
    container: str | None
    after_title: str
    editors: bool


def _parse_body(body: str, *, dashed: bool, subtitles: bool = False) -> _Fields:
    years = year_candidates(body)
    lead = author_date(body, years, dashed=dashed)
    if lead is not None:
        authors, dated, rest, comma_style = lead
        # "Name (1999): Titel. Untertitel.": the colon style keeps subtitles after a full stop
        colon = subtitles or bool(re.match(r"^[\s)\].,]*:", body[dated.end:]))
        names = parse_names(authors)
        title, after = _publisher_is_author(*split_title(rest, comma_style=comma_style, subtitles=colon),
                                            names)
        _, editors = clean_author_text(authors)
        return _Fields(names, dated.value, title, find_container(after), after, editors)
    authors, rest, sep = _leading_names(body, dashed=dashed)
    names = parse_names(authors) if authors else []
    title, after = _publisher_is_author(
        *split_title(rest, comma_style=sep == ",", subtitles=subtitles or sep == ":"), names)
    offset = len(body) - len(rest)
    title_end = offset + len(rest) - len(after)
    later = [y for y in years if y.start >= title_end]
    within = [y for y in years if offset <= y.start < title_end]
    pool = later or within or [y for y in years if y.start < offset]
    date = first_single_year(pool)
    if date is not None and date.start < title_end and later == [] and re.search(
        rf"(?:^|[,.]\s*){re.escape(body[date.start:date.end])}\W*$", title
    ):
        # "Nintendo: Super Mario Bros., 1986." - the date closed the title segment
        title = re.sub(rf"[,.]?\s*{re.escape(body[date.start:date.end])}\W*$", "", title)
    _, editors = clean_author_text(authors) if authors else ("", False)
    return _Fields(names, date.value if date else None, title, find_container(after), after, editors)


def _publisher_is_author(title: str, after: str, names: list[Name]) -> tuple[str, str]:
    """(title, what follows it) with a sole author's name cut from the title's end: a body that
    publishes its own report prints its name again as the publisher ("Ministry of Tides. 1995.
    Harbour Dues. Ministry of Tides.", "OECD. Harbour Dues. OECD; 1995."), which reads as a
    subtitle otherwise."""
    if len(names) != 1 or len(names[0].surname) < 3:
        return title, after
    m = re.search(rf"[.,]\s+{re.escape(names[0].surname)}(?:\W*$|[;,:]\s)", title)
    if not m or m.start() == 0:
        return title, after
    return title[:m.start()], f"{title[m.start() + 1:].lstrip()} {after}".strip()


# What can follow a date that closes an entry: pages, a note in brackets, a link.
_ENDS_ENTRY = re.compile(
    r"^(?:[\s.,;:)\]]|\([^()]{0,80}\)|(?:S|SS|pp?|Bd|Vol|Nr|No|H|Heft)\.\s?\d+(?:\s?[-–]\s?\d+)?"
    r"|\d+(?:\s?[-–]\s?\d+)?|(?:https?://|www\.)\S+)*$")


_MONTH_OPENS_DATE = re.compile(rf"\(\s?(?:\d{{1,2}}\.?\s)?(?:{MONTH})\.?,?\s*$")


def author_date(
    body: str, years: list[YearCandidate], *, dashed: bool
) -> tuple[str, YearCandidate, str, bool] | None:
    """(authors, year, text after the date, comma style) when the date follows the authors."""
    if not years:
        return None
    year = years[0]
    if year.start > 400:
        return None
    prefix = body[: year.start]
    month = _MONTH_OPENS_DATE.search(prefix)
    if month:
        prefix = prefix[: month.start() + 1]  # "Quill, Ada (December 1998).": the date's month
    authors = re.sub(r"[\s(\[,.:;]*$", "", prefix)
    if authors and prefix[len(authors):].startswith(".") and re.search(r"\b[A-ZÀ-Þ]$", authors):
        authors += "."  # keep an initial's full stop: "Krasner, Stephen D. 1999", "Ostrom, E. (1990)"
    if not authors and not dashed:
        return None
    tail = body[year.end:]
    if authors and not (looks_like_authors(authors) or _bracketed_date_lead(authors, prefix, tail)
                        or _body_lost_capital(authors, prefix)):
        return None
    given_as_month = re.fullmatch(
        rf"[^\W\d_][\w'’\-]*,\s?(?:[A-ZÀ-Þ][\w'’\-]*\.?\s){{0,2}}(?:{MONTH})\.?\s*", prefix)
    if (re.search(rf"\b(?:{MONTH})\.?\s*$", prefix) and not given_as_month) or _ENDS_ENTRY.match(tail):
        # "..., Hull, März 2012.": the date closes the entry; the names came first. Right
        # after the surname "Jan." or "May" is a given name: "Quill, Ada Jan. 1961. Title."
        return None
    # "(1999a, ed.)", "(1967 [1932])", "(1967) [1932]", "(Hrsg.) (2004):" close the parenthesis first.
    opened = prefix.rstrip().endswith(("(", "["))
    if opened:
        close = re.match(r"^(?:\s?\[[^\]]{1,20}\])?[^()\[\]]{0,40}?[)\]](?:\s?\[[^\]]{1,20}\])?", tail)
        if close:
            tail = tail[close.end():]
    elif re.match(r"^\s?\[[^\]]{1,20}\]", tail):
        tail = tail[re.match(r"^\s?\[[^\]]{1,20}\]", tail).end():]  # type: ignore[union-attr]
    sep = re.match(r"^[\s.,:;)]*", tail)
    punct = sep.group(0) if sep else ""
    rest = tail[len(punct):]
    comma_style = "," in punct and "." not in punct
    eds = re.match(r"^\(?(?:Hrsg|Hg|Hgg|[Ee]ds?|[Éé]ds?)\b\.?\)?\s*[.:,]?\s*", rest)
    if eds and eds.end():
        authors, rest = f"{authors} (Hrsg.)", rest[eds.end():]  # "(1997) (Hrsg.): Title"
    return authors, year, rest, comma_style


def _body_lost_capital(authors: str, prefix: str) -> bool:
    """"statistik Harbour (2005). Title": a body's name before a date in brackets, its first
    capital lost by the PDF's text (a person's lost capitals come with commas: see
    `lost_capitals`)."""
    return (prefix.rstrip().endswith("(") and bool(CORPORATE.search(authors))
            and bool(re.fullmatch(r"[a-zß-ÿ][\w\-]+(?:\s[A-ZÀ-Þ][\w\-]+){1,3}", authors)))


def _bracketed_date_lead(authors: str, prefix: str, tail: str) -> bool:
    """"6, P., D. Leat and G. Stoker (2002): Title", "Quill, Ada (with Lena Hoff) (1989):": a
    date in brackets after a comma-separated list, and a title after it, is the author-date
    lead though the names read oddly (digits, a note in brackets, spaced letters)."""
    outside = re.sub(r"\([^()]*\)", " ", authors)
    lower = [w for w in outside.split() if w[:1].islower() and w.lower() not in ALLOWED_LOWER]
    return (prefix.rstrip().endswith("(") and "," in authors and len(authors) <= 250
            and (not lower or lost_capitals(outside))
            and not re.search(rf"[{OPEN_QUOTES}”»:]|https?:|www\.", authors)
            and bool(re.match(r"^[a-z]?\)\s?[.:]\s+\S.{15}", tail)))


# -- names when the date comes later ------------------------------------------------------------

# A surname's particle ("van der", "de la"), never a title's joining word ("Quays and Courts").
_PARTICLE = r"(?!(?:and|und|et|y|of|the|for|in|on|to|at|an|im|mit|aus|für|zur|zum)\s)[a-zà-ÿ]{1,4}\s"
_SN = rf"(?:(?:{_PARTICLE}|[dDlL]['’])){{0,3}}[A-ZÀ-ÞŁŠŽČ][\w'’\-]*(?:\s[A-ZÀ-ÞŁŠŽČ][\w'’\-]+)?"
# Initials, each with its full stop, so a run of them splits one way only ("J.M.", "H.-J.").
_INI = r"[A-ZÀ-ÞŁŠŽČ][a-z]?\.(?:[\s\-]{0,2}[A-ZÀ-ÞŁŠŽČ][a-z]?\.)*\s?"
# Given names, their initials last: in "Quill J. Harbour Towns" (Vancouver, AMA) the words
# after the initial are the title's, no given name's.
_GIVEN = r"[A-ZÀ-ÞŁŠŽČ][\w'’\-]+(?:[\s\-][A-ZÀ-ÞŁŠŽČ][\w'’\-]+){0,2}(?:[\s\-][A-ZÀ-ÞŁŠŽČ]\.){0,2}"
_NAT = rf"(?:{_INI}|{_GIVEN}\s)(?:{_PARTICLE}){{0,3}}[A-ZÀ-ÞŁŠŽČ][\w'’\-]+"
_NATJ = rf"{_NAT}(?:,?\s(?:Jr|Sr)\.)?"
_VANC = rf"(?:{_PARTICLE}){{0,3}}[A-ZÀ-ÞŁŠŽČ][\w'’\-]+(?:\s[A-ZÀ-ÞŁŠŽČ][\w'’\-]+)?\s(?:[A-Z]\.(?:\s?-?[A-Z]\.){{0,2}}|[A-Z]{{1,3}}\b)"
_AND = r"(?:,\s*|,?\s+(?:and|&|und|et|y)\s+|\s*/\s*|;\s*)"
_AND_STRICT = r"(?:,?\s+(?:and|&|und|et|y)\s+|\s*/\s*|;\s*)"
_ETAL = r"(?:,?\s*(?:et\.?\s?al\.?|u\.\s?a\.))?"
_EDS = r"(?:\s*[,(]?\s*(?:[Ee]ds?|[Hh]rsg|[Hh]g|[Ee]ditors?|dir|coord)\.?\)?)?"
# Chicago and MLA print an inverted surname's particle after the initials ("Quell, A. L. van
# der, and P. Hoff"); it closes the name, so a comma or full stop follows it.
_PARTICLE_AFTER = r"(?:\s?(?:van|von|de|der|den|da|du|la|le|di|del|della|dos|das|ter|ten|zu|vom)\b)+(?=[,.;])"
_INV_OR_NAT = rf"(?:{_SN},\s?{_INI}(?:{_PARTICLE_AFTER})?(?:,?\s?(?:Jr|Sr)\.)?|{_INI}\s?(?:{_PARTICLE}){{0,3}}[A-ZÀ-ÞŁŠŽČ][\w'’\-]+)"
# Initials, then a surname: "J. M. Foley", "H.-J. van der Berg"; "U. Nunes da Quell": a
# surname of two joined by a particle, as Portuguese names are.
_INAT = rf"{_INI}\s?(?:[A-ZÀ-ÞŁŠŽČ][\w'’\-]+\s(?={_PARTICLE}))?(?:{_PARTICLE}){{0,3}}[A-ZÀ-ÞŁŠŽČ][\w'’\-]+"
LEADS = [
    # APA without a date first: "Dwork, C., Kanellakis, P. C., and Mitchell, J. C., On ..."
    # Chicago and MLA with initials: "Quill, A. R., P. Hoff, and L. Brandt. Title", the last
    # name's given name spelled out ("Quill, A. R., and Lena Quill."); a full stop closes the
    # names after a surname as after an initial
    re.compile(rf"^(?P<a>{_SN},\s?{_INI}(?:{_PARTICLE_AFTER})?(?:,?\s?(?:Jr|Sr)\.)?(?:{_AND}{_INV_OR_NAT})*(?:{_AND_STRICT}{_NAT})?{_ETAL}{_EDS})\s*(?P<sep>[,:;]|(?<=[.)])|\.(?=\s))\s*(?=\S)"),
    # Vancouver: "Redlich AA, Arias A, de la Macorra JC." / "Janik J.:"
    re.compile(rf"^(?P<a>{_VANC}(?:{_AND}{_VANC})*{_ETAL}{_EDS})\s*(?P<sep>[.,:;])\s+(?=\S)"),
    # Initials first: "J.M. Foley, ..." "S. E. Han, G. Chen,"
    re.compile(rf"^(?P<a>{_INAT}(?:{_AND}{_INAT})*(?:{_AND_STRICT}{_NAT})?{_ETAL}{_EDS})\s*(?P<sep>[,:.;])\s*(?=\S)"),
    # Natural order: "Harry Heffes and David Lucantoni." "Almut Metz," "Mark R. Lind Jr.,"
    re.compile(rf"^(?P<a>{_NATJ}(?:(?:,\s*{_NATJ})*{_AND_STRICT}{_NATJ})*{_ETAL}{_EDS})\s*(?P<sep>[.,;]|(?<=\)))\s+(?=\S)"),
    # Inverted first author with given names: "Hearn, Lafcadio." "Lakoff, George, and Mark Johnson."
    # "Levine, Robert S. Title": the initial's full stop ends the names too
    # DIN 1505-2 joins inverted names with " ; " ("Quill, Ada ; Hoff, Lena: Titel")
    # Names in natural order after it end with "and" ("Lakoff, George, Mark Turner and Ada
    # Quill"); without it, "Bourdieu, Pierre, Homo Academicus, ..." goes on with the title.
    re.compile(rf"^(?P<a>{_SN},\s{_GIVEN}(?:,\s(?:Jr|Sr)\.)?(?:(?:,\s+{_NAT})*,?\s+(?:and|&|und)\s+{_NAT}|(?:(?:,?\s+(?:and|&|und)\s+|,\s+)(?:{_SN},\s{_GIVEN}))*(?:,?\s+(?:and|&|und)\s+{_NAT})?)(?:\s*[/;]\s*{_SN},\s{_GIVEN})*{_ETAL}{_EDS})\s*(?P<sep>[.,:;]|(?<=\))|(?<=\b[A-Z]\.)|(?<=\b[JS]r\.))\s+(?=\S)"),
]


_TITLE_FOLLOWERS = re.compile(
    r"^\s*(?:Dir|Ed|Edited|Perf|Prod|Trans|Translated|Screenplay|Available|Retrieved|Accessed|"
    r"URL|Web)\b")


# One sentence, then the imprint in brackets ("Harbour Towns. (Kelp Press, Kiel, 1999)."): Nature
# prints an edited book so, with no names at all; with names there would be a second sentence.
_ONLY_TITLE_THEN_IMPRINT = re.compile(rf"(?:(?!\.\s)[^()])+\.\s?\((?:[^()]*,\s?)?(?:{YEAR_TEXT})[a-z]?\)\.?")


def _leading_names(body: str, *, dashed: bool) -> tuple[str, str, str]:
    """(authors, rest, separator) for styles that put the date at the end; what follows a
    film's or a book's title ("A Civil Action. Dir. ...", "Ghost Stories. Ed. ...") or a lone
    sentence before the imprint says the words before it were the title."""
    authors, rest, sep = _names_at_start(body, dashed=dashed)
    if authors and (_TITLE_FOLLOWERS.match(rest) or _ONLY_TITLE_THEN_IMPRINT.fullmatch(body)):
        return "", body, "."
    return authors, rest, sep


# A body's initialism, then a full stop: "OECD. Harbour Dues: A Survey. Paris: OECD, 2001."
_ACRONYM_AUTHOR = re.compile(r"^(?P<a>[A-Z][A-Z&]{1,7})\.\s+(?=[A-ZÀ-Þ\"“‘])")


def _names_at_start(body: str, *, dashed: bool) -> tuple[str, str, str]:
    if dashed:
        return "", body, "."
    # the names, then the quoted title, with or without a mark between ("P. Quill and J. Hoff
    # “Design for Tides,” ...")
    quote = re.match(rf"^(?P<a>[^{OPEN_QUOTES}:]{{2,200}}?)(?:\s*[,:.，：]\s*|\s)(?=[{OPEN_QUOTES}])", body)
    if quote and looks_like_authors(quote.group("a")) and not (
            not quote.group(0)[len(quote.group("a")):].strip() and _one_long_phrase(quote.group("a"))):
        return quote.group("a"), body[quote.end():], ","
    head = body[:400]  # no author list runs longer; bounds the regexes' work on merged text
    found = [m for m in (p.match(head) for p in LEADS) if m and looks_like_authors(m.group("a"))]
    if found:
        m = max(found, key=lambda x: len(x.group("a")))  # "Jennifer N. Dang." over "Jennifer N."
        authors, rest = m.group("a"), body[m.end():]
        if CONTAINER_START.match(rest) and "," in authors and not INITIALS_RE.match(
                authors[authors.rindex(",") + 1:].strip()):
            # "Daalder/Goldgeier, Putting Europe First, in: Survival": the last piece is the title
            cut = authors.rindex(",")
            return authors[:cut], body[cut + 1:].lstrip(), ","
        return authors, rest, m.group("sep") or "."
    acronym = _ACRONYM_AUTHOR.match(body)
    if acronym:
        return acronym.group("a"), body[acronym.end():], "."
    colon = re.match(r"^(?P<a>[^:]{2,160}?):\s+(?=\S)", body)
    if colon and looks_like_authors(colon.group("a")):
        return colon.group("a"), body[colon.end():], ":"
    sentence = first_sentence(body)
    if sentence and len(sentence) < len(body) and looks_like_authors(sentence):
        return sentence, body[len(sentence):].lstrip(" .,:"), "."
    return "", body, "."


def _one_long_phrase(text: str) -> bool:
    """"Interview mit dem Besitzer des Hafens „Kelp“": words run straight into a quote with
    nothing joining names (no comma, slash, "and"), more of them than one person's name has, a
    joining word among them and no body's word, are a title's, the quoted name a part of it."""
    if re.search(r"[,;/&]|\s(?:and|und|et|y)\s", text) or CORPORATE.search(text):
        return False
    words = [w for w in text.split() if w.lower() not in PARTICLES]
    return len(words) >= 5 and any(w.lower() in TITLE_WORDS for w in words)
