"""Turn a reading into clean, typed paragraphs: body, abstract, footnotes, reference list,
figures, with the headings that name their sections.

Two kinds of input, one result:
- a structured file (PDF read by its layout, Word by its styles) arrives cut into blocks that
  already say what they are (a heading by its type size or style, a note by its place at the
  foot of the page); the rules here only give sections, abstracts and endnotes their names
  and rejoin a paragraph cut by a page break. Capitals never make a heading here;
- plain text (.txt, .md, or text an instructor extracted) carries only its shape, so its
  paragraphs, headings, notes, furniture and reference list are told from that. PDF text is
  full of debris: paragraphs cut by page breaks with footnotes in between, words hyphenated
  across lines, running heads and page numbers, figure and table cells, affiliation lines.

Each rule is about the *shape* of text or the structure of the file, never about a
particular reading, so the same code cleans any article. Every step is linear in the input.

Text pipeline: lines (with pages) -> blocks (blank-line separated) -> paragraphs (wrapped
lines joined) -> classified paragraphs -> page-break continuations rejoined -> footnotes linked.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bot.core.readings import parts
from bot.core.readings.loaders import BlockKind, RawDocument, SourceBlock
from bot.core.textnorm import SUPER_TO_DIGIT, SUPERSCRIPTS, fold, normalize_space

AFTER_BIBLIOGRAPHY = re.compile(r"^(appendix|appendices|annex|notes|endnotes|acknowledg)")
KEYWORDS_LINE = re.compile(r"^(key\s*words?|palabras\s+clave|mots[- ]cl[ée]s|jel)\s*[:.]", re.I)
FIGURE_START = re.compile(r"^(figure|fig\.|table|chart|graph|gr[áa]fic[oa]|cuadro|tabla|map)\s*[\dIVX]+\b", re.I)
SOURCE_LINE = re.compile(r"^(source|sources|fuente|note)s?\s*:", re.I)
FOOTNOTE_START = re.compile(rf"^(?:([{SUPERSCRIPTS}]+)|\[(\d{{1,3}})\])\s*(?=\S)")
NUMBERED_NOTE = re.compile(r"^(\d{1,3})[.)]?\s+(?=\S)")
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?\s*$", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
AFFILIATION_WORDS = re.compile(
    r"\b(universit\w*|institut\w*|college|department|school of|centre|center|faculty|cide|"
    r"facultad|departamento|laborator\w*)\b",
    re.I,
)
TERMINAL = ('.', '!', '?', '"', '”', '’', "'", ')', ']', ':', ';', '»')


# A paragraph's kind: a passage kind (bot.core.models.PassageKind), or a heading or front
# matter (title, authors, affiliations, keywords), which only label passages.
ParaKind = Literal["body", "heading", "abstract", "footnote", "bibliography", "figure", "front"]


@dataclass(slots=True)
class Para:
    """One paragraph-sized piece of the document, before it becomes a passage."""

    text: str
    page: int | None  # 1-based page of the file (PDF page, form-feed page), None if unpaged
    kind: ParaKind = "body"
    source: BlockKind | None = None  # what a structured file says the block is
    page_number: str | None = None  # the page number to cite (printed or implied), if known
    section: str | None = None
    label: str | None = None  # footnote label
    raw_lines: list[str] = field(default_factory=list)
    after_blank: bool = True  # False when the cleaner cut a blank-line block here by a guess
    parent: int | None = None  # footnote -> index of the paragraph whose marker points at it
    notes: list[int] = field(default_factory=list)
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class CleanDocument:
    paras: list[Para]
    text: str  # the cleaned text; every Para's start/end point into it
    bibliography: str  # the reference list's lines as printed, for the citation parser
    title: str | None = None
    authors: tuple[str, ...] = ()


# -- lines and blocks ----------------------------------------------------------------------


def _page_furniture(pages: list[list[str]]) -> set[str]:
    """Running heads and feet: short lines that recur at the top or bottom of many pages."""
    if len(pages) < 3:
        return set()
    edges: Counter[str] = Counter()
    for lines in pages:
        content = [ln.strip() for ln in lines if ln.strip()]
        for ln in set(content[:2] + content[-2:]):
            if len(ln) <= 80:
                edges[re.sub(r"\d+", "#", fold(ln))] += 1
    threshold = max(3, int(len(pages) * 0.4))
    return {key for key, n in edges.items() if n >= threshold}


def _blocks(doc: RawDocument) -> list[tuple[list[str], int | None]]:
    pages = [p.replace("\r\n", "\n").replace("\r", "\n").split("\n") for p in doc.pages]
    furniture = _page_furniture(pages)
    blocks: list[tuple[list[str], int | None]] = []
    for number, lines in enumerate(pages, start=1):
        page = number if doc.paged else None
        current: list[str] = []
        last = max((k for k, ln in enumerate(lines) if ln.strip()), default=-1)
        for k, line in enumerate(lines):
            line = line.replace("\u00ad", "").rstrip()
            stripped = line.strip()
            if stripped and (
                (PAGE_NUMBER.match(stripped) and not _ends_a_clause(current, k < last))
                or re.sub(r"\d+", "#", fold(stripped)) in furniture
            ):
                continue
            if not stripped:
                if current:
                    blocks.append((current, page))
                    current = []
                continue
            current.append(line)
        if current:
            blocks.append((current, page))
    return blocks


def _ends_a_clause(current: list[str], more_follows: bool) -> bool:
    """A lone number inside a block, after a line left open on a comma, with more of the page
    after it: the end of a wrapped clause ("Pflaum, 1887", "Vol. 134, 51"), not a page number,
    which stands at a page's top or foot or apart from the text."""
    return more_follows and bool(current) and current[-1].rstrip().endswith((",", ";"))


# -- joining lines -------------------------------------------------------------------------

_HYPHEN_END = re.compile(r"(\*{0,2})([^\W\d_]+)-(\*{0,2})$")
_WORD_START = re.compile(r"^(\*{0,2})([^\W\d_]+)")


def join_broken(left: str, right: str, vocabulary: set[str] | None = None) -> str:
    """Join text cut at a line or page end, undoing the hyphenation the cut introduced."""
    left = left.rstrip()
    right = right.lstrip()
    # Only the last word can be hyphenated: searching the whole of a long text was quadratic.
    hy = _HYPHEN_END.search(left, max(left.rfind(" "), left.rfind("\n")) + 1)
    nxt = _WORD_START.match(right)
    if (hy and nxt and right[:1].islower()) or (hy and nxt and nxt.group(1)):
        head, tail = hy.group(2), nxt.group(2)
        if len(head) <= 4 and fold(tail).startswith(fold(head)) and len(tail) > len(head) + 1:
            # The printer repeated the syllable after the break ("ca-" / "capacity"): drop it.
            return left[: hy.start()] + right
        joined = head + tail
        if vocabulary is not None and fold(f"{head}-{tail}") in vocabulary and fold(joined) not in vocabulary:
            return left[: hy.end(2)] + "-" + right[nxt.start(2):]
        return left[: hy.start(2)] + joined + right[nxt.end(2):]
    return f"{left} {right}"


def _is_heading_line(line: str) -> bool:
    if re.match(r"^#{1,6}\s+\S", line.strip()) or parts.names_reference_list(line):
        return True  # a Markdown heading says so itself; so does a reference list's name
    text = line.strip().strip("*#").strip()
    if not text or len(text) > 120 or (text.endswith((".", ",", ";")) and not re.match(r"^\d+(\.\d+)*\.$", text.split()[0])):
        return False
    if FOOTNOTE_START.match(text) or text.startswith(("-", "•", "(")):
        return False
    words = re.findall(r"[^\W\d_][\w'’.-]*", text)
    if not words or len(words) > 16:
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.85 and len(letters) >= 3:
        return True
    minor = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the",
             "to", "with", "vs", "via", "into", "de", "la", "el", "y", "en", "los", "las", "del"}
    significant = [w for w in words if w.lower() not in minor]
    if not significant:
        return False
    capitalised = sum(1 for w in significant if w[0].isupper())
    return (capitalised / len(significant) >= 0.75 and text[0].isupper()) or (text[0].isdigit() and capitalised / len(significant) >= 0.75)


def _split_block(lines: list[str]) -> list[list[str]]:
    """A blank-line block can hold several paragraphs: unwrapped lines, or wrapped ones whose
    short, sentence-final last line marks the end of a paragraph."""
    if len(lines) == 1:
        return [lines]
    if sum("\t" in ln for ln in lines) >= max(2, len(lines) // 2):
        return [lines]  # a table: keep its cells together
    if all(_is_name_line(ln) for ln in lines):
        return [[ln] for ln in lines]  # one author per line under a title
    longest = max(len(ln) for ln in lines)
    paras: list[list[str]] = []
    current: list[str] = []
    for i, line in enumerate(lines):
        starts_new = bool(current) and (
            FOOTNOTE_START.match(line.strip())
            or (_is_heading_line(line) and len(line) < 0.7 * longest)
        )
        if starts_new:
            paras.append(current)
            current = []
        current.append(line)
        stripped = line.rstrip()
        last = i == len(lines) - 1
        if not last and (
            len(stripped) > 300
            or (_is_heading_line(line) and len(line) < 0.7 * longest and len(current) == 1)
            or (stripped.endswith(TERMINAL) and len(stripped) < 0.75 * longest)
        ):
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


# -- classification ------------------------------------------------------------------------


def _is_affiliation(text: str) -> bool:
    if len(text) > 300:
        return False
    starts_marked = text.lstrip().startswith(("*", "†", "‡"))
    return (bool(EMAIL.search(text)) and (starts_marked or len(text) < 200)) or (
        starts_marked and bool(AFFILIATION_WORDS.search(text))
    )


# Which part of the document the classifier is in: running text, an abstract, a reference list
# (everything is an entry until a heading ends it) or endnotes ("12 Text" is a note).
Mode = Literal["body", "abstract", "bibliography", "notes", "keywords"]


@dataclass(slots=True)
class _Place:
    """Where the classifier is: the part and section the paragraphs belong to so far."""

    mode: Mode = "body"
    section: str | None = None
    seen_body: bool = False  # once running text started, name lines are no longer authors
    # The file marks its reference list itself (a PDF's layout found it): a heading named
    # "References" (in a table of contents, say) does not start one.
    list_given: bool = False


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A paragraph as the rules see it."""

    para: Para
    text: str  # stripped
    single: bool  # printed on one line
    index: int
    prev: Para | None  # the paragraph before, already classified


Rule = Callable[["_Candidate", _Place], bool]


def _classify(paras: list[Para], rules: tuple[Rule, ...], place: _Place | None = None) -> None:
    """Give every paragraph its kind and section: the first rule that applies decides."""
    place = place or _Place()
    for i, para in enumerate(paras):
        candidate = _Candidate(para, para.text.strip(), len(para.raw_lines) == 1, i,
                               paras[i - 1] if i else None)
        next(rule for rule in rules if rule(candidate, place))


def _reference_list_entry(c: _Candidate, place: _Place) -> bool:
    """In a reference list everything is an entry, until a heading that ends the list."""
    if place.mode != "bibliography":
        return False
    if c.single and _is_heading_line(c.text) and AFTER_BIBLIOGRAPHY.match(parts.heading_key(c.text)):
        place.mode = "notes" if parts.NOTES.match(parts.heading_key(c.text)) else "body"
        place.section = c.text.strip(" *#:")
        c.para.kind = "heading"
    else:
        c.para.kind, c.para.section = "bibliography", place.section
    return True


def _figure_or_table(c: _Candidate, place: _Place) -> bool:
    """A caption ("Figure 2 ...", or a heading-like line under a figure), a source line, cells."""
    caption = (
        c.single and c.prev is not None and c.prev.kind == "figure" and _is_heading_line(c.text)
    )
    if not (caption or FIGURE_START.match(c.text) or SOURCE_LINE.match(c.text)
            or "\t" in c.para.text):
        return False
    c.para.kind, c.para.section = "figure", place.section
    return True


def _author_line(c: _Candidate, place: _Place) -> bool:
    """Names under the title, before the running text starts."""
    if place.seen_body or c.index >= 12 or not _is_name_line(c.text):
        return False
    c.para.kind = "front"
    return True


def _keywords_or_affiliation(c: _Candidate, place: _Place) -> bool:
    """Front matter that also ends an abstract."""
    if not (KEYWORDS_LINE.match(c.text) or _is_affiliation(c.text)):
        return False
    c.para.kind = "front"
    if place.mode == "abstract":
        place.mode, place.section = "body", None
    return True


def _footnote(c: _Candidate, place: _Place) -> bool:
    """A note: it starts with its marker ("¹ ...", "[3] ..."), or with its number in endnotes."""
    marker = FOOTNOTE_START.match(c.text)
    numbered = NUMBERED_NOTE.match(c.text) if place.mode == "notes" else None
    if marker:
        label = marker.group(1) or marker.group(2)
    elif numbered:
        label = numbered.group(1)
    else:
        return False
    c.para.kind = "footnote"
    c.para.label = label.translate(SUPER_TO_DIGIT)
    c.para.section = place.section
    return True


def _heading(c: _Candidate, place: _Place) -> bool:
    """A one-line heading (not a question): it opens a section, an abstract, a reference list or
    the endnotes."""
    if not c.single or c.text.endswith("?"):
        return False
    if not (_is_heading_line(c.text) or _is_short_title(c.text)):
        return False
    _open_section(c, place)
    return True


def _open_section(c: _Candidate, place: _Place) -> None:
    """`c` is a heading: what follows it is the part its name says."""
    c.para.kind = "heading"
    key = parts.heading_key(c.text)
    name = c.text.strip(" *#:")
    if parts.names_reference_list(c.text) and not place.list_given:
        place.mode, place.section = "bibliography", name
    elif parts.ABSTRACT.match(key):
        place.mode, place.section = "abstract", name.title() if c.text.isupper() else name
    elif parts.NOTES.match(key):
        place.mode, place.section = "notes", name
    elif parts.KEYWORDS.match(key):
        place.mode = "keywords"
    else:
        place.mode, place.section = "body", _section_name(c, place.section)


def _section_name(c: _Candidate, current: str | None) -> str:
    """A heading's section name; under a heading that ends in ":" it is a subsection of it."""
    name = c.text.strip(" *#")
    if current and c.prev is not None and c.prev.kind == "heading" and c.prev.text.rstrip().endswith(":"):
        name = f"{current}: {name}"
    return name.rstrip(":")


def _running_text(c: _Candidate, place: _Place) -> bool:
    """Whatever no other rule claimed: the abstract's text or the body's."""
    c.para.kind = "abstract" if place.mode == "abstract" else "body"
    c.para.section = place.section
    if c.para.kind == "body":
        place.seen_body = True
    return True


_TEXT_RULES: tuple[Rule, ...] = (
    _reference_list_entry,
    _figure_or_table,
    _author_line,
    _keywords_or_affiliation,
    _footnote,
    _heading,
    _running_text,
)


# -- structured files: the block says what it is ------------------------------------------

_INLINE_ABSTRACT = re.compile(
    r"^(?:abstract|summary|zusammenfassung|r[ée]sum[ée]|resumen)\s*[:.–—-]?\s+\S", re.I
)


def _given_kind(c: _Candidate, place: _Place) -> bool:
    """Figures, notes, front matter and reference-list entries are what the file says."""
    source = c.para.source
    if source == "figure":
        c.para.kind, c.para.section = "figure", place.section
    elif source == "footnote":
        c.para.kind, c.para.section = "footnote", place.section
    elif source == "front":
        c.para.kind = "front"
    elif source == "bibliography":
        c.para.kind, c.para.section = "bibliography", place.section
    else:
        return False
    return True


def _given_heading(c: _Candidate, place: _Place) -> bool:
    """A heading by type size or style (never by capitals): it ends a reference list made
    by name and opens the part its name says."""
    if c.para.source != "heading":
        return False
    _open_section(c, place)
    return True


def _named_heading(c: _Candidate, place: _Place) -> bool:
    """A line that is only the name of a part ("Abstract", "Keywords", "Notes", "References"),
    whatever its type: it opens that part."""
    key = parts.heading_key(c.text)
    names = (parts.ABSTRACT, parts.BIBLIOGRAPHY, parts.NOTES, parts.KEYWORDS)
    if len(c.text) > 40 or not any(n.match(key) for n in names):
        return False
    _open_section(c, place)
    return True


def _keywords(c: _Candidate, place: _Place) -> bool:
    """The keywords under a "Keywords" heading: front matter, not text."""
    if place.mode != "keywords" or len(c.text) > 400:
        return False
    c.para.kind = "front"
    place.mode = "body"
    return True


def _named_list_entry(c: _Candidate, place: _Place) -> bool:
    """Under a heading named "References" (in a file that does not mark its list), entries."""
    if place.mode != "bibliography":
        return False
    c.para.kind, c.para.section = "bibliography", place.section
    return True


def _inline_abstract(c: _Candidate, place: _Place) -> bool:
    """A paragraph that opens with the word "Abstract": the abstract, its label run in."""
    if place.seen_body or not _INLINE_ABSTRACT.match(c.text) or len(c.text) < 100:
        return False
    c.para.kind, c.para.section = "abstract", place.section
    return True


_BLOCK_RULES: tuple[Rule, ...] = (
    _given_kind,
    _given_heading,
    _named_heading,
    _keywords,
    _named_list_entry,
    _author_line,
    _keywords_or_affiliation,
    _footnote,
    _inline_abstract,
    _running_text,
)


def _is_short_title(text: str) -> bool:
    """A sentence-case heading ("The tragedy thesis"): a short capitalised line standing alone
    without the punctuation that ends a sentence."""
    words = text.split()
    return (
        0 < len(words) <= 10 and len(text) <= 80 and text[0].isupper()
        and not text.rstrip("*").endswith((*TERMINAL, ","))
        and not FOOTNOTE_START.match(text)
    )


def _is_name_line(text: str) -> bool:
    """An author line under the title: two to five capitalised name words, maybe starred."""
    clean = text.strip().rstrip("*†‡0-9¹²³ ,").strip()
    if not clean or len(clean) > 60 or any(ch.isdigit() for ch in clean):
        return False
    parts = re.split(r"\s*(?:,|\band\b|&|\by\b)\s*", clean)
    for part in parts:
        words = part.split()
        if not words:
            continue
        if not 2 <= len(words) <= 4:
            return False
        if not all(w[0].isupper() and re.fullmatch(r"[^\W\d_][\w.'’-]*\*?", w) for w in words):
            return False
    letters = [c for c in clean if c.isalpha()]
    return sum(c.isupper() for c in letters) / max(1, len(letters)) > 0.85 or text.rstrip().endswith("*")


# -- continuations and footnotes -----------------------------------------------------------


_CLOSED_BY_MARKER = re.compile(rf"[.!?][{SUPERSCRIPTS}\d]*$")


def _ends_open(text: str) -> bool:
    t = text[-80:].rstrip().rstrip("*")  # the end decides; scanning all of it was quadratic
    return bool(t) and not t.endswith(TERMINAL[:-2]) and not _CLOSED_BY_MARKER.search(t)


def _continues(text: str) -> bool:
    t = text.lstrip("*\"“ ")
    return bool(t) and (t[0].islower() or t[0] in ",;)")


def _rejoin(paras: list[Para], vocabulary: set[str]) -> list[Para]:
    """Glue a paragraph cut by a page break to its continuation, across interleaved notes
    (at most a page's worth of them: the walk back stays short); and a note the layout
    shows without its number (its second block, or its run-over onto the next page) to the
    note before it."""
    out: list[Para] = []
    last_note: Para | None = None
    for para in paras:
        if para.kind == "footnote" and para.source == "footnote" and para.label is None and last_note:
            last_note.text = join_broken(last_note.text, para.text, vocabulary)
            last_note.raw_lines.extend(para.raw_lines)
            continue
        if para.kind in ("body", "abstract", "footnote", "bibliography") and _continues(para.text):
            # Walk back over notes/figures/front matter to the paragraph this one continues.
            j = len(out) - 1
            while (j >= 0 and len(out) - j < 60 and out[j].kind in ("footnote", "figure", "front")
                   and out[j].kind != para.kind):
                j -= 1
            if j >= 0 and out[j].kind == para.kind and _ends_open(out[j].text):
                target = out[j]
                target.text = join_broken(target.text, para.text, vocabulary)
                target.raw_lines.extend(para.raw_lines)
                continue
        out.append(para)
        if para.kind == "footnote":
            last_note = para
    return out


FOOTNOTE_MARKER = re.compile(rf"[{SUPERSCRIPTS}]+|\[(\d+)\]")


def _link_footnotes(paras: list[Para]) -> None:
    """Each note belongs to the nearest paragraph before it that carries its marker (else the
    nearest after). Markers are collected in one pass: searching every paragraph for every
    note grew with notes x paragraphs and dominated indexing of long readings."""
    marked: dict[str, list[int]] = {}
    for j, other in enumerate(paras):
        if other.kind not in ("body", "abstract"):
            continue
        for m in FOOTNOTE_MARKER.finditer(other.text):
            at = marked.setdefault(m.group(1) or m.group().translate(SUPER_TO_DIGIT), [])
            if not at or at[-1] != j:
                at.append(j)
    for i, para in enumerate(paras):
        if para.kind != "footnote" or not para.label:
            continue
        at = marked.get(para.label, [])
        k = bisect.bisect_left(at, i)
        if not at:
            continue
        j = at[k - 1] if k > 0 else at[k]
        para.parent = j
        paras[j].notes.append(i)
        para.section = paras[j].section


def _vocabulary(doc: RawDocument) -> set[str]:
    return set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", fold(doc.text)))


def _join_lines(lines: list[str], vocabulary: set[str]) -> str:
    """A paragraph's wrapped lines as one text. Each join looks only at the words either side
    of the break, so what lies before the last space is settled: keeping it aside keeps this
    linear (joining onto the whole paragraph so far took minutes on 8,000 wrapped lines)."""
    done: list[str] = []
    tail = lines[0].strip()
    for line in lines[1:]:
        merged = join_broken(tail, line.strip(), vocabulary) if "\t" not in line else f"{tail}\n{line}"
        cut = max(merged.rfind(" "), merged.rfind("\n")) + 1
        done.append(merged[:cut])
        tail = merged[cut:]
    return "".join(done) + tail


def clean(doc: RawDocument) -> CleanDocument:
    if doc.blocks is not None:
        vocabulary = _block_vocabulary(doc.blocks)
        paras = [_from_block(b, doc.page_numbers) for b in doc.blocks if b.text.strip()]
        given = any(b.kind == "bibliography" for b in doc.blocks) or doc.format == "pdf"
        _classify(paras, _BLOCK_RULES, _Place(list_given=given))
    else:
        vocabulary = _vocabulary(doc)
        paras = [
            Para(text=_join_lines(group, vocabulary), page=page, raw_lines=list(group),
                 after_blank=k == 0)
            for lines, page in _blocks(doc) for k, group in enumerate(_split_block(lines))
        ]
        _classify(paras, _TEXT_RULES)
    bibliography = _bibliography_lines(paras)
    paras = _rejoin(paras, vocabulary)
    paras = _merge_fragments(paras)
    for para in paras:
        if para.kind != "figure":
            para.text = normalize_space(para.text)
    _link_footnotes(paras)
    title, authors = _front_matter(paras)
    chunks: list[str] = []
    offset = 0
    for para in paras:
        para.start, para.end = offset, offset + len(para.text)
        chunks.append(para.text)
        offset = para.end + 2
    return CleanDocument(paras=paras, text="\n\n".join(chunks), bibliography=bibliography,
                         title=title, authors=authors)


def _bibliography_lines(paras: list[Para]) -> str:
    """The reference list's lines with the file's own blank lines between them. Where the
    cleaner cut a block at a guess (a short line ending a sentence), no blank line is added:
    in a wrapped list that guess is right at an entry's end and wrong after "Wiesbaden: Gabler."
    halfway through one, and the splitter weighs line lengths and starts better than it."""
    out: list[str] = []
    previous = -2
    for i, para in enumerate(paras):
        if para.kind != "bibliography":
            continue
        if out:
            out.append("\n" if i == previous + 1 and not para.after_blank else "\n\n")
        out.append("\n".join(para.raw_lines))
        previous = i
    return "".join(out)


def _from_block(block: SourceBlock, labels: list[str | None]) -> Para:
    label = labels[block.page - 1] if block.page and block.page <= len(labels) else None
    return Para(text=block.text, page=block.page, source=block.kind, label=block.label,
                page_number=label, raw_lines=block.lines or [block.text])


def _block_vocabulary(blocks: list[SourceBlock]) -> set[str]:
    words: set[str] = set()
    for block in blocks:
        words.update(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", fold(block.text)))
    return words


def _merge_fragments(paras: list[Para]) -> list[Para]:
    """A few words left alone (a split quote attribution, a stray line) join their neighbour."""
    out: list[Para] = []
    for para in paras:
        if (
            para.kind == "body"
            and len(para.text) < 60
            and out
            and out[-1].kind == "body"
            and out[-1].section == para.section
            and (_ends_open(out[-1].text) or not para.text.rstrip().endswith(TERMINAL))
        ):
            out[-1].text = f"{out[-1].text} {para.text}"
            out[-1].raw_lines.extend(para.raw_lines)
            continue
        out.append(para)
    return out


def _front_matter(paras: list[Para]) -> tuple[str | None, tuple[str, ...]]:
    """Title and authors from the opening lines: a heading first, then name lines."""
    title: str | None = None
    authors: list[str] = []
    for para in paras[:8]:
        if para.kind in ("body", "abstract"):
            break
        if para.kind == "heading" and title is None and not parts.ABSTRACT.match(parts.heading_key(para.text)):
            title = para.text.strip(" *#")
            continue
        if para.kind == "front" and _is_name_line(para.text):
            for name in re.split(r"\s*(?:,|\band\b|&)\s*", para.text.strip().rstrip("*†‡ ")):
                name = name.strip(" *†‡")
                if name:
                    authors.append(name.title() if name.isupper() else name)
    return title, tuple(authors)
