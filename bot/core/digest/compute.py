"""Instructor digests: what a week or a term of class discussion looked like, from the log.

`compute_digest` reads the discussion log once and returns a plain `Digest` that the renderers
(bot.core.digest.render) turn into Markdown, CSV, JSON or HTML. Everything an instructor sees is
decided here, so every surface (CLI, console, Discord, Slack) reports the same figures.

Counting rules (the tests hand-count against these):
- bot messages are not participants and are not counted as messages; deleted messages are not
  counted; an edited message is one message (its latest text);
- an opted-out author (now or when the message was logged) appears only in `opted_out_messages`;
- a thread is a channel of kind thread/forum_post (or any channel whose messages have a parent);
  its messages are those posted in it plus the message it was started from (a Discord thread
  started from a message, and a Slack thread root, share the thread's id);
- a question is a message with a "?" outside links, code and quoted lines;
- a question in a thread is answered when someone else wrote in the thread after it; a question
  in a channel is answered when someone else replied to it or in a thread started from it; any
  question is also answered when its author later got a bot answer they marked helpful there;
- a reply to others is a message replying to someone else's message, or (without an explicit
  reply) a message in a thread someone else started;
- a message references a passage when the readings matcher finds it quoted or cited in the
  text; a question put to the bot references the passage it was answered with, unless the
  asker marked the answer not helpful.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from bot.core.errors import NotFound, SeminarError
from bot.core.log.pseudonyms import Pseudonymizer, ensure_secret
from bot.core.models import DigestOptions
from bot.core.storage.database import Database
from bot.core.textnorm import WORD_RE

THREAD_KINDS = ("thread", "forum_post")
QUESTION_PREVIEW = 300
# Shorter messages are chatter, not quotations or citations: the matcher is not asked about
# them, which is most of what keeps a term's digest fast.
MIN_REFERENCE_WORDS = 5
# A period longer than this is charted per ISO week instead of per day.
MAX_DAILY_SPAN = 45

_STRIP_FOR_QUESTION = re.compile(
    r"https?://\S+|`{3}.*?`{3}|`[^`\n]*`|^\s*>.*$", re.MULTILINE | re.DOTALL
)


class DigestError(SeminarError):
    """The digest options cannot be used (a bad date, an unknown channel, ...)."""


# -- the readings side, behind a small boundary -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """One reading (and, when known, one passage of it) a text points at."""

    reading_id: str
    passage_id: str | None = None
    how: str = "quote"  # quote | cite | bot


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


# -- options and results ------------------------------------------------------------------------




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


# -- the period -----------------------------------------------------------------------------------


_SPAN_RE = re.compile(r"^(\d+)\s*([dw])$", re.IGNORECASE)


def parse_bound(value: str | None, *, end: bool, now: datetime | None = None) -> datetime | None:
    """A --since/--until value as an aware UTC datetime; a bare date at --until means its end."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    span = _SPAN_RE.match(text)
    if span:
        days = int(span.group(1)) * (7 if span.group(2).lower() == "w" else 1)
        return (now or datetime.now(UTC)) - timedelta(days=days)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DigestError(
            f"{value!r} is not a date: use YYYY-MM-DD, an ISO date-time, or a span like 7d or 2w."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


# -- loading ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Msg:
    id: str
    guild_id: str
    channel_id: str
    parent_id: str | None
    author_id: str
    author_name: str | None
    is_bot: bool
    content: str
    created_at: str
    reply_to: str | None


def _resolve_channels(
    conn: sqlite3.Connection, channel: str, guild_id: str | None
) -> set[str]:
    wanted = channel.strip().lstrip("#")
    args: list[Any] = [wanted, wanted]
    guild_sql = ""
    if guild_id is not None:
        guild_sql = " AND guild_id = ?"
        args.append(guild_id)
    rows = conn.execute(
        f"SELECT id FROM channels WHERE (id = ? OR name = ?){guild_sql}", args
    ).fetchall()
    ids = {r[0] for r in rows}
    if not ids:
        seen = conn.execute(
            "SELECT 1 FROM messages WHERE channel_id = ? LIMIT 1", (wanted,)
        ).fetchone()
        if seen is None:
            names = sorted(
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT name FROM channels WHERE kind = 'channel' AND name IS NOT NULL"
                )
            )
            known = ", ".join(f"#{n}" for n in names[:20]) or "none logged yet"
            raise NotFound(f"No logged channel called {channel!r}. Channels: {known}.")
        ids = {wanted}
    return ids


def _load(
    conn: sqlite3.Connection, opts: DigestOptions, since: datetime | None, until: datetime | None
) -> tuple[list[_Msg], dict[str, sqlite3.Row], list[dict[str, Any]], int]:
    where = ["deleted = 0"]
    args: list[Any] = []
    if since is not None:
        where.append("created_at >= ?")
        args.append(_iso(since))
    if until is not None:
        where.append("created_at < ?")
        args.append(_iso(until))
    if opts.guild_id is not None:
        where.append("guild_id = ?")
        args.append(opts.guild_id)
    base_where = list(where)
    base_args = list(args)
    scope_ids: set[str] = set()
    if opts.channel:
        scope_ids = _resolve_channels(conn, opts.channel, opts.guild_id)
        marks = ", ".join("?" for _ in scope_ids)
        # ... and a thread's starter message, which sits in the parent under the thread's id.
        where.append(f"(channel_id IN ({marks}) OR parent_id IN ({marks}) OR id IN ({marks}))")
        args.extend([*scope_ids, *scope_ids, *scope_ids])
    rows = conn.execute(
        "SELECT id, guild_id, channel_id, parent_id, author_id, author_name, author_is_bot,"
        " content, created_at, reply_to FROM messages WHERE "
        + " AND ".join(where)
        + " ORDER BY created_at, id",
        args,
    ).fetchall()
    optouts: dict[str, set[str]] = defaultdict(set)
    for guild, user in conn.execute("SELECT guild_id, user_id FROM optouts"):
        optouts[guild].add(user)
    messages: list[_Msg] = []
    opted_out = 0
    for r in rows:
        if r[4] in optouts.get(r[1], ()):
            opted_out += 1
            continue
        messages.append(
            _Msg(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7] or "", r[8], r[9])
        )
    channels = {r["id"]: r for r in conn.execute("SELECT * FROM channels")}
    # The period and guild clauses name columns that bot_queries and optout_messages share.
    shared_where = [w for w in base_where if w != "deleted = 0"]
    query_rows = conn.execute(
        "SELECT * FROM bot_queries"
        + (" WHERE " + " AND ".join(shared_where) if shared_where else "")
        + " ORDER BY created_at, id",
        base_args,
    ).fetchall()
    # A student who opted out after asking still counts in the bot's usage, as nobody.
    queries = [
        {**dict(q), "user_id": None} if q["user_id"] in optouts.get(q["guild_id"], ()) else dict(q)
        for q in query_rows
    ]
    if scope_ids:
        scope_all = scope_ids | {cid for cid, c in channels.items() if c["parent_id"] in scope_ids}
        queries = [q for q in queries if q["channel_id"] in scope_all]
    opted_out += _count_optout_messages(conn, shared_where, base_args, scope_ids, channels)
    return messages, channels, queries, opted_out


def _count_optout_messages(
    conn: sqlite3.Connection,
    where: list[str],
    args: list[Any],
    scope_ids: set[str],
    channels: dict[str, sqlite3.Row],
) -> int:
    rows = conn.execute(
        "SELECT channel_id FROM optout_messages"
        + (" WHERE " + " AND ".join(where) if where else ""),
        args,
    ).fetchall()
    if not scope_ids:
        return len(rows)
    return sum(
        1
        for (cid,) in rows
        if cid in scope_ids or (cid in channels and channels[cid]["parent_id"] in scope_ids)
    )


# -- computing ------------------------------------------------------------------------------------


def is_question(text: str) -> bool:
    if "?" not in text and "¿" not in text:
        return False
    stripped = _STRIP_FOR_QUESTION.sub(" ", text)
    return "?" in stripped or "¿" in stripped


def _preview(text: str, limit: int = QUESTION_PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


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
    since = parse_bound(opts.since, end=False, now=now)
    until = parse_bound(opts.until, end=True, now=now)
    if since and until and since >= until:
        raise DigestError("--since must be before --until.")
    if opts.anonymize and pseudonyms is None:
        raise DigestError("An anonymized digest needs the database's pseudonym secret.")
    messages, channels, queries, opted_out = _load(conn, opts, since, until)
    anon = pseudonyms if opts.anonymize else None

    def who(user_id: str, name: str | None) -> str:
        if anon is not None:
            return anon.name(user_id)
        return name or user_id

    def show(text: str) -> str:
        return anon.scrub(text) if anon is not None else text

    by_id = {m.id: m for m in messages}
    humans = [m for m in messages if not m.is_bot]
    names: dict[str, str | None] = {}
    for m in humans:
        names[m.author_id] = m.author_name or names.get(m.author_id)

    # Which conversation each message belongs to: its thread, or its top-level channel.
    thread_ids = {
        cid for cid, c in channels.items() if c["kind"] in THREAD_KINDS
    } | {m.channel_id for m in messages if m.parent_id}
    conv_messages: dict[str, list[_Msg]] = defaultdict(list)
    for m in messages:
        conv_messages[m.channel_id].append(m)
    # Thread starters live in the parent channel under the thread's id.
    starters = {tid: by_id[tid] for tid in thread_ids if tid in by_id}
    for tid, starter in starters.items():
        if starter.channel_id != tid:
            conv_messages[tid].insert(0, starter)

    thread_first: dict[str, _Msg] = {}
    for tid in thread_ids:
        first_human = next((m for m in conv_messages.get(tid, ()) if not m.is_bot), None)
        if first_human is not None:
            thread_first[tid] = first_human

    helpful_by: dict[tuple[str, str], list[str]] = defaultdict(list)
    for q in queries:
        if q["feedback"] == "helpful" and q["user_id"] and q["channel_id"]:
            helpful_by[(q["user_id"], q["channel_id"])].append(q["created_at"])

    # -- per participant -------------------------------------------------------------------
    people: dict[str, ParticipantStats] = {}

    def person(user_id: str) -> ParticipantStats:
        stats = people.get(user_id)
        if stats is None:
            stats = people[user_id] = ParticipantStats(
                id=anon.name(user_id) if anon else user_id, name=who(user_id, names.get(user_id))
            )
        return stats

    threads_joined: dict[str, set[str]] = defaultdict(set)
    word_counts: dict[str, int] = {}
    for m in humans:
        p = person(m.author_id)
        p.messages += 1
        p.words += word_counts.setdefault(m.id, len(WORD_RE.findall(m.content)))
        if p.first_activity is None:
            p.first_activity = m.created_at
        p.last_activity = m.created_at
        if m.channel_id in thread_ids:
            threads_joined[m.author_id].add(m.channel_id)
        if m.id in starters:
            threads_joined[m.author_id].add(m.id)
        target: str | None = None
        if m.reply_to:
            replied = by_id.get(m.reply_to)
            target = replied.author_id if replied and not replied.is_bot else None
        elif m.channel_id in thread_ids:
            first = thread_first.get(m.channel_id)
            target = first.author_id if first is not None and first is not m else None
        if target is not None and target != m.author_id:
            p.replies += 1

    # -- questions -------------------------------------------------------------------------
    replies_to: dict[str, list[_Msg]] = defaultdict(list)
    for m in humans:
        if m.reply_to:
            replies_to[m.reply_to].append(m)

    def answered(q: _Msg, conv_id: str) -> bool:
        if conv_id in thread_ids:
            later = (m for m in conv_messages[conv_id] if m.created_at >= q.created_at)
            if any(not m.is_bot and m.author_id != q.author_id and m is not q for m in later):
                return True
        else:
            if any(r.author_id != q.author_id for r in replies_to.get(q.id, ())):
                return True
            if q.id in thread_ids and any(
                not m.is_bot and m.author_id != q.author_id and m is not q
                for m in conv_messages.get(q.id, ())
            ):
                return True
        return any(
            t >= q.created_at
            for cid in {q.channel_id, conv_id}
            for t in helpful_by.get((q.author_id, cid), ())
        )

    conv_questions: dict[str, list[Question]] = defaultdict(list)
    for m in humans:
        if not is_question(m.content):
            continue
        conv_id = m.channel_id
        if m.id in starters and m.channel_id != m.id:
            conv_id = m.id  # a question that opened a thread belongs to that thread
        ok = answered(m, conv_id)
        conv_questions[conv_id].append(
            Question(
                message_id=m.id,
                text=show(_preview(m.content)),
                author=who(m.author_id, names.get(m.author_id)),
                author_id=anon.name(m.author_id) if anon else m.author_id,
                created_at=m.created_at,
                answered=ok,
                channel_id=conv_id,
            )
        )
        p = person(m.author_id)
        p.questions += 1
        p.unanswered_questions += 0 if ok else 1

    # -- references to the readings ---------------------------------------------------------
    refs: list[tuple[Reference, str | None, str | None]] = []  # (ref, author, conversation)
    if matcher is not None:
        cache: dict[str, Sequence[Reference]] = {}
        for m in humans:
            if word_counts[m.id] < MIN_REFERENCE_WORDS:
                continue
            key = " ".join(m.content.split())
            found = cache.get(key)
            if found is None:
                found = cache[key] = tuple(matcher.references(m.content))
            conv = m.id if m.id in starters else m.channel_id
            for ref in _dedupe(found):
                refs.append((ref, m.author_id, conv))
    for q in queries:
        if q["kind"] not in ("ask", "quote") or q["feedback"] == "not_helpful":
            continue
        results = _json_list(q["results"])
        if results and matcher is not None:
            info = matcher.describe(results[0])
            if info is not None:
                refs.append(
                    (Reference(info.reading_id, info.passage_id, "bot"), q["user_id"],
                     q["channel_id"])
                )

    passages = _passage_stats(refs, matcher, show)
    reading_counts: Counter[str] = Counter(r.reading_id for r, _a, _c in refs)
    readings = [
        {
            "reading_id": rid,
            "title": matcher.reading_title(rid) if matcher else rid,
            "references": n,
        }
        for rid, n in reading_counts.most_common()
    ]
    title_of: dict[str, str] = {str(r["reading_id"]): str(r["title"]) for r in readings}
    per_person_readings: dict[str, set[str]] = defaultdict(set)
    per_person_refs: Counter[str] = Counter()
    conv_refs: dict[str, Counter[str]] = defaultdict(Counter)
    for ref, author, where in refs:
        if author is not None:
            per_person_readings[author].add(ref.reading_id)
            per_person_refs[author] += 1
        if where is not None and ref.passage_id is not None:
            conv_refs[where][ref.passage_id] += 1
    for user_id, stats in people.items():
        stats.threads = len(threads_joined.get(user_id, ()))
        stats.readings = sorted(title_of.get(r, r) for r in per_person_readings.get(user_id, ()))
        stats.references = per_person_refs.get(user_id, 0)
    for q in queries:
        if q["kind"] == "ask" and q["user_id"] in people:
            people[q["user_id"]].bot_questions += 1

    # -- conversations ---------------------------------------------------------------------
    reading_of = {p.passage_id: p.reading for p in passages}

    def conversation(cid: str, kind: str) -> ConversationStats:
        msgs = [m for m in conv_messages.get(cid, ()) if not m.is_bot]
        row = channels.get(cid)
        name = row["name"] if row is not None and row["name"] else None
        if not name:
            name = _preview(msgs[0].content, 60) if msgs else cid
        parent = row["parent_id"] if row is not None else (msgs[0].parent_id if msgs else None)
        parent_row = channels.get(parent) if parent else None
        seen: dict[str, None] = {}
        for m in msgs:
            seen.setdefault(who(m.author_id, names.get(m.author_id)), None)
        return ConversationStats(
            id=cid,
            name=show(name),
            kind=kind,
            parent=(parent_row["name"] if parent_row is not None and parent_row["name"] else parent),
            messages=len(msgs),
            participants=list(seen),
            first_message=msgs[0].created_at if msgs else None,
            last_message=msgs[-1].created_at if msgs else None,
            questions=conv_questions.get(cid, []),
            passages=[
                {"passage_id": pid, "reading": reading_of.get(pid, ""), "references": n}
                for pid, n in conv_refs.get(cid, Counter()).most_common()
            ],
        )

    threads = [
        conversation(tid, channels[tid]["kind"] if tid in channels else "thread")
        for tid in thread_ids
        if any(not m.is_bot for m in conv_messages.get(tid, ()))
    ]
    threads.sort(key=lambda t: (t.first_message or "", t.id))
    top_ids = {m.channel_id for m in humans if m.channel_id not in thread_ids}
    top = [conversation(cid, "channel") for cid in sorted(top_ids)]
    top.sort(key=lambda c: (-c.messages, c.name))

    participants = sorted(people.values(), key=lambda p: (-p.messages, p.name))
    all_questions = [q for qs in conv_questions.values() for q in qs]
    bot = _bot_usage(queries, matcher, who, names, show)
    unit, activity = _activity(humans, since, until)
    return Digest(
        period={"since": _iso(since), "until": _iso(until)},
        generated_at=_iso(now) or "",
        scope={"guild_id": opts.guild_id, "channel": opts.channel},
        anonymized=opts.anonymize,
        totals={
            "messages": len(humans),
            "participants": len(people),
            "threads": len(threads),
            "questions": len(all_questions),
            "unanswered_questions": sum(1 for q in all_questions if not q.answered),
            "bot_messages": len(messages) - len(humans),
            "opted_out_messages": opted_out,
            "passages_referenced": len(passages),
            "references": len(refs),
        },
        participants=participants,
        threads=threads,
        channels=top,
        passages=passages,
        readings=readings,
        bot=bot,
        activity_unit=unit,
        activity=activity,
    )


def _dedupe(found: Iterable[Reference]) -> list[Reference]:
    """One message counts once per passage (or once per reading when no passage is known)."""
    out: dict[tuple[str, str | None], Reference] = {}
    for ref in found:
        out.setdefault((ref.reading_id, ref.passage_id), ref)
    return list(out.values())


def _json_list(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _passage_stats(
    refs: list[tuple[Reference, str | None, str | None]],
    matcher: ReadingsMatcher | None,
    show: Any,
) -> list[PassageStats]:
    grouped: dict[str, list[tuple[Reference, str | None, str | None]]] = defaultdict(list)
    for item in refs:
        if item[0].passage_id is not None:
            grouped[item[0].passage_id].append(item)
    out = []
    for pid, items in grouped.items():
        info = matcher.describe(pid) if matcher else None
        kinds = Counter(r.how for r, _a, _c in items)
        out.append(
            PassageStats(
                passage_id=pid,
                reading_id=info.reading_id if info else items[0][0].reading_id,
                reading=info.reading if info else items[0][0].reading_id,
                text=_preview(info.text, 400) if info else "",
                location=info.location if info else "",
                references=len(items),
                quotes=kinds.get("quote", 0),
                citations=kinds.get("cite", 0),
                bot_answers=kinds.get("bot", 0),
                threads=len({c for _r, _a, c in items if c}),
                participants=len({a for _r, a, _c in items if a}),
            )
        )
    out.sort(key=lambda p: (-p.references, p.passage_id))
    return out


def _bot_usage(
    queries: list[dict[str, Any]],
    matcher: ReadingsMatcher | None,
    who: Any,
    names: dict[str, str | None],
    show: Any,
) -> dict[str, Any]:
    kinds = Counter(q["kind"] for q in queries)
    gaps = []
    for q in queries:
        if q["feedback"] != "not_helpful":
            continue
        results = _json_list(q["results"])
        gaps.append(
            {
                "kind": q["kind"],
                "query": show(_preview(q["query"])),
                "asked_by": who(q["user_id"], names.get(q["user_id"])) if q["user_id"] else None,
                "created_at": q["created_at"],
                "top_passage": results[0] if results else None,
            }
        )
    return {
        "questions_asked": kinds.get("ask", 0),
        "citations_looked_up": kinds.get("cite", 0),
        "quotes_looked_up": kinds.get("quote", 0),
        "helpful": sum(1 for q in queries if q["feedback"] == "helpful"),
        "not_helpful": len(gaps),
        "coverage_gaps": gaps,
    }


def _activity(
    humans: list[_Msg], since: datetime | None, until: datetime | None
) -> tuple[str, list[ActivityBucket]]:
    if not humans:
        return "day", []
    first = date.fromisoformat(humans[0].created_at[:10])
    last = date.fromisoformat(humans[-1].created_at[:10])
    start = since.date() if since else first
    end = (until - timedelta(microseconds=1)).date() if until else last
    start, end = min(start, first), max(end, last)
    weekly = (end - start).days + 1 > MAX_DAILY_SPAN
    unit = "week" if weekly else "day"

    def bucket(day: date) -> date:
        return day - timedelta(days=day.weekday()) if weekly else day

    counts: Counter[date] = Counter()
    people: dict[date, set[str]] = defaultdict(set)
    day_cache: dict[str, date] = {}
    for m in humans:
        key = m.created_at[:10]
        day = day_cache.get(key)
        if day is None:
            day = day_cache[key] = bucket(date.fromisoformat(key))
        counts[day] += 1
        people[day].add(m.author_id)
    out = []
    cursor = bucket(start)
    step = timedelta(days=7 if weekly else 1)
    while cursor <= end:
        out.append(ActivityBucket(cursor.isoformat(), counts.get(cursor, 0), len(people[cursor])))
        cursor += step
    return unit, out


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
