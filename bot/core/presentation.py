"""What the surfaces show, built once from the core's results.

Results flow one way: `Answer`, `CiteResult`, `QuoteResult`, a passage, the readings -> the view
models here -> one renderer per surface (bot/formatting.py for the terminal,
bot/discord_app/formatting.py, bot/slack_app/blocks.py) that only escapes and fits its
platform's limits. The wording, labels and caps every surface uses are the table below, once,
so the surfaces cannot drift apart. Nothing here is escaped: text is as printed or as typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.core.errors import NotFound
from bot.core.models import Answer, CiteResult, Passage, QuoteResult, Reading, StoredQuery
from bot.core.readings.metadata import SIDECAR, title_from_file_name
from bot.core.references.bibliography import natural_surname
from bot.core.references.styles import how_to_cite
from bot.core.textnorm import fold

Kind = Literal["ask", "cite", "quote"]

# -- the one table of labels, wording and caps ---------------------------------------------

# Citing passages shown per reference: a much-cited author should not flood an answer (the
# CLI's JSON still lists them all).
MAX_CITED_IN = 10
# What the 0-100 number on a card measures.
SCORE_LABELS: dict[Kind, str] = {"ask": "score", "cite": "match", "quote": "match"}
HOW_TO_CITE_LABELS = {
    "apa": "APA",
    "apa_in_text": "APA, in the text",
    "chicago": "Chicago (author-date)",
    "chicago_in_text": "Chicago, in the text",
}
# Where a passage stands, as the field names of a card.
FACT_LABELS = {"section": "Section", "page": "Page", "note": "Note", "paragraph": "Paragraph"}
NO_READINGS = (
    "No readings are indexed for this course yet: its readings folder needs .txt, .md, .pdf "
    "or .docx files."
)
MENTIONS_ONLY = "No reference list has an entry for this; passages that mention it by name:"
AUTHOR_UNKNOWN = "author unknown"
# A reading whose metadata the bot could not find, as the instructor's reading list marks it.
MISSING_MARK = "{what} unknown"
METADATA_INTRO = (
    "{n} reading(s) lack an author, a year or a real title, so every card and \u201chow to "
    "cite\u201d shows them incomplete. Add what is missing to {sidecar} (then run any "
    "command, or /reindex on Discord):"
)
UNCITED = "Listed, but no passage cites it."
UNCITED_SOURCE = "references of {title}"
LEFT_OUT = "…and {n} more"


@dataclass(frozen=True, slots=True)
class Wording:
    title: str  # the headline when nothing convincing was found
    advice: str  # what to try instead
    suggestions: str  # what the suggestions below it are
    weak: str  # above the weak matches shown anyway


NOTHING_FOUND: dict[Kind, Wording] = {
    "ask": Wording(
        "Nothing convincing in the readings",
        "No passage clearly answers this. Try other words, a narrower question, or search "
        "one reading.",
        "You could try",
        "The closest passages are weak matches.",
    ),
    "cite": Wording(
        "No passage cites this",
        "No passage of the readings cites a reference matching this. Try a surname and a "
        "year{example}, or a few words of the title.",
        "In the reference lists, but not cited in a passage",
        "The closest passages are weak matches.",
    ),
    "quote": Wording(
        "Quote not found",
        "No passage matches these words closely. Try the words you are surest of.",
        "You could try",
        "The closest spans are shown, but none matches that quote well.",
    ),
}


# -- excerpts ------------------------------------------------------------------------------

WORD_REACH = 40  # a cut moves at most this far to fall between two words


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A passage around the words it is shown for (`focus`): the sentence that answers, the
    citation as written, the quote as printed. `cut_*`: text was left out on that side."""

    before: str
    focus: str
    after: str
    cut_before: bool = False
    cut_after: bool = False

    @classmethod
    def of(cls, text: str, focus: str, start: int | None = None) -> Excerpt:
        """`focus` inside `text`, at `start` when known, else where it first occurs; text
        that does not hold it has no focus."""
        at = start if start is not None and text[start:start + len(focus)] == focus else (
            text.find(focus) if focus else -1)
        if at < 0:
            return cls("", "", text)
        return cls(text[:at], focus, text[at + len(focus):])

    @property
    def text(self) -> str:
        return self.before + self.focus + self.after

    def fit(self, limit: int) -> Excerpt:
        """At most about `limit` characters: the focus whole when it fits (else its start),
        centred in what is kept of its passage, cut between words."""
        focus, before, after = self.focus, self.before, self.after
        if len(focus) > limit:
            return Excerpt(before="", focus=focus[: max(0, limit - 1)].rstrip() + "…", after="",
                           cut_before=bool(before or self.cut_before), cut_after=True)
        room = limit - len(focus)
        keep_after = min(len(after), room - min(len(before), room // 2))
        keep_before = min(len(before), room - keep_after)
        head, tail = before[len(before) - keep_before:], after[:keep_after]
        if keep_before < len(before):
            space = head.find(" ")
            head = head[space + 1:] if 0 <= space < WORD_REACH else head
        if keep_after < len(after):
            space = tail.rfind(" ")
            tail = tail[:space] if space > len(tail) - WORD_REACH else tail
        return Excerpt(head, focus, tail, self.cut_before or len(head) < len(before),
                       self.cut_after or len(tail) < len(after))


# -- cards ---------------------------------------------------------------------------------


def reading_credit(reading: Reading) -> str:
    """"Ana Torres, Ben Okafor (2019)", or "author unknown (2019)": who wrote it and when,
    saying so when the bot could not find out who (a card never silently drops the author)."""
    who = reading.byline if reading.authors else AUTHOR_UNKNOWN
    return who + (f" ({reading.year})" if reading.year else "")


def reading_label(reading: Reading) -> str:
    """How a reading is named on every surface: its title, then who wrote it and when."""
    return f"{reading.title} — {reading_credit(reading)}"


def location_facts(passage: Passage) -> tuple[tuple[str, str], ...]:
    """Where a passage stands, as (label, value) pairs: section, page, note or paragraph."""
    facts = []
    if passage.section:
        facts.append((FACT_LABELS["section"], passage.section))
    if passage.page is not None:
        facts.append((FACT_LABELS["page"], str(passage.page)))
    if passage.kind == "footnote" and passage.label:
        facts.append((FACT_LABELS["note"], passage.label))
    elif passage.paragraph is not None:
        facts.append((FACT_LABELS["paragraph"], str(passage.paragraph)))
    return tuple(facts)


@dataclass(frozen=True, slots=True)
class Citation:
    """How a passage names the reference a /cite card is for."""

    text: str  # as written in the passage ("Keohane, 1984, p. 51"), or the name mentioned
    locator: str | None
    kind: str  # "citation" | "mention"


@dataclass(frozen=True, slots=True)
class Card:
    """One passage shown for a question, a reference or a quote."""

    rank: int
    passage: Passage
    reading: Reading
    excerpt: Excerpt
    score: float  # 0-100; SCORE_LABELS says what it measures
    note: str | None = None  # the reference-list entry a citing passage points to
    citation: Citation | None = None

    @property
    def passage_id(self) -> str:
        return self.passage.id

    @property
    def reading_label(self) -> str:
        return reading_label(self.reading)

    @property
    def location(self) -> str:
        return self.passage.location

    @property
    def facts(self) -> tuple[tuple[str, str], ...]:
        return location_facts(self.passage)

    @property
    def cite_as(self) -> dict[str, str]:
        return reference_forms(self.reading, self.passage.page)


@dataclass(frozen=True, slots=True)
class CiteGroup:
    """One reference a /cite query names, with the passages citing it."""

    entry: str | None  # the entry, uniformly formatted; None: only mentions, no entry
    as_printed: str | None  # the entry as its reference list prints it
    source: Reading | None  # the reading whose reference list holds it
    score: float
    cards: tuple[Card, ...]  # at most MAX_CITED_IN
    left_out: int = 0  # further citing passages, not shown

    @property
    def cited(self) -> int:
        return len(self.cards) + self.left_out


@dataclass(frozen=True, slots=True)
class NothingFound:
    title: str
    advice: str
    suggestions_label: str
    suggestions: tuple[str, ...]
    weak: str | None  # set when weak matches are shown anyway


@dataclass(frozen=True, slots=True)
class ResultView:
    """An answer to /ask, /cite or /quote, as every surface shows it."""

    kind: Kind
    query: str
    cards: tuple[Card, ...]
    confident: bool
    suggestions: tuple[str, ...] = ()
    groups: tuple[CiteGroup, ...] = field(default=())  # /cite: the references found

    @property
    def score_label(self) -> str:
        return SCORE_LABELS[self.kind]

    @property
    def passage_ids(self) -> list[str]:
        """What was shown, best first: what the query log records."""
        return [c.passage_id for c in self.cards]

    example: str | None = None  # /cite: a reference of the course to try instead

    @property
    def nothing(self) -> NothingFound | None:
        """The honest "nothing convincing", when that is the answer."""
        if self.confident:
            return None
        words = NOTHING_FOUND[self.kind]
        example = f", e.g. \u201c{self.example}\u201d" if self.example else ""
        return NothingFound(words.title, words.advice.format(example=example),
                            words.suggestions, self.suggestions,
                            words.weak if self.cards else None)


def answer_view(answer: Answer) -> ResultView:
    cards = tuple(
        Card(h.rank, h.passage, h.reading, Excerpt.of(h.passage.text, h.best_sentence), h.score)
        for h in answer.hits
    )
    return ResultView("ask", answer.query, cards, answer.confident and bool(cards),
                      answer.suggestions)


def quote_view(result: QuoteResult) -> ResultView:
    cards = tuple(
        Card(rank, h.passage, h.reading,
             Excerpt.of(h.passage.text, h.match.quote, h.match.start), h.match.score)
        for rank, h in enumerate(result.hits, start=1)
    )
    return ResultView("quote", result.query, cards, result.confident and bool(cards))


def cite_view(result: CiteResult, labels: Sequence[str] = ()) -> ResultView:
    """Each reference found with its citing passages (capped), and the references listed but
    cited nowhere as suggestions; a citation is the bold part of its card. `labels` (the
    course's "Surname Year" references) give the example of what to try when nothing is
    found: the one closest to the query, never the query itself."""
    groups: list[CiteGroup] = []
    cards: list[Card] = []
    uncited: list[str] = []
    for match in result.matches:
        entry = match.entry.formatted if match.entry is not None else None
        if entry and not match.cited_in:
            where = (f" ({UNCITED_SOURCE.format(title=match.reading.title)})"
                     if match.reading else "")
            uncited.append(entry + where)
        group_cards = []
        for cited in match.cited_in[:MAX_CITED_IN]:
            card = Card(len(cards) + 1, cited.passage, cited.reading,
                        Excerpt.of(cited.passage.text, cited.citation), match.score, entry,
                        Citation(cited.citation, cited.locator, cited.kind))
            cards.append(card)
            group_cards.append(card)
        groups.append(CiteGroup(
            entry, " ".join(match.entry.raw.split()) if match.entry is not None else None,
            match.reading, match.score, tuple(group_cards),
            max(0, len(match.cited_in) - MAX_CITED_IN),
        ))
    return ResultView("cite", result.query, tuple(cards), bool(cards), tuple(uncited),
                      tuple(groups), example=None if cards else example_reference(
                          result.query, labels))


def example_reference(query: str, labels: Sequence[str]) -> str | None:
    """The reference to suggest after `query` found nothing: the label sharing most words with
    it ("Krasner 1999" -> "Krasner 1982"), else the first; never `query` itself."""
    asked = set(fold(query).split())
    others = [label for label in labels if fold(label).strip() != fold(query).strip()]
    if not others:
        return None
    return max(others, key=lambda label: len(asked & set(fold(label).split())))


def result_view(result: Answer | CiteResult | QuoteResult,
                labels: Sequence[str] = ()) -> ResultView:
    """The view of any result; `labels` as for `cite_view`."""
    if isinstance(result, Answer):
        return answer_view(result)
    if isinstance(result, CiteResult):
        return cite_view(result, labels)
    return quote_view(result)


# -- answers rebuilt from what was stored (buttons after a restart) --------------------------


def shown_record(view: ResultView) -> dict[str, Any]:
    """What an answer showed, as JSON-ready data: each card's passage, the words in bold (and
    where they stand), its score and entry; whether it was confident and what it suggested.
    `stored_view` rebuilds the same cards from it and the passages."""
    return {
        "confident": view.confident,
        "suggestions": list(view.suggestions),
        "cards": [
            {"passage": c.passage_id, "focus": c.excerpt.focus, "at": len(c.excerpt.before),
             "score": c.score, "note": c.note,
             "citation": [c.citation.text, c.citation.locator, c.citation.kind]
             if c.citation else None}
            for c in view.cards
        ],
    }


def stored_view(stored: StoredQuery) -> ResultView:
    """The answer a stored question showed, card for card; a passage no longer indexed (the
    readings changed since) drops its card."""
    if stored.shown is None:
        raise NotFound("That answer is too old to show again; ask the question again.")
    cards: list[Card] = []
    for card in stored.shown.get("cards", []):
        found = stored.passages.get(card["passage"])
        if found is None:
            continue
        passage, reading = found
        citation = Citation(*card["citation"]) if card.get("citation") else None
        cards.append(Card(len(cards) + 1, passage, reading,
                          Excerpt.of(passage.text, card["focus"], card.get("at")),
                          float(card["score"]), card.get("note"), citation))
    kind: Kind = stored.kind if stored.kind in SCORE_LABELS else "ask"
    return ResultView(kind, stored.query, tuple(cards),
                      bool(stored.shown.get("confident")) and bool(cards),
                      tuple(stored.shown.get("suggestions") or ()))


# -- one passage, the readings, how to cite ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PassageView:
    """/passage: one passage in full, where it stands, and the passages around it."""

    passage: Passage
    reading: Reading
    neighbours: tuple[Passage, ...]  # in reading order, the passage itself among them

    @property
    def reading_label(self) -> str:
        return reading_label(self.reading)

    @property
    def facts(self) -> tuple[tuple[str, str], ...]:
        return location_facts(self.passage)

    @property
    def around(self) -> list[str]:
        """The ids of the neighbours, the passage itself left out."""
        return [p.id for p in self.neighbours if p.id != self.passage.id]


def passage_view(passage: Passage, reading: Reading, neighbours: Sequence[Passage]) -> PassageView:
    return PassageView(passage, reading, tuple(neighbours))


@dataclass(frozen=True, slots=True)
class ReadingLine:
    id: str
    title: str
    credit: str  # reading_credit
    format: str
    passages: int
    path: str = ""  # the file it was read from
    missing: tuple[str, ...] = ()  # of "author", "year", "title": what the bot could not find

    @property
    def missing_text(self) -> str:
        """"author, year and title": what MISSING_MARK says is unknown."""
        *first, last = self.missing or ("",)
        return f"{', '.join(first)} and {last}" if first else last


def readings_view(readings: Iterable[Reading]) -> tuple[ReadingLine, ...]:
    """/readings: one line per reading (an empty course says NO_READINGS)."""
    return tuple(ReadingLine(r.id, r.title, reading_credit(r), r.format, r.passages, r.path,
                             missing_metadata(r))
                 for r in readings)


def missing_metadata(reading: Reading) -> tuple[str, ...]:
    """What the bot could not find out about a reading: no author, no year, or a title that
    is only its file name made readable."""
    missing = []
    if not reading.authors:
        missing.append("author")
    if not reading.year:
        missing.append("year")
    if reading.path and reading.title == title_from_file_name(Path(reading.path)):
        missing.append("title")
    return tuple(missing)


@dataclass(frozen=True, slots=True)
class MetadataNotice:
    """For instructors: the readings with missing metadata and the readings.toml to add."""

    intro: str
    toml: str  # the lines to add, with placeholders where the bot knows nothing


def metadata_notice(readings: Sequence[ReadingLine]) -> MetadataNotice | None:
    incomplete = [r for r in readings if r.missing]
    if not incomplete:
        return None
    blocks = []
    for r in incomplete:
        lines = [f"[{_toml_string(Path(r.path).name or r.id)}]"]
        if "title" in r.missing:
            lines.append(f"title = {_toml_string(r.title)}  # from the file name: check it")
        if "author" in r.missing:
            lines.append('authors = ["First Author", "Second Author"]')
        if "year" in r.missing:
            lines.append('year = "YYYY"')
        blocks.append("\n".join(lines))
    folder = Path(incomplete[0].path).parent if incomplete[0].path else None
    sidecar = str(folder / SIDECAR) if folder else SIDECAR
    return MetadataNotice(METADATA_INTRO.format(n=len(incomplete), sidecar=sidecar),
                          "\n\n".join(blocks))


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def reference_forms(reading: Reading, page: str | None) -> dict[str, str]:
    """APA and Chicago references to a reading (style key -> text), in-text forms for a page."""
    return how_to_cite(reading, page)


def how_to_cite_view(forms: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The reference forms as (label, text) pairs, in the order of HOW_TO_CITE_LABELS."""
    known = [(label, forms[key]) for key, label in HOW_TO_CITE_LABELS.items() if key in forms]
    return tuple(known + [(k, v) for k, v in forms.items() if k not in HOW_TO_CITE_LABELS])


# -- the commands, for every help text ------------------------------------------------------

Surface = Literal["console", "discord", "slack"]


@dataclass(frozen=True, slots=True)
class Command:
    """One command as the help texts, Discord's descriptions and Slack's manifest name it."""

    name: str  # as typed after the slash
    summary: str  # what it gives, in one line (Discord allows 100 characters)
    usage: Mapping[Surface, str]  # its arguments on each surface that has it ("": none)
    instructors: bool = False

    @property
    def described(self) -> str:
        return self.summary + (" (instructors)" if self.instructors else "")


COMMANDS: tuple[Command, ...] = (
    Command("ask", "The passages of the readings that answer a question",
            {"console": "QUESTION", "discord": "question [reading] [private]",
             "slack": "QUESTION [reading:NAME]"}),
    Command("cite", "Where the readings cite an author or work, and its reference entry",
            {"console": "NAME YEAR", "discord": "reference [private]", "slack": "NAME YEAR"}),
    Command("cite", "How to cite the reading of a passage (APA, Chicago)", {"console": "ID"}),
    Command("quote", "Where a half-remembered quote comes from",
            {"console": "TEXT", "discord": "text [private]", "slack": "TEXT"}),
    Command("readings", "The readings of this course",
            {"console": "", "discord": "", "slack": ""}),
    Command("passage", "One passage in full, by the id shown under an answer",
            {"console": "ID", "discord": "id"}),
    Command("privacy", "Whether the discussion log keeps your messages",
            {"discord": "optout | optin | status", "slack": "[out | in | erase]"}),
    Command("say", "Post in a simulated discussion thread, logged as on Discord",
            {"console": "THREAD TEXT"}),
    Command("log", "Which channels (and their threads) are logged",
            {"discord": "channels add | remove | list"}, instructors=True),
    Command("digest", "A digest of the logged discussion",
            {"console": "[--since D] [--until D] [--channel C] [--anonymize] [--format F] "
                        "[--out FILE]",
             "discord": "[since] [until] [channel] [format] [anonymize]",
             "slack": "[7d | 2026-11-01..2026-11-15] [#channel] [md | csv | json | html] [anon]"},
            instructors=True),
    Command("reindex", "Re-read the readings folder after files were added or changed",
            {"discord": "[rebuild]"}, instructors=True),
    Command("sync", "Publish the bot's commands to this server after an update",
            {"discord": ""}, instructors=True),
    Command("help", "What this bot can do", {"console": "", "discord": ""}),
    Command("clear", "Clear the screen", {"console": ""}),
    Command("quit", "Leave the console (Ctrl-D works too)", {"console": ""}),
)
HELP_INTRO = (
    "I answer from the assigned readings only, quoting where each passage stands (reading, "
    "section, page, paragraph). I never invent an answer."
)


def commands_for(surface: Surface, *, instructor: bool = True) -> list[Command]:
    """The commands a surface has, in help order; students do not see the instructors' ones."""
    return [c for c in COMMANDS if surface in c.usage and (instructor or not c.instructors)]


def description(name: str, surface: Surface) -> str:
    """What a command does, as Discord's command list and Slack's manifest describe it."""
    return next(c for c in COMMANDS if c.name == name and surface in c.usage).described


def help_entries(surface: Surface, *, instructor: bool = True) -> list[tuple[str, str]]:
    """("/ask QUESTION", what it gives) for each command of a surface, in help order."""
    return [(f"/{c.name} {c.usage[surface]}".rstrip(), c.described)
            for c in commands_for(surface, instructor=instructor)]


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
