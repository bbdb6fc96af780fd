"""Starting the Slack app: clear refusals before anything connects, and no token in any log."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.errors import SeminarError
from bot.core.service import SeminarService
from bot.settings import Secret, Settings
from bot.slack_app import build_app, run_slack
from bot.slack_app.app import connect_slack
from tests.slack_app.slack_fakes import LOGGED, TEAM, FakeSlack, FakeSocketMode


def test_run_slack_needs_both_tokens(service: SeminarService) -> None:
    with pytest.raises(SeminarError, match="SLACK_APP_TOKEN"):
        run_slack(Settings(slack_bot_token=Secret("xoxb-only")), service)


def test_build_app_without_a_token_is_a_clear_error(service: SeminarService) -> None:
    with pytest.raises(SeminarError, match="SLACK_BOT_TOKEN"):
        build_app(service, Settings())


def test_cli_run_slack_without_tokens_exits_2_with_one_line(
    tmp_path: Path, readings_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_TOKEN", "SEMINAR_COURSES"):
        monkeypatch.delenv(name, raising=False)
    code = main(["run", "--slack", "--readings", str(readings_dir), "--db",
                 str(tmp_path / "cli.db")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("seminar-bot: Slack needs both SLACK_BOT_TOKEN")


def test_tokens_never_reach_the_log(
    service: SeminarService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = "xoxb-secret-value-123"
    settings = Settings(slack_bot_token=Secret(token))
    app = build_app(service, settings)
    logging.getLogger("bot").info("settings: %s %r", settings.slack_bot_token, settings)
    assert app.client.token == token  # handed to the SDK, and only there
    assert token not in caplog.text


def test_socket_mode_session_acks_answers_and_backfills(
    service: SeminarService, settings: Settings, fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
) -> None:
    """run_slack's start-up, end to end: tokens checked, the socket opened, a slash command
    acked over the socket and answered through its response_url, missed history fetched."""
    fake_slack.handlers["apps.connections.open"] = lambda p: {"ok": True, "url": socket_mode.url}
    fake_slack.handlers["conversations.history"] = lambda p: {"ok": True, "messages": [
        {"type": "message", "user": "U0STUDENT", "text": "said while down",
         "ts": "1700000000.000100"}]}
    live = replace(settings, slack_bot_token=Secret("xoxb-test"),
                   slack_app_token=Secret("xapp-test"))
    connection = connect_slack(live, service, api_url=fake_slack.url + "/api/")
    try:
        assert connection.team_id == TEAM
        assert connection.catch_up.wait(1, 10)
        service.db.flush()
        assert service.last_message(TEAM, LOGGED) == f"{LOGGED}:1700000000.000100"
        socket_mode.send({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"token": "legacy", "team_id": TEAM, "channel_id": "C0CLASS",
                        "user_id": "U0STUDENT", "command": "/ask", "text": "rivers and cities",
                        "api_app_id": "A0APP", "response_url": fake_slack.response_url(),
                        "trigger_id": "1.2.3"},
        })
        ack = socket_mode.received.get(timeout=10)
        assert ack["envelope_id"] == "env-1"
        [answer] = fake_slack.wait_responses(1)
        assert answer["response_type"] == "in_channel" and answer["blocks"]
    finally:
        connection.close()
    auth = {c.method: c.authorization for c in fake_slack.calls if c.path.startswith("/api/")}
    assert auth["apps.connections.open"] == "Bearer xapp-test"
    assert auth["auth.test"] == auth["conversations.history"] == "Bearer xoxb-test"


def test_retention_purges_old_discussion_when_the_bot_starts(
    service: SeminarService, settings: Settings, fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
) -> None:
    from bot.core.models import LoggedMessage

    old = LoggedMessage(id=f"{LOGGED}:1500000000.000100", platform="slack", guild_id=TEAM,
                        channel_id=LOGGED, author_id="U0STUDENT", content="long ago",
                        created_at="2017-07-14T02:40:00+00:00")
    service.record_messages([old]).result()
    fake_slack.handlers["apps.connections.open"] = lambda p: {"ok": True, "url": socket_mode.url}
    live = replace(settings, slack_bot_token=Secret("xoxb-test"),
                   slack_app_token=Secret("xapp-test"), retention_days=30)
    connection = connect_slack(live, service, api_url=fake_slack.url + "/api/")
    try:
        for _ in range(100):
            service.db.flush()
            if service.last_message(TEAM, LOGGED) is None:
                break
            threading.Event().wait(0.05)
        assert service.last_message(TEAM, LOGGED) is None
    finally:
        connection.close()


def test_every_course_is_indexed_before_the_session_opens(
    tmp_path: Path, readings_dir: Path, courses_file: Path, settings: Settings,
    fake_slack: FakeSlack, socket_mode: FakeSocketMode,
) -> None:
    courses = {"default": readings_dir, "ethics": courses_file.parent / "ethics"}
    fresh = SeminarService(tmp_path / "fresh.db", courses, guild_courses={"T0ETHICS": "ethics"})
    fake_slack.handlers["apps.connections.open"] = lambda p: {"ok": True, "url": socket_mode.url}
    live = replace(settings, slack_bot_token=Secret("xoxb-test"),
                   slack_app_token=Secret("xapp-test"))
    connection = connect_slack(live, fresh, api_url=fake_slack.url + "/api/")
    try:
        assert [r.title for r in fresh.scope("slack", "T0ETHICS").readings()] == ["Habit"]
        assert fresh.scope("slack", TEAM).readings()
    finally:
        connection.close()
        fresh.close()
