"""A real discord.py bot that never logs in, fed gateway-shaped payloads, facing a Discord
that keeps Discord's rules.

What the bot sends is captured where discord.py hands it to the network: interaction
responses and follow-ups at the webhook adapter's `request`, REST calls (history, threads,
commands) at the bot's `HTTPClient`. Nothing inside the bot or its cogs is mocked.

Discord's side is modelled, not assumed to agree: a command it has not registered, or one whose
`default_member_permissions` the member lacks, is never sent; an interaction not acknowledged
within 3 s fails, and so does one nobody answers (a button whose handler a restarted bot no
longer has); the first follow-up after a defer replaces the placeholder and keeps the defer's
visibility, whatever its own flags; a token's follow-ups and edits work for 15 minutes. Time is
Discord's clock (`Clock`): real time plus what a test says passed, so no test sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter

from bot.core.service import SeminarService
from bot.discord_app.client import SeminarBot
from bot.settings import Settings

GUILD = 900_000_000_000_000_001
OTHER_GUILD = 900_000_000_000_000_002
APP_ID = 800_000_000_000_000_001
GENERAL = 910_000_000_000_000_001  # a logged text channel
FORUM = 910_000_000_000_000_002  # a logged forum
UNLOGGED = 910_000_000_000_000_003
THREAD = 920_000_000_000_000_001  # a thread of GENERAL
POST = 920_000_000_000_000_002  # a forum post of FORUM
INSTRUCTOR_ROLE = 930_000_000_000_000_001
MANAGER_ROLE = 930_000_000_000_000_002
# What each role grants server-wide: the instructor role grants nothing of Discord's own.
ROLE_PERMISSIONS = {INSTRUCTOR_ROLE: 0, MANAGER_ROLE: discord.Permissions(manage_guild=True).value}


@dataclass(frozen=True)
class User:
    id: int
    name: str
    roles: tuple[int, ...] = ()
    permissions: int = 0
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
        }

    def member(self) -> dict[str, Any]:
        return {
            "user": self.payload(),
            "roles": [str(r) for r in self.roles],
            "joined_at": "2026-09-01T10:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "permissions": str(self.permissions),
        }


STUDENT = User(700_000_000_000_000_001, "student")
OTHER_STUDENT = User(700_000_000_000_000_002, "classmate")
INSTRUCTOR = User(700_000_000_000_000_003, "teacher", roles=(INSTRUCTOR_ROLE,))
MANAGER = User(700_000_000_000_000_004, "admin", roles=(MANAGER_ROLE,))
BOT_USER = User(APP_ID, "seminar-bot", bot=True)

_ids = itertools.count(1)
_T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def snowflake(at: datetime | None = None) -> int:
    """A unique id whose embedded time is `at` (ids sort like their times, as on Discord)."""
    base = discord.utils.time_snowflake(at or _T0 + timedelta(seconds=next(_ids)))
    return base + next(_ids) % 4096


def message_payload(
    *,
    channel_id: int,
    author: User,
    content: str,
    at: datetime | None = None,
    message_id: int | None = None,
    guild_id: int = GUILD,
    **extra: Any,
) -> dict[str, Any]:
    mid = message_id or snowflake(at)
    data: dict[str, Any] = {
        "id": str(mid),
        "channel_id": str(channel_id),
        "guild_id": str(guild_id),
        "author": author.payload(),
        "member": {k: v for k, v in author.member().items() if k != "user"},
        "content": content,
        "timestamp": discord.utils.snowflake_time(mid).isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    data.update(extra)
    return data


def channel_payload(cid: int, name: str, kind: int, guild_id: int = GUILD) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(cid),
        "type": kind,
        "name": name,
        "guild_id": str(guild_id),
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "rate_limit_per_user": 0,
        "topic": None,
        "last_message_id": None,
    }
    if kind == 15:
        data.update({"available_tags": [], "default_reaction_emoji": None, "flags": 0})
    return data


def thread_payload(
    tid: int, parent: int, name: str, *, archived: bool = False, guild_id: int = GUILD,
    archived_at: datetime | None = None, owner: User | None = None,
) -> dict[str, Any]:
    """A thread (or forum post, under a forum); `archived_at` is when it was archived, `owner`
    who started it (and wrote its title)."""
    stamp = (archived_at or datetime(2026, 11, 1, 9, 0, tzinfo=UTC)).isoformat()
    return {
        "id": str(tid),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent),
        "owner_id": str((owner or STUDENT).id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": archived,
            "auto_archive_duration": 1440,
            "archive_timestamp": stamp,
            "locked": False,
        },
    }


def guild_payload(guild_id: int = GUILD) -> dict[str, Any]:
    def role(rid: int, name: str, perms: int) -> dict[str, Any]:
        return {
            "id": str(rid), "name": name, "permissions": str(perms), "position": 1, "color": 0,
            "hoist": False, "managed": False, "mentionable": False, "flags": 0,
        }

    return {
        "id": str(guild_id),
        "name": "Seminar",
        "owner_id": "1",
        "roles": [
            role(guild_id, "@everyone", 0),
            role(INSTRUCTOR_ROLE, "Instructor", ROLE_PERMISSIONS[INSTRUCTOR_ROLE]),
            role(MANAGER_ROLE, "Staff", ROLE_PERMISSIONS[MANAGER_ROLE]),
        ],
        "channels": [
            channel_payload(GENERAL, "general", 0, guild_id),
            channel_payload(FORUM, "questions", 15, guild_id),
            channel_payload(UNLOGGED, "off-topic", 0, guild_id),
        ],
        "threads": [
            thread_payload(THREAD, GENERAL, "week 3", guild_id=guild_id),
            thread_payload(POST, FORUM, "what is a regime?", guild_id=guild_id),
        ],
        "members": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": 4,
        "large": False,
        "unavailable": False,
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
    }


# -- Discord's side: time, interactions and what it shows ----------------------------------

INTERACTION_WINDOW = 3.0  # seconds Discord waits for the first response to an interaction
TOKEN_LIFETIME = 15 * 60.0  # an interaction token's follow-ups and edits work this long
EPHEMERAL = 64
ADMINISTRATOR = discord.Permissions(administrator=True).value
BOT_DM = 1  # the interaction context of a direct message with the bot


class Clock:
    """Discord's clock as the bot's requests reach it: real time, plus whatever a test says
    passed meanwhile (a writer busy for 5 s, a user coming back after 20 minutes), so the 3 s
    and 15 min rules are checked without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


@dataclass
class Delivered:
    """One interaction as Discord's side sees it, from the user's click to the bot's answers."""

    kind: int  # 2 command, 3 component, 4 autocomplete
    name: str  # the command, or the custom id clicked
    user: User
    at: float
    token: str = ""
    message_id: int | None = None  # the message a clicked component is on
    ack: int | None = None  # the first callback's type
    ephemeral: bool = False  # the response's visibility, as Discord decided it
    original_id: int | None = None
    original_filled: bool = False  # a deferred response's placeholder was replaced
    original_deleted: bool = False
    failed: str | None = None  # what the user saw instead of an answer
    created: list[int] = field(default_factory=list)  # the messages its responses created


@dataclass
class Sent:
    method: str
    path: str
    payload: dict[str, Any]
    files: list[discord.File] = field(default_factory=list)
    message_id: int | None = None
    url: str = ""
    # Whether only the user sees it, as Discord decided (a deferred response's first follow-up
    # takes the defer's visibility, whatever its own flags say); None: not a message.
    shown_ephemeral: bool | None = None

    @property
    def content(self) -> str:
        data = self.payload.get("data", self.payload)
        return data.get("content") or ""

    @property
    def data(self) -> dict[str, Any]:
        return self.payload.get("data", self.payload) if "type" in self.payload else self.payload

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data.get("embeds") or []

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        if self.shown_ephemeral is not None:
            return self.shown_ephemeral
        return bool(self.flags & EPHEMERAL)

    def custom_ids(self) -> dict[str, str]:
        """Button label -> custom id, from the components that were sent."""
        return {label: cid for label, (cid, _) in buttons(self.data).items()}

    def text(self) -> str:
        """Everything a reader would see: content and every embed string."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title", ""), e.get("description", "")]
            parts += [(e.get("author") or {}).get("name", ""), (e.get("footer") or {}).get("text", "")]
            for f in e.get("fields", []):
                parts += [f["name"], f["value"]]
        return "\n".join(p for p in parts if p)


def buttons(data: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Button label -> (custom id, disabled) in a message's components."""
    out = {}
    for row in data.get("components") or []:
        for comp in row.get("components", []):
            if comp.get("custom_id"):
                out[comp.get("label") or comp["custom_id"]] = (
                    comp["custom_id"], bool(comp.get("disabled")))
    return out


@dataclass
class Shown:
    """A message as Discord holds it: what it shows now (edits applied) and to whom."""

    id: int
    ephemeral: bool
    data: dict[str, Any] = field(default_factory=dict)

    def apply(self, edit: dict[str, Any]) -> None:
        self.data.update({k: v for k, v in edit.items()
                          if k in ("content", "embeds", "components", "attachments")})


def http_error(status: int, code: int, message: str) -> discord.HTTPException:
    kind = {401: discord.HTTPException, 403: discord.Forbidden, 404: discord.NotFound}.get(
        status, discord.HTTPException)
    return kind(_Response(status), {"message": message, "code": code})


class Recorder:
    """Stands in for Discord's interaction and webhook endpoints. It records each request and
    answers as Discord does, with Discord's rules: a response more than 3 s after the
    interaction fails ("This interaction failed"), a token works for 15 minutes, the first
    follow-up after a defer replaces the placeholder and keeps the defer's visibility."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.sent: list[Sent] = []
        self.delivered: list[Delivered] = []
        self.interactions: dict[str, Delivered] = {}
        self.messages: dict[int, Shown] = {}
        self.failures: list[Delivered] = []

    # -- what users do ----------------------------------------------------------------------

    def deliver(self, kind: int, name: str, user: User, *, message_id: int | None = None,
                refused: str | None = None) -> Delivered:
        """An interaction Discord sends (or, with `refused`, does not send, and why)."""
        item = Delivered(kind, name, user, self.clock.now(), message_id=message_id,
                         failed=refused)
        if refused is None:
            item.token = f"itok-{snowflake()}-{secrets.token_hex(8)}"
            self.interactions[item.token] = item
        self.delivered.append(item)
        return item

    def expire_unanswered(self) -> None:
        """Once the bot is idle, an interaction it never answered has failed for its user."""
        for item in self.delivered:
            if item.failed is None and item.ack is None:
                self._fail(item, "no response: Discord showed 'This interaction failed'")

    def _fail(self, item: Delivered, why: str) -> None:
        if item.failed is None:  # the user saw it fail once, however often the bot retried
            item.failed = why
            self.failures.append(item)

    def public_messages(self, item: Delivered) -> list[Shown]:
        """What an interaction left in the channel for everyone to see (placeholders too)."""
        return [self.messages[m] for m in item.created
                if m in self.messages and not self.messages[m].ephemeral]

    def take_failures(self) -> list[Delivered]:
        """The interactions that failed for their user since the last call (tests that expect
        one take it; the fixture asserts that no other was left)."""
        out, self.failures = self.failures, []
        return out

    # -- what the bot sends -----------------------------------------------------------------

    async def request(self, route: Any, session: Any = None, **kwargs: Any) -> Any:
        payload = kwargs.get("payload")
        files = list(kwargs.get("files") or [])
        if payload is None and kwargs.get("multipart"):
            payload = json.loads(kwargs["multipart"][0]["value"])
        payload = payload or {}
        item = self.interactions.get(route.webhook_token or "")
        now = self.clock.now()
        if route.path.endswith("/callback"):
            return self._callback(route, item, payload, files, now)
        return self._webhook(route, item, payload, files, now)

    def _callback(self, route: Any, item: Delivered | None, payload: dict[str, Any],
                  files: list[discord.File], now: float) -> Any:
        if item is None:
            raise http_error(404, 10062, "Unknown interaction")
        if item.ack is not None:
            raise http_error(400, 40060, "Interaction has already been acknowledged.")
        if now - item.at > INTERACTION_WINDOW:
            self._fail(item, f"acknowledged after {now - item.at:.1f} s: 'This interaction failed'")
            raise http_error(404, 10062, "Unknown interaction")
        kind = int(payload.get("type") or 0)
        item.ack = kind
        data = payload.get("data") or {}
        shown: Shown | None = None
        if kind in (4, 5):  # a new message: the response (or its "thinking" placeholder)
            item.ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
            shown = Shown(snowflake(datetime.now(UTC)), item.ephemeral)
            shown.apply(data if kind == 4 else {"content": ""})
            self.messages[shown.id] = shown
            item.created.append(shown.id)
            item.original_id = shown.id
            item.original_filled = kind == 4
        elif kind in (6, 7) and item.message_id is not None:  # the clicked message
            shown = self.messages.setdefault(item.message_id, Shown(item.message_id, False))
            item.ephemeral = shown.ephemeral
            item.original_id = shown.id
            if kind == 7:
                shown.apply(data)
        sent = Sent(route.method, route.path, payload, files,
                    shown.id if shown else None, route.url,
                    shown.ephemeral if shown and kind in (4, 7) else None)
        self.sent.append(sent)
        message = self._message_payload(shown) if shown else None
        return {
            "interaction": {
                "id": str(route.webhook_id or 0),
                "type": item.kind,
                "response_message_id": str(shown.id) if shown else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(shown and shown.ephemeral),
            },
            "resource": {"type": kind, "message": message} if message else None,
        }

    def _webhook(self, route: Any, item: Delivered | None, payload: dict[str, Any],
                 files: list[discord.File], now: float) -> Any:
        if item is None or item.ack is None:  # never acknowledged, or too late: no webhook
            raise http_error(404, 10015, "Unknown Webhook")
        if now - item.at > TOKEN_LIFETIME:
            raise http_error(401, 50027, "Invalid Webhook Token")
        target = route.url.rsplit("/messages/", 1)[1] if "/messages/" in route.url else None
        if route.method == "DELETE":
            if target == "@original":
                item.original_deleted = True
                self.messages.pop(item.original_id or 0, None)
            self.sent.append(Sent(route.method, route.path, payload, files, None, route.url))
            return None
        if target is None:  # POST: a follow-up
            if item.ack == 5 and not item.original_filled and not item.original_deleted:
                shown = self.messages[item.original_id or 0]  # it replaces the placeholder
                item.original_filled = True
            else:
                shown = Shown(snowflake(datetime.now(UTC)),
                              bool(int(payload.get("flags") or 0) & EPHEMERAL))
                self.messages[shown.id] = shown
                item.created.append(shown.id)
        else:  # PATCH or GET of the original or of a follow-up
            mid = item.original_id if target == "@original" else int(target)
            if (target == "@original" and item.original_deleted) or mid not in self.messages:
                raise http_error(404, 10008, "Unknown Message")
            shown = self.messages[mid or 0]
            if target == "@original" and route.method == "PATCH":
                item.original_filled = True
        if route.method != "GET":
            shown.apply(payload)
        self.sent.append(Sent(route.method, route.path, payload, files, shown.id, route.url,
                              shown.ephemeral if route.method != "GET" else None))
        return self._message_payload(shown)

    def _message_payload(self, shown: Shown) -> dict[str, Any]:
        return message_payload(
            channel_id=GENERAL, author=BOT_USER, content=shown.data.get("content") or "",
            message_id=shown.id, embeds=shown.data.get("embeds") or [],
            components=shown.data.get("components") or [],
            flags=EPHEMERAL if shown.ephemeral else 0,
        )

    def clear(self) -> None:
        self.sent.clear()

    @property
    def last(self) -> Sent:
        assert self.sent, "the bot sent nothing"
        return self.sent[-1]

    def replies(self) -> list[Sent]:
        """What users would see: skips pure acknowledgements (defer)."""
        return [s for s in self.sent if s.payload.get("type") not in (5, 6)
                and s.method not in ("GET", "DELETE")]


class _Response:
    """Just enough of an aiohttp response for discord.HTTPException."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(status, "")


def _as_discord_stores(
    command: dict[str, Any], application_id: int, guild_id: int | None, known: dict[str, str]
) -> dict[str, Any]:
    """A registered command as Discord returns it: ids and version added, permissions as a
    string, false and empty option fields left out."""

    def option(o: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in o.items() if v not in (False, None, [])}
        if o.get("options"):
            out["options"] = [option(x) for x in o["options"]]
        return out

    stored = {
        **command,
        "id": known.get(command["name"]) or str(snowflake()),
        "application_id": str(application_id),
        "version": str(snowflake()),
        "options": [option(o) for o in command.get("options") or []],
        "default_member_permissions": None if command.get("default_member_permissions") is None
        else str(command["default_member_permissions"]),
    }
    if guild_id is not None:
        stored["guild_id"] = str(guild_id)
    return stored


class FakeDiscordAPI:
    """The REST endpoints the bot calls (backfill, commands), served from an in-memory
    'server': its message history, its threads, and the commands Discord has registered."""

    def __init__(self) -> None:
        self.history: dict[int, list[dict[str, Any]]] = {}
        self.active_threads: list[dict[str, Any]] = []
        self.archived_threads: dict[int, list[dict[str, Any]]] = {}
        self.synced: list[tuple[int | None, int]] = []
        self.history_requests: list[int] = []  # channel ids whose history was read
        self.channels: dict[int, dict[str, Any]] = {}  # GET /channels/{id}
        self.channel_requests: list[int] = []
        # What Discord knows: guild id (None: global) -> registered commands.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.command_requests: list[tuple[str, int | None]] = []  # ("GET"|"PUT", guild)
        # Servers the bot was invited to with the applications.commands scope.
        self.installed: set[int] = {GUILD, OTHER_GUILD}
        self.private_threads_forbidden: set[int] = set()  # channels without Manage Threads
        self._broken: dict[int, int] = {}  # channel id -> pages it still serves (break_history)

    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.history.setdefault(int(payload["channel_id"]), []).append(payload)
        return payload

    async def logs_from(
        self, channel_id: int, limit: int, before: Any = None, after: Any = None, around: Any = None
    ) -> list[dict[str, Any]]:
        self.history_requests.append(int(channel_id))
        if int(channel_id) in self._broken:
            if self._broken[int(channel_id)] <= 0:
                raise http_error(500, 0, "Internal Server Error")
            self._broken[int(channel_id)] -= 1
        msgs = sorted(self.history.get(int(channel_id), []), key=lambda m: int(m["id"]))
        if after is not None:
            msgs = [m for m in msgs if int(m["id"]) > int(after)]
            msgs = msgs[:limit]
        elif before is not None:
            msgs = [m for m in msgs if int(m["id"]) < int(before)][-limit:]
        else:
            msgs = msgs[-limit:]
        return list(reversed(msgs))  # Discord answers newest first

    async def get_channel(self, channel_id: int) -> dict[str, Any]:
        self.channel_requests.append(int(channel_id))
        try:
            return self.channels[int(channel_id)]
        except KeyError:
            raise discord.NotFound(_Response(404), {"message": "Unknown Channel", "code": 10003}) from None

    async def get_active_threads(self, guild_id: int) -> dict[str, Any]:
        return {"threads": self.active_threads, "members": []}

    async def get_public_archived_threads(
        self, channel_id: int, before: Any = None, limit: int = 50
    ) -> dict[str, Any]:
        return {"threads": self.archived_threads.get(int(channel_id), []), "members": [],
                "has_more": False}

    async def get_private_archived_threads(
        self, channel_id: int, before: Any = None, limit: int = 50
    ) -> dict[str, Any]:
        if int(channel_id) in self.private_threads_forbidden:
            raise http_error(403, 50013, "Missing Permissions")
        return {"threads": [], "members": [], "has_more": False}

    # -- application commands ----------------------------------------------------------------

    def _installed(self, guild_id: int) -> None:
        if int(guild_id) not in self.installed:
            raise http_error(403, 50001, "Missing Access")

    async def get_guild_commands(self, application_id: int, guild_id: int) -> list[dict[str, Any]]:
        self.command_requests.append(("GET", int(guild_id)))
        self._installed(guild_id)
        return json.loads(json.dumps(self.commands.get(int(guild_id), [])))

    async def get_global_commands(self, application_id: int) -> list[dict[str, Any]]:
        self.command_requests.append(("GET", None))
        return json.loads(json.dumps(self.commands.get(None, [])))

    # -- what changes on the server while the bot is away (the log's catch-up tests) ----------

    def edit(self, channel_id: int, message_id: int | str, content: str, at: datetime) -> None:
        """Edit a message in the server's history, as Discord shows it afterwards."""
        for msg in self.history.get(int(channel_id), []):
            if msg["id"] == str(message_id):
                msg.update(content=content, edited_timestamp=at.isoformat())

    def delete(self, channel_id: int, message_id: int | str) -> None:
        self.history[int(channel_id)] = [
            m for m in self.history.get(int(channel_id), []) if m["id"] != str(message_id)
        ]

    def archive(self, thread: dict[str, Any], at: datetime) -> None:
        """Archive an active thread: it leaves the active list for its channel's archive."""
        self.active_threads = [t for t in self.active_threads if t["id"] != thread["id"]]
        archived = {**thread, "thread_metadata": {**thread["thread_metadata"], "archived": True,
                                                  "archive_timestamp": at.isoformat()}}
        self.archived_threads.setdefault(int(thread["parent_id"]), []).append(archived)

    def break_history(self, channel_id: int, *, after_pages: int) -> None:
        """Let the next reads of a channel's history fail (a 500) once `after_pages` pages
        were served: a catch-up that breaks off half-way. `mend_history` ends it."""
        self._broken[int(channel_id)] = after_pages

    def mend_history(self) -> None:
        self._broken.clear()

    async def bulk_upsert_guild_commands(
        self, application_id: int, guild_id: int, payload: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        self.command_requests.append(("PUT", int(guild_id)))
        self._installed(guild_id)
        return self._register(application_id, int(guild_id), payload)

    async def bulk_upsert_global_commands(
        self, application_id: int, payload: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        self.command_requests.append(("PUT", None))
        return self._register(application_id, None, payload)

    def _register(
        self, application_id: int, guild_id: int | None, payload: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        self.synced.append((guild_id, len(payload)))
        known = {c["name"]: c["id"] for c in self.commands.get(guild_id, [])}
        self.commands[guild_id] = [
            _as_discord_stores(c, application_id, guild_id, known) for c in payload
        ]
        return json.loads(json.dumps(self.commands[guild_id]))

    def command(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        """The command a user in that server (None: a DM) can pick, if Discord has it."""
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        return None

    def refusal(self, name: str, user: User, guild_id: int | None) -> str | None:
        """Why Discord would not let this user run the command here (None: it would)."""
        command = self.command(name, guild_id)
        if command is None:
            return f"/{name} is not registered with Discord: the user cannot pick it"
        if guild_id is None:  # contexts decide; without them, the older dm_permission
            contexts = command.get("contexts")
            offered = BOT_DM in contexts if contexts is not None else command.get(
                "dm_permission", True) is not False
            return None if offered else f"/{name} is not offered in direct messages"
        needed = command.get("default_member_permissions")
        if needed is None:
            return None
        held = member_permissions(user)
        if held & ADMINISTRATOR or (int(needed) and held & int(needed) == int(needed)):
            return None
        return f"/{name} is hidden from members without default_member_permissions={needed}"


def member_permissions(user: User) -> int:
    """A member's server-wide permissions: @everyone's, their roles', and the channel's."""
    held = user.permissions
    for role in user.roles:
        held |= ROLE_PERMISSIONS.get(role, 0)
    return held


class Harness:
    def __init__(self, bot: SeminarBot, recorder: Recorder, api: FakeDiscordAPI) -> None:
        self.bot = bot
        self.recorder = recorder
        self.api = api

    @property
    def service(self) -> SeminarService:
        return self.bot.service

    @property
    def state(self) -> Any:
        return self.bot._connection

    @property
    def clock(self) -> Clock:
        return self.recorder.clock

    @property
    def last_interaction(self) -> Delivered:
        return self.recorder.delivered[-1]

    async def stop(self) -> None:
        """Stop the bot and close its service (a restarted bot's, see `restart_bot`)."""
        await self.settle()
        await self.bot.close()
        self.service.close()

    # -- interactions ----------------------------------------------------------------------

    def _command_data(
        self, name: str, options: list[dict[str, Any]], guild_id: int | None = GUILD
    ) -> dict[str, Any]:
        parts = name.split()
        command = self.bot.tree.get_command(parts[0], guild=discord.Object(guild_id or GUILD))
        command = command or self.bot.tree.get_command(parts[0])
        assert command is not None, f"no command /{parts[0]}"
        registered = self.api.command(parts[0], guild_id)
        for sub in reversed(parts[1:]):
            options = [{"type": 1 if sub == parts[-1] else 2, "name": sub, "options": options}]
        return {"id": registered["id"] if registered else str(snowflake()), "type": 1,
                "name": parts[0], "options": options, "guild_id": str(guild_id or GUILD)}

    def _interaction(
        self, kind: int, data: dict[str, Any], user: User, guild_id: int | None,
        channel_id: int = GENERAL, message: dict[str, Any] | None = None,
        token: str = "interaction-token",
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "channel_id": str(channel_id),
            "channel": {**channel_payload(channel_id, "general", 0, guild_id or 0),
                        "permissions": str(user.permissions)},
            "locale": "en-US",
            "app_permissions": "0",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "authorizing_integration_owners": {},
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["member"] = user.member()
        else:
            payload["user"] = user.payload()
            payload["channel"] = {"id": str(channel_id), "type": 1}
            payload["data"].pop("guild_id", None)
        if message is not None:
            payload["message"] = message
        return payload

    async def slash(
        self, name: str, user: User = STUDENT, *, guild_id: int | None = GUILD,
        resolved: dict[str, Any] | None = None, **options: Any,
    ) -> list[Sent]:
        """A user runs a command. Discord sends nothing for a command it does not know or one
        the user cannot see (the refusal is in `last_interaction.failed`): then no reply."""
        before = len(self.recorder.sent)
        if not self.begin_slash(name, user, guild_id=guild_id, resolved=resolved, **options):
            return []
        await self.settle()
        return self.recorder.sent[before:]

    def begin_slash(
        self, name: str, user: User = STUDENT, *, guild_id: int | None = GUILD,
        resolved: dict[str, Any] | None = None, **options: Any,
    ) -> bool:
        """`slash` without waiting for the command to finish (what happens meanwhile, while it
        runs, is the test's); False if Discord refused to deliver it."""
        refused = self.api.refusal(name.split()[0], user, guild_id)
        item = self.recorder.deliver(2, name, user, refused=refused)
        if refused is not None:
            self.recorder.failures.append(item)
            return False
        opts = [
            {"type": _option_type(v), "name": k,
             "value": str(v.id) if isinstance(v, User | Channel) else v}
            for k, v in options.items()
        ]
        data = self._command_data(name, opts, guild_id)
        if resolved:
            data["resolved"] = resolved
        self.state.parse_interaction_create(
            self._interaction(2, data, user, guild_id, token=item.token))
        return True

    async def autocomplete(
        self, name: str, focused: str, user: User = STUDENT, *, guild_id: int = GUILD,
        **options: Any,
    ) -> list[dict[str, Any]]:
        before = len(self.recorder.sent)
        refused = self.api.refusal(name.split()[0], user, guild_id)
        item = self.recorder.deliver(4, name, user, refused=refused)
        if refused is not None:
            self.recorder.failures.append(item)
            return []
        opts = [
            {"type": 3, "name": k, "value": v, **({"focused": True} if k == focused else {})}
            for k, v in options.items()
        ]
        data = self._command_data(name, opts, guild_id)
        self.state.parse_interaction_create(
            self._interaction(4, data, user, guild_id, token=item.token))
        await self.settle()
        sent = self.recorder.sent[before:]
        assert len(sent) == 1 and sent[0].payload["type"] == 8, sent
        return sent[0].payload["data"]["choices"]

    async def click(self, reply: Sent, label: str, user: User = STUDENT) -> list[Sent]:
        """A user presses a button of a message as it is now (its edits applied)."""
        before = len(self.recorder.sent)
        assert reply.message_id is not None, "that was not a message"
        shown = self.recorder.messages.get(reply.message_id)
        data = shown.data if shown else reply.data
        found = buttons(data)
        assert label in found, f"no button {label!r} in {list(found)}"
        custom_id, disabled = found[label]
        assert not disabled, f"{label!r} is disabled: Discord does not let anyone press it"
        message = message_payload(
            channel_id=GENERAL, author=BOT_USER, content=data.get("content") or "",
            message_id=reply.message_id, embeds=data.get("embeds") or [],
            components=data.get("components") or [],
            flags=EPHEMERAL if shown and shown.ephemeral else 0,
        )
        item = self.recorder.deliver(3, custom_id, user, message_id=reply.message_id)
        payload = self._interaction(3, {"custom_id": custom_id, "component_type": 2}, user,
                                    GUILD, message=message, token=item.token)
        self.state.parse_interaction_create(payload)
        await self.settle()
        return self.recorder.sent[before:]

    # -- time and load ------------------------------------------------------------------------

    @contextlib.contextmanager
    def slow_writes(self, seconds: float) -> Iterator[None]:
        """Every database write takes `seconds` longer, as behind a busy writer or a long
        re-index: Discord's clock moves on while it runs, no test sleeps."""
        db = self.service.db
        real = db.write

        def write(op: Callable[[sqlite3.Connection], Any], **options: Any) -> Future[Any]:
            def slow(conn: sqlite3.Connection) -> Any:
                result = op(conn)
                self.clock.advance(seconds)
                return result

            return real(slow, **options)

        db.write = write  # type: ignore[method-assign]
        try:
            yield
        finally:
            db.write = real  # type: ignore[method-assign]

    # -- gateway events ---------------------------------------------------------------------

    def gateway(self, event: str, data: dict[str, Any]) -> None:
        getattr(self.state, f"parse_{event.lower()}")(data)

    async def settle(self) -> None:
        """Wait until every event, command, button and backfill task has finished writing;
        then any interaction the bot never answered has failed for its user."""
        prefixes = ("CommandTree-invoker", "discord-ui-view-dispatch", "discord-ui-dynamic-item",
                    "discord.py:", "seminar-bot:")
        me = asyncio.current_task()
        for _ in range(1000):
            pending = [
                t for t in asyncio.all_tasks()
                if t is not me and not t.done() and t.get_name().startswith(prefixes)
            ]
            if not pending:
                break
            await asyncio.gather(*pending, return_exceptions=True)
        await asyncio.to_thread(self.service.db.flush)
        self.recorder.expire_unanswered()


@dataclass(frozen=True)
class Channel:
    """A channel option: its value is the id, its object comes from `resolved`."""

    id: int


def _option_type(value: Any) -> int:
    if isinstance(value, Channel):
        return 7
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, User):
        return 6
    return 3


def settings_for(tmp_path: Any, readings: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "readings_dir": readings,
        "db_path": tmp_path / "seminar.db",
        "discord_guild_ids": (GUILD,),
        "instructor_role": "Instructor",
    }
    values.update(overrides)
    return Settings(**values)


async def start_bot(settings: Settings, service: SeminarService, monkeypatch: Any,
                    *, message_content: bool = True, same_discord_as: Harness | None = None) -> Harness:
    """Start a bot as `seminar-bot run` does, up to the gateway connection: login (the
    application id), setup_hook (indexing, cogs, command registration against what Discord
    has), then READY's guilds. `same_discord_as`: a new bot process talking to the Discord of
    an earlier harness (its messages, registered commands and clock), as after a restart."""
    recorder = same_discord_as.recorder if same_discord_as else Recorder()
    api = same_discord_as.api if same_discord_as else FakeDiscordAPI()
    monkeypatch.setattr(AsyncWebhookAdapter, "request", lambda self, route, session=None, **kw: recorder.request(route, session, **kw))
    bot = SeminarBot(settings, service, message_content=message_content)
    for name in ("logs_from", "get_channel", "get_active_threads", "get_public_archived_threads",
                 "get_private_archived_threads", "get_guild_commands", "get_global_commands",
                 "bulk_upsert_guild_commands", "bulk_upsert_global_commands"):
        monkeypatch.setattr(bot.http, name, getattr(api, name))
    await bot._async_setup_hook()
    bot._connection.application_id = APP_ID  # what login learns before setup_hook runs
    await bot.setup_hook()
    # What READY would carry: who the bot is.
    bot._connection.user = discord.ClientUser(
        state=bot._connection,
        data={**BOT_USER.payload(), "verified": True, "mfa_enabled": False, "flags": 0},
    )
    bot._connection._add_guild_from_data(guild_payload(GUILD))
    bot._connection._add_guild_from_data(guild_payload(OTHER_GUILD) | {
        "channels": [channel_payload(UNLOGGED + 10, "other-general", 0, OTHER_GUILD)],
        "threads": [],
    })
    return Harness(bot, recorder, api)


async def restart_bot(h: Harness, monkeypatch: Any, *, settle: bool = True) -> Harness:
    """The bot stopped and started again on the same database and the same server, as after
    a crash or a deploy: whatever the old process held only in memory is gone (its writer's
    queue too), Discord's side (history, threads) carries over. The caller stops the new one
    (`await new.stop()`). `settle=False`: stop without waiting for pending work, as a crash."""
    if settle:
        await h.settle()
    settings, db_path, courses = h.bot.settings, h.service.db.path, h.service.courses
    await h.bot.close()
    h.service.close()
    service = SeminarService(db_path, courses)
    new = await start_bot(settings, service, monkeypatch)
    vars(new.api).update(vars(h.api))  # the same server: its history, threads and failures
    return new


def assert_within_discord_limits(sent: Sent) -> None:
    """The limits Discord enforces with a 400: checked on everything the bot sent."""
    data = sent.data
    assert len(data.get("content") or "") <= 2000
    embeds = data.get("embeds") or []
    assert len(embeds) <= 10
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= 256
        assert len(e.get("description", "")) <= 4096
        assert len(e.get("fields", [])) <= 25
        for f in e.get("fields", []):
            assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024
        assert len((e.get("footer") or {}).get("text", "")) <= 2048
        assert len((e.get("author") or {}).get("name", "")) <= 256
        total += sum(
            len(x) for x in (
                e.get("title", ""), e.get("description", ""),
                (e.get("footer") or {}).get("text", ""), (e.get("author") or {}).get("name", ""),
                *[f["name"] + f["value"] for f in e.get("fields", [])],
            )
        )
    assert total <= 6000
    for choice in data.get("choices") or []:
        assert len(choice["name"]) <= 100 and len(str(choice["value"])) <= 100
    assert len(data.get("choices") or []) <= 25
    for row in data.get("components") or []:
        assert len(row.get("components", [])) <= 5
        for comp in row.get("components", []):
            assert len(comp.get("custom_id", "")) <= 100 and len(comp.get("label", "")) <= 80
