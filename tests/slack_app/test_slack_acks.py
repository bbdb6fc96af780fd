"""Slack acks never wait on the database: a class's burst of /ask (and of messages to log),
with the database write-locked by another program, over the production path (Socket Mode,
`process_before_response=False`, bolt's listener executor), is acknowledged within 3 s each.

The lock is held until every ack is in (at most LOCK_SECONDS): acks that waited for the
database could not arrive before it is released. `bench/slack_acks.py` holds it the full 5 s
and reports the latencies.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from typing import Any

from bot.core.service import SeminarService
from bot.settings import Secret, Settings
from bot.slack_app.app import connect_slack
from tests.slack_app.slack_fakes import LOGGED, TEAM, FakeSlack, FakeSocketMode

ASKS = 60
MESSAGES = 30
LOCK_SECONDS = 5.0
SLACK_WINDOW = 3.0


def envelope(i: int, fake: FakeSlack) -> dict[str, Any]:
    return {
        "envelope_id": f"ask-{i}", "type": "slash_commands", "accepts_response_payload": True,
        "payload": {"token": "legacy", "team_id": TEAM, "channel_id": "C0CLASS",
                    "user_id": f"U0S{i:03d}", "command": "/ask", "api_app_id": "A0APP",
                    "text": ("rivers and cities", "archives and records", "bridges")[i % 3],
                    "response_url": fake.response_url(f"ask-{i}"), "trigger_id": f"{i}.1"},
    }


def message_envelope(i: int) -> dict[str, Any]:
    return {
        "envelope_id": f"msg-{i}", "type": "events_api", "accepts_response_payload": False,
        "payload": {"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP",
                    "type": "event_callback", "event_id": f"EvBurst{i}", "event_time": 1,
                    "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
                    "event": {"type": "message", "channel": LOGGED, "user": "U0STUDENT",
                              "text": f"burst {i}", "ts": f"1700000{i:03d}.000100",
                              "team": TEAM, "channel_type": "channel"}},
    }


def burst_under_lock(
    service: SeminarService, settings: Settings, fake: FakeSlack, socket: FakeSocketMode,
    *, asks: int = ASKS, messages: int = MESSAGES, hold: float | None = None,
) -> tuple[dict[str, float], float]:
    """Send the burst while another connection holds the write lock; returns each envelope's
    ack latency, and the seconds from the lock's release to the last answer. `hold`: keep
    the lock that long whatever (the benchmark); None: release once every ack is in."""
    fake.handlers["apps.connections.open"] = lambda p: {"ok": True, "url": socket.url}
    live = replace(settings, slack_bot_token=Secret("xoxb-test"),
                   slack_app_token=Secret("xapp-test"))
    connection = connect_slack(live, service, api_url=fake.url + "/api/")
    try:
        assert connection.catch_up.wait(1, 10)  # the start-up catch-up is done
        holder = sqlite3.connect(service.db.path, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")  # another program writing
        locked_at = time.monotonic()
        sent: dict[str, float] = {}
        for i in range(max(asks, messages)):
            for item in ([envelope(i, fake)] if i < asks else []) + (
                    [message_envelope(i)] if i < messages else []):
                sent[item["envelope_id"]] = time.monotonic()
                socket.send(item)
        acked: dict[str, float] = {}
        while len(acked) < len(sent) and time.monotonic() - locked_at < LOCK_SECONDS:
            try:
                ack = socket.received.get(timeout=0.05)
            except Exception:
                continue
            acked.setdefault(ack["envelope_id"], time.monotonic())
        if hold is not None:
            time.sleep(max(0.0, hold - (time.monotonic() - locked_at)))
        holder.rollback()
        holder.close()
        released = time.monotonic()
        fake.wait_responses(asks, timeout=60)  # every answer, once the lock is gone
        answered = time.monotonic() - released
        latencies = {e: acked[e] - sent[e] for e in acked}
        return {e: latencies.get(e, float("inf")) for e in sent}, answered
    finally:
        connection.close()


def test_a_burst_is_acked_within_3_s_while_the_database_is_locked(
    service: SeminarService, settings: Settings, fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
) -> None:
    latencies, _ = burst_under_lock(service, settings, fake_slack, socket_mode)
    late = {e: round(t, 2) for e, t in latencies.items() if t >= SLACK_WINDOW}
    assert not late, f"acked after 3 s (or never): {late}"
    assert len(latencies) == ASKS + MESSAGES
    responses = fake_slack.responses()
    assert len(responses) == ASKS and all(r["response_type"] == "in_channel" for r in responses)
    service.db.flush()  # and the burst of messages was logged, once the lock was released
    with service.db.read() as conn:
        logged = conn.execute("SELECT count(*) FROM messages WHERE guild_id = ? AND channel_id = ?"
                              " AND deleted = 0", (TEAM, LOGGED)).fetchone()[0]
    assert logged == MESSAGES
