"""The Slack log on the real slack-bolt paths: erasure, retention and opt-out hold against the
catch-up; edits and deletions made while away are applied; an acked event is never dropped, not
by a lock and not by a restart; an old thread's new reply is fetched."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from bot.core.errors import NotConfigured
from bot.core.service import SeminarService
from bot.settings import Settings
from tests.slack_app.slack_fakes import (
    LOGGED,
    TEAM,
    FakeSlack,
    Workspace,
    catch_up,
    deliver,
    make_app,
    slash,
)

DAY = 24 * 3600


def ts(seconds_ago: float = 0.0) -> str:
    return f"{Decimal(time.time() - seconds_ago):.6f}"


def event(text: str, at: str, *, user: str = "U0STUDENT", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": LOGGED, "user": user, "text": text, "ts": at,
            "team": TEAM, **extra}


def messages(service: SeminarService) -> dict[str, dict[str, Any]]:
    service.db.flush()
    with service.db.read() as conn:
        return {r["id"]: dict(r) for r in conn.execute("SELECT * FROM messages")}


def key(at: str) -> str:
    return f"{LOGGED}:{at}"


@pytest.fixture
def workspace(fake_slack: FakeSlack) -> Workspace:
    ws = Workspace()
    ws.serve(fake_slack)
    return ws


def test_forget_then_catch_up_leaves_nothing(
    app: App, fake_slack: FakeSlack, service: SeminarService, workspace: Workspace
) -> None:
    mine, theirs = ts(60), ts(50)
    workspace.post(mine, "mine", user="U0GONE")
    workspace.post(theirs, "theirs")
    for at, user in ((mine, "U0GONE"), (theirs, "U0STUDENT")):
        deliver(app, event("said live", at, user=user))
    catch_up(fake_slack, service)
    assert service.forget("U0GONE") == 1
    catch_up(fake_slack, service)
    assert set(messages(service)) == {key(theirs)}


def test_purge_then_catch_up_brings_nothing_back(
    fake_slack: FakeSlack, service: SeminarService, workspace: Workspace
) -> None:
    for i in range(5):
        workspace.post(ts(12 * DAY - i), "the week before last")
    catch_up(fake_slack, service)
    assert service.purge("10d").messages == 5
    recent = ts(3600)
    workspace.post(recent, "this week, while the bot was down")
    catch_up(fake_slack, service)  # it reads back past the purge's cutoff
    assert set(messages(service)) == {key(recent)}


def test_what_was_written_while_opted_out_is_never_stored_after_opting_in(
    app: App, fake_slack: FakeSlack, service: SeminarService, workspace: Workspace
) -> None:
    before = ts(120)
    workspace.post(before, "before the opt-out")
    catch_up(fake_slack, service)
    slash(app, fake_slack, "/privacy", "out")
    while_out = ts()  # written while the bot was away and the student opted out
    workspace.post(while_out, "while opted out")
    slash(app, fake_slack, "/privacy", "in")
    catch_up(fake_slack, service)
    assert set(messages(service)) == {key(before)}
    with service.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM optout_messages").fetchone()[0] == 0


def test_edits_and_deletes_made_while_down_are_applied(
    fake_slack: FakeSlack, service: SeminarService, workspace: Workspace
) -> None:
    draft, regretted, parent, reply = ts(300), ts(290), ts(280), ts(270)
    workspace.post(draft, "draft")
    workspace.post(regretted, "regretted")
    workspace.post(parent, "a question")
    workspace.reply(parent, reply, "an answer")
    catch_up(fake_slack, service)
    workspace.edit(draft, "final", ts())
    workspace.delete(regretted)
    workspace.delete(reply)
    catch_up(fake_slack, service)
    rows = messages(service)
    assert rows[key(draft)]["content"] == "final"
    assert rows[key(regretted)]["deleted"] == 1 and rows[key(reply)]["deleted"] == 1
    with service.db.read() as conn:
        assert [r[0] for r in conn.execute("SELECT content FROM message_edits")] == ["draft"]


def test_a_reply_to_an_old_thread_made_while_down_is_fetched(
    app: App, fake_slack: FakeSlack, service: SeminarService, workspace: Workspace
) -> None:
    """Slack's history only reports a thread's parent within the range read: a thread older
    than the overlap window is read because the log knows it."""
    parent, first = ts(30 * DAY), ts(30 * DAY - 60)
    workspace.post(parent, "a question from the start of term")
    workspace.reply(parent, first, "an answer then")
    for at in range(20):
        workspace.post(ts(DAY - at), f"recent {at}")
    catch_up(fake_slack, service)
    late = ts(60)
    workspace.reply(parent, late, "a late answer, while the bot was down")
    catch_up(fake_slack, service)
    assert messages(service)[key(late)]["channel_id"] == f"{LOGGED}:{parent}"


@pytest.fixture
def locked(service: SeminarService) -> Iterator[sqlite3.Connection]:
    """Another program holding the write lock, with SQLite's busy timeout made short."""
    service.db.run(lambda conn: conn.execute("PRAGMA busy_timeout = 50"))
    holder = sqlite3.connect(service.db.path, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.rollback()
        holder.close()


def test_acked_events_wait_out_a_long_lock(
    app: App, fake_slack: FakeSlack, service: SeminarService, locked: sqlite3.Connection
) -> None:
    """Acked at once, stored once the lock (30 times SQLite's busy timeout) ends: a new
    message, a reply in a new thread, an edit and a deletion."""
    stored, edited, deleted = ts(30), ts(20), ts(10)
    locked.rollback()
    for at in (stored, edited, deleted):
        deliver(app, event("before", at))
    service.db.flush()
    locked.execute("BEGIN IMMEDIATE")
    new, reply = ts(), ts()
    started = time.monotonic()
    acks = [
        deliver(app, event("during the lock", new)),
        deliver(app, event("a reply during the lock", reply, thread_ts=stored)),
        deliver(app, {"type": "message", "subtype": "message_changed", "channel": LOGGED,
                      "message": {"user": "U0STUDENT", "text": "edited during the lock",
                                  "ts": edited, "edited": {"user": "U0STUDENT", "ts": ts()}}}),
        deliver(app, {"type": "message", "subtype": "message_deleted", "channel": LOGGED,
                      "deleted_ts": deleted}),
    ]
    assert all(a.status == 200 for a in acks) and time.monotonic() - started < 1.0
    threading.Timer(1.5, locked.rollback).start()
    rows = messages(service)  # waits for the writer
    assert rows[key(new)]["content"] == "during the lock"
    assert rows[key(reply)]["channel_id"] == f"{LOGGED}:{stored}"
    assert rows[key(edited)]["content"] == "edited during the lock"
    assert rows[key(deleted)]["deleted"] == 1


def test_acked_events_lost_to_a_restart_are_fetched_by_the_catch_up(
    tmp_path: Path, readings_dir: Path, settings: Settings, fake_slack: FakeSlack,
    service: SeminarService, workspace: Workspace, locked: sqlite3.Connection,
) -> None:
    """The process stops while the lock still holds its events: the restarted bot's catch-up
    finds every one of them, a reply to a thread older than 14 days included."""
    parent, edited, deleted = ts(20 * DAY), ts(100), ts(90)
    workspace.post(parent, "an old question")
    workspace.reply(parent, ts(20 * DAY - 60), "an old answer")
    workspace.post(edited, "draft")
    workspace.post(deleted, "regretted")
    locked.rollback()
    catch_up(fake_slack, service)
    locked.execute("BEGIN IMMEDIATE")
    app = make_app(service, settings, fake_slack)
    new, reply = ts(), ts()
    workspace.post(new, "during the lock")
    workspace.reply(parent, reply, "a late answer to the old thread")
    workspace.edit(edited, "final", ts())
    workspace.delete(deleted)
    deliver(app, event("during the lock", new))
    deliver(app, event("a late answer to the old thread", reply, thread_ts=parent))
    deliver(app, {"type": "message", "subtype": "message_changed", "channel": LOGGED,
                  "message": {"user": "U0STUDENT", "text": "final", "ts": edited,
                              "edited": {"user": "U0STUDENT", "ts": ts()}}})
    deliver(app, {"type": "message", "subtype": "message_deleted", "channel": LOGGED,
                  "deleted_ts": deleted})
    service.close()  # the process ends with its events still waiting for the lock
    locked.rollback()
    restarted = SeminarService(service.db.path, readings_dir)
    try:
        catch_up(fake_slack, restarted)
        rows = messages(restarted)
        assert rows[key(new)]["content"] == "during the lock"
        assert rows[key(reply)]["channel_id"] == f"{LOGGED}:{parent}"
        assert rows[key(edited)]["content"] == "final"
        assert rows[key(deleted)]["deleted"] == 1
    finally:
        restarted.close()


def test_a_workspace_nobody_configured_gets_nothing(
    app: App, fake_slack: FakeSlack, service: SeminarService, settings: Settings
) -> None:
    """The bot token's own workspace is served; another team reaching the app is not: the
    app refuses it, and so does the service if a surface ever let it through."""
    for command in ("/readings", "/ask"):
        refused = slash(app, fake_slack, command, "rivers and cities", team="T0STRANGER")
        assert "not it" in json.dumps(refused.body)
    with pytest.raises(NotConfigured):
        service.scope("slack", "T0STRANGER")
    slash(app, fake_slack, "/readings", team=TEAM)
    assert "Rivers and Cities" in str(fake_slack.responses()[-1])
