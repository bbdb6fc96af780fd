"""The log keeps everything and nothing it should not, on the real discord.py paths: erasure and
retention hold against reconnects and restarts, opt-out covers edits and titles, edits and
deletions made while away are applied, and no event is lost to a lock, a broken catch-up, an
archived thread or a restart."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.models import DigestOptions
from bot.core.service import SeminarService
from tests.discord_app.harness import (
    FORUM,
    GENERAL,
    GUILD,
    INSTRUCTOR,
    OTHER_STUDENT,
    POST,
    STUDENT,
    THREAD,
    Harness,
    message_payload,
    restart_bot,
    settings_for,
    snowflake,
    start_bot,
    thread_payload,
)
from tests.discord_app.test_commands import rows
from tests.discord_app.test_logging import count, log_channels, text_columns

CANARY = "zebra-canary-4417"


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
async def logged(harness: Harness) -> Harness:
    await log_channels(harness, GENERAL, FORUM)
    return harness


def post(h: Harness, channel: int, text: str, *, author: Any = STUDENT,
         at: datetime | None = None, live: bool = True) -> dict[str, Any]:
    """A message on the server; `live`: the gateway delivers it to the bot too."""
    payload = h.api.post(message_payload(channel_id=channel, author=author, content=text, at=at))
    if live:
        h.gateway("MESSAGE_CREATE", payload)
    return payload


async def reconnect(h: Harness) -> None:
    h.bot.dispatch("shard_disconnect", 0)
    h.gateway("RESUMED", {"__shard_id__": 0})
    await h.settle()


async def start_up(h: Harness) -> None:
    h.bot.dispatch("shard_ready", 0)
    await h.settle()


def authored(h: Harness, user: Any) -> int:
    return count(h.service, "SELECT count(*) FROM messages WHERE author_id = ?", str(user.id))


# -- erasure and retention hold ---------------------------------------------------------------


async def test_forget_then_reconnect_or_restart_leaves_nothing(
    logged: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = logged
    post(h, GENERAL, "mine, one")
    post(h, THREAD, "mine, two")
    post(h, GENERAL, "theirs", author=OTHER_STUDENT)
    await start_up(h)
    assert await asyncio.to_thread(h.service.forget, str(STUDENT.id)) == 2
    await reconnect(h)
    assert authored(h, STUDENT) == 0 and authored(h, OTHER_STUDENT) == 1
    restarted = await restart_bot(h, monkeypatch)
    try:
        await start_up(restarted)
        assert authored(restarted, STUDENT) == 0 and authored(restarted, OTHER_STUDENT) == 1
        # What they write after being forgotten is theirs to write: logged again.
        post(restarted, GENERAL, "new term, new messages", at=now() + timedelta(seconds=2))
        await restarted.settle()
        assert authored(restarted, STUDENT) == 1
    finally:
        await restarted.stop()


async def test_purge_then_reconnect_brings_nothing_back(
    logged: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = logged
    for i in range(45):  # last term's messages, fetched by the first catch-up
        post(h, GENERAL, f"last term {i}", at=now() - timedelta(days=200, minutes=-i), live=False)
    old_thread = thread_payload(snowflake(now() - timedelta(days=200)), GENERAL,
                                "last term's thread", owner=OTHER_STUDENT)
    h.api.active_threads.append(old_thread)
    for i in range(5):
        post(h, int(old_thread["id"]), f"in last term's thread {i}",
             at=now() - timedelta(days=199, minutes=-i), live=False)
    h.api.archive(old_thread, now() - timedelta(days=190))
    await start_up(h)
    assert count(h.service, "SELECT count(*) FROM messages") == 50
    report = await asyncio.to_thread(h.service.purge, "180d")
    assert report.messages == 50
    await reconnect(h)
    assert count(h.service, "SELECT count(*) FROM messages") == 0
    assert rows(h.service, "SELECT name FROM channels WHERE id = ?", old_thread["id"]) == []
    post(h, GENERAL, "this week", at=now() - timedelta(days=2), live=False)
    restarted = await restart_bot(h, monkeypatch)
    try:
        await start_up(restarted)
        assert [r[0] for r in rows(restarted.service, "SELECT content FROM messages")] == [
            "this week"]
    finally:
        await restarted.stop()


# -- opt-out on every write -------------------------------------------------------------------


async def test_an_opted_out_students_edit_of_an_earlier_message_is_not_stored(
    logged: Harness,
) -> None:
    h = logged
    first = post(h, GENERAL, "stored before the opt-out")
    await h.settle()
    await h.slash("privacy optout")
    edited_at = now().isoformat()
    h.gateway("MESSAGE_UPDATE", {**first, "content": f"edited after {CANARY}",
                                 "edited_timestamp": edited_at})
    h.api.edit(GENERAL, first["id"], f"edited after {CANARY}", now())
    await h.settle()
    await reconnect(h)  # the catch-up sees the edited text too
    [row] = rows(h.service, "SELECT content, edited_at FROM messages")
    assert row["content"] == "stored before the opt-out" and row["edited_at"] is None
    assert count(h.service, "SELECT count(*) FROM message_edits") == 0


async def test_an_opted_out_students_forum_post_title_is_not_stored(logged: Harness) -> None:
    h = logged
    await h.slash("privacy optout")
    post_id = 920_000_000_000_000_321
    title = f"my {CANARY} question"
    created = thread_payload(post_id, FORUM, title, owner=STUDENT)
    h.gateway("THREAD_CREATE", {**created, "newly_created": True})
    h.gateway("THREAD_UPDATE", thread_payload(post_id, FORUM, title + " (edited)", owner=STUDENT))
    h.api.active_threads.append(created)
    await h.settle()
    await reconnect(h)  # the catch-up lists the post as well
    [channel] = rows(h.service, "SELECT name, kind FROM channels WHERE id = ?", str(post_id))
    assert channel["name"] is None and channel["kind"] == "forum_post"
    details = [r[0] for r in rows(h.service, "SELECT detail FROM channel_events")]
    assert details and not any(CANARY in d for d in details)
    digest = h.service.scope("discord", GUILD).digest_files(DigestOptions(), "md")
    assert not any(CANARY in f.data.decode() for f in digest)
    # A classmate's post keeps its title.
    theirs = thread_payload(post_id + 1, FORUM, "a classmate's question", owner=OTHER_STUDENT)
    h.gateway("THREAD_CREATE", {**theirs, "newly_created": True})
    await h.settle()
    assert rows(h.service, "SELECT name FROM channels WHERE id = ?",
                str(post_id + 1))[0][0] == "a classmate's question"


# -- forget leaves nothing, anywhere on disk ------------------------------------------------------


async def test_forget_leaves_no_copy_in_any_table_or_in_the_files(logged: Harness) -> None:
    h = logged
    first = post(h, GENERAL, f"my draft about {CANARY}")
    await h.settle()
    h.gateway("MESSAGE_UPDATE", {**first, "content": f"my final answer about {CANARY}",
                                 "edited_timestamp": now().isoformat()})
    thread_id = 920_000_000_000_000_654
    h.gateway("THREAD_CREATE", {**thread_payload(thread_id, GENERAL, f"{CANARY} thread",
                                                 owner=STUDENT), "newly_created": True})
    h.gateway("THREAD_UPDATE", thread_payload(thread_id, GENERAL, f"{CANARY} thread, week 2",
                                              owner=STUDENT))
    await h.settle()
    await h.slash("privacy optout")
    await h.slash("ask", question=f"what do the readings say about {CANARY} regimes?")
    await h.slash("privacy optin")
    await h.settle()
    assert any(CANARY.encode() in data for data in files_of(h.service))  # it is on disk now

    await asyncio.to_thread(h.service.forget, str(STUDENT.id))  # while the bot runs
    for table, column in text_columns(h.service):
        for (value,) in rows(h.service, f'SELECT "{column}" FROM "{table}"'):
            assert CANARY not in str(value), (table, column)
    for data in files_of(h.service):
        assert CANARY.encode() not in data


def files_of(service: SeminarService) -> list[bytes]:
    """The raw bytes of the database file and its -wal, as a disk image would show them."""
    base = Path(service.db.path)
    return [p.read_bytes() for p in (base, Path(f"{base}-wal")) if p.exists()]


# -- edits and deletions made while away --------------------------------------------------------


async def test_edits_and_deletes_made_while_down_are_applied(logged: Harness) -> None:
    h = logged
    kept, edited, deleted = (post(h, GENERAL, text) for text in ("kept", "draft", "regretted"))
    in_thread = post(h, THREAD, "thread reply")
    await start_up(h)
    h.bot.dispatch("shard_disconnect", 0)
    h.api.edit(GENERAL, edited["id"], "final", now())
    h.api.delete(GENERAL, deleted["id"])
    h.api.delete(THREAD, in_thread["id"])
    h.gateway("RESUMED", {"__shard_id__": 0})
    await h.settle()
    by_id = {r["id"]: r for r in rows(h.service, "SELECT * FROM messages")}
    assert by_id[edited["id"]]["content"] == "final"
    assert [r[0] for r in rows(h.service, "SELECT content FROM message_edits")] == ["draft"]
    for gone in (deleted, in_thread):
        assert by_id[gone["id"]]["deleted"] == 1 and by_id[gone["id"]]["content"] is None
    assert by_id[kept["id"]]["content"] == "kept" and by_id[kept["id"]]["deleted"] == 0


# -- nothing lost to a lock -----------------------------------------------------------------------


async def test_a_long_lock_loses_no_event_of_any_kind(logged: Harness) -> None:
    """Another program holds the write lock for 30 times SQLite's busy timeout (50 ms here,
    10 s in production): creates, edits, deletes, bulk deletes, reactions and thread events
    all wait it out and are applied in order once it is released."""
    h = logged
    edit_me, delete_me, bulk_a, bulk_b, react_to = (
        post(h, GENERAL, f"before the lock {i}") for i in range(5)
    )
    await h.settle()
    h.service.db.run(lambda conn: conn.execute("PRAGMA busy_timeout = 50"))
    holder = sqlite3.connect(h.service.db.path)
    holder.execute("BEGIN IMMEDIATE")
    asyncio.get_running_loop().call_later(1.5, holder.rollback)
    new = post(h, GENERAL, "written during the lock")
    h.gateway("MESSAGE_UPDATE", {**edit_me, "content": "edited during the lock",
                                 "edited_timestamp": now().isoformat()})
    h.gateway("MESSAGE_DELETE", {"id": delete_me["id"], "channel_id": str(GENERAL),
                                 "guild_id": str(GUILD)})
    h.gateway("MESSAGE_DELETE_BULK", {"ids": [bulk_a["id"], bulk_b["id"]],
                                      "channel_id": str(GENERAL), "guild_id": str(GUILD)})
    h.gateway("MESSAGE_REACTION_ADD", {
        "user_id": str(OTHER_STUDENT.id), "channel_id": str(GENERAL), "message_id": react_to["id"],
        "guild_id": str(GUILD), "emoji": {"id": None, "name": "👍"}, "type": 0, "burst": False,
    })
    thread_id = 920_000_000_000_000_888
    h.gateway("THREAD_CREATE", {**thread_payload(thread_id, GENERAL, "started during the lock"),
                                "newly_created": True})
    h.gateway("THREAD_UPDATE", thread_payload(thread_id, GENERAL, "archived during the lock",
                                              archived=True))
    await h.settle()
    holder.close()
    by_id = {r["id"]: r for r in rows(h.service, "SELECT * FROM messages")}
    assert by_id[new["id"]]["content"] == "written during the lock"
    assert by_id[edit_me["id"]]["content"] == "edited during the lock"
    assert all(by_id[m["id"]]["deleted"] == 1 for m in (delete_me, bulk_a, bulk_b))
    assert by_id[react_to["id"]]["reactions"] == 1
    [thread] = rows(h.service, "SELECT name, archived FROM channels WHERE id = ?", str(thread_id))
    assert tuple(thread) == ("archived during the lock", 1)
    events = [r[0] for r in rows(h.service, "SELECT event FROM channel_events WHERE channel_id = ?",
                                 str(thread_id))]
    assert events == ["create", "archive"]


async def test_a_message_whose_store_gave_up_is_fetched_after_a_restart(
    tmp_path: Path, readings: Path, service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock outlasts the writer's patience (SEMINAR_BUSY_RETRY_SECONDS, 0.2 s here): the
    message is left to a catch-up, and its channel's point never moved past it."""
    h = await start_bot(settings_for(tmp_path, readings, busy_retry_seconds=0.2), service,
                        monkeypatch)
    await log_channels(h, GENERAL)
    await start_up(h)
    h.service.db.run(lambda conn: conn.execute("PRAGMA busy_timeout = 20"))
    holder = sqlite3.connect(h.service.db.path)
    holder.execute("BEGIN IMMEDIATE")
    lost = post(h, GENERAL, "written while the database stayed locked",
                at=now() - timedelta(seconds=10))
    await asyncio.sleep(1.0)  # the write gives up (and the catch-up it asks for, locked too)
    holder.rollback()
    holder.close()
    assert lost["id"] not in {r[0] for r in rows(h.service, "SELECT id FROM messages")}
    later = post(h, GENERAL, "written once the lock was gone", at=now() - timedelta(seconds=5))
    await h.settle()  # stored live: it must not hide the one before it
    restarted = await restart_bot(h, monkeypatch)
    try:
        await start_up(restarted)
        stored = {r[0] for r in rows(restarted.service, "SELECT id FROM messages")}
        assert {lost["id"], later["id"]} <= stored
    finally:
        await restarted.stop()


# -- nothing lost across restarts -----------------------------------------------------------------


async def test_a_thread_archived_while_down_is_read_after_the_restart(
    logged: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = logged
    thread = thread_payload(920_000_000_000_000_111, GENERAL, "week 5")
    h.api.active_threads.append(thread)
    post(h, int(thread["id"]), "before the bot went down", at=now())
    await start_up(h)  # the thread is read, and known
    await h.settle()
    await h.bot.close()
    while_down = [post(h, int(thread["id"]), f"while down {i}", at=now(), live=False)
                  for i in range(5)]
    h.api.archive(thread, now())
    restarted = await restart_bot(h, monkeypatch)
    try:
        await start_up(restarted)
        stored = {r[0] for r in rows(restarted.service, "SELECT id FROM messages")}
        assert {m["id"] for m in while_down} <= stored
        # read once after its archiving: the next start does not read it again
        restarted.api.history_requests.clear()
        await start_up(restarted)
        assert int(thread["id"]) not in restarted.api.history_requests
    finally:
        await restarted.stop()


async def test_a_catch_up_that_broke_off_resumes_after_a_restart(
    logged: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = logged
    history = [post(h, GENERAL, f"old {i}", at=now() - timedelta(days=3, seconds=-i), live=False)
               for i in range(250)]  # three pages
    h.api.break_history(GENERAL, after_pages=1)
    await start_up(h)  # the first page is stored, then Discord errs
    assert count(h.service, "SELECT count(*) FROM messages") == 100
    live = post(h, GENERAL, "said live after the catch-up broke off",
                at=now() - timedelta(seconds=5))
    await h.settle()
    h.api.mend_history()
    restarted = await restart_bot(h, monkeypatch)
    try:
        await start_up(restarted)
        stored = {r[0] for r in rows(restarted.service, "SELECT id FROM messages")}
        assert stored == {m["id"] for m in history} | {live["id"]}
    finally:
        await restarted.stop()


async def test_a_thread_created_and_archived_while_down_is_read(logged: Harness) -> None:
    h = logged
    await start_up(h)
    h.bot.dispatch("shard_disconnect", 0)
    thread = thread_payload(920_000_000_000_000_222, FORUM, "a post made while we were away",
                            owner=OTHER_STUDENT)
    h.api.active_threads.append(thread)
    said = [post(h, int(thread["id"]), f"reply {i}", at=now(), live=False) for i in range(3)]
    h.api.archive(thread, now())
    h.gateway("RESUMED", {"__shard_id__": 0})
    await h.settle()
    assert {m["id"] for m in said} <= {r[0] for r in rows(h.service, "SELECT id FROM messages")}
    [channel] = rows(h.service, "SELECT name, kind, archived FROM channels WHERE id = ?",
                     thread["id"])
    assert tuple(channel) == ("a post made while we were away", "forum_post", 1)


async def test_one_failing_channel_does_not_stop_the_others(logged: Harness) -> None:
    h = logged
    in_general = post(h, GENERAL, "general", live=False)
    in_thread = post(h, THREAD, "thread", live=False)
    in_post = post(h, POST, "forum post", live=False)
    h.api.break_history(GENERAL, after_pages=0)
    await start_up(h)
    stored = {r[0] for r in rows(h.service, "SELECT id FROM messages")}
    assert in_general["id"] not in stored and in_post["id"] in stored
    [failure] = rows(h.service, "SELECT failures, error FROM catchup_points WHERE place_id = ?",
                     str(GENERAL))
    assert failure["failures"] == 1 and "500" in failure["error"]
    h.api.mend_history()
    await reconnect(h)
    stored = {r[0] for r in rows(h.service, "SELECT id FROM messages")}
    assert {in_general["id"], in_thread["id"], in_post["id"]} <= stored
    assert rows(h.service, "SELECT failures FROM catchup_points WHERE place_id = ?",
                str(GENERAL))[0][0] == 0


# -- hostile text ---------------------------------------------------------------------------------


async def test_a_lone_surrogate_is_stored_replaced_never_a_crash(logged: Harness) -> None:
    h = logged
    post(h, GENERAL, "broken \ud800 client")
    await h.settle()
    assert rows(h.service, "SELECT content FROM messages")[0][0] == "broken \ufffd client"
    reply = (await h.slash("ask", question="regimes \udfff cooperation"))[-1]
    assert "Something went wrong" not in reply.content
    assert "\ufffd" in rows(h.service, "SELECT query FROM bot_queries")[0][0]


async def test_instructor_digest_error_names_only_this_servers_channels(
    logged: Harness,
) -> None:
    h = logged
    from bot.core.models import ChannelInfo

    h.service.record_channel(ChannelInfo("955", "discord", "123456", name="ta-grading-disputes"))
    await h.settle()
    reply = (await h.slash("digest", user=INSTRUCTOR, channel="no-such-channel"))[-1]
    assert "No logged channel" in reply.content
    assert "general" in reply.content and "ta-grading-disputes" not in reply.content
