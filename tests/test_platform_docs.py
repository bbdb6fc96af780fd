"""docs/discord.md and docs/slack.md walk an instructor through an install: every setting they
name is one the bot reads, every command line they show parses, and every slash command they
name exists on that platform."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.core.presentation import commands_for

ROOT = Path(__file__).resolve().parents[1]
DOCS = {"discord": ROOT / "docs" / "discord.md", "slack": ROOT / "docs" / "slack.md"}
SETTING = re.compile(r"\b(?:DISCORD|SLACK|SEMINAR)_[A-Z_]+\b|\bINSTRUCTOR_ROLE\b")
SLASH = re.compile(r"(?<![\w/<.])/([a-z]+)\b")


@pytest.mark.parametrize("platform", sorted(DOCS))
def test_every_setting_named_is_read_by_the_bot(platform: str) -> None:
    read = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in set(SETTING.findall(DOCS[platform].read_text(encoding="utf-8"))):
        assert f'"{name}"' in read, f"{name} is not read by bot/settings.py"
        assert name in example, f"{name} is missing from .env.example"


@pytest.mark.parametrize("platform", sorted(DOCS))
def test_every_command_line_shown_parses(platform: str) -> None:
    text = DOCS[platform].read_text("utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL)
    shown = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    shown = [line[line.index("seminar-bot "):] for line in shown if "seminar-bot " in line]
    shown += re.findall(r"`(seminar-bot [^`]+)`", text)
    assert shown, "the walk-through shows no command"
    parser = build_parser()
    for line in shown:
        words = shlex.split(line.replace("…", ""))[1:]
        if words and not words[0].startswith("-"):
            parser.parse_args(words)  # exits with 2 on an unknown command or option


@pytest.mark.parametrize("platform", sorted(DOCS))
def test_every_slash_command_named_exists(platform: str) -> None:
    # and the console's, which the docs offer for trying things without a server
    known = {c.name for c in commands_for(platform) + commands_for("console")}  # type: ignore[arg-type]
    text = DOCS[platform].read_text(encoding="utf-8")
    text = re.sub(r"https?://\S+|`[^`]*/[^`]*\.(?:md|yml|py)`|\]\([^)]*\)", "", text)
    named = set(SLASH.findall(text)) - {"invite"}  # Slack's own /invite
    assert named <= known, named - known
