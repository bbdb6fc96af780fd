"""The console's commands are the ones the help registry describes."""

from __future__ import annotations

from bot.console import Console, help_text
from bot.core.presentation import commands_for
from bot.core.service import SeminarService


def test_every_console_command_is_in_its_help(sample_service: SeminarService) -> None:
    console = Console(sample_service)
    described = {c.name for c in commands_for("console")}
    assert set(console.commands) | {"quit"} == described
    shown = console.handle("/help")
    assert shown == help_text()
    for command in commands_for("console"):
        assert f"/{command.name} {command.usage['console']}".rstrip() in shown
        assert command.summary in shown
    assert console.handle("/bogus") == "Unknown command /bogus. " + help_text()
