"""`seminar-bot digest | import | purge | forget` and the console's /digest, as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.core.models import DIGEST_TABLES
from tests.core.conftest import DISCORD_EXPORTS, SLACK_EXPORT

CLI = [sys.executable, "-m", "bot"]


def run(args: list[str], *, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, timeout=120,
                          cwd=cwd)


@pytest.fixture
def base(tmp_path: Path, knowledge_dir: Path) -> list[str]:
    return ["--readings", str(knowledge_dir), "--db", str(tmp_path / "cli.db")]


@pytest.fixture
def imported(base: list[str]) -> list[str]:
    proc = run(base + ["import", "discord-export", *map(str, DISCORD_EXPORTS)])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(
        "Imported 14 messages from 2 file(s): 13 new, 0 updated, 0 unchanged, 1 skipped")
    return base


def test_import_twice_and_digest_json_on_stdout(imported: list[str]) -> None:
    again = run(imported + ["import", "discord-export", *map(str, DISCORD_EXPORTS)])
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 updated, 13 unchanged, 1 skipped" in again.stdout
    assert "0 channels/threads" in again.stdout
    proc = run(imported + ["digest", "--format", "json", "--since", "2026-11-01",
                           "--until", "2026-11-07"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["totals"]["messages"] == 11 and data["totals"]["unanswered_questions"] == 2
    assert data["period"]["since"] == "2026-11-01T00:00:00+00:00"


def test_digest_files_markdown_html_csv(imported: list[str], tmp_path: Path) -> None:
    md = run(imported + ["digest", "--channel", "seminar", "--anonymize"])
    assert md.returncode == 0 and md.stdout.startswith("# Discussion digest")
    assert "Alice" not in md.stdout and "student-" in md.stdout
    page = tmp_path / "digest.html"
    proc = run(imported + ["digest", "--format", "html", "--out", str(page)])
    assert proc.returncode == 0, proc.stderr
    assert page.read_text().startswith("<!DOCTYPE html>") and f"wrote {page}" in proc.stderr
    folder = tmp_path / "out"
    folder.mkdir()
    proc = run(imported + ["digest", "--format", "csv", "--out", str(folder)])
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name.rsplit("-", 1)[1] for p in folder.glob("*.csv")) == sorted(
        f"{t}.csv" for t in DIGEST_TABLES)
    archive = tmp_path / "week.zip"
    assert run(imported + ["digest", "--format", "csv", "--out", str(archive)]).returncode == 0
    with zipfile.ZipFile(archive) as zf:
        assert any(n.endswith("/participants.csv") for n in zf.namelist())


def test_slack_import_then_purge_and_forget(base: list[str]) -> None:
    proc = run(base + ["import", "slack-export", str(SLACK_EXPORT)])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Imported 7 messages from 2 file(s): 5 new")
    forget = run(base + ["forget", "U01BOB"])
    assert forget.returncode == 0 and forget.stdout.startswith("removed 2 message(s)")
    data = json.loads(run(base + ["digest", "--format", "json"]).stdout)
    assert [p["name"] for p in data["participants"]] == ["alice"]
    purge = run(base + ["purge", "--older-than", "1d"])
    assert purge.returncode == 0 and purge.stdout.startswith("deleted 3 message(s)")
    assert json.loads(run(base + ["digest", "--format", "json"]).stdout)["totals"]["messages"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["digest", "--since", "last tuesday"], "is not a date"),
        (["digest", "--channel", "nowhere"], "No logged channel called 'nowhere'"),
        (["digest", "--since", "2026-11-05", "--until", "2026-11-01"], "--since must be before"),
        (["import", "discord-export", "missing.json"], "No such file"),
        (["import", "slack-export", "."], "not a Slack export"),
        (["purge"], "Say how old"),
        (["purge", "--older-than", "soon"], "is not an age"),
        (["forget", " "], "Give the user id"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(base: list[str], tmp_path: Path, args: list[str],
                                          message: str) -> None:
    proc = run(base + args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_console_digest(imported: list[str], tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    proc = run(imported + ["console"], stdin=(
        "/digest --since 2026-11-03 --until 2026-11-04\n"
        f"/digest --format json --out {out}\n"
        "/digest --format pdf\n"
    ))
    assert proc.returncode == 0, proc.stderr
    assert "# Discussion digest: 2026-11-03 to 2026-11-04" in proc.stdout
    assert "[UNANSWERED] Alice: Is the midterm on Friday?" in proc.stdout
    assert f"wrote {out}" in proc.stdout
    assert json.loads(out.read_text())["totals"]["messages"] == 11
    assert "! /digest: argument --format: invalid choice" in proc.stdout


def test_import_a_folder_with_a_bad_file_names_it_and_goes_on(base: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "server"
    (folder / "threads").mkdir(parents=True)
    for f in DISCORD_EXPORTS:
        (folder / "threads" / f.name).write_bytes(f.read_bytes())
    text = DISCORD_EXPORTS[0].read_text()
    (folder / "cut.json").write_text(text[: len(text) // 3])
    proc = run(base + ["import", "discord-export", str(folder)])
    assert proc.returncode == 1, proc.stderr  # some files could not be read
    assert "cut.json is not readable JSON" in proc.stderr and "Traceback" not in proc.stderr
    assert "from 3 file(s), 1 unreadable" in proc.stdout and "13 new" in proc.stdout
    archive = tmp_path / "server.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in DISCORD_EXPORTS:
            zf.write(f, f"export/{f.name}")
    again = run(base + ["import", "discord-export", str(archive)])
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 updated, 13 unchanged, 1 skipped" in again.stdout


def test_import_progress_is_a_bar_on_a_terminal_only() -> None:
    import io

    from bot.cli_digest import import_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert import_progress(io.StringIO()) is None  # a log file gets only the summary
    screen = Tty()
    show = import_progress(screen)
    assert show is not None
    show(250_000_000, 1_000_000_000, "general.json")
    show(1_000_000_000, 1_000_000_000, "general.json")
    assert "importing [######.................." in screen.getvalue()
    assert "250/1,000 MB general.json" in screen.getvalue() and screen.getvalue().endswith("\n")
