"""Per-student figures: messages, words, threads joined, replies to others, questions, readings.

Bot messages are not participants; a reply to others is a message replying to someone else's
message, or (without an explicit reply) a message in a thread someone else started.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.core.digest.conversations import Conversations
from bot.core.digest.display import Display
from bot.core.digest.loading import LogMessage
from bot.core.digest.model import ParticipantStats
from bot.core.digest.questions import Asked
from bot.core.digest.referenced import ReferenceUse
from bot.core.textnorm import WORD_RE


def word_counts(humans: Iterable[LogMessage]) -> dict[str, int]:
    """Words per message id (the first message logged under an id decides)."""
    counts: dict[str, int] = {}
    for m in humans:
        if m.id not in counts:
            counts[m.id] = len(WORD_RE.findall(m.content))
    return counts


def participant_stats(
    humans: Sequence[LogMessage],
    convs: Conversations,
    display: Display,
    words: Mapping[str, int],
) -> dict[str, ParticipantStats]:
    """Each author's messages, words, activity span, replies and threads, by user id, in the
    order they first spoke."""
    people: dict[str, ParticipantStats] = {}
    threads_joined: dict[str, set[str]] = defaultdict(set)
    for m in humans:
        p = people.get(m.author_id)
        if p is None:
            p = people[m.author_id] = ParticipantStats(
                id=display.user_id(m.author_id), name=display.name(m.author_id)
            )
        p.messages += 1
        p.words += words[m.id]
        if p.first_activity is None:
            p.first_activity = m.created_at
        p.last_activity = m.created_at
        threads_joined[m.author_id].update(_threads_of(m, convs))
        if _replies_to_someone_else(m, convs):
            p.replies += 1
    for user_id, stats in people.items():
        stats.threads = len(threads_joined.get(user_id, ()))
    return people


def _threads_of(m: LogMessage, convs: Conversations) -> set[str]:
    """The threads a message takes part in: the one it is in, and the one it started."""
    threads = {m.channel_id} if convs.is_thread(m.channel_id) else set()
    if m.id in convs.starters:
        threads.add(m.id)
    return threads


def _replies_to_someone_else(m: LogMessage, convs: Conversations) -> bool:
    target: str | None = None
    if m.reply_to:
        replied = convs.by_id.get(m.reply_to)
        target = replied.author_id if replied and not replied.is_bot else None
    elif convs.is_thread(m.channel_id):
        first = convs.opened_by.get(m.channel_id)
        target = first.author_id if first is not None and first is not m else None
    return target is not None and target != m.author_id


def count_questions(people: Mapping[str, ParticipantStats], asked: Iterable[Asked]) -> None:
    for a in asked:
        p = people[a.message.author_id]
        p.questions += 1
        p.unanswered_questions += 0 if a.question.answered else 1


def count_references(
    people: Mapping[str, ParticipantStats],
    uses: Iterable[ReferenceUse],
    titles: Mapping[str, str],
) -> None:
    """Which readings each student referenced (by title), and how often."""
    readings: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for use in uses:
        if use.author is not None:
            readings[use.author].add(use.reference.reading_id)
            counts[use.author] += 1
    for user_id, stats in people.items():
        stats.readings = sorted(titles.get(r, r) for r in readings.get(user_id, ()))
        stats.references = counts.get(user_id, 0)


def count_bot_questions(
    people: Mapping[str, ParticipantStats], queries: Iterable[dict[str, Any]]
) -> None:
    for q in queries:
        if q["kind"] == "ask" and q["user_id"] in people:
            people[q["user_id"]].bot_questions += 1
