"""Catch-up after a Socket Mode reconnect: the real SocketModeHandler against the local
WebSocket and the fake Web API, with downtime simulated by Slack dropping the session."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from slack_sdk import WebClient

from bot.core.log.catchup import OVERLAP
from bot.core.models import LoggedMessage
from bot.core.service import SeminarService
from bot.settings import Secret, Settings
from bot.slack_app.app import connect_slack
from bot.slack_app.catch_up import CatchUp
from bot.slack_app.events import to_logged
from tests.slack_app.slack_fakes import LOGGED, TEAM, FakeSlack, FakeSocketMode, Workspace

PARENT = "1700000010.000100"


def _workspace() -> Workspace:
    ws = Workspace()
    for i in range(5):
        ws.post(f"17000000{i:02d}.000100", f"message {i}")
    ws.post(PARENT, "a question with a thread")
    for i in range(2):
        ws.reply(PARENT, f"17000000{20 + i}.000100", f"answer {i}")
    return ws


def _rows(service: SeminarService) -> dict[str, Any]:
    service.db.flush()
    with service.db.read() as conn:
        return {r["id"]: dict(r) for r in conn.execute("SELECT * FROM messages")}


def _until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _reply_event(ts: str, text: str) -> dict[str, Any]:
    """A thread reply as Socket Mode delivers it."""
    return {
        "envelope_id": f"env-{ts}", "type": "events_api", "accepts_response_payload": False,
        "payload": {
            "token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "type": "event_callback",
            "event_id": f"Ev{ts}", "event_time": 1700000000,
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
            "event": {"type": "message", "channel": LOGGED, "user": "U0STUDENT", "text": text,
                      "ts": ts, "thread_ts": PARENT, "team": TEAM},
        },
    }


def _logged_reply(ts: str, text: str) -> LoggedMessage:
    event = _reply_event(ts, text)["payload"]["event"]
    logged = to_logged(event, team_id=TEAM, channel=LOGGED)
    assert logged is not None
    return logged


def test_a_reconnect_after_downtime_fills_exactly_the_gap(
    service: SeminarService, settings: Settings, fake_slack: FakeSlack,
    socket_mode: FakeSocketMode,
) -> None:
    ws = _workspace()
    ws.serve(fake_slack)
    online = threading.Event()
    online.set()

    def open_socket(params: dict[str, Any]) -> dict[str, Any]:
        online.wait(10)  # Slack unreachable: the client keeps trying to reconnect
        return {"ok": True, "url": socket_mode.url}

    fake_slack.handlers["apps.connections.open"] = open_socket
    live = replace(settings, slack_bot_token=Secret("xoxb-test"),
                   slack_app_token=Secret("xapp-test"))
    connection = connect_slack(live, service, api_url=fake_slack.url + "/api/")
    try:
        assert connection.catch_up.wait(1, 10)  # the start-up catch-up
        assert len(_rows(service)) == 5 + 1 + 2

        # Live while connected: a reply in the thread.
        ws.reply(PARENT, "1700000022.000100", "said live")
        socket_mode.send(_reply_event("1700000022.000100", "said live"))
        _until(lambda: f"{LOGGED}:1700000022.000100" in _rows(service))
        before = _rows(service)

        # Down: Slack warns, drops the session, and the bot cannot reconnect for a while.
        online.clear()
        socket_mode.send({"type": "disconnect", "reason": "warning"})
        socket_mode.drop()
        _until(lambda: len(fake_slack.api("apps.connections.open")) == 2)
        ws.post("1700000040.000100", "posted while down")
        ws.reply(PARENT, "1700000041.000100", "replied while down")
        ws.post("1700000042.000100", "edited while down")
        ws.history[-1]["edited"] = {"user": "U0STUDENT", "ts": "1700000043.000000"}

        # Back: a new reply arrives live (or as Slack's late redelivery) right after hello and
        # is stored before the catch-up looks for where to resume. It must not hide the gap.
        ws.reply(PARENT, "1700000044.000100", "said right after the reconnect")
        socket_mode.send(_reply_event("1700000044.000100", "said right after the reconnect"))
        stored_live = threading.Event()
        fake_slack.handlers["conversations.info"] = lambda p: (
            stored_live.wait(10),
            {"ok": True, "channel": {"id": p["channel"], "name": "seminar"}},
        )[1]
        fake_slack.calls.clear()
        online.set()
        _until(lambda: f"{LOGGED}:1700000044.000100" in _rows(service))
        stored_live.set()
        assert connection.catch_up.wait(2, 10)
    finally:
        connection.close()

    rows = _rows(service)
    assert set(rows) - set(before) == {
        f"{LOGGED}:1700000040.000100", f"{LOGGED}:1700000041.000100",
        f"{LOGGED}:1700000042.000100", f"{LOGGED}:1700000044.000100",
    }
    assert rows[f"{LOGGED}:1700000041.000100"]["source"] == "backfill"
    assert rows[f"{LOGGED}:1700000044.000100"]["source"] == "live"
    assert all(rows[k] == v for k, v in before.items())  # nothing re-stored differently
    # It resumed from the thread's own point (the newest reply a catch-up stored, less the
    # overlap window), not from the replies logged live since.
    replies = fake_slack.api("conversations.replies")[0]
    assert Decimal(replies["oldest"]) == Decimal("1700000021.000100") - int(
        OVERLAP.total_seconds())
    assert len(fake_slack.api("conversations.info")) == 1  # one catch-up per reconnect
    with service.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM message_edits").fetchone()[0] == 0


def test_catch_ups_never_overlap_and_requests_meanwhile_fold_into_one(
    service: SeminarService, fake_slack: FakeSlack
) -> None:
    _workspace().serve(fake_slack)
    release = threading.Event()
    running = 0
    most = 0
    lock = threading.Lock()

    def info(params: dict[str, Any]) -> dict[str, Any]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(10)
        with lock:
            running -= 1
        return {"ok": True, "channel": {"id": params["channel"], "name": "seminar"}}

    fake_slack.handlers["conversations.info"] = info
    client = WebClient(token="xoxb-test", base_url=fake_slack.url + "/api/")
    catch_up = CatchUp(client, service, TEAM, lambda: [LOGGED])
    catch_up.on_hello()
    _until(lambda: len(fake_slack.api("conversations.info")) == 1)
    for _ in range(3):  # three more reconnects while the first catch-up runs
        catch_up.on_hello()
    release.set()
    assert catch_up.wait(2, 10)
    assert most == 1
    assert catch_up.finished == 2
    assert len(fake_slack.api("conversations.info")) == 2
    assert len(_rows(service)) == 5 + 1 + 2


def test_a_catch_up_that_broke_off_is_redone_from_where_it_should_have_resumed(
    service: SeminarService, fake_slack: FakeSlack
) -> None:
    ws = _workspace()
    ws.serve(fake_slack)
    network_down = threading.Event()

    def history(params: dict[str, Any]) -> dict[str, Any]:
        if network_down.is_set():
            raise ConnectionResetError("the network went away mid catch-up")
        return ws.history_page(params)

    fake_slack.handlers["conversations.history"] = history
    client = WebClient(token="xoxb-test", base_url=fake_slack.url + "/api/")
    catch_up = CatchUp(client, service, TEAM, lambda: [LOGGED])
    catch_up.on_hello()
    assert catch_up.wait(1, 10)

    ws.reply(PARENT, "1700000030.000100", "replied while down")
    network_down.set()
    catch_up.on_hello()  # reconnected, but the catch-up breaks off
    assert catch_up.wait(2, 10)
    assert f"{LOGGED}:1700000030.000100" not in _rows(service)

    # Live again: a newer reply is logged, then the next reconnect's catch-up succeeds.
    ws.reply(PARENT, "1700000031.000100", "said live")
    service.record_messages([_logged_reply("1700000031.000100", "said live")]).result()
    network_down.clear()
    catch_up.on_hello()
    assert catch_up.wait(3, 10)
    assert f"{LOGGED}:1700000030.000100" in _rows(service)
