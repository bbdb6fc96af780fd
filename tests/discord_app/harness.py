"""A real discord.py bot that never logs in, fed gateway-shaped payloads.

What the bot sends is captured where discord.py hands it to the network: interaction
responses and follow-ups at the webhook adapter's `request`, REST calls (history, threads,
command sync) at the bot's `HTTPClient`. Nothing inside the bot or its cogs is mocked.
"""

from __future__ import annotations

import asyncio
import itertools
import json
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
            role(INSTRUCTOR_ROLE, "Instructor", 0),
            role(MANAGER_ROLE, "Staff", discord.Permissions(manage_guild=True).value),
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


@dataclass
class Sent:
    method: str
    path: str
    payload: dict[str, Any]
    files: list[discord.File] = field(default_factory=list)
    message_id: int | None = None
    url: str = ""

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
        return bool(self.flags & 64)

    def custom_ids(self) -> dict[str, str]:
        """Button label -> custom id, from the components that were sent."""
        out = {}
        for row in self.data.get("components") or []:
            for comp in row.get("components", []):
                if comp.get("custom_id"):
                    out[comp.get("label") or comp["custom_id"]] = comp["custom_id"]
        return out

    def text(self) -> str:
        """Everything a reader would see: content and every embed string."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title", ""), e.get("description", "")]
            parts += [(e.get("author") or {}).get("name", ""), (e.get("footer") or {}).get("text", "")]
            for f in e.get("fields", []):
                parts += [f["name"], f["value"]]
        return "\n".join(p for p in parts if p)


class Recorder:
    """Stands in for Discord's webhook endpoints: records each request, answers like Discord."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []

    async def request(self, route: Any, session: Any = None, **kwargs: Any) -> Any:
        payload = kwargs.get("payload")
        files = list(kwargs.get("files") or [])
        if payload is None and kwargs.get("multipart"):
            payload = json.loads(kwargs["multipart"][0]["value"])
        payload = payload or {}
        mid = snowflake(datetime.now(UTC))
        sent = Sent(route.method, route.path, payload, files, mid, route.url)
        self.sent.append(sent)
        message = message_payload(
            channel_id=GENERAL, author=BOT_USER, content=sent.content, message_id=mid,
            embeds=sent.embeds,
        )
        if route.path.endswith("/callback"):
            kind = payload.get("type")
            if kind in (4, 5, 7):
                return {
                    "interaction": {
                        "id": route.webhook_id if hasattr(route, "webhook_id") else "0",
                        "type": 2,
                        "response_message_id": str(mid),
                        "response_message_loading": kind == 5,
                        "response_message_ephemeral": bool(sent.ephemeral),
                    },
                    "resource": {"type": kind, "message": message},
                }
            return None
        if route.method in ("POST", "PATCH", "GET"):
            return message
        return None

    def clear(self) -> None:
        self.sent.clear()

    @property
    def last(self) -> Sent:
        assert self.sent, "the bot sent nothing"
        return self.sent[-1]

    def replies(self) -> list[Sent]:
        """What users would see: skips pure acknowledgements (defer)."""
        return [s for s in self.sent if s.payload.get("type") != 5 and s.method != "GET"]


class _Response:
    """Just enough of an aiohttp response for discord.HTTPException."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "Not Found" if status == 404 else "Internal Server Error"


class FakeDiscordAPI:
    """The REST endpoints backfill uses, served from an in-memory 'server' history."""

    def __init__(self) -> None:
        self.history: dict[int, list[dict[str, Any]]] = {}
        self.active_threads: list[dict[str, Any]] = []
        self.archived_threads: dict[int, list[dict[str, Any]]] = {}
        self.synced: list[tuple[int | None, int]] = []
        self.history_requests: list[int] = []  # channel ids whose history was read
        self.channels: dict[int, dict[str, Any]] = {}  # GET /channels/{id}
        self.channel_requests: list[int] = []
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
                raise discord.HTTPException(_Response(500), {"message": "Internal Server Error",
                                                             "code": 0})
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
        return {"threads": [], "members": [], "has_more": False}

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
        self.synced.append((guild_id, len(payload)))
        return [
            {**cmd, "id": str(snowflake()), "application_id": str(application_id),
             "version": "1", "guild_id": str(guild_id), "default_member_permissions": None,
             "dm_permission": True, "nsfw": False}
            for cmd in payload
        ]


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
        for sub in reversed(parts[1:]):
            options = [{"type": 1 if sub == parts[-1] else 2, "name": sub, "options": options}]
        return {"id": str(snowflake()), "type": 1, "name": parts[0], "options": options,
                "guild_id": str(guild_id or GUILD)}

    def _interaction(
        self, kind: int, data: dict[str, Any], user: User, guild_id: int | None,
        channel_id: int = GENERAL, message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(APP_ID),
            "type": kind,
            "token": "interaction-token",
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
        before = len(self.recorder.sent)
        opts = [
            {"type": _option_type(v), "name": k,
             "value": str(v.id) if isinstance(v, User | Channel) else v}
            for k, v in options.items()
        ]
        data = self._command_data(name, opts, guild_id)
        if resolved:
            data["resolved"] = resolved
        self.state.parse_interaction_create(self._interaction(2, data, user, guild_id))
        await self.settle()
        return self.recorder.sent[before:]

    async def autocomplete(
        self, name: str, focused: str, user: User = STUDENT, **options: Any
    ) -> list[dict[str, Any]]:
        before = len(self.recorder.sent)
        opts = [
            {"type": 3, "name": k, "value": v, **({"focused": True} if k == focused else {})}
            for k, v in options.items()
        ]
        data = self._command_data(name, opts)
        self.state.parse_interaction_create(self._interaction(4, data, user, GUILD))
        await self.settle()
        sent = self.recorder.sent[before:]
        assert len(sent) == 1 and sent[0].payload["type"] == 8, sent
        return sent[0].payload["data"]["choices"]

    async def click(self, reply: Sent, label: str, user: User = STUDENT) -> list[Sent]:
        before = len(self.recorder.sent)
        custom_id = reply.custom_ids()[label]
        message = message_payload(
            channel_id=GENERAL, author=BOT_USER, content=reply.content,
            message_id=reply.message_id, embeds=reply.embeds,
            components=reply.data.get("components", []),
        )
        data = {"custom_id": custom_id, "component_type": 2}
        self.state.parse_interaction_create(self._interaction(3, data, user, GUILD, message=message))
        await self.settle()
        return self.recorder.sent[before:]

    # -- gateway events ---------------------------------------------------------------------

    def gateway(self, event: str, data: dict[str, Any]) -> None:
        getattr(self.state, f"parse_{event.lower()}")(data)

    async def settle(self) -> None:
        """Wait until every event, command, button and backfill task has finished writing."""
        prefixes = ("CommandTree-invoker", "discord-ui-view-dispatch", "discord.py:", "seminar-bot:")
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
                    *, message_content: bool = True) -> Harness:
    recorder = Recorder()
    api = FakeDiscordAPI()
    monkeypatch.setattr(AsyncWebhookAdapter, "request", lambda self, route, session=None, **kw: recorder.request(route, session, **kw))
    bot = SeminarBot(settings, service, message_content=message_content)
    for name in ("logs_from", "get_channel", "get_active_threads", "get_public_archived_threads",
                 "get_private_archived_threads", "bulk_upsert_guild_commands"):
        monkeypatch.setattr(bot.http, name, getattr(api, name))
    await bot._async_setup_hook()
    await bot.setup_hook()
    bot._connection.application_id = APP_ID
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
