"""Names, roles, time zones and "answered" in digests, on exports this test writes itself.

The canary export: a class where "Sheena Gabriel" (display name "Sheena G", username
"sheenag") is named in a message, in a thread's title, mentioned as DiscordChatExporter writes
it ("@Sheena G"), as Discord markup (`<@id>`) and by first name alone; a Slack export names
"Xander Quill" through `<@U...>` markup and in a thread's root. No format of an anonymized
digest may hold any form of either name.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from bot.core.digest.compute import build_digest
from bot.core.digest.questions import is_substantive
from bot.core.digest.render import render
from bot.core.log import discussion
from bot.core.log.imports import import_discord_exports, import_slack_export
from bot.core.models import DigestOptions, LoggedMessage
from bot.core.storage.database import Database

SHEENA = {"id": "4242", "name": "sheenag", "nickname": "Sheena G", "globalName": "Sheena Gabriel"}
PROF = {"id": "7000", "name": "profreed", "nickname": "Prof Reed"}
NAMES = ("Sheena", "Gabriel", "sheenag", "Sheena G", "Xander", "Quill", "xquill", "profreed",
         "Reed")


def msg(mid: str, text: str, who: dict[str, str], at: str, **extra: object) -> dict[str, object]:
    return {"id": mid, "type": "Default", "timestamp": at, "timestampEdited": None,
            "content": text, "author": {**who, "isBot": False}, "mentions": [], **extra}


def student(n: int) -> dict[str, str]:
    return {"id": str(1000 + n), "name": f"stud{n}", "nickname": f"Student {n}"}


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    channel = {"guild": {"id": "900", "name": "POLS"},
               "channel": {"id": "100", "type": "GuildTextChat", "name": "seminar"},
               "messages": [
                   msg("1", "Welcome! Sheena Gabriel runs student hours on Friday. Any questions?",
                       PROF, "2026-11-02T14:00:00+00:00"),
                   msg("2", "What did @Sheena G say about the paradox?", student(1),
                       "2026-11-02T15:00:00+00:00",
                       mentions=[{"id": "4242", "name": "sheenag", "nickname": "Sheena G"}]),
                   msg("3", "<@4242> thanks for the notes, Sheena!", student(2),
                       "2026-11-02T15:30:00+00:00"),
                   msg("4", "The midterm is about Reich, right? sheenag agrees", SHEENA,
                       "2026-11-03T02:30:00+00:00"),
               ]}
    thread = {"guild": {"id": "900", "name": "POLS"},
              "channel": {"id": "300", "type": "GuildPublicThread", "categoryId": "100",
                          "category": "seminar", "name": "Adding on to Sheena's very good tips"},
              "messages": [msg("5", "Is this the thread about Gabriel's list?", student(1),
                               "2026-11-04T10:00:00+00:00"),
                           msg("6", "+1 agree with Sheena", student(2),
                               "2026-11-04T10:05:00+00:00")]}
    (folder / "seminar.json").write_text(json.dumps(channel), encoding="utf-8")
    (folder / "thread.json").write_text(json.dumps(thread), encoding="utf-8")
    return folder


@pytest.fixture
def slack_canary(tmp_path: Path) -> Path:
    root = tmp_path / "slack"
    (root / "general").mkdir(parents=True)
    users = [{"id": "U1XQ", "team_id": "T9", "name": "xquill", "real_name": "Xander Quill",
              "profile": {"display_name": "Xander", "real_name": "Xander Quill",
                          "first_name": "Xander"}},
             {"id": "U2ST", "team_id": "T9", "name": "stud", "real_name": "Pat Student",
              "profile": {"display_name": "Pat"}}]
    (root / "users.json").write_text(json.dumps(users))
    (root / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general"}]))
    day = [{"type": "message", "user": "U2ST", "ts": "1793613600.000100",
            "thread_ts": "1793613600.000100",
            "text": "<@U1XQ> can you explain the reading? cc <@U1XQ|xquill>"},
           {"type": "message", "user": "U1XQ", "ts": "1793613700.000100",
            "thread_ts": "1793613600.000100", "text": "Sure, it is about acting alone"}]
    (root / "general" / "2026-11-02.json").write_text(json.dumps(day))
    return root


def all_formats(db: Database, opts: DigestOptions) -> str:
    digest = build_digest(db, opts)
    texts = []
    for fmt in ("md", "json", "html", "csv"):
        (f,) = render(digest, fmt)
        if fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(f.data)) as zf:
                texts += [zf.read(n).decode("utf-8-sig") for n in zf.namelist()]
        else:
            texts.append(f.data.decode())
    return "\n".join(texts)


def test_anonymized_digests_hold_no_name_in_any_format(
    db: Database, canary: Path, slack_canary: Path
) -> None:
    import_discord_exports(db, [canary], staff=["7000"])
    import_slack_export(db, slack_canary)
    named = all_formats(db, DigestOptions())
    assert "Sheena" in named and "Xander" in named  # the canary is there to be found
    text = all_formats(db, DigestOptions(anonymize=True))
    for name in NAMES:
        assert not re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE), name
    assert "<@" not in text
    # one person, one pseudonym everywhere: the mention, the thread title, the author
    digest = build_digest(db, DigestOptions(anonymize=True, guild_id="900"))
    sheena = next(p for p in digest.participants if p.messages == 1 and "4" in
                  {q.message_id for q in digest.questions if q.author == p.name})
    thread = digest.threads[0]
    assert thread.name == f"Adding on to {sheena.name}'s very good tips"
    assert f"@{sheena.name} say about" in json.dumps(digest.to_dict())
    again = build_digest(db, DigestOptions(anonymize=True, guild_id="900"))
    assert [p.name for p in again.participants] == [p.name for p in digest.participants]
    assert all(p.name.startswith("staff-") for p in digest.staff)


def test_mentions_are_shown_as_names(db: Database, slack_canary: Path) -> None:
    import_slack_export(db, slack_canary)
    digest = build_digest(db, DigestOptions())
    (thread,) = digest.threads
    assert thread.name == "@Xander can you explain the reading? cc @Xander"
    assert digest.questions[0].text.startswith("@Xander can you explain")


def test_staff_are_apart_and_their_questions_are_prompts(db: Database, canary: Path) -> None:
    import_discord_exports(db, [canary], staff=["7000"])
    d = build_digest(db, DigestOptions())
    assert [p.name for p in d.staff] == ["Prof Reed"]
    assert "Prof Reed" not in [p.name for p in d.participants]
    assert d.totals["participants"] == 3 and d.totals["staff"] == 1
    (prompt,) = d.prompts
    assert prompt.message_id == "1" and prompt.kind == "prompt"
    assert d.totals["prompts"] == 1
    assert "1" not in {q.message_id for q in d.questions if q.kind == "question"}
    # configured at digest time instead (SEMINAR_STAFF / --staff): the same
    other = build_digest(db, DigestOptions(staff=("1001",)))
    assert {p.name for p in other.staff} == {"Prof Reed", "Student 1"}


def test_digest_days_periods_and_times_are_local(db: Database, canary: Path) -> None:
    import_discord_exports(db, [canary])
    utc = build_digest(db, DigestOptions(since="2026-11-03", until="2026-11-03"))
    assert utc.totals["messages"] == 1  # 02:30 UTC on the 3rd
    ny = build_digest(db, DigestOptions(since="2026-11-02", until="2026-11-02",
                                        timezone="America/New_York"))
    assert ny.totals["messages"] == 4  # 02:30 UTC on the 3rd is 21:30 on the 2nd in New York
    assert ny.period == {"since": "2026-11-02T00:00:00-05:00", "until": "2026-11-03T00:00:00-05:00",
                         "timezone": "America/New_York"}
    assert [(a.period, a.messages) for a in ny.activity] == [("2026-11-02", 4)]
    late = next(q for q in ny.questions if q.message_id == "4")
    assert late.created_at == "2026-11-02T21:30:00-05:00"
    for fmt in ("md", "html", "json"):
        (f,) = render(ny, fmt)
        assert "America/New_York" in f.data.decode(), fmt
    (f,) = render(ny, "csv")
    with zipfile.ZipFile(io.BytesIO(f.data)) as zf:
        totals = next(n for n in zf.namelist() if n.endswith("totals.csv"))
        assert "timezone,America/New_York" in zf.read(totals).decode("utf-8-sig")
    (md,) = render(ny, "md")
    assert "| Student 1 | 1 |" in md.data.decode() and "2026-11-02 10:00" in md.data.decode()


def test_a_bad_time_zone_is_a_clear_error(db: Database) -> None:
    from bot.core.digest.model import DigestError

    with pytest.raises(DigestError, match="not a time zone"):
        build_digest(db, DigestOptions(timezone="Mars/Olympus"))


def store(db: Database, *messages: LoggedMessage) -> None:
    db.run(lambda c: discussion.store_messages(c, messages))


def live(mid: str, author: str, text: str, minute: int, *, channel: str = "100",
         reply_to: str | None = None, parent: str | None = None) -> LoggedMessage:
    return LoggedMessage(id=mid, platform="discord", guild_id="900", channel_id=channel,
                         parent_id=parent, author_id=author, author_name=author.title(),
                         content=text, created_at=f"2026-11-02T10:{minute:02d}:00+00:00",
                         reply_to=reply_to)


def reasons(db: Database) -> dict[str, str]:
    data = json.loads(render(build_digest(db, DigestOptions()), "json")[0].data)
    return {q["message_id"]: q["reason"] for conv in (*data["threads"], *data["channels"])
            for q in conv["questions"]}


def test_answered_is_defensible_and_says_why(db: Database) -> None:
    store(
        db,
        live("1", "alice", "Everybody here?", 0),
        live("2", "bob", "Yes", 1),
        live("3", "alice", "Which chapter is on the midterm?", 10),
        live("4", "carol", "+1 agree with Bob", 11),
        live("5", "dave", "lol", 12),
        live("6", "bob", "Does anyone have notes from week 2?", 20),
        live("7", "carol", "> Does anyone have notes from week 2\nI do, will post", 25),
        live("8", "dave", "Can @Alice share the slides?", 30),
        live("9", "erin", "@Dave she posted them already", 31),
        # a thread: thanks and +1 do not answer; the next substantive message does
        live("10", "alice", "What is the paradox?", 40, channel="300", parent="100"),
        live("11", "bob", "thanks for asking, same question", 41, channel="300", parent="100"),
        live("12", "carol", "It is that acting alone backfires", 42, channel="300", parent="100"),
        live("13", "alice", "Is the paradox real?", 50, channel="400", parent="100"),
        live("14", "bob", "+1", 51, channel="400", parent="100"),
    )
    got = reasons(db)
    assert got == {
        "1": "next in channel", "3": "no answer", "6": "quote", "8": "mention",
        "10": "next in thread", "13": "no answer",
    }


def test_only_confident_bot_answers_not_marked_unhelpful_answer(db: Database) -> None:
    store(db, live("1", "alice", "What is pooling?", 0), live("2", "bob", "Why now?", 5))

    def queries(c: object) -> None:
        conn = c  # type: ignore[assignment]
        discussion.record_query(conn, guild_id="900", kind="ask", query="pooling", results=["p1"],
                                channel_id="100", user_id="alice", confident=True)
        qid = discussion.record_query(conn, guild_id="900", kind="ask", query="now",
                                      results=["p2"], channel_id="100", user_id="bob",
                                      confident=False)
        discussion.record_feedback(conn, qid, helpful=False)

    db.run(queries)
    assert reasons(db) == {"1": "bot answer", "2": "no answer"}


@pytest.mark.parametrize(("text", "substantive"), [
    ("+1", False), ("+1 agree with Bob", False), ("thanks!", False), ("🙏🙏", False),
    ("lol same", False), ("Yes", True), ("here!", True), ("p. 12 of the reading", True),
    ("It is about acting alone", True),
])
def test_what_is_substantive(text: str, substantive: bool) -> None:
    assert is_substantive(text, {"bob"}) is substantive


def test_a_student_who_opted_out_is_not_named_when_mentioned(db: Database, canary: Path) -> None:
    import_discord_exports(db, [canary])
    store(db, live("90", "1001", "<@4242> did you post the notes?", 59))
    db.run(lambda c: discussion.set_optout(c, "900", "4242", out=True))
    d = build_digest(db, DigestOptions())
    assert "4" not in {q.message_id for q in d.questions}  # her own question is left out
    asked = next(q for q in d.questions if q.message_id == "90")
    assert asked.text == "@(a student who opted out) did you post the notes?"
    anonymized = all_formats(db, DigestOptions(anonymize=True))
    assert not re.search(r"\bSheena\b", anonymized, re.IGNORECASE)
