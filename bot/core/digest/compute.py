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
from bot.core.digest.period import Clock, Period
from bot.core.digest.questions import Asked, by_conversation, find_questions
from bot.core.digest.referenced import (
    ReferenceUse,
    collect_references,
    passage_stats,
    passages_by_conversation,
    readings_referenced,
)
from bot.core.log.pseudonyms import Pseudonymizer, ensure_secret
from bot.core.models import DigestOptions, log_time
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
    staff = log.staff(opts.staff)
    display = Display(log.humans, pseudonyms if opts.anonymize else None, people=log.people,
                      staff=staff, bots=[m for m in log.messages if m.is_bot],
                      hidden=log.opted_out_ids)
    convs = group_conversations(log.messages, log.channels)
    words = word_counts(log.humans)

    people = participant_stats(log.humans, convs, display, words)
    asked = find_questions(log.humans, convs, log.queries, display)
    count_questions(people, asked)
    for uid, stats in people.items():
        stats.role = "staff" if uid in staff else "student"
    ranked = sorted(people.values(), key=lambda p: (-p.messages, p.name))
    uses = collect_references(log.humans, convs, log.queries, matcher, words)
    passages = passage_stats(uses, matcher)
    readings = readings_referenced(uses, matcher)
    count_references(people, uses, {str(r["reading_id"]): str(r["title"]) for r in readings})
    count_bot_questions(people, log.queries)
    threads, channels = summarize(
        convs, log.humans, log.channels, display,
        by_conversation(asked), passages_by_conversation(uses, passages),
    )
    clock = period.clock()
    unit, buckets = activity(log.humans, period, clock)
    digest = Digest(
        period=period.as_dict(),
        generated_at=clock.show(log_time(now)) or "",
        scope={"guild_id": opts.guild_id,
               "channel": display.text(opts.channel) if opts.channel else None},
        anonymized=opts.anonymize,
        totals=_totals(log, people, threads, asked, passages, uses),
        participants=[p for p in ranked if p.role == "student"],
        threads=threads,
        channels=channels,
        passages=passages,
        readings=readings,
        bot=bot_usage(log.queries, display),
        activity_unit=unit,
        activity=buckets,
        timezone=period.timezone,
        staff=[p for p in ranked if p.role == "staff"],
    )
    _local_times(digest, clock)
    return digest


def _local_times(digest: Digest, clock: Clock) -> None:
    """Every time the digest shows in the course's time zone (ISO with its offset)."""
    for p in (*digest.participants, *digest.staff):
        p.first_activity, p.last_activity = clock.show(p.first_activity), clock.show(p.last_activity)
    for conv in (*digest.threads, *digest.channels):
        conv.first_message, conv.last_message = clock.show(conv.first_message), clock.show(
            conv.last_message)
        for q in conv.questions:
            q.created_at = clock.show(q.created_at) or q.created_at
    for gap in digest.bot["coverage_gaps"]:
        gap["created_at"] = clock.show(gap["created_at"])


def _totals(
    log: Log,
    people: dict[str, ParticipantStats],
    threads: list[ConversationStats],
    asked: list[Asked],
    passages: list[PassageStats],
    uses: list[ReferenceUse],
) -> dict[str, int]:
    students = [p for p in people.values() if p.role == "student"]
    questions = [a for a in asked if a.question.kind == "question"]
    return {
        "messages": len(log.humans),
        "student_messages": sum(p.messages for p in students),
        "staff_messages": sum(p.messages for p in people.values() if p.role == "staff"),
        "participants": len(students),
        "staff": len(people) - len(students),
        "threads": len(threads),
        "questions": len(questions),
        "unanswered_questions": sum(1 for a in questions if not a.question.answered),
        "prompts": len(asked) - len(questions),
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
