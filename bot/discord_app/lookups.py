"""`/cite` and `/quote` results shown with the same cards and buttons as `/ask`.

A cited or quoted passage is a hit like any other: the citation as written, or the printed span
of the quote, is its "best sentence" and is set in bold. The core's result types (from the
citation and quote finders) are read by attribute, so this module depends only on their shape:
- cite: `.query`, `.matches[*]` with `.score`, `.entry` (`.formatted`) and `.cited_in[*]`
  (`.passage`, `.reading`, `.citation`, `.locator`);
- quote: `.query`, `.confident`, `.hits[*]` with `.passage`, `.reading` and `.match`
  (`.score`, `.quote`).
An `Answer` passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.models import Answer, Hit
from bot.discord_app.formatting import safe

# At most this many passages per reference: a much-cited author should not flood the cards.
MAX_CITED_IN = 10
HOW_TO_CITE_LABELS = {
    "apa": "APA",
    "apa_in_text": "APA, in the text",
    "chicago": "Chicago (author-date)",
    "chicago_in_text": "Chicago, in the text",
}


def as_answer(result: Any) -> tuple[Answer, dict[int, str]]:
    """The result as an Answer, and a note per card (the reference entry a citation points to)."""
    if isinstance(result, Answer):
        return result, {}
    if hasattr(result, "matches"):
        return _cite_answer(result)
    hits = tuple(
        Hit(
            rank=i + 1,
            score=float(h.match.score),
            passage=h.passage,
            reading=h.reading,
            best_sentence=h.match.quote,
        )
        for i, h in enumerate(result.hits)
    )
    return Answer(result.query, hits, bool(result.confident) and bool(hits)), {}


def _cite_answer(result: Any) -> tuple[Answer, dict[int, str]]:
    hits: list[Hit] = []
    notes: dict[int, str] = {}
    uncited: list[str] = []  # listed in a reference list, cited by no passage
    for match in result.matches:
        entry = getattr(match.entry, "formatted", None) if match.entry is not None else None
        if entry and not match.cited_in:
            where = f" (references of {match.reading.title})" if match.reading else ""
            uncited.append(entry + where)
        for cited in list(match.cited_in)[:MAX_CITED_IN]:
            if entry:
                notes[len(hits)] = entry
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    score=float(match.score),
                    passage=cited.passage,
                    reading=cited.reading,
                    best_sentence=cited.citation,
                )
            )
    return Answer(result.query, tuple(hits), bool(hits), tuple(uncited)), notes


def how_to_cite_text(value: Any) -> str:
    """The core's reference forms (a mapping of style -> text, or plain text) as lines."""
    if isinstance(value, Mapping):
        return "\n".join(
            f"**{HOW_TO_CITE_LABELS.get(style, style)}**: {safe(str(text))}"
            for style, text in value.items()
        )
    return safe(str(value))
