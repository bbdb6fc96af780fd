"""Plain records that flow from the readings to every surface.

They carry no behaviour beyond small conveniences, so adapters can format them freely and
tests can build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_COURSE = "default"

# Passage kinds: body: running text; abstract: an abstract or summary (also in another
# language); footnote: a note's text; bibliography: one reference-list entry; figure:
# figure/table debris. Only these answer questions:
ASKABLE_KINDS: tuple[str, ...] = ("body", "abstract", "footnote")
# Everything the reading itself says (not its reference list): where quotes and citations are.
TEXT_KINDS: tuple[str, ...] = ("body", "abstract", "footnote", "figure")


def kinds_sql(kinds: tuple[str, ...]) -> str:
    """`'body', 'abstract'` for an SQL `IN (...)`: the kinds are our constants, never user text."""
    return ", ".join(f"'{k}'" for k in kinds)


@dataclass(frozen=True, slots=True)
class Reading:
    id: str
    title: str
    authors: tuple[str, ...] = ()
    year: str | None = None
    course: str = DEFAULT_COURSE
    path: str = ""
    format: str = "txt"
    passages: int = 0

    @property
    def byline(self) -> str:
        return ", ".join(self.authors)


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    reading_id: str
    kind: str
    text: str
    section: str | None = None
    paragraph: int | None = None
    page: int | None = None
    start: int = 0
    end: int = 0
    label: str | None = None  # a footnote's marker ("1", "12") or a bibliography entry number
    parent_id: str | None = None  # for a footnote: the passage whose marker points at it
    note_ids: tuple[str, ...] = ()  # for a passage with markers: its footnotes
    course: str = DEFAULT_COURSE

    @property
    def location(self) -> str:
        """Where the passage stands, in the words a student would use."""
        parts = []
        if self.section:
            parts.append(f"§ {self.section}")
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.kind == "footnote" and self.label:
            parts.append(f"note {self.label}")
        elif self.paragraph is not None:
            parts.append(f"¶ {self.paragraph}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Hit:
    rank: int
    score: float  # 0-100, see bot.core.search.ranking for what the numbers mean
    passage: Passage
    reading: Reading
    best_sentence: str


@dataclass(frozen=True, slots=True)
class Answer:
    query: str
    hits: tuple[Hit, ...]
    confident: bool
    suggestions: tuple[str, ...] = ()  # closest readings/terms when nothing convincing was found


@dataclass(slots=True)
class IndexReport:
    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passages: int = 0
    seconds: float = 0.0
