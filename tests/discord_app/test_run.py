"""`run_discord`: what `seminar-bot run` does with a token, with Discord faked at the HTTP and
gateway boundary (login answers, the gateway connection refuses or ends)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.cli import main
from bot.core.errors import SeminarError
from bot.core.service import SeminarService
from bot.discord_app.client import SeminarBot, run_discord
from bot.settings import Secret
from tests.discord_app.harness import BOT_USER, settings_for

TOKEN = "fake.token.value"


def test_no_token_is_a_clear_error(tmp_path: Path, readings: Path, service: SeminarService) -> None:
    with pytest.raises(SeminarError, match="DISCORD_TOKEN"):
        run_discord(settings_for(tmp_path, readings), service)


@pytest.fixture()
def gateway(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Login succeeds; the gateway refuses the Message Content intent if the portal has it off."""
    connections: list[bool] = []

    async def static_login(self: Any, token: str) -> dict[str, Any]:
        assert token == TOKEN  # the real token, not its masked form
        return {**BOT_USER.payload(), "verified": True, "mfa_enabled": False, "flags": 0}

    async def connect(self: SeminarBot, *, reconnect: bool = True) -> None:
        connections.append(self.intents.message_content)
        if self.intents.message_content:
            raise discord.PrivilegedIntentsRequired(0)

    async def application_info(self: Any) -> dict[str, Any]:
        return {"id": BOT_USER.payload()["id"], "name": "seminar-bot", "description": "",
                "icon": None, "bot_public": False, "bot_require_code_grant": False,
                "owner": BOT_USER.payload(), "verify_key": "0" * 64, "flags": 0}

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", static_login)
    monkeypatch.setattr(discord.http.HTTPClient, "application_info", application_info)
    monkeypatch.setattr(SeminarBot, "connect", connect)
    return connections


def test_without_the_intent_the_bot_starts_again_without_it(
    tmp_path: Path, readings: Path, service: SeminarService, gateway: list[bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(tmp_path, readings, discord_token=Secret(TOKEN))
    with caplog.at_level(logging.WARNING, logger="bot.discord"):
        assert run_discord(settings, service) == 0
    assert gateway == [True, False]
    assert any("Message Content intent" in r.getMessage() for r in caplog.records)
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


def test_a_refused_token_is_a_clear_error(
    tmp_path: Path, readings: Path, service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(self: Any, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    settings = settings_for(tmp_path, readings, discord_token=Secret(TOKEN))
    with pytest.raises(SeminarError, match="refused the token"):
        run_discord(settings, service)


def test_seminar_bot_run_indexes_every_configured_course(
    tmp_path: Path, readings: Path, courses_file: Path, gateway: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole start-up path with a token: two courses configured, both indexed before the
    gateway connects (a course added in SEMINAR_COURSES must not wait for /reindex)."""
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("SEMINAR_COURSES", str(courses_file))
    db = tmp_path / "run.db"
    assert main(["run", "--readings", str(readings), "--db", str(db)]) == 0
    assert gateway == [True, False]  # it did connect (twice: see the intent test above)
    with sqlite3.connect(db) as conn:
        courses = {row[0] for row in conn.execute("SELECT course FROM readings")}
    assert courses == {"default", "ethics"}
