"""Digest figures, every one hand-counted from the fixture exports (see tests/fixtures).

Discord fixture (guild 900, #seminar + the thread "Paradox of unilateralism" started from
message 5001): alice (1001) and bob (1002) talk, carol (1003) says one thing, the bot (2000)
twice, and one pin notice is not a message. Slack fixture (team T01CLASS, #seminar): a thread
of three, a channel question, a bot reminder, a deleted message and an edit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from rapidfuzz import fuzz

from bot.core.digest.compute import build_digest
from bot.core.digest.model import (
    Digest,
    DigestError,
    ParticipantStats,
    PassageInfo,
    Reference,
    ReferenceKind,
)
from bot.core.digest.period import parse_bound
from bot.core.digest.questions import is_question
from bot.core.errors import NotFound
from bot.core.log import discussion
from bot.core.log.imports import import_discord_exports, import_slack_export
from bot.core.models import DigestOptions, LoggedMessage
from bot.core.storage.database import Database
from bot.core.textnorm import fold
from tests.core.conftest import DISCORD_EXPORTS, SLACK_EXPORT, make_db


@pytest.fixture
def discord_db(db: Database) -> Database:
    import_discord_exports(db, DISCORD_EXPORTS)
    return db


def by_name(digest: Digest, name: str) -> ParticipantStats:
    return next(p for p in digest.participants if p.name == name)


def test_totals_participants_threads_and_questions_are_the_hand_counts(discord_db: Database) -> None:
    d = build_digest(discord_db, DigestOptions())
    # 6 human messages in #seminar (5001 5002 5005 5006 5008 5009) + 4 in the thread
    # (6001-6004); carol 5003 is counted (she has not opted out); bots and the pin are not.
    assert d.totals["messages"] == 11
    assert d.totals["participants"] == 3
    assert d.totals["threads"] == 1
    # questions: 5001 (answered in its thread), 5005 (nobody), 5008 (alice replied),
    # 6002 (bob answered later in the thread), 6004 (only the bot wrote after it)
    assert d.totals["questions"] == 5
    assert d.totals["unanswered_questions"] == 2
    assert d.totals["bot_messages"] == 2
    assert d.totals["opted_out_messages"] == 0
    unanswered = sorted(q.message_id for q in d.questions if not q.answered)
    assert unanswered == ["5005", "6004"]

    alice, bob, carol = by_name(d, "Alice"), by_name(d, "Bob"), by_name(d, "carol")
    assert (alice.messages, alice.words, alice.threads, alice.replies, alice.questions) == (
        4, 12 + 5 + 6 + 6, 1, 1, 3)
    assert (bob.messages, bob.words, bob.threads, bob.replies, bob.questions) == (
        6, 8 + 5 + 6 + 12 + 2 + 3, 1, 4, 2)
    assert (carol.messages, carol.words, carol.threads, carol.replies, carol.questions) == (
        1, 4, 0, 0, 0)
    assert alice.first_activity.startswith("2026-11-02T09:00")
    assert alice.last_activity.startswith("2026-11-05T09:00")
    assert bob.first_activity.startswith("2026-11-02T09:30")
    assert bob.last_activity.startswith("2026-11-05T08:00")
    assert [p.name for p in d.participants] == ["Bob", "Alice", "carol"]

    (thread,) = d.threads
    assert thread.name == "Paradox of unilateralism" and thread.parent == "seminar"
    assert thread.messages == 5  # the starter 5001 + 6001-6004
    assert thread.participants == ["Alice", "Bob"]
    assert thread.first_message.startswith("2026-11-02T09:00")
    assert thread.last_message.startswith("2026-11-02T11:20")
    assert [(q.message_id, q.answered) for q in thread.questions] == [
        ("5001", True), ("6002", True), ("6004", False)]
    (channel,) = d.channels
    assert channel.name == "seminar" and channel.messages == 7
    assert [(q.message_id, q.answered) for q in channel.questions] == [
        ("5005", False), ("5008", True)]


def test_activity_per_day(discord_db: Database) -> None:
    d = build_digest(discord_db, DigestOptions(since="2026-11-01", until="2026-11-07"))
    assert d.activity_unit == "day"
    got = {a.period: (a.messages, a.participants) for a in d.activity}
    assert got == {
        "2026-11-01": (0, 0), "2026-11-02": (7, 3), "2026-11-03": (1, 1),
        "2026-11-04": (1, 1), "2026-11-05": (2, 2), "2026-11-06": (0, 0), "2026-11-07": (0, 0),
    }


def test_period_filters(discord_db: Database) -> None:
    d = build_digest(discord_db, DigestOptions(since="2026-11-03", until="2026-11-04"))
    assert d.totals["messages"] == 2  # 5005, 5006
    assert d.totals["threads"] == 0
    assert d.totals["questions"] == 1 and d.totals["unanswered_questions"] == 1
    assert d.period == {"since": "2026-11-03T00:00:00+00:00", "until": "2026-11-05T00:00:00+00:00"}


def test_channel_filter_includes_threads_and_rejects_unknown(discord_db: Database) -> None:
    d = build_digest(discord_db, DigestOptions(channel="#seminar"))
    assert d.totals["messages"] == 11 and d.totals["threads"] == 1
    with pytest.raises(NotFound, match="seminar"):
        build_digest(discord_db, DigestOptions(channel="general"))
    thread = build_digest(discord_db, DigestOptions(channel="5001"))  # Discord's picker sends ids
    assert thread.totals["messages"] == 5 and thread.totals["threads"] == 1
    assert thread.totals["questions"] == 3 and thread.totals["unanswered_questions"] == 1
    assert thread.channels[0].messages == 1  # the starter, seen from its parent channel


def test_deleted_messages_are_not_counted_and_edits_count_once(discord_db: Database) -> None:
    discord_db.run(lambda c: discussion.store_edit(c, "5009", content="Domestic politics, surely",
                                                   edited_at="2026-11-05T10:00:00+00:00"))
    discord_db.run(lambda c: discussion.mark_deleted(c, ["5005"]))
    d = build_digest(discord_db, DigestOptions())
    assert d.totals["messages"] == 10
    assert d.totals["questions"] == 4 and d.totals["unanswered_questions"] == 1
    alice = by_name(d, "Alice")
    assert alice.messages == 3 and alice.words == 12 + 3 + 6


def test_opted_out_student_is_only_an_anonymous_total(discord_db: Database) -> None:
    def ask_then_opt_out(c: sqlite3.Connection) -> None:
        qid = discussion.record_query(c, guild_id="900", kind="ask", query="what about the midterm",
                                      results=[], channel_id="100", user_id="1003")
        discussion.record_feedback(c, qid, helpful=False)
        discussion.set_optout(c, "900", "1003", out=True)

    discord_db.run(ask_then_opt_out)
    d = build_digest(discord_db, DigestOptions())
    assert d.bot["questions_asked"] == 1 and d.bot["coverage_gaps"][0]["asked_by"] is None
    assert d.totals["messages"] == 10 and d.totals["participants"] == 2
    assert d.totals["opted_out_messages"] == 1
    assert "carol" not in repr(d.to_dict()) and "1003" not in repr(d.to_dict())


def test_opt_out_before_import_counts_the_same(db: Database) -> None:
    db.run(lambda c: discussion.set_optout(c, "900", "1003", out=True))
    import_discord_exports(db, DISCORD_EXPORTS)
    d = build_digest(db, DigestOptions())
    assert d.totals["messages"] == 10 and d.totals["opted_out_messages"] == 1


def test_a_helpful_bot_answer_answers_a_question(discord_db: Database) -> None:
    qid = discord_db.run(lambda c: discussion.record_query(
        c, guild_id="900", kind="ask", query="when is the midterm", results=[],
        channel_id="100", user_id="1001"))
    assert build_digest(discord_db, DigestOptions()).totals["unanswered_questions"] == 2
    discord_db.run(lambda c: discussion.record_feedback(c, qid, helpful=False))
    assert build_digest(discord_db, DigestOptions()).totals["unanswered_questions"] == 2
    discord_db.run(lambda c: discussion.record_feedback(c, qid, helpful=True))
    d = build_digest(discord_db, DigestOptions())
    assert d.totals["unanswered_questions"] == 1
    assert [q.message_id for q in d.questions if not q.answered] == ["6004"]


def test_bot_usage_and_coverage_gaps(discord_db: Database) -> None:
    def add(kind: str, query: str, user: str, helpful: bool | None) -> None:
        def op(c: sqlite3.Connection) -> None:
            qid = discussion.record_query(c, guild_id="900", kind=kind, query=query,
                                          results=["r-p1"], channel_id="100", user_id=user)
            if helpful is not None:
                discussion.record_feedback(c, qid, helpful=helpful)
        discord_db.run(op)

    add("ask", "what about cartels in Colombia", "1002", False)
    add("ask", "what is certification", "1001", True)
    add("ask", "who wrote the second reading", "1001", None)
    add("cite", "Keohane 1984", "1002", None)
    d = build_digest(discord_db, DigestOptions())
    assert d.bot["questions_asked"] == 3
    assert d.bot["citations_looked_up"] == 1
    assert d.bot["helpful"] == 1 and d.bot["not_helpful"] == 1
    (gap,) = d.bot["coverage_gaps"]
    assert gap["query"] == "what about cartels in Colombia" and gap["asked_by"] == "Bob"
    assert by_name(d, "Alice").bot_questions == 2


def test_anonymized_names_are_stable_and_hide_everything(discord_db: Database, tmp_path: Path) -> None:
    discord_db.run(lambda c: discussion.store_edit(c, "5009", content="Ask <@1002> about it?",
                                                   edited_at="2026-11-05T10:00:00+00:00"))
    first = build_digest(discord_db, DigestOptions(anonymize=True))
    second = build_digest(discord_db, DigestOptions(anonymize=True, since="2026-11-04"))
    names1 = {p.messages: p.name for p in first.participants}
    assert all(n.startswith("student-") for n in names1.values())
    assert len(set(names1.values())) == 3
    bob1 = next(p for p in first.participants if p.messages == 6)
    bob2 = next(p for p in second.participants if p.messages == 2)  # 5006, 5008
    assert bob1.name == bob2.name and bob1.id == bob2.id
    text = repr(first.to_dict())
    for secret in ("Alice", "alice", "Bob", "carol", "1001", "1002", "1003", "<@"):
        assert secret not in text
    assert f"Ask @{bob1.name} about it?" in [q.text for q in first.questions]
    # Another database gets other pseudonyms: the secret is per database.
    other = make_db(tmp_path / "other.db")
    import_discord_exports(other, DISCORD_EXPORTS)
    theirs = build_digest(other, DigestOptions(anonymize=True))
    other.close()
    assert {p.name for p in theirs.participants}.isdisjoint(names1.values())


def test_slack_export_digest(db: Database) -> None:
    import_slack_export(db, SLACK_EXPORT)
    d = build_digest(db, DigestOptions(guild_id="T01CLASS"))
    # alice: root + "Got it, thanks"; bob: thread reply + channel question; the deleted
    # message, the join notice and the bot reminder are not counted.
    assert d.totals["messages"] == 4 and d.totals["participants"] == 2
    assert d.totals["threads"] == 1 and d.totals["bot_messages"] == 1
    assert d.totals["questions"] == 2 and d.totals["unanswered_questions"] == 1
    alice, bob = by_name(d, "alice"), by_name(d, "Bob Brown")
    assert (alice.messages, alice.words, alice.threads, alice.replies, alice.questions) == (
        2, 7 + 3, 1, 0, 1)
    assert (bob.messages, bob.words, bob.threads, bob.replies, bob.questions) == (
        2, 5 + 8, 1, 1, 1)
    (thread,) = d.threads
    assert thread.messages == 3 and thread.name == "What does Aspinwall mean by the paradox?"
    assert [q.answered for q in thread.questions] == [True]
    assert [q.text for q in d.questions if not q.answered] == [
        "Anyone want to meet before class on Friday?"]
    assert build_digest(db, DigestOptions(guild_id="900")).totals["messages"] == 0


def test_questions_ignore_links_code_and_quotes() -> None:
    assert is_question("Is this right?")
    assert is_question("¿Qué significa esto")
    assert not is_question("see https://example.org/page?id=3")
    assert not is_question("run `ls ?`")
    assert not is_question("> did he say that?\nI agree with this")


def test_bad_dates_are_explained() -> None:
    with pytest.raises(DigestError, match="not a date"):
        parse_bound("last tuesday", end=False)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_bound("7d", end=False, now=now) == datetime(2026, 11, 13, tzinfo=UTC)
    assert parse_bound("2w", end=False, now=now) == datetime(2026, 11, 6, tzinfo=UTC)


# -- readings referenced ---------------------------------------------------------------------


class ListMatcher:
    """A stand-in for the quote finder over two passages written for this test."""

    PASSAGES: ClassVar[dict[str, tuple[str, str, str]]] = {
        "r1-p3": ("r1", "Reading One", "Sovereignty is never surrendered, only pooled among states"),
        "r2-p7": ("r2", "Reading Two", "Certification turned cooperation into a yearly ritual of blame"),
    }

    def references(self, text: str) -> Sequence[Reference]:
        out = [
            Reference(rid, pid, ReferenceKind.QUOTE)
            for pid, (rid, _t, body) in self.PASSAGES.items()
            if fuzz.partial_ratio(fold(body), fold(text)) >= 85
        ]
        if "(Two, 2020)" in text:
            out.append(Reference("r2", None, ReferenceKind.CITE))
        return out

    def describe(self, passage_id: str) -> PassageInfo | None:
        found = self.PASSAGES.get(passage_id)
        if found is None:
            return None
        return PassageInfo(passage_id, found[0], found[1], found[2], "p. 3")

    def reading_title(self, reading_id: str) -> str:
        return {"r1": "Reading One", "r2": "Reading Two"}[reading_id]


def test_references_count_quotes_citations_and_bot_answers(discord_db: Database) -> None:
    quote = LoggedMessage(
        id="7001", platform="discord", guild_id="900", channel_id="5001", parent_id="100",
        author_id="1001", author_name="Alice", created_at="2026-11-02T12:00:00+00:00",
        content='As they put it, "sovereinty is never surrendred, only pooled among states"',
    )
    cite = LoggedMessage(
        id="7002", platform="discord", guild_id="900", channel_id="100",
        author_id="1002", author_name="Bob", created_at="2026-11-02T12:05:00+00:00",
        content="The certification argument in (Two, 2020) is about blame",
    )
    discord_db.run(lambda c: discussion.store_messages(c, [quote, cite]))
    discord_db.run(lambda c: discussion.record_query(
        c, guild_id="900", kind="ask", query="what is pooling", results=["r1-p3", "r2-p7"],
        channel_id="5001", user_id="1002"))
    d = build_digest(discord_db, DigestOptions(), matcher=ListMatcher())
    (p,) = d.passages
    assert (p.passage_id, p.references, p.quotes, p.bot_answers, p.threads) == ("r1-p3", 2, 1, 1, 1)
    assert p.reading == "Reading One"
    assert {r["title"]: r["references"] for r in d.readings} == {"Reading One": 2, "Reading Two": 1}
    assert by_name(d, "Alice").readings == ["Reading One"]
    assert by_name(d, "Bob").readings == ["Reading One", "Reading Two"]
    (thread,) = d.threads
    assert thread.passages == [{"passage_id": "r1-p3", "reading": "Reading One", "references": 2}]
