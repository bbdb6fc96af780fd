"""What a digest is: the records `compute_digest` fills in and the renderers read.

Kept apart from the computation so a renderer, a surface or a test can build and read digests
without the code that counts them, and so the readings matcher (bot.core.digest.matcher) can
speak the digest's language without importing its computation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from bot.core.errors import SeminarError


class DigestError(SeminarError):
    """The digest options cannot be used (a bad date, an unknown channel, ...)."""


# -- the readings side, behind a small boundary -------------------------------------------------


class ReferenceKind(StrEnum):
    """How a text points at a reading."""

    QUOTE = "quote"  # it quotes a passage
    CITE = "cite"  # it cites the reading, or a source the reading cites (at the citing passages)
    BOT = "bot"  # a bot answer the asker did not mark unhelpful used the passage


@dataclass(frozen=True, slots=True)
class Reference:
    """One reading (and, when known, one passage of it) a text points at."""

    reading_id: str
    passage_id: str | None = None
    how: ReferenceKind = ReferenceKind.QUOTE


@dataclass(frozen=True, slots=True)
class PassageInfo:
    passage_id: str
    reading_id: str
    reading: str  # the reading's title
    text: str
    location: str = ""


class ReadingsMatcher(Protocol):
    """What the digest needs from the readings engine (quote finder + citation index)."""

    def references(self, text: str) -> Sequence[Reference]:
        """Passages quoted and readings/sources cited in a message's text."""
        ...

    def describe(self, passage_id: str) -> PassageInfo | None:
        """A passage's reading and text, or None when it is no longer in the index."""
        ...

    def reading_title(self, reading_id: str) -> str:
        ...


# -- results ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Question:
    message_id: str
    text: str
    author: str
    author_id: str
    created_at: str
    answered: bool
    channel_id: str


@dataclass(slots=True)
class ParticipantStats:
    id: str
    name: str
    messages: int = 0
    words: int = 0
    threads: int = 0
    replies: int = 0
    questions: int = 0
    unanswered_questions: int = 0
    first_activity: str | None = None
    last_activity: str | None = None
    bot_questions: int = 0
    readings: list[str] = field(default_factory=list)  # titles of readings referenced
    references: int = 0


@dataclass(slots=True)
class ConversationStats:
    """A thread (or, in `Digest.channels`, a top-level channel)."""

    id: str
    name: str
    kind: str
    parent: str | None
    messages: int
    participants: list[str]
    first_message: str | None
    last_message: str | None
    questions: list[Question]
    passages: list[dict[str, Any]]  # [{"passage_id", "reading", "references"}]


@dataclass(slots=True)
class PassageStats:
    passage_id: str
    reading_id: str
    reading: str
    text: str
    location: str
    references: int
    quotes: int
    citations: int
    bot_answers: int
    threads: int
    participants: int


@dataclass(slots=True)
class ActivityBucket:
    period: str  # the day, or the Monday of the week
    messages: int
    participants: int


@dataclass(slots=True)
class Digest:
    period: dict[str, str | None]
    generated_at: str
    scope: dict[str, Any]
    anonymized: bool
    totals: dict[str, int]
    participants: list[ParticipantStats]
    threads: list[ConversationStats]
    channels: list[ConversationStats]
    passages: list[PassageStats]
    readings: list[dict[str, Any]]
    bot: dict[str, Any]
    activity_unit: str
    activity: list[ActivityBucket]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def questions(self) -> list[Question]:
        return [q for conv in (*self.threads, *self.channels) for q in conv.questions]
