"""Tenant boundaries on the real command tree: a server nobody configured gets nothing (no
default course, no logging), an instructor acts only on their own server's course, and a
/reindex never holds up asks or the log."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.core.readings import refresh
from bot.core.service import SeminarService
from tests.discord_app.harness import (
    GENERAL,
    GUILD,
    MANAGER,
    OTHER_GUILD,
    STUDENT,
    UNLOGGED,
    Channel,
    Harness,
    message_payload,
    settings_for,
    start_bot,
)
from tests.discord_app.test_commands import channel_resolved, rows


@pytest.fixture()
async def unconfigured(
    tmp_path: Path, readings: Path, service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """No DISCORD_GUILD_IDS, no courses file: commands are global, every server can call."""
    h = await start_bot(settings_for(tmp_path, readings, discord_guild_ids=()), service,
                        monkeypatch)
    yield h
    await h.settle()
    await h.bot.close()


def indexed_at(service: SeminarService) -> list[str]:
    return [r[0] for r in rows(service, "SELECT indexed_at FROM readings ORDER BY id")]


async def test_a_server_nobody_configured_gets_nothing(unconfigured: Harness) -> None:
    h = unconfigured
    before = indexed_at(h.service)
    rebuild = (await h.slash("reindex", user=MANAGER, guild_id=OTHER_GUILD, rebuild=True))[-1]
    assert rebuild.ephemeral and "not set up" in rebuild.content
    assert indexed_at(h.service) == before  # the default course was not touched
    for command, options in (("readings", {}), ("ask", {"question": "What are regimes?"})):
        reply = (await h.slash(command, user=STUDENT, guild_id=OTHER_GUILD, **options))[-1]
        assert "not set up" in reply.content and "Regimes" not in reply.text()
    theirs = UNLOGGED + 10  # the other server's channel (harness.start_bot)
    resolved = {"channels": {str(theirs): {"id": str(theirs), "type": 0, "name": "other-general",
                                           "permissions": "0", "guild_id": str(OTHER_GUILD)}}}
    added = (await h.slash("log channels add", user=MANAGER, guild_id=OTHER_GUILD,
                           channel=Channel(theirs), resolved=resolved))[-1]
    assert "not set up" in added.content
    assert rows(h.service, "SELECT * FROM logged_channels") == []
    assert rows(h.service, "SELECT * FROM bot_queries") == []
    # A channel turned on before the server lost its configuration logs nothing either.
    h.service.set_logged_channel(str(OTHER_GUILD), str(theirs), on=True).result()
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=theirs, author=STUDENT,
                                                content="not for this bot", guild_id=OTHER_GUILD))
    await h.settle()
    assert rows(h.service, "SELECT * FROM messages") == []


async def test_a_configured_server_is_served_and_only_it(harness: Harness) -> None:
    """DISCORD_GUILD_IDS names GUILD: its students get the default course, nobody else does."""
    reply = (await harness.slash("readings", guild_id=GUILD))[-1]
    assert "Regimes" in reply.text()
    assert harness.service.scope("discord", GUILD).course == "default"
    with pytest.raises(Exception, match="not set up"):
        harness.service.scope("discord", OTHER_GUILD)


async def test_asks_and_logging_go_on_during_a_reindex(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    sent = await h.slash("log channels add", user=MANAGER, channel=Channel(GENERAL),
                         resolved=channel_resolved())
    assert "Logging" in sent[-1].content
    preparing, release = threading.Event(), threading.Event()
    real = refresh.prepare_reading

    def slow_file(*args: Any, **kwargs: Any) -> Any:  # a large PDF being read
        preparing.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(refresh, "prepare_reading", slow_file)
    assert h.begin_slash("reindex", user=MANAGER, rebuild=True)
    try:
        assert await asyncio.to_thread(preparing.wait, 10)
        payload = message_payload(channel_id=GENERAL, author=STUDENT, content="during a rebuild")
        h.gateway("MESSAGE_CREATE", payload)
        logged = h.service.record_messages([])  # queued behind the live message's write
        await asyncio.wait_for(asyncio.wrap_future(logged), 2)
        assert [r[0] for r in rows(h.service, "SELECT content FROM messages")] == [
            "during a rebuild"]
        answer = await asyncio.wait_for(
            asyncio.to_thread(h.service.scope("discord", GUILD).ask, "What are regimes?"), 5)
        assert answer.hits
    finally:
        release.set()
    await h.settle()
    assert "Indexed" in h.recorder.replies()[-1].content
