"""Read a reading file into text, whatever its format or encoding: one path for every format.

Plain text (.txt, .md) comes out as pages of text for `cleaning` to structure by its shape. A
PDF is read by its layout (`pdf`, `layout`, `pdfmeta`) and a Word file by its paragraph
styles and notes part, so both come out already cut into typed blocks (body, heading,
footnote, figure, reference list, front matter) with what the file says about itself
(title, authors, journal, printed page labels). Everything after this module is shared.

Never crashes on a file: anything unreadable raises `UnreadableFile` with a reason the index
reports as a warning naming the file, and the other readings are indexed anyway. The limits
that keep a hostile file from stalling the indexer are in `guards` and `pdf.PdfLimits`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.core.readings import guards
from bot.core.readings.guards import UnreadableFile
from bot.core.textnorm import DIGIT_TO_SUPER, normalize_extracted, normalize_space

SUPPORTED = (".txt", ".md", ".pdf", ".docx")

# What a structured file says a block is; `cleaning` gives the rest their kind.
BlockKind = Literal["body", "heading", "footnote", "figure", "bibliography", "front"]


@dataclass(slots=True)
class SourceBlock:
    """A paragraph as the file itself delimits it: a PDF layout block, a Word paragraph."""

    text: str
    kind: BlockKind = "body"
    page: int | None = None  # 1-based PDF page
    label: str | None = None  # a footnote's number
    lines: list[str] = field(default_factory=list)  # as printed (a reference list's lines)


@dataclass(slots=True)
class RawDocument:
    pages: list[str]  # one string per page; plain text files are a single page unless \f splits
    format: str
    paged: bool = False  # True when page numbers are real (PDF pages, form feeds)
    meta: dict[str, Any] = field(default_factory=dict)  # front matter
    # Structured formats (PDF, Word): the blocks in reading order, else None (plain text).
    blocks: list[SourceBlock] | None = None
    # What the file says about itself (PDF layout, Word properties): metadata field -> value.
    detected: dict[str, Any] = field(default_factory=dict)
    page_labels: list[str | None] = field(default_factory=list)  # printed, per PDF page
    # Per PDF page, the number to cite: the printed one, or the one its place in a run of
    # numbered pages implies (an article's unnumbered opening page); None where neither.
    page_numbers: list[str | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read anyway, but worth saying

    @property
    def text(self) -> str:
        return "\f".join(self.pages)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), then cp1252, then latin-1: the encodings readings come in."""
    if looks_binary(data):
        raise UnreadableFile("it is a binary file, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and control / len(sample) > 0.05


def load(path: Path) -> RawDocument:
    """The file at `path`, its size checked before it is read."""
    return load_bytes(path.suffix, guards.read_bounded(path))


def load_bytes(suffix: str, data: bytes) -> RawDocument:
    """A reading from its bytes, by its file name's suffix."""
    suffix = suffix.lower()
    if not data.strip():
        raise UnreadableFile("it is empty")
    if suffix == ".pdf":
        return _load_pdf(data)
    if suffix == ".docx":
        return _load_docx(data)
    text = normalize_extracted(decode(data))
    meta: dict[str, Any] = {}
    warnings: list[str] = []
    if suffix == ".md":
        text, meta, warning = split_front_matter(text)
        warnings += [warning] if warning else []
    pages = text.split("\f")
    return RawDocument(pages=pages, format=suffix.lstrip(".") or "txt", paged=len(pages) > 1,
                       meta=meta, warnings=warnings)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[str, dict[str, Any], str | None]:
    """(text without its YAML front matter, the front matter, why it was not used if not)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}, None
    try:
        meta, warning = guards.parse_front_matter(match.group(1)), None
    except UnreadableFile as exc:
        meta, warning = {}, f"front matter ignored: {exc}"
    # Keep the line count so offsets stay meaningful; the front matter is not reading text.
    return "\n" * match.group(0).count("\n") + text[match.end():], meta, warning


# -- PDF: read by its layout ------------------------------------------------------------------


def _load_pdf(data: bytes) -> RawDocument:
    from bot.core.readings import layout as pdf_layout
    from bot.core.readings import pdfmeta
    from bot.core.readings.pdf import read_pdf

    laid = pdf_layout.analyze(read_pdf(data))
    meta = pdfmeta.read_metadata(laid)
    words = pdf_layout.vocabulary(laid)
    start, end = laid.references_start, laid.references_end
    blocks: list[SourceBlock] = []
    for i, block in enumerate(laid.blocks):
        kind: BlockKind = block.kind  # type: ignore[assignment]
        if start is not None and i > start and (end is None or i < end) and kind not in ("figure", "footnote"):
            if i == start + 1:  # the list, one block per entry, where its first block stood
                blocks += [_source(entry, "bibliography", words) for entry in pdf_layout.reference_entries(laid)]
            continue
        if i == start:
            kind = "heading"
        elif i in meta.front_blocks:
            kind = "front"
        blocks.append(_source(block, kind, words))
    pages = ["\n".join(b.text for b in blocks if b.page == n + 1) for n in range(len(laid.pdf.pages))]
    return RawDocument(pages=pages, format="pdf", paged=True, blocks=blocks,
                       detected=meta.as_dict(), page_labels=list(laid.page_labels),
                       page_numbers=pdf_layout.page_numbers(laid.page_labels, laid.cover_pages))


def _source(block: Any, kind: BlockKind, words: Any) -> SourceBlock:
    from bot.core.readings import layout as pdf_layout

    text = pdf_layout.paragraph_text(block, words)
    # A reference-list entry is handed on whole, one entry to a line: its wrapped lines
    # are the layout's business, not the reference parser's.
    lines = [text] if kind == "bibliography" else [
        normalize_extracted(pdf_layout.line_text(line)) for line in block.lines]
    return SourceBlock(text=text, kind=kind, page=block.page + 1, label=block.label, lines=lines)


# -- Word: paragraph styles and the notes part ------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título|titolo|kop)\s*\d|^(?:title|subtitle)$", re.I)


def _load_docx(data: bytes) -> RawDocument:
    guards.check_docx(data)  # before python-docx inflates anything
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise UnreadableFile("reading .docx needs python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _docx_blocks(document, _docx_notes(document))
        core_title = (document.core_properties.title or "").strip() or None
    except UnreadableFile:
        raise
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors...
        raise UnreadableFile(
            "it is not a readable Word file (damaged, cut short, or not really .docx)"
        ) from exc
    if not blocks:
        raise UnreadableFile("the Word file has no text")
    titles = [b.text for b in blocks if b.kind == "front"]
    return RawDocument(pages=["\n\n".join(b.text for b in blocks)], format="docx", blocks=blocks,
                       detected={"title": titles[0] if titles else core_title})


def _docx_blocks(document: Any, notes: dict[str, str]) -> list[SourceBlock]:
    """Paragraphs and tables in document order; a footnote reference becomes its number
    raised ("word¹"), numbered in the order the text refers to the notes, and the note
    follows the paragraph that refers to it."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    numbers: dict[str, str] = {}
    blocks: list[SourceBlock] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            rows = ["\t".join(_xml_text(cell) for cell in row.iter(qn("w:tc")))
                    for row in child.iter(qn("w:tr"))]
            text = "\n".join(r for r in rows if r.strip())
            if text.strip():
                blocks.append(SourceBlock(text=text, kind="figure", lines=rows))
            continue
        if child.tag != qn("w:p"):
            continue
        style = _style_names(Paragraph(child, document))
        kind: BlockKind = "body"
        if any(name.lower() == "title" for name in style):
            kind = "front"
        elif any(_HEADING_STYLE.match(name) for name in style) or _outline_level(child) is not None:
            kind = "heading"
        seen = len(numbers)
        text = normalize_space(normalize_extracted(_paragraph_text(child, numbers)))
        if not text:
            continue
        blocks.append(SourceBlock(text=text, kind=kind, lines=[text]))
        for note_id, label in list(numbers.items())[seen:]:
            if notes.get(note_id):
                blocks.append(SourceBlock(text=f"{label.translate(DIGIT_TO_SUPER)} {notes[note_id]}",
                                          kind="footnote", label=label, lines=[notes[note_id]]))
    return blocks


def _paragraph_text(p: Any, numbers: dict[str, str]) -> str:
    from docx.oxml.ns import qn

    out: list[str] = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:footnoteReference")):
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        elif el.tag == qn("w:footnoteReference"):
            note = el.get(qn("w:id"))
            if note is not None:
                label = numbers.setdefault(note, str(len(numbers) + 1))
                out.append(label.translate(DIGIT_TO_SUPER))
        else:
            out.append(" ")
    return "".join(out)


def _xml_text(el: Any) -> str:
    from docx.oxml.ns import qn

    return normalize_space(" ".join(t.text or "" for t in el.iter(qn("w:t"))))


def _style_names(paragraph: Any) -> list[str]:
    """The paragraph's style and the styles it is based on (a custom "Chapter Head" based
    on "Heading 1" is a heading too)."""
    names: list[str] = []
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return names
    while style is not None and len(names) < 5:
        names.append(style.name or "")
        style = style.base_style
    return names


def _outline_level(p: Any) -> int | None:
    from docx.oxml.ns import qn

    level = p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    if level is None:
        return None
    value = level.get(qn("w:val"))
    return int(value) if value and value.isdigit() and int(value) < 9 else None


def _docx_notes(document: Any) -> dict[str, str]:
    """The footnotes part: note id -> its text (the separator notes have no text)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    try:
        part = document.part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES)
    except KeyError:
        return {}
    root = parse_xml(part.blob)  # python-docx's parser: no entities resolved, no network
    notes: dict[str, str] = {}
    for note in root.iter(qn("w:footnote")):
        note_id = note.get(qn("w:id"))
        paras = [normalize_space(normalize_extracted("".join(t.text or "" for t in p.iter(qn("w:t")))))
                 for p in note.iter(qn("w:p"))]
        text = " ".join(p for p in paras if p)
        if note_id is not None and text:
            notes[note_id] = text
    return notes
