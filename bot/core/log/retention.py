"""Retention and the right to be forgotten, over the whole discussion log.

`apply_retention` is what the running bot calls once a day with `Settings.retention_days`;
`purge` is the instructor's manual form (`seminar-bot purge --older-than 180d`); `forget`
removes one person's content everywhere (`seminar-bot forget USER_ID`). All of them run on the
database's writer thread, so they never race a message being logged; each leaves a tombstone
(bot.core.log.discussion) so no catch-up or import brings back what it removed, and each
empties the WAL afterwards, so no copy of the removed text stays on disk.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

from bot.core.errors import SeminarError
from bot.core.log.discussion import erase_user, purge_older_than
from bot.core.models import PurgeReport
from bot.core.storage.database import Database
from bot.core.storage.settings import put_value

_AGE_RE = re.compile(r"^\s*(\d+)\s*(d|day|days|w|week|weeks|y|year|years)?\s*$", re.IGNORECASE)
_UNIT_DAYS = {"d": 1, "w": 7, "y": 365}
LAST_RUN_KEY = "retention_last_run"


class BadAge(SeminarError):
    """An --older-than value that is not a number of days, weeks or years."""


def parse_age(text: str) -> int:
    """"180d", "26w", "1y" or "180" (days) -> days."""
    match = _AGE_RE.match(text or "")
    if not match:
        raise BadAge(f"{text!r} is not an age: use a number of days like 180d, or 26w or 1y.")
    days = int(match.group(1)) * _UNIT_DAYS[(match.group(2) or "d")[0].lower()]
    if days < 1:
        raise BadAge("The age must be at least one day.")
    return days


def purge_before(conn: sqlite3.Connection, cutoff: str) -> PurgeReport:
    messages = purge_older_than(conn, cutoff)
    events = conn.execute("DELETE FROM channel_events WHERE at < ?", (cutoff,)).rowcount
    put_value(conn, LAST_RUN_KEY, cutoff)
    return PurgeReport(cutoff, messages, events)


def purge(db: Database, older_than_days: int, *, now: datetime | None = None) -> PurgeReport:
    if older_than_days < 1:
        raise BadAge("The age must be at least one day.")
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=older_than_days)).isoformat(
        timespec="seconds"
    )
    return db.write(lambda conn: purge_before(conn, cutoff), checkpoint=True).result()


def apply_retention(
    db: Database, retention_days: int | None, *, now: datetime | None = None
) -> PurgeReport | None:
    """The daily job: nothing to do when no retention is configured (keep everything)."""
    if not retention_days:
        return None
    return purge(db, retention_days, now=now)


def forget(db: Database, user_id: str, guild_id: str | None = None) -> int:
    """Everything one person wrote or asked, gone; returns how many messages were removed."""
    cleaned = user_id.strip().removeprefix("<@").removesuffix(">").lstrip("!")
    if not cleaned:
        raise SeminarError("Give the user id of the person to forget.")
    return db.write(lambda conn: erase_user(conn, cleaned, guild_id), checkpoint=True).result()
