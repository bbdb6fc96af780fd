"""Plain records that flow from the readings to every surface.

They carry no behaviour beyond small conveniences, so adapters can format them freely and
tests can build them by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

DEFAULT_COURSE = "default"
# The digest's file formats, and what a person calls each (the order every surface offers them).
DIGEST_FORMATS: dict[str, str] = {"md": "Markdown", "csv": "CSV", "json": "JSON", "html": "HTML"}
# The tables of a CSV digest, one file each; the first is what `--out x.csv` writes by default.
DIGEST_TABLES = ("participants", "totals", "threads", "questions", "passages", "readings",
                 "coverage_gaps", "activity")


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


def log_time(moment: datetime) -> str:
    """A moment as every logged record stores a time: UTC, ISO 8601, to the second, so times
    compare as text. A naive moment is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def now_iso() -> str:
    """Now, as `log_time` writes it."""
    return log_time(datetime.now(UTC))


def clean_text(text: str) -> str:
    """`text` as SQLite (and any terminal) can take it: a lone surrogate (from a broken
    client, or bytes decoded with `surrogateescape`) becomes U+FFFD instead of an
    UnicodeEncodeError; a valid pair written as two halves becomes its character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


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
    authors: tuple[str, ...] = ()  # full names as printed
    year: str | None = None
    course: str = DEFAULT_COURSE
    path: str = ""
    format: str = "txt"
    passages: int = 0
    container: str | None = None  # the journal or book it appeared in
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # its printed page range, "95-102"
    doi: str | None = None
    page_labels: tuple[str | None, ...] = ()  # per PDF page: the number printed on it, or None

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
    # The page to cite: the number printed on it ("101", "xii") or, on an unnumbered page
    # inside a run of numbered ones, the number its place implies; else its place in the
    # file ("3"); None in a reading without pages. `pdf_page` is always the place in the file.
    page: str | None = None
    start: int = 0
    end: int = 0
    label: str | None = None  # a footnote's marker ("1", "12") or a bibliography entry number
    parent_id: str | None = None  # for a footnote: the passage whose marker points at it
    note_ids: tuple[str, ...] = ()  # for a passage with markers: its footnotes
    course: str = DEFAULT_COURSE
    pdf_page: int | None = None  # 1-based page of the file (PDF page, form-feed page)

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
    author_role: str | None = None  # STAFF_ROLE for an instructor or TA at log time, else None


# The role of instructors and TAs: reported apart from students in digests.
STAFF_ROLE = "staff"


@dataclass(slots=True)
class ChannelInfo:
    id: str
    platform: str
    guild_id: str
    name: str | None = None
    parent_id: str | None = None
    kind: str = "channel"  # channel | forum | thread | forum_post
    created_at: str | None = None
    archived: bool = False
    owner_id: str | None = None  # who wrote a thread's or forum post's title


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Part of a channel's or thread's history as a platform returns it, oldest first."""

    messages: Sequence[LoggedMessage]
    deleted: Sequence[str] = ()  # ids the platform shows as deleted (a Slack thread parent)


@dataclass(frozen=True, slots=True)
class PlaceState:
    """What the log knows of one channel or thread when a catch-up starts."""

    place_id: str
    parent_id: str | None = None
    cursor_at: str | None = None  # newest message stored with everything before it
    checked_at: str | None = None  # when its last catch-up finished
    logged: int = 0  # messages the log holds there, not deleted
    last_at: str | None = None  # the newest of them


@dataclass(slots=True)
class CatchUpReport:
    places: int = 0  # channels and threads read
    fetched: int = 0  # messages the platform returned
    stored: int = 0  # of which stored (the rest: tombstoned, or by opted-out students)
    deleted: int = 0  # logged messages found deleted meanwhile
    failed: list[tuple[str, str]] = field(default_factory=list)  # (place id, why)

    def summary(self) -> str:
        failed = f"; failed: {', '.join(p for p, _ in self.failed)}" if self.failed else ""
        return (
            f"{self.places} channel(s)/thread(s) read, {self.fetched} message(s) fetched, "
            f"{self.stored} stored, {self.deleted} found deleted{failed}"
        )


@dataclass(slots=True)
class RepairReport:
    """What `repair` saved of a damaged database, table by table."""

    damage: str  # what SQLite said was wrong
    aside: str  # where the damaged file was kept, untouched
    saved: dict[str, int] = field(default_factory=dict)  # log table -> rows saved
    method: str = ""  # how they were read: "sqlite" (intact tables) or "sqlite3 .recover"
    incomplete: list[str] = field(default_factory=list)  # log tables with unreadable parts

    def summary(self) -> str:
        rows = ", ".join(f"{n} {t}" for t, n in self.saved.items() if n) or "no log rows"
        gaps = (f"; parts of {', '.join(self.incomplete)} could not be read"
                if self.incomplete else "")
        return (f"the database was damaged ({self.damage}); saved {rows} ({self.method}){gaps}; "
                f"the damaged file is kept at {self.aside}")


@dataclass(frozen=True, slots=True)
class DigestOptions:
    since: str | None = None  # ISO date/datetime (inclusive) or a span back from now: "7d", "2w"
    until: str | None = None  # ISO date (the whole day is included) or datetime (exclusive)
    channel: str | None = None  # a channel name ("#seminar" or "seminar") or id; with its threads
    guild_id: str | None = None  # one Discord guild / Slack team; None = the whole database
    anonymize: bool = False
    timezone: str | None = None  # IANA name for days, periods and times shown; None = UTC
    staff: tuple[str, ...] = ()  # instructors' and TAs' user ids (besides roles in the log)


@dataclass(frozen=True, slots=True)
class DigestFile:
    filename: str
    data: bytes


@dataclass(slots=True)
class ImportReport:
    """What an import did, counted as it went: every message read is exactly one of new,
    updated, unchanged or skipped."""

    files: int = 0  # export files read (bad ones included)
    # message entries read, system notices included (Slack's edit and delete notices are not
    # messages: they are counted in `edits` and `deleted`); = new + updated + unchanged + skipped
    messages: int = 0
    new: int = 0  # stored for the first time
    updated: int = 0  # already logged, and this export held a newer version
    unchanged: int = 0  # already logged as the export has it (or newer)
    skipped: int = 0  # not stored: system notices, unreadable entries, opted-out students
    deleted: int = 0  # logged messages the export says were deleted
    edits: int = 0  # logged messages an export's edit notice changed
    channels: int = 0  # channels and threads created or renamed
    bad_files: int = 0  # files that could not be read (each has a warning)
    warnings: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Messages the log now holds from this import (new or refreshed or confirmed)."""
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        bad = f", {self.bad_files} unreadable (see the warnings)" if self.bad_files else ""
        changes = []
        if self.edits:
            changes.append(f"{self.edits} edited by edit notices")
        if self.deleted:
            changes.append(f"{self.deleted} marked deleted")
        extra = f"; {', '.join(changes)}" if changes else ""
        return (
            f"Imported {self.messages} messages from {self.files} file(s){bad}: {self.new} new, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped "
            f"(system notices, opted-out students){extra}; {self.channels} channels/threads "
            "created or renamed."
        )


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: str
    messages: int
    channel_events: int


@dataclass(frozen=True, slots=True)
class StoredQuery:
    """A question put to the bot as stored, with the passages its answer showed (those still
    indexed), so a button pressed later, in another process, can rebuild the answer."""

    id: int
    guild_id: str
    user_id: str | None  # None when the asker had opted out
    kind: str  # ask | cite | quote
    query: str
    shown: dict[str, Any] | None  # presentation.shown_record(...); None for old rows
    passages: dict[str, tuple[Passage, Reading]] = field(default_factory=dict)
