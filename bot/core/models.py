"""Plain records that flow from the readings to every surface.

They carry no behaviour beyond small conveniences, so adapters can format them freely and
tests can build them by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

DEFAULT_COURSE = "default"
# The digest's file formats, and what a person calls each (the order every surface offers them).
DIGEST_FORMATS: dict[str, str] = {"md": "Markdown", "csv": "CSV", "json": "JSON", "html": "HTML"}


class PassageKind(StrEnum):
    """What a passage is. Members are their strings: `passages.kind` stores the value, and
    `kind == "footnote"` holds for a member as for the stored text."""

    BODY = "body"  # running text
    ABSTRACT = "abstract"  # an abstract or summary (also in another language)
    FOOTNOTE = "footnote"  # a note's text
    BIBLIOGRAPHY = "bibliography"  # one reference-list entry
    FIGURE = "figure"  # figure/table debris


# Only these answer questions:
ASKABLE_KINDS: tuple[PassageKind, ...] = (
    PassageKind.BODY, PassageKind.ABSTRACT, PassageKind.FOOTNOTE,
)
# Everything the reading itself says (not its reference list): where quotes and citations are.
TEXT_KINDS: tuple[PassageKind, ...] = (*ASKABLE_KINDS, PassageKind.FIGURE)
# Running text: what a footnote or a block quote hangs from.
RUNNING_KINDS: tuple[PassageKind, ...] = (PassageKind.BODY, PassageKind.ABSTRACT)


def now_iso() -> str:
    """Now as every logged record stores a time: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class CitationKind(StrEnum):
    """How a passage points at a source `cite` found."""

    CITATION = "citation"  # it cites the reference-list entry
    MENTION = "mention"  # it names the author (no reference list lists the source)


def kinds_sql(kinds: tuple[PassageKind, ...]) -> str:
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
    kind: PassageKind
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
        if self.kind == PassageKind.FOOTNOTE and self.label:
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

    def summary(self) -> str:
        return (
            f"indexed {len(self.indexed)} reading(s) ({self.passages} passages), "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed in {self.seconds:.2f}s"
        )


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One reference-list entry. `authors` holds surnames (or a corporate author's name); `year`
    is the year with its suffix ("2000a", "1993-94") or a no-year marker ("n.d.", "in press",
    "forthcoming"), None when the entry prints no date at all."""

    authors: tuple[str, ...]
    year: str | None
    title: str
    raw: str
    container: str | None = None
    pages: str | None = None
    url: str | None = None
    number: int | None = None
    author_names: tuple[str, ...] = ()  # full names where the entry prints given names
    volume: str | None = None
    issue: str | None = None
    doi: str | None = None
    editors: bool = False  # the names lead an edited volume ("(Ed.)", "(Hrsg.)")

    @property
    def formatted(self) -> str:
        """A uniform, APA-like rendering, so entries from differently styled lists read alike."""
        names = list(self.authors)
        who = ", ".join(names[:-1]) + " & " + names[-1] if len(names) > 1 else "".join(names)
        parts = [f"{who} ({self.year or 'n.d.'})." if who else f"({self.year or 'n.d.'})."]
        if self.title:
            parts.append(self.title.rstrip(".") + ".")
        if self.container:
            parts.append(f"{self.container.rstrip('.')}{', ' + self.pages if self.pages else ''}.")
        elif self.pages:
            parts.append(f"pp. {self.pages}.")
        if self.url:
            parts.append(self.url)
        prefix = f"[{self.number}] " if self.number is not None else ""
        return prefix + " ".join(parts)


@dataclass(frozen=True, slots=True)
class CitedIn:
    passage: Passage
    reading: Reading
    citation: str  # as written in the passage, or the name as written for a mention
    locator: str | None
    kind: CitationKind


@dataclass(frozen=True, slots=True)
class CiteMatch:
    score: float
    entry: BibEntry | None
    reading: Reading | None  # the reading whose reference list holds the entry
    cited_in: tuple[CitedIn, ...] = ()


@dataclass(slots=True)
class CiteResult:
    query: str
    matches: list[CiteMatch] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    passage_id: str
    score: float  # 0-100: how closely the printed span matches the quote as given
    start: int
    end: int
    quote: str  # the span exactly as printed in the passage


@dataclass(frozen=True, slots=True)
class QuoteHit:
    match: QuoteMatch
    passage: Passage
    reading: Reading


@dataclass(frozen=True, slots=True)
class QuoteResult:
    query: str
    hits: tuple[QuoteHit, ...]
    confident: bool  # False: the closest spans are shown, but none matches well


@dataclass(slots=True)
class Attachment:
    name: str
    url: str


@dataclass(slots=True)
class LoggedMessage:
    id: str
    platform: str
    guild_id: str
    channel_id: str
    author_id: str
    created_at: str
    content: str | None = ""
    author_name: str | None = None
    author_is_bot: bool = False
    parent_id: str | None = None
    edited_at: str | None = None
    reply_to: str | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    reactions: int = 0
    source: str = "live"


@dataclass(slots=True)
class ChannelInfo:
    id: str
    platform: str
    guild_id: str
    name: str | None = None
    parent_id: str | None = None
    kind: str = "channel"
    created_at: str | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class DigestOptions:
    since: str | None = None  # ISO date/datetime (inclusive) or a span back from now: "7d", "2w"
    until: str | None = None  # ISO date (the whole day is included) or datetime (exclusive)
    channel: str | None = None  # a channel name ("#seminar" or "seminar") or id; with its threads
    guild_id: str | None = None  # one Discord guild / Slack team; None = the whole database
    anonymize: bool = False


@dataclass(frozen=True, slots=True)
class DigestFile:
    filename: str
    data: bytes


@dataclass(slots=True)
class ImportReport:
    files: int = 0
    messages: int = 0  # messages read from the export(s) and handed to the log
    stored: int = 0  # of which stored (the rest were by students who opted out)
    deleted: int = 0
    edits: int = 0
    channels: int = 0
    skipped: int = 0  # system notices and unreadable entries
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Imported {self.messages} messages ({self.stored} stored, "
            f"{self.messages - self.stored} from opted-out students) in {self.channels} "
            f"channels/threads from {self.files} file(s); {self.skipped} system entries skipped."
        )


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: str
    messages: int
    channel_events: int
