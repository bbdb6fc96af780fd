"""Stable pseudonyms for anonymized digests.

A pseudonym is an HMAC of the user id under a random secret that lives only in this database's
`settings` table: the same student gets the same pseudonym in every digest of the same database
(so an instructor can follow "student-3fa91c0b" from week to week), but nobody can recompute it
from a user id without the database, and a different course database gives different names.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3

from bot.core.storage.settings import get_value, put_value

SECRET_KEY = "pseudonym_secret"


def ensure_secret(conn: sqlite3.Connection) -> str:
    """The database's pseudonym secret, made on first use (runs on the writer thread)."""
    value = get_value(conn, SECRET_KEY)
    if value is None:
        value = secrets.token_hex(32)
        put_value(conn, SECRET_KEY, value)
    return value


class Pseudonymizer:
    """Maps user ids to pseudonyms (the digest's Display puts them in for every name form and
    mention, bot.core.digest.names)."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()
        self._cache: dict[str, str] = {}

    def name(self, user_id: str) -> str:
        found = self._cache.get(user_id)
        if found is None:
            digest = hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()
            found = self._cache[user_id] = f"student-{digest[:8]}"
        return found
