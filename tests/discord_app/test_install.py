"""A real install, as an instructor and a class meet it: commands that register on the first
start, instructor commands the instructor role can use, buttons that survive restarts and busy
writers, and errors that stay private. Each test failed on the code before issue 13."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.core.service import SeminarService
from tests.discord_app.harness import (
    GENERAL,
    GUILD,
    INSTRUCTOR,
    MANAGER,
    OTHER_STUDENT,
    STUDENT,
    Channel,
    Harness,
    message_payload,
    settings_for,
    start_bot,
)
from tests.discord_app.test_commands import channel_resolved, only_reply, rows
from tests.discord_app.test_smoke import EXPECTED


async def log_general(h: Harness) -> None:
    """#general logged (by a member with Manage Server: this test is not about the role)."""
    reply = (await h.slash("log channels add", user=MANAGER, channel=Channel(GENERAL),
                           resolved=channel_resolved()))[-1]
    assert "Logging" in reply.content


ANSWER_BUTTONS = ("Next result", "Previous", "Show full passage", "How to cite", "Helpful",
                  "Not helpful")


# -- commands registered on the first start ---------------------------------------------------


async def test_a_never_synced_server_ends_with_its_commands_registered(harness: Harness) -> None:
    """The harness's Discord had no command; start-up found that out and registered them."""
    api = harness.api
    assert api.command_requests == [("GET", GUILD), ("PUT", GUILD), ("GET", None)]
    assert {c["name"] for c in api.commands[GUILD]} == EXPECTED
    assert api.commands.get(None) is None  # nothing global: the server's own commands only
    answer = only_reply(await harness.slash("ask", question="What are international regimes?"))
    assert answer.embeds


async def test_a_restart_with_unchanged_commands_writes_nothing_and_a_change_is_published(
    harness: Harness, tmp_path: Path, readings: Path, service: SeminarService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await harness.bot.close()
    harness.api.command_requests.clear()
    again = await start_bot(settings_for(tmp_path, readings), service, monkeypatch,
                            same_discord_as=harness)
    await again.bot.close()
    assert harness.api.command_requests == [("GET", GUILD), ("GET", None)]  # compared, no write
    # Discord's copy is older than the code (a description changed in an update of the bot)
    ask = next(c for c in harness.api.commands[GUILD] if c["name"] == "ask")
    ask["description"] = "an older description"
    harness.api.command_requests.clear()
    updated = await start_bot(settings_for(tmp_path, readings), service, monkeypatch,
                              same_discord_as=harness)
    try:
        assert harness.api.command_requests == [("GET", GUILD), ("PUT", GUILD), ("GET", None)]
        ask = next(c for c in harness.api.commands[GUILD] if c["name"] == "ask")
        assert ask["description"] != "an older description"
    finally:
        await updated.bot.close()


async def test_a_server_that_refuses_is_logged_and_the_others_still_registered(
    tmp_path: Path, readings: Path, service: SeminarService, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A configured server the bot was not invited to (or without applications.commands), and
    global commands left over from an earlier install without DISCORD_GUILD_IDS."""
    from tests.discord_app.harness import APP_ID, FakeDiscordAPI, Recorder

    missing = 999_000_000_000_000_001
    earlier = Harness.__new__(Harness)
    earlier.recorder, earlier.api = Recorder(), FakeDiscordAPI()
    await earlier.api.bulk_upsert_global_commands(
        APP_ID, [{"name": "ask", "type": 1, "description": "old", "options": []}])
    settings = settings_for(tmp_path, readings, discord_guild_ids=(missing, GUILD))
    with caplog.at_level(logging.WARNING, logger="bot.discord"):
        h = await start_bot(settings, service, monkeypatch, same_discord_as=earlier)
    try:
        assert {c["name"] for c in h.api.commands[GUILD]} == EXPECTED
        assert h.api.commands[None] == []  # the duplicates are gone
        warning = next(r.getMessage() for r in caplog.records if str(missing) in r.getMessage())
        assert "applications.commands" in warning and "docs/discord.md" in warning
    finally:
        await h.bot.close()


async def test_a_class_server_that_invites_the_bot_after_it_started_gets_the_commands(
    tmp_path: Path, readings: Path, service: SeminarService, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Started before the invite: start-up cannot register there; the invite (GUILD_CREATE of
    a new guild, discord.py's on_guild_join) does. Another server joined is not a class one."""
    from tests.discord_app.harness import guild_payload

    later, stranger = 900_000_000_000_000_010, 900_000_000_000_000_011
    settings = settings_for(tmp_path, readings, discord_guild_ids=(later,))
    h = await start_bot(settings, service, monkeypatch)
    try:
        assert later not in h.api.commands
        h.api.command_requests.clear()
        for guild in (stranger, later):  # the instructor opens the invite link
            h.api.installed.add(guild)
            joined = guild_payload(guild) | {"channels": [], "threads": []}
            del joined["unavailable"]  # a join, not a server coming back after an outage
            h.gateway("GUILD_CREATE", joined)
        await h.settle()
        assert h.api.command_requests == [("GET", later), ("PUT", later)]
        assert {c["name"] for c in h.api.commands[later]} == EXPECTED
    finally:
        await h.bot.close()


def test_seminar_bot_discord_sync_help(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    with pytest.raises(SystemExit) as done:
        main(["discord", "sync", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "usage: seminar-bot discord sync" in out and "--dry-run" in out


# -- instructor commands the instructor role can see ----------------------------------------------


@pytest.mark.parametrize("command", ["digest", "reindex", "sync", "log channels list"])
async def test_a_member_with_only_the_instructor_role_can_run_instructor_commands(
    harness: Harness, command: str
) -> None:
    reply = (await harness.slash(command, user=INSTRUCTOR))[-1]  # Discord offered it to them
    assert reply.ephemeral and "Only instructors" not in reply.content


# -- buttons that survive restarts, idle time and busy writers -----------------------------------


async def test_an_answers_buttons_work_in_a_new_process_on_the_same_database(
    harness: Harness, tmp_path: Path, readings: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    reply = only_reply(await harness.slash("ask", question="regimes cooperation compliance states"))
    first = reply.embeds[0]["fields"][-1]["value"]
    await log_general(harness)
    harness.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=OTHER_STUDENT,
                                                      content="stored before the opt-out"))
    prompt = (await harness.slash("privacy optout", user=OTHER_STUDENT))[-1]
    await harness.settle()
    await harness.bot.close()
    harness.service.close()
    fresh = SeminarService(tmp_path / "seminar.db", readings)  # the new process's own
    restarted = await start_bot(settings_for(tmp_path, readings), fresh, monkeypatch,
                                same_discord_as=harness)
    try:
        harness.clock.advance(20 * 60)  # and the class came back after a break
        pages = await restarted.click(reply, "Next result")
        assert pages[-1].embeds[0]["fields"][-1]["value"] != first
        for label in ANSWER_BUTTONS[1:]:
            answered = [s for s in await restarted.click(reply, label) if s.method != "DELETE"]
            assert answered, label
        erased = await restarted.click(prompt, "Erase what was stored", user=OTHER_STUDENT)
        assert "Done: erased 1" in erased[-1].content
        assert restarted.recorder.take_failures() == []  # every click acknowledged within 3 s
        [query] = rows(fresh, "SELECT feedback FROM bot_queries")
        assert query["feedback"] == "not_helpful"
    finally:
        await restarted.bot.close()
        fresh.close()


async def test_buttons_acknowledge_before_they_wait_for_a_busy_writer(harness: Harness) -> None:
    await log_general(harness)
    reply = only_reply(await harness.slash("ask", question="What are international regimes?"))
    harness.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT,
                                                      content="stored before the opt-out"))
    optout = (await harness.slash("privacy optout"))[-1]
    with harness.slow_writes(5.0):  # each write waits 5 s behind another writer
        await harness.click(reply, "Helpful")
        thanks = await harness.click(reply, "Not helpful")
        [query] = rows(harness.service, "SELECT feedback FROM bot_queries")
        erased = await harness.click(optout, "Erase what was stored")
    assert harness.recorder.take_failures() == []  # each acknowledged within 3 s all the same
    assert "Thanks" in thanks[-1].content and query["feedback"] == "not_helpful"
    assert "Done: erased" in erased[-1].content


async def test_a_classmate_pressing_someones_erase_button_is_told_why(harness: Harness) -> None:
    await log_general(harness)
    harness.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT,
                                                      content="mine"))
    optout = (await harness.slash("privacy optout"))[-1]
    refused = (await harness.click(optout, "Erase what was stored", user=OTHER_STUDENT))[-1]
    assert refused.ephemeral and "Only the student who opted out" in refused.content


async def test_an_erased_answer_says_so_when_its_buttons_are_pressed(harness: Harness) -> None:
    reply = only_reply(await harness.slash("ask", question="What are international regimes?"))
    harness.service.erase_user(str(STUDENT.id), str(GUILD)).result()
    told = (await harness.click(reply, "Next result"))[-1]
    assert told.ephemeral and "no longer stored" in told.content


# -- errors stay private, and quote nobody's markup ----------------------------------------------


def shown_publicly(h: Harness) -> list[Any]:
    """What the last interaction left in the channel for everyone (a placeholder included)."""
    return h.recorder.public_messages(h.last_interaction)


@pytest.mark.parametrize(("command", "options", "says"), [
    ("passage", {"id": "no-such-passage"}, "No passage"),
    ("ask", {"question": "?!?"}, "punctuation"),
    ("ask", {"question": "regimes", "reading": "no such reading"}, "No reading matches"),
    ("quote", {"text": "!!!"}, "no words"),
])
async def test_mistakes_are_told_only_to_the_student(
    harness: Harness, command: str, options: dict[str, Any], says: str
) -> None:
    reply = (await harness.slash(command, **options))[-1]
    assert reply.ephemeral and says in reply.content
    assert shown_publicly(harness) == []


async def test_a_bug_reference_is_private_too(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(harness.service, "ask", broken)
    reply = (await harness.slash("ask", question="What are regimes?"))[-1]
    assert reply.ephemeral and "Something went wrong on my side" in reply.content
    assert shown_publicly(harness) == []


async def test_echoed_text_cannot_post_a_masked_link(harness: Harness) -> None:
    def inert(text: str) -> bool:  # every bracket escaped: Discord renders no link
        return "\\[Free Nitro]" in text and "[" not in text.replace("\\[", "")

    bait = "[Free Nitro](https://nitro.example/claim)"
    reply = (await harness.slash("ask", question="regimes", reading=bait))[-1]
    assert reply.ephemeral and inert(reply.content)
    reply = (await harness.slash("passage", id=bait))[-1]
    assert reply.ephemeral and inert(reply.content)
    digest = (await harness.slash("digest", user=INSTRUCTOR, channel=bait))[-1]
    assert digest.ephemeral and inert(digest.content)


async def test_a_public_answer_after_an_error_free_start_stays_public(harness: Harness) -> None:
    """The placeholder is only deleted on errors: a good answer replaces it, in public."""
    reply = only_reply(await harness.slash("readings"))
    assert not reply.ephemeral and not harness.last_interaction.original_deleted
    assert isinstance(discord.Embed.from_dict(reply.embeds[0]), discord.Embed)
