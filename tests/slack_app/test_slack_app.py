"""The real bolt App on signed request payloads, talking to the fake Slack Web API."""

from __future__ import annotations

import json
import threading
from typing import Any

from slack_bolt import App

from bot.core.service import SeminarService
from bot.settings import Settings
from bot.slack_app import blocks
from tests.slack_app.slack_fakes import (
    INSTRUCTORS,
    LOGGED,
    TEAM,
    FakeSlack,
    all_text,
    click,
    deliver,
    make_app,
    slash,
)

QUESTION = "rivers and cities"


def _buttons(message: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in message.get("blocks") or []:
        if block["type"] == "actions":
            for element in block["elements"]:
                found.setdefault(element["action_id"], []).append(element["value"])
    return found


def _queries(service: SeminarService) -> list[Any]:
    service.db.flush()
    with service.db.read() as conn:
        return conn.execute("SELECT * FROM bot_queries ORDER BY id").fetchall()


def _messages(service: SeminarService) -> dict[str, Any]:
    service.db.flush()
    with service.db.read() as conn:
        return {r["id"]: r for r in conn.execute("SELECT * FROM messages")}


# -- /ask ----------------------------------------------------------------------------------


def test_ask_answers_in_channel_with_passages_and_buttons(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    response = slash(app, fake_slack, "/ask", QUESTION)
    assert response.status == 200
    [message] = fake_slack.responses()
    assert message["response_type"] == "in_channel"
    expected = service.scope("cli", None).ask(QUESTION, top=blocks.PAGE_SIZE)
    text = all_text(message["blocks"])
    top = expected.hits[0]
    assert f"*{' '.join(top.best_sentence.split())}*" in text
    assert top.reading.title in text
    assert f"score {round(top.score)}/100" in text
    assert top.passage.id in text
    buttons = _buttons(message)
    assert buttons[blocks.ACTION_CITE] == [h.passage.id for h in expected.hits]
    [row] = _queries(service)
    assert (row["guild_id"], row["kind"], row["user_id"], row["channel_id"]) == (
        TEAM, "ask", "U0STUDENT", "C0CLASS")
    assert json.loads(row["results"]) == [h.passage.id for h in expected.hits]
    assert buttons[blocks.ACTION_HELPFUL] == [str(row["id"])]
    assert len(buttons[blocks.ACTION_MORE]) == 1


def test_ask_echoes_user_text_without_pinging(app: App, fake_slack: FakeSlack) -> None:
    slash(app, fake_slack, "/ask", "<!channel> <@U0BOSS> rivers & cities")
    [message] = fake_slack.responses()
    text = all_text(message["blocks"]) + message["text"]
    assert "<!" not in text and "<@" not in text
    assert "&lt;!channel&gt; &lt;@U0BOSS&gt; rivers &amp; cities" in text


def test_ask_without_a_question_gets_a_private_explanation(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    assert slash(app, fake_slack, "/ask", "   ").status == 200
    [message] = fake_slack.responses()
    assert message["response_type"] == "ephemeral"
    assert "empty" in message["text"]
    assert _queries(service) == []


def test_ask_acks_before_the_answer_is_delivered(
    service: SeminarService, settings: Settings, fake_slack: FakeSlack
) -> None:
    """As in Socket Mode: dispatch returns Slack's ack while the answer is still on its way."""
    app = make_app(service, settings, fake_slack, synchronous=False)
    fake_slack.hold_responses = threading.Event()
    response = slash(app, fake_slack, "/ask", QUESTION)
    assert response.status == 200 and response.body == ""
    assert fake_slack.completed_responses == 0  # Slack has its ack; no answer delivered yet
    [message] = fake_slack.wait_responses(1)  # the answer follows, once the search is done
    assert message["response_type"] == "in_channel"
    fake_slack.hold_responses.set()


def test_more_results_button_shows_the_next_page(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    slash(app, fake_slack, "/ask", QUESTION)
    [first] = fake_slack.responses()
    [more] = _buttons(first)[blocks.ACTION_MORE]
    assert click(app, fake_slack, blocks.ACTION_MORE, more).status == 200
    second = fake_slack.responses()[1]
    assert second["response_type"] == "ephemeral" and second["replace_original"] is False
    expected = service.scope("cli", None).ask(QUESTION, top=2 * blocks.PAGE_SIZE).hits[blocks.PAGE_SIZE:]
    assert expected, "the test readings must give more than one page"
    assert _buttons(second)[blocks.ACTION_CITE] == [h.passage.id for h in expected]
    assert f"{expected[0].rank}. " in all_text(second["blocks"])
    assert len(_queries(service)) == 2


def test_a_tampered_more_button_is_explained(app: App, fake_slack: FakeSlack) -> None:
    click(app, fake_slack, blocks.ACTION_MORE, "{not json")
    [message] = fake_slack.responses()
    assert message["response_type"] == "ephemeral" and "out of date" in message["text"]


def test_feedback_buttons_record_helpful_and_not_helpful(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    slash(app, fake_slack, "/ask", QUESTION)
    slash(app, fake_slack, "/ask", "archives and records")
    first, second = (str(r["id"]) for r in _queries(service))
    click(app, fake_slack, blocks.ACTION_HELPFUL, first)
    click(app, fake_slack, blocks.ACTION_NOT_HELPFUL, second)
    assert [r["feedback"] for r in _queries(service)] == ["helpful", "not_helpful"]
    thanks = fake_slack.responses()[2:]
    assert all(t["response_type"] == "ephemeral" and "Thanks" in t["text"] for t in thanks)


def test_feedback_on_an_unknown_answer_is_explained(app: App, fake_slack: FakeSlack) -> None:
    click(app, fake_slack, blocks.ACTION_HELPFUL, "999")
    [message] = fake_slack.responses()
    assert message["response_type"] == "ephemeral" and "too old" in message["text"]


# -- /cite, /quote, how to cite --------------------------------------------------------------


def test_cite_names_the_entry_and_the_passages_citing_it(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    slash(app, fake_slack, "/cite", "ortega 2019")
    [message] = fake_slack.responses()
    assert message["response_type"] == "in_channel"
    expected = service.scope("cli", None).cite("ortega 2019")
    assert expected.matches and expected.matches[0].entry is not None
    text = all_text(message["blocks"])
    assert blocks.escape(expected.matches[0].entry.formatted) in text
    cited = [c.passage.id for m in expected.matches for c in m.cited_in]
    assert cited and all(f"`{pid}`" in text for pid in cited)
    [row] = _queries(service)
    assert row["kind"] == "cite" and json.loads(row["results"]) == cited


def test_quote_finds_a_misremembered_line(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    misremembered = "floods left fertile silt on the banks so farmers fed a dense population"
    slash(app, fake_slack, "/quote", misremembered)
    [message] = fake_slack.responses()
    expected = service.scope("cli", None).quote(misremembered)
    assert expected.hits
    best = expected.hits[0]
    text = all_text(message["blocks"])
    assert f"*{blocks.escape(' '.join(best.match.quote.split()))}*" in text
    assert best.reading.title in text
    assert _buttons(message)[blocks.ACTION_CITE][0] == best.passage.id
    assert _queries(service)[0]["kind"] == "quote"


def test_how_to_cite_button_gives_apa_and_chicago(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    slash(app, fake_slack, "/ask", QUESTION)
    passage_id = _buttons(fake_slack.responses()[0])[blocks.ACTION_CITE][0]
    click(app, fake_slack, blocks.ACTION_CITE, passage_id)
    message = fake_slack.responses()[1]
    assert message["response_type"] == "ephemeral"
    forms = service.scope("cli", None).how_to_cite(passage_id)
    text = all_text(message["blocks"])
    for form in forms.values():
        assert blocks.escape(form) in text
    click(app, fake_slack, blocks.ACTION_CITE, "no-such-passage")
    assert "No passage" in fake_slack.responses()[2]["text"]


# -- /readings -----------------------------------------------------------------------------


def test_readings_lists_the_course(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    slash(app, fake_slack, "/readings")
    [message] = fake_slack.responses()
    assert message["response_type"] == "ephemeral"
    text = all_text(message["blocks"])
    for reading in service.scope("cli", None).readings():
        assert reading.title in text and f"`{reading.id}`" in text


# -- /digest permissions ---------------------------------------------------------------------


def test_digest_is_refused_to_students(app: App, fake_slack: FakeSlack) -> None:
    fake_slack.handlers["usergroups.users.list"] = lambda p: {"ok": True, "users": ["U0PROF"]}
    assert slash(app, fake_slack, "/digest", "7", user="U0STUDENT").status == 200
    [message] = fake_slack.responses()
    assert message["response_type"] == "ephemeral"
    assert "Only workspace admins" in message["text"]
    assert fake_slack.api("users.info")[0]["user"] == "U0STUDENT"
    assert fake_slack.api("usergroups.users.list")[0]["usergroup"] == INSTRUCTORS


def test_digest_is_allowed_to_the_instructor_group_and_admins(
    app: App, fake_slack: FakeSlack
) -> None:
    fake_slack.handlers["usergroups.users.list"] = lambda p: {"ok": True, "users": ["U0PROF"]}
    fake_slack.handlers["users.info"] = lambda p: {
        "ok": True, "user": {"id": p["user"], "is_admin": p["user"] == "U0ADMIN"}}
    slash(app, fake_slack, "/digest", "", user="U0PROF")
    slash(app, fake_slack, "/digest", "", user="U0ADMIN")
    replies = [message["text"] for message in fake_slack.responses()]
    assert len(replies) == 2 and all("is in your direct messages" in text for text in replies)
    opened = [call["users"] for call in fake_slack.api("conversations.open")]
    assert opened == ["U0PROF", "U0ADMIN"]  # each got the digest in their own DM
    assert len(fake_slack.api("usergroups.users.list")) == 1  # admins need no group lookup


def test_digest_is_refused_when_slack_cannot_confirm(app: App, fake_slack: FakeSlack) -> None:
    fake_slack.handlers["users.info"] = lambda p: {"ok": False, "error": "user_not_found"}
    slash(app, fake_slack, "/digest", "", user="U0PROF")
    [message] = fake_slack.responses()
    assert "Only workspace admins" in message["text"]


# -- logging and privacy ---------------------------------------------------------------------


def _event(text: str, ts: str, *, user: str = "U0STUDENT", channel: str = LOGGED,
           **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
            "team": TEAM, "channel_type": "channel", **extra}


def test_messages_of_logged_channels_and_threads_are_logged(
    app: App, service: SeminarService
) -> None:
    deliver(app, _event("Why rivers?", "1700000000.000100"))
    deliver(app, _event("Floods.", "1700000050.000200", thread_ts="1700000000.000100"))
    deliver(app, _event("elsewhere", "1700000060.000300", channel="C0OTHER"))
    rows = _messages(service)
    assert set(rows) == {f"{LOGGED}:1700000000.000100", f"{LOGGED}:1700000050.000200"}
    reply = rows[f"{LOGGED}:1700000050.000200"]
    assert (reply["platform"], reply["guild_id"], reply["channel_id"], reply["parent_id"]) == (
        "slack", TEAM, f"{LOGGED}:1700000000.000100", LOGGED)
    with service.db.read() as conn:
        thread = conn.execute("SELECT * FROM channels WHERE id = ?",
                              (f"{LOGGED}:1700000000.000100",)).fetchone()
    assert thread["kind"] == "thread" and thread["parent_id"] == LOGGED


def test_redelivery_edit_and_delete_keep_one_honest_row(
    app: App, service: SeminarService
) -> None:
    ts = "1700000000.000100"
    deliver(app, _event("first draft", ts))
    deliver(app, _event("first draft", ts))  # Slack retries an event it thinks was missed
    deliver(app, {"type": "message", "subtype": "message_changed", "channel": LOGGED,
                  "hidden": True, "ts": "1700000100.000000",
                  "message": {"type": "message", "user": "U0STUDENT", "text": "second draft",
                              "ts": ts, "edited": {"user": "U0STUDENT",
                                                   "ts": "1700000100.000000"}},
                  "previous_message": {"type": "message", "user": "U0STUDENT",
                                       "text": "first draft", "ts": ts}})
    row = _messages(service)[f"{LOGGED}:{ts}"]
    assert row["content"] == "second draft" and row["edited_at"] is not None
    with service.db.read() as conn:
        history = [r["content"] for r in conn.execute("SELECT content FROM message_edits")]
    assert history == ["first draft"]
    deliver(app, {"type": "message", "subtype": "message_deleted", "channel": LOGGED,
                  "hidden": True, "deleted_ts": ts, "ts": "1700000200.000000",
                  "previous_message": {"type": "message", "user": "U0STUDENT",
                                       "text": "second draft", "ts": ts}})
    row = _messages(service)[f"{LOGGED}:{ts}"]
    assert row["deleted"] == 1 and row["content"] is None
    deliver(app, _event("second draft", ts))  # a late duplicate cannot resurrect it
    assert _messages(service)[f"{LOGGED}:{ts}"]["content"] is None


def test_channels_turned_on_in_the_log_are_logged_too(
    app: App, service: SeminarService
) -> None:
    service.set_logged_channel(TEAM, "C0EXTRA", on=True).result()
    deliver(app, _event("hello", "1700000000.000100", channel="C0EXTRA"))
    deliver(app, _event("other team", "1700000000.000200", channel="C0EXTRA"), team="T0OTHER")
    assert set(_messages(service)) == {"C0EXTRA:1700000000.000100"}


def test_privacy_out_stops_logging_and_erase_removes(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    deliver(app, _event("before", "1700000000.000100"))
    slash(app, fake_slack, "/privacy", "out")
    deliver(app, _event("after", "1700000001.000100"))
    assert set(_messages(service)) == {f"{LOGGED}:1700000000.000100"}
    with service.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM optout_messages").fetchone()[0] == 1
    slash(app, fake_slack, "/privacy", "")
    assert "You are opted out" in fake_slack.responses()[-1]["text"]
    assert f"<#{LOGGED}>" in fake_slack.responses()[-1]["text"]
    slash(app, fake_slack, "/privacy", "erase")
    assert "Removed 1" in fake_slack.responses()[-1]["text"]
    assert _messages(service) == {}
    slash(app, fake_slack, "/privacy", "in")
    deliver(app, _event("back", "1700000002.000100"))
    assert set(_messages(service)) == {f"{LOGGED}:1700000002.000100"}
    assert all(r["response_type"] == "ephemeral" for r in fake_slack.responses())


def test_privacy_with_an_unknown_word_explains_the_options(
    app: App, fake_slack: FakeSlack
) -> None:
    slash(app, fake_slack, "/privacy", "<!here> please")
    [message] = fake_slack.responses()
    assert "/privacy out" in message["text"] and "<!here>" not in message["text"]


def test_each_workspace_gets_its_own_course(
    tmp_path: Any, settings: Settings, fake_slack: FakeSlack
) -> None:
    from tests.slack_app.slack_fakes import READING_A, READING_B

    folders = {}
    for course, (name, text) in {"geo": ("rivers.md", READING_A),
                                 "hist": ("archive.md", READING_B)}.items():
        folders[course] = tmp_path / course
        folders[course].mkdir()
        (folders[course] / name).write_text(text, encoding="utf-8")
    svc = SeminarService(tmp_path / "multi.db", folders,
                         guild_courses={TEAM: "geo", "T0OTHER": "hist"})
    try:
        svc.ensure_all()
        app = make_app(svc, settings, fake_slack)
        slash(app, fake_slack, "/readings", team=TEAM)
        slash(app, fake_slack, "/readings", team="T0OTHER")
        mine, theirs = (all_text(r["blocks"]) for r in fake_slack.responses())
        assert "Rivers and Cities" in mine and "Memory and the Archive" not in mine
        assert "Memory and the Archive" in theirs and "Rivers and Cities" not in theirs
        question = "who decides which records an archive keeps?"
        slash(app, fake_slack, "/ask", question, team="T0OTHER")
        shown = _buttons(fake_slack.responses()[-1])[blocks.ACTION_CITE]
        assert shown == [h.passage.id for h in svc.ask(question, course="hist", top=5).hits]
        assert shown and all(pid.startswith("archive-") for pid in shown)
        slash(app, fake_slack, "/privacy", "out", team="T0OTHER", user="U0SAME")
        assert svc.is_opted_out("T0OTHER", "U0SAME") and not svc.is_opted_out(TEAM, "U0SAME")
    finally:
        svc.close()


# -- /digest delivery ------------------------------------------------------------------------


def test_digest_goes_to_the_instructor_privately(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    from bot.core.models import DigestOptions

    deliver(app, _event("Why did the first cities grow beside rivers?", "1700000000.000100"))
    deliver(app, _event("Because of the floods and the silt.", "1700000050.000200",
                        user="U0OTHER", thread_ts="1700000000.000100"))
    fake_slack.handlers["users.info"] = lambda p: {"ok": True, "user": {"id": p["user"],
                                                                        "is_admin": True}}
    slash(app, fake_slack, "/digest", "2023-11-01..2023-11-30 md", user="U0PROF")
    [opened] = fake_slack.api("conversations.open")
    assert opened["users"] == "U0PROF"
    [done] = fake_slack.api("files.completeUploadExternal")
    assert done["channel_id"] == "D0U0PROF"
    assert "since 2023-11-01 until 2023-11-30" in done["initial_comment"]
    expected = service.scope("slack", TEAM).digest_files(
        DigestOptions(since="2023-11-01", until="2023-11-30"), "md")
    titles = [f["title"] for f in json.loads(done["files"])]
    assert titles == [f.filename for f in expected]
    uploaded = b"".join(fake_slack.uploads()).decode()
    assert "Why did the first cities grow beside rivers?" in uploaded
    [reply] = fake_slack.responses()
    assert reply["response_type"] == "ephemeral" and "direct messages" in reply["text"]


def test_digest_with_a_word_it_does_not_know_explains_usage(
    app: App, fake_slack: FakeSlack
) -> None:
    fake_slack.handlers["users.info"] = lambda p: {"ok": True, "user": {"id": p["user"],
                                                                        "is_owner": True}}
    slash(app, fake_slack, "/digest", "7d lots please", user="U0PROF")
    [reply] = fake_slack.responses()
    assert reply["response_type"] == "ephemeral" and "Use `/digest" in reply["text"]
    assert fake_slack.api("files.completeUploadExternal") == []


def test_ask_with_a_reading_filter_searches_only_that_reading(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    wanted = service.scope("cli", None).resolve_reading("water histories")
    everywhere = service.scope("cli", None).ask(QUESTION, top=blocks.PAGE_SIZE)
    assert {h.reading.id for h in everywhere.hits} != {wanted}, "the filter must matter here"
    slash(app, fake_slack, "/ask", f'{QUESTION} reading:"Water Histories"')
    [message] = fake_slack.responses()
    assert message["response_type"] == "in_channel"
    expected = service.scope("cli", None).ask(QUESTION, top=2 * blocks.PAGE_SIZE, reading=wanted)
    assert [h.reading.id for h in expected.hits] == [wanted] * len(expected.hits)
    assert _buttons(message)[blocks.ACTION_CITE] == [
        h.passage.id for h in expected.hits[: blocks.PAGE_SIZE]]
    text = all_text(message["blocks"])
    assert "*Question:* rivers and cities" in text and "*Only in:* *Water Histories*" in text
    [row] = _queries(service)
    assert row["query"] == QUESTION  # the filter is not part of the question

    # The next page stays inside the reading.
    [more] = _buttons(message)[blocks.ACTION_MORE]
    click(app, fake_slack, blocks.ACTION_MORE, more)
    second = fake_slack.responses()[1]
    assert _buttons(second)[blocks.ACTION_CITE] == [
        h.passage.id for h in expected.hits[blocks.PAGE_SIZE:]]


def test_ask_reading_filter_may_come_first_and_be_one_word(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    slash(app, fake_slack, "/ask", f"reading:rivers {QUESTION}")
    [message] = fake_slack.responses()
    expected = service.scope("cli", None).ask(QUESTION, top=blocks.PAGE_SIZE, reading="rivers")
    assert _buttons(message)[blocks.ACTION_CITE] == [h.passage.id for h in expected.hits]
    assert "*Only in:* *Rivers and Cities*" in all_text(message["blocks"])


def test_ask_with_an_unknown_reading_is_told_privately(
    app: App, fake_slack: FakeSlack, service: SeminarService
) -> None:
    slash(app, fake_slack, "/ask", f"{QUESTION} reading:zzqqxx")
    [message] = fake_slack.responses()
    assert message["response_type"] == "ephemeral"
    assert "No reading matches" in message["text"] and "zzqqxx" in message["text"]
    assert _queries(service) == []
