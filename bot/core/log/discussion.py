"""The discussion log: every message of the logged channels and threads, losing nothing and
keeping nothing it should not.

Platform adapters (Discord, Slack, the console, imports, the catch-up) turn their events into
the records below and hand them to the functions here, which run on the database's writer
thread (the tables and their column comments are in `bot.core.storage.migrations`). Writes
are idempotent upserts keyed on the platform's message id, so a redelivered event, a catch-up
that overlaps what was logged live, or an import of the same export twice changes nothing.

Privacy rules live here, not in the adapters, so every surface obeys them on every path:
- what was removed stays removed: `forget`, an opt-out erase, a retention purge and a deletion
  leave a tombstone (a hash of the message id, or of the author's id with a time range; never
  any text), and `Guard` refuses a message, an edit or a thread title a tombstone covers,
  whichever path brings it back (a live event, a catch-up, an import);
- an opted-out author's messages, edits, thread titles and reactions are never stored; their
  messages only count anonymously per channel/thread (deduplicated by a one-way hash of the
  message id, so redelivery does not inflate it), their questions to the bot are kept without
  their text; opting back in leaves a tombstone over the opted-out time, so nothing written
  then is fetched later;
- a deleted message keeps its row (so counts of "what happened" stay honest) but loses its
  content, its edit history and its attachments;
- text is stored as SQLite can take it (`clean_text`): hostile input never crashes a write.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from bot.core.models import Attachment, ChannelInfo, LoggedMessage, PlaceState, clean_text, now_iso

# What storing one message did (imports report these counts).
Outcome = Literal["new", "updated", "unchanged"]


def _message_key(guild_id: str, message_id: str) -> str:
    """The anonymous key of an opted-out student's message (optout_messages)."""
    return hashlib.sha256(f"{guild_id}:{message_id}".encode()).hexdigest()


THREAD_KINDS = ("thread", "forum_post")  # channels whose name a student wrote


def message_tombstone_key(message_id: str) -> str:
    return hashlib.sha256(f"message:{message_id}".encode()).hexdigest()


def author_tombstone_key(author_id: str) -> str:
    return hashlib.sha256(f"author:{author_id}".encode()).hexdigest()


def moment() -> str:
    """Now, to the microsecond: a tombstone made now covers every message created before it."""
    return datetime.now(UTC).isoformat()


# -- what must not be stored ------------------------------------------------------------------


@dataclass(slots=True)
class Guard:
    """What one guild's log refuses: tombstones over authors and time, the retention cutoff,
    and who is opted out now (see `guard` for how long one is kept)."""

    guild_id: str
    opted_out: set[str]
    authors: dict[str, list[tuple[str | None, str | None]]] = field(default_factory=dict)
    cutoff: str | None = None  # nothing created before this is kept (retention)
    messages: frozenset[str] = frozenset()  # message tombstones' keys, every guild's

    @classmethod
    def load(cls, conn: sqlite3.Connection, guild_id: str, messages: frozenset[str]) -> Guard:
        authors: dict[str, list[tuple[str | None, str | None]]] = {}
        for key, since, until in conn.execute(
            "SELECT author_key, since, until FROM tombstones WHERE author_key IS NOT NULL"
            " AND (guild_id IS NULL OR guild_id = ?)",
            (guild_id,),
        ):
            authors.setdefault(key, []).append((since, until))
        cutoff = conn.execute(
            "SELECT max(until) FROM tombstones WHERE reason = 'retention'"
        ).fetchone()[0]
        return cls(guild_id, opted_out_users(conn, guild_id), authors, cutoff, messages)

    def erased(self, author_id: str | None, created_at: str | None) -> bool:
        """Whether a tombstone covers what `author_id` wrote at `created_at` (None: now)."""
        when = created_at or now_iso()
        if self.cutoff is not None and when < self.cutoff:
            return True
        if author_id is None or not self.authors:
            return False
        ranges = self.authors.get(author_tombstone_key(author_id), ())
        return any((since is None or when >= since) and (until is None or when < until)
                   for since, until in ranges)

    def refuses(self, msg: LoggedMessage) -> bool:
        return self.erased(msg.author_id, msg.created_at) or (
            bool(self.messages) and message_tombstone_key(msg.id) in self.messages
        )


@dataclass(slots=True)
class _Remembered:
    data_version: int  # PRAGMA data_version: moves when another connection commits
    generation: int  # _GENERATION when read: moves when this process changes what is refused
    messages: frozenset[str]
    guards: dict[str, Guard] = field(default_factory=dict)


_remembered: weakref.WeakKeyDictionary[sqlite3.Connection, _Remembered] = (
    weakref.WeakKeyDictionary()
)
_GENERATION = 0


def guard(conn: sqlite3.Connection, guild_id: str) -> Guard:
    """The guild's `Guard`, read once and kept for the connection until something may have
    changed it: this process changing opt-outs or tombstones (`_refusals_changed`), or
    another program committing to the file (a CLI `forget` while the bot runs). A burst of
    messages costs one `PRAGMA data_version` per write instead of a read of every tombstone."""
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    try:
        state = _remembered.get(conn)
    except TypeError:  # a plain sqlite3 connection cannot be remembered: read afresh
        state, conn_kept = None, False
    else:
        conn_kept = True
    if state is None or state.data_version != version or state.generation != _GENERATION:
        keys = frozenset(r[0] for r in conn.execute(
            "SELECT message_key FROM tombstones WHERE message_key IS NOT NULL"))
        state = _Remembered(version, _GENERATION, keys)
        if conn_kept:
            _remembered[conn] = state
    found = state.guards.get(guild_id)
    if found is None:
        found = state.guards[guild_id] = Guard.load(conn, guild_id, state.messages)
    return found


def _refusals_changed() -> None:
    """Opt-outs or tombstones were written: every kept `Guard` is read again."""
    global _GENERATION
    _GENERATION += 1


def _tombstone(
    conn: sqlite3.Connection,
    reason: str,
    *,
    guild_id: str | None = None,
    message_id: str | None = None,
    author_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    created_at: str | None = None,
) -> None:
    _refusals_changed()
    conn.execute(
        "INSERT OR IGNORE INTO tombstones (reason, guild_id, message_key, author_key, since,"
        " until, created_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            reason, guild_id,
            message_tombstone_key(message_id) if message_id is not None else None,
            author_tombstone_key(author_id) if author_id is not None else None,
            since, until, created_at, moment(),
        ),
    )


def opted_out_users(conn: sqlite3.Connection, guild_id: str) -> set[str]:
    rows = conn.execute("SELECT user_id FROM optouts WHERE guild_id = ?", (guild_id,))
    return {r[0] for r in rows}


# -- messages -----------------------------------------------------------------------------------


def store_messages(
    conn: sqlite3.Connection,
    messages: Iterable[LoggedMessage],
    *,
    outcomes: Counter[str] | None = None,
) -> int:
    """Upsert messages; returns how many were stored. Tombstoned ones are left out, opted-out
    ones only counted.

    `outcomes`, when given, counts what each stored message did (`Outcome`)."""
    stored = 0
    guards: dict[str, Guard] = {}
    for msg in messages:
        refusing = guards.get(msg.guild_id)
        if refusing is None:
            refusing = guards[msg.guild_id] = guard(conn, msg.guild_id)
        if refusing.refuses(msg):
            continue
        if msg.author_id in refusing.opted_out:
            if not _exists(conn, msg.id):  # counted once, and never beside a stored row
                conn.execute(
                    "INSERT OR IGNORE INTO optout_messages VALUES (?, ?, ?, ?)",
                    (msg.guild_id, msg.channel_id, _message_key(msg.guild_id, msg.id),
                     msg.created_at),
                )
            continue
        outcome = _upsert(conn, _cleaned(msg))
        if outcomes is not None:
            outcomes[outcome] += 1
        stored += 1
    return stored


def _exists(conn: sqlite3.Connection, message_id: str) -> bool:
    return conn.execute("SELECT 1 FROM messages WHERE id = ?", (message_id,)).fetchone() is not None


def _cleaned(msg: LoggedMessage) -> LoggedMessage:
    """The record with every text field storable (see `clean_text`); itself when it is."""
    texts = [msg.content, msg.author_name, *(t for a in msg.attachments for t in (a.name, a.url))]
    if all(t is None or clean_text(t) is t for t in texts):
        return msg
    return replace(
        msg,
        content=None if msg.content is None else clean_text(msg.content),
        author_name=None if msg.author_name is None else clean_text(msg.author_name),
        attachments=tuple(Attachment(clean_text(a.name), clean_text(a.url))
                          for a in msg.attachments),
    )


def _newer(msg: LoggedMessage, row: sqlite3.Row) -> bool:
    """Whether `msg` is a later version than the stored row: the latest edit (or creation) time
    wins whatever order the versions arrive in (live, catch-up, any export); at the same time,
    the larger text, so that the result does not depend on the order either."""
    incoming = msg.edited_at or msg.created_at
    stored = row["edited_at"] or row["created_at"]
    if incoming != stored:
        return incoming > stored  # both ISO 8601 UTC: text order is time order
    return (msg.content or "") > (row["content"] or "")


def _remember_version(conn: sqlite3.Connection, msg: LoggedMessage, text: str | None,
                      replaced_at: str) -> None:
    """Keep `text` as an earlier version of the message, once (re-imports add nothing)."""
    if not text:
        return  # an empty stored text (logged without content access) is no version
    seen = conn.execute(
        "SELECT 1 FROM message_edits WHERE message_id = ? AND content = ?", (msg.id, text)
    ).fetchone()
    if seen is None:
        conn.execute("INSERT INTO message_edits VALUES (?, ?, ?, ?)",
                     (msg.id, msg.guild_id, text, replaced_at))


def _upsert(conn: sqlite3.Connection, msg: LoggedMessage) -> Outcome:
    row = conn.execute(
        "SELECT content, created_at, edited_at, deleted, author_name, attachments, reactions,"
        " parent_id, reply_to, author_role FROM messages WHERE id = ?", (msg.id,)
    ).fetchone()
    attachments = json.dumps([{"name": a.name, "url": a.url} for a in msg.attachments])
    if row is None:
        conn.execute(
            "INSERT INTO messages (id, platform, guild_id, channel_id, parent_id, author_id,"
            " author_name, author_is_bot, content, created_at, edited_at, reply_to, attachments,"
            " reactions, source, author_role)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                msg.id, msg.platform, msg.guild_id, msg.channel_id, msg.parent_id, msg.author_id,
                msg.author_name, int(msg.author_is_bot), msg.content, msg.created_at,
                msg.edited_at, msg.reply_to, attachments, msg.reactions, msg.source,
                msg.author_role,
            ),
        )
        return "new"
    if row["deleted"]:
        return "unchanged"  # a late duplicate of a deleted message must not bring its content back
    newer = msg.content is not None and _newer(msg, row)
    values = dict(row)
    if newer:
        if msg.content != row["content"]:
            _remember_version(conn, msg, row["content"], msg.edited_at or msg.created_at)
        values.update(content=msg.content, edited_at=msg.edited_at or row["edited_at"],
                      attachments=attachments, reactions=msg.reactions)
    elif msg.content and msg.content != row["content"]:
        # An older version arriving late (an old export after the live log): history only.
        _remember_version(conn, msg, msg.content, row["edited_at"] or row["created_at"])
    elif msg.content == row["content"]:
        # The same version again (a backfill, another export): reactions only grow this way
        # (live removals are followed by bump_reactions), so the order does not matter.
        values.update(reactions=max(row["reactions"], msg.reactions),
                      attachments=row["attachments"] if row["attachments"] != "[]" else attachments)
    # What an older version may still add: fields the stored one lacks.
    values.update(
        author_name=(msg.author_name if newer else None) or row["author_name"] or msg.author_name,
        parent_id=row["parent_id"] or msg.parent_id,
        reply_to=row["reply_to"] or msg.reply_to,
        author_role=row["author_role"] or msg.author_role,
    )
    if values == dict(row):
        return "unchanged"
    conn.execute(
        "UPDATE messages SET content = ?, edited_at = ?, author_name = ?, attachments = ?,"
        " reactions = ?, parent_id = ?, reply_to = ?, author_role = ? WHERE id = ?",
        (values["content"], values["edited_at"], values["author_name"], values["attachments"],
         values["reactions"], values["parent_id"], values["reply_to"], values["author_role"],
         msg.id),
    )
    return "updated"


def store_edit(
    conn: sqlite3.Connection,
    message_id: str,
    *,
    content: str | None,
    edited_at: str | None,
    reactions: int | None = None,
    guild_id: str | None = None,
) -> bool:
    """Apply an edit that may carry only part of the message; False if we never logged it.

    The edit of an opted-out or forgotten author changes nothing but the reaction count."""
    row = conn.execute(
        "SELECT guild_id, author_id, created_at, content, deleted,"
        " coalesce(edited_at, created_at) AS version FROM messages"
        " WHERE id = ? AND (? IS NULL OR guild_id = ?)",
        (message_id, guild_id, guild_id),
    ).fetchone()
    if row is None or row["deleted"]:
        return False
    if edited_at is not None and edited_at < row["version"]:
        content = None  # an edit older than the version logged (a late event): history has it
    refusing = guard(conn, row["guild_id"])
    if row["author_id"] in refusing.opted_out or refusing.erased(row["author_id"],
                                                                  row["created_at"]):
        content = None  # their text is not stored any more
    if content is not None and clean_text(content) != row["content"]:
        when = edited_at or now_iso()
        conn.execute(
            "INSERT INTO message_edits VALUES (?, ?, ?, ?)",
            (message_id, row["guild_id"], row["content"], when),
        )
        conn.execute(
            "UPDATE messages SET content = ?, edited_at = ? WHERE id = ?",
            (clean_text(content), when, message_id),
        )
    if reactions is not None:
        conn.execute("UPDATE messages SET reactions = ? WHERE id = ?", (reactions, message_id))
    return True


def bump_reactions(
    conn: sqlite3.Connection,
    message_id: str,
    delta: int | None,
    *,
    user_id: str | None = None,
    guild_id: str | None = None,
) -> bool:
    """Follow reactions live: Discord's events say one was added or removed, never the total.

    `delta=None` means every reaction was cleared. An opted-out student's reaction is not
    counted. False when the message is not logged (or the reaction not counted)."""
    if user_id is not None and guild_id is not None and is_opted_out(conn, guild_id, user_id):
        return False
    if delta is None:
        cur = conn.execute(
            "UPDATE messages SET reactions = 0 WHERE id = ? AND (? IS NULL OR guild_id = ?)",
            (message_id, guild_id, guild_id),
        )
    else:
        cur = conn.execute(
            "UPDATE messages SET reactions = max(0, reactions + ?) WHERE id = ?"
            " AND (? IS NULL OR guild_id = ?)",
            (delta, message_id, guild_id, guild_id),
        )
    return cur.rowcount > 0


def mark_deleted(
    conn: sqlite3.Connection,
    message_ids: Iterable[str],
    at: str | None = None,
    *,
    guild_id: str | None = None,
) -> int:
    """Keep the row, drop everything the author wrote, and leave a tombstone so no later
    catch-up or import stores the message again (also for one never logged: deleted before
    we saw it). Returns how many logged messages were blanked."""
    when = at or now_iso()
    count = 0
    for mid in message_ids:
        row = conn.execute(
            "SELECT guild_id, created_at FROM messages WHERE id = ? AND (? IS NULL OR guild_id = ?)",
            (mid, guild_id, guild_id),
        ).fetchone()
        _tombstone(conn, "deleted", guild_id=row["guild_id"] if row else guild_id,
                   message_id=mid, created_at=row["created_at"] if row else None)
        if row is None:
            continue
        conn.execute("DELETE FROM message_edits WHERE message_id = ?", (mid,))
        cur = conn.execute(
            "UPDATE messages SET deleted = 1, deleted_at = ?, content = NULL, attachments = '[]'"
            " WHERE id = ? AND deleted = 0",
            (when, mid),
        )
        count += cur.rowcount
    return count


# -- channels and threads -----------------------------------------------------------------------


def store_channel(conn: sqlite3.Connection, info: ChannelInfo, *, event: str | None = None) -> None:
    """Upsert a channel or thread. A thread's or forum post's title is its author's text:
    not stored when they opted out, or a tombstone (their erasure, the retention cutoff)
    covers when it was written (a title stored earlier is kept, like their earlier messages,
    until they are erased or it expires)."""
    name = None if info.name is None else clean_text(info.name)
    if name is not None and info.kind in THREAD_KINDS:
        refusing = guard(conn, info.guild_id)
        if info.owner_id in refusing.opted_out or refusing.erased(info.owner_id, info.created_at):
            name = None
    conn.execute(
        "INSERT INTO channels (id, platform, guild_id, parent_id, name, kind, created_at,"
        " archived, updated_at, owner_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET"
        " name = coalesce(excluded.name, name), parent_id = coalesce(excluded.parent_id, parent_id),"
        " kind = excluded.kind, archived = excluded.archived, updated_at = excluded.updated_at,"
        " created_at = coalesce(created_at, excluded.created_at),"
        " owner_id = coalesce(owner_id, excluded.owner_id)",
        (
            info.id, info.platform, info.guild_id, info.parent_id, name, info.kind,
            info.created_at, int(info.archived), now_iso(), info.owner_id,
        ),
    )
    if event:
        conn.execute(
            "INSERT INTO channel_events (guild_id, channel_id, event, at, detail)"
            " VALUES (?, ?, ?, ?, ?)",
            (info.guild_id, info.id, event, now_iso(),
             json.dumps({"name": name, "archived": info.archived})),
        )


def set_logged_channel(
    conn: sqlite3.Connection, guild_id: str, channel_id: str, *, on: bool, by: str | None = None
) -> None:
    if on:
        conn.execute(
            "INSERT OR IGNORE INTO logged_channels VALUES (?, ?, ?, ?)",
            (guild_id, channel_id, by, now_iso()),
        )
    else:
        conn.execute(
            "DELETE FROM logged_channels WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )


def logged_channels(conn: sqlite3.Connection, guild_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT channel_id FROM logged_channels WHERE guild_id = ? ORDER BY added_at", (guild_id,)
    )
    return [r[0] for r in rows]


def known_channels(conn: sqlite3.Connection, guild_id: str) -> list[ChannelInfo]:
    """Channels and threads seen in one guild, newest activity first (for pickers)."""
    rows = conn.execute(
        "SELECT id, platform, guild_id, name, parent_id, kind, created_at, archived, owner_id"
        " FROM channels WHERE guild_id = ? ORDER BY coalesce(updated_at, created_at) DESC",
        (guild_id,),
    )
    return [
        ChannelInfo(r["id"], r["platform"], r["guild_id"], r["name"], r["parent_id"], r["kind"],
                    r["created_at"], bool(r["archived"]), r["owner_id"])
        for r in rows
    ]


def count_messages(conn: sqlite3.Connection, guild_id: str, author_id: str) -> int:
    """How many of one person's messages the log holds in a guild (deleted rows included)."""
    row = conn.execute(
        "SELECT count(*) FROM messages WHERE guild_id = ? AND author_id = ?", (guild_id, author_id)
    ).fetchone()
    return int(row[0])


# -- what the catch-up needs ------------------------------------------------------------------


def place_states(
    conn: sqlite3.Connection, platform: str, guild_id: str, parent_id: str | None = None
) -> dict[str, PlaceState]:
    """The channels (`parent_id` None) or the threads of one channel the log knows, with
    their catch-up points and what is logged there."""
    where = "parent_id IS NULL" if parent_id is None else "parent_id = ?"
    args: tuple[str, ...] = (platform, guild_id) + (() if parent_id is None else (parent_id,))
    places = {
        r[0]: r[1]
        for r in conn.execute(
            f"SELECT id, parent_id FROM channels WHERE platform = ? AND guild_id = ? AND {where}"
            f" UNION SELECT place_id, parent_id FROM catchup_points WHERE platform = ?"
            f" AND guild_id = ? AND {where}",
            args + args,
        )
    }
    states = {}
    for place_id, parent in places.items():
        point = conn.execute(
            "SELECT cursor_at, checked_at FROM catchup_points WHERE platform = ? AND guild_id = ?"
            " AND place_id = ?",
            (platform, guild_id, place_id),
        ).fetchone()
        logged, last_at = conn.execute(
            "SELECT total(deleted = 0), max(created_at) FROM messages"
            " WHERE guild_id = ? AND channel_id = ?",
            (guild_id, place_id),
        ).fetchone()
        states[place_id] = PlaceState(
            place_id, parent, point["cursor_at"] if point else None,
            point["checked_at"] if point else None, int(logged or 0), last_at,
        )
    return states


def logged_between(
    conn: sqlite3.Connection, guild_id: str, place_id: str, after: str | None, upto: str
) -> list[tuple[str, str]]:
    """(id, created_at) of the not-deleted messages of a place created in (after, upto]."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT id, created_at FROM messages WHERE guild_id = ? AND channel_id = ?"
            " AND deleted = 0 AND (? IS NULL OR created_at > ?) AND created_at <= ?",
            (guild_id, place_id, after, after, upto),
        )
    ]


def advance_cursor(
    conn: sqlite3.Connection,
    platform: str,
    guild_id: str,
    place: ChannelInfo,
    cursor: str,
    cursor_at: str,
) -> None:
    """Everything in `place` up to `cursor` (created at `cursor_at`) is stored: its point
    moves there, and never back."""
    conn.execute(
        "INSERT INTO catchup_points (platform, guild_id, place_id, parent_id, cursor, cursor_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, guild_id, place_id) DO UPDATE SET"
        " cursor = excluded.cursor, cursor_at = excluded.cursor_at,"
        " parent_id = coalesce(excluded.parent_id, parent_id)"
        " WHERE cursor_at IS NULL OR excluded.cursor_at > cursor_at",
        (platform, guild_id, place.id, place.parent_id, cursor, cursor_at),
    )


def finish_place(
    conn: sqlite3.Connection,
    platform: str,
    guild_id: str,
    place: ChannelInfo,
    *,
    checked_at: str | None = None,
    error: str | None = None,
) -> None:
    """A catch-up of `place` read all it had to (`checked_at`: when it started), or failed
    (`error`, counted until one succeeds)."""
    if error is None:
        conn.execute(
            "INSERT INTO catchup_points (platform, guild_id, place_id, parent_id, checked_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, guild_id, place_id) DO UPDATE SET"
            " checked_at = excluded.checked_at, failures = 0, error = NULL,"
            " parent_id = coalesce(excluded.parent_id, parent_id)",
            (platform, guild_id, place.id, place.parent_id, checked_at),
        )
        return
    conn.execute(
        "INSERT INTO catchup_points (platform, guild_id, place_id, parent_id, failures, error)"
        " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (platform, guild_id, place_id) DO UPDATE SET"
        " failures = failures + 1, error = excluded.error",
        (platform, guild_id, place.id, place.parent_id, clean_text(error)),
    )


# -- opt-out and erasure ------------------------------------------------------------------------


def set_optout(conn: sqlite3.Connection, guild_id: str, user_id: str, *, out: bool) -> None:
    """Opting back in leaves a tombstone over the time one was out: what one wrote then is
    never stored, even if a catch-up or an import brings it later."""
    _refusals_changed()
    if out:
        conn.execute(
            "INSERT OR IGNORE INTO optouts VALUES (?, ?, ?)", (guild_id, user_id, now_iso())
        )
        return
    row = conn.execute(
        "SELECT at FROM optouts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    ).fetchone()
    if row is None:
        return
    _tombstone(conn, "optout", guild_id=guild_id, author_id=user_id, since=row["at"],
               until=moment())
    conn.execute("DELETE FROM optouts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))


def is_opted_out(conn: sqlite3.Connection, guild_id: str, user_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM optouts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    ).fetchone()
    return row is not None


def erase_user(
    conn: sqlite3.Connection, user_id: str, guild_id: str | None = None, *, reason: str = "forget"
) -> int:
    """Remove one person's content everywhere (or in one guild): their messages and their
    history, their questions to the bot, the titles of the threads they started; and leave a
    tombstone over everything they wrote until now. Returns messages removed. The caller
    empties the WAL afterwards (`Database.write(..., checkpoint=True)`)."""
    _tombstone(conn, reason, guild_id=guild_id, author_id=user_id, until=moment())
    where, args = ("author_id = ?", [user_id])
    if guild_id is not None:
        where, args = (f"{where} AND guild_id = ?", [user_id, guild_id])
    conn.execute(
        f"DELETE FROM message_edits WHERE message_id IN (SELECT id FROM messages WHERE {where})",
        args,
    )
    count = conn.execute(f"DELETE FROM messages WHERE {where}", args).rowcount
    q_where = "user_id = ?" + (" AND guild_id = ?" if guild_id is not None else "")
    conn.execute(f"DELETE FROM bot_queries WHERE {q_where}", args)
    conn.execute(f"DELETE FROM people WHERE {q_where}", args)  # their names too
    owned = "owner_id = ?" + (" AND guild_id = ?" if guild_id is not None else "")
    conn.execute(
        f"UPDATE channel_events SET detail = '{{}}' WHERE channel_id IN"
        f" (SELECT id FROM channels WHERE {owned})",
        args,
    )
    conn.execute(f"UPDATE channels SET name = NULL WHERE {owned}", args)
    return count


# -- questions put to the bot -------------------------------------------------------------------


def record_query(
    conn: sqlite3.Connection,
    *,
    guild_id: str,
    kind: str,
    query: str,
    results: Sequence[str],
    channel_id: str | None = None,
    user_id: str | None = None,
    confident: bool | None = None,
) -> int:
    """Store a question put to the bot. An opted-out user's question is kept as a count: no
    asker, no text (only what kind of lookup it was and which passages it showed).
    `confident`: whether the answer shown was confident (a digest counts only those, or ones
    marked helpful, as answering a question)."""
    if user_id is not None and is_opted_out(conn, guild_id, user_id):
        user_id, query = None, ""
    cur = conn.execute(
        "INSERT INTO bot_queries (guild_id, channel_id, user_id, kind, query, results,"
        " created_at, confident) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (guild_id, channel_id, user_id, kind, clean_text(query), json.dumps(list(results)),
         now_iso(), None if confident is None else int(confident)),
    )
    return int(cur.lastrowid or 0)


def record_feedback(conn: sqlite3.Connection, query_id: int, *, helpful: bool) -> bool:
    cur = conn.execute(
        "UPDATE bot_queries SET feedback = ?, feedback_at = ? WHERE id = ?",
        ("helpful" if helpful else "not_helpful", now_iso(), query_id),
    )
    return cur.rowcount > 0


# -- retention ----------------------------------------------------------------------------------


def purge_older_than(conn: sqlite3.Connection, cutoff_iso: str) -> int:
    """Retention: drop messages (and their history, the questions to the bot, the anonymous
    counts and the titles of threads left empty) created before the cutoff, and leave a
    tombstone at the cutoff, so a catch-up or an import never brings them back. Tombstones
    the new one covers are dropped: it says all they said."""
    conn.execute(
        "DELETE FROM message_edits WHERE message_id IN"
        " (SELECT id FROM messages WHERE created_at < ?)",
        (cutoff_iso,),
    )
    conn.execute("DELETE FROM optout_messages WHERE created_at < ?", (cutoff_iso,))
    conn.execute("DELETE FROM bot_queries WHERE created_at < ?", (cutoff_iso,))
    purged = conn.execute("DELETE FROM messages WHERE created_at < ?", (cutoff_iso,)).rowcount
    conn.execute(  # threads started before the cutoff, with nothing left in them: their titles
        "DELETE FROM channels WHERE kind IN ('thread', 'forum_post')"
        " AND coalesce(created_at, updated_at) < ?"
        " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.channel_id = channels.id)",
        (cutoff_iso,),
    )
    _tombstone(conn, "retention", until=cutoff_iso)
    conn.execute(
        "DELETE FROM tombstones WHERE (reason = 'retention' AND until < ?)"
        " OR (message_key IS NOT NULL AND created_at < ?)"
        " OR (author_key IS NOT NULL AND until IS NOT NULL AND until <= ?)",
        (cutoff_iso, cutoff_iso, cutoff_iso),
    )
    return purged
