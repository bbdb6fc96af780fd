"""One reference-list entry as a string -> its fields, in whatever style the author used.

The parser reads the string the way a person does: first where the authors end and whether a
date follows them (author-date styles, with any punctuation after the year: "Name (1999).",
"Name (1999): Title", "Name (1999), Title", "OECD, 1995: Title", "Name. 1999."); otherwise
where a name list ends in the styles that put the date last (numbered, Vancouver/IEEE,
notes-and-bibliography, MLA, "J.M. Foley, Title, New York 1985"). Then the title runs to the
first thing that reads as a container, publisher or locator, and the year is the first plausible
year after it, never a page range ("pp. 1695-1705") nor a reprint date ("Oxford 1971 (Rpt.
1987)" is 1971). Nothing is ever dropped: the raw string is kept with every entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.models import BibEntry
from bot.core.references.names import (
    _CORPORATE,
    EDITOR_MARK,
    INITIALS_RE,
    PARTICLES,
    Name,
    clean_author_text,
    parse_names,
)

_Y = r"1[5-9]\d\d|20[0-4]\d"
_YEAR_CAND = re.compile(
    rf"(?<![\d.,])(?<!\d\.)(?P<y>{_Y})(?:\s?[-–/]\s?(?P<y2>\d{{4}}|\d{{1,2}})(?!\d))?"
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
# A note's lead-in before the source it names: "Vgl.", "See also", "Siehe ausführlich dazu".
_CUE = re.compile(r"^(?:\d{1,3}\s+)?(?:(?:[Vv]gl\.|[Ss]iehe(?:\s+(?:auch|dazu|ausführlich|hierzu))*|"
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
_URL = re.compile(r"(?:https?://|www\.)\S+")
_DOI = re.compile(r"(?i)\b(?:doi:?\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[^\s\"<>]+)")
_PAGES = re.compile(
    r"(?:\bpp?\.|\bS\.|\bSS\.|\bpages?|\bSeiten?|\bpgs?\.)\s?(?P<p>[A-Za-z]?\d+(?:\s?[-–—]+\s?[A-Za-z]?\d+)?(?:\s?ff?\.)?)"
    r"|[,:;]\s?(?P<q>\d{1,5}\s?[-–—]+\s?\d{1,5})(?=[.,;)\s]*$|[.,;]\s)"
)
_VOLUME = re.compile(
    r"(?:\b(?:[Vv]ol|Bd|Jg|Jahrgang|[Vv])\.?\s?(?P<v1>\d{1,4})|(?<![\d(])(?P<v2>\d{1,4})\s?\((?P<i2>[\d/\-–]{1,9})\)"
    r"|(?P<v3>\d{1,4})\s?[,(]?\s?(?:[Nn]o|Nr|H|Heft|[Ii]ss(?:ue)?|n)\.?\s?(?P<i3>\d{1,4}))"
)
_ISSUE = re.compile(r"\b(?:[Nn]o|Nr|Heft|[Ii]ssue)\.?\s?(?P<i>\d{1,4})")
_ABBREV = frozenset(
    "jr sr st dr mr mrs ms prof eds ed hrsg hg hgg vol vols no nr pp bd aufl ed vgl bzw usw ca"
    " inc co ltd corp univ dept proc trans rev soc int natl nat am j conf symp assoc acad sci"
    " res stud q e.g i.e etc al u.a vs cf ff jg pt ch chap fig col ser suppl diss phil med rer"
    " jahrb zs ztschr zeitschr bull mitt ber abh ges hist pol polit wiss publ dep gov govt fed"
    " nat ann mag".split()
)
_CONTAINER_START = re.compile(r"^(?:[Ii]n:?\s|[Ii]n:|[Ii]m:\s|[Ii]n\s+(?=[A-Z\"“*]))")
_PUBLISHER_WORDS = re.compile(
    r"(?i)\b(?:press|verlag|publishers?|publishing|publications|books|sage|routledge|campus|"
    r"suhrkamp|wiley|elsevier|springer|blackwell|macmillan|palgrave|penguin|beck|nomos|vs|"
    r"westdeutscher|leske|budrich|lit|transcript|oldenbourg|kohlhammer|juventa|beltz|"
    r"vandenhoeck|mohr|siebeck|duncker|humblot|metzler|fischer|rowohlt|dietz|ullstein|"
    r"harper|norton|knopf|basic|pearson|mcgraw|prentice|addison|academic|university|"
    r"universität|universitätsverlag|dissertation|thesis|diss|habilitation|working\s+paper|"
    r"discussion\s+paper|arbeitspapier|paper\s+presented|presented\s+at|conference|tagung|"
    r"edition|auflage|aufl|retrieved|available|abrufbar|online|accessed|zugriff|unpublished|"
    r"mimeo|manuscript|typescript|gallimard|seuil|minuit|payot|flammarion|einaudi|laterza|"
    r"mulino|feltrinelli|siglo|paidós|akal|verso|polity|clarendon|kluwer|brill|de\s+gruyter|"
    r"ashgate|edward\s+elgar|zed|pluto|ediciones|editora|editorial|éditions|edizioni|"
    r"wydawnictwo|izdatel'stvo|hrsg|ed\.|eds\.)(?!\w)"
)
_MONTH = (r"(?:Jan(?:uary|uar)?|Feb(?:ruary|ruar)?|Mar(?:ch)?|März|Apr(?:il)?|May|Mai|Jun[ei]?|"
          r"Jul[iy]?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Okt(?:ober)?|Nov(?:ember)?|"
          r"Dec(?:ember)?|Dez(?:ember)?|Spring|Summer|Fall|Autumn|Winter|Frühjahr|Herbst|Sommer)")
_LOCATOR = re.compile(
    rf"\d+\s?\(\d[\d/\-–]*\)|\d+\s?[:,]\s?\d+|\bpp?\.\s?\d|\bS\.\s?\d|\b[Vv]ol\.|\b[Nn]o\.\s?\d|"
    rf"\bNr\.\s?\d|\b[Vv]ols\.|\bHeft\b|\bJg\.|\bBd\.\s?\d|\bBand\s\d|\b\d{{1,2}}/(?:19|20)\d\d\b|"
    rf"^\d+(?![\wº°])|\b{_MONTH}\b\.?\s\d|"
    rf"\b\d{{1,2}}\.?\s{_MONTH}\b|https?://|www\.|\bdoi\b|,\s(?:{_Y})[a-z]?\.?$"
)
# "Frankfurt/M.: Campus", "Cambridge, MA: Harvard", "Cambridge; New York: Polity", "Boston et
# al.: Lakeside", "Washington D.C.: GPO", "Freiburg i.Br.: Rombach"
_PLACE_PUBLISHER = re.compile(
    r"^[A-ZÀ-Þ][\w'’\-]+\.?(?:(?:\s|\s?[/;]\s?|,\s?|-)(?:[A-ZÀ-Þ][\w'’\-]*\.?|a\.|am|an|bei|upon|on|sur|im|i\.|"
    r"ob|d\.|[A-Z]{2}|(?:[A-Z]\.){2,3}|i\.\s?Br\.|et\.?\s?al\.|u\.\s?a\.)){0,4}\s?:\s?[A-ZÀ-Þ0-9]"
)
_OPEN_QUOTES = "\"“„‘«‹'‚《「『`"
_CLOSE_FOR = {"\"": "\"", "“": "”", "„": "“”", "‘": "’", "«": "»", "‹": "›", "'": "'’", "‚": "‘’",
              "《": "》", "「": "」", "『": "』", "`": "'’"}


@dataclass(frozen=True, slots=True)
class _Year:
    start: int
    end: int
    value: str  # canonical: "1999", "2000a", "1993-94", "n.d.", "in press", "forthcoming"


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
    if m and not re.match(rf"^\s*\d{{1,4}}\.\s*(?:{_MONTH})\b", body):
        number = int(m.group("c") or m.group("a") or m.group("b"))
        body = body[m.end():]
    body = _CUE.sub("", body)
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
    doi = _doi(body)
    url = _url(body)
    volume, issue = _volume_issue(rest)
    return BibEntry(
        authors=tuple(n.surname for n in names),
        year=fields.year,
        title=fields.title,
        raw=raw,
        container=fields.container,
        pages=_pages(rest),
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
    years = _year_candidates(body)
    lead = _author_date(body, years, dashed=dashed)
    if lead is not None:
        authors, dated, rest, comma_style = lead
        # "Name (1999): Titel. Untertitel.": the colon style keeps subtitles after a full stop
        colon = subtitles or bool(re.match(r"^[\s)\].,]*:", body[dated.end:]))
        names = parse_names(authors)
        title, after = _publisher_is_author(*_title(rest, comma_style=comma_style, subtitles=colon),
                                            names)
        _, editors = clean_author_text(authors)
        return _Fields(names, dated.value, title, _container(after), after, editors)
    authors, rest, sep = _leading_names(body, dashed=dashed)
    names = parse_names(authors) if authors else []
    title, after = _publisher_is_author(
        *_title(rest, comma_style=sep == ",", subtitles=subtitles or sep == ":"), names)
    offset = len(body) - len(rest)
    title_end = offset + len(rest) - len(after)
    later = [y for y in years if y.start >= title_end]
    within = [y for y in years if offset <= y.start < title_end]
    pool = later or within or [y for y in years if y.start < offset]
    date = _first_single_year(pool)
    if date is not None and date.start < title_end and later == [] and re.search(
        rf"(?:^|[,.]\s*){re.escape(body[date.start:date.end])}\W*$", title
    ):
        # "Nintendo: Super Mario Bros., 1986." - the date closed the title segment
        title = re.sub(rf"[,.]?\s*{re.escape(body[date.start:date.end])}\W*$", "", title)
    _, editors = clean_author_text(authors) if authors else ("", False)
    return _Fields(names, date.value if date else None, title, _container(after), after, editors)


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


# -- years --------------------------------------------------------------------------------------


_ONE_YEAR = re.compile(rf"(?:{_Y})[a-z]?")


def _first_single_year(pool: list[_Year]) -> _Year | None:
    """The first candidate, unless it spans years and a single year follows: "Revolution,
    1917-1921 (Oxford: Keel, 1989)" was published in 1989; the span is the period it covers."""
    if pool and "-" in pool[0].value:
        single = next((y for y in pool[1:] if _ONE_YEAR.fullmatch(y.value)), None)
        return single or pool[0]
    return pool[0] if pool else None


_LOCATOR_BEFORE = re.compile(
    r"(?:\bpp?\.|\bS\.|\bpages?|\b[Nn]o\.|\bNr\.|\bISBN|\bISSN|[:;]|\bp\.|\bBd\.|#|-)\s*$"
)


def _year_candidates(text: str) -> list[_Year]:
    """Every plausible publication date in the string, in order; page ranges, volume and issue
    numbers, DOIs and URLs excluded."""
    blocked = [(m.start(), m.end()) for m in _URL.finditer(text)]
    blocked += [(m.start(), m.end()) for m in _DOI.finditer(text)]
    out: list[_Year] = []
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
                out.append(_Year(m.start(), m.end(), y))  # "(1759/1977)": first edition, reprint
                continue
            if not 0 < gap <= 10:
                continue  # "1695-1705", "1477-81": pages
            value = f"{y}-{str(second)[2:]}"
        after = text[m.end():m.end() + 3]
        if re.match(r"^\s?[-–]\s?\d", after) or re.match(r"^\.?\d", after):
            continue  # a range, or an identifier's digits ("arXiv:1504.07295")
        out.append(_Year(m.start(), m.end(), value + suffix))
    for m in NO_YEAR.finditer(text):
        if any(a <= m.start() < b for a, b in blocked):
            continue
        word = re.sub(r"\s+", " ", m.group(0).lower())
        out.append(_Year(m.start(), m.end(), _MARKERS.get(word, "n.d.")))
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


# What can follow a date that closes an entry: pages, a note in brackets, a link.
_ENDS_ENTRY = re.compile(
    r"^(?:[\s.,;:)\]]|\([^()]{0,80}\)|(?:S|SS|pp?|Bd|Vol|Nr|No|H|Heft)\.\s?\d+(?:\s?[-–]\s?\d+)?"
    r"|\d+(?:\s?[-–]\s?\d+)?|(?:https?://|www\.)\S+)*$")


_MONTH_OPENS_DATE = re.compile(rf"\(\s?(?:\d{{1,2}}\.?\s)?(?:{_MONTH})\.?,?\s*$")
_STARTS_WITH_YEAR = re.compile(rf"^(?:{_Y})\b")
_SPAN_OF_YEARS = re.compile(rf"({_Y})\s?[-–]\s?({_Y})\.?")


def _author_date(
    body: str, years: list[_Year], *, dashed: bool
) -> tuple[str, _Year, str, bool] | None:
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
    if authors and not (_looks_like_authors(authors) or _bracketed_date_lead(authors, prefix, tail)
                        or _body_lost_capital(authors, prefix)):
        return None
    given_as_month = re.fullmatch(
        rf"[^\W\d_][\w'’\-]*,\s?(?:[A-ZÀ-Þ][\w'’\-]*\.?\s){{0,2}}(?:{_MONTH})\.?\s*", prefix)
    if (re.search(rf"\b(?:{_MONTH})\.?\s*$", prefix) and not given_as_month) or _ENDS_ENTRY.match(tail):
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
    return (prefix.rstrip().endswith("(") and bool(_CORPORATE.search(authors))
            and bool(re.fullmatch(r"[a-zß-ÿ][\w\-]+(?:\s[A-ZÀ-Þ][\w\-]+){1,3}", authors)))


def _bracketed_date_lead(authors: str, prefix: str, tail: str) -> bool:
    """"6, P., D. Leat and G. Stoker (2002): Title", "Quill, Ada (with Lena Hoff) (1989):": a
    date in brackets after a comma-separated list, and a title after it, is the author-date
    lead though the names read oddly (digits, a note in brackets, spaced letters)."""
    outside = re.sub(r"\([^()]*\)", " ", authors)
    lower = [w for w in outside.split() if w[:1].islower() and w.lower() not in _ALLOWED_LOWER]
    return (prefix.rstrip().endswith("(") and "," in authors and len(authors) <= 250
            and (not lower or lost_capitals(outside))
            and not re.search(rf"[{_OPEN_QUOTES}”»:]|https?:|www\.", authors)
            and bool(re.match(r"^[a-z]?\)\s?[.:]\s+\S.{15}", tail)))


_ALLOWED_LOWER = PARTICLES | frozenset(
    "and und et al al. u. a. of the for für und ed. eds. ed eds hrsg. hrsg hg. hg (ed.) (eds.)"
    " with mit e i y en d' l' jr. sr. jun. u.a. etc. da dal degli do och og z zu".split()
)


def _looks_like_authors(text: str) -> bool:
    """An author list, corporate or personal, and nothing of a title: no quotes, no digits,
    no sentence that ends and another that starts, hardly a lowercase word."""
    if len(text) > 320 or re.search(r"[\"“”„«»《》「」『』：]|https?:|www\.|\d", text):
        return False
    if (text[:1].islower() or re.search(r"(?:^|\s)[a-z]\s[a-z]{2,}", text)) and lost_capitals(text):
        return True  # "r ingen, s.", "Leu, r obert e.; Burri, stefan": capitals the PDF lost
    if re.match(rf"^(?:{_MONTH})\b", text):
        return False  # "December 1994": a date
    stripped = EDITOR_MARK.sub(" ", text)
    if re.search(r":\s", stripped) or stripped.count("(") != stripped.count(")"):
        return False
    mark = EDITOR_MARK.search(text)
    if mark and re.search(r"[^\W\d_]", text[mark.end():]):
        return False  # editors close an author list: "Bird, Jon, eds. Mapping the Futures"
    if re.search(r",\s*(?:The|A|An|Der|Die|Das|Ein|Eine|Le|Les|La|El|Il|On|How|What|Why|When|Towards?)\s", text):
        return False  # ", The Turkish Straits": a title after the names
    words = re.findall(r"[^\W\d_][\w'’\-]*\.?", stripped)
    if not words or len(words) > 45:
        return False
    unknown = [w for w in words if w[0].islower() and w.lower() not in _ALLOWED_LOWER
               and w.lower().rstrip(".") not in _ALLOWED_LOWER]
    if len(unknown) > (1 if len(words) >= 4 else 0):
        return False
    for m in re.finditer(r"([^\W\d_][\w'’\-]+)[.?!]\s+(?=[A-ZÀ-Þ\"“‘])", stripped):
        if m.group(1).lower() not in _ABBREVIATIONS_AFTER_NAME and not m.group(1).isupper():
            return False
    return True


def lost_capitals(text: str) -> bool:
    """Names whose capitals the PDF's text lost ("r ingen, s.", "t ill, m./ datler, g."): short
    name-like pieces joined by commas, slashes or semicolons, and no word a title would have; the
    same text sets an initial's full stop apart ("g ./ Lehner, u.")."""
    text = re.sub(r"(?<=\b[^\W\d_]) \.", ".", text)
    words = text.replace("/", " ").replace(";", " ").split()
    if re.search(r"[^\W\d_]{2}\.\s+[A-ZÀ-Þ][a-zà-ÿ]{2}", text):
        return False  # "van Hoff AC. River towns": a sentence after the names, capitals kept
    return bool(re.search(r"[,/;]", text)) and 1 < len(words) <= 14 and all(
        re.fullmatch(r"[^\W\d_][\w'’\-]*[.,]?", w) and len(w) <= 16 for w in words
    ) and not any(w.lower().strip(".,") in _TITLE_WORDS for w in words)


_TITLE_WORDS = frozenset(
    "in im of the for on to from with about as is are was der die das den des dem ein eine"
    " einer zur zum für über mit von vom auf aus bei nach wie".split()
)
_ABBREVIATIONS_AFTER_NAME = frozenset("jr sr jun sen al co inc st dr prof ltd".split())


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
_LEADS = [
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
_ONLY_TITLE_THEN_IMPRINT = re.compile(rf"(?:(?!\.\s)[^()])+\.\s?\((?:[^()]*,\s?)?(?:{_Y})[a-z]?\)\.?")


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
    quote = re.match(rf"^(?P<a>[^{_OPEN_QUOTES}:]{{2,200}}?)(?:\s*[,:.，：]\s*|\s)(?=[{_OPEN_QUOTES}])", body)
    if quote and _looks_like_authors(quote.group("a")) and not (
            not quote.group(0)[len(quote.group("a")):].strip() and _one_long_phrase(quote.group("a"))):
        return quote.group("a"), body[quote.end():], ","
    head = body[:400]  # no author list runs longer; bounds the regexes' work on merged text
    found = [m for m in (p.match(head) for p in _LEADS) if m and _looks_like_authors(m.group("a"))]
    if found:
        m = max(found, key=lambda x: len(x.group("a")))  # "Jennifer N. Dang." over "Jennifer N."
        authors, rest = m.group("a"), body[m.end():]
        if _CONTAINER_START.match(rest) and "," in authors and not INITIALS_RE.match(
                authors[authors.rindex(",") + 1:].strip()):
            # "Daalder/Goldgeier, Putting Europe First, in: Survival": the last piece is the title
            cut = authors.rindex(",")
            return authors[:cut], body[cut + 1:].lstrip(), ","
        return authors, rest, m.group("sep") or "."
    acronym = _ACRONYM_AUTHOR.match(body)
    if acronym:
        return acronym.group("a"), body[acronym.end():], "."
    colon = re.match(r"^(?P<a>[^:]{2,160}?):\s+(?=\S)", body)
    if colon and _looks_like_authors(colon.group("a")):
        return colon.group("a"), body[colon.end():], ":"
    sentence = _first_sentence(body)
    if sentence and len(sentence) < len(body) and _looks_like_authors(sentence):
        return sentence, body[len(sentence):].lstrip(" .,:"), "."
    return "", body, "."


def _one_long_phrase(text: str) -> bool:
    """"Interview mit dem Besitzer des Hafens „Kelp“": words run straight into a quote with
    nothing joining names (no comma, slash, "and"), more of them than one person's name has, a
    joining word among them and no body's word, are a title's, the quoted name a part of it."""
    if re.search(r"[,;/&]|\s(?:and|und|et|y)\s", text) or _CORPORATE.search(text):
        return False
    words = [w for w in text.split() if w.lower() not in PARTICLES]
    return len(words) >= 5 and any(w.lower() in _TITLE_WORDS for w in words)


# -- title and container ------------------------------------------------------------------------


def _title(rest: str, *, comma_style: bool, subtitles: bool = False) -> tuple[str, str]:
    """(title, what follows it). A quoted or starred title ends at its closing mark; otherwise at
    its first full stop (`subtitles`: at the first sentence, or after "Name (1999), ..." comma,
    that reads as container or publisher)."""
    rest = rest.strip()
    if not rest:
        return "", ""
    if rest.startswith("``") and "''" in rest[2:]:
        end = rest.index("''", 2)  # TeX quotes: ``Title,''
        return _tidy_title(rest[2:end]), rest[end + 2:].lstrip(" ,.;:")
    if rest[0] in _OPEN_QUOTES:
        close = _closing_quote(rest)
        if close is not None and not _quote_opens_title(rest[1:close], rest[close + 1:]):
            return _tidy_title(rest[1:close]), rest[close + 1:].lstrip(" ,.;:")
    if rest.startswith("*"):
        end = rest.find("*", 1)
        if end > 1:
            return _tidy_title(rest[1:end]), rest[end + 1:].lstrip(" ,.;:")
    if rest.startswith("<italic>") and "</italic>" in rest:
        end = rest.index("</italic>")
        return _tidy_title(rest[8:end]), rest[end + 9:].lstrip(" ,.;:")
    segments = _segments(rest, comma_style=comma_style)
    title, used, _ = segments[0]
    for k, (text, end, kind) in enumerate(segments[1:], start=1):
        nxt = segments[k + 1][0] if k + 1 < len(segments) else ""
        start = segments[k - 1][1]
        sentence = kind == "." and subtitles
        if kind == "." and not subtitles and _sentence_ends_title(rest[:start], text):
            if not _subtitle_like(*_sentence_at(rest, segments, k)):
                break
            sentence = True  # a subtitle: capitalised words before the place are still its own
        # "..., Information and Computation, 84": a journal's name, then its volume (a year's
        # span after the list, "..., and Identity, 1820-1885", is still the title's)
        volume_next = k + 1 < len(segments) and segments[k + 1][2] == "," and bool(
            _NEXT_LOCATOR.match(nxt)) and not _STARTS_WITH_YEAR.match(nxt)
        if kind == "," and _closes_enumeration(text) and not volume_next and not _container_starts(
                text, rest[start:], "", comma=True, last=False, strong_only=True):
            title, used = rest[:end], end
            continue
        if _container_starts(text, rest[start:], nxt, comma=kind == "," and not comma_style,
                             last=end >= len(rest), stop=sentence,
                             nxt_is_last=k + 2 >= len(segments),
                             nxt_comma=k + 1 < len(segments) and segments[k + 1][2] == ","):
            break
        title, used = rest[:end], end
    after = rest[used:]
    return _tidy_title(title), after.lstrip(" ,.;:")


def _closing_quote(rest: str) -> int | None:
    """Where the quotation that opens `rest` closes; an apostrophe ("Mother's") closes nothing."""
    closers = _CLOSE_FOR[rest[0]]
    for i in range(1, len(rest)):
        ch = rest[i]
        if ch in closers and (i + 1 == len(rest) or not rest[i + 1].isalnum()) and not (
            ch in "'’" and rest[i - 1].isalpha() and i + 1 < len(rest) and rest[i + 1] == "s"
        ):
            return i
    return None


def _quote_opens_title(quoted: str, after: str) -> bool:
    """"‘Embryonic’ Clusters and Cities", "„Taking a Bite“: The Impact of ...": a quotation that
    is only the title's first words, since the title goes on after it with no stop between; a
    quotation that closes on its own stop ("“On Rivers,” Journal") or is followed by one ("“On
    Rivers”. Journal") is the whole title."""
    if re.search(r"[.,;]\s*$", quoted):
        return False
    if re.match(r"^\s?[:?!]\s+\S", after):
        return True
    # a quoted word or two run into the title ("‘Embryonic’ Clusters"); a longer quotation
    # with no stop after it is still the whole title before its journal
    return len(quoted.split()) <= 3 and bool(re.match(r"^\s+(?![Ii]n:?\s)[^\W\d_]", after))


_GERMAN = re.compile(
    r"(?i)\b(?:und|der|die|das|des|den|dem|zur|zum|im|für|über|eine[rnms]?|ein|mit|von|vom|auf|aus|bei|"
    r"nach|zwischen|wie|ist|oder|als|zu)\b|[äöüß]"
)


def _sentence_ends_title(title: str, following: str) -> bool:
    """A full stop ends a title, except in German, where "Titel. Untertitel." is the rule, after
    an ordinal ("im 20. Jahrhundert") or an abbreviation; a question or an exclamation may be
    followed by its subtitle in any language."""
    head = title.rstrip()
    if not head.endswith(".") or not following[:1].isupper() or _GERMAN.search(f"{head} {following}"):
        return False
    words = head.split()
    if re.match(r"^(?:and|und|&|the)\s", head) or (
            _looks_like_authors(head.rstrip(".")) and re.search(r"\b[A-Z]\.|,", head)) or re.search(
            r"\b[A-Z]\.\s?(?:[A-Z]\.\s?)*[A-Z][a-z]+,", head):
        return False  # the rest of a name list the lead missed: the title is still to come
    return len(words) >= 3 and not re.search(
        r"(?:\b(?:[A-Z]|[Nn]o|[Vv]ol|[Cc]h|[Pp]t|[Ee]d|[Rr]ev)|\d)\.$", head)


def list_keeps_subtitles(chunks: list[str]) -> bool:
    """Whether a list is written the German way, where "Titel. Untertitel." is the rule: dates
    followed by a colon ("(1999):", "1999:") or German words in most of its entries."""
    if not chunks:
        return False
    german = sum(1 for c in chunks if re.search(
        r"(?:\(\s?(?:1[5-9]|20)\d\d[a-z]?\)|\b(?:1[5-9]|20)\d\d[a-z]?)\s?:|\b(?:Hrsg|Hg)\.|"
        r"\b(?:und|der|die|das|für|über|zur|zum)\b", c[:200]))
    return german >= 0.5 * len(chunks)


def _sentence_at(rest: str, segments: list[tuple[str, int, str]], k: int) -> tuple[str, str]:
    """The sentence segment k opens (its comma pieces joined) and the text after it."""
    start = segments[k - 1][1]
    j = k + 1
    while j < len(segments) and segments[j][2] != ".":
        j += 1
    end = segments[j - 1][1]
    return rest[start:end].strip(), rest[end:]


_SUBTITLE_OPENERS = frozenset(
    "a an the on towards toward from between beyond how why what when where who ein eine einer "
    "der die das zur zum zu vom über von wie warum was".split()
)


def _subtitle_like(segment: str, after: str) -> bool:
    """"Poverty in the United Kingdom. A survey of household resources.": a second sentence of
    the title (opened like a phrase, or in sentence case before the place and publisher or
    "In:"), not a journal's name, which is followed by its volume and pages."""
    words = segment.rstrip(".").split()
    if len(words) < 3 or re.search(r"\d", segment) or _LOCATOR.search(segment):
        return False
    nxt = after.strip()
    if re.match(r"^[\s,;:]*(?:\(?\d|[Vv]ol\.|[Nn]o\.|pp?\.|S\.\s?\d)", nxt):
        return False  # a volume and pages follow: this was the journal
    if words[0].lower() in _SUBTITLE_OPENERS:
        # "... PAL operations. The Harbour Gazette.": capitalised words that close the entry
        # name the paper it appeared in
        return bool(nxt) or not all(w[:1].isupper() for w in words if len(w) > 3)
    if _PUBLISHER_WORDS.search(segment) or _CUE_START.match(segment):
        return False
    # a journal is never followed by "In:" nor by a place and publisher
    return bool(re.match(r"^(?:In:?\s|in:\s?|Im:\s)", nxt) or _PLACE_PUBLISHER.match(nxt))


# What follows a title and is none of it: its translator or editor, its edition, what kind of
# text it is (a thesis, a preprint, a poster), where it is found (a conference's proceedings).
_CUE_START = re.compile(
    r"^(?:Translated|Edited|[Tt]rans\.|[Tt]ranslated\s+by|[Ee]dited\s+by|Übers\.|[Üü]bersetzt|Ubersetzt|"
    r"[Hh]erausgegeben|[Ee]ingeleitet|Hrsg\.\s?v|[Hh]rsg\.\s+von|Revised|Reprint|Rev\.\s?ed|"
    r"\d+(?:st|nd|rd|th|d|\.)\s?(?:ed|edn|edition|Aufl|Auflage|überarb)|"
    r"Technical\s+[Rr]eport|Tech\.\s?[Rr]ep|Ph\.\s?D|PhD|Master|Unpublished|Paper\s+presented|"
    r"Vortrag|Diss|Habil|Working\s+Paper|Discussion\s+Paper|Arbeitspapier|Retrieved|Abgerufen|"
    r"Available|Abrufbar|Online|URL|Zugriff|Accessed|arXiv|[Pp]reprint|White\s+[Pp]aper|Poster|"
    r"Policy\s+[Bb]rief|Prepared\s+for|Doctoral|Dissertation|Thesis|Magisterarbeit|Diplomarbeit|"
    r"Masterarbeit|Bachelorarbeit|Unveröff|Manuskript|Zur\s+Veröffentlichung|Proceedings|Proc\.|"
    r"Tagungsband)(?!\w)"
)
_EDITORS_START = re.compile(r"^[A-ZÀ-Þ][\w'’\-]+,\s?(?:[A-Z]\.\s?-?)+[,;]?\s?(?:and|&|und|/|,)")
# A volume, an issue or pages next: the piece before was a journal's name; never an edition
# ("3. Aufl.", "2nd ed."), which follows a book's title.
_NEXT_LOCATOR = re.compile(r"^(?!\d{1,2}(?:st|nd|rd|th|d)?\.?\s?(?:Aufl|[Ee]d(?:n|ition)?\b|überarb|erw|rev))(?:\d|[Vv]ols?\.|[Nn]o\.|Nr\.|[Pp]p?\.|[Pp]ages?\b|S\.\s?\d|H\.\s?\d|Bd\.|Band\s\d|Jg\.)")


def _closes_enumeration(segment: str) -> bool:
    """"..., Theory, Research and Application", "..., Gastarbeit und Flucht": the last item of
    a list the title runs through, joined by its "and", not a journal or a place."""
    words = segment.strip(" .").split()
    return 2 <= len(words) <= 6 and any(w.lower() in ("and", "und", "&", "et") for w in words[:-1]) and (
        not re.search(r"\d", segment))


def _container_starts(segment: str, following: str, nxt: str, *, comma: bool, last: bool,
                      stop: bool = False, nxt_is_last: bool = True, nxt_comma: bool = False,
                      strong_only: bool = False) -> bool:
    """Whether the title has ended before this segment. `following` is the text from the
    segment on; `comma` says the segment was only cut at a comma, which needs stronger signs;
    `strong_only` asks only for the signs no title's words give (a container's "In:", a place
    and publisher, a locator, a publisher's name)."""
    s = segment.strip()
    f = following.strip()
    if _CONTAINER_START.match(f) or _CUE_START.match(s) or _EDITORS_START.match(f):
        return True
    if re.match(r"^\(?(?:[Ee]ds?|Hrsg|Hg)\b", s):
        return True
    role = re.match(r"^([^()]{3,80}?)\s?\((?:[Ee]ds?|[Tt]rans|[Tt]r|Hrsg|Hg|[Üü]bers)\.?\)", f)
    if role and _looks_like_authors(role.group(1)):
        return True  # "Peter Collier (trans.)", "Ada Quill and Lena Hoff (eds.)": its editors
    if s.startswith("(") and re.search(rf"(?:{_Y})|:", s):
        return True  # "(London: SCM, 1990)", "(Cornell University Press, 2006)"
    if comma and _years_spanned(s):
        return False  # "..., Medicine at Leeds, 1880-1940": the period a title covers
    if _place_publisher(f) or _page_range(s) or _LOCATOR.search(s):
        return True
    if strong_only:
        return bool(_PUBLISHER_WORDS.search(s))
    if re.match(rf"^[A-ZÀ-Þ][\w'’\-]+(?:[\s/][A-ZÀ-Þ][\w'’\-]+)?\s(?:{_Y})[a-z]?\b", s):
        return True  # "New York 1985", "Oxford 1971 (Rpt. 1987)": place and date
    words = s.rstrip(".,").split()
    if _PUBLISHER_WORDS.search(s) and (len(words) <= 8 or "," in s):
        return True
    if re.search(r"[^\W\d_]\s\d{1,4}(?:\s\d{1,4})?[,.]?$", s) and _NEXT_LOCATOR.match(nxt or "0"):
        return True  # "SIAM J. of Comput 18, 625-638": a journal and its volume
    ordinal = bool(re.fullmatch(r"\d{1,2}\.", nxt)) and not nxt_comma  # "3." cut from "3. Aufl."
    if _NEXT_LOCATOR.match(nxt) and not ordinal and not re.search(r"\d", s) and len(words) <= 8:
        return True  # "Journal of Consumer Culture, 5(2)": a name followed by its volume
    publisher_next = nxt_comma and bool(_PUBLISHER_WORDS.search(nxt)) and len(nxt.split()) <= 6
    publisher_last = nxt_comma and nxt_is_last and (publisher_next or _place_like(nxt))
    if _place_like(s) and (last or publisher_last or publisher_next or (
            nxt and (_place_like(nxt) or _PLACE_PUBLISHER.match(nxt)) and len(f) - len(s) <= 45)) and not (
            (stop or (comma and s.endswith("."))) and not last and len(s.split()) >= 2
            and not publisher_last) and not (
            comma and not last and _place_like(nxt) and not nxt_is_last) and not (
            stop and nxt_is_last and not nxt_comma and _place_like(nxt)):
        # "Freiburg.", "Urbana, Ill.", "Frankfurt a. M., New York.", "Madison, Lakeside
        # University Press." (a place and, closing the entry, its publisher); but in "Titel.
        # Untertitel. Ort: Verlag." a sentence of capitalised words before the place is the
        # subtitle ("Jargon der Eigentlichkeit. Frankfurt am Main: Suhrkamp."), and so is a
        # sentence before the one place that closes the entry ("Spiele. Erinnerungen. München.")
        return True
    state = re.match(r"^([A-Z][\w.\- ]{0,40}),\s?[A-Z]{2}\b", f)
    # "Cambridge, MA", "St. Paul, MN"; never across a sentence's end ("Theory. Mahwah, NJ")
    return state is not None and not re.search(r"[a-zà-ÿ]{3}\.\s", state.group(1))


# Where a title may end: a sentence's end, before "In:", "(Eds.)", a closing bracket with the
# place and publisher or the date ("(London: Macmillan).", "(Sage, 1990)"), and before a
# volume with its issue or date ("Journal of Minds 42 (1982) 168-177").
_CUT = re.compile(
    r"(?<=[^\s])([.?!])\s+(?=\S)|\s+(?=[Ii]n:\s)|,\s+(?=[Ii]n:?\s)|\s(?=\([Ee]ds?\.?\)|\(Hrsg\.\))"
    r"|\s(?=\([^()]*(?:1[5-9]\d\d|20[0-4]\d|\w:\s)[^()]*\)\W*$)"
    r"|\s(?=\d{1,4}\s?\(\d[\d/\-–]*\)|\d{1,4}\s\((?:1[5-9]|20)\d\d\)|\(\d{1,4}\)\s\((?:1[5-9]|20)\d\d\))"
)


def _years_spanned(segment: str) -> bool:
    """"1820-1885", "1880- 1940": years too far apart to be one edition's date or a volume's."""
    m = _SPAN_OF_YEARS.fullmatch(segment.strip())
    return bool(m) and int(m.group(2)) - int(m.group(1)) > 10 if m else False


def _place_publisher(text: str) -> bool:
    """"Cambridge, MA: Harvard", "Frankfurt a. M.: Campus", never across a sentence's end
    ("Eine Bestandsaufnahme. Bonn: Dietz" starts a subtitle)."""
    m = _PLACE_PUBLISHER.match(text)
    return bool(m) and not re.search(r"[a-zà-ÿ]{3}\.\s", text[: m.end()]) if m else False


def _segments(text: str, *, comma_style: bool) -> list[tuple[str, int, str]]:
    """Sentence- and comma-delimited pieces of the text, each with where it ends and what
    opened it ("." for a sentence, "," for a comma); "In:" always starts a piece."""
    cuts: dict[int, str] = {}
    for m in _CUT.finditer(text):
        if m.group(1) == ".":
            word = re.search(r"([^\s(\[]+)\.$", text[: m.start(1) + 1])
            w = word.group(1).lower() if word else ""
            bare = w.rstrip(".")
            if bare.isdigit() and len(bare) <= 3 and re.search(
                    r"(?:^|\s)(?:im|am|des|der|dem|zum|vom|bis|ins|seit|ab|zur)\s\d+\.$",
                    text[: m.start(1) + 1]):
                continue  # an ordinal: "im 20. Jahrhundert", "zum 7. Kongress"
            if ((len(bare) <= 1 and not bare.isdigit()) or bare in _ABBREV or re.fullmatch(
                    r"(?:[a-z]\.)+[a-z]", w)) and not _PLACE_PUBLISHER.match(text[m.end():]):
                continue  # an initial or abbreviation, unless a place and publisher follow
        cuts[m.end()] = "."
    for m in re.finditer(r",\s+(?=\S)", text):
        if not _inside_parens(text, m.start()) and m.end() not in cuts:
            after = text[m.end():]
            if comma_style and not re.match(r"^(?:[A-ZÀ-Þ0-9\[(]|[Ii]n:?\s|pp?\.|S\.|[Vv]ol)", after):
                continue
            cuts[m.end()] = ","
    out: list[tuple[str, int, str]] = []
    start, kind = 0, "."
    for cut in [*sorted(cuts), len(text)]:
        piece = text[start:cut].strip()
        if piece:
            out.append((piece, cut, kind))
        start, kind = cut, cuts.get(cut, ".")
    return out or [(text, len(text), ".")]


def _inside_parens(text: str, at: int) -> bool:
    return text.count("(", 0, at) > text.count(")", 0, at)


_RANGE = re.compile(r"\b(\d{1,4})\s?[-–—]\s?(\d{1,4})\b")
_PLACE_WORDS = frozenset("a. am an der bei upon on sur im i. ob d. de la del in".split())


def _page_range(text: str) -> bool:
    """"pp. 12-34" or ", 427-460", but not a span of years ("1993-1994", "2003 - 2004")."""
    for m in _RANGE.finditer(text):
        a, b = m.group(1), m.group(2)
        if len(a) == 4 and re.fullmatch(_Y, a) and (len(b) == 2 or re.fullmatch(_Y, b)):
            continue
        return True
    return False


def _place_like(segment: str) -> bool:
    """"Freiburg", "Frankfurt a. M.", "Reinbek bei Hamburg", "Urbana, Ill.", "New York ; Oxford"."""
    words = segment.strip(" .,;").replace(",", " ").replace(";", " ").split()
    if words and words[0].lower() in _SUBTITLE_OPENERS:
        return False  # "Eine Bestandsaufnahme", "A Survey": a subtitle, not a place
    return 0 < len(words) <= 3 and all(
        w[:1].isupper() or w.lower() in _PLACE_WORDS for w in words
    ) and words[0][:1].isupper()


def _tidy_title(title: str) -> str:
    title = title.strip().strip(" ,.;:*")
    title = re.sub(r"\s*[\[(](?:[^()\[\]]*\b(?:dissertation|thesis|diss|ed\.|edn|edition|aufl|unpublished|"
                   r"report|rev\.|trans|übers|in german|in english|auf deutsch|mimeo|manuscript|hrsg|"
                   r"eds?|brief|paper|series|\w*reihe|no\.|nr\.|vol|working|discussion|abstract)\b[^()\[\]]*)[\])]\s*$", "", title, flags=re.I)
    bare = title.strip(" ,.;:*\"“”„'‘’«»")
    if title and title[0] in _OPEN_QUOTES and any(c in bare for c in _CLOSE_FOR[title[0]]):
        return title[0] + bare  # "‘Floating’ Harbours": the quotation opens the title, keep it whole
    return bare


def _container(after: str) -> str | None:
    text = after.strip()
    # "S. 359-376 in: Handbook": the pages in it, printed before the book
    text = re.sub(r"^(?:S|pp?)\.\s?\d+\s?[-–]\s?\d+\s+(?=[Ii]n:?\s)", "", text)
    text = re.sub(r"^(?:[Ii]n(?::\s*|\s+)|[Ii]m:\s*)", "", text)
    # "In: ders.: Technik im Alltag", "In dies., Title": the same author's own book
    text = re.sub(r"^(?:[Dd]ers|[Dd]ies|[Dd]ers\.?/[Dd]ies)\.?\s*[:,]?\s+", "", text)
    # "Kurz, H. (Hrsg.), Klassiker ..." or "O. Card (Ed.), Handbook ...": skip the editors.
    eds = re.match(r"^[^\"“:]{0,200}?[(\[](?:[Ee]ds?|Hrsg|Hg|[Éé]ds?|[Cc]oords?|[Oo]rgs?)\.?[)\]]\s*[,:.]?\s*", text)
    if eds:
        text = text[eds.end():]
    text = text.strip()
    if not text:
        return None
    if text[0] in _OPEN_QUOTES:
        closers = _CLOSE_FOR[text[0]]
        end = next((i for i in range(1, len(text)) if text[i] in closers), None)
        if end:
            return text[1:end].strip(" ,.") or None
    if text.startswith("*") and text.find("*", 1) > 1:
        return text[1:text.find("*", 1)].strip(" ,.") or None
    head = re.split(
        r",\s|\s\d|\s\(|;\s|:\s|(?<=[^\s.]{3})\.\s(?=[A-Z0-9])|\s(?:[Vv]ol|[Nn]o|Nr|pp|S)\.\s", text, maxsplit=1
    )[0]
    head = head.strip(" ,.;:*")
    return head or None


def _first_sentence(text: str) -> str | None:
    for m in re.finditer(r"(?<=[^\s.]{2})\.\s+(?=\S)", text):
        word = re.search(r"(\S+)$", text[: m.start()])
        if word and word.group(1).lower().rstrip(".") in _ABBREV:
            continue
        return text[: m.start() + 1]
    return None


# -- details ------------------------------------------------------------------------------------


def _pages(text: str) -> str | None:
    m = _PAGES.search(text)
    if not m:
        return None
    p = m.group("p") or m.group("q")
    return re.sub(r"\s", "", p).replace("–", "-").replace("—", "-").replace("--", "-")


def _volume_issue(text: str) -> tuple[str | None, str | None]:
    m = _VOLUME.search(text)
    if not m:
        i = _ISSUE.search(text)
        return None, i.group("i") if i else None
    volume = m.group("v1") or m.group("v2") or m.group("v3")
    issue = m.group("i2") or m.group("i3")
    if issue is None:
        i = _ISSUE.search(text, m.end())
        issue = i.group("i") if i else None
    if volume and re.fullmatch(_Y, volume) and not m.group("v1"):
        return None, issue
    return volume, issue


def _doi(text: str) -> str | None:
    m = _DOI.search(text)
    return m.group(1).rstrip(".,;)") if m else None


def _url(text: str) -> str | None:
    m = _URL.search(text)
    return m.group(0).rstrip(".,;)>]") if m else None
