"""Course scopes: what a guild, a workspace or the command line asks is bound to its course."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.errors import NotFound
from bot.core.models import DEFAULT_COURSE, DigestOptions, LoggedMessage
from bot.core.service import CourseScope, SeminarService

POLITICS = "---\ntitle: Regimes\n---\nInternational regimes lower the costs of agreement.\n"
ETHICS = "---\ntitle: Virtue and Habit\n---\nVirtue is acquired by habit, by doing just acts.\n"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[SeminarService]:
    folders = {}
    for course, text in ((DEFAULT_COURSE, POLITICS), ("ethics", ETHICS)):
        folders[course] = tmp_path / course
        folders[course].mkdir()
        (folders[course] / f"{course}.md").write_text(text, encoding="utf-8")
    svc = SeminarService(tmp_path / "scopes.db", folders, guild_courses={"900": "ethics"})
    svc.ensure_all()
    yield svc
    svc.close()


def test_each_scope_sees_its_own_course(service: SeminarService) -> None:
    ethics = service.scope("discord", 900)
    politics = service.scope("slack", "T0POLITICS")  # named by no course: the default, for now
    assert (ethics.course, ethics.guild_id) == ("ethics", "900")
    assert politics.course == service.scope("cli", None).course == DEFAULT_COURSE
    assert [r.title for r in ethics.readings()] == ["Virtue and Habit"]
    assert [r.title for r in politics.readings()] == ["Regimes"]
    assert ethics.ask("how is virtue acquired").hits[0].reading.title == "Virtue and Habit"
    assert not politics.ask("how is virtue acquired").confident
    passage_id = ethics.ask("virtue habit").hits[0].passage.id
    assert ethics.is_passage_id(passage_id) and not politics.is_passage_id(passage_id)
    with pytest.raises(NotFound):
        politics.passage(passage_id)
    with pytest.raises(NotFound):
        politics.how_to_cite(passage_id)


def test_no_per_course_call_falls_back_on_a_course(service: SeminarService) -> None:
    """A new command that forgets the course must fail, not answer from the default course."""
    taking_a_course = [
        name for name, member in inspect.getmembers(SeminarService, inspect.isfunction)
        if "course" in inspect.signature(member).parameters
    ]
    assert {"ask", "cite", "quote", "readings", "passage", "digest"} <= set(taking_a_course)
    for name in taking_a_course:
        param = inspect.signature(getattr(SeminarService, name)).parameters["course"]
        assert param.default is inspect.Parameter.empty, name


def test_a_scope_reads_and_writes_only_its_own_guild(service: SeminarService) -> None:
    for n, guild in enumerate(("900", "901", "901")):
        service.record_messages([LoggedMessage(
            id=f"m{n}", platform="discord", guild_id=guild, channel_id="c1", author_id="u1",
            created_at="2026-11-02T10:00:00+00:00", content=f"a message in {guild}",
        )]).result()
    ethics = service.scope("discord", "900")
    # options naming another guild cannot widen what the scope's digest covers
    assert ethics.digest(DigestOptions(guild_id="901")).totals["messages"] == 1
    assert service.scope("cli", None).digest(DigestOptions()).totals["messages"] == 3
    ethics.record_query(kind="ask", query="virtue?", results=["p1"]).result()
    with service.db.read() as conn:
        rows = [tuple(r) for r in conn.execute("SELECT guild_id, kind, results FROM bot_queries")]
    assert rows == [("900", "ask", json.dumps(["p1"]))]


def test_a_scope_names_a_reading_by_a_fragment_of_its_title(service: SeminarService) -> None:
    ethics: CourseScope = service.scope("discord", "900")
    assert ethics.reading("virtue").title == "Virtue and Habit"
    with pytest.raises(NotFound):
        service.scope("discord", "901").reading("virtue")
