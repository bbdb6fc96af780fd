"""Instructor digests: what a week or a term of class discussion looked like, from the log.

`compute_digest` reads the discussion log once and returns a plain `Digest` that the renderers
(bot.core.digest.render) turn into Markdown, CSV, JSON or HTML. Everything an instructor sees is
decided in this package, so every surface (CLI, console, Discord, Slack) reports the same
figures. Each concern has its module, with the counting rules the tests hand-count against:

- loading: deleted messages are not counted; an edited message is one message (its latest
  text); an opted-out author (now or when the message was logged) appears only in
  `opted_out_messages`;
- conversations: which thread or channel each message belongs to;
- participants: bot messages are not participants and are not counted as messages; what
  counts as a reply to others;
- questions: what a question is and when it was answered;
- referenced: which passages a message quotes or cites, and which a bot answer used;
- bot_usage, activity: the bot's use, and messages per day or week.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from bot.core.digest.activity import activity
from bot.core.digest.bot_usage import bot_usage
from bot.core.digest.conversations import group_conversations, summarize
from bot.core.digest.display import Display
from bot.core.digest.loading import Log, load_log
from bot.core.digest.model import (
    ConversationStats,
    Digest,
    DigestError,
    ParticipantStats,
    PassageStats,
    ReadingsMatcher,
)
from bot.core.digest.participants import (
    count_bot_questions,
    count_questions,
    count_references,
    participant_stats,
    word_counts,
)
from bot.core.digest.period import Period, iso
from bot.core.digest.questions import Asked, by_conversation, find_questions
from bot.core.digest.referenced import (
    ReferenceUse,
    collect_references,
    passage_stats,
    passages_by_conversation,
    readings_referenced,
)
from bot.core.log.pseudonyms import Pseudonymizer, ensure_secret
from bot.core.models import DigestOptions
from bot.core.storage.database import Database


def compute_digest(
    conn: sqlite3.Connection,
    opts: DigestOptions,
    *,
    matcher: ReadingsMatcher | None = None,
    pseudonyms: Pseudonymizer | None = None,
    now: datetime | None = None,
) -> Digest:
    """Read the log for the period and scope in `opts` and count everything the digest shows."""
    now = now or datetime.now(UTC)
    period = Period.of(opts, now)
    if opts.anonymize and pseudonyms is None:
        raise DigestError("An anonymized digest needs the database's pseudonym secret.")
    log = load_log(conn, opts, period)
    display = Display(log.humans, pseudonyms if opts.anonymize else None)
    convs = group_conversations(log.messages, log.channels)
    words = word_counts(log.humans)

    people = participant_stats(log.humans, convs, display, words)
    asked = find_questions(log.humans, convs, log.queries, display)
    count_questions(people, asked)
    uses = collect_references(log.humans, convs, log.queries, matcher, words)
    passages = passage_stats(uses, matcher)
    readings = readings_referenced(uses, matcher)
    count_references(people, uses, {str(r["reading_id"]): str(r["title"]) for r in readings})
    count_bot_questions(people, log.queries)
    threads, channels = summarize(
        convs, log.humans, log.channels, display,
        by_conversation(asked), passages_by_conversation(uses, passages),
    )
    unit, buckets = activity(log.humans, period)
    return Digest(
        period=period.as_dict(),
        generated_at=iso(now) or "",
        scope={"guild_id": opts.guild_id, "channel": opts.channel},
        anonymized=opts.anonymize,
        totals=_totals(log, people, threads, asked, passages, uses),
        participants=sorted(people.values(), key=lambda p: (-p.messages, p.name)),
        threads=threads,
        channels=channels,
        passages=passages,
        readings=readings,
        bot=bot_usage(log.queries, display),
        activity_unit=unit,
        activity=buckets,
    )


def _totals(
    log: Log,
    people: dict[str, ParticipantStats],
    threads: list[ConversationStats],
    asked: list[Asked],
    passages: list[PassageStats],
    uses: list[ReferenceUse],
) -> dict[str, int]:
    return {
        "messages": len(log.humans),
        "participants": len(people),
        "threads": len(threads),
        "questions": len(asked),
        "unanswered_questions": sum(1 for a in asked if not a.question.answered),
        "bot_messages": len(log.messages) - len(log.humans),
        "opted_out_messages": log.opted_out,
        "passages_referenced": len(passages),
        "references": len(uses),
    }


def build_digest(
    db: Database,
    opts: DigestOptions,
    *,
    matcher: ReadingsMatcher | None = None,
    now: datetime | None = None,
) -> Digest:
    """The digest from a database: the pseudonym secret is made (once) on the writer thread."""
    pseudonyms = Pseudonymizer(db.run(ensure_secret)) if opts.anonymize else None
    with db.read() as conn:
        return compute_digest(conn, opts, matcher=matcher, pseudonyms=pseudonyms, now=now)
