"""Where a reference's title ends, and what follows it: subtitle, container, place, publisher.

The title runs to the first thing that reads as a container ("In:", a journal's name before
its volume), a place and publisher, an edition or a locator; a subtitle after a full stop is
the title's own in German lists and where it reads like one elsewhere. The words that mark
publishers, places and locators live here and are shared with the splitter.
"""

from __future__ import annotations

import re

from bot.core.references.authors import looks_like_authors
from bot.core.references.dates import MONTH, SPAN_OF_YEARS, STARTS_WITH_YEAR, YEAR_TEXT

_ABBREV = frozenset(
    "jr sr st dr mr mrs ms prof eds ed hrsg hg hgg vol vols no nr pp bd aufl ed vgl bzw usw ca"
    " inc co ltd corp univ dept proc trans rev soc int natl nat am j conf symp assoc acad sci"
    " res stud q e.g i.e etc al u.a vs cf ff jg pt ch chap fig col ser suppl diss phil med rer"
    " jahrb zs ztschr zeitschr bull mitt ber abh ges hist pol polit wiss publ dep gov govt fed"
    " nat ann mag".split()
)
CONTAINER_START = re.compile(r"^(?:[Ii]n:?\s|[Ii]n:|[Ii]m:\s|[Ii]n\s+(?=[A-Z\"“*]))")
PUBLISHER_WORDS = re.compile(
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


LOCATOR = re.compile(
    rf"\d+\s?\(\d[\d/\-–]*\)|\d+\s?[:,]\s?\d+|\bpp?\.\s?\d|\bS\.\s?\d|\b[Vv]ol\.|\b[Nn]o\.\s?\d|"
    rf"\bNr\.\s?\d|\b[Vv]ols\.|\bHeft\b|\bJg\.|\bBd\.\s?\d|\bBand\s\d|\b\d{{1,2}}/(?:19|20)\d\d\b|"
    rf"^\d+(?![\wº°])|\b{MONTH}\b\.?\s\d|"
    rf"\b\d{{1,2}}\.?\s{MONTH}\b|https?://|www\.|\bdoi\b|,\s(?:{YEAR_TEXT})[a-z]?\.?$"
)
# "Frankfurt/M.: Campus", "Cambridge, MA: Harvard", "Cambridge; New York: Polity", "Boston et
# al.: Lakeside", "Washington D.C.: GPO", "Freiburg i.Br.: Rombach"
PLACE_PUBLISHER = re.compile(
    r"^[A-ZÀ-Þ][\w'’\-]+\.?(?:(?:\s|\s?[/;]\s?|,\s?|-)(?:[A-ZÀ-Þ][\w'’\-]*\.?|a\.|am|an|bei|upon|on|sur|im|i\.|"
    r"ob|d\.|[A-Z]{2}|(?:[A-Z]\.){2,3}|i\.\s?Br\.|et\.?\s?al\.|u\.\s?a\.)){0,4}\s?:\s?[A-ZÀ-Þ0-9]"
)
OPEN_QUOTES = "\"“„‘«‹'‚《「『`"
_CLOSE_FOR = {"\"": "\"", "“": "”", "„": "“”", "‘": "’", "«": "»", "‹": "›", "'": "'’", "‚": "‘’",
              "《": "》", "「": "」", "『": "』", "`": "'’"}


def split_title(rest: str, *, comma_style: bool, subtitles: bool = False) -> tuple[str, str]:
    """(title, what follows it). A quoted or starred title ends at its closing mark; otherwise at
    its first full stop (`subtitles`: at the first sentence, or after "Name (1999), ..." comma,
    that reads as container or publisher)."""
    rest = rest.strip()
    if not rest:
        return "", ""
    if rest.startswith("``") and "''" in rest[2:]:
        end = rest.index("''", 2)  # TeX quotes: ``Title,''
        return _tidy_title(rest[2:end]), rest[end + 2:].lstrip(" ,.;:")
    if rest[0] in OPEN_QUOTES:
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
            _NEXT_LOCATOR.match(nxt)) and not STARTS_WITH_YEAR.match(nxt)
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
            looks_like_authors(head.rstrip(".")) and re.search(r"\b[A-Z]\.|,", head)) or re.search(
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
    if len(words) < 3 or re.search(r"\d", segment) or LOCATOR.search(segment):
        return False
    nxt = after.strip()
    if re.match(r"^[\s,;:]*(?:\(?\d|[Vv]ol\.|[Nn]o\.|pp?\.|S\.\s?\d)", nxt):
        return False  # a volume and pages follow: this was the journal
    if words[0].lower() in _SUBTITLE_OPENERS:
        # "... PAL operations. The Harbour Gazette.": capitalised words that close the entry
        # name the paper it appeared in
        return bool(nxt) or not all(w[:1].isupper() for w in words if len(w) > 3)
    if PUBLISHER_WORDS.search(segment) or _CUE_START.match(segment):
        return False
    # a journal is never followed by "In:" nor by a place and publisher
    return bool(re.match(r"^(?:In:?\s|in:\s?|Im:\s)", nxt) or PLACE_PUBLISHER.match(nxt))


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
    if CONTAINER_START.match(f) or _CUE_START.match(s) or _EDITORS_START.match(f):
        return True
    if re.match(r"^\(?(?:[Ee]ds?|Hrsg|Hg)\b", s):
        return True
    role = re.match(r"^([^()]{3,80}?)\s?\((?:[Ee]ds?|[Tt]rans|[Tt]r|Hrsg|Hg|[Üü]bers)\.?\)", f)
    if role and looks_like_authors(role.group(1)):
        return True  # "Peter Collier (trans.)", "Ada Quill and Lena Hoff (eds.)": its editors
    if s.startswith("(") and re.search(rf"(?:{YEAR_TEXT})|:", s):
        return True  # "(London: SCM, 1990)", "(Cornell University Press, 2006)"
    if comma and _years_spanned(s):
        return False  # "..., Medicine at Leeds, 1880-1940": the period a title covers
    if _place_publisher(f) or _page_range(s) or LOCATOR.search(s):
        return True
    if strong_only:
        return bool(PUBLISHER_WORDS.search(s))
    if re.match(rf"^[A-ZÀ-Þ][\w'’\-]+(?:[\s/][A-ZÀ-Þ][\w'’\-]+)?\s(?:{YEAR_TEXT})[a-z]?\b", s):
        return True  # "New York 1985", "Oxford 1971 (Rpt. 1987)": place and date
    words = s.rstrip(".,").split()
    if PUBLISHER_WORDS.search(s) and (len(words) <= 8 or "," in s):
        return True
    if re.search(r"[^\W\d_]\s\d{1,4}(?:\s\d{1,4})?[,.]?$", s) and _NEXT_LOCATOR.match(nxt or "0"):
        return True  # "SIAM J. of Comput 18, 625-638": a journal and its volume
    ordinal = bool(re.fullmatch(r"\d{1,2}\.", nxt)) and not nxt_comma  # "3." cut from "3. Aufl."
    if _NEXT_LOCATOR.match(nxt) and not ordinal and not re.search(r"\d", s) and len(words) <= 8:
        return True  # "Journal of Consumer Culture, 5(2)": a name followed by its volume
    publisher_next = nxt_comma and bool(PUBLISHER_WORDS.search(nxt)) and len(nxt.split()) <= 6
    publisher_last = nxt_comma and nxt_is_last and (publisher_next or _place_like(nxt))
    if _place_like(s) and (last or publisher_last or publisher_next or (
            nxt and (_place_like(nxt) or PLACE_PUBLISHER.match(nxt)) and len(f) - len(s) <= 45)) and not (
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
    m = SPAN_OF_YEARS.fullmatch(segment.strip())
    return bool(m) and int(m.group(2)) - int(m.group(1)) > 10 if m else False


def _place_publisher(text: str) -> bool:
    """"Cambridge, MA: Harvard", "Frankfurt a. M.: Campus", never across a sentence's end
    ("Eine Bestandsaufnahme. Bonn: Dietz" starts a subtitle)."""
    m = PLACE_PUBLISHER.match(text)
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
                    r"(?:[a-z]\.)+[a-z]", w)) and not PLACE_PUBLISHER.match(text[m.end():]):
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
        if len(a) == 4 and re.fullmatch(YEAR_TEXT, a) and (len(b) == 2 or re.fullmatch(YEAR_TEXT, b)):
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
    if title and title[0] in OPEN_QUOTES and any(c in bare for c in _CLOSE_FOR[title[0]]):
        return title[0] + bare  # "‘Floating’ Harbours": the quotation opens the title, keep it whole
    return bare


def find_container(after: str) -> str | None:
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
    if text[0] in OPEN_QUOTES:
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


def first_sentence(text: str) -> str | None:
    for m in re.finditer(r"(?<=[^\s.]{2})\.\s+(?=\S)", text):
        word = re.search(r"(\S+)$", text[: m.start()])
        if word and word.group(1).lower().rstrip(".") in _ABBREV:
            continue
        return text[: m.start() + 1]
    return None
