"""Every cog imports and the whole command tree builds without connecting to Discord."""

from __future__ import annotations

import discord

from bot.core.presentation import commands_for, description
from bot.discord_app.client import COG_MODULES
from tests.discord_app.harness import GUILD, Harness

EXPECTED = {"ask", "cite", "quote", "readings", "passage", "help", "digest", "reindex", "sync",
            "log", "privacy"}


async def test_the_commands_are_the_ones_the_help_registry_describes(harness: Harness) -> None:
    commands = harness.bot.tree.get_commands(guild=discord.Object(GUILD))
    assert {c.name for c in commands} == {c.name for c in commands_for("discord")} == EXPECTED
    for command in commands:
        assert command.description == description(command.name, "discord")


async def test_every_cog_loads_and_the_tree_builds(harness: Harness) -> None:
    assert set(harness.bot.extensions) == set(COG_MODULES)
    commands = harness.bot.tree.get_commands(guild=discord.Object(GUILD))
    assert {c.name for c in commands} == EXPECTED
    payloads = [c.to_dict(harness.bot.tree) for c in commands]  # what /sync would send
    assert all(len(p["description"]) <= 100 for p in payloads)
    log = next(c for c in commands if c.name == "log")
    assert {c.qualified_name for c in log.walk_commands()} >= {
        "log channels add", "log channels remove", "log channels list"
    }


async def test_client_never_pings(harness: Harness) -> None:
    mentions = harness.bot.allowed_mentions
    assert mentions is not None
    assert mentions.to_dict() == {"parse": []}
