"""Stable pseudonyms for anonymized digests.

A pseudonym is an HMAC of the user id under a random secret that lives only in this database's
`settings` table: the same student gets the same pseudonym in every digest of the same database
(so an instructor can follow "student-3fa91c0b" from week to week), but nobody can recompute it
from a user id without the database, and a different course database gives different names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3

from bot.core.log.discussion import now_iso

SECRET_KEY = "pseudonym_secret"
# Discord `<@123>`/`<@!123>`, Slack `<@U0ABC>`/`<@U0ABC|name>`.
_MENTION_RE = re.compile(r"<@!?([0-9A-Za-z]+)(?:\|[^>]*)?>")


def ensure_secret(conn: sqlite3.Connection) -> str:
    """The database's pseudonym secret, made on first use (runs on the writer thread)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (SECRET_KEY,)).fetchone()
    if row is not None:
        return str(row[0])
    value = secrets.token_hex(32)
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
        (SECRET_KEY, value, now_iso()),
    )
    return value


class Pseudonymizer:
    """Maps user ids to pseudonyms, and scrubs platform mentions (`<@123>`) out of text."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()
        self._cache: dict[str, str] = {}

    def name(self, user_id: str) -> str:
        found = self._cache.get(user_id)
        if found is None:
            digest = hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()
            found = self._cache[user_id] = f"student-{digest[:8]}"
        return found

    def scrub(self, text: str) -> str:
        return _MENTION_RE.sub(lambda m: "@" + self.name(m.group(1)), text)
