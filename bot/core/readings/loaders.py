"""Read a reading file into pages of text, whatever its format or encoding.

Never crashes on a file: anything unreadable raises `UnreadableFile` with a reason the index
reports as a warning naming the file, and the other readings are indexed anyway.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = (".txt", ".md", ".pdf", ".docx")
# Said in words an instructor can act on; the exception itself goes to the debug log only.
BROKEN_PDF = "it is not a readable PDF (damaged, cut short, or not really a PDF)"
MAX_BYTES = 50 * 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be turned into text; the message says why."""


@dataclass(slots=True)
class RawDocument:
    pages: list[str]  # one string per page; plain text files are a single page unless \f splits
    format: str
    paged: bool = False  # True when page numbers are real (PDF pages, form feeds)
    meta: dict[str, Any] = field(default_factory=dict)  # front matter

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
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableFile(f"it is larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"it cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise UnreadableFile("it is empty")
    if suffix == ".pdf":
        return _load_pdf(data)
    if suffix == ".docx":
        return _load_docx(data)
    text = decode(data)
    meta: dict[str, Any] = {}
    if suffix == ".md":
        text, meta = split_front_matter(text)
    pages = text.split("\f")
    return RawDocument(pages=pages, format=suffix.lstrip(".") or "txt", paged=len(pages) > 1, meta=meta)


def split_front_matter(text: str) -> tuple[str, dict[str, Any]]:
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not match:
        return text, {}
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return text, {}
    if not isinstance(meta, dict):
        return text, {}
    # Keep the line count so offsets stay meaningful; the front matter is not reading text.
    return "\n" * match.group(0).count("\n") + text[match.end():], meta


def _load_pdf(data: bytes) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise UnreadableFile("it is an encrypted PDF") from exc
        pages = [(page.extract_text() or "") for page in reader.pages]
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise UnreadableFile(BROKEN_PDF) from exc
    except Exception as exc:  # pypdf raises a wide variety of errors on broken files
        raise UnreadableFile(BROKEN_PDF) from exc
    if not any(p.strip() for p in pages):
        raise UnreadableFile("the PDF has no extractable text (a scan needs OCR first)")
    return RawDocument(pages=pages, format="pdf", paged=True)


def _load_docx(data: bytes) -> RawDocument:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise UnreadableFile("reading .docx needs python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors...
        raise UnreadableFile(
            "it is not a readable Word file (damaged, cut short, or not really .docx)"
        ) from exc
    paras = [p.text for p in document.paragraphs]
    return RawDocument(pages=["\n\n".join(paras)], format="docx")
