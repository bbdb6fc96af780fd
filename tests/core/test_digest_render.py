"""Digest files: the JSON contract, Markdown, CSV tables, and the HTML page in a real browser."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from bot.core.digest.compute import build_digest
from bot.core.digest.render import CHART_COLOR, digest_files, render
from bot.core.errors import SeminarError
from bot.core.log.imports import import_discord_exports
from bot.core.models import DigestOptions
from bot.core.storage.database import Database
from tests.core.conftest import DISCORD_EXPORTS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def discord_db(db: Database) -> Database:
    import_discord_exports(db, DISCORD_EXPORTS)
    return db


def test_json_follows_the_contract(discord_db: Database) -> None:
    (f,) = digest_files(discord_db, DigestOptions(since="2026-11-01", until="2026-11-07"), "json")
    assert f.filename == "digest-2026-11-01-to-2026-11-07.json"
    data = json.loads(f.data)
    assert data["period"] == {"since": "2026-11-01T00:00:00+00:00",
                              "until": "2026-11-08T00:00:00+00:00", "timezone": "UTC"}
    assert {k: data["totals"][k] for k in
            ("messages", "participants", "threads", "questions", "unanswered_questions")} == {
        "messages": 11, "participants": 3, "threads": 1, "questions": 5,
        "unanswered_questions": 2}
    bob = next(p for p in data["participants"] if p["name"] == "Bob")
    assert {k: bob[k] for k in ("id", "messages", "words", "threads", "replies", "questions")} == {
        "id": "1002", "messages": 6, "words": 36, "threads": 1, "replies": 4, "questions": 2}
    (thread,) = data["threads"]
    assert thread["id"] == "5001" and thread["name"] == "Paradox of unilateralism"
    assert thread["messages"] == 5 and thread["participants"] == 2
    assert [(q["author"], q["answered"]) for q in thread["questions"]] == [
        ("Alice", True), ("Alice", True), ("Bob", False)]
    assert all(set(q) >= {"text", "author", "answered"} for q in thread["questions"])
    assert data["passages"] == []


def test_markdown_lists_unanswered_questions(discord_db: Database) -> None:
    (f,) = digest_files(discord_db, DigestOptions(), "md")
    text = f.data.decode()
    assert text.startswith("# Discussion digest: the start to now")
    (g,) = digest_files(discord_db, DigestOptions(since="2026-11-02", until="2026-11-05"), "md")
    assert g.data.decode().startswith("# Discussion digest: 2026-11-02 to 2026-11-05\n")
    assert "| 11 | 3 | 1 | 5 | 2 |" in text
    assert "[UNANSWERED] Alice: Is the midterm on Friday?" in text
    assert "[UNANSWERED] Bob: Any other examples?" in text
    assert "### Paradox of unilateralism (in #seminar)" in text


def test_csv_is_one_file_per_table_in_a_zip(discord_db: Database) -> None:
    (f,) = digest_files(discord_db, DigestOptions(), "csv")
    assert f.filename.endswith("-csv.zip")
    with zipfile.ZipFile(io.BytesIO(f.data)) as archive:
        names = {Path(n).name for n in archive.namelist()}
        assert {"totals.csv", "participants.csv", "threads.csv", "questions.csv",
                "passages.csv", "activity.csv", "coverage_gaps.csv"} <= names
        part = next(n for n in archive.namelist() if n.endswith("participants.csv"))
        rows = list(csv.DictReader(io.StringIO(archive.read(part).decode("utf-8-sig"))))
    assert [(r["name"], r["messages"], r["questions"]) for r in rows] == [
        ("Bob", "6", "2"), ("Alice", "4", "3"), ("carol", "1", "0")]


def test_csv_cells_never_become_formulas(discord_db: Database) -> None:
    from bot.core.log import discussion

    discord_db.run(lambda c: discussion.store_edit(
        c, "5005", content="=SUM(A1:A9) is the midterm grade?", edited_at=None))
    (f,) = digest_files(discord_db, DigestOptions(), "csv")
    with zipfile.ZipFile(io.BytesIO(f.data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("questions.csv"))
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert "'=SUM(A1:A9) is the midterm grade?" in [r["text"] for r in rows]


def test_unknown_format_is_a_clear_error(discord_db: Database) -> None:
    with pytest.raises(SeminarError, match="choose one of md, csv, json, html"):
        digest_files(discord_db, DigestOptions(), "pdf")


def test_html_is_self_contained_and_escapes_student_text(discord_db: Database) -> None:
    from bot.core.log import discussion

    discord_db.run(lambda c: discussion.store_edit(
        c, "5005", content='Is <script>alert(1)</script> <img src="http://x.invalid/a.png"> ok?',
        edited_at=None))
    (f,) = digest_files(discord_db, DigestOptions(), "html")
    page = f.data.decode()
    assert "<script" not in page and "<img" not in page
    assert not re.search(r"<[^>]*\s(src|href)\s*=", page)
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") == 2
    assert "&lt;script&gt;" in page


def test_html_reads_in_a_minute(discord_db: Database) -> None:
    """Unanswered questions first, labelled axes, dates with the year, every participant in a
    collapsed table, long lists collapsed, passages by their text: all without a script."""
    from bot.core.log import discussion
    from bot.core.models import LoggedMessage

    many = [LoggedMessage(id=f"x{i}", platform="discord", guild_id="900", channel_id="100",
                          author_id=f"u{i}", author_name=f"Student {i}", content=f"question {i}?",
                          created_at="2026-11-06T10:00:00+00:00") for i in range(40)]
    discord_db.run(lambda c: discussion.store_messages(c, many))
    (f,) = render(build_digest(discord_db, DigestOptions(since="2026-11-01", until="2026-11-07")),
                  "html")
    page = f.data.decode()
    assert page.index("Unanswered questions") < page.index("activity-chart")
    assert "Messages (bars)" in page and "Active participants (line)" in page
    assert "2 Nov 2026" in page  # the activity chart's dates carry the year
    assert "Day, UTC" in page and "Times and days are in UTC." in page
    table = page[page.index("<summary>Show all 43 students</summary>"):]
    assert table.index("Student 39") < table.index("</details>")
    assert page.count("<details>") >= 2  # the 42 unanswered questions are collapsed too
    assert "Show all 42 unanswered questions" in page
    assert "<script" not in page


def _chromium(html_file: Path, tmp_path: Path, shot: Path) -> str:
    assert CHROMIUM is not None
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
         "--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--window-size=1000,900",
         f"--screenshot={shot}", html_file.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert shot.exists(), proc.stderr[-2000:]
    return proc.stderr


def _console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_console_check_catches_errors(tmp_path: Path) -> None:
    """The console check below is only worth something if it sees a broken page."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>missingFunction();</script></body></html>")
    lines = _console_lines(_chromium(bad, tmp_path, tmp_path / "bad.png"))
    assert any("missingFunction" in line for line in lines)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_html_digest_renders_in_chromium_with_charts_drawn(
    discord_db: Database, tmp_path: Path
) -> None:
    from PIL import Image

    digest = build_digest(discord_db, DigestOptions(since="2026-11-01", until="2026-11-07"))
    (f,) = render(digest, "html")
    page = tmp_path / f.filename
    page.write_bytes(f.data)
    shot = tmp_path / "digest.png"
    stderr = _chromium(page, tmp_path, shot)
    assert _console_lines(stderr) == []
    image = Image.open(shot).convert("RGB")
    target = tuple(int(CHART_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    colors = image.getcolors(maxcolors=1 << 20) or []
    bar_pixels = sum(n for n, rgb in colors if rgb == target)
    # Seven days of bars (one of 7 messages) plus three participant bars: thousands of pixels.
    assert bar_pixels > 2000, bar_pixels

    empty = build_digest(discord_db, DigestOptions(since="2025-01-01", until="2025-01-07"))
    (g,) = render(empty, "html")
    page.write_bytes(g.data)
    empty_shot = tmp_path / "empty.png"
    _chromium(page, tmp_path, empty_shot)
    blank = Image.open(empty_shot).convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert sum(n for n, rgb in blank if rgb == target) < bar_pixels / 10
