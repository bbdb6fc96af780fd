"""`/cite` and `/quote` results shown with the same cards and buttons as `/ask`.

A cited or quoted passage is a hit like any other: the citation as written, or the printed span
of the quote, is its "best sentence" and is set in bold. An `Answer` passes through unchanged.
"""

from __future__ import annotations

from bot.core.models import Answer, CiteResult, Hit, QuoteResult
from bot.discord_app.formatting import safe

# At most this many passages per reference: a much-cited author should not flood the cards.
MAX_CITED_IN = 10
HOW_TO_CITE_LABELS = {
    "apa": "APA",
    "apa_in_text": "APA, in the text",
    "chicago": "Chicago (author-date)",
    "chicago_in_text": "Chicago, in the text",
}


def as_answer(result: Answer | CiteResult | QuoteResult) -> tuple[Answer, dict[int, str]]:
    """The result as an Answer, and a note per card (the reference entry a citation points to)."""
    if isinstance(result, Answer):
        return result, {}
    if isinstance(result, CiteResult):
        return _cite_answer(result)
    hits = tuple(
        Hit(
            rank=i + 1,
            score=h.match.score,
            passage=h.passage,
            reading=h.reading,
            best_sentence=h.match.quote,
        )
        for i, h in enumerate(result.hits)
    )
    return Answer(result.query, hits, result.confident and bool(hits)), {}


def _cite_answer(result: CiteResult) -> tuple[Answer, dict[int, str]]:
    hits: list[Hit] = []
    notes: dict[int, str] = {}
    uncited: list[str] = []  # listed in a reference list, cited by no passage
    for match in result.matches:
        entry = match.entry.formatted if match.entry is not None else None
        if entry and not match.cited_in:
            where = f" (references of {match.reading.title})" if match.reading else ""
            uncited.append(entry + where)
        for cited in match.cited_in[:MAX_CITED_IN]:
            if entry:
                notes[len(hits)] = entry
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    score=match.score,
                    passage=cited.passage,
                    reading=cited.reading,
                    best_sentence=cited.citation,
                )
            )
    return Answer(result.query, tuple(hits), bool(hits), tuple(uncited)), notes


def how_to_cite_text(forms: dict[str, str]) -> str:
    """The core's reference forms (style -> text) as labelled, escaped lines."""
    return "\n".join(
        f"**{HOW_TO_CITE_LABELS.get(style, style)}**: {safe(text)}" for style, text in forms.items()
    )
