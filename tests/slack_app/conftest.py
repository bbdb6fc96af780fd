"""Fixtures for the Slack tests; the fake Slack server and helpers live in slack_fakes."""

from tests.slack_app.slack_fakes import (
    app,
    fake_slack,
    readings_dir,
    service,
    settings,
    socket_mode,
)

__all__ = ["app", "fake_slack", "readings_dir", "service", "settings", "socket_mode"]
