"""/readings on Discord: "author unknown" for everyone; the readings.toml lines to add for
instructors only, in a follow-up only they see."""

from __future__ import annotations

from pathlib import Path

from bot.core.service import SeminarService
from tests.discord_app.harness import INSTRUCTOR, Harness, settings_for, start_bot


async def test_instructors_are_told_what_metadata_is_missing(
    tmp_path: Path, readings: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    (readings / "untitled-notes.txt").write_text("Some notes on regimes.\n\nMore notes.\n",
                                                encoding="utf-8")
    service = SeminarService(tmp_path / "meta.db", readings)
    service.ensure_all()
    harness: Harness = await start_bot(settings_for(tmp_path, readings), service, monkeypatch)
    try:
        student = await harness.slash("readings")
        assert "author unknown" in student[-1].embeds[0]["description"]
        assert not any("readings.toml" in s.content for s in student)
        teacher = await harness.slash("readings", user=INSTRUCTOR)
        notice = teacher[-1]
        assert notice.ephemeral and "readings.toml" in notice.content
        assert '["untitled-notes.txt"]' in notice.content
        assert not teacher[-2].ephemeral  # the list itself stays public
    finally:
        await harness.settle()
        await harness.bot.close()
        service.close()
