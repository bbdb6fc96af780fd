"""Reading the discussion log for one digest: the period's messages, channels and bot queries.

Everything the digest counts is read here in one pass, with opted-out students already taken
out: they are only ever a number (`Log.opted_out`), never a row the rest of the digest sees.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.core.digest.period import Period
from bot.core.errors import NotFound
from bot.core.log.people import Person, load_people, staff_ids
from bot.core.models import DigestOptions, log_time


@dataclass(slots=True)
class LogMessage:
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
    role: str | None = None  # the author's role when it was logged (STAFF_ROLE or None)


@dataclass(slots=True)
class Log:
    messages: list[LogMessage]  # oldest first; no deleted ones, none by opted-out students
    channels: dict[str, sqlite3.Row]  # every channel and thread logged, by id
    queries: list[dict[str, Any]]  # bot_queries rows; an opted-out asker's user_id is None
    opted_out: int  # messages left out because their author opted out
    people: dict[str, Person] = field(default_factory=dict)  # name forms and roles, by user id
    opted_out_ids: set[str] = field(default_factory=set)  # never shown by name, even mentioned
    humans: list[LogMessage] = field(init=False)  # `messages` without the bots'

    def __post_init__(self) -> None:
        self.humans = [m for m in self.messages if not m.is_bot]

    def staff(self, configured: Iterable[str]) -> set[str]:
        """Instructors and TAs: configured ids, people stored as staff, and anyone whose
        message was logged with the staff role."""
        return staff_ids(configured, self.people) | {m.author_id for m in self.humans if m.role}


@dataclass(frozen=True, slots=True)
class _Where:
    """SQL conditions and their arguments, joined with AND."""

    clauses: tuple[str, ...] = ()
    args: tuple[Any, ...] = ()

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""

    def and_(self, clause: str, *args: Any) -> _Where:
        return _Where((*self.clauses, clause), (*self.args, *args))


def load_log(conn: sqlite3.Connection, opts: DigestOptions, period: Period) -> Log:
    """The log as the digest counts it, for `opts`' period, guild and channel (with threads)."""
    # The period and guild conditions name columns messages, bot_queries and optout_messages share.
    shared = _period_and_guild(opts, period)
    scope = resolve_channels(conn, opts.channel, opts.guild_id) if opts.channel else set()
    optouts = _optouts(conn)
    messages, opted_out = _messages(conn, shared, scope, optouts)
    channels = {r["id"]: r for r in conn.execute(
        "SELECT * FROM channels WHERE ? IS NULL OR guild_id = ?", (opts.guild_id, opts.guild_id))}
    in_scope = _with_threads(scope, channels) if scope else None
    queries = _bot_queries(conn, shared, optouts, in_scope)
    opted_out += _count_optout_messages(conn, shared, in_scope)
    people = load_people(conn, opts.guild_id)
    hidden = {uid for guild, users in optouts.items() if opts.guild_id in (None, guild)
              for uid in users}
    return Log(messages, channels, queries, opted_out, people, hidden)


def resolve_channels(conn: sqlite3.Connection, channel: str, guild_id: str | None) -> set[str]:
    """The ids a `--channel` value names (by id or name); a name nobody logged is an error."""
    wanted = channel.strip().lstrip("#")
    where = _Where(("(id = ? OR name = ?)",), (wanted, wanted))
    if guild_id is not None:
        where = where.and_("guild_id = ?", guild_id)
    ids = {r[0] for r in conn.execute(f"SELECT id FROM channels{where.sql()}", where.args)}
    if ids:
        return ids
    seen = conn.execute(
        "SELECT 1 FROM messages WHERE channel_id = ? AND (? IS NULL OR guild_id = ?) LIMIT 1",
        (wanted, guild_id, guild_id),
    ).fetchone()
    if seen is None:
        raise NotFound(
            f"No logged channel called {channel!r}. Channels: {_known_channels(conn, guild_id)}."
        )
    return {wanted}


def _known_channels(conn: sqlite3.Connection, guild_id: str | None) -> str:
    """The channel names one guild may see (the CLI's scope, None: the whole database)."""
    names = sorted(
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT name FROM channels WHERE kind = 'channel' AND name IS NOT NULL"
            " AND (? IS NULL OR guild_id = ?)",
            (guild_id, guild_id),
        )
    )
    return ", ".join(f"#{n}" for n in names[:20]) or "none logged yet"


def _period_and_guild(opts: DigestOptions, period: Period) -> _Where:
    where = _Where()
    if period.since is not None:
        where = where.and_("created_at >= ?", log_time(period.since))
    if period.until is not None:
        where = where.and_("created_at < ?", log_time(period.until))
    if opts.guild_id is not None:
        where = where.and_("guild_id = ?", opts.guild_id)
    return where


def _optouts(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """guild id -> the students there who opted out."""
    optouts: dict[str, set[str]] = defaultdict(set)
    for guild, user in conn.execute("SELECT guild_id, user_id FROM optouts"):
        optouts[guild].add(user)
    return optouts


def _messages(
    conn: sqlite3.Connection, shared: _Where, scope: set[str], optouts: dict[str, set[str]]
) -> tuple[list[LogMessage], int]:
    """The period's live messages in scope, oldest first, and how many opted-out ones were left out."""
    where = _Where(("deleted = 0", *shared.clauses), shared.args)
    if scope:
        marks = ", ".join("?" for _ in scope)
        # ... and a thread's starter message, which sits in the parent under the thread's id.
        where = where.and_(
            f"(channel_id IN ({marks}) OR parent_id IN ({marks}) OR id IN ({marks}))",
            *scope, *scope, *scope,
        )
    rows = conn.execute(
        "SELECT id, guild_id, channel_id, parent_id, author_id, author_name, author_is_bot,"
        f" content, created_at, reply_to, author_role FROM messages{where.sql()}"
        " ORDER BY created_at, id",
        where.args,
    ).fetchall()
    messages = [
        LogMessage(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7] or "", r[8], r[9], r[10])
        for r in rows
        if r[4] not in optouts.get(r[1], ())
    ]
    return messages, len(rows) - len(messages)


def _with_threads(scope: set[str], channels: dict[str, sqlite3.Row]) -> set[str]:
    """The scope's channels and every thread whose parent is one of them."""
    return scope | {cid for cid, c in channels.items() if c["parent_id"] in scope}


def _bot_queries(
    conn: sqlite3.Connection,
    shared: _Where,
    optouts: dict[str, set[str]],
    in_scope: set[str] | None,
) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"SELECT * FROM bot_queries{shared.sql()} ORDER BY created_at, id", shared.args
    ).fetchall()
    # A student who opted out after asking still counts in the bot's usage, as nobody.
    queries = [
        {**dict(q), "user_id": None} if q["user_id"] in optouts.get(q["guild_id"], ()) else dict(q)
        for q in rows
    ]
    if in_scope is None:
        return queries
    return [q for q in queries if q["channel_id"] in in_scope]


def _count_optout_messages(
    conn: sqlite3.Connection, shared: _Where, in_scope: set[str] | None
) -> int:
    """Messages sent by students who had opted out: never stored, only counted."""
    rows = conn.execute(
        f"SELECT channel_id FROM optout_messages{shared.sql()}", shared.args
    ).fetchall()
    if in_scope is None:
        return len(rows)
    return sum(1 for (cid,) in rows if cid in in_scope)
