"""Terminal and JSON renderings of core results, shared by the CLI and the console."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Iterable
from typing import Any

from bot.core.models import Answer, CiteResult, Hit, Passage, QuoteResult, Reading
from bot.core.presentation import reference_forms


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


def highlight(text: str, sentence: str) -> str:
    at = text.find(sentence)
    if not sentence or at < 0:
        return text
    return f"{text[:at]}**{sentence}**{text[at + len(sentence):]}"


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


# -- cite and quote ------------------------------------------------------------------------


def _snippet(text: str, start: int, end: int, reach: int = 110) -> str:
    """The words around a span, so a long passage still shows where the citation stands."""
    a, b = max(0, start - reach), min(len(text), end + reach)
    a = text.rfind(" ", 0, a) + 1 if a else 0
    b = text.find(" ", b) if b < len(text) and text.find(" ", b) > 0 else len(text)
    return ("… " if a else "") + text[a:b].strip() + (" …" if b < len(text) else "")


def cite_json(result: CiteResult) -> dict[str, Any]:
    matches = []
    for m in result.matches:
        entry = None
        if m.entry is not None:
            entry = {
                "text": " ".join(m.entry.raw.split()), "formatted": m.entry.formatted,
                "authors": list(m.entry.authors), "year": m.entry.year, "title": m.entry.title,
                "container": m.entry.container, "pages": m.entry.pages, "url": m.entry.url,
                "reading": m.reading.id if m.reading else None,
            }
        matches.append({
            "score": m.score,
            "entry": entry,
            "cited_in": [
                {"text": c.passage.text, "citation": c.citation, "locator": c.locator,
                 "passage_id": c.passage.id, "reading": c.reading.id, "kind": c.kind,
                 "page": c.passage.page, "section": c.passage.section}
                for c in m.cited_in
            ],
        })
    return {"query": result.query, "matches": matches}


def cite_text(result: CiteResult) -> str:
    width = _width()
    if not result.matches:
        return (f"No reference-list entry or mention matches {result.query!r}. Try a surname "
                "and a year, e.g. \"Krasner 1999\".")
    lines: list[str] = []
    for m in result.matches:
        if m.entry is None:
            lines.append(f"No reference list has an entry for {result.query!r}; passages that "
                         f"MENTION it (mentions, not citations):")
        else:
            src = f" (reference list of {m.reading.title})" if m.reading else ""
            lines.append(f"{m.entry.formatted}  [match {m.score:.0f}]{src}")
            lines.extend(textwrap.wrap("as printed: " + " ".join(m.entry.raw.split()), width,
                                       initial_indent="  ", subsequent_indent="    "))
            if not m.cited_in:
                lines.append("  No passage cites it.")
            else:
                lines.append(f"  Cited in {len(m.cited_in)} place(s):")
        reading_id = None
        for c in m.cited_in:
            if c.reading.id != reading_id:
                reading_id = c.reading.id
                lines.append(f"  {c.reading.title}")
            at = c.passage.text.find(c.citation)
            loc = f", at {c.locator}" if c.locator else ""
            label = "mention" if c.kind == "mention" else "cites"
            lines.append(f"    - {c.passage.location or c.passage.id} (id {c.passage.id}) "
                         f"{label} \u201c{c.citation}\u201d{loc}")
            snippet = _snippet(c.passage.text, max(at, 0), max(at, 0) + len(c.citation))
            lines.extend(textwrap.wrap(snippet, width, initial_indent="        ",
                                       subsequent_indent="        "))
        lines.append("")
    return "\n".join(lines).rstrip()


def quote_json(result: QuoteResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "confident": result.confident,
        "matches": [
            {"score": h.match.score, "text": h.passage.text, "quote": h.match.quote,
             "reading": h.reading.id, "reading_title": h.reading.title,
             "passage_id": h.passage.id, "page": h.passage.page, "section": h.passage.section,
             "paragraph": h.passage.paragraph, "start": h.match.start, "end": h.match.end,
             "cite_as": reference_forms(h.reading, h.passage.page)}
            for h in result.hits
        ],
    }


def quote_text(result: QuoteResult) -> str:
    width = _width()
    if not result.hits:
        return "Nothing in the readings resembles that quote."
    lines: list[str] = []
    if not result.confident:
        lines += ["Nothing in the readings matches that quote well; the closest spans are:", ""]
    for rank, h in enumerate(result.hits, 1):
        lines.append(f"[{rank}] {where(h.passage, h.reading)}  (confidence {h.match.score:.0f}, "
                     f"id {h.passage.id})")
        lines.extend(textwrap.wrap(f"\u201c{h.match.quote}\u201d", width, initial_indent="    ",
                                   subsequent_indent="     "))
        if result.confident:
            lines.append(f"    Cite as (APA): {reference_forms(h.reading, h.passage.page)['apa']}")
            break  # one confident answer is the answer; weak ones are shown side by side
    return "\n".join(lines).rstrip()


def how_to_cite_text(refs: dict[str, str]) -> str:
    return "\n".join([
        f"APA:     {refs['apa']}", f"         in text: {refs['apa_in_text']}",
        f"Chicago: {refs['chicago']}", f"         in text: {refs['chicago_in_text']}",
    ])


def print_warnings(warnings: Iterable[str]) -> None:
    """Index and import warnings go to stderr, one line each, so stdout stays machine-readable."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
