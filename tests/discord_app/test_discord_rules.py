"""The harness keeps Discord's server-side rules, shown on probe commands and views added to the
real bot's real tree (so a test passing on the harness passes on Discord too)."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from bot.discord_app.registration import register_commands
from tests.discord_app.harness import (
    GUILD,
    INSTRUCTOR,
    MANAGER,
    STUDENT,
    Harness,
    settings_for,
    start_bot,
)


async def add_probe(h: Harness, command: app_commands.Command[Any, ..., Any]) -> None:
    h.bot.tree.add_command(command, guild=discord.Object(GUILD))
    await register_commands(h.bot)


async def test_a_command_discord_does_not_know_gets_no_interaction(harness: Harness) -> None:
    ran: list[int] = []

    @app_commands.command(name="probe", description="probe")
    async def probe(interaction: discord.Interaction) -> None:
        ran.append(1)
        await interaction.response.send_message("hi")

    harness.bot.tree.add_command(probe, guild=discord.Object(GUILD))  # in the code, not synced
    assert await harness.slash("probe") == [] and ran == []
    [failed] = harness.recorder.take_failures()
    assert "not registered with Discord" in (failed.failed or "")
    await register_commands(harness.bot)  # once registered, Discord sends it
    assert (await harness.slash("probe"))[-1].content == "hi" and ran == [1]


async def test_the_first_follow_up_after_a_public_defer_is_public_whatever_its_flags(
    harness: Harness,
) -> None:
    @app_commands.command(name="probe", description="probe")
    async def probe(interaction: discord.Interaction, delete_first: bool = False) -> None:
        await interaction.response.defer(thinking=True)
        if delete_first:
            await interaction.delete_original_response()
        await interaction.followup.send("meant to be private", ephemeral=True)
        await interaction.followup.send("the second one is", ephemeral=True)

    await add_probe(harness, probe)
    first, second = [s for s in await harness.slash("probe") if s.method == "POST"][1:]
    assert first.flags & 64 and not first.ephemeral  # the flag asked; Discord showed it to all
    assert second.ephemeral
    # with the placeholder deleted first, the follow-up is a new message and keeps its flags
    first = [s for s in await harness.slash("probe", delete_first=True) if s.method == "POST"][1]
    assert first.ephemeral


async def test_an_interaction_not_acknowledged_within_3_seconds_fails(harness: Harness) -> None:
    @app_commands.command(name="probe", description="probe")
    async def probe(interaction: discord.Interaction, seconds: int) -> None:
        harness.clock.advance(seconds)  # as if the command had worked that long first
        await interaction.response.send_message("late?")

    await add_probe(harness, probe)
    assert (await harness.slash("probe", seconds=2))[-1].content == "late?"
    assert harness.recorder.take_failures() == []
    assert await harness.slash("probe", seconds=4) == []  # Discord refused the late response
    [failed] = harness.recorder.take_failures()
    assert failed.failed and "acknowledged after 4" in failed.failed


async def test_follow_ups_stop_working_after_15_minutes(harness: Harness) -> None:
    @app_commands.command(name="probe", description="probe")
    async def probe(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        harness.clock.advance(16 * 60)
        with pytest.raises(discord.HTTPException) as refused:
            await interaction.followup.send("too late")
        assert refused.value.status == 401
        ran.append(1)

    ran: list[int] = []
    await add_probe(harness, probe)
    await harness.slash("probe")
    assert ran == [1]


async def test_a_component_nobody_handles_after_a_restart_gets_no_response(
    harness: Harness, tmp_path: Any, readings: Any, service: Any, monkeypatch: Any
) -> None:
    """An in-memory view (what AnswerView was) answers in the process that sent it only."""

    class Memory(discord.ui.View):
        @discord.ui.button(label="Press", custom_id="probe:press")
        async def press(self, interaction: discord.Interaction, button: Any) -> None:
            await interaction.response.send_message("pressed", ephemeral=True)

    @app_commands.command(name="probe", description="probe")
    async def probe(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("with a button", view=Memory(timeout=None))

    await add_probe(harness, probe)
    message = (await harness.slash("probe"))[-1]
    assert (await harness.click(message, "Press"))[-1].content == "pressed"
    await harness.bot.close()
    restarted = await start_bot(settings_for(tmp_path, readings), service, monkeypatch,
                                same_discord_as=harness)
    try:
        assert await restarted.click(message, "Press") == []
        [failed] = restarted.recorder.take_failures()
        assert "This interaction failed" in (failed.failed or "")
    finally:
        await restarted.bot.close()


async def test_a_member_without_default_member_permissions_does_not_see_the_command(
    harness: Harness,
) -> None:
    @app_commands.command(name="probe", description="probe")
    @app_commands.default_permissions(manage_guild=True)
    async def probe(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("seen")

    await add_probe(harness, probe)
    assert (await harness.slash("probe", user=MANAGER))[-1].content == "seen"  # Staff role
    for user in (STUDENT, INSTRUCTOR):  # the instructor role grants no Discord permission
        assert await harness.slash("probe", user=user) == []
        [failed] = harness.recorder.take_failures()
        assert "hidden from members without default_member_permissions" in (failed.failed or "")
