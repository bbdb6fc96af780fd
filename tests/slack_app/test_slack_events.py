from __future__ import annotations

from bot.slack_app.events import Delete, Store, classify, slack_time, to_logged

TEAM = "T0TEAM"


def test_top_level_message_maps_to_channel_row() -> None:
    msg = to_logged(
        {"type": "message", "user": "U1", "text": "hello", "ts": "1700000000.000100",
         "files": [{"name": "notes.pdf", "url_private": "https://files/notes"}],
         "reactions": [{"name": "+1", "count": 2}, {"name": "eyes", "count": 1}]},
        team_id=TEAM, channel="C1",
    )
    assert msg is not None
    assert (msg.id, msg.platform, msg.guild_id, msg.channel_id, msg.parent_id) == (
        "C1:1700000000.000100", "slack", TEAM, "C1", None)
    assert msg.created_at == "2023-11-14T22:13:20.000100+00:00"
    assert [a.name for a in msg.attachments] == ["notes.pdf"]
    assert msg.reactions == 3


def test_thread_reply_maps_to_thread_channel() -> None:
    msg = to_logged(
        {"user": "U2", "text": "reply", "ts": "1700000005.000200",
         "thread_ts": "1700000000.000100"},
        team_id=TEAM, channel="C1",
    )
    assert msg is not None
    assert msg.channel_id == "C1:1700000000.000100"
    assert msg.parent_id == "C1"
    assert msg.reply_to == "C1:1700000000.000100"
    assert msg.id == "C1:1700000005.000200"


def test_thread_parent_stays_in_its_channel() -> None:
    msg = to_logged({"user": "U1", "text": "q", "ts": "17.5", "thread_ts": "17.5"},
                    team_id=TEAM, channel="C1")
    assert msg is not None and msg.channel_id == "C1" and msg.parent_id is None


def test_housekeeping_subtypes_are_not_discussion() -> None:
    for subtype in ("channel_join", "channel_topic", "pinned_item"):
        assert classify({"type": "message", "subtype": subtype, "channel": "C1",
                         "user": "U1", "ts": "1.1", "text": "joined"}, TEAM) is None


def test_bot_messages_are_flagged() -> None:
    msg = to_logged({"subtype": "bot_message", "bot_id": "B1", "username": "helper",
                     "text": "hi", "ts": "2.2"}, team_id=TEAM, channel="C1")
    assert msg is not None and msg.author_is_bot and msg.author_id == "B1"
    assert msg.author_name == "helper"


def test_edit_is_stored_whole_with_its_edit_time() -> None:
    change = classify({
        "type": "message", "subtype": "message_changed", "channel": "C1",
        "message": {"user": "U1", "text": "fixed", "ts": "1700000000.000100",
                    "edited": {"user": "U1", "ts": "1700000100.000000"}},
        "previous_message": {"user": "U1", "text": "fxied", "ts": "1700000000.000100"},
    }, TEAM)
    assert isinstance(change, Store)
    assert change.message.content == "fixed"
    assert change.message.edited_at == slack_time("1700000100.000000")


def test_delete_and_tombstone_blank_the_message() -> None:
    assert classify({"subtype": "message_deleted", "channel": "C1",
                     "deleted_ts": "5.000001"}, TEAM) == Delete("C1:5.000001")
    assert classify({"subtype": "message_changed", "channel": "C1",
                     "message": {"subtype": "tombstone", "ts": "6.000001",
                                 "text": "This message was deleted."}}, TEAM) == Delete(
        "C1:6.000001")


def test_slack_time_keeps_microseconds_in_order() -> None:
    times = ["1700000000.000000", "1700000000.000009", "1700000000.000010", "1700000001.5"]
    assert [slack_time(t) for t in times] == sorted(slack_time(t) for t in times)
    assert slack_time("1700000000.000000") == "2023-11-14T22:13:20+00:00"
    assert slack_time("1700000000.999999") == "2023-11-14T22:13:20.999999+00:00"
