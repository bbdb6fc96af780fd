"""What each line of a PDF is, decided by where it stands and how it is set.

Every rule reads geometry and typography, never the words of a particular paper or journal:
- page furniture: lines at the top or foot of pages that recur across pages (running heads,
  footers), and the printed page numbers, found as numbers at the page edges that rise one by
  one with the PDF page index;
- footnotes: the block of smaller type at the foot of a page whose lines open with a marker;
  markers in the body are the raised, smaller digits, printed here as superscripts (¹²);
- headings: short blocks set larger than the body text, or bold where the body is not;
- two columns: a gutter no line crosses, read left column then right, band by band;
- figures and tables: text inside images, rows of separate cells, and what a "Table 2"
  caption heads;
- a repository cover sheet: a first page that gives a citation and terms of use;
- the reference list: the last heading named like one that is followed by dated entries, so a
  table of contents or a running head that says "References" does not start it; failing
  that, a last section that opens with entries, whatever its heading calls it.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from bot.core.readings import parts
from bot.core.readings.pdf import Line, Page, PdfText
from bot.core.references.splitter import NONE, start_strength
from bot.core.textnorm import (
    DIGIT_TO_SUPER,
    SUPER_TO_DIGIT,
    dehyphenate,
    fold,
    normalize_extracted,
    normalize_space,
    repair_splits,
)

_CITATION_LABEL = re.compile(
    r"(suggested citation|empfohlene zitierung|zitierhinweis|zitiervorschlag|please cite|"
    r"to cite this|cite this (?:article|paper)|citation:)", re.I,
)
_TERMS = re.compile(
    r"(terms of use|nutzungsbedingungen|creative commons|licen[cs]e|lizenz|"
    r"conditions of use|made available under)", re.I,
)
_CAPTION = re.compile(
    r"^(?:table|tab\.|figure|fig\.|chart|graph|exhibit|abbildung|abb\.|tabelle|schaubild|"
    r"grafik|diagram|map)\s*[\dIVXA-Z]+(?:\.\d+)?\b", re.I,
)
_MARKER_START = re.compile(r"^(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+\s*|\d{1,3}[.)]?\s+|[*†‡§]+\s*|\(\d{1,3}\)\s*|\[\d{1,3}\]\s*)(?=\S)")
_PAGE_NUMBER_LINE = re.compile(
    r"^(?:page|seite|p\.|s\.)?\s*[-–—]?\s*(\d{1,4}|[ivxlc]{1,7})\s*[-–—]?\s*(?:(?:of|von|/)\s*\d{1,4})?$",
    re.I,
)
_NUMBER_TOKEN = re.compile(r"(?<![\w/(\[.:,–—-])(\d{1,4}|[ivxlc]{1,7})(?![\w/)\].:,–—-]|\s*\()")
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)[a-z]?\b")


@dataclass(slots=True)
class Block:
    """Lines that belong together (a paragraph, a heading, one note), in reading order."""

    kind: str  # body | heading | footnote | figure | cover
    lines: list[Line]
    label: str | None = None  # a footnote's marker ("3", "*")

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def size(self) -> float:
        return statistics.median(line.size for line in self.lines)

    @property
    def text(self) -> str:
        return normalize_space(" ".join(line_text(line) for line in self.lines))


@dataclass(slots=True)
class Layout:
    pdf: PdfText
    blocks: list[Block]  # reading order, furniture and cover sheet left out
    furniture: dict[int, list[Line]]  # page index -> its running heads, feet and folios
    page_labels: list[str | None]  # the number printed on each PDF page, or None
    body_size: float
    cover_pages: list[int] = field(default_factory=list)
    references_start: int | None = None  # index in `blocks` of the reference list's heading
    references_end: int | None = None  # first block after it (exclusive), or None to the end


def line_text(line: Line) -> str:
    """A line as printed, its raised markers written as superscripts ("word¹")."""
    out = []
    for i, span in enumerate(line.spans):
        text = span.text
        if span.raised and re.fullmatch(r"\d{1,3}", text.strip()):
            out.append(text.strip().translate(DIGIT_TO_SUPER))
            continue
        out.append((" " if span.space_before and i else "") + text)
    return "".join(out).strip()


def analyze(pdf: PdfText) -> Layout:
    pages = [_on_page(page) for page in pdf.pages]
    cover = _cover_pages(pages)
    body_size, body_bold = _body_style(pages, cover)
    furniture = _furniture(pages, cover)
    labels = page_labels(pages, furniture, cover)
    for page in pages:
        if labels[page.index] is not None:
            # The folio, and what is set on its line (a running head seen on too few pages to
            # recur, as in a short paper whose odd and even pages carry different heads).
            edge = _edge_lines(page)
            folios = [line for line in edge if _holds_label(line, labels[page.index])]
            known = furniture.setdefault(page.index, [])
            known.extend(line for line in edge if line not in known and any(
                abs(line.baseline - f.baseline) < 0.5 * f.size for f in folios))
    blocks: list[Block] = []
    for page in pages:
        if page.index in cover:
            continue
        skip = {id(line) for line in furniture.get(page.index, [])}
        lines = [line for line in page.lines if id(line) not in skip]
        blocks.extend(_page_blocks(page, reading_order(lines, page.width), body_size, body_bold))
    start, end = _references(blocks, body_size)
    _number_notes(blocks, start, end)
    end = _end_before_back_matter(blocks, start, end)
    return Layout(pdf=pdf, blocks=blocks, furniture=furniture, page_labels=labels,
                  body_size=body_size, cover_pages=sorted(cover), references_start=start,
                  references_end=end)


def _on_page(page: Page) -> Page:
    """Printer's slugs and crop marks sit outside the page box: not part of the reading."""
    lines = [line for line in page.lines if 0 <= line.baseline <= page.height and line.x1 >= 0
             and line.x0 <= page.width]
    return Page(index=page.index, width=page.width, height=page.height,
                lines=_attach_markers(lines), images=page.images)


def _attach_markers(lines: list[Line]) -> list[Line]:
    """A note's number set apart from its text ("1" ... "We use the word") is one line."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if (
            prev is not None and len(prev.text) <= 3 and re.fullmatch(r"[\d*†‡§]+[.)]?", prev.text)
            and line.x0 > prev.x1 and line.x0 - prev.x1 < 4 * line.size
            and abs(line.baseline - prev.baseline) < 0.6 * line.size
        ):
            line.spans[0].space_before = True
            out[-1] = Line.of(prev.spans + line.spans, prev.page)
            continue
        out.append(line)
    return out


# -- document style ---------------------------------------------------------------------------


def _body_style(pages: list[Page], cover: set[int]) -> tuple[float, bool]:
    sizes: Counter[float] = Counter()
    bold: Counter[float] = Counter()
    for page in pages:
        if page.index in cover:
            continue
        for line in page.lines:
            for span in line.spans:
                n = sum(c.isalpha() for c in span.text)
                key = round(span.size * 2) / 2
                sizes[key] += n
                if span.bold:
                    bold[key] += n
    if not sizes:
        return 10.0, False
    size = max(sizes, key=lambda k: sizes[k])
    return size, bold[size] > 0.5 * sizes[size]


def _cover_pages(pages: list[Page]) -> set[int]:
    """A repository's cover sheet: a first page that says how to cite the paper and under
    which terms it is shared, in front of the paper itself."""
    if len(pages) < 2 or not pages[0].lines:
        return set()
    text = " ".join(line.text for line in pages[0].lines)
    cited = _CITATION_LABEL.search(text) or re.search(r"\((?:19|20)\d\d\)\s*[,.:]?.{0,300}?\bin:", text, re.I)
    return {0} if cited and _TERMS.search(text) else set()


# -- furniture and page numbers -------------------------------------------------------------


def _edge_lines(page: Page) -> list[Line]:
    """The lines a running head, foot or folio can be: the first and last few of the page,
    in its top or bottom margin band or set apart from the text by a gap."""
    if not page.lines:
        return []
    ordered = sorted(page.lines, key=lambda line: line.baseline)
    out = []
    for i, line in enumerate(ordered):
        if 3 <= i < len(ordered) - 3:
            continue
        near_edge = line.baseline < 0.15 * page.height or line.baseline > 0.85 * page.height
        above = [o.bottom for o in ordered[:i] if o.bottom < line.top - 0.2 * line.size]
        below = [o.top for o in ordered[i + 1:] if o.top > line.bottom + 0.2 * line.size]
        gap_above = line.top - max(above) if above else line.top
        gap_below = min(below) - line.bottom if below else page.height - line.bottom
        apart = (i < 3 and gap_below > 1.2 * line.size) or (i >= len(ordered) - 3 and gap_above > 1.2 * line.size)
        if near_edge or apart:
            out.append(line)
    return out


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", fold(text))).strip()


def _furniture(pages: list[Page], cover: set[int]) -> dict[int, list[Line]]:
    """Edge lines whose digit-masked text recurs on a quarter of the pages (odd and even
    pages may carry different heads), and lines that are only a page number."""
    content = [p for p in pages if p.index not in cover]
    keys: Counter[str] = Counter()
    edge: dict[int, list[Line]] = {}
    for page in content:
        edge[page.index] = _edge_lines(page)
        keys.update({_mask(line.text) for line in edge[page.index]})
    threshold = max(2, int(0.25 * len(content)))
    out: dict[int, list[Line]] = {}
    for page in content:
        for line in edge[page.index]:
            key = _mask(line.text)
            if (keys[key] >= threshold and len(content) >= 3 and len(key) > 1) or _PAGE_NUMBER_LINE.match(
                line.text.strip()
            ):
                out.setdefault(page.index, []).append(line)
    return out


def _roman(text: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    text = text.lower()
    if not text or any(c not in values for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        v = values[c]
        total += -v if i + 1 < len(text) and values[text[i + 1]] > v else v
    return total if _to_roman(total) == text else None


def _to_roman(n: int) -> str:
    out = ""
    for value, numeral in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"),
                           (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += numeral
            n -= value
    return out


def _candidates(line: Line, recurring: bool) -> list[tuple[str, int, bool]]:
    """(token, value, roman) for each number a folio could be in an edge line: the line's
    first or last word, in a short line or a running head (a note's number opens a long
    line that recurs nowhere)."""
    words = line.text.split()
    if not words or (len(words) > 4 and not recurring):
        return []
    out = []
    for m in _NUMBER_TOKEN.finditer(line.text):
        token = m.group(1)
        if token not in (words[0], words[-1]):
            continue
        if token.isdigit():
            if token.startswith("0"):
                continue
            out.append((token, int(token), False))
        elif token.islower() or token.isupper():
            value = _roman(token)
            if value is not None:
                out.append((token, value, True))
    return out


def page_labels(pages: list[Page], furniture: dict[int, list[Line]], cover: set[int]) -> list[str | None]:
    """The number printed on each page: a number at the page's edge whose difference from
    the PDF page index is shared with other pages (folios rise one per page; a logo's "123"
    or a year in the running head do not)."""
    found: dict[int, list[tuple[str, int, bool]]] = {}
    for page in pages:
        if page.index in cover:
            continue
        running = {id(line) for line in furniture.get(page.index, [])}
        found[page.index] = [c for line in _edge_lines(page) for c in _candidates(line, id(line) in running)]
    support: Counter[tuple[int, bool]] = Counter()
    for index, cands in found.items():
        support.update({(value - index, roman) for _, value, roman in cands})
    labels: list[str | None] = [None] * len(pages)
    for index, cands in found.items():
        best = None
        for token, value, roman in cands:
            n = support[(value - index, roman)]
            if n >= 2 and (best is None or n > best[0]):
                best = (n, token)
        if best is not None:
            labels[index] = best[1]
    return _drop_strays(labels)


def _drop_strays(labels: list[str | None]) -> list[str | None]:
    """A label that breaks the sequence of both its numbered neighbours is a coincidence."""
    numbered = [(i, v) for i, label in enumerate(labels) if label and (v := _value(label)) is not None]
    out = list(labels)
    for k in range(1, len(numbered) - 1):
        (jb, vb), (i, v), (ja, va) = numbered[k - 1], numbered[k], numbered[k + 1]
        if vb - v != jb - i and va - v != ja - i:
            out[i] = None
    return out


def page_numbers(labels: list[str | None], cover: list[int]) -> list[str | None]:
    """The page number to cite for each PDF page: the one printed on it, else the one its
    place in a run of numbered pages implies (an article's opening page, a page taken up by
    a figure), else None (a cover sheet, unnumbered front or back matter)."""
    numbered = [(i, v) for i, label in enumerate(labels)
                if label and label.isdigit() and (v := int(label)) > 0]
    out = list(labels)
    for (i, v), (j, w) in itertools.pairwise(numbered):
        if w - v == j - i:  # one run: the pages between carry the numbers between
            for k in range(i + 1, j):
                out[k] = str(v + k - i)
    if numbered:
        i, v = numbered[0]
        opening = i - 1
        if opening >= 0 and out[opening] is None and opening not in cover and v > 1 and all(
                k in cover for k in range(opening)):
            out[opening] = str(v - 1)
    return out


def _value(label: str) -> int | None:
    return int(label) if label.isdigit() else _roman(label)


def _holds_label(line: Line, label: str | None) -> bool:
    return label is not None and any(token == label for token, _, _ in _candidates(line, True))


# -- reading order ----------------------------------------------------------------------------


def reading_order(lines: list[Line], width: float) -> list[Line]:
    """Top to bottom; where the page has columns, band by band the left column first. A band
    ends at a line that crosses the gutter (a title, a wide table, a figure). A column may
    itself hold columns (a reference list set in three): each side is ordered the same way."""
    return _order(sorted(lines, key=lambda line: (line.baseline, line.x0)), 0.0, width, 0)


def _order(ordered: list[Line], lo: float, hi: float, depth: int) -> list[Line]:
    gutter = _gutter(ordered, lo, hi) if depth < 3 else None
    if gutter is None:
        return ordered
    out: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []

    def band() -> list[Line]:
        # Left-column lines set apart below where the right column ends (a heading over a
        # box that runs across both) come after the right column, not before it.
        bottom = max((line.baseline for line in right), default=float("inf"))
        below = next((j for j, line in enumerate(left) if line.baseline > bottom), len(left))
        # The move starts at a gap; without one the left column simply runs longer.
        k = next((j for j in range(max(below, 1), len(left))
                  if left[j].baseline - left[j - 1].baseline > 1.8 * left[j].size), len(left))
        return (_order(left[:k], lo, gutter, depth + 1) + _order(right, gutter, hi, depth + 1)
                + _order(left[k:], lo, gutter, depth + 1))

    for line in ordered:
        if line.x0 < gutter < line.x1:
            out.extend(band())
            left, right = [], []
            out.append(line)
        elif line.x1 <= gutter:
            left.append(line)
        else:
            right.append(line)
    return out + band()


def _gutter(lines: list[Line], lo: float, hi: float) -> float | None:
    """The x of a vertical gap that splits the text between `lo` and `hi` into two columns,
    if it has one. Lines as wide as most of the span (a title, an abstract set across both
    columns above them) cross any gutter: only the narrower lines decide where it is."""
    span = hi - lo
    narrow = [line for line in lines if line.x1 - line.x0 < 0.6 * span]
    if len(narrow) < 12 or span <= 0:
        return None
    best: tuple[int, float] | None = None
    for step in range(30, 71):
        x = lo + span * step / 100
        crossing = sum(1 for line in narrow if line.x0 < x - 1 < x + 1 < line.x1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
    assert best is not None
    crossing, x = best
    # A line that does not cross may still touch x (within the scan's point of slack): it
    # belongs to its side, or a column ending right at the gutter goes uncounted.
    left = [line for line in narrow if line.x1 <= x + 1]
    right = [line for line in narrow if line.x0 >= x - 1]
    if len(left) < 6 or len(right) < 6 or crossing > 0.2 * len(narrow):
        return None
    # Both sides must be columns of running text, not a label column beside a wide one.
    wide_left = sum(1 for line in left if line.x1 - line.x0 > 0.2 * span)
    wide_right = sum(1 for line in right if line.x1 - line.x0 > 0.2 * span)
    if wide_left < 4 or wide_right < 4:
        return None
    # The gutter's exact place: the middle of the widest gap around x.
    lo_edge = max(line.x1 for line in left)
    hi_edge = min(line.x0 for line in right)
    return (lo_edge + hi_edge) / 2 if hi_edge > lo_edge else x


# -- blocks -----------------------------------------------------------------------------------


def _page_blocks(page: Page, lines: list[Line], body: float, body_bold: bool) -> list[Block]:
    blocks: list[Block] = []
    current: list[Line] = []
    leading = _leading(lines)
    for line in lines:
        if current and _starts_block(current, line, leading, body):
            blocks.append(Block("body", current))
            current = []
        current.append(line)
    if current:
        blocks.append(Block("body", current))
    blocks = [piece for block in blocks for piece in _split_named_heading(block)]
    for block in blocks:
        block.kind = _kind(block, body, body_bold, page)
    _captioned(blocks, body)
    _footnotes(blocks, page, body)
    return [piece for block in blocks for piece in _split_notes(block)]


def _split_named_heading(block: Block) -> list[Block]:
    """A "References" line set in body type runs into the first entry below it: it stands
    alone here, so the list can start after it."""
    if len(block.lines) > 1 and parts.BIBLIOGRAPHY.match(parts.heading_key(block.lines[0].text)):
        return [Block("heading", block.lines[:1]), Block("body", block.lines[1:])]
    return [block]


def _leading(lines: list[Line]) -> float:
    steps = [b.baseline - a.baseline for a, b in itertools.pairwise(lines)
             if 0 < b.baseline - a.baseline < 3 * a.size and abs(a.size - b.size) < 0.5]
    return statistics.median(steps) if steps else 12.0


def _starts_block(current: list[Line], line: Line, leading: float, body: float) -> bool:
    prev = current[-1]
    step = line.baseline - prev.baseline
    if step < -0.5 * prev.size or (abs(line.x0 - prev.x0) > 0.45 * max(prev.x1 - prev.x0, 1) and step < 0):
        return True  # a new column or a jump back up
    if step > max(leading, prev.size * 1.1) * 1.45:
        return True
    if abs(line.size - prev.size) > 0.1 * max(line.size, prev.size) or line.bold != prev.bold:
        return True
    if _MARKER_START.match(line_text(line)) and line.size < 0.93 * body:
        return True  # the next note
    width = max(ln.x1 for ln in current) - min(ln.x0 for ln in current)
    indented = line.x0 - min(ln.x0 for ln in current) > 0.8 * line.size
    short_before = prev.x1 < min(ln.x0 for ln in current) + 0.8 * width
    ends = prev.text.rstrip().endswith((".", "!", "?", ":", "”", '"', "’"))
    return (len(current) > 1 and indented and not _is_indented_run(current)) or (short_before and ends and len(current) > 1)


def _is_indented_run(lines: list[Line]) -> bool:
    return len(lines) >= 2 and abs(lines[-1].x0 - lines[-2].x0) < 1 and lines[-1].x0 > min(ln.x0 for ln in lines) + 1


def _kind(block: Block, body: float, body_bold: bool, page: Page) -> str:
    text = block.text
    if _in_image(block, page) or _is_table(block):
        return "figure"
    if _CAPTION.match(text) and (len(block.lines) <= 3 or block.size < 0.97 * body):
        return "figure"
    size = block.size
    short = len(block.lines) <= 3 and len(text) <= 200
    bold = all(line.bold for line in block.lines)
    numbered = re.match(r"^[\dIVX]+(\.\d+)*\.?\s", text)
    styled = size >= 1.12 * body or (bold and not body_bold and size >= 0.9 * body)
    if short and styled and (numbered or not text.endswith((".", ",", ";"))):
        return "heading"
    return "body"


def _captioned(blocks: list[Block], body: float) -> None:
    """What follows a "Table 2" caption in smaller type than the body is the table."""
    inside = False
    for block in blocks:
        if block.kind == "figure" and _CAPTION.match(block.text):
            inside = True
        elif inside and block.size < 0.95 * body and block.kind == "body" and not re.match(
            r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]", line_text(block.lines[0])
        ):
            block.kind = "figure"  # a raised number opens a note below the table instead
        else:
            inside = False


def _in_image(block: Block, page: Page) -> bool:
    for x0, top, x1, bottom in page.images:
        if all(x0 - 2 <= line.x0 and line.x1 <= x1 + 2 and top - 2 <= line.top and line.bottom <= bottom + 2
               for line in block.lines):
            return True
    return False


def _is_table(block: Block) -> bool:
    """Mostly numbers, or many short cells side by side: a table's body, not prose."""
    text = block.text
    tokens = text.split()
    if len(tokens) < 4:
        return False
    numeric = sum(1 for t in tokens if re.fullmatch(r"[-–+(]?[\d.,%]+\)?\*{0,3}", t))
    return numeric / len(tokens) > 0.5


def _footnotes(blocks: list[Block], page: Page, body: float) -> None:
    """From the foot of the page up: smaller type that opens with a marker is the notes."""
    for block in reversed(blocks):
        if block.kind == "figure":
            continue
        if block.size >= 0.93 * body:
            break
        if block.lines[0].baseline < 0.4 * page.height:
            break
        block.kind = "footnote"
    # A small-type block at the foot that does not open with a marker continues a note from
    # the page before, unless nothing above it is a note.
    notes = [b for b in blocks if b.kind == "footnote"]
    if notes and not any(_MARKER_START.match(line_text(b.lines[0])) for b in notes):
        for b in notes:
            b.kind = "body"


def _number_notes(blocks: list[Block], start: int | None, end: int | None) -> None:
    """A note is numbered in sequence (through the paper or page by page) and its number is
    raised in the text above it, on its page or the one before: a small-type block at the
    foot that fails either is a chart's label, a table's list or a numbered reference."""
    raised: dict[int, set[str]] = {}
    for block in blocks:
        if block.kind != "footnote":
            for line in block.lines:
                raised.setdefault(line.page, set()).update(
                    s.text.strip() for s in line.spans if s.raised and s.text.strip().isdigit()
                )
    expected = 1
    previous: Block | None = None
    for i, block in enumerate(blocks):
        if block.kind != "footnote":
            continue
        in_list = start is not None and i > start and (end is None or i < end)
        label = block.label
        if in_list and not (label or "").isdigit():
            block.kind = "body"  # small type in a reference list: entries, unless numbered notes
            continue
        if label is None:
            if previous is None:
                block.kind = "body"
            continue
        if not label.isdigit():
            previous = block
            continue
        n = int(label)
        marked = label in raised.get(block.page, set()) | raised.get(block.page - 1, set())
        if (n == 1 or expected <= n <= expected + 5) and marked:
            expected = n + 1
            previous = block
        else:
            block.kind = "body"


def _split_notes(block: Block) -> list[Block]:
    if block.kind != "footnote":
        return [block]
    out: list[Block] = []
    for line in block.lines:
        m = _MARKER_START.match(line_text(line))
        if m or not out:
            label = re.sub(r"[^\d*†‡§]", "", m.group().translate(SUPER_TO_DIGIT)) if m else None
            out.append(Block("footnote", [line], label=label or None))
        else:
            out[-1].lines.append(line)
    return out


# -- the reference list -----------------------------------------------------------------------


def _references(blocks: list[Block], body: float) -> tuple[int | None, int | None]:
    """The last block named like a reference list (a heading, or a line standing alone)
    whose following lines are mostly dated entries."""
    found = None
    named = [i for i, b in enumerate(blocks) if len(b.lines) <= 2 and parts.names_reference_list(b.text)]
    pages: dict[str, set[int]] = {}
    for i in named:
        pages.setdefault(fold(blocks[i].text), set()).add(blocks[i].page)
    for i in named:
        block = blocks[i]
        if len(pages[fold(block.text)]) >= 3 and len(pages) > 1:
            continue  # the list's name on every page of it: a running head
        following = [line.text for b in _up_to_heading(blocks[i + 1: i + 12], block.size)
                     if b.kind != "figure" for line in b.lines][:30]
        dated = sum(1 for text in following if _YEAR.search(text))
        if following and dated >= max(2, 0.15 * len(following)):
            found = i
    if found is None:
        found = _unnamed_list(blocks)
    if found is None:
        return None, None
    heading = blocks[found]
    for j in range(found + 1, len(blocks)):
        b = blocks[j]
        if b.kind == "heading" and b.size >= heading.size - 0.3 and not _YEAR.search(b.text) \
                and not _sublist(b, blocks[j + 1:], heading.size):
            return found, j
    return found, None


def _unnamed_list(blocks: list[Block]) -> int | None:
    """The reading's last heading when what follows it opens with entries ("Vorgestellte
    Aufsätze", "Works discussed": a list under a name of its own): at least three in a row,
    each short, dated and opening like a reference does (names, a number, a dash). What may
    follow them (a publisher's imprint) is the reference parser's to leave out."""
    last = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i].kind == "heading"), None)
    if last is None:
        return None
    entries = _entries([b for b in blocks[last + 1:] if b.kind not in ("figure", "footnote")])
    run = itertools.takewhile(
        lambda e: len(e.text) <= 400 and bool(_YEAR.search(e.text)) and start_strength(e.text) > NONE,
        entries)
    return last if sum(1 for _ in run) >= 3 else None


_NOT_A_SUBLIST = re.compile(r"(?i)^(?:appendix|appendices|annex|anhang|anlage|notes|endnotes|anmerkungen|"
                            r"acknowledg|danksagung|about|die autor|der autor|zu den autor|tabelle|table)")


def _part_name(block: Block) -> bool:
    """A heading short enough to name a part of a list ("Games", "Primary sources"), never an
    entry set in bold ("Calliess, Christian/Schoenfleisch, Christo-")."""
    return block.kind == "heading" and len(block.text.split()) <= 5 and not re.search(r"[\d,]", block.text)


def _sublist(heading: Block, after: list[Block], size: float) -> bool:
    """A heading inside the list that only names a part of it: under it, lines that are
    nearly all dated, as entries are."""
    if not _part_name(heading) or _NOT_A_SUBLIST.match(parts.heading_key(heading.text)):
        return False
    lines = [line.text for b in _up_to_heading(after[:12], size) if b.kind != "figure" for line in b.lines][:30]
    return len(lines) >= 2 and sum(1 for text in lines if _YEAR.search(text)) >= 0.6 * len(lines)


def _up_to_heading(blocks: list[Block], size: float) -> list[Block]:
    """The blocks before the next heading set as large as `size` (a list's own lines)."""
    return list(itertools.takewhile(lambda b: not (b.kind == "heading" and b.size >= size - 0.3), blocks))


def reference_entries(layout: Layout) -> list[Block]:
    """The reference list cut into its entries by how it is set, whatever the layout's
    blocks are: with hanging indents an entry starts at the column's left edge, with
    first-line indents it starts indented, and in a flush list it starts after a wider gap.
    Figures inside the range stay out, and so do the list's name where a page repeats it
    (a running head the furniture finder missed) and the names of its parts ("Games")."""
    start, end = layout.references_start, layout.references_end
    if start is None:
        return []
    return _entries([b for b in layout.blocks[start + 1: end] if b.kind not in ("figure", "footnote")
                     and not (len(b.lines) == 1 and parts.names_reference_list(b.text))
                     and not _part_name(b)])


def _entries(blocks: list[Block]) -> list[Block]:
    lines = [line for b in blocks for line in b.lines]
    if not lines:
        return []
    edges = _column_edges(lines)
    indented = [line.x0 - edges[id(line)] > 0.6 * line.size for line in lines]
    share = sum(indented) / len(lines)
    steps = sorted(b.baseline - a.baseline for a, b in itertools.pairwise(lines)
                   if a.page == b.page and 0.5 * a.size < b.baseline - a.baseline < 3 * a.size)
    step = steps[len(steps) // 5] if steps else 12.0  # the leading inside an entry
    flush = [line for line, ind in zip(lines, indented, strict=True) if not ind]
    dated = sum(1 for line in flush if _YEAR.search(line.text[:120])) >= 0.8 * len(flush)
    entries: list[list[Line]] = []
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        if prev is None:
            starts = True
        elif 0.1 <= share <= 0.9 and not indented[0]:  # hanging indents
            starts = not indented[i]
        elif 0.1 <= share <= 0.9:  # first-line indents
            starts = indented[i]
        else:  # flush: a wider gap, a new column or page
            gap = line.baseline - prev.baseline
            starts = line.page != prev.page or not 0 < gap < 1.12 * step
        if starts and prev is not None and _runs_on(prev, line, dated):
            starts = False  # a wrapped line the typesetter did not indent
        if starts or not entries:
            entries.append([line])
        else:
            entries[-1].append(line)
    return [Block("bibliography", chunk) for chunk in entries]


def _end_before_back_matter(blocks: list[Block], start: int | None, end: int | None) -> int | None:
    """A list that runs to the end of the file may be followed by what a series prints at
    the back (its other titles, an order form, an imprint page): the list ends at the first
    page that opens with two things that look like no entry."""
    if start is None:
        return end
    inside = [i for i in range(start + 1, len(blocks) if end is None else end)
              if blocks[i].kind not in ("figure", "footnote")]
    entries = _entries([blocks[i] for i in inside])
    first_block = {id(blocks[i].lines[0]): i for i in inside}
    for k in range(1, len(entries) - 1):
        if entries[k].page == entries[k - 1].page or id(entries[k].lines[0]) not in first_block:
            continue
        if entries[k + 1].page == entries[k].page and not any(
                _looks_like_entry(e.text) for e in entries[k: k + 2]):
            return first_block[id(entries[k].lines[0])]
    return end


def _looks_like_entry(text: str) -> bool:
    return bool(_ENTRY_START.match(text) or _YEAR.search(text[:120]))


_ENTRY_START = re.compile(
    r"^(?:\[?\d{1,3}[.\])]\s|[^\W\d_][\w'’-]+,\s*[^\W\d_]|[^\W\d_][\w'’-]+\s[A-Z]{1,3}[,.\s])"
)


def _runs_on(prev: Line, line: Line, dated: bool = False) -> bool:
    """`line` carries on the entry of `prev`: that one stops mid-sentence (a hyphen, a comma,
    a word) and this one names no year near its start, as an entry's author line does, and
    opens like no entry (a number, "Surname, I.", "Surname AB") unless nearly every entry
    of the list is dated near its start: there "Brookfield, Vt., USA: Elgar" set flush
    after "Aldershot, Hants, England" is still the same entry."""
    end = prev.text.rstrip()[-1:]
    return (bool(end) and (end.isalpha() or end in ",-–:;&") and not _YEAR.search(line.text[:120])
            and (dated or not _ENTRY_START.match(line.text)))


def _column_edges(lines: list[Line]) -> dict[int, float]:
    """Each line's column's left edge: the least x0 on its page within a few ems to its left
    (an indent is never wider than that; a column's edge is further away)."""
    by_page: dict[int, list[float]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line.x0)
    for xs in by_page.values():
        xs.sort()
    return {id(line): (xs := by_page[line.page])[bisect.bisect_left(xs, line.x0 - 4 * line.size)]
            for line in lines}


def vocabulary(layout: Layout) -> Counter[str]:
    """How often the reading prints each folded word (hyphenated compounds whole): what
    de-hyphenation and split repair consult."""
    counts: Counter[str] = Counter()
    for block in layout.blocks:
        for line in block.lines:
            counts.update(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", fold(line.text)))
    return counts


def paragraph_text(block: Block, words: Counter[str]) -> str:
    """A block's text as a reader sees it: lines joined with the line-break hyphens undone,
    ligatures spelled out, words split by the extractor rejoined."""
    done: list[str] = []
    tail = ""
    for line in block.lines:
        piece = normalize_extracted(line_text(line))
        merged = dehyphenate(tail, piece, words.keys()) if tail else piece
        # What lies before the last space is settled: set aside, so this stays linear.
        cut = merged.rfind(" ") + 1
        done.append(merged[:cut])
        tail = merged[cut:]
    return repair_splits(normalize_space("".join(done) + tail), words)
