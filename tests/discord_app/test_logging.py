"""The discussion log, fed raw gateway payloads through discord.py's own parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.service import SeminarService
from tests.discord_app.harness import (
    FORUM,
    GENERAL,
    GUILD,
    INSTRUCTOR,
    OTHER_GUILD,
    OTHER_STUDENT,
    POST,
    STUDENT,
    THREAD,
    UNLOGGED,
    Channel,
    Harness,
    message_payload,
    settings_for,
    snowflake,
    start_bot,
    thread_payload,
)
from tests.discord_app.test_commands import channel_resolved, rows


def count(service: SeminarService, sql: str, *args: Any) -> int:
    return int(rows(service, sql, *args)[0][0])


def text_columns(service: SeminarService) -> list[tuple[str, str]]:
    """Every (table, column) of the database, FTS shadow tables included."""
    with service.db.read() as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [(t, c[1]) for t in tables for c in conn.execute(f'PRAGMA table_info("{t}")')]


async def log_channels(h: Harness, *channels: int) -> None:
    for cid in channels:
        sent = await h.slash(
            "log channels add", user=INSTRUCTOR, channel=Channel(cid), resolved=channel_resolved()
        )
        assert "Logging" in sent[-1].content, sent[-1].content


@pytest.fixture()
async def logged(harness: Harness) -> Harness:
    await log_channels(harness, GENERAL, FORUM)
    return harness


async def test_log_channels_add_list_remove(harness: Harness) -> None:
    await log_channels(harness, GENERAL)
    listing = (await harness.slash("log channels list", user=INSTRUCTOR))[-1]
    assert f"<#{GENERAL}>" in listing.content
    assert listing.data["allowed_mentions"] == {"parse": []}
    await harness.slash(
        "log channels remove", user=INSTRUCTOR, channel=Channel(GENERAL), resolved=channel_resolved()
    )
    listing = (await harness.slash("log channels list", user=INSTRUCTOR))[-1]
    assert "No channel is logged" in listing.content
    refused = (await harness.slash(
        "log channels add", user=STUDENT, channel=Channel(GENERAL), resolved=channel_resolved()
    ))[-1]
    assert "Only instructors" in refused.content
    assert rows(harness.service, "SELECT * FROM logged_channels") == []


async def test_messages_in_logged_channels_threads_and_forum_posts(logged: Harness) -> None:
    h = logged
    reply_to = snowflake()
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT, content="hi",
                                                message_id=reply_to))
    h.gateway("MESSAGE_CREATE", message_payload(
        channel_id=THREAD, author=OTHER_STUDENT, content="in a thread",
        message_reference={"message_id": str(reply_to), "channel_id": str(THREAD)},
        attachments=[{"id": "1", "filename": "notes.pdf", "size": 10,
                      "url": "https://cdn.example/notes.pdf", "proxy_url": "https://cdn.example/p"}],
    ))
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=POST, author=STUDENT, content="forum post"))
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=UNLOGGED, author=STUDENT, content="off"))
    await h.settle()
    stored = {r["content"]: r for r in rows(h.service, "SELECT * FROM messages")}
    assert set(stored) == {"hi", "in a thread", "forum post"}
    thread_row = stored["in a thread"]
    assert thread_row["parent_id"] == str(GENERAL) and thread_row["channel_id"] == str(THREAD)
    assert thread_row["author_name"] == "Classmate" and thread_row["author_is_bot"] == 0
    assert '"notes.pdf"' in thread_row["attachments"]
    assert stored["forum post"]["parent_id"] == str(FORUM)
    assert all(r["guild_id"] == str(GUILD) for r in stored.values())


async def test_edits_keep_history_and_partial_payloads_change_nothing_else(logged: Harness) -> None:
    h = logged
    first = message_payload(channel_id=GENERAL, author=STUDENT, content="draft one")
    h.gateway("MESSAGE_CREATE", first)
    await h.settle()
    edited = {**first, "content": "final version", "edited_timestamp": "2026-11-01T10:00:00+00:00"}
    h.gateway("MESSAGE_UPDATE", edited)
    await h.settle()
    # a later update that is not an edit (a link preview resolving: no edited_timestamp, the
    # same text, no reactions key): no new history, the edit time survives
    unfurl = {k: v for k, v in edited.items() if k not in ("reactions", "member")}
    unfurl.update(edited_timestamp=None, embeds=[{"type": "link", "url": "https://example.org"}])
    h.gateway("MESSAGE_UPDATE", unfurl)
    await h.settle()
    [row] = rows(h.service, "SELECT * FROM messages")
    assert row["content"] == "final version" and row["edited_at"].startswith("2026-11-01T10:00")
    history = rows(h.service, "SELECT content FROM message_edits")
    assert [r["content"] for r in history] == ["draft one"]


async def test_an_edit_of_a_message_never_seen_is_logged(logged: Harness) -> None:
    h = logged
    unseen = message_payload(channel_id=THREAD, author=STUDENT, content="written while away",
                             edited_timestamp="2026-11-01T11:00:00+00:00")
    h.gateway("MESSAGE_UPDATE", unseen)
    await h.settle()
    [row] = rows(h.service, "SELECT * FROM messages")
    assert row["content"] == "written while away" and row["parent_id"] == str(GENERAL)


async def test_deletes_keep_the_row_but_no_content(logged: Harness) -> None:
    h = logged
    payloads = [
        message_payload(channel_id=GENERAL, author=STUDENT, content=f"message {i}") for i in range(4)
    ]
    for p in payloads:
        h.gateway("MESSAGE_CREATE", p)
    await h.settle()
    h.gateway("MESSAGE_UPDATE", {**payloads[0], "content": "edited",
                                 "edited_timestamp": "2026-11-01T10:00:00+00:00"})
    await h.settle()
    h.gateway("MESSAGE_DELETE", {"id": payloads[0]["id"], "channel_id": str(GENERAL),
                                 "guild_id": str(GUILD)})
    h.gateway("MESSAGE_DELETE_BULK", {"ids": [payloads[1]["id"], payloads[2]["id"]],
                                      "channel_id": str(GENERAL), "guild_id": str(GUILD)})
    await h.settle()
    by_id = {r["id"]: r for r in rows(h.service, "SELECT * FROM messages")}
    assert len(by_id) == 4
    for p in payloads[:3]:
        row = by_id[p["id"]]
        assert row["deleted"] == 1 and row["content"] is None and row["attachments"] == "[]"
    assert by_id[payloads[3]["id"]]["deleted"] == 0
    assert count(h.service, "SELECT count(*) FROM message_edits") == 0
    # a late duplicate of a deleted message does not bring it back
    h.gateway("MESSAGE_CREATE", payloads[0])
    await h.settle()
    assert rows(h.service, "SELECT content FROM messages WHERE id = ?", payloads[0]["id"])[0][0] is None


async def test_reactions_are_counted(logged: Harness) -> None:
    h = logged
    p = message_payload(channel_id=GENERAL, author=STUDENT, content="react to me")
    h.gateway("MESSAGE_CREATE", p)
    await h.settle()
    event = {"user_id": str(OTHER_STUDENT.id), "channel_id": str(GENERAL), "message_id": p["id"],
             "guild_id": str(GUILD), "emoji": {"id": None, "name": "👍"}, "type": 0,
             "burst": False}
    h.gateway("MESSAGE_REACTION_ADD", event)
    h.gateway("MESSAGE_REACTION_ADD", {**event, "user_id": str(INSTRUCTOR.id)})
    h.gateway("MESSAGE_REACTION_REMOVE", event)
    await h.settle()
    assert rows(h.service, "SELECT reactions FROM messages")[0][0] == 1


async def test_thread_create_update_archive_are_recorded(logged: Harness) -> None:
    h = logged
    new = 920_000_000_000_000_777
    h.gateway("THREAD_CREATE", {**thread_payload(new, GENERAL, "reading group"), "newly_created": True})
    await h.settle()
    h.gateway("THREAD_UPDATE", thread_payload(new, GENERAL, "reading group (week 4)"))
    h.gateway("THREAD_UPDATE", thread_payload(new, GENERAL, "reading group (week 4)", archived=True))
    h.gateway("THREAD_CREATE", {**thread_payload(new + 1, UNLOGGED, "elsewhere"), "newly_created": True})
    await h.settle()
    events = [r["event"] for r in rows(h.service, "SELECT event FROM channel_events ORDER BY id")]
    assert events == ["create", "update", "archive"]
    [channel] = rows(h.service, "SELECT * FROM channels WHERE id = ?", str(new))
    assert channel["archived"] == 1 and channel["name"] == "reading group (week 4)"
    assert channel["parent_id"] == str(GENERAL) and channel["kind"] == "thread"
    # a new forum post is a thread of the forum
    h.gateway("THREAD_CREATE", {**thread_payload(new + 2, FORUM, "is anarchy what states make?"),
                                "newly_created": True})
    await h.settle()
    [post] = rows(h.service, "SELECT kind, parent_id FROM channels WHERE id = ?", str(new + 2))
    assert tuple(post) == ("forum_post", str(FORUM))
    # messages in the new thread are logged: its parent is
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=new, author=STUDENT, content="x"))
    await h.settle()
    assert count(h.service, "SELECT count(*) FROM messages WHERE channel_id = ?", str(new)) == 1


async def test_a_burst_of_5000_events_loses_nothing(logged: Harness) -> None:
    h = logged
    ids = set()
    for i in range(5_000):
        channel = (GENERAL, THREAD, POST)[i % 3]
        p = message_payload(channel_id=channel, author=(STUDENT, OTHER_STUDENT)[i % 2],
                            content=f"burst {i}")
        ids.add(p["id"])
        h.gateway("MESSAGE_CREATE", p)
    await h.settle()
    stored = {r[0] for r in rows(h.service, "SELECT id FROM messages")}
    assert stored == ids


async def test_backfill_after_downtime_fills_exactly_the_gap(logged: Harness) -> None:
    h = logged
    start = datetime.now(UTC) - timedelta(hours=2)

    def post(channel: int, at: datetime, text: str) -> dict[str, Any]:
        return h.api.post(message_payload(channel_id=channel, author=STUDENT, content=text, at=at))

    # Live: 30 messages per place, seen by the bot as they happen.
    for i in range(30):
        for channel in (GENERAL, THREAD, POST):
            h.gateway("MESSAGE_CREATE", post(channel, start + timedelta(seconds=i), f"live {i}"))
    await h.settle()
    h.gateway("RESUMED", {"__shard_id__": 0})  # a reconnect with nothing missed changes nothing
    await h.settle()
    assert count(h.service, "SELECT count(*) FROM messages") == 90

    # Down: the gateway drops everything while these are written...
    h.bot.dispatch("shard_disconnect", 0)
    await h.settle()
    gap = [
        post(channel, datetime.now(UTC) - timedelta(minutes=30) + timedelta(seconds=i), f"gap {i}")
        for i in range(20)
        for channel in (GENERAL, THREAD, POST)
    ]
    # ...including a brand-new archived thread of a logged channel.
    archived = 920_000_000_000_000_555
    h.api.archived_threads[GENERAL] = [thread_payload(archived, GENERAL, "closed", archived=True)]
    gap += [post(archived, datetime.now(UTC) - timedelta(minutes=20), "in an archived thread")]
    # Back: the first live message arrives before the backfill runs.
    h.gateway("MESSAGE_CREATE", post(GENERAL, datetime.now(UTC) + timedelta(seconds=1), "after"))
    await h.settle()
    h.gateway("RESUMED", {"__shard_id__": 0})
    await h.settle()

    stored = [r[0] for r in rows(h.service, "SELECT id FROM messages")]
    assert len(stored) == len(set(stored)) == 90 + len(gap) + 1
    backfilled = {r[0] for r in rows(h.service, "SELECT id FROM messages WHERE source = 'backfill'")}
    assert backfilled == {p["id"] for p in gap}
    assert count(h.service, "SELECT count(*) FROM channels WHERE id = ?", str(archived)) == 1

    # Another reconnect finds nothing new, and does not re-read the thread archived before it.
    h.api.history_requests.clear()
    h.bot.dispatch("shard_disconnect", 0)
    h.gateway("RESUMED", {"__shard_id__": 0})
    await h.settle()
    assert count(h.service, "SELECT count(*) FROM messages") == len(stored)
    assert archived not in h.api.history_requests
    assert {GENERAL, THREAD, POST} <= set(h.api.history_requests)


async def test_first_start_backfills_channel_history(logged: Harness) -> None:
    h = logged
    history = [
        h.api.post(message_payload(channel_id=GENERAL, author=STUDENT, content=f"old {i}",
                                   at=datetime.now(UTC) - timedelta(days=3, seconds=-i)))
        for i in range(250)  # more than one page of history
    ]
    h.bot.dispatch("shard_ready", 0)
    await h.settle()
    assert {r[0] for r in rows(h.service, "SELECT id FROM messages")} == {p["id"] for p in history}


async def test_opted_out_students_are_only_counted(logged: Harness) -> None:
    h = logged
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT, content="before"))
    await h.settle()
    optout = (await h.slash("privacy optout"))[-1]
    assert optout.ephemeral and "Erase" in " ".join(optout.custom_ids())
    sent_secrets = [
        message_payload(channel_id=THREAD, author=STUDENT, content=f"secret {i}") for i in range(3)
    ]
    for payload in sent_secrets:
        h.gateway("MESSAGE_CREATE", payload)
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=THREAD, author=OTHER_STUDENT, content="visible"))
    await h.settle()
    contents = {r[0] for r in rows(h.service, "SELECT content FROM messages")}
    assert contents == {"before", "visible"}
    assert count(h.service, "SELECT count(*) FROM optout_messages WHERE channel_id = ?", str(THREAD)) == 3
    # what is kept of them is a hash: no column of any table holds their text or their ids
    opted_out_ids = {p["id"] for p in sent_secrets}
    for table, column in text_columns(h.service):
        for (value,) in rows(h.service, f'SELECT "{column}" FROM "{table}"'):
            assert "secret" not in str(value) and str(value) not in opted_out_ids, (table, column)

    status = (await h.slash("privacy status"))[-1]
    assert "opted out" in status.content and "1 of your messages" in status.content
    # only the student themself can press their erase button
    await h.click(optout, "Erase what was stored", user=OTHER_STUDENT)
    assert count(h.service, "SELECT count(*) FROM messages WHERE author_id = ?", str(STUDENT.id)) == 1
    done = await h.click(optout, "Erase what was stored", user=STUDENT)
    assert "erased 1" in done[-1].payload["data"]["content"]
    assert count(h.service, "SELECT count(*) FROM messages WHERE author_id = ?", str(STUDENT.id)) == 0

    await h.slash("privacy optin")
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT, content="back"))
    await h.settle()
    assert "back" in {r[0] for r in rows(h.service, "SELECT content FROM messages")}


async def test_bot_questions_of_opted_out_students_are_kept_anonymously(logged: Harness) -> None:
    h = logged
    await h.slash("privacy optout")
    await h.slash("ask", question="What are international regimes?")
    [query] = rows(h.service, "SELECT user_id, query FROM bot_queries")
    assert query["user_id"] is None and "regimes" in query["query"]


async def test_without_message_content_text_is_stored_as_unknown(
    tmp_path: Any, readings: Any, service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await start_bot(settings_for(tmp_path, readings), service, monkeypatch, message_content=False)
    try:
        await log_channels(h, GENERAL)
        h.gateway("MESSAGE_CREATE", message_payload(channel_id=GENERAL, author=STUDENT, content=""))
        await h.settle()
        [row] = rows(service, "SELECT * FROM messages")
        assert row["content"] is None and row["author_id"] == str(STUDENT.id)
        # edits arrive with the text stripped too: they must not record a fake "edit to empty"
        h.gateway("MESSAGE_UPDATE", message_payload(
            channel_id=GENERAL, author=STUDENT, content="", message_id=int(row["id"]),
            edited_timestamp="2026-11-01T10:00:00+00:00"))
        await h.settle()
        assert count(service, "SELECT count(*) FROM message_edits") == 0
        assert rows(service, "SELECT content FROM messages")[0][0] is None
    finally:
        await h.bot.close()


async def test_nothing_crosses_servers(logged: Harness) -> None:
    h = logged
    other_channel = 910_000_000_000_000_013
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=other_channel, author=STUDENT,
                                                content="other server", guild_id=OTHER_GUILD))
    await h.settle()
    assert count(h.service, "SELECT count(*) FROM messages") == 0  # not logged there
    await h.slash("privacy optout")
    assert h.service.is_opted_out(str(GUILD), str(STUDENT.id))
    assert not h.service.is_opted_out(str(OTHER_GUILD), str(STUDENT.id))


async def test_adding_a_channel_while_running_fetches_its_history(harness: Harness) -> None:
    h = harness
    earlier = [
        h.api.post(message_payload(channel_id=GENERAL, author=STUDENT, content=f"before {i}"))
        for i in range(5)
    ] + [h.api.post(message_payload(channel_id=THREAD, author=OTHER_STUDENT, content="thread"))]
    h.bot._ready.set()  # what the gateway's READY does; only then is history fetched
    await log_channels(h, GENERAL)
    await h.settle()
    stored = {r[0]: r[1] for r in rows(h.service, "SELECT id, source FROM messages")}
    assert set(stored) == {p["id"] for p in earlier}
    assert set(stored.values()) == {"backfill"}


@pytest.mark.skipif(
    not hasattr(SeminarService, "apply_retention"), reason="retention is not merged yet"
)
async def test_retention_runs_at_start_and_daily(
    tmp_path: Any, readings: Any, service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await start_bot(settings_for(tmp_path, readings, retention_days=30), service, monkeypatch)
    try:
        await log_channels(h, GENERAL)
        for text, age in (("last term", 60), ("this week", 2)):
            h.gateway("MESSAGE_CREATE", message_payload(
                channel_id=GENERAL, author=STUDENT, content=text,
                at=datetime.now(UTC) - timedelta(days=age)))
        await h.settle()
        log_cog = h.bot.get_cog("LogCog")
        assert log_cog is not None and log_cog.retention.is_running()
        await log_cog.retention()  # what the daily loop runs
        assert [r[0] for r in rows(service, "SELECT content FROM messages")] == ["this week"]
    finally:
        await h.bot.close()


async def test_a_message_in_a_thread_missing_from_the_cache_is_not_skipped(logged: Harness) -> None:
    h = logged
    unseen = 920_000_000_000_000_999  # e.g. unarchived while the bot was away
    h.api.channels[unseen] = thread_payload(unseen, FORUM, "revived post")
    for i in range(3):
        h.gateway("MESSAGE_CREATE", message_payload(channel_id=unseen, author=STUDENT, content=f"r{i}"))
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=UNLOGGED + 99, author=STUDENT, content="?"))
    h.gateway("MESSAGE_CREATE", message_payload(channel_id=UNLOGGED + 99, author=STUDENT, content="?"))
    await h.settle()
    stored = rows(h.service, "SELECT channel_id, parent_id FROM messages")
    assert [tuple(r) for r in stored] == [(str(unseen), str(FORUM))] * 3
    # each unknown channel is asked about once, not once per message
    assert h.api.channel_requests.count(unseen) == 1
    assert h.api.channel_requests.count(UNLOGGED + 99) == 1
