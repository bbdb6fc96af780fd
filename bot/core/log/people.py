"""Who is called what: every name form a platform told us for a person, and who is staff.

Mentions are stored as the platform writes them (`<@123>`, `<@U0ABC>`, or DiscordChatExporter's
plain "@Display Name"), so a digest needs the names to show a mention as a name, and every
form of a name to take it out of an anonymized digest: a Slack user has a display name, a
real name, a username and a first name; a Discord member a username, a global name and a
per-server nickname. Imports fill the `people` table from users.json, export authors and the
mentions DiscordChatExporter lists; the digest reads it (with the author names of the log).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.core.models import now_iso


@dataclass(slots=True)
class Person:
    user_id: str
    display: str | None = None  # the name to show
    names: set[str] = field(default_factory=set)  # every name form seen
    role: str | None = None  # STAFF_ROLE or None

    def add(self, *names: str | None, display: str | None = None) -> None:
        for name in names:
            if name and name.strip():
                self.names.add(name.strip())
        if display and display.strip():
            self.display = display.strip()
            self.names.add(self.display)


class PeopleBook:
    """People met while reading one export, by guild: written once at the end (or per batch)."""

    def __init__(self) -> None:
        self.by_guild: dict[str, dict[str, Person]] = {}

    def person(self, guild_id: str, user_id: str) -> Person:
        people = self.by_guild.setdefault(guild_id, {})
        found = people.get(user_id)
        if found is None:
            found = people[user_id] = Person(user_id)
        return found


def store_people(conn: sqlite3.Connection, guild_id: str, people: Iterable[Person]) -> int:
    """Merge name forms (and a staff role) into `people`; returns the rows changed. Known
    forms are kept (a renamed student's old name must still be anonymized), so re-importing
    the same export changes nothing."""
    changed = 0
    for p in people:
        row = conn.execute(
            "SELECT display, names, role FROM people WHERE guild_id = ? AND user_id = ?",
            (guild_id, p.user_id),
        ).fetchone()
        old_names = set(json.loads(row["names"])) if row is not None else set()
        names = json.dumps(sorted(old_names | p.names), ensure_ascii=False)
        display = p.display or (row["display"] if row is not None else None)
        role = p.role or (row["role"] if row is not None else None)
        if row is not None and (row["display"], row["names"], row["role"]) == (display, names, role):
            continue
        conn.execute(
            "INSERT INTO people (guild_id, user_id, display, names, role, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(guild_id, user_id) DO UPDATE SET"
            " display = excluded.display, names = excluded.names, role = excluded.role,"
            " updated_at = excluded.updated_at",
            (guild_id, p.user_id, display, names, role, now_iso()),
        )
        changed += 1
    return changed


def load_people(conn: sqlite3.Connection, guild_id: str | None) -> dict[str, Person]:
    """Everyone known in one guild (or every guild), by user id."""
    where, args = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
    out: dict[str, Person] = {}
    for row in conn.execute(f"SELECT user_id, display, names, role FROM people {where}", args):
        p = out.setdefault(row["user_id"], Person(row["user_id"]))
        p.names.update(json.loads(row["names"]))
        p.display = p.display or row["display"]
        p.role = p.role or row["role"]
    return out


def staff_ids(settings_staff: Iterable[str], people: Mapping[str, Person]) -> set[str]:
    """The staff a digest knows of: configured ids plus everyone stored with the staff role."""
    return {s for s in settings_staff if s} | {uid for uid, p in people.items() if p.role}
