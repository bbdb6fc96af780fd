"""The catch-up (the core's engine through `SlackHistory`) against the fake server's paged
conversations.history / conversations.replies."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from bot.core.log.catchup import OVERLAP
from bot.core.models import CatchUpReport, LoggedMessage
from bot.core.service import SeminarService
from bot.slack_app.events import slack_time
from tests.slack_app.slack_fakes import LOGGED, TEAM, FakeSlack, Workspace, catch_up

PARENT = "1700000010.000100"


def backfill(fake: FakeSlack, service: SeminarService, channels: list[str]) -> CatchUpReport:
    return catch_up(fake, service, tuple(channels))


def _rows(service: SeminarService) -> dict[str, Any]:
    service.db.flush()
    with service.db.read() as conn:
        return {r["id"]: r for r in conn.execute("SELECT * FROM messages")}


def _workspace() -> Workspace:
    ws = Workspace()
    for i in range(8):
        ws.post(f"17000000{i:02d}.000100", f"message {i}")
    ws.post(PARENT, "a question with a thread")
    for i in range(4):
        ws.reply(PARENT, f"17000000{20 + i}.000100", f"answer {i}")
    ws.post("1700000030.000100", "joined", subtype="channel_join")
    return ws


def test_backfill_reads_every_page_and_every_thread(
    fake_slack: FakeSlack, service: SeminarService
) -> None:
    ws = _workspace()
    ws.serve(fake_slack)
    report = backfill(fake_slack, service, [LOGGED])
    rows = _rows(service)
    assert len(rows) == 8 + 1 + 4  # the join is not discussion
    assert report.stored == len(rows) and report.places == 2 and not report.failed
    assert len(fake_slack.api("conversations.history")) == 4  # 10 messages, pages of 3
    assert [p.get("cursor") for p in fake_slack.api("conversations.replies")] == [None, "3"]
    reply = rows[f"{LOGGED}:1700000020.000100"]
    assert reply["channel_id"] == f"{LOGGED}:{PARENT}" and reply["parent_id"] == LOGGED
    assert {r["source"] for r in rows.values()} == {"backfill"}
    assert {r["guild_id"] for r in rows.values()} == {TEAM}
    service.db.flush()
    with service.db.read() as conn:
        channel = conn.execute("SELECT * FROM channels WHERE id = ?", (LOGGED,)).fetchone()
    assert channel["name"] == "seminar"


def test_backfill_after_downtime_resumes_and_changes_nothing_twice(
    fake_slack: FakeSlack, service: SeminarService
) -> None:
    ws = _workspace()
    ws.serve(fake_slack)
    backfill(fake_slack, service, [LOGGED])
    before = {k: dict(v) for k, v in _rows(service).items()}

    # While the bot was down: a new message, a reply to the old thread, an edit.
    ws.post("1700000040.000100", "posted while down")
    ws.reply(PARENT, "1700000041.000100", "late answer")
    edited = next(m for m in ws.history if m["ts"] == "1700000005.000100")
    edited.update(text="message 5, corrected", edited={"user": "U0STUDENT",
                                                       "ts": "1700000042.000000"})
    fake_slack.calls.clear()
    backfill(fake_slack, service, [LOGGED])
    rows = _rows(service)
    assert set(rows) - set(before) == {f"{LOGGED}:1700000040.000100",
                                       f"{LOGGED}:1700000041.000100"}
    assert rows[f"{LOGGED}:1700000005.000100"]["content"] == "message 5, corrected"
    # Each place resumes from its own point, less the overlap window re-read for edits.
    window = Decimal(int(OVERLAP.total_seconds()))
    oldest = fake_slack.api("conversations.history")[0]["oldest"]
    assert Decimal(oldest) == Decimal(PARENT) - window  # the newest message stored before
    replies_call = fake_slack.api("conversations.replies")[0]  # the thread grew: read again
    assert Decimal(replies_call["oldest"]) == Decimal("1700000023.000100") - window

    # A third run with nothing new stores nothing new and fetches no thread.
    fake_slack.calls.clear()
    report = backfill(fake_slack, service, [LOGGED])
    assert set(_rows(service)) == set(rows) and report.stored == report.fetched
    assert report.places == 1 and fake_slack.api("conversations.replies") == []
    service.db.flush()
    with service.db.read() as conn:
        edits = conn.execute("SELECT count(*) FROM message_edits").fetchone()[0]
    assert edits == 1


def test_backfill_honours_opt_out(fake_slack: FakeSlack, service: SeminarService) -> None:
    ws = _workspace()
    ws.post("1700000050.000100", "private thoughts", user="U0QUIET")
    ws.serve(fake_slack)
    service.set_optout(TEAM, "U0QUIET", out=True).result()
    backfill(fake_slack, service, [LOGGED])
    rows = _rows(service)
    assert all(r["author_id"] != "U0QUIET" for r in rows.values())
    with service.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM optout_messages").fetchone()[0] == 1


def test_a_failing_channel_does_not_stop_the_others(
    fake_slack: FakeSlack, service: SeminarService
) -> None:
    ws = _workspace()
    ws.serve(fake_slack)
    fake_slack.handlers["conversations.info"] = lambda p: (
        {"ok": False, "error": "not_in_channel"} if p["channel"] == "C0GONE"
        else {"ok": True, "channel": {"id": p["channel"], "name": "seminar"}})
    report = backfill(fake_slack, service, ["C0GONE", LOGGED])
    assert [place for place, _why in report.failed] == ["C0GONE"]
    assert "not_in_channel" in report.failed[0][1] and report.stored == 13
    with service.db.read() as conn:  # recorded, to be tried again next run
        failures = conn.execute(
            "SELECT failures, error FROM catchup_points WHERE place_id = 'C0GONE'").fetchone()
    assert failures[0] == 1 and "not_in_channel" in failures[1]


def test_a_parent_deleted_while_down_is_blanked_and_its_thread_kept(
    fake_slack: FakeSlack, service: SeminarService
) -> None:
    ws = _workspace()
    ws.serve(fake_slack)
    backfill(fake_slack, service, [LOGGED])
    parent = next(m for m in ws.history if m["ts"] == PARENT)
    parent.update(subtype="tombstone", text="This message was deleted.", user="USLACKBOT")
    ws.reply(PARENT, "1700000044.000100", "answered after the question was deleted")
    backfill(fake_slack, service, [LOGGED])
    rows = _rows(service)
    assert rows[f"{LOGGED}:{PARENT}"]["deleted"] == 1
    assert rows[f"{LOGGED}:{PARENT}"]["content"] is None
    assert rows[f"{LOGGED}:1700000044.000100"]["content"].startswith("answered after")


def _recent_workspace() -> tuple[Workspace, int]:
    """Like `_workspace`, dated in the last days (older history may be hidden, not deleted),
    with one message from long before the window a later catch-up reads."""
    base = int(time.time()) - 3 * 24 * 3600
    ws = Workspace()
    ws.post(f"{base - 40 * 24 * 3600}.000100", "from the start of term")
    for i in range(8):
        ws.post(f"{base + i}.000100", f"message {i}")
    ws.post(f"{base + 10}.000100", "a question with a thread")
    for i in range(4):
        ws.reply(f"{base + 10}.000100", f"{base + 20 + i}.000100", f"answer {i}")
    return ws, base


def test_deletions_made_while_down_are_found_inside_the_fetched_window(
    fake_slack: FakeSlack, service: SeminarService
) -> None:
    ws, base = _recent_workspace()
    ws.serve(fake_slack)
    first = backfill(fake_slack, service, [LOGGED])
    assert first.deleted == 0 and len(_rows(service)) == 1 + 8 + 1 + 4

    old, middle, reply = (f"{base - 40 * 24 * 3600}.000100", f"{base + 4}.000100",
                          f"{base + 21}.000100")
    for ts in (old, middle, reply):  # the old one is gone from (or hidden in) Slack's history
        ws.delete(ts)
    live_ts = f"{int(time.time())}.000100"
    serve_history = ws.history_page

    def history_while_someone_posts(params: dict[str, Any]) -> dict[str, Any]:
        """A message posted and logged live while the catch-up pages through history."""
        if not params.get("cursor"):
            service.record_messages([LoggedMessage(
                id=f"{LOGGED}:{live_ts}", platform="slack", guild_id=TEAM, channel_id=LOGGED,
                author_id="U0STUDENT", content="just now", created_at=slack_time(live_ts),
            )]).result()
        return serve_history(params)

    fake_slack.handlers["conversations.history"] = history_while_someone_posts
    fake_slack.calls.clear()
    report = backfill(fake_slack, service, [LOGGED])
    rows = _rows(service)
    assert {k for k, r in rows.items() if r["deleted"]} == {f"{LOGGED}:{middle}",
                                                          f"{LOGGED}:{reply}"}
    assert report.deleted == 2
    assert rows[f"{LOGGED}:{middle}"]["content"] is None
    assert rows[f"{LOGGED}:{old}"]["content"] == "from the start of term"  # before the window
    assert rows[f"{LOGGED}:{live_ts}"]["content"] == "just now"
    assert len(fake_slack.api("conversations.history")) > 1  # the window spans pages
    replies = fake_slack.api("conversations.replies")  # a shrunk thread is read again
    assert replies and all(Decimal(r["oldest"]) < Decimal(reply) for r in replies)

    fake_slack.calls.clear()
    again = backfill(fake_slack, service, [LOGGED])
    assert again.deleted == 0 and fake_slack.api("conversations.replies") == []


def test_history_slack_hides_is_not_taken_for_deleted(
    fake_slack: FakeSlack, service: SeminarService
) -> None:
    """Free workspaces hide messages older than 90 days: a logged one (say, imported from an
    export) that history no longer returns was not deleted."""
    old_ts = f"{int(time.time()) - 120 * 24 * 3600}.000100"
    service.record_messages([LoggedMessage(
        id=f"{LOGGED}:{old_ts}", platform="slack", guild_id=TEAM, channel_id=LOGGED,
        author_id="U0STUDENT", content="from an export", created_at=slack_time(old_ts),
        source="import",
    )]).result()
    ws, _ = _recent_workspace()
    ws.serve(fake_slack)
    report = backfill(fake_slack, service, [LOGGED])
    assert report.deleted == 0
    assert _rows(service)[f"{LOGGED}:{old_ts}"]["content"] == "from an export"
