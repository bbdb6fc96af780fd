"""A fake Slack Web API on 127.0.0.1 and helpers that dispatch signed payloads to the real app.

The fake server records every call (Web API methods under /api/, response_url posts under
/response/) and answers from per-method handlers a test can replace. The app under test is the
real slack-bolt `App` built by `build_app`, with its WebClient pointed at the fake server.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from aiohttp import WSMsgType, web
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.core.service import SeminarService
from bot.settings import Settings
from bot.slack_app import build_app

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEAM"
BOT_USER = "UBOT"
LOGGED = "C0LOGGED"
INSTRUCTORS = "S0INSTR"

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    path: str
    params: dict[str, Any]
    authorization: str | None = None

    @property
    def method(self) -> str:
        return self.path.removeprefix("/api/")


@dataclass
class FakeSlack:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    handlers: dict[str, Handler] = field(default_factory=dict)
    # A test may hold response_url posts until it sets this event.
    hold_responses: threading.Event | None = None
    completed_responses: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def record(self, call: Call) -> None:
        with self._arrived:
            self.calls.append(call)
            self._arrived.notify_all()

    def api(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.path == f"/api/{method}"]

    def responses(self) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.path.startswith("/response/")]

    def wait_responses(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.responses()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} responses, got {self.responses()}")
                self._arrived.wait(left)
        return self.responses()

    def uploads(self) -> list[bytes]:
        return [c.params["data"] for c in self.calls if c.path.startswith("/upload/")]

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/response/{name}"


class Workspace:
    """A channel's history and threads, served newest first in pages of `page` messages."""

    def __init__(self, page: int = 3) -> None:
        self.page = page
        self.history: list[dict[str, Any]] = []
        self.threads: dict[str, list[dict[str, Any]]] = {}

    def post(self, ts: str, text: str, user: str = "U0STUDENT", **extra: Any) -> None:
        self.history.append({"type": "message", "user": user, "text": text, "ts": ts, **extra})

    def reply(self, thread_ts: str, ts: str, text: str, user: str = "U0STUDENT") -> None:
        replies = self.threads.setdefault(thread_ts, [])
        replies.append({"type": "message", "user": user, "text": text, "ts": ts,
                        "thread_ts": thread_ts, "parent_user_id": "U0STUDENT"})
        parent = next(m for m in self.history if m["ts"] == thread_ts)
        parent.update(thread_ts=thread_ts, reply_count=len(replies), latest_reply=ts)

    def delete(self, ts: str) -> None:
        """Delete a message or a reply, as Slack's history shows it afterwards."""
        self.history = [m for m in self.history if m["ts"] != ts]
        for thread_ts, replies in self.threads.items():
            kept = [m for m in replies if m["ts"] != ts]
            if len(kept) < len(replies):
                self.threads[thread_ts] = kept
                parent = next(m for m in self.history if m["ts"] == thread_ts)
                parent.update(reply_count=len(kept),
                              latest_reply=kept[-1]["ts"] if kept else thread_ts)

    def _page(self, items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        start = int(params.get("cursor") or 0)
        limit = min(int(params.get("limit") or 100), self.page)
        chunk = items[start : start + limit]
        more = start + limit < len(items)
        return {"ok": True, "messages": chunk, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def history_page(self, params: dict[str, Any]) -> dict[str, Any]:
        oldest = Decimal(params.get("oldest") or 0)
        items = sorted((m for m in self.history if Decimal(m["ts"]) > oldest),
                       key=lambda m: Decimal(m["ts"]), reverse=True)
        return self._page(items, params)

    def replies_page(self, params: dict[str, Any]) -> dict[str, Any]:
        thread_ts = params["ts"]
        oldest = Decimal(params.get("oldest") or 0)
        parent = next(m for m in self.history if m["ts"] == thread_ts)
        replies = [m for m in self.threads.get(thread_ts, []) if Decimal(m["ts"]) > oldest]
        return self._page([parent, *replies], params)  # Slack always leads with the parent

    def serve(self, fake: FakeSlack) -> None:
        fake.handlers["conversations.history"] = self.history_page
        fake.handlers["conversations.replies"] = self.replies_page



def _params(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    query = urlsplit(handler.path).query
    length = int(handler.headers.get("Content-Length") or 0)
    data = handler.rfile.read(length) if length else b""
    if urlsplit(handler.path).path.startswith("/upload/"):
        return {"data": data}  # a file's bytes, as files_upload_v2 posts them
    raw = data.decode()
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    if raw:
        if raw.lstrip().startswith("{"):
            params.update(json.loads(raw))
        else:
            params.update({k: v[-1] for k, v in parse_qs(raw).items()})
    return params


def _default_handlers() -> dict[str, Handler]:
    return {
        "auth.test": lambda p: {"ok": True, "team_id": TEAM, "user_id": BOT_USER,
                                "bot_id": "B0BOT", "url": "https://example.slack.com/"},
        "users.info": lambda p: {"ok": True, "user": {"id": p["user"], "is_admin": False,
                                                      "is_owner": False}},
        "usergroups.users.list": lambda p: {"ok": True, "users": []},
        "conversations.info": lambda p: {"ok": True, "channel": {"id": p["channel"],
                                                                 "name": "seminar"}},
        "conversations.history": lambda p: {"ok": True, "messages": [], "has_more": False},
        "conversations.replies": lambda p: {"ok": True, "messages": [], "has_more": False},
        "conversations.open": lambda p: {"ok": True, "channel": {"id": "D0" + p["users"]}},
        "files.completeUploadExternal": lambda p: {"ok": True, "files": json.loads(p["files"])},
    }


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(handlers=_default_handlers())

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            params = _params(self)
            fake.record(Call(path, params, self.headers.get("Authorization")))
            if path.startswith("/upload/"):
                self._send(200, b"OK - uploaded", "text/plain")
                return
            if path.startswith("/response/"):
                if fake.hold_responses is not None:
                    fake.hold_responses.wait(10)
                self._send(200, b"ok", "text/plain")
                fake.completed_responses += 1
                return
            method = path.removeprefix("/api/")
            handler = fake.handlers.get(method)
            body = handler(params) if handler else {"ok": False, "error": "unknown_method"}
            self._send(200, json.dumps(body).encode(), "application/json")

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    uploads = iter(range(1, 1_000))

    def upload_url(params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(uploads):04d}"
        return {"ok": True, "file_id": file_id, "upload_url": f"{fake.url}/upload/{file_id}"}

    fake.handlers["files.getUploadURLExternal"] = upload_url
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        if fake.hold_responses is not None:
            fake.hold_responses.set()
        server.shutdown()
        server.server_close()


# Readings written for these tests: several paragraphs on distinct topics, so a question has
# one clear best passage and enough weaker ones for a second page of results.
READING_A = """---
title: Rivers and Cities
authors: [Ana Ortega]
year: "2019"
---

Rivers shaped where the first cities grew, because floods left fertile silt along the banks and farmers could feed a dense population.

Irrigation canals required cooperation between villages, and the need to share water gave rise to early councils that settled disputes over the canals.

Trade moved along rivers more cheaply than over land, so river ports became markets where merchants from distant regions met.

When a river changed its course the city beside it often declined, as merchants and farmers followed the water to new banks.
"""

READING_B = """---
title: Memory and the Archive
authors: [Ben Lowe]
year: "2021"
---

Archives do not simply preserve the past; archivists decide which records are kept, and those choices shape what historians can later write.

Oral testimony fills gaps that written records leave, especially for communities whose members were rarely asked to write anything down.

A city archive often holds tax rolls, court records and maps of river ports, which together show how trade and settlement changed.

Digitisation makes records easier to search but can hide the material context of a document, such as marginal notes or the paper it was written on.

Historians compare several archives to test whether a single record is reliable, since any one collection reflects the interests of whoever assembled it.
"""

READING_C = """---
title: Water Histories
authors: [Chloe Park]
year: "2023"
---

River valleys supported cities because the water carried boats, fed fields and removed waste.

Bridges turned river crossings into meeting points, and many cities grew around a bridge over a river.

Engineers straightened rivers in the nineteenth century to protect cities from floods, with mixed results for the river banks.

Mills along the river powered the first factories, and workers' housing spread along the river in the cities that followed.

Drinking water drawn from the river spread disease in crowded cities until filtration and sewers separated clean water from waste.

Today river cities restore banks and wetlands, treating the river as a public space rather than a drain.
"""

# Cites the two readings above, with a reference list, for /cite.
READING_D = """---
title: Cities on the Water
authors: [Dana Reyes]
year: "2022"
---

Early councils grew out of disputes over shared canals (Ortega, 2019: 12), and city archives kept their rulings for centuries (Lowe 2021).

Later studies question how far the canals alone explain the first councils (Ortega, 2019).

## References

Lowe, B. (2021). Memory and the archive. Oxford University Press.

Ortega, A. (2019). Rivers and cities. Journal of Urban History, 45(2), 100-120.
"""


@pytest.fixture
def readings_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "readings"
    folder.mkdir()
    (folder / "rivers.md").write_text(READING_A, encoding="utf-8")
    (folder / "archive.md").write_text(READING_B, encoding="utf-8")
    (folder / "water.md").write_text(READING_C, encoding="utf-8")
    (folder / "reyes.md").write_text(READING_D, encoding="utf-8")
    return folder


@pytest.fixture
def service(tmp_path: Path, readings_dir: Path) -> Iterator[SeminarService]:
    svc = SeminarService(tmp_path / "seminar.db", readings_dir)
    svc.ensure_all()
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def settings(readings_dir: Path, tmp_path: Path) -> Settings:
    return Settings(
        readings_dir=readings_dir,
        db_path=tmp_path / "seminar.db",
        slack_instructor_group=INSTRUCTORS,
        slack_log_channels=(LOGGED,),
    )


def make_app(
    service: SeminarService, settings: Settings, fake: FakeSlack, *, synchronous: bool = True
) -> App:
    client = WebClient(token="xoxb-test", base_url=fake.url + "/api/")
    return build_app(
        service, settings, client, signing_secret=SIGNING_SECRET,
        process_before_response=synchronous,
    )


@pytest.fixture
def app(service: SeminarService, settings: Settings, fake_slack: FakeSlack) -> App:
    return make_app(service, settings, fake_slack)


def signed_request(body: str, content_type: str) -> BoltRequest:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(
        timestamp=timestamp, body=body
    )
    return BoltRequest(
        body=body,
        headers={
            "content-type": [content_type],
            "x-slack-signature": [signature],
            "x-slack-request-timestamp": [timestamp],
        },
    )


def slash(
    app: App,
    fake: FakeSlack,
    command: str,
    text: str = "",
    *,
    user: str = "U0STUDENT",
    channel: str = "C0CLASS",
    team: str = TEAM,
) -> BoltResponse:
    body = urlencode({
        "token": "legacy", "team_id": team, "team_domain": "class", "channel_id": channel,
        "channel_name": "class", "user_id": user, "user_name": "student", "command": command,
        "text": text, "api_app_id": "A0APP", "response_url": fake.response_url(),
        "trigger_id": "123.456.abc",
    })
    return app.dispatch(signed_request(body, "application/x-www-form-urlencoded"))


def click(
    app: App,
    fake: FakeSlack,
    action_id: str,
    value: str,
    *,
    user: str = "U0STUDENT",
    channel: str = "C0CLASS",
    team: str = TEAM,
) -> BoltResponse:
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "class"},
        "user": {"id": user, "username": "student", "team_id": team},
        "api_app_id": "A0APP",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000000.000100",
                      "channel_id": channel, "is_ephemeral": False},
        "trigger_id": "123.456.abc",
        "channel": {"id": channel, "name": "class"},
        "response_url": fake.response_url("action"),
        "actions": [{"action_id": action_id, "block_id": "b1", "type": "button",
                     "value": value, "action_ts": "1700000001.000200",
                     "text": {"type": "plain_text", "text": "x"}}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    return app.dispatch(signed_request(body, "application/x-www-form-urlencoded"))


_event_ids = iter(range(1, 1_000_000))


def deliver(app: App, event: dict[str, Any], *, team: str = TEAM) -> BoltResponse:
    body = json.dumps({
        "token": "legacy", "team_id": team, "api_app_id": "A0APP", "event": event,
        "type": "event_callback", "event_id": f"Ev{next(_event_ids)}",
        "event_time": 1700000000,
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
    })
    return app.dispatch(signed_request(body, "application/json"))


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a list of blocks, for assertions on what a person sees."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(out)


class FakeSocketMode:
    """Slack's Socket Mode end: a WebSocket on 127.0.0.1 that says hello, pushes the envelopes
    a test queues, and collects what the app sends back (its acks)."""

    def __init__(self) -> None:
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._outgoing: asyncio.Queue[dict[str, Any]] | None = None
        self._runner: web.AppRunner | None = None
        self._sessions: set[web.WebSocketResponse] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    async def _serve(self) -> None:
        self._outgoing = asyncio.Queue()
        app = web.Application()
        app.router.add_get("/link", self._session)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"ws://127.0.0.1:{port}/link"

    async def _session(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sessions.add(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0APP"}})
        assert self._outgoing is not None

        async def push() -> None:
            assert self._outgoing is not None
            while True:
                await ws.send_json(await self._outgoing.get())

        pusher = asyncio.create_task(push())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.received.put(json.loads(msg.data))
        finally:
            pusher.cancel()
            self._sessions.discard(ws)
        return ws

    def send(self, envelope: dict[str, Any]) -> None:
        assert self._outgoing is not None
        self._loop.call_soon_threadsafe(self._outgoing.put_nowait, envelope)

    def drop(self) -> None:
        """Close every open session from Slack's end, as a network outage or restart does."""

        async def close_all() -> None:
            for ws in list(self._sessions):
                await ws.close()

        asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def socket_mode() -> Iterator[FakeSocketMode]:
    fake = FakeSocketMode()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
