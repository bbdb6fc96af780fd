"""The `settings` table: small values a database keeps about itself, by key.

What lives there is listed in docs/database.md (the pseudonym secret, the last retention
cutoff, the index warnings already shown); each owner keeps its own key.
"""

from __future__ import annotations

import sqlite3

from bot.core.models import now_iso


def get_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put_value(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set `key` (on the writer thread), noting when."""
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key)"
        " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, now_iso()),
    )
