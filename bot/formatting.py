"""Terminal and JSON renderings of core results, shared by the CLI and the console.

The text renderings draw the view models of bot.core.presentation and only wrap them to the
terminal's width; the JSON ones are the CLI's documented contracts (README.md), built from the
results themselves so no presentation choice (a cap, a label) can change them.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from bot.core.models import Answer, CiteResult, Hit, QuoteResult, Reading
from bot.core.presentation import (
    LEFT_OUT,
    MENTIONS_ONLY,
    NO_READINGS,
    UNCITED,
    Card,
    Excerpt,
    PassageView,
    ReadingLine,
    ResultView,
    how_to_cite_view,
    reference_forms,
)


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


def _wrap(text: str, width: int, indent: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=rest or indent)


def marked(excerpt: Excerpt, *, bold: bool = True) -> str:
    """The excerpt with its focus in **bold** and a … where text was left out."""
    focus = f"**{excerpt.focus}**" if excerpt.focus and bold else excerpt.focus
    return (("… " if excerpt.cut_before else "") + excerpt.before + focus + excerpt.after
            + (" …" if excerpt.cut_after else "")).strip()


def where(card: Card | PassageView) -> str:
    loc = card.passage.location
    return card.reading_label + (f" — {loc}" if loc else "")


def _nothing(view: ResultView) -> list[str]:
    """The honest "nothing convincing": what to try, and a word over weak matches."""
    nothing = view.nothing
    if nothing is None:
        return []
    lines = [f"{nothing.title}. {nothing.advice}"]
    if nothing.suggestions:
        lines.append(f"{nothing.suggestions_label}: " + "; ".join(nothing.suggestions))
    if nothing.weak:
        lines += ["", nothing.weak]
    return lines + [""]


def _heading(view: ResultView, card: Card) -> str:
    return (f"[{card.rank}] {where(card)}  ({view.score_label} {card.score:.0f}, "
            f"id {card.passage_id})")


def answer_text(view: ResultView) -> str:
    width = _width()
    lines = _nothing(view)
    for card in view.cards:
        lines.append(_heading(view, card))
        lines.extend(_wrap(marked(card.excerpt), width, "    "))
        lines.append("")
    return "\n".join(lines).rstrip()


def readings_text(readings: Sequence[ReadingLine]) -> str:
    if not readings:
        return NO_READINGS
    return "\n".join(
        f"{r.id}: {r.title}" + (f" — {r.credit}" if r.credit else "")
        + f" [{r.format}, {r.passages} passages]"
        for r in readings
    )


def passage_text(view: PassageView) -> str:
    width = _width()
    lines = [f"{where(view)}  (id {view.passage.id})", ""]
    for p in view.neighbours:
        marker = ">>" if p.id == view.passage.id else "  "
        wrapped = textwrap.wrap(p.text, width - 4) or [""]
        lines.append(f"{marker}  {wrapped[0]}")
        lines.extend(f"    {w}" for w in wrapped[1:])
        lines.append("")
    if view.passage.note_ids:
        lines.append("Notes: " + ", ".join(view.passage.note_ids))
    if view.passage.parent_id:
        lines.append(f"Note to: {view.passage.parent_id}")
    return "\n".join(lines).rstrip()


# -- cite and quote ------------------------------------------------------------------------


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
                "author_names": list(m.entry.author_names or m.entry.authors),
                "volume": m.entry.volume, "issue": m.entry.issue, "doi": m.entry.doi,
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


# How much of a citing passage the terminal shows on each side of the citation.
CITATION_REACH = 110


def cite_text(view: ResultView) -> str:
    width = _width()
    if not view.groups:
        return "\n".join(_nothing(view)).rstrip()
    lines: list[str] = []
    for group in view.groups:
        if group.entry is None:
            lines.append(MENTIONS_ONLY)
        else:
            src = f" (reference list of {group.source.title})" if group.source else ""
            lines.append(f"{group.entry}  [{view.score_label} {group.score:.0f}]{src}")
            lines.extend(_wrap(f"as printed: {group.as_printed}", width, "  ", "    "))
            lines.append(f"  Cited in {group.cited} place(s):" if group.cited else f"  {UNCITED}")
        reading_id = None
        for card in group.cards:
            if card.reading.id != reading_id:
                reading_id = card.reading.id
                lines.append(f"  {card.reading_label}")
            cited = card.citation
            assert cited is not None  # every /cite card has one
            loc = f", at {cited.locator}" if cited.locator else ""
            label = "mention" if cited.kind == "mention" else "cites"
            lines.append(f"    - {card.location or card.passage_id} (id {card.passage_id}) "
                         f"{label} \u201c{cited.text}\u201d{loc}")
            snippet = card.excerpt.fit(len(card.excerpt.focus) + 2 * CITATION_REACH)
            lines.extend(_wrap(marked(snippet, bold=False), width, "        "))
        if group.left_out:
            lines.append("    " + LEFT_OUT.format(n=group.left_out) + " (--json lists them all)")
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


def quote_text(view: ResultView) -> str:
    width = _width()
    lines = _nothing(view)
    for card in view.cards:
        lines.append(_heading(view, card))
        lines.extend(_wrap(f"\u201c{card.excerpt.focus}\u201d", width, "    ", "     "))
        if view.confident:
            lines.append(f"    Cite as (APA): {card.cite_as['apa']}")
            break  # one confident answer is the answer; weak ones are shown side by side
    return "\n".join(lines).rstrip()


def result_text(view: ResultView) -> str:
    render = {"ask": answer_text, "cite": cite_text, "quote": quote_text}[view.kind]
    return render(view)


def how_to_cite_text(forms: dict[str, str]) -> str:
    return "\n".join(f"{label}: {text}" for label, text in how_to_cite_view(forms))


def print_warnings(warnings: Iterable[str]) -> None:
    """Index and import warnings go to stderr, one line each, so stdout stays machine-readable."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
