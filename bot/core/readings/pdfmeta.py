"""What a published PDF says about itself: title, authors, year, journal, volume, issue,
pages and DOI, read from where publishers print them.

The signals, strongest first:
- the first page of the article: the title is the largest type near the top (with its
  subtitle), the authors are the name lines under it (affiliations skipped);
- the imprint lines publishers set in the page head or foot ("Time & Society Vol 16(2/3):
  367-386", "Social Inclusion, 2015, Volume 3, Issue 3, Pages 19-23", "© 2007 ..."), in
  running heads too;
- a repository cover sheet's "Suggested Citation" line ("Surname, Given: Title. In: Journal
  16 (2007), 2-3, pp. 367-386"), which the article itself overrides where they disagree;
- the printed page numbers, for the page range of a paper that prints none;
- the PDF's own /Title and /Author, only to confirm or as a last resort (they are often a
  file name or an account).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, fields

from bot.core.readings.layout import Block, Layout, line_text
from bot.core.readings.pdf import Line
from bot.core.textnorm import fold, normalize_space

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>,;]+)", re.I)
_YEAR = re.compile(r"(?<![\d.])(1[89]\d\d|20\d\d)(?![\d/-])")
_IMPRINT = re.compile(
    r"\b(?:vol\.?|volume|issue|no\.|nr\.|heft|pp\.?|pages?:?|jg\.|bd\.)\s*\d|\b(?:issn|doi|copyright)\b|©|"
    r"\d+\s*\(\s*\d+[^)]*\)|\d+\s*:\s*\d+\s*[-–]\s*\d+|\b\d+/\d{4}\b",
    re.I,
)
_CITATION_LABEL = re.compile(
    r"(?:suggested citation|empfohlene zitierung|zitierhinweis|zitiervorschlag|please cite[^:]*|"
    r"to cite this (?:article|paper)|citation)\s*:", re.I,
)
_GENRE = re.compile(
    r"^(?:book reviews?|reviews?|review essay|article|research article|original article|"
    r"original contribution|original paper|commentary|editorial|essay|report|research report|"
    r"kurzbeitrag|beitrag|aufsatz|rezension|discussion paper|working paper|arbeitspapier|"
    r"research note|short communication|case study|special issue|abstract|zusammenfassung|"
    r"themenschwerpunkt|forum|debate|introduction)s?$", re.I,
)
_AFFILIATION = re.compile(
    r"(universit|institut|college|department|dept\.|school|faculty|fakultät|centre|center|"
    r"zentrum|hospital|klinik|laborator|gmbh|e-?mail|@|www\.|http|street|straße|str\.|road|"
    r"avenue|p\.?o\.? box|telefon|phone|tel\.|fax|correspond|academy|akademie|ministry|"
    r"foundation|stiftung|council|agency|association|gesellschaft)",
    re.I,
)
_DEGREES = re.compile(r"\b(?:MD|PhD|Ph\.D\.|MSc|M\.Sc\.|BSc|MA|BA|PT|Dr\.|Prof\.|Dipl\.-\w+|MPH|RN)\b\.?")
_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "du", "del", "della", "e", "y", "la",
              "le", "al", "el", "bin", "ibn", "abu", "ten", "ter", "zu", "dos", "das", "do"}
_MONTHS = (r"(?:jan(?:uary|uar)?|feb(?:ruary|ruar)?|m(?:ar(?:ch)?|ärz)|apr(?:il)?|ma[iy]|"
           r"jun[ei]?|jul[iy]?|aug(?:ust)?|sep(?:tember)?|o[ck]t(?:ober)?|nov(?:ember)?|"
           r"de[cz](?:ember)?)")
_DATE_LINE = re.compile(rf"^(?:[\w .,-]*,\s*)?(?:\d{{1,2}}\.?\s*)?{_MONTHS}\.?\s+(1[89]\d\d|20\d\d)$", re.I)


@dataclass(slots=True)
class PdfMetadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # "95-102"
    doi: str | None = None
    # Indexes in `Layout.blocks` of the title and author lines: front matter, not text.
    front_blocks: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, object]:
        """What the PDF says, keyed as `ReadingMetadata`'s fields: `metadata.resolve` weighs it
        against the front matter and the sidecar, which is why this stays a mutable draft."""
        said = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "front_blocks"}
        return said | {"authors": list(self.authors)}


@dataclass(slots=True)
class _Imprint:
    """What imprint lines and a citation say, each field with how often it was seen."""

    containers: Counter[str] = field(default_factory=Counter)
    volumes: Counter[str] = field(default_factory=Counter)
    issues: Counter[str] = field(default_factory=Counter)
    pages: Counter[str] = field(default_factory=Counter)
    years: Counter[str] = field(default_factory=Counter)
    blocks: list[Block] = field(default_factory=list)  # the first page's imprint blocks


def read_metadata(layout: Layout) -> PdfMetadata:
    meta = PdfMetadata()
    first = _first_article_page(layout)
    cover = _cover_citation(layout)
    imprint = _imprint(layout, first)
    if cover:
        for value, counter in ((cover.container, imprint.containers), (cover.volume, imprint.volumes),
                               (cover.issue, imprint.issues), (cover.pages, imprint.pages),
                               (cover.year, imprint.years)):
            if value and not counter:
                counter[value] += 1
    for name in _series(layout):
        imprint.containers[name] += 2
    meta.container = _best(_merge_abbreviations(imprint.containers))
    title_blocks, title = _title(layout, first, meta.container)
    meta.title = title or (cover.title if cover else None) or _pdf_title(layout)
    authors, author_blocks = _authors(layout, title_blocks[-1] if title_blocks else None)
    meta.authors = authors or (cover.authors if cover else []) or _pdf_authors(layout)
    front = {id(b) for b in _front_matter(layout, title_blocks + author_blocks, imprint.blocks)}
    meta.front_blocks = {i for i, b in enumerate(layout.blocks) if id(b) in front}
    meta.volume = _best(imprint.volumes)
    meta.issue = _best(imprint.issues)
    meta.year = _best(imprint.years) or _dated(layout, first)
    meta.pages = _best(imprint.pages) or _pages_from_labels(layout, first)
    meta.doi = _doi(layout, first)
    return meta


def _best(counter: Counter[str]) -> str | None:
    return counter.most_common(1)[0][0] if counter else None


def _first_article_page(layout: Layout) -> int:
    pages = sorted({b.page for b in layout.blocks})
    return pages[0] if pages else 0


def _page_lines(layout: Layout, page: int) -> list[Line]:
    lines = [line for b in layout.blocks if b.page == page for line in b.lines]
    return sorted(lines + layout.furniture.get(page, []), key=lambda line: line.baseline)


# -- title --------------------------------------------------------------------------------------


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(text))


def _names_container(block: Block, container: str | None) -> bool:
    """A masthead: every line of the block is part of the journal's name ("FORUM:
    QUALITATIVE" / "S O C I A L  R E S E A R C H"), however it is letter-spaced."""
    if not container:
        return False
    name = _letters(container)
    return all(_letters(line.text) and _letters(line.text) in name for line in block.lines)


def _title(layout: Layout, first: int, container: str | None) -> tuple[list[Block], str | None]:
    """The largest type in the top of the first pages that is not a genre label, a journal's
    name or a person's name: the title, with a subtitle set just below it in large type."""
    body = layout.body_size
    names = _names_from_heads(layout)
    best: tuple[float, int, Block] | None = None
    pages = sorted({b.page for b in layout.blocks})[:3]
    for rank, page in enumerate(pages):
        blocks = [b for b in layout.blocks if b.page == page]
        height = layout.pdf.pages[page].height
        for i, block in enumerate(blocks):
            if not _title_like(block, height, names) or _names_container(block, container):
                continue
            bold = all(line.bold for line in block.lines)
            if block.size < body * 1.05 and not bold:
                continue
            score = block.size / body + (0.06 if bold else 0.0) - 0.25 * rank
            if best is None or score > best[0] + 0.01:
                best = (score, i, block)
    if best is None:
        return [], None
    page_blocks = [b for b in layout.blocks if b.page == best[2].page]
    run = _style_run(best[2], page_blocks, names)
    title = _clean_title(" ".join(b.text for b in run))
    below = [b for b in page_blocks if b not in run and b.lines[0].top > run[-1].lines[-1].top
             and b.lines[0].top - run[-1].lines[-1].bottom < 2.5 * b.size and _overlaps(b, run[-1])]
    sub = min(below, key=lambda b: b.lines[0].top) if below else None
    if (
        sub is not None and sub.size >= 1.05 * body and sub.size < run[-1].size + 0.1
        and not _looks_like_names(sub.text, names) and not _AFFILIATION.search(sub.text)
        and not _all_names(sub.text) and not _GENRE.match(sub.text.strip(" .:"))
        and not (_is_name(_undated(_clean_title(sub.text))) and (
            (sub.lines[0].italic, sub.lines[0].bold) != (run[0].lines[0].italic, run[0].lines[0].bold)
            or sub.size < 0.7 * run[0].size or _undated(sub.text) != sub.text))
    ):
        sub_run = _style_run(sub, page_blocks, names)
        subtitle = _clean_title(" ".join(b.text for b in sub_run))
        title = f"{title} {subtitle}" if title.endswith(("?", "!")) else f"{title.rstrip(' .:')}: {subtitle}"
        run = run + [b for b in sub_run if b not in run]
    return run, title


def _undated(text: str) -> str:
    """A name line with the paper's date after it ("Nicolò Conti July 2011")."""
    return re.sub(rf"\s*(?:{_MONTHS}\.?\s+)?(?:1[89]|20)\d\d\s*$", "", text, flags=re.I)


def _overlaps(a: Block, b: Block) -> bool:
    return min(max(ln.x1 for ln in a.lines), max(ln.x1 for ln in b.lines)) > max(
        min(ln.x0 for ln in a.lines), min(ln.x0 for ln in b.lines))


def _style_run(block: Block, blocks: list[Block], names: set[str]) -> list[Block]:
    """The block with its neighbours set in the same type, one above the other: a title the
    reading order cut apart (a sidebar interleaved with it, a line ending in a full stop)."""
    style = (round(block.size, 1), block.lines[0].bold, block.lines[0].italic)
    same = sorted((b for b in blocks if abs(b.size - block.size) <= 0.3
                   and (b.lines[0].bold, b.lines[0].italic) == style[1:] and not _all_names(b.text)),
                  key=lambda b: b.lines[0].top)
    at = same.index(block)
    run = [block]
    for b in same[at + 1:]:
        if b.lines[0].top - run[-1].lines[-1].bottom > 1.6 * block.size or len(run) >= 4:
            break
        run.append(b)
    for b in reversed(same[:at]):
        if run[0].lines[0].top - b.lines[-1].bottom > 1.6 * block.size or len(run) >= 4:
            break
        run.insert(0, b)
    return run


def _all_names(text: str) -> bool:
    parts = _name_parts(text)
    return bool(parts) and all(_is_name(_proper_case(p)) for p in parts) and (
        len(parts) > 1 or bool(re.match(r"^\s*(?:by|von)\s", text, re.I)) or any(
            re.search(r"\b[A-Z]\.", p) for p in parts)
    )


_CONTACT = re.compile(r"@|www\.|https?:|e-?mail|universit|department|\binstitut", re.I)


def _title_like(block: Block, height: float, names: set[str]) -> bool:
    text = block.text
    if len(block.lines) > 8 or len(text) < 4 or len(text) > 300:
        return False
    if block.lines[0].top > 0.62 * height or block.kind == "footnote":
        return False
    if _GENRE.match(text.strip(" .:")) or _IMPRINT.search(text) or _CONTACT.search(text):
        return False
    if re.fullmatch(r"[\d\s./-]+", text) or _DOI.search(text):
        return False
    if _looks_like_names(text, names) or _all_names(text):
        return False
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4


def _clean_title(text: str) -> str:
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹*†‡∗]+", "", text)
    text = re.sub(r"(?<=[a-z])-\s+(?=[a-z])", "", text)
    return normalize_space(text).strip(" .")


def _pdf_title(layout: Layout) -> str | None:
    title = layout.pdf.title or ""
    if not title or re.search(r"\.(docx?|pdf|indd|tex|rtf|odt)\b|^microsoft|^untitled", title, re.I):
        return None
    return title


# -- authors ------------------------------------------------------------------------------------


def _names_from_heads(layout: Layout) -> set[str]:
    """Names listed in running heads ("Irina Busygina, Mikhail Filippov"): they tell a line of
    names from a short title."""
    out: set[str] = set()
    for lines in layout.furniture.values():
        for line in lines:
            text = re.sub(r"\d+", "", line.text).strip(" -–|")
            parts = [p.strip() for p in re.split(r",|\band\b|&|/| und ", text) if p.strip()]
            if parts and all(_is_name(p) for p in parts):
                out.update(fold(p) for p in parts)
    if layout.pdf.author:
        out.update(fold(p.strip()) for p in re.split(r",|;|\band\b|&", layout.pdf.author) if _is_name(p.strip()))
    return out


def _looks_like_names(text: str, names: set[str]) -> bool:
    parts = _name_parts(text)
    return bool(parts) and all(fold(p) in names for p in parts)


def _name_parts(text: str) -> list[str]:
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[*†‡§∗]|\(\s*&\s*\)", " ", text)
    text = _DEGREES.sub(" ", re.sub(r"\b(?:Dr|Prof|PD|Mag|Univ)\.\s*", " ", text))
    text = re.sub(r"^\s*(?:by|von|and)\s+", "", text, flags=re.I)
    text = re.sub(r"(?<=[^\W\d])\s*\d{1,2}(?:\s*,\s*\d{1,2})*\b", " ", text)
    parts = re.split(r"\s*(?:,|;|\band\b|&|\bund\b|\bÆ\b|·|•|\|)\s*", text, flags=re.I)
    return [normalize_space(p) for p in parts if normalize_space(p)]


def _is_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or words[0].lower() in _PARTICLES or (text.endswith(("-", ".")) and not re.search(r"\b\w\.$", text)):
        return False
    capitalised = 0
    for w in words:
        if w.lower() in _PARTICLES:
            continue
        if not re.fullmatch(r"[^\W\d_][\w'’.-]*", w) or not w[0].isupper():
            return False
        capitalised += 1
    return capitalised >= 2 and not _AFFILIATION.search(text)


def _proper_case(name: str) -> str:
    if not name.isupper():
        return name
    return " ".join(w if len(w.rstrip(".")) == 1 else "-".join(p.capitalize() for p in w.split("-")) for w in name.split())


_STOP_AUTHORS = re.compile(
    r"^(?:abstract|summary|zusammenfassung|résumé|key\s*words|schlüsselwörter|schlagwörter|"
    r"introduction|einleitung|table of contents|inhalt)\b", re.I,
)


def _authors(layout: Layout, title: Block | None) -> tuple[list[str], list[Block]]:
    """Name lines right under the title (or just above it), before the abstract or text;
    and the blocks they were read from."""
    if title is None:
        return [], []
    blocks = [b for b in layout.blocks if b.page == title.page]
    at = blocks.index(title)
    found: list[str] = []
    used: list[Block] = []
    for block in blocks[at + 1: at + 14]:
        if block.size < 0.7 * layout.body_size:
            continue
        if _STOP_AUTHORS.match(block.text) or (len(block.text) > 200 and block.kind == "body"):
            break
        if len(block.lines) > 4:
            continue
        for line in block.lines:
            text = _undated(line_text(line))
            if _AFFILIATION.search(text) or re.search(r"\d{3,}", text):
                continue
            names = [_proper_case(p) for p in _name_parts(text)]
            if names and all(_is_name(n) for n in names) and not _GENRE.match(text.strip(" .:")):
                found.extend(n for n in names if n not in found)
                if block not in used:
                    used.append(block)
            elif found and len(text) > 80:
                return found, used
    if not found:
        for block in blocks[:at]:
            if _GENRE.match(block.text.strip(" .:")) or _SERIES.search(block.text) or abs(block.size - title.size) < 0.3:
                continue
            lines = [_name_parts(line_text(line)) for line in block.lines]
            if all(parts and all(_is_name(_proper_case(p)) for p in parts) for parts in lines):
                found.extend(_proper_case(p) for parts in lines for p in parts if _proper_case(p) not in found)
                used.append(block)
    return found, used


def _front_matter(layout: Layout, named: list[Block], imprint: list[Block]) -> list[Block]:
    """What the title page prints around the title that is not the paper's text: the title
    and author lines, the short lines set above the title (a journal's masthead, a genre
    label, a series), the short lines between the authors and the abstract or the first
    long paragraph (affiliations, dates, "Received ... Accepted"), and the imprint."""
    if not named:
        return imprint
    page = named[0].page
    blocks = [b for b in layout.blocks if b.page == page]
    first, last = blocks.index(named[0]), max(blocks.index(b) for b in named if b.page == page)
    out = list(named) + imprint
    out += [b for b in blocks[:first] if _short(b) and b.lines[0].top < named[0].lines[0].top]
    for block in blocks[last + 1:]:
        if not _short(block) or block.kind != "body" or _STOP_AUTHORS.match(block.text):
            break
        out.append(block)
    return out


def _short(block: Block) -> bool:
    return len(block.lines) <= 4 and len(block.text) <= 250 and block.kind != "footnote"


def _pdf_authors(layout: Layout) -> list[str]:
    author = layout.pdf.author or ""
    parts = [p.strip() for p in re.split(r";|\band\b|&|,(?=\s*\w+\s+\w)", author) if p.strip()]
    return [p for p in parts if _is_name(p)]


# -- imprint: container, volume, issue, pages, year ---------------------------------------------


_VOL_ISSUE = [
    re.compile(r"\bvol(?:ume)?\.?\s*(?P<vol>\d+)\s*[,;]?\s*(?:\((?P<y1>\d{4})\)\s*[,;]?\s*)?(?:(?:no\.?|nr\.?|issue|heft)\s*(?P<iss>[\w/–-]+?))?(?=[\s,;:)]|$)", re.I),
    re.compile(r"(?<![\w./])(?P<vol>\d{1,4})\s*\((?P<y1>\d{4})\)\s*,?\s*(?P<iss>\d{1,3})\b(?!\s*[-–])"),
    re.compile(r"(?<![\w./])(?P<vol>\d{1,4})\s*\((?!(?:19|20)\d\d\))(?P<iss>[\w/–-]{1,9})\)"),
    re.compile(r"(?<![\w./])(?P<vol>\d{1,4})\s*/\s*(?P<iss>\d{1,2})\s*\((?P<y1>\d{4})\)"),
    re.compile(r"(?<![\w./])\((?P<y1>\d{4})\)\s*(?P<vol>\d{1,4})\s*:\s*\d+\s*[-–]"),
]
_ISSUE_ONLY = re.compile(r"\b(?:no\.|nr\.|issue|heft)\s*(?P<iss>\d[\w/]*(?:-\d{4})?)", re.I)
_PAGES = [
    re.compile(r"\b(?:pp?\.?|pages?:?|s\.|seiten?)\s*(?P<a>\d{1,5})\s*[-–—]\s*(?P<b>\d{1,5})\b", re.I),
    re.compile(r"(?:\)|\d)\s*[:,]\s*(?P<a>\d{1,5})\s*[-–—]\s*(?P<b>\d{1,5})\b"),
]


def _imprint(layout: Layout, first: int) -> _Imprint:
    """Imprint text in the head and foot of the article's first page (whole blocks, so a
    citation set over two lines reads as one; its running head and foot too), then what the
    running heads of the other pages repeat, each different value once."""
    found = _Imprint()
    page = layout.pdf.pages[first]
    lines = _page_lines(layout, first)
    chunks = [(b.text, b.lines[0]) for b in layout.blocks
              if b.page == first and b.label is None and len(b.lines) <= 6
              and ((_in_band(b, page.height) and len(b.text) <= 200) or b.size < 0.95 * layout.body_size)]
    chunks += [(line_text(line), line) for line in layout.furniture.get(first, [])]
    for block in layout.blocks:
        if block.page == first and len(block.text) <= 300 and _IMPRINT.search(block.text) and (
                _in_band(block, page.height) or block.size < 0.95 * layout.body_size):
            found.blocks.append(block)
    for text, line in chunks:
        if not _IMPRINT.search(text):
            continue
        _read_imprint(text, found, weight=3)
        name = _container_name(text) or _container_above(line, lines)
        if name:
            found.containers[name] += 3
    # Single lines of a longer block in the head or foot ("Forum ... (ISSN 1438-5627)" above
    # a licence): a name only where the line itself names an ISSN or a volume.
    for b in layout.blocks:
        if b.page != first or len(b.lines) < 2 or b.label is not None or not _in_band(b, page.height):
            continue
        for line in b.lines:
            text = line_text(line)
            if re.search(r"\(?issn\b|\bvol(?:ume)?\.?\s*\d", text, re.I):
                name = _container_name(text)
                if name:
                    found.containers[name] += 2
    seen: set[str] = set()
    for index, page_lines in layout.furniture.items():
        if index == first:
            continue
        for line in page_lines:
            text = re.sub(r"^\d+\s+|\s+\d+$", "", line_text(line))
            if not _IMPRINT.search(text) or text in seen:
                continue
            seen.add(text)
            _read_imprint(text, found, weight=1, pages=False)
            name = _container_name(text)
            if name:
                found.containers[name] += 1
    return found


def _in_band(block: Block, height: float) -> bool:
    return block.lines[0].baseline < 0.22 * height or block.lines[-1].baseline > 0.78 * height


def _read_imprint(text: str, found: _Imprint, *, weight: int, pages: bool = True) -> None:
    text = text.replace("│", "|")
    for pattern in _VOL_ISSUE:
        m = pattern.search(text)
        if m:
            found.volumes[m.group("vol")] += weight
            iss = m.groupdict().get("iss")
            if iss:
                found.issues[iss.replace("–", "-")] += weight
            break
    else:
        m = _ISSUE_ONLY.search(text)
        if m:
            found.issues[m.group("iss")] += weight
    if pages:
        for pattern in _PAGES:
            m = pattern.search(text)
            if m and int(m.group("a")) <= int(m.group("b")) < int(m.group("a")) + 500:
                found.pages[f"{m.group('a')}-{m.group('b')}"] += weight
                break
    for y in _YEAR.findall(text):
        found.years[y] += weight


_NAME_STOP = re.compile(
    r"\s*(?:[,;:(]?\s*(?:\(?issn|copyright|©|(?:vol(?:ume)?|no|nr|issue|heft|jg|bd)\.?\s*\d|\d)|\s+[|│]).*$",
    re.I,
)


def _container_name(text: str) -> str | None:
    """The name printed before an imprint's numbers ("Historical Social Research 40 (2015)
    4", "Time & Society copyright © 2007"), else after a quoted title or an "In:" in a
    citation."""
    text = re.sub(r"^.*?\(eds?\.\)\s*:\s*", "", text.replace("│", "|"), flags=re.I)
    variants = [text, re.sub(r"^.*?\bin:\s*", "", text, flags=re.I)]
    if re.search(r"[”\"]\s*,", text):
        variants.insert(0, re.sub(r"^.*[”\"]\s*,?\s*(?:in:\s*)?", "", text))
    for variant in variants:
        name = _NAME_STOP.sub("", variant).strip(" ,.;:-–|")
        if _is_container(name) and not _names_person(name):
            return name
    return None


def _names_person(text: str) -> bool:
    return bool(re.match(r"^[^\W\d_][\w'’-]+,\s*[^\W\d_][\w'’.-]+$", text))


def _container_above(line: Line, page_lines: list[Line]) -> str | None:
    """A name set in the lines just above an imprint that starts with its numbers ("Group
    Processes & / Intergroup Relations / 2007 Vol 10(3) 373-382")."""
    def aligned(o: Line) -> bool:
        return abs(o.x0 - line.x0) < 20 or abs(o.x1 - line.x1) < 20 or abs((o.x0 + o.x1) - (line.x0 + line.x1)) < 40

    above = sorted((o for o in page_lines if o.baseline < line.baseline and aligned(o)
                    and line.baseline - o.baseline < 12 * line.size), key=lambda o: o.baseline)
    chunk: list[str] = []
    for o in reversed(above):
        t = line_text(o)
        if re.search(r"copyright|©", t, re.I):
            chunk = []
            continue
        if _IMPRINT.search(t) or _AFFILIATION.search(t) or re.search(r"\([^)]*\s[^)]*\)|\([^)]*$|^[^(]*\)", t):
            if chunk:
                break
            continue
        chunk.insert(0, t)
    joined = normalize_space(" ".join(chunk)).strip(" ,.;:")
    return joined if _is_container(joined) else None


def _is_container(name: str) -> bool:
    words = re.findall(r"[^\W\d_]{2,}", name)
    return 1 <= len(words) <= 16 and 4 <= len(name) <= 120 and not _GENRE.match(name) and not re.match(
        r"^(?:doi|issn|isbn|urn|www|http|online|published|received|accepted|page)\b", name, re.I
    ) and "@" not in name and not re.search(r"licen[cs]|creative commons|rights reserved|open access", name, re.I) and not re.match(
        r"^[⁰¹²³⁴⁵⁶⁷⁸⁹*]|^[^\W\d_][\w'’-]+,\s*(?:[A-Z]\.|[A-Z]$)", name)


_SERIES = re.compile(r"\b(?:series|reihe|schriftenreihe)\b", re.I)


def _series(layout: Layout) -> list[str]:
    """A series name set alone at the top of a title page ("Reihe Politikwissenschaft /
    Political Science Series", "Working Paper Series of ..."): the container of a paper."""
    out = []
    for page in sorted({b.page for b in layout.blocks})[:3]:
        height = layout.pdf.pages[page].height
        for block in layout.blocks:
            if block.page != page or block.lines[0].baseline > 0.3 * height or len(block.lines) > 3:
                continue
            text = re.sub(r"^\d+\s+", "", block.text)
            if _SERIES.search(text) and not text.endswith(".") and _is_container(text) and not _IMPRINT.search(text):
                out.append(text)
    return out


def _merge_abbreviations(counter: Counter[str]) -> Counter[str]:
    """"Eur Child Adolesc Psychiatry" on page one and "European Child & Adolescent
    Psychiatry" in the running heads are one journal: the spelled-out name takes both."""
    out = Counter(counter)
    for short in list(out):
        words = re.findall(r"[^\W\d_]+", fold(short))
        for full in list(out):
            if full == short or short not in out:
                continue
            long_words = [w for w in re.findall(r"[^\W\d_]+", fold(full)) if w not in ("and",)]
            if len(long_words) == len(words) and len(full) > len(short) and all(
                lw.startswith(w) for w, lw in zip(words, long_words, strict=True)
            ):
                out[full] += out.pop(short)
    return out


def _dated(layout: Layout, first: int) -> str | None:
    """A title page's date line ("January 2008", "Berlin, September 2001")."""
    for page in sorted({b.page for b in layout.blocks})[:3]:
        for line in _page_lines(layout, page):
            m = _DATE_LINE.match(line.text.strip())
            if m:
                return m.group(1)
    return None


def _pages_from_labels(layout: Layout, first: int) -> str | None:
    """The printed page range: the first article page's number (one less than the first
    printed number when the opening page prints none) to the last printed number."""
    numbers = [(i, int(label)) for i, label in enumerate(layout.page_labels) if label and label.isdigit()]
    if not numbers:
        return None
    offset = Counter(n - i for i, n in numbers).most_common(1)[0][0]
    numbers = [(i, n) for i, n in numbers if n - i == offset]
    i, n = numbers[0]
    start = n - 1 if i > first and n > 1 and i - 1 not in layout.cover_pages else n
    last = max(v for _, v in numbers if v >= n)
    return f"{start}-{last}"


def _doi(layout: Layout, first: int) -> str | None:
    pages = [first, *layout.cover_pages]
    for page in pages:
        text = " ".join(line_text(line) for line in _page_lines(layout, page))
        for page_obj in layout.pdf.pages[page: page + 1]:
            if page in layout.cover_pages:
                text = " ".join(line.text for line in page_obj.lines)
        m = _DOI.search(re.sub(r"(?i)doi\.org/", " ", text))
        if m:
            return m.group(1).rstrip(".)")
    return None


# -- the cover sheet's citation -----------------------------------------------------------------


@dataclass(slots=True)
class _Citation:
    authors: list[str] = field(default_factory=list)
    title: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    year: str | None = None


def _cover_citation(layout: Layout) -> _Citation | None:
    """The "Suggested Citation: Surname, Given; ...: Title. In: Journal 16 (2007), 2-3, pp.
    367-386." line of a repository cover sheet (or a publisher's first page)."""
    pages = layout.cover_pages or [_first_article_page(layout)]
    for page in pages:
        text = normalize_space(" ".join(line.text for line in sorted(layout.pdf.pages[page].lines, key=lambda line: line.baseline)))
        m = _CITATION_LABEL.search(text)
        if m:
            citation = text[m.end():].strip()
        else:
            found = re.search(r"[^\W\d_][\w'’-]+,\s*[^\W\d_][\w'’. -]+\((?:19|20)\d\d\).{0,300}?\bin:[^.]*", text)
            if not found:
                continue
            citation = found.group()
        citation = re.split(r"\s(?:URN|DOI|URL|http)\b|Nutzungsbedingungen|Terms of use", citation)[0]
        return _parse_citation(citation)
    return None


def _parse_citation(citation: str) -> _Citation:
    out = _Citation()
    head, _, rest = citation.partition(": ")
    for part in head.split(";"):
        part = re.sub(r"\(.*?\)", "", part).strip()
        if "," in part:
            surname, given = (p.strip() for p in part.split(",", 1))
            person = f"{given} {surname}".strip()
            if _is_name(person):
                out.authors.append(person)
    m = re.match(r"(?P<title>.+?)\.\s+(?:In:\s*(?P<container>.+?)\s+(?P<vol>\d+)\s*\((?P<year>\d{4})\)\s*,\s*(?P<iss>[\w/-]+)\s*,\s*pp?\.\s*(?P<a>\d+)\s*-\s*(?P<b>\d+))?", rest)
    if m:
        out.title = m.group("title")
        if m.group("container"):
            out.container, out.volume, out.year = m.group("container"), m.group("vol"), m.group("year")
            out.issue, out.pages = m.group("iss"), f"{m.group('a')}-{m.group('b')}"
    if out.container is None:
        name = _container_name(citation)
        if name and name != citation:
            out.container = name
            numbers = re.search(re.escape(name) + r"\s*,?\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*[-–]\s*(\d+)", citation)
            if numbers:
                out.volume, out.issue = numbers.group(1), numbers.group(2)
                out.pages = f"{numbers.group(3)}-{numbers.group(4)}"
    years = _YEAR.findall(rest)
    if years and out.year is None:
        out.year = years[0]
    return out
