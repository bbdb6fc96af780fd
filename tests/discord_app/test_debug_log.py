"""A DEBUG-level run: the log holds neither the bot token, nor an interaction token, nor what
anyone wrote, although discord.py logs every REST call and gateway payload at DEBUG.

Discord is a loopback HTTP server here, so discord.py's own request code runs and logs (login,
command registration, the interaction callback and follow-up with the token in their URLs);
gateway frames go through a real `DiscordWebSocket.received_message`, which logs them whole.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from aiohttp import web
from discord.gateway import DiscordWebSocket

from bot import logsafe
from bot.core.service import SeminarService
from bot.discord_app.client import SeminarBot
from bot.settings import Secret
from tests.discord_app.harness import (
    APP_ID,
    BOT_USER,
    GENERAL,
    GUILD,
    STUDENT,
    guild_payload,
    message_payload,
    settings_for,
    snowflake,
)

TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456789AB"
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246ODAwMDAwOnNlY3JldC10b2tlbi12YWx1ZQ"
QUESTION = "what do international regimes lower between states"
SAID = "my secret opinion about regimes, not for the log"


def as_json(data: Any) -> web.Response:
    """Exactly Discord's content type: discord.py parses nothing else as JSON."""
    return web.Response(body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


@pytest.fixture()
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[str]]:
    """Discord's REST API on 127.0.0.1; returns the paths it was asked for."""
    seen: list[str] = []
    commands: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        path = request.path.removeprefix("/api/v10")
        seen.append(f"{request.method} {path}")
        body = await request.json() if request.can_read_body else None
        if path == "/users/@me":
            return as_json({**BOT_USER.payload(), "verified": True,
                                      "mfa_enabled": False, "flags": 0})
        if path == "/oauth2/applications/@me":
            return as_json({"id": str(APP_ID), "name": "seminar-bot", "description": "",
                                      "icon": None, "bot_public": False, "flags": 0,
                                      "bot_require_code_grant": False, "verify_key": "0" * 64,
                                      "owner": BOT_USER.payload()})
        if path.endswith("/commands"):
            if request.method == "PUT":
                commands[:] = [{**c, "id": str(snowflake()), "application_id": str(APP_ID),
                                "version": "1"} for c in body]
            return as_json(commands if "/guilds/" in path else [])
        if path.endswith("/callback"):
            return as_json({"interaction": {"id": "1", "type": 2,
                                                      "response_message_loading": True}})
        message = message_payload(channel_id=GENERAL, author=BOT_USER,
                                  content=(body or {}).get("content") or "")
        return as_json(message)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    try:
        yield seen
    finally:
        await runner.cleanup()


async def test_a_debug_run_logs_no_token_and_no_message_text(
    tmp_path: Path, readings: Path, service: SeminarService, fake_discord: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(tmp_path, readings, discord_token=Secret(TOKEN),
                            discord_log_level="DEBUG")
    caplog.set_level(logging.DEBUG)
    logsafe.install(settings)  # what `seminar-bot run` does (via logsafe.configure)
    assert logging.getLogger("discord").level == logging.DEBUG  # asked for: DEBUG it is
    bot = SeminarBot(settings, service)
    async with bot:
        await bot.login(TOKEN)  # REST over HTTP: login, application, command registration
        state = bot._connection
        state._add_guild_from_data(guild_payload(GUILD))
        service.set_logged_channel(str(GUILD), str(GENERAL), on=True).result()
        ws = DiscordWebSocket(None, loop=bot.loop)  # type: ignore[arg-type]
        ws._discord_parsers = state.parsers
        ws._dispatch = bot.dispatch
        ws.shard_id = 0
        interaction = {
            "id": str(snowflake()), "application_id": str(APP_ID), "type": 2,
            "token": INTERACTION_TOKEN, "version": 1, "guild_id": str(GUILD),
            "channel_id": str(GENERAL), "member": STUDENT.member(), "locale": "en-US",
            "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {},
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel": {"id": str(GENERAL), "type": 0, "guild_id": str(GUILD), "name": "general",
                        "permissions": "0"},
            "data": {"id": "1", "type": 1, "name": "ask", "guild_id": str(GUILD),
                     "options": [{"type": 3, "name": "question", "value": QUESTION}]},
        }
        for seq, (event, data) in enumerate(
            [("INTERACTION_CREATE", interaction),
             ("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT,
                                                content=SAID))], start=1):
            await ws.received_message(json.dumps({"op": 0, "t": event, "s": seq, "d": data}))
        for _ in range(100):  # the command's task: defer, search, follow-up, all over HTTP
            if any(p.startswith("POST /webhooks/") for p in fake_discord):
                break
            await asyncio.sleep(0.02)
    assert any(p.endswith("/callback") for p in fake_discord)  # it did answer, over HTTP
    assert any(p.startswith("POST /webhooks/") for p in fake_discord)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "WebSocket Event" in logged and "/interactions/" in logged  # discord.py did log
    for secret in (TOKEN, INTERACTION_TOKEN, QUESTION, SAID, "secret opinion"):
        assert secret not in logged, secret
