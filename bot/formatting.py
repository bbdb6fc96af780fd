"""Terminal and JSON renderings of core results, shared by the CLI and the console."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from bot.core.models import Answer, Hit, Passage, Reading


def reading_json(reading: Reading) -> dict[str, Any]:
    return {"id": reading.id, "title": reading.title, "authors": list(reading.authors)}


def hit_json(hit: Hit) -> dict[str, Any]:
    p = hit.passage
    return {
        "rank": hit.rank,
        "score": hit.score,
        "text": p.text,
        "best_sentence": hit.best_sentence,
        "reading": reading_json(hit.reading),
        "passage_id": p.id,
        "kind": p.kind,
        "section": p.section,
        "paragraph": p.paragraph,
        "page": p.page,
    }


def answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "query": answer.query,
        "confident": answer.confident,
        "results": [hit_json(h) for h in answer.hits],
        "suggestions": list(answer.suggestions),
    }


def _width() -> int:
    return max(40, min(100, shutil.get_terminal_size((88, 20)).columns) - 2)


def highlight(text: str, sentence: str, *, bold: tuple[str, str] = ("**", "**")) -> str:
    at = text.find(sentence)
    if not sentence or at < 0:
        return text
    return f"{text[:at]}{bold[0]}{sentence}{bold[1]}{text[at + len(sentence):]}"


def where(passage: Passage, reading: Reading) -> str:
    loc = passage.location
    return f"{reading.title}" + (f" — {loc}" if loc else "")


def answer_text(answer: Answer) -> str:
    width = _width()
    lines: list[str] = []
    if not answer.confident:
        lines.append("No passage matches that convincingly.")
        if answer.suggestions:
            lines.append("Try: " + "; ".join(answer.suggestions))
        if answer.hits:
            lines.append("")
            lines.append("Closest (weak) matches:")
    for hit in answer.hits:
        p = hit.passage
        lines.append(f"[{hit.rank}] {where(p, hit.reading)}  (score {hit.score:.0f}, id {p.id})")
        body = highlight(p.text, hit.best_sentence)
        lines.extend(textwrap.wrap(body, width, initial_indent="    ", subsequent_indent="    "))
        lines.append("")
    return "\n".join(lines).rstrip()


def readings_text(readings: list[Reading]) -> str:
    if not readings:
        return "No readings are indexed yet: put .txt, .md, .pdf or .docx files in the readings folder."
    out = []
    for r in readings:
        by = f" — {r.byline}" if r.authors else ""
        year = f" ({r.year})" if r.year else ""
        out.append(f"{r.id}: {r.title}{by}{year} [{r.format}, {r.passages} passages]")
    return "\n".join(out)


def passage_text(passage: Passage, reading: Reading, around: list[Passage]) -> str:
    width = _width()
    lines = [f"{where(passage, reading)}  (id {passage.id})", ""]
    for p in around:
        marker = ">>" if p.id == passage.id else "  "
        wrapped = textwrap.wrap(p.text, width - 4) or [""]
        lines.append(f"{marker}  {wrapped[0]}")
        lines.extend(f"    {w}" for w in wrapped[1:])
        lines.append("")
    if passage.note_ids:
        lines.append("Notes: " + ", ".join(passage.note_ids))
    if passage.parent_id:
        lines.append(f"Note to: {passage.parent_id}")
    return "\n".join(lines).rstrip()
