"""How to cite a reading: APA and Chicago references built from its metadata and page."""

from __future__ import annotations

import re

from bot.core.models import Reading
from bot.core.references.bibliography import natural_surname


def _split_name(name: str) -> tuple[str, str]:
    """(given names, surname) from "Simon Reich" or "Reich, Simon"."""
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    surname = natural_surname(name)
    return name[: len(name) - len(surname)].strip(), surname


def _initials(given: str) -> str:
    return " ".join(f"{p[0]}." for p in re.split(r"[\s.]+", given) if p)


def how_to_cite(reading: Reading, page: int | None = None) -> dict[str, str]:
    """APA and Chicago author-date references to a reading, with in-text forms for a page."""
    names = [_split_name(a) for a in reading.authors if a.strip()]
    year = reading.year or "n.d."
    title = reading.title.rstrip(".")
    page_apa = f", p. {page}" if page is not None else ""
    page_chi = f", {page}" if page is not None else ""
    if names:
        apa_names = [f"{last}, {_initials(first)}".rstrip(", ") for first, last in names]
        apa_who = apa_names[0] if len(apa_names) == 1 else (
            ", ".join(apa_names[:-1]) + ", & " + apa_names[-1])
        first, last = names[0]
        chi = [f"{last}, {first}".rstrip(", ")] + [f"{f} {la}".strip() for f, la in names[1:]]
        chi_who = chi[0] if len(chi) == 1 else ", ".join(chi[:-1]) + ", and " + chi[-1]
        surnames = [last for _, last in names]
    else:  # no author: the title takes the author's place, as both styles prescribe
        short = title if len(title) <= 40 else title[:40].rsplit(" ", 1)[0] + "…"
        return {
            "apa": f"{title}. ({year}).",
            "chicago": f"\u201c{title}.\u201d {year}.",
            "apa_in_text": f"({short}, {year}{page_apa})",
            "chicago_in_text": f"(\u201c{short}\u201d {year}{page_chi})",
        }
    short_apa = surnames[0] if len(surnames) == 1 else (
        " & ".join(surnames) if len(surnames) == 2 else f"{surnames[0]} et al.")
    short_chi = short_apa.replace(" & ", " and ")
    return {
        "apa": f"{apa_who} ({year}). {title}.",
        "chicago": f"{chi_who.rstrip('.')}. {year}. \u201c{title}.\u201d",
        "apa_in_text": f"({short_apa}, {year}{page_apa})",
        "chicago_in_text": f"({short_chi} {year}{page_chi})",
    }
