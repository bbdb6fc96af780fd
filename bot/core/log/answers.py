"""What an answer showed, kept with its question so the answer's buttons outlive the process.

A Discord button or a Slack "More results" carries only the question's id; pressing it after a
restart rebuilds the answer from the row in `bot_queries` (`shown`, JSON), never from memory.
The row goes with the question: when a student erases what was stored, or retention purges it,
its buttons say the answer is no longer stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any


def store_shown(conn: sqlite3.Connection, query_id: int, shown: Mapping[str, Any]) -> None:
    conn.execute("UPDATE bot_queries SET shown = ? WHERE id = ?",
                 (json.dumps(shown, ensure_ascii=False), query_id))


def load_query(conn: sqlite3.Connection, query_id: int) -> sqlite3.Row | None:
    """The question's row (`guild_id`, `user_id`, `kind`, `query`, `shown`), if it is stored."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, guild_id, user_id, kind, query, shown FROM bot_queries WHERE id = ?",
        (query_id,),
    ).fetchone()
    return row
