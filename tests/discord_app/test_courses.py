"""One process, two class servers, two courses: nothing of one is visible from the other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest

from bot.core.service import SeminarService
from bot.settings import Course
from tests.discord_app.harness import (
    GENERAL,
    GUILD,
    INSTRUCTOR,
    OTHER_GUILD,
    STUDENT,
    Channel,
    message_payload,
    settings_for,
    start_bot,
)
from tests.discord_app.test_commands import channel_resolved, only_reply


@pytest.fixture()
def ethics(tmp_path: Path) -> Path:
    folder = tmp_path / "ethics"
    folder.mkdir()
    (folder / "virtue.md").write_text(
        "---\ntitle: Virtue and Habit\nauthors: [\"Dana Ruiz\"]\nyear: \"2018\"\n---\n# Habit\n\n"
        "Virtue is acquired by habit: we become just by doing just acts, and brave by doing "
        "brave ones.\n",
        encoding="utf-8",
    )
    return folder


async def test_each_server_sees_only_its_course(
    tmp_path: Path, readings: Path, ethics: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    courses = (Course("politics", readings, (str(GUILD),)), Course("ethics", ethics, (str(OTHER_GUILD),)))
    settings = settings_for(tmp_path, readings, discord_guild_ids=(), courses=courses)
    service = SeminarService(
        tmp_path / "courses.db", {c.id: c.readings for c in courses},
        guild_courses=settings.guild_courses(),
    )
    h = await start_bot(settings, service, monkeypatch)  # the bot indexes both as it starts
    try:
        # commands are registered in both class servers
        for guild in (GUILD, OTHER_GUILD):
            assert h.bot.tree.get_command("ask", guild=discord.Object(guild)) is not None

        politics = only_reply(await h.slash("readings", guild_id=GUILD)).embeds[0]["description"]
        ethics_list = only_reply(await h.slash("readings", guild_id=OTHER_GUILD)).embeds[0]["description"]
        assert "Drug Policy" in politics and "Virtue" not in politics
        assert "Virtue and Habit" in ethics_list and "Drug Policy" not in ethics_list

        answer = only_reply(await h.slash("ask", guild_id=OTHER_GUILD, question="international regimes"))
        assert "Regimes" not in answer.text()
        answer = only_reply(await h.slash("ask", guild_id=OTHER_GUILD, question="how is virtue acquired"))
        assert "Virtue and Habit" in answer.embeds[0]["title"]

        every = await autocomplete_in(h, OTHER_GUILD, "")
        assert [c["name"] for c in every] == ["Virtue and Habit"]
        assert await autocomplete_in(h, OTHER_GUILD, "re") == []  # "Regimes" is the other course's

        # logged channels, messages and opt-outs stay in their server
        await h.slash("log channels add", user=INSTRUCTOR, channel=Channel(GENERAL),
                      resolved=channel_resolved())
        h.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT, content="hello"))
        await h.settle()
        assert service.logged_channels(str(GUILD)) == [str(GENERAL)]
        assert service.logged_channels(str(OTHER_GUILD)) == []
        assert service.count_messages(str(GUILD), str(STUDENT.id)) == 1
        status = only_reply(await h.slash("privacy status", guild_id=OTHER_GUILD)).content
        assert "0 of your messages" in status
        with service.db.read() as conn:
            guilds = {r[0] for r in conn.execute("SELECT guild_id FROM bot_queries")}
        assert guilds == {str(OTHER_GUILD)}
    finally:
        await h.bot.close()
        service.close()


async def autocomplete_in(h: Any, guild_id: int, current: str) -> list[dict[str, Any]]:
    data = h._command_data("ask", [{"type": 3, "name": "question", "value": "x"},
                                   {"type": 3, "name": "reading", "value": current, "focused": True}],
                           guild_id)
    before = len(h.recorder.sent)
    h.state.parse_interaction_create(h._interaction(4, data, STUDENT, guild_id))
    await h.settle()
    return h.recorder.sent[before].payload["data"]["choices"]
