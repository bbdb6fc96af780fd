"""`/say` in the console: a scriptable, simulated discussion logged like Discord messages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.console import Console
from bot.core.service import SeminarService


@pytest.fixture()
def service(tmp_path: Path) -> SeminarService:
    readings = tmp_path / "readings"
    readings.mkdir()
    (readings / "notes.txt").write_text("Regimes lower the cost of agreements.\n", encoding="utf-8")
    svc = SeminarService(tmp_path / "seminar.db", readings)
    yield svc
    svc.close()


def run(service: SeminarService, script: str, author: str = "ana") -> str:
    out = io.StringIO()
    assert Console(service, author=author).run(io.StringIO(script), out) == 0
    return out.getvalue()


def test_piped_say_lines_are_logged_per_thread(service: SeminarService) -> None:
    out = run(service, "/say week-3 Regimes matter @everyone\n/say week-3 Do they?\n/say week-4 New topic\n")
    assert "[week-3] ana: Regimes matter @everyone" in out
    with service.db.read() as conn:
        msgs = conn.execute(
            "SELECT platform, guild_id, channel_id, author_id, content, source FROM messages"
            " ORDER BY created_at, id"
        ).fetchall()
        threads = conn.execute("SELECT id, name, kind FROM channels ORDER BY id").fetchall()
    assert [tuple(m) for m in msgs] == [
        ("console", "console", "console:week-3", "ana", "Regimes matter @everyone", "console"),
        ("console", "console", "console:week-3", "ana", "Do they?", "console"),
        ("console", "console", "console:week-4", "ana", "New topic", "console"),
    ]
    assert [tuple(t) for t in threads] == [
        ("console:week-3", "week-3", "thread"),
        ("console:week-4", "week-4", "thread"),
    ]


def test_say_honours_opt_out(service: SeminarService) -> None:
    service.set_optout("console", "ben", out=True).result()
    out = run(service, "/say week-3 private thought\n", author="ben")
    assert "not stored" in out
    with service.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM optout_messages").fetchone()[0] == 1


def test_say_without_text_explains_itself(service: SeminarService) -> None:
    out = run(service, "/say week-3\n")
    assert out.startswith("! Usage: /say THREAD TEXT")


def test_console_lookups_count_as_bot_usage(tmp_path, knowledge_dir) -> None:
    from bot.console import Console
    from bot.core.models import DigestOptions
    from bot.core.service import SeminarService

    service = SeminarService(tmp_path / "c.db", knowledge_dir)
    service.ensure_all()
    console = Console(service, author="ana")
    console.handle("why do water treaties last?")
    console.handle("/cite Ostrom 1990")
    console.handle("/quote communities routinly avoid that fate")
    usage = service.scope("cli", "console").digest(DigestOptions()).bot
    assert (usage["questions_asked"], usage["citations_looked_up"], usage["quotes_looked_up"]) == (1, 1, 1)
    service.close()
