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
from tests.discord_app.harness import BOT_USER, GUILD, FakeDiscordAPI, settings_for
from tests.discord_app.test_smoke import EXPECTED

TOKEN = "fake.token.value"


def test_no_token_is_a_clear_error(tmp_path: Path, readings: Path, service: SeminarService) -> None:
    with pytest.raises(SeminarError, match="DISCORD_TOKEN"):
        run_discord(settings_for(tmp_path, readings), service)


@pytest.fixture()
def discord_api(monkeypatch: pytest.MonkeyPatch) -> FakeDiscordAPI:
    """Discord's HTTP API: login succeeds, the command endpoints are the harness's fake."""

    async def static_login(self: Any, token: str) -> dict[str, Any]:
        assert token == TOKEN  # the real token, not its masked form
        return {**BOT_USER.payload(), "verified": True, "mfa_enabled": False, "flags": 0}

    async def application_info(self: Any) -> dict[str, Any]:
        return {"id": BOT_USER.payload()["id"], "name": "seminar-bot", "description": "",
                "icon": None, "bot_public": False, "bot_require_code_grant": False,
                "owner": BOT_USER.payload(), "verify_key": "0" * 64, "flags": 0}

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", static_login)
    monkeypatch.setattr(discord.http.HTTPClient, "application_info", application_info)
    api = FakeDiscordAPI()
    for name in ("get_guild_commands", "get_global_commands", "bulk_upsert_guild_commands",
                 "bulk_upsert_global_commands"):
        monkeypatch.setattr(discord.http.HTTPClient, name, _unbound(getattr(api, name)))
    return api


@pytest.fixture()
def gateway(monkeypatch: pytest.MonkeyPatch, discord_api: FakeDiscordAPI) -> list[bool]:
    """The gateway refuses the Message Content intent if the portal has it off."""
    connections: list[bool] = []

    async def connect(self: SeminarBot, *, reconnect: bool = True) -> None:
        connections.append(self.intents.message_content)
        if self.intents.message_content:
            raise discord.PrivilegedIntentsRequired(0)

    monkeypatch.setattr(SeminarBot, "connect", connect)
    return connections


def _unbound(call: Any) -> Any:
    """The fake's method as an HTTPClient method (discord.py passes the client as `self`)."""
    return lambda self, *args, **kwargs: call(*args, **kwargs)


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


def test_seminar_bot_discord_sync_registers_without_a_running_bot(
    tmp_path: Path, readings: Path, discord_api: FakeDiscordAPI, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CLI path end to end on a server where nothing was ever registered: --dry-run says
    so and writes nothing, the sync registers every command there (and nothing globally)."""
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_GUILD_IDS", str(GUILD))
    monkeypatch.delenv("SEMINAR_COURSES", raising=False)
    args = ["discord", "sync", "--readings", str(readings), "--db", str(tmp_path / "cli.db")]
    assert main([*args, "--dry-run"]) == 0
    assert f"server {GUILD}: differs from the code" in capsys.readouterr().out
    assert discord_api.synced == []
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"server {GUILD}: registered {len(EXPECTED)} command(s)" in out
    assert {c["name"] for c in discord_api.commands[GUILD]} == EXPECTED
    assert discord_api.synced == [(GUILD, len(EXPECTED)), (None, 0)]
    assert main([*args, "--dry-run"]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_seminar_bot_discord_sync_without_a_token_says_so(
    tmp_path: Path, readings: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["discord", "sync", "--readings", str(readings), "--db",
                 str(tmp_path / "cli.db")]) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err
