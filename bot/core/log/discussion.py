"""The discussion log: every message of the logged channels and threads, losing nothing.

Platform adapters (Discord, Slack, the console, imports) turn their events into the records
below and hand them to the functions here, which run on the database's writer thread (the
tables and their column comments are in `bot.core.storage.migrations`). Writes
are idempotent upserts keyed on the platform's message id, so a redelivered event, a backfill
that overlaps what was logged live, or an import of the same export twice changes nothing.

Privacy rules live here, not in the adapters, so every surface obeys them:
- an opted-out author's messages are never stored; only an anonymous count per channel/thread
  (deduplicated by a one-way hash of the message id, so redelivery does not inflate it);
- a deleted message keeps its row (so counts of "what happened" stay honest) but loses its
  content, its edit history and its attachments.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence

from bot.core.models import ChannelInfo, LoggedMessage, now_iso


def _message_key(guild_id: str, message_id: str) -> str:
    return hashlib.sha256(f"{guild_id}:{message_id}".encode()).hexdigest()


def opted_out_users(conn: sqlite3.Connection, guild_id: str) -> set[str]:
    rows = conn.execute("SELECT user_id FROM optouts WHERE guild_id = ?", (guild_id,))
    return {r[0] for r in rows}


def store_messages(conn: sqlite3.Connection, messages: Iterable[LoggedMessage]) -> int:
    """Upsert messages; returns how many were stored (opted-out ones are only counted)."""
    stored = 0
    optouts: dict[str, set[str]] = {}
    for msg in messages:
        if msg.guild_id not in optouts:
            optouts[msg.guild_id] = opted_out_users(conn, msg.guild_id)
        if msg.author_id in optouts[msg.guild_id]:
            conn.execute(
                "INSERT OR IGNORE INTO optout_messages VALUES (?, ?, ?, ?)",
                (msg.guild_id, msg.channel_id, _message_key(msg.guild_id, msg.id), msg.created_at),
            )
            continue
        _upsert(conn, msg)
        stored += 1
    return stored


def _upsert(conn: sqlite3.Connection, msg: LoggedMessage) -> None:
    row = conn.execute(
        "SELECT content, edited_at, deleted FROM messages WHERE id = ?", (msg.id,)
    ).fetchone()
    attachments = json.dumps([{"name": a.name, "url": a.url} for a in msg.attachments])
    if row is None:
        conn.execute(
            "INSERT INTO messages (id, platform, guild_id, channel_id, parent_id, author_id,"
            " author_name, author_is_bot, content, created_at, edited_at, reply_to, attachments,"
            " reactions, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                msg.id, msg.platform, msg.guild_id, msg.channel_id, msg.parent_id, msg.author_id,
                msg.author_name, int(msg.author_is_bot), msg.content, msg.created_at,
                msg.edited_at, msg.reply_to, attachments, msg.reactions, msg.source,
            ),
        )
        return
    if row["deleted"]:
        return  # a late duplicate of a deleted message must not bring its content back
    if msg.content is not None and msg.content != row["content"]:
        conn.execute(
            "INSERT INTO message_edits VALUES (?, ?, ?, ?)",
            (msg.id, msg.guild_id, row["content"], msg.edited_at or now_iso()),
        )
    conn.execute(
        "UPDATE messages SET content = coalesce(?, content), edited_at = coalesce(?, edited_at),"
        " author_name = coalesce(?, author_name), attachments = ?, reactions = ?,"
        " parent_id = coalesce(?, parent_id), reply_to = coalesce(?, reply_to) WHERE id = ?",
        (
            msg.content, msg.edited_at, msg.author_name, attachments, msg.reactions,
            msg.parent_id, msg.reply_to, msg.id,
        ),
    )


def store_edit(
    conn: sqlite3.Connection,
    message_id: str,
    *,
    content: str | None,
    edited_at: str | None,
    reactions: int | None = None,
) -> bool:
    """Apply an edit that may carry only part of the message; False if we never logged it."""
    row = conn.execute(
        "SELECT guild_id, content, deleted FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    if row is None or row["deleted"]:
        return False
    if content is not None and content != row["content"]:
        conn.execute(
            "INSERT INTO message_edits VALUES (?, ?, ?, ?)",
            (message_id, row["guild_id"], row["content"], edited_at or now_iso()),
        )
        conn.execute(
            "UPDATE messages SET content = ?, edited_at = ? WHERE id = ?",
            (content, edited_at or now_iso(), message_id),
        )
    if reactions is not None:
        conn.execute("UPDATE messages SET reactions = ? WHERE id = ?", (reactions, message_id))
    return True


def bump_reactions(conn: sqlite3.Connection, message_id: str, delta: int | None) -> bool:
    """Follow reactions live: Discord's events say one was added or removed, never the total.

    `delta=None` means every reaction was cleared. False when the message is not logged.
    """
    if delta is None:
        cur = conn.execute("UPDATE messages SET reactions = 0 WHERE id = ?", (message_id,))
    else:
        cur = conn.execute(
            "UPDATE messages SET reactions = max(0, reactions + ?) WHERE id = ?",
            (delta, message_id),
        )
    return cur.rowcount > 0


def mark_deleted(conn: sqlite3.Connection, message_ids: Iterable[str], at: str | None = None) -> int:
    """Keep the row, drop everything the author wrote."""
    ids = list(message_ids)
    when = at or now_iso()
    count = 0
    for mid in ids:
        conn.execute("DELETE FROM message_edits WHERE message_id = ?", (mid,))
        cur = conn.execute(
            "UPDATE messages SET deleted = 1, deleted_at = ?, content = NULL, attachments = '[]'"
            " WHERE id = ? AND deleted = 0",
            (when, mid),
        )
        count += cur.rowcount
    return count


def store_channel(conn: sqlite3.Connection, info: ChannelInfo, *, event: str | None = None) -> None:
    conn.execute(
        "INSERT INTO channels (id, platform, guild_id, parent_id, name, kind, created_at,"
        " archived, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
        " name = coalesce(excluded.name, name), parent_id = coalesce(excluded.parent_id, parent_id),"
        " kind = excluded.kind, archived = excluded.archived, updated_at = excluded.updated_at,"
        " created_at = coalesce(created_at, excluded.created_at)",
        (
            info.id, info.platform, info.guild_id, info.parent_id, info.name, info.kind,
            info.created_at, int(info.archived), now_iso(),
        ),
    )
    if event:
        conn.execute(
            "INSERT INTO channel_events (guild_id, channel_id, event, at, detail)"
            " VALUES (?, ?, ?, ?, ?)",
            (info.guild_id, info.id, event, now_iso(),
             json.dumps({"name": info.name, "archived": info.archived})),
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
        "SELECT id, platform, guild_id, name, parent_id, kind, created_at, archived FROM channels"
        " WHERE guild_id = ? ORDER BY coalesce(updated_at, created_at) DESC",
        (guild_id,),
    )
    return [
        ChannelInfo(r["id"], r["platform"], r["guild_id"], r["name"], r["parent_id"], r["kind"],
                    r["created_at"], bool(r["archived"]))
        for r in rows
    ]


def count_messages(conn: sqlite3.Connection, guild_id: str, author_id: str) -> int:
    """How many of one person's messages the log holds in a guild (deleted rows included)."""
    row = conn.execute(
        "SELECT count(*) FROM messages WHERE guild_id = ? AND author_id = ?", (guild_id, author_id)
    ).fetchone()
    return int(row[0])


def last_message(
    conn: sqlite3.Connection,
    guild_id: str,
    channel_id: str,
    before: str | None = None,
    stored_upto: int | None = None,
) -> str | None:
    """The newest logged message id of a channel or thread: where a backfill resumes.

    `before` (ISO time) ignores messages logged live after a reconnect, which would otherwise
    make a backfill start after the gap it is meant to fill. `stored_upto` (a `log_watermark`)
    does the same by storage order, for platforms that redeliver missed events late (Slack):
    an old message stored after the reconnect must not count as "already caught up".
    """
    row = conn.execute(
        "SELECT id FROM messages WHERE guild_id = ? AND channel_id = ?"
        " AND (? IS NULL OR created_at < ?) AND (? IS NULL OR rowid <= ?)"
        " ORDER BY created_at DESC, length(id) DESC, id DESC LIMIT 1",
        (guild_id, channel_id, before, before, stored_upto, stored_upto),
    ).fetchone()
    return row[0] if row else None


def log_watermark(conn: sqlite3.Connection) -> int:
    """How far the log has been written: rows inserted later have a higher rowid (the table
    is never VACUUMed, which could renumber them)."""
    return int(conn.execute("SELECT coalesce(max(rowid), 0) FROM messages").fetchone()[0])


def live_message_ids(
    conn: sqlite3.Connection, guild_id: str, channel_id: str, since: str | None = None
) -> list[str]:
    """Ids of the not-deleted messages of a channel or thread created at or after `since`."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM messages WHERE guild_id = ? AND channel_id = ? AND deleted = 0"
            " AND (? IS NULL OR created_at >= ?)",
            (guild_id, channel_id, since, since),
        )
    ]


def set_optout(conn: sqlite3.Connection, guild_id: str, user_id: str, *, out: bool) -> None:
    if out:
        conn.execute(
            "INSERT OR IGNORE INTO optouts VALUES (?, ?, ?)", (guild_id, user_id, now_iso())
        )
    else:
        conn.execute(
            "DELETE FROM optouts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )


def is_opted_out(conn: sqlite3.Connection, guild_id: str, user_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM optouts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    ).fetchone()
    return row is not None


def erase_user(conn: sqlite3.Connection, user_id: str, guild_id: str | None = None) -> int:
    """Remove one person's content everywhere (or in one guild); returns messages removed."""
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
    return count


def record_query(
    conn: sqlite3.Connection,
    *,
    guild_id: str,
    kind: str,
    query: str,
    results: Sequence[str],
    channel_id: str | None = None,
    user_id: str | None = None,
) -> int:
    """Store a question put to the bot; opted-out users' questions are kept without who asked."""
    if user_id is not None and is_opted_out(conn, guild_id, user_id):
        user_id = None
    cur = conn.execute(
        "INSERT INTO bot_queries (guild_id, channel_id, user_id, kind, query, results,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (guild_id, channel_id, user_id, kind, query, json.dumps(list(results)), now_iso()),
    )
    return int(cur.lastrowid or 0)


def record_feedback(conn: sqlite3.Connection, query_id: int, *, helpful: bool) -> bool:
    cur = conn.execute(
        "UPDATE bot_queries SET feedback = ?, feedback_at = ? WHERE id = ?",
        ("helpful" if helpful else "not_helpful", now_iso(), query_id),
    )
    return cur.rowcount > 0


def purge_older_than(conn: sqlite3.Connection, cutoff_iso: str) -> int:
    """Retention: drop messages (and their history) created before the cutoff."""
    conn.execute(
        "DELETE FROM message_edits WHERE message_id IN"
        " (SELECT id FROM messages WHERE created_at < ?)",
        (cutoff_iso,),
    )
    conn.execute("DELETE FROM optout_messages WHERE created_at < ?", (cutoff_iso,))
    conn.execute("DELETE FROM bot_queries WHERE created_at < ?", (cutoff_iso,))
    return conn.execute("DELETE FROM messages WHERE created_at < ?", (cutoff_iso,)).rowcount
