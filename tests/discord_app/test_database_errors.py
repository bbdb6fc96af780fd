"""Database errors on Discord: a SQL bug is a logged bug with a reference, never "database
unavailable"; a locked database is the student's clear message; the log retries only a lock.

The bugs are real SQLite errors: the schema is changed under the running bot (a column gone,
which is what a missing migration looks like), nothing is mocked."""

from __future__ import annotations

import logging
import sqlite3
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import DatabaseBusy
from tests.discord_app.harness import GENERAL, STUDENT, Harness, message_payload
from tests.discord_app.test_commands import rows
from tests.discord_app.test_logging import log_channels


def alter(harness: Harness, sql: str) -> None:
    """Change the schema from another connection, as another program (or old code) would."""
    with sqlite3.connect(harness.service.db.path) as conn:
        conn.execute(sql)


def stored_ids(harness: Harness) -> set[str]:
    return {r[0] for r in rows(harness.service, "SELECT id FROM messages")}


async def test_a_sql_bug_is_logged_with_a_reference_not_blamed_on_the_database(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    alter(harness, "ALTER TABLE readings DROP COLUMN format")
    with caplog.at_level(logging.ERROR, logger="bot.discord"):
        reply = (await harness.slash("ask", question="What are regimes?"))[-1]
    assert reply.ephemeral and "Something went wrong on my side" in reply.content
    assert "database" not in reply.content and "format" not in reply.content
    ref = reply.content.split("`")[1]
    record = next(r for r in caplog.records if ref in r.getMessage())
    assert record.exc_info is not None
    error = record.exc_info[1]
    assert isinstance(error, sqlite3.OperationalError) and "no such column" in str(error)


async def test_a_locked_database_tells_the_student_without_the_server_path(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    harness.service.db.run(lambda conn: conn.execute("PRAGMA busy_timeout = 100"))
    real = harness.service.set_optout

    def while_another_program_writes(*args: Any, **kwargs: Any) -> Future[None]:
        # A real lock, held exactly while the command's write waits for it (the harness
        # flushes the writer after every command, which must find the database free again).
        holder = sqlite3.connect(harness.service.db.path, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")
        written = real(*args, **kwargs)
        written.add_done_callback(lambda _: (holder.rollback(), holder.close()))
        return written

    monkeypatch.setattr(harness.service, "set_optout", while_another_program_writes)
    with caplog.at_level(logging.WARNING):
        reply = (await harness.slash("privacy optout"))[-1]
    assert reply.ephemeral and "locked by another program" in reply.content
    assert str(tmp_path) not in reply.content and "seminar.db" not in reply.content
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # not a bug
    assert any(harness.service.db.path in r.getMessage() for r in caplog.records)  # the admin's
    monkeypatch.setattr(harness.service, "set_optout", real)
    assert "opted out" in (await harness.slash("privacy optout"))[-1].content  # free again


async def test_the_log_retries_a_locked_database_until_it_is_free(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await log_channels(harness, GENERAL)
    # discord.py loads each extension afresh: patch the module the running cog came from.
    cog_module = sys.modules[type(harness.bot.get_cog("LogCog")).__module__]
    monkeypatch.setattr(cog_module, "STORE_RETRY_SECONDS", 0.0)
    real = harness.service.record_messages
    calls: list[int] = []

    def locked_twice(messages: Any) -> Future[int]:
        calls.append(1)
        if len(calls) > 2:
            return real(messages)
        busy: Future[int] = Future()
        busy.set_exception(DatabaseBusy("The database is locked by another program."))
        return busy

    monkeypatch.setattr(harness.service, "record_messages", locked_twice)
    message = message_payload(channel_id=GENERAL, author=STUDENT, content="kept through a lock")
    harness.gateway("MESSAGE_CREATE", message)
    await harness.settle()
    assert len(calls) == 3 and message["id"] in stored_ids(harness)


async def test_the_log_does_not_retry_a_bug_and_the_next_backfill_recovers_the_message(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await log_channels(harness, GENERAL)
    await harness.settle()  # the first backfill is done: from now on only a gap is fetched
    real = harness.service.record_messages
    calls: list[int] = []

    def counted(messages: Any) -> Future[int]:
        calls.append(1)
        return real(messages)

    monkeypatch.setattr(harness.service, "record_messages", counted)
    alter(harness, "ALTER TABLE messages DROP COLUMN reactions")
    message = harness.api.post(
        message_payload(channel_id=GENERAL, author=STUDENT, content="written during a bug")
    )
    with caplog.at_level(logging.ERROR):
        harness.gateway("MESSAGE_CREATE", message)
        await harness.settle()
    assert calls == [1]  # a bug is not a lock: no waiting, no retries
    assert any(
        r.exc_info and "no column named reactions" in str(r.exc_info[1]) for r in caplog.records
    )
    # The bug fixed (the column back), later messages are logged live again...
    alter(harness, "ALTER TABLE messages ADD COLUMN reactions INTEGER NOT NULL DEFAULT 0")
    later = harness.api.post(message_payload(channel_id=GENERAL, author=STUDENT, content="later"))
    harness.gateway("MESSAGE_CREATE", later)
    await harness.settle()
    assert stored_ids(harness) == {later["id"]}
    # ...and the next reconnect's backfill reaches back before them, to the lost one.
    harness.gateway("RESUMED", {"__shard_id__": 0})
    await harness.settle()
    assert stored_ids(harness) == {message["id"], later["id"]}
