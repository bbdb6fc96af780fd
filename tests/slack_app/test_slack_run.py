"""Starting the Slack app: clear refusals before anything connects, and no token in any log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.errors import SeminarError
from bot.core.service import SeminarService
from bot.settings import Secret, Settings
from bot.slack_app import build_app, run_slack


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
