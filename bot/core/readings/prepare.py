"""One reading file made ready to store: read, cleaned, cut into passages, references parsed.

Nothing here touches the database, so the slow part of indexing (PDF text, cleaning, the
reference parser) can run anywhere; only `bot.core.readings.store.store_reading`, a few
inserts, needs the writer.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.models import RUNNING_KINDS, Passage
from bot.core.readings import cleaning, guards, loaders, metadata
from bot.core.readings.metadata import ReadingMetadata
from bot.core.readings.passages import build_passages
from bot.core.references.store import ReadingReferences, parse_references
from bot.core.textnorm import unescape_markdown

# Bump when cleaning or passage rules change: every reading is then re-indexed once.
# 2: reference lists and citations are indexed too; 3: the vocabulary is kept (course_terms);
# 4: Markdown escapes and emphasis marks left by converters are removed (textnorm).
# 5: PDFs read by their layout, printed page labels, full reading metadata.
# 6: reference entries keep full names, volume, issue, DOI and editors (the new parser).
# 7: reference lists split and parsed anew (columns, unnamed lists, wrapped entries, titles, names).
PIPELINE_VERSION = "7"
Sidecar = dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PreparedReading:
    """Everything `store_reading` writes for one reading file."""

    course: str
    reading_id: str
    path: Path
    format: str
    content_hash: str
    stat: os.stat_result
    metadata: ReadingMetadata
    page_labels: tuple[str | None, ...]  # per PDF page: the number printed on it, or None
    text: str  # the cleaned reading the passages' start/end offsets point into
    passages: list[Passage]
    references: ReadingReferences
    warnings: tuple[str, ...]  # what the instructor should know about this file


@dataclass(frozen=True, slots=True)
class SameContent:
    """The file was touched but its content (and metadata) are what the index holds."""

    reading_id: str
    path: Path
    stat: os.stat_result


@dataclass(frozen=True, slots=True)
class Unreadable:
    """The file cannot be read (now): `reason` says why. What the index holds for it, if
    anything, stays: a reading whose file turns unreadable keeps its last good version."""

    reading_id: str
    path: Path
    reason: str


Prepared = PreparedReading | SameContent | Unreadable


def prepare_reading(
    path: Path,
    reading_id: str,
    stat: os.stat_result,
    *,
    course: str,
    sidecar: Sidecar,
    indexed_hash: str | None = None,
) -> Prepared:
    """Read and clean one file; `indexed_hash` (the content hash the index holds, None to
    re-index whatever it holds) says when there is nothing new to store. The file must lie in
    the folder it is listed in (a link out of it is refused) and is read within the limits of
    `guards` and `pdf.PdfLimits`."""
    try:
        guards.inside_folder(path, path.parent)
        data = guards.read_bounded(path)
    except guards.UnreadableFile as exc:
        return Unreadable(reading_id, path, str(exc))
    digest = content_hash(data, _sidecar_entry(sidecar, path, reading_id))
    if indexed_hash == digest:
        return SameContent(reading_id, path, stat)
    try:
        raw = loaders.load_bytes(path.suffix, data)
    except guards.UnreadableFile as exc:
        return Unreadable(reading_id, path, str(exc))
    if not raw.blocks:  # text a converter wrote: its Markdown escapes go (US\$1.5 -> US$1.5)
        raw.pages = [unescape_markdown(page) for page in raw.pages]
    doc = cleaning.clean(raw)
    detected = {"title": doc.title, "authors": list(doc.authors)} | {
        k: v for k, v in raw.detected.items() if v not in (None, "", [])
    }
    meta, meta_warnings = metadata.resolve(path, detected=detected, front_matter=raw.meta,
                                           sidecar=sidecar)
    passages = build_passages(reading_id, doc, course)
    references = parse_references(course, reading_id, passages, doc.bibliography)
    return PreparedReading(
        course=course, reading_id=reading_id, path=path, format=raw.format,
        content_hash=digest, stat=stat, metadata=meta, page_labels=tuple(raw.page_labels),
        text=doc.text, passages=passages, references=references,
        warnings=(*(f"{path.name}: {w}" for w in raw.warnings), *meta_warnings,
                  *_warnings(path, passages, references)),
    )


def content_hash(data: bytes, sidecar_entry: str) -> str:
    """What decides re-indexing: the bytes, the file's sidecar metadata and the pipeline."""
    digest = hashlib.sha256(data)
    digest.update((PIPELINE_VERSION + sidecar_entry).encode())
    return digest.hexdigest()


def _sidecar_entry(sidecar: Sidecar, path: Path, reading_id: str) -> str:
    return json.dumps(
        {k: sidecar.get(k) for k in (path.name, reading_id) if k in sidecar}, sort_keys=True
    )


def _warnings(path: Path, passages: list[Passage], references: ReadingReferences) -> tuple[str, ...]:
    out = []
    if not any(p.kind in RUNNING_KINDS for p in passages):
        out.append(f"{path.name}: no readable paragraphs found")
    unlinked = references.unlinked
    if unlinked:  # kept in the citations table with no entry; said here so they get fixed
        out.append(
            f"{path.name}: {len(unlinked)} citation(s) match no reference-list entry: "
            + "; ".join(unlinked[:5]) + (" ..." if len(unlinked) > 5 else "")
        )
    return tuple(out)
