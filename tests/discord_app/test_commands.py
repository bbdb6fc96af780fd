"""Every slash command, dispatched as a gateway INTERACTION_CREATE through the real tree."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.core.service import SeminarService
from tests.discord_app.harness import (
    GUILD,
    INSTRUCTOR,
    MANAGER,
    OTHER_STUDENT,
    STUDENT,
    Channel,
    Harness,
    Sent,
    settings_for,
    start_bot,
)


def rows(service: SeminarService, sql: str, *args: Any) -> list[sqlite3.Row]:
    service.db.flush()
    with service.db.read() as conn:
        return list(conn.execute(sql, args))


def only_reply(sent: list[Sent]) -> Sent:
    shown = [s for s in sent if s.payload.get("type") != 5]
    assert len(shown) == 1, [s.payload for s in sent]
    return shown[0]


def longest_passage(service: SeminarService) -> tuple[str, str]:
    with service.db.read() as conn:
        row = conn.execute(
            "SELECT id, text FROM passages ORDER BY length(text) DESC LIMIT 1"
        ).fetchone()
    return row[0], row[1]


# -- /ask ----------------------------------------------------------------------------------


async def test_ask_defers_then_answers_with_the_best_sentence_in_bold(harness: Harness) -> None:
    sent = await harness.slash("ask", question="What are international regimes?")
    assert sent[0].payload == {"type": 5}  # deferred at once: search never races the 3 s window
    reply = only_reply(sent)
    assert not reply.ephemeral
    embed = reply.embeds[0]
    assert "**" in embed["description"]
    bold = embed["description"].split("**")[1]
    assert "regimes" in bold.lower()
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert {"Section", "Paragraph", "Score", "Passage id"} <= set(fields)
    assert fields["Score"].endswith("/100")
    assert "Regimes and" in embed["title"]
    assert {"Next result", "Show full passage", "How to cite", "Helpful", "Not helpful"} <= set(
        reply.custom_ids()
    )
    [query] = rows(harness.service, "SELECT * FROM bot_queries")
    assert query["kind"] == "ask" and query["guild_id"] == str(GUILD)
    assert query["user_id"] == str(STUDENT.id)
    shown = json.loads(query["results"])
    assert fields["Passage id"].strip("`") == shown[0]


async def test_private_ask_is_ephemeral(harness: Harness) -> None:
    sent = await harness.slash("ask", question="What are international regimes?", private=True)
    assert sent[0].payload["type"] == 5 and sent[0].payload["data"]["flags"] & 64
    assert only_reply(sent).ephemeral


async def test_buttons_page_show_the_passage_and_store_feedback(harness: Harness) -> None:
    reply = only_reply(await harness.slash("ask", question="regimes cooperation compliance states"))
    first_id = reply.embeds[0]["fields"][-1]["value"]

    page = await harness.click(reply, "Next result")
    assert page[-1].payload["type"] == 7  # the same message, edited in place
    second = page[-1].payload["data"]["embeds"][0]
    assert second["fields"][-1]["value"] != first_id
    assert second["footer"]["text"].startswith("Result 2 of")

    full = await harness.click(reply, "Show full passage")
    assert full[0].payload["type"] == 5 and full[0].payload["data"]["flags"] & 64
    assert full[-1].ephemeral and full[-1].embeds[0]["description"]

    cite = await harness.click(reply, "How to cite")
    assert cite[-1].ephemeral and cite[-1].text()

    # someone else can open the passage, but not page the asker's card or rate it
    other = await harness.click(reply, "Next result", user=OTHER_STUDENT)
    assert other[-1].ephemeral and "Only the person who asked" in other[-1].content
    other = await harness.click(reply, "Helpful", user=OTHER_STUDENT)
    assert other[-1].ephemeral
    assert rows(harness.service, "SELECT feedback FROM bot_queries")[0][0] is None
    assert (await harness.click(reply, "Show full passage", user=OTHER_STUDENT))[-1].embeds

    thanks = await harness.click(reply, "Not helpful", user=STUDENT)
    assert thanks[-1].ephemeral
    [query] = rows(harness.service, "SELECT feedback FROM bot_queries")
    assert query["feedback"] == "not_helpful"
    await harness.click(reply, "Helpful")
    [query] = rows(harness.service, "SELECT feedback FROM bot_queries")
    assert query["feedback"] == "helpful"


async def test_nothing_convincing_is_said_honestly_with_suggestions(harness: Harness) -> None:
    reply = only_reply(await harness.slash("ask", question="zebra quantum marmalade"))
    embed = reply.embeds[0]
    assert embed["title"] == "Nothing convincing in the readings"
    assert any(f["name"] == "You could try" for f in embed.get("fields", []))


async def test_ask_within_one_reading(harness: Harness) -> None:
    reply = only_reply(
        await harness.slash("ask", question="unilateral leverage", reading="drug-policy")
    )
    assert "Drug Policy" in reply.embeds[0]["title"]


async def test_mentions_in_a_question_never_ping(harness: Harness) -> None:
    question = "@everyone what do <@&930000000000000001> and @here say about regimes?"
    sent = await harness.slash("ask", question=question)
    for s in sent:
        if s.payload.get("type") != 5:
            assert s.data["allowed_mentions"] == {"parse": []}
    author = only_reply(sent).embeds[0]["author"]["name"]
    assert "@everyone" not in author and "@here" not in author
    assert "<@&930000000000000001>" not in author
    assert "everyone" in author  # echoed, but defused
    # The stored question keeps what the student typed.
    [query] = rows(harness.service, "SELECT query FROM bot_queries")
    assert "@everyone" in query["query"]


async def test_longest_passage_fits_every_limit(harness: Harness) -> None:
    pid, text = longest_passage(harness.service)
    assert len(text) > 4096  # the fixture has one: otherwise this test proves nothing
    sent = await harness.slash("passage", id=pid)
    reply = only_reply(sent)
    assert reply.files and reply.files[0].filename.endswith(".txt")
    # Markdown and mentions in the reading are escaped, not rendered.
    assert "\\*wording\\*" in reply.embeds[0]["description"]
    assert "@everyone" not in reply.embeds[0]["description"]
    # and as an /ask answer, with the buttons
    answer = only_reply(await harness.slash("ask", question="delegates wording treaty clause"))
    assert answer.embeds[0]["description"]
    full = await harness.click(answer, "Show full passage")
    assert full[-1].files
    # the limits themselves are asserted on every response by the harness fixture


@pytest.mark.parametrize("readings_fixture", ["knowledge_dir", "shared_readings"])
async def test_longest_passage_of_real_readings_fits(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
    readings_fixture: str,
) -> None:
    """The bundled sample course and the shared readings (skipped when ../shared is absent)."""
    from tests.discord_app.harness import assert_within_discord_limits, settings_for, start_bot

    folder = request.getfixturevalue(readings_fixture)
    service = SeminarService(tmp_path / "real.db", folder)
    service.ensure_all()
    h = await start_bot(settings_for(tmp_path, folder), service, monkeypatch)
    try:
        pid, text = longest_passage(service)
        sent = await h.slash("passage", id=pid)
        reply = only_reply(sent)
        assert reply.embeds
        if len(text) > 4096:  # more than an embed can hold: the full text is attached
            assert reply.files
        # and as the first card of an answer, asked with the passage's own opening words
        answer = only_reply(await h.slash("ask", question=" ".join(text.split()[:12])))
        assert answer.embeds
        for s in h.recorder.sent:
            assert_within_discord_limits(s)
    finally:
        await h.bot.close()
        service.close()


# -- other student commands ----------------------------------------------------------------


async def test_readings_lists_the_course(harness: Harness) -> None:
    reply = only_reply(await harness.slash("readings"))
    text = reply.embeds[0]["description"]
    assert "Drug Policy Across the Border" in text and "Regimes and \\*Cooperation\\*" in text
    assert "passages" in text


async def test_unknown_passage_gets_an_ephemeral_explanation(harness: Harness) -> None:
    sent = await harness.slash("passage", id="no-such-passage")
    reply = sent[-1]
    assert reply.ephemeral and "No passage" in reply.content


async def test_cite_shows_the_citing_passage_and_the_reference_entry(harness: Harness) -> None:
    reply = only_reply(await harness.slash("cite", reference="Keohane 1984"))
    embed = reply.embeds[0]
    assert "**Keohane, 1984, p. 51**" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "After Hegemony" in fields["Reference entry"]
    assert fields["Section"] == "Compliance"
    forms = (await harness.click(reply, "How to cite"))[-1]
    assert forms.ephemeral and "**APA**" in forms.content and "Torres" in forms.content
    nothing = only_reply(await harness.slash("cite", reference="Zuckerberg 2031"))
    assert nothing.embeds[0]["title"] == "No passage cites this"
    kinds = [r[0] for r in rows(harness.service, "SELECT kind FROM bot_queries ORDER BY id")]
    assert kinds == ["cite", "cite"]


async def test_quote_marks_the_printed_words(harness: Harness) -> None:
    reply = only_reply(await harness.slash("quote", text="the shadow of the future is long"))
    assert "**the shadow of the future is long**" in reply.embeds[0]["description"]
    assert "Regimes" in reply.embeds[0]["title"]
    [query] = rows(harness.service, "SELECT kind, results FROM bot_queries")
    assert query["kind"] == "quote" and "regimes-p2" in query["results"]


async def test_help_shows_instructor_commands_only_to_instructors(harness: Harness) -> None:
    student = only_reply(await harness.slash("help")).text()
    teacher = only_reply(await harness.slash("help", user=INSTRUCTOR)).text()
    assert "/ask" in student and "/reindex" not in student
    assert "/reindex" in teacher and "/log channels" in teacher


# -- autocomplete --------------------------------------------------------------------------


async def test_reading_autocomplete_filters_titles(harness: Harness) -> None:
    choices = await harness.autocomplete("ask", "reading", question="x", reading="drug")
    assert [c["value"] for c in choices] == ["drug-policy"]
    everything = await harness.autocomplete("ask", "reading", question="x", reading="")
    assert 1 <= len(everything) <= 25


async def test_reference_autocomplete_offers_surnames_and_years(harness: Harness) -> None:
    choices = await harness.autocomplete("cite", "reference", reference="tor")
    names = [c["name"] for c in choices]
    assert "Torres (2019)" in names
    accents = await harness.autocomplete("cite", "reference", reference="mendez")
    assert "Méndez (2021)" in [c["name"] for c in accents]


async def test_reference_autocomplete_offers_reference_list_entries(harness: Harness) -> None:
    choices = await harness.autocomplete("cite", "reference", reference="keoh")
    assert [c["value"] for c in choices][:2] == ["keoh", "Keohane 1984"]
    everything = await harness.autocomplete("cite", "reference", reference="")
    assert "Keohane 1984" in [c["name"] for c in everything] and len(everything) <= 25


# -- instructor commands and the permission check -------------------------------------------


@pytest.mark.parametrize("command", ["digest", "reindex", "sync", "log channels list"])
async def test_students_are_refused_instructor_commands(harness: Harness, command: str) -> None:
    reply = (await harness.slash(command))[-1]
    assert reply.ephemeral and "Only instructors" in reply.content
    assert harness.api.synced == []


async def test_instructor_role_and_manage_server_both_count(harness: Harness) -> None:
    for user in (INSTRUCTOR, MANAGER):
        sent = await harness.slash("reindex", user=user)
        assert sent[0].payload["type"] == 5
        assert "passages" in sent[-1].content and sent[-1].ephemeral


async def test_autocomplete_of_instructor_commands_checks_too(harness: Harness) -> None:
    await harness.slash(
        "log channels add", user=INSTRUCTOR, channel=Channel(910000000000000001),
        resolved=channel_resolved(),
    )
    assert await harness.autocomplete("digest", "channel", user=STUDENT, channel="") == []
    choices = await harness.autocomplete("digest", "channel", user=INSTRUCTOR, channel="")
    assert [c["value"] for c in choices] == ["910000000000000001"]


async def test_sync_is_an_explicit_instructor_action(harness: Harness) -> None:
    assert harness.api.synced == []  # nothing synced at start-up
    reply = (await harness.slash("sync", user=INSTRUCTOR))[-1]
    assert reply.ephemeral and "Synced" in reply.content
    [(guild_id, count)] = harness.api.synced
    assert guild_id == GUILD and count == len(harness.bot.tree.get_commands(guild=harness_guild()))


# -- the error handler ---------------------------------------------------------------------


async def test_a_user_mistake_gets_an_ephemeral_explanation(harness: Harness) -> None:
    reply = (await harness.slash("ask", question="?!?"))[-1]
    assert reply.ephemeral and "punctuation" in reply.content


async def test_a_bug_is_logged_with_a_reference_the_user_can_quote(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(harness.service, "ask", broken)
    with caplog.at_level(logging.ERROR, logger="bot.discord"):
        reply = (await harness.slash("ask", question="What are regimes?"))[-1]
    assert reply.ephemeral and "index exploded" not in reply.content
    ref = reply.content.split("`")[1]
    assert len(ref) == 8
    record = next(r for r in caplog.records if ref in r.getMessage())
    assert record.exc_info and "index exploded" in str(record.exc_info[1])


@pytest.mark.parametrize(
    ("command", "options"),
    [("privacy status", {}), ("privacy optout", {}), ("ask", {"question": "why do treaties last?"})],
)
async def test_commands_outside_a_server_are_refused(
    tmp_path: Path, readings: Path, service: SeminarService, monkeypatch: pytest.MonkeyPatch,
    command: str, options: dict[str, str],
) -> None:
    """In a DM there is no course and no server to store under: the check refuses before the
    command does anything (no opt-out row, no logged query). Global commands (no
    DISCORD_GUILD_IDS) are the ones a DM can reach; guild commands do not exist there."""
    h = await start_bot(settings_for(tmp_path, readings, discord_guild_ids=()), service, monkeypatch)
    try:
        reply = (await h.slash(command, guild_id=None, **options))[-1]
        assert reply.ephemeral and "only works inside a class server" in reply.content
        assert rows(service, "SELECT * FROM optouts") == []
        assert rows(service, "SELECT * FROM bot_queries") == []
    finally:
        await h.settle()
        await h.bot.close()


def channel_resolved() -> dict[str, Any]:
    return {
        "channels": {
            "910000000000000001": {
                "id": "910000000000000001", "type": 0, "name": "general",
                "permissions": "0", "guild_id": str(GUILD),
            },
            "910000000000000002": {
                "id": "910000000000000002", "type": 15, "name": "questions",
                "permissions": "0", "guild_id": str(GUILD),
            },
        }
    }


def harness_guild() -> Any:
    import discord

    return discord.Object(GUILD)


async def test_expired_buttons_are_removed(harness: Harness) -> None:
    from bot.discord_app.views import AnswerView

    reply = only_reply(await harness.slash("ask", question="What are international regimes?"))
    view = next(
        v for v in harness.state._view_store.persistent_views + list(
            harness.state._view_store._synced_message_views.values()
        ) if isinstance(v, AnswerView)
    )
    await view.on_timeout()
    edit = harness.recorder.last
    assert edit.method == "PATCH" and edit.url.endswith(f"/messages/{reply.message_id}")
    assert edit.payload["components"] == []


async def test_digest_attaches_files_for_the_instructor_only(harness: Harness) -> None:
    from tests.discord_app.harness import GENERAL, THREAD, Channel, message_payload

    await harness.slash("log channels add", user=INSTRUCTOR, channel=Channel(GENERAL),
                        resolved=channel_resolved())
    for i, author in enumerate((STUDENT, OTHER_STUDENT, STUDENT)):
        harness.gateway("MESSAGE_CREATE", message_payload(
            channel_id=THREAD, author=author,
            content=f"Point {i}: what does 'the shadow of the future is long' mean?"))
    await harness.settle()
    sent = await harness.slash("digest", user=INSTRUCTOR, format="md")
    reply = sent[-1]
    assert reply.ephemeral and reply.files, reply.content
    body = b"".join(f.fp.getvalue() for f in reply.files).decode()  # type: ignore[attr-defined]
    assert "Student" in body and "Classmate" in body  # both authors, by display name
    anonymous = (await harness.slash("digest", user=INSTRUCTOR, format="md", anonymize=True))[-1]
    anon_body = b"".join(f.fp.getvalue() for f in anonymous.files).decode()  # type: ignore[attr-defined]
    assert "Classmate" not in anon_body and "Point 0" in anon_body
    assert "Only instructors" in (await harness.slash("digest", user=STUDENT))[-1].content


async def test_digest_of_a_logged_channel_by_autocomplete(harness: Harness) -> None:
    from tests.discord_app.harness import GENERAL, Channel

    await harness.slash("log channels add", user=INSTRUCTOR, channel=Channel(GENERAL),
                        resolved=channel_resolved())
    choices = await harness.autocomplete("digest", "channel", user=INSTRUCTOR, channel="gen")
    assert [c["value"] for c in choices] == [str(GENERAL)]
    reply = (await harness.slash("digest", user=INSTRUCTOR, channel=str(GENERAL)))[-1]
    assert reply.ephemeral and reply.files
