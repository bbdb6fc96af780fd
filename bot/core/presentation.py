"""What the surfaces show, built once from the core's results: every surface only escapes and
fits its own limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.models import Reading
from bot.core.references.bibliography import natural_surname
from bot.core.references.styles import how_to_cite
from bot.core.textnorm import fold


def reference_forms(reading: Reading, page: int | None) -> dict[str, str]:
    """APA and Chicago references to a reading (style key -> text), in-text forms for a page."""
    return how_to_cite(reading, page)


# -- choices (Discord's autocomplete) ------------------------------------------------------


def _matches(query: str, *texts: str) -> bool:
    q = fold(query)
    return not q or any(q in fold(t) for t in texts if t)


def reading_choices(readings: Iterable[Reading], current: str, *, limit: int) -> list[Reading]:
    """The readings whose title, id or byline holds what was typed, ignoring case and accents."""
    out = [r for r in readings if _matches(current, r.title, r.id, r.byline)]
    return out[:limit]


def surname(author: str) -> str:
    """'Castells, Manuel' and 'Manuel Castells' both give 'Castells'; particles stay, as the
    reference lists keep them ('Samuel del Villar' -> 'del Villar')."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    return natural_surname(author)


def reference_choices(
    labels: Sequence[str], readings: Iterable[Reading], current: str, *, limit: int
) -> list[str]:
    """What /cite can look up for what was typed: the reference-list entries ('Krasner 1999'),
    then the readings' own authors ('Surname (year)'); the typed text itself comes first."""
    seen: dict[str, None] = {}
    for label in labels:
        if _matches(current, label):
            seen.setdefault(label, None)
            if len(seen) >= limit:
                break
    for r in readings:
        for author in r.authors:
            label = surname(author) + (f" ({r.year})" if r.year else "")
            if _matches(current, label, author):
                seen.setdefault(label, None)
    typed = current.strip()
    out = list(seen)
    if typed and typed not in seen:
        out.insert(0, typed)
    return out[:limit]
