"""A PDF as lines of positioned, sized text: what layout analysis works from.

PDFium (through pypdfium2, BSD/Apache) reads the characters with their boxes, effective font
sizes and weights; this module groups them into spans (runs of one style) and lines (one
baseline, no wide gap), in top-down page coordinates. It is the only module that talks to
PDFium. Measured against pypdf and pdfplumber on the dev papers (bench/RESULTS.md): fewest
split words ("iden tified"), no glyph names, ligatures already decomposed, and fastest.

PDFium is not thread-safe, even across documents: every call happens under one lock. Files
are read within limits (pages, characters per page, seconds) so a hostile file is refused
with a reason instead of holding the indexer.
"""

from __future__ import annotations

import ctypes
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.core.readings.guards import UnreadableFile

_PDFIUM_LOCK = threading.Lock()

# A char whose size differs from its neighbour's by more than this ratio starts a new span.
_STYLE_BREAK = 0.12
# A horizontal gap wider than this many ems on one baseline splits a line (column gutter,
# table cell): the two sides are laid out separately.
_LINE_GAP_EMS = 1.4
# Without an explicit space, a gap wider than this many ems still separates two words.
_WORD_GAP_EMS = 0.18


@dataclass(frozen=True, slots=True)
class PdfLimits:
    """What a reading may cost: past these the file is refused with a reason."""

    max_pages: int = 2_000
    max_chars_per_page: int = 60_000
    seconds: float = 120.0


@dataclass(slots=True)
class Span:
    """A run of characters in one style on one line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    bold: bool
    italic: bool
    space_before: bool
    raised: bool = False  # set by the line: a superscript (footnote marker, ordinal)


@dataclass(slots=True)
class Line:
    """Spans on one baseline with no wide gap; coordinates are top-down, in points. Built by
    `Line.of`, which works out the geometry once (layout asks for it many times)."""

    spans: list[Span]
    page: int  # 0-based PDF page index
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    baseline: float = 0.0
    size: float = 0.0  # the size most of the line's letters are set in (not superscripts)
    bold: bool = False
    italic: bool = False
    text: str = ""

    @classmethod
    def of(cls, spans: list[Span], page: int) -> Line:
        main = _main_span(spans)
        for span in spans:
            span.raised = span.size < 0.85 * main.size and main.baseline - span.baseline > 0.15 * main.size
        letters = [(s, sum(c.isalnum() for c in s.text)) for s in spans if not s.raised]
        total = sum(n for _, n in letters)
        return cls(
            spans=spans, page=page, x0=spans[0].x0, x1=max(s.x1 for s in spans),
            top=min(s.top for s in spans), bottom=max(s.bottom for s in spans),
            baseline=main.baseline, size=main.size,
            bold=total > 0 and sum(n for s, n in letters if s.bold) / total > 0.6,
            italic=total > 0 and sum(n for s, n in letters if s.italic) / total > 0.6,
            text="".join((" " if s.space_before and i else "") + s.text for i, s in enumerate(spans)),
        )


@dataclass(slots=True)
class Page:
    index: int  # 0-based
    width: float
    height: float
    lines: list[Line]
    images: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, top, x1, bottom


@dataclass(slots=True)
class PdfText:
    pages: list[Page]
    title: str | None = None  # the PDF's /Title and /Author: one signal among others
    author: str | None = None
    page_labels: list[str | None] = field(default_factory=list)  # /PageLabels: a hint only


def _main_span(spans: list[Span]) -> Span:
    weights: dict[float, int] = {}
    for s in spans:
        if not s.raised:
            weights[round(s.size, 1)] = weights.get(round(s.size, 1), 0) + len(s.text.strip())
    if not weights:
        return spans[0]
    size = max(weights, key=lambda k: weights[k])
    return next(s for s in spans if round(s.size, 1) == size and not s.raised)


def read_pdf(data: bytes, limits: PdfLimits | None = None) -> PdfText:
    """Every page's lines, or `UnreadableFile` saying why not (broken, encrypted, a scan, or
    past a limit)."""
    limits = limits or PdfLimits()
    with _PDFIUM_LOCK:
        return _read(data, limits)


def _read(data: bytes, limits: PdfLimits) -> PdfText:
    import pypdfium2 as pdfium

    started = time.monotonic()
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnreadableFile("it is an encrypted PDF") from exc
        raise UnreadableFile("it is not a readable PDF") from exc
    try:
        count = len(doc)
        if count > limits.max_pages:
            raise UnreadableFile(
                f"it has {count:,} pages; a reading may have at most {limits.max_pages:,}"
            )
        pages: list[Page] = []
        for index in range(count):
            if time.monotonic() - started > limits.seconds:
                raise UnreadableFile(
                    f"reading it took more than {limits.seconds:.0f} s (stopped at page "
                    f"{index + 1} of {count})"
                )
            pages.append(_read_page(doc, index, limits))
        if not any(page.lines for page in pages):
            raise UnreadableFile("the PDF has no extractable text (a scan needs OCR first)")
        info = _info(doc)
        labels = _labels(doc, count)
    finally:
        doc.close()
    return PdfText(pages=pages, title=info.get("Title"), author=info.get("Author"), page_labels=labels)


def _info(doc: object) -> dict[str, str]:
    try:
        meta = doc.get_metadata_dict(skip_empty=True)  # type: ignore[attr-defined]
    except Exception:  # a damaged /Info dictionary is only a missing hint
        return {}
    return {k: re.sub(r"\s+", " ", str(v)).strip() for k, v in meta.items() if str(v).strip()}


def _labels(doc: object, count: int) -> list[str | None]:
    labels: list[str | None] = []
    for index in range(count):
        try:
            label = doc.get_page_label(index)  # type: ignore[attr-defined]
        except Exception:
            label = ""
        labels.append(label or None)
    return labels


@dataclass(slots=True)
class _Char:
    ch: str
    x0: float
    x1: float
    baseline: float  # top-down
    size: float
    bold: bool
    italic: bool
    space_before: bool


def _read_page(doc: object, index: int, limits: PdfLimits) -> Page:
    import pypdfium2.raw as raw

    page = doc[index]  # type: ignore[index]
    try:
        left, bottom, right, top = page.get_bbox()  # crop box within media box, inherited too
        width, height = right - left, top - bottom
        textpage = page.get_textpage()
        try:
            n = textpage.count_chars()
            if n > limits.max_chars_per_page:
                raise UnreadableFile(
                    f"page {index + 1} holds {n:,} characters, more than a page can print "
                    f"({limits.max_chars_per_page:,}): the file looks built to stall a reader"
                )
            chars = list(_chars(raw, textpage.raw, n, left, top))
        finally:
            textpage.close()
        images = _image_boxes(raw, page, left, top)
    finally:
        page.close()
    return Page(index=index, width=width, height=height, lines=_lines(chars, index), images=images)


def _chars(raw: object, tp: object, n: int, left: float, top: float) -> Iterator[_Char]:
    r = raw
    cl, cr, cb, ct = (ctypes.c_double() for _ in range(4))
    loose = r.FS_RECTF()  # type: ignore[attr-defined]
    ox, oy = ctypes.c_double(), ctypes.c_double()
    matrix = r.FS_MATRIX()  # type: ignore[attr-defined]
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    last_obj: int | None = None
    last_x1 = -1e9
    style = (10.0, False, False)
    slanted, shear = False, 0.0
    pending_space = False
    for k in range(n):
        code = r.FPDFText_GetUnicode(tp, k)  # type: ignore[attr-defined]
        if code in (0x20, 0x09, 0xA0, 0x0D, 0x0A, 0x02, 0xFFFE) or code == 0:
            # Spaces (PDFium's generated ones included) separate words; U+0002 is PDFium's
            # mark for a hyphen it judged soft: keep it as one so de-hyphenation sees it.
            if code == 0x02:
                yield from _hyphen(r, tp, k, cl, cr, cb, ct, left, top, style)
            elif not _inside_previous(r, tp, k, loose, last_x1 + left, style[0], shear):
                pending_space = True
            continue
        obj = r.FPDFText_GetTextObject(tp, k)  # type: ignore[attr-defined]
        address = ctypes.cast(obj, ctypes.c_void_p).value
        if address != last_obj:
            last_obj = address
            r.FPDFText_GetMatrix(tp, k, matrix)  # type: ignore[attr-defined]
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            size = r.FPDFText_GetFontSize(tp, k) * (scale or 1.0)  # type: ignore[attr-defined]
            r.FPDFText_GetFontInfo(tp, k, name, len(name), ctypes.byref(flags))  # type: ignore[attr-defined]
            font = name.value.decode("latin-1", "replace")
            weight = r.FPDFText_GetFontWeight(tp, k)  # type: ignore[attr-defined]
            slanted = _slanted(matrix.a, matrix.b, matrix.c)
            shear = abs(matrix.c) / matrix.a if slanted else 0.0
            style = (round(size, 2), _is_bold(font, weight, flags.value),
                     slanted or _is_italic(font, flags.value))
        if r.FPDFText_GetCharAngle(tp, k) > 0.01 and not slanted:  # type: ignore[attr-defined]
            continue  # rotated text: margin stamps and axis labels, never the running text
        # The loose box spans the glyph's advance: gaps measured on it are gaps between
        # words, where ink boxes open gaps inside "1990" around a narrow "1".
        r.FPDFText_GetLooseCharBox(tp, k, loose)  # type: ignore[attr-defined]
        r.FPDFText_GetCharOrigin(tp, k, ox, oy)  # type: ignore[attr-defined]
        if style[0] <= 0.5:
            continue  # invisible-size text (hidden OCR layers keep a real size)
        last_x1 = max(loose.right, loose.left) - left
        yield _Char(
            ch=chr(code), x0=loose.left - left, x1=last_x1,
            baseline=top - oy.value, size=style[0], bold=style[1], italic=style[2],
            space_before=pending_space,
        )
        pending_space = False


def _slanted(a: float, b: float, c: float) -> bool:
    """A text matrix that shears upright glyphs along a level baseline: an italic made by
    slanting the roman (PDFium reports it as an angle, but the line runs level)."""
    return a > 0 and abs(b) <= 0.01 * a and 0.05 * a < abs(c) < a


def _inside_previous(r: object, tp: object, k: int, loose: object, previous_x1: float, size: float,
                     shear: float = 0.0) -> bool:
    """A space set inside the glyph before it: some fonts map a ligature ("ﬂ") to "fl "
    and would split "infl uential". Slanted glyphs' boxes overlap by their slant."""
    if r.FPDFText_IsGenerated(tp, k):  # type: ignore[attr-defined]
        return False
    r.FPDFText_GetLooseCharBox(tp, k, loose)  # type: ignore[attr-defined]
    return bool(loose.left < previous_x1 - (0.1 + shear) * size)  # type: ignore[attr-defined]


def _hyphen(r: object, tp: object, k: int, cl: ctypes.c_double, cr: ctypes.c_double,
            cb: ctypes.c_double, ct: ctypes.c_double, left: float, top: float,
            style: tuple[float, bool, bool]) -> Iterator[_Char]:
    r.FPDFText_GetCharBox(tp, k, cl, cr, cb, ct)  # type: ignore[attr-defined]
    if cr.value <= 0 and ct.value <= 0:
        return
    yield _Char(ch="-", x0=cl.value - left, x1=cr.value - left, baseline=top - cb.value,
                size=style[0], bold=style[1], italic=style[2], space_before=False)


_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi|[-,]b(?:d|old)?$|medium", re.I)
_ITALIC_NAME = re.compile(r"italic|oblique|[-,]i(?:t)?$", re.I)


def _is_bold(font: str, weight: int, flags: int) -> bool:
    return weight >= 600 or bool(_BOLD_NAME.search(font.split("+")[-1])) or bool(flags & 0x40000)


def _is_italic(font: str, flags: int) -> bool:
    return bool(_ITALIC_NAME.search(font.split("+")[-1])) or bool(flags & 0x40)


def _image_boxes(raw: object, page: object, left: float, top: float) -> list[tuple[float, float, float, float]]:
    boxes = []
    try:
        for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2):  # type: ignore[attr-defined]
            x0, y0, x1, y1 = obj.get_pos()
            boxes.append((x0 - left, top - y1, x1 - left, top - y0))
    except Exception:  # a broken image object only loses the hint
        return boxes
    return boxes


# -- characters -> lines ---------------------------------------------------------------------


def _lines(chars: list[_Char], page: int) -> list[Line]:
    """Group characters (in content order) into lines: a new line where the baseline moves
    by more than half the text's size, the text runs backwards, or a wide gap opens. The
    line's size and baseline are kept as it grows, so this is linear in the characters."""
    lines: list[list[_Char]] = []
    current: list[_Char] = []
    big = base = 0.0
    for ch in chars:
        if current and _continues_line(current[-1], big, base, ch):
            current.append(ch)
        else:
            if current:
                lines.append(current)
            current, big = [ch], 0.0
        if ch.size >= 0.9 * big:
            base = ch.baseline
        big = max(big, ch.size)
    if current:
        lines.append(current)
    merged = _merge_same_baseline(lines)
    return [_to_line(chs, page) for chs in merged if any(not c.ch.isspace() for c in chs)]


def _continues_line(last: _Char, big: float, base: float, ch: _Char) -> bool:
    if abs(ch.x0 - last.x0) < 0.01 and abs(ch.x1 - last.x1) < 0.01 and abs(ch.baseline - last.baseline) < 0.01:
        return True  # the letters of one ligature glyph ("ffi") share its box
    size = max(big, ch.size)
    small = min(last.size, ch.size)
    # A superscript sits up to ~0.45 em above the baseline; anything further is another line.
    if abs(ch.baseline - base) > 0.5 * size and abs(ch.baseline - last.baseline) > 0.45 * small:
        return False
    gap = ch.x0 - last.x1
    if gap < -0.5 * small:
        return False  # runs backwards: a new line (or a column) began
    return gap <= _LINE_GAP_EMS * size


def _base_of(chars: list[_Char]) -> float:
    big = max(c.size for c in chars)
    return next(c.baseline for c in reversed(chars) if c.size >= big * 0.9)


@dataclass(slots=True)
class _Piece:
    """Characters of one line so far, with the geometry the merge compares kept up to date
    (recounting it over a growing line made a page of one long line quadratic)."""

    chars: list[_Char]
    base: float
    big: float
    x0: float
    x1: float
    merged: bool = False

    @classmethod
    def of(cls, chars: list[_Char]) -> _Piece:
        return cls(chars, _base_of(chars), max(c.size for c in chars), min(c.x0 for c in chars),
                   max(c.x1 for c in chars))

    def absorb(self, other: _Piece) -> None:
        self.chars.extend(other.chars)
        if other.big > 1.1 * self.big:
            self.base = other.base
        self.big = max(self.big, other.big)
        self.x0, self.x1 = min(self.x0, other.x0), max(self.x1, other.x1)
        self.merged = True


def _merge_same_baseline(lines: list[list[_Char]]) -> list[list[_Char]]:
    """Pieces of one visual line written out of order (a superscript or a bold word set as
    its own text object after the line) are put back together by position."""
    out: list[_Piece] = []
    for chars in lines:
        piece = _Piece.of(chars)
        target = None
        for prev in out[-3:]:
            if (
                abs(prev.base - piece.base) <= 0.2 * prev.big
                and _x_gap(prev, piece) <= _LINE_GAP_EMS * prev.big
            ) or _is_attached_script(prev, piece):
                target = prev
        if target is None:
            out.append(piece)
        else:
            target.absorb(piece)
    for piece in out:
        if piece.merged:
            piece.chars.sort(key=lambda c: c.x0)
    return [piece.chars for piece in out]


def _x_gap(a: _Piece, b: _Piece) -> float:
    if b.x0 >= a.x1:
        return b.x0 - a.x1
    if a.x0 >= b.x1:
        return a.x0 - b.x1
    return -1.0 if max(a.x0, b.x0) < min(a.x1, b.x1) - 1 else 0.0


def _is_attached_script(prev: _Piece, piece: _Piece) -> bool:
    """A short run of smaller characters raised against (or dropped onto) a line it touches."""
    if len(piece.chars) > 4 or piece.big > 0.85 * prev.big:
        return False
    dy = prev.base - piece.base
    return -0.1 * prev.big <= dy <= 0.6 * prev.big and 0 <= _x_gap(prev, piece) <= 0.6 * prev.big


def _to_line(chars: list[_Char], page: int) -> Line:
    spans: list[Span] = []
    current: list[_Char] = []
    for ch in chars:
        if current and (
            _style_changes(current[-1], ch) or ch.space_before or ch.x0 - current[-1].x1 > _WORD_GAP_EMS * ch.size
        ):
            spans.append(_to_span(current))
            current = []
        current.append(ch)
    if current:
        spans.append(_to_span(current))
    _merge_words(spans)
    return Line.of(spans, page)


def _style_changes(a: _Char, b: _Char) -> bool:
    return abs(a.size - b.size) > _STYLE_BREAK * max(a.size, b.size) or a.bold != b.bold or a.italic != b.italic


def _to_span(chars: list[_Char]) -> Span:
    first = chars[0]
    size = _middle([c.size for c in chars]) if len(chars) > 2 else max(c.size for c in chars)
    base = _middle([c.baseline for c in chars])
    return Span(
        text="".join(c.ch for c in chars), x0=first.x0, x1=max(c.x1 for c in chars),
        top=base - 0.8 * size, bottom=base + 0.25 * size, baseline=base, size=size,
        bold=first.bold, italic=first.italic, space_before=first.space_before,
    )


def _middle(values: list[float]) -> float:
    """The median, without `statistics`' overhead (called for every word of every page)."""
    values.sort()
    return values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2


def _merge_words(spans: list[Span]) -> None:
    """Spans only split for a space become one span of words: fewer objects, same text."""
    i = 1
    while i < len(spans):
        a, b = spans[i - 1], spans[i]
        if not _span_style_differs(a, b) and abs(a.baseline - b.baseline) < 0.15 * a.size:
            gap = b.x0 - a.x1
            spaced = b.space_before or gap > _WORD_GAP_EMS * b.size
            a.text = a.text + (" " if spaced else "") + b.text
            a.x1 = max(a.x1, b.x1)
            del spans[i]
            continue
        if not b.space_before and b.x0 - a.x1 > _WORD_GAP_EMS * b.size:
            b.space_before = True
        i += 1


def _span_style_differs(a: Span, b: Span) -> bool:
    return abs(a.size - b.size) > _STYLE_BREAK * max(a.size, b.size) or a.bold != b.bold or a.italic != b.italic
