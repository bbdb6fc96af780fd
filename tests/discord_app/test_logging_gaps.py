"""Logging gaps made visible: one server's failed backfill does not stop the others', and
private threads the bot cannot read are said once, to the log and to instructors."""

from __future__ import annotations

import logging
from typing import Any

import discord
import pytest

from tests.discord_app.harness import (
    GENERAL,
    GUILD,
    MANAGER,
    OTHER_GUILD,
    STUDENT,
    UNLOGGED,
    Harness,
    http_error,
    message_payload,
)
from tests.discord_app.test_commands import rows
from tests.discord_app.test_install import log_general

OTHER_GENERAL = UNLOGGED + 10  # #other-general, in the other server


async def test_a_server_whose_backfill_fails_does_not_stop_the_next_ones(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await log_general(h)
    h.service.serve_default([OTHER_GUILD])  # a second class server
    h.service.set_logged_channel(str(OTHER_GUILD), str(OTHER_GENERAL), on=True).result()
    missed = h.api.post(message_payload(channel_id=OTHER_GENERAL, author=STUDENT,
                                        content="said while the bot was away",
                                        guild_id=OTHER_GUILD))
    real = h.api.get_active_threads

    async def first_server_broken(guild_id: int) -> dict[str, Any]:
        if int(guild_id) == GUILD:
            raise http_error(500, 0, "Internal Server Error")
        return await real(guild_id)

    monkeypatch.setattr(h.bot.http, "get_active_threads", first_server_broken)
    assert [g.id for g in h.bot.guilds] == [GUILD, OTHER_GUILD]  # the broken one comes first
    with caplog.at_level(logging.WARNING, logger="bot.core.log.catchup"):
        h.bot.dispatch("shard_ready", 0)
        await h.settle()
    assert missed["id"] in {r[0] for r in rows(h.service, "SELECT id FROM messages")}
    assert any(f"of guild {GUILD} failed" in r.getMessage() for r in caplog.records)
    # The broken server is fetched again at the next reconnect (its gap was kept).
    lost = h.api.post(message_payload(channel_id=GENERAL, author=STUDENT, content="in the gap"))
    monkeypatch.setattr(h.bot.http, "get_active_threads", real)
    h.gateway("RESUMED", {"__shard_id__": 0})
    await h.settle()
    assert lost["id"] in {r[0] for r in rows(h.service, "SELECT id FROM messages")}


async def test_private_threads_that_cannot_be_read_are_said_once_to_the_log_and_instructors(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    h.api.private_threads_forbidden.add(GENERAL)  # invited without Manage Threads
    with caplog.at_level(logging.INFO, logger="bot.discord.log"):
        await log_general(h)
        h.bot.dispatch("shard_ready", 0)
        await h.settle()
        h.gateway("RESUMED", {"__shard_id__": 0})
        await h.settle()
    warnings = [r for r in caplog.records
                if r.levelno == logging.WARNING and "private threads" in r.getMessage()]
    assert len(warnings) == 1 and "Manage Threads" in warnings[0].getMessage()
    listing = (await h.slash("log channels list", user=MANAGER))[-1]
    assert listing.ephemeral and f"<#{GENERAL}>: its private threads cannot be read" in (
        listing.content) and "Manage Threads" in listing.content


def test_the_documented_invite_grants_manage_threads() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "discord.md").read_text("utf-8")
    invite = next(line for line in docs.splitlines() if "permissions=" in line)
    permissions = discord.Permissions(int(invite.split("permissions=")[1].split("&")[0]))
    assert permissions.manage_threads and permissions.read_message_history
    assert permissions.send_messages_in_threads and permissions.view_channel
    assert "scope=bot%20applications.commands" in invite
