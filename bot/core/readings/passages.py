"""Cut cleaned paragraphs into passages: the units the bot quotes back to a student.

A passage is paragraph-sized: long paragraphs are split at sentence boundaries so an answer is
readable in a chat message, and ids are stable (the same reading text always yields the same
ids) so a link to a passage keeps working across re-indexing.
"""

from __future__ import annotations

from bot.core.models import Passage, PassageKind
from bot.core.readings.cleaning import CleanDocument, Para
from bot.core.textnorm import DIGIT_TO_SUPER, sentences

MAX_CHARS = 1_400  # a paragraph longer than this is split...
TARGET_CHARS = 900  # ...into pieces of about this size


def split_long(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentence-aligned pieces of an overlong paragraph."""
    if len(text) <= MAX_CHARS:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start = 0
    cursor = 0
    for sentence in sentences(text):
        pos = text.find(sentence, cursor)
        if pos < 0:
            continue
        end = pos + len(sentence)
        if end - start > TARGET_CHARS and pos > start:
            spans.append((start, pos))
            start = pos
        cursor = end
    spans.append((start, len(text)))
    # A tiny last piece reads better joined to the one before it.
    if len(spans) > 1 and spans[-1][1] - spans[-1][0] < 200:
        last = spans.pop()
        spans[-1] = (spans[-1][0], last[1])
    return [(s, e) for s, e in spans if text[s:e].strip()]


def build_passages(reading_id: str, doc: CleanDocument, course: str) -> list[Passage]:
    """Passages for every paragraph a student might need: body, abstract, notes, references,
    figures. Headings and front matter only label passages (their `section`)."""
    ids: dict[int, list[str]] = {}
    taken: set[str] = set()
    drafts: list[tuple[int, Para, str, int, int, int | None]] = []
    counters = {"body": 0, "footnote": 0, "bibliography": 0, "figure": 0}
    paragraph = 0
    piece = 0
    for index, para in enumerate(doc.paras):
        if para.kind in ("heading", "front"):
            continue
        if para.kind in ("body", "abstract"):
            paragraph += 1
            for s, e in split_long(para.text):
                piece += 1
                pid = f"{reading_id}-p{piece}"
                ids.setdefault(index, []).append(pid)
                drafts.append((index, para, pid, s, e, paragraph))
            continue
        kind = para.kind
        counters[kind] += 1
        prefix = {"footnote": "n", "bibliography": "b", "figure": "f"}[kind]
        suffix = para.label if kind == "footnote" and para.label else str(counters[kind])
        pid = f"{reading_id}-{prefix}{suffix}"
        while pid in taken:  # two notes printed with the same number
            pid += "x"
        taken.add(pid)
        ids.setdefault(index, []).append(pid)
        drafts.append((index, para, pid, 0, len(para.text), None))
    passages = []
    for index, para, pid, s, e, number in drafts:
        parent = None
        if para.parent is not None and para.parent in ids:
            parent = _holder(doc.paras[para.parent], ids[para.parent], para.label)
        notes = tuple(ids[n][0] for n in para.notes if n in ids)
        passages.append(
            Passage(
                id=pid,
                reading_id=reading_id,
                kind=PassageKind(para.kind),
                text=para.text[s:e].strip(),
                section=para.section,
                paragraph=number,
                page=para.page,
                start=para.start + s,
                end=para.start + e,
                label=para.label,
                parent_id=parent,
                note_ids=notes if s == 0 or len(ids.get(index, [])) == 1 else (),
                course=course,
            )
        )
    return passages


def _holder(parent: Para, parent_ids: list[str], label: str | None) -> str:
    """Of a split paragraph's pieces, the one that carries the footnote's marker."""
    if len(parent_ids) == 1 or not label:
        return parent_ids[0]
    sup = label.translate(DIGIT_TO_SUPER)
    offset = max(parent.text.find(sup), parent.text.find(f"[{label}]"))
    spans = split_long(parent.text)
    for pid, (s, e) in zip(parent_ids, spans, strict=False):
        if s <= offset < e:
            return pid
    return parent_ids[0]
