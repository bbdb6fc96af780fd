"""slack/manifest.yml declares exactly what the code registers and calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App
from slack_sdk import WebClient

from bot.core.presentation import commands_for, description
from bot.core.service import SeminarService
from bot.settings import Settings
from bot.slack_app.app import SlackHandlers, command_table
from tests.slack_app.slack_fakes import LOGGED, FakeSlack, deliver, slash

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "slack" / "manifest.yml"
SOURCES = ROOT / "bot" / "slack_app"

# Web API methods the code may call, and the bot scopes each needs (auth.test needs none).
METHOD_SCOPES: dict[str, set[str]] = {
    "auth_test": set(),
    "users_info": {"users:read"},
    "usergroups_users_list": {"usergroups:read"},
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_history": {"channels:history", "groups:history"},
    "conversations_replies": {"channels:history", "groups:history"},
    "conversations_open": {"im:write"},
    "files_upload_v2": {"files:write"},
}
# `message` events from public and private channels; both need the *:history scopes above.
EVENT_SUBSCRIPTIONS = {"message": {"message.channels", "message.groups"}}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def _web_api_calls() -> set[str]:
    """Every WebClient method the Slack package references as `client.<method>`."""
    names: set[str] = set()
    for source in SOURCES.glob("*.py"):
        names.update(re.findall(r"\bclient\.([a-z_0-9]+)", source.read_text(encoding="utf-8")))
    return {n for n in names if callable(getattr(WebClient, n, None)) and n != "api_call"}


def test_manifest_commands_are_the_registered_ones(
    manifest: dict[str, Any], service: SeminarService, settings: Settings
) -> None:
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == set(command_table(SlackHandlers(service, settings)))


def test_manifest_descriptions_are_the_command_registry(manifest: dict[str, Any]) -> None:
    declared = {c["command"]: c["description"] for c in manifest["features"]["slash_commands"]}
    assert declared == {f"/{c.name}": description(c.name, "slack")
                        for c in commands_for("slack")}


def test_every_declared_command_is_answered(
    manifest: dict[str, Any], app: App, fake_slack: FakeSlack
) -> None:
    for entry in manifest["features"]["slash_commands"]:
        assert slash(app, fake_slack, entry["command"], "").status == 200, entry["command"]
    assert slash(app, fake_slack, "/undeclared", "").status == 404


def test_manifest_scopes_are_exactly_the_ones_used(manifest: dict[str, Any]) -> None:
    calls = _web_api_calls()
    assert calls, "the scan found no Web API calls"
    unknown = calls - set(METHOD_SCOPES)
    assert not unknown, f"add the scopes of {unknown} to METHOD_SCOPES and the manifest"
    needed = {"commands"}.union(*(METHOD_SCOPES[c] for c in calls))
    for event in EVENT_SUBSCRIPTIONS:
        needed |= {"channels:history", "groups:history"} if event == "message" else set()
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_manifest_events_are_the_handled_ones(
    manifest: dict[str, Any], app: App
) -> None:
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert declared == set().union(*EVENT_SUBSCRIPTIONS.values())
    for event_type in EVENT_SUBSCRIPTIONS:
        event = {"type": event_type, "channel": LOGGED, "user": "U1", "text": "x",
                 "ts": "1700000000.000100"}
        assert deliver(app, event).status == 200
    assert deliver(app, {"type": "reaction_added", "user": "U1"}).status == 404


def test_manifest_uses_socket_mode_and_interactivity(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    for entry in manifest["features"]["slash_commands"]:
        assert "url" not in entry  # Socket Mode delivers commands over the socket
