"""Terminal and JSON renderings of core results, shared by the CLI and the console.

The text renderings draw the view models of bot.core.presentation and only fit them to the
terminal: lines wrapped to its width at spaces (never inside an id), bold and colour on an
interactive terminal, plain text when piped or under NO_COLOR. The JSON ones are the CLI's documented contracts (README.md), built from the
results themselves so no presentation choice (a cap, a label) can change them.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from bot.core.models import Answer, CiteResult, Hit, QuoteResult, Reading
from bot.core.presentation import (
    LEFT_OUT,
    MENTIONS_ONLY,
    MISSING_MARK,
    NO_READINGS,
    UNCITED,
    Card,
    Excerpt,
    PassageView,
    ReadingLine,
    ResultView,
    how_to_cite_view,
    metadata_notice,
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


# -- the terminal: width, bold and colour ---------------------------------------------------

# ANSI styles a renderer may ask for; a Terminal without colour drops them all.
STYLES = {
    "bold": ("\x1b[1m", "\x1b[22m"),  # what answers: the focus of an excerpt
    "title": ("\x1b[1;36m", "\x1b[22;39m"),  # a reading's name on a card
    "id": ("\x1b[32m", "\x1b[39m"),  # a passage id, to type after /passage
    "dim": ("\x1b[2m", "\x1b[22m"),  # scores and labels
    "warn": ("\x1b[33m", "\x1b[39m"),
}
Segment = tuple[str, str]  # (text, a STYLES key or "" for plain)


@dataclass(frozen=True, slots=True)
class Terminal:
    """How text is drawn: `color` on an interactive terminal only, lines `width` long."""

    color: bool = False
    width: int = 86


PLAIN = Terminal()


def terminal(stream: TextIO, *, no_color: bool = False) -> Terminal:
    """Bold and colour on a terminal unless NO_COLOR (https://no-color.org), --no-color or a
    dumb terminal say not; plain text when piped. Lines fit the terminal (at most 100
    columns, for reading); piped output keeps the default width."""
    tty = _isatty(stream)
    color = (tty and not no_color and not os.environ.get("NO_COLOR")
             and os.environ.get("TERM", "") != "dumb")
    columns = shutil.get_terminal_size((PLAIN.width + 1, 20)).columns
    return Terminal(color=color, width=max(30, min(100, columns) - 1))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def styled(term: Terminal, text: str, style: str) -> str:
    if not (term.color and style and text):
        return text
    start, end = STYLES[style]
    return start + text + end


def wrap(segments: Sequence[Segment], term: Terminal, indent: str = "",
         rest: str | None = None) -> list[str]:
    """Lines of at most `term.width` characters, broken at spaces only, so an id, a URL or a
    hyphenated name is never split (a word longer than a line gets a line of its own)."""
    words: list[list[Segment]] = []
    word: list[Segment] = []
    for text, style in segments:
        for part in _SPACES.split(text):
            if not part:
                continue
            if part.isspace():
                if word:
                    words.append(word)
                    word = []
            else:
                word.append((part, style))
    if word:
        words.append(word)
    rest = indent if rest is None else rest
    lines: list[str] = []
    line: list[list[Segment]] = []
    used = len(indent)
    for word in words:
        size = sum(len(t) for t, _ in word)
        if line and used + 1 + size > term.width:
            lines.append((rest if lines else indent) + _draw(line, term))
            line, used = [], len(rest)
        used += size + (1 if line else 0)
        line.append(word)
    if line or not lines:
        lines.append((rest if lines else indent) + _draw(line, term))
    return lines


# Lines break at spaces, never at a no-break space: "(score\u00a0100," stays together.
_SPACES = re.compile(r"([ \t\n\r\f\v]+)")


def _draw(words: list[list[Segment]], term: Terminal) -> str:
    """Words joined by single spaces, each run of one style drawn once (a space between two
    words of the same style takes that style, so a bold sentence is one bold run)."""
    runs: list[list[str]] = []
    for i, word in enumerate(words):
        if i:
            before, after = words[i - 1][-1][1], word[0][1]
            _add(runs, " ", before if before == after else "")
        for text, style in word:
            _add(runs, text, style)
    return "".join(styled(term, text, style) for text, style in runs).replace("\u00a0", " ")


def _add(runs: list[list[str]], text: str, style: str) -> None:
    if runs and runs[-1][1] == style:
        runs[-1][0] += text
    else:
        runs.append([text, style])


def excerpt_segments(excerpt: Excerpt, *, focus_style: str = "bold") -> list[Segment]:
    """The excerpt with its focus styled and a … where text was left out."""
    return [("… " if excerpt.cut_before else "", ""), (excerpt.before, ""),
            (excerpt.focus, focus_style), (excerpt.after, ""),
            (" …" if excerpt.cut_after else "", "")]


# A location's marks stay with what they mark: "§ Design" and "p. 12" never end a line.
_GLUED = str.maketrans({" ": "\u00a0"})


def _where(card: Card | PassageView) -> list[Segment]:
    loc = card.passage.location
    glued = re.sub(r"(§|p\.|¶|note) ", lambda m: m.group(0).translate(_GLUED), loc)
    return [(card.reading_label, "title"), (f" — {glued}" if loc else "", "")]


def _nothing(view: ResultView, term: Terminal) -> list[str]:
    """The honest "nothing convincing": what to try, and a word over weak matches."""
    nothing = view.nothing
    if nothing is None:
        return []
    lines = wrap([(nothing.title + ".", "bold"), (" " + nothing.advice, "")], term)
    if nothing.suggestions:
        lines += wrap([(f"{nothing.suggestions_label}: ", "dim"),
                       ("; ".join(nothing.suggestions), "")], term, rest="  ")
    if nothing.weak:
        lines += ["", *wrap([(nothing.weak, "dim")], term)]
    return lines + [""]


def _heading(view: ResultView, card: Card, term: Terminal) -> list[str]:
    return wrap([(f"[{card.rank}] ", "bold"), *_where(card),
                 (f"  ({view.score_label}\u00a0{card.score:.0f}, id ", "dim"),
                 (card.passage_id, "id"), (")", "dim")], term, rest="    ")


def answer_text(view: ResultView, term: Terminal = PLAIN) -> str:
    lines = _nothing(view, term)
    for card in view.cards:
        lines.extend(_heading(view, card, term))
        lines.extend(wrap(excerpt_segments(card.excerpt), term, "    "))
        lines.append("")
    return "\n".join(lines).rstrip()


def readings_text(readings: Sequence[ReadingLine], term: Terminal = PLAIN, *,
                  instructor: bool = False) -> str:
    """One reading a line; for an instructor, the readings whose author or year the bot
    could not find, with the readings.toml lines that set them."""
    if not readings:
        return "\n".join(wrap([(NO_READINGS, "")], term))
    lines: list[str] = []
    for r in readings:
        lines.extend(wrap([(r.id, "id"), (": ", ""), (r.title, "title"),
                           (f" — {r.credit}" if r.credit else "", ""),
                           (f" [{r.format}, {r.passages} passages]", "dim"),
                           (f"  ({MISSING_MARK.format(what=r.missing_text)})" if r.missing
                            else "", "warn")], term, rest="    "))
    notice = metadata_notice(readings) if instructor else None
    if notice is not None:
        lines += ["", *wrap([(notice.intro, "")], term), ""]
        lines += [f"    {line}" if line else "" for line in notice.toml.splitlines()]
    return "\n".join(lines)


def passage_text(view: PassageView, term: Terminal = PLAIN) -> str:
    lines = wrap([*_where(view), ("  (id ", "dim"), (view.passage.id, "id"), (")", "dim")],
                 term, rest="    ")
    lines.append("")
    for p in view.neighbours:
        current = p.id == view.passage.id
        lines.extend(wrap([(p.text, "bold" if current else "")], term,
                          ">>  " if current else "    ", "    "))
        lines.append("")
    if view.passage.note_ids:
        lines.extend(wrap([("Notes: ", ""), (", ".join(view.passage.note_ids), "id")], term,
                          rest="    "))
    if view.passage.parent_id:
        lines.extend(wrap([("Note to: ", ""), (view.passage.parent_id, "id")], term))
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


def cite_text(view: ResultView, term: Terminal = PLAIN) -> str:
    if not view.groups:
        return "\n".join(_nothing(view, term)).rstrip()
    lines: list[str] = []
    for group in view.groups:
        if group.entry is None:
            lines.extend(wrap([(MENTIONS_ONLY, "bold")], term))
        else:
            src = f" (reference list of {group.source.title})" if group.source else ""
            lines.extend(wrap([(group.entry, "bold"),
                               (f"  [{view.score_label} {group.score:.0f}]{src}", "dim")],
                              term, rest="  "))
            lines.extend(wrap([("as printed: ", "dim"), (group.as_printed or "", "")], term,
                              "  ", "    "))
            lines.append(f"  Cited in {group.cited} place(s):" if group.cited else f"  {UNCITED}")
        reading_id = None
        for card in group.cards:
            if card.reading.id != reading_id:
                reading_id = card.reading.id
                lines.extend(wrap([(card.reading_label, "title")], term, "  ", "    "))
            cited = card.citation
            assert cited is not None  # every /cite card has one
            loc = f", at {cited.locator}" if cited.locator else ""
            label = "mention" if cited.kind == "mention" else "cites"
            lines.extend(wrap([(f"- {card.location or card.passage_id} (id ", ""),
                               (card.passage_id, "id"),
                               (f") {label} \u201c{cited.text}\u201d{loc}", "")],
                              term, "    ", "      "))
            snippet = card.excerpt.fit(len(card.excerpt.focus) + 2 * CITATION_REACH)
            lines.extend(wrap(excerpt_segments(snippet, focus_style=""), term, "        "))
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


def quote_text(view: ResultView, term: Terminal = PLAIN) -> str:
    lines = _nothing(view, term)
    for card in view.cards:
        lines.extend(_heading(view, card, term))
        lines.extend(wrap([("\u201c", ""), (card.excerpt.focus, "bold"), ("\u201d", "")], term,
                          "    ", "     "))
        if view.confident:
            lines.extend(wrap([("Cite as (APA): ", "dim"), (card.cite_as["apa"], "")], term,
                              "    ", "      "))
            break  # one confident answer is the answer; weak ones are shown side by side
    return "\n".join(lines).rstrip()


def result_text(view: ResultView, term: Terminal = PLAIN) -> str:
    render = {"ask": answer_text, "cite": cite_text, "quote": quote_text}[view.kind]
    return render(view, term)


def how_to_cite_text(forms: dict[str, str], term: Terminal = PLAIN) -> str:
    lines: list[str] = []
    for label, text in how_to_cite_view(forms):
        lines.extend(wrap([(f"{label}: ", "bold"), (text, "")], term, rest="    "))
    return "\n".join(lines)


def print_warnings(warnings: Iterable[str], stream: TextIO | None = None) -> None:
    """Index and import warnings go to stderr, one line each, so stdout stays machine-readable."""
    out = stream or sys.stderr
    label = styled(terminal(out), "warning:", "warn")
    for warning in warnings:
        print(f"{label} {warning}", file=out)
