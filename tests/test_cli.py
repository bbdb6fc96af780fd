"""The command line as users and the evaluator drive it: real processes, real files."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

CLI = [sys.executable, "-m", "bot"]


def run(args: list[str], *, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def base(tmp_path: Path, knowledge_dir: Path) -> list[str]:
    return ["--readings", str(knowledge_dir), "--db", str(tmp_path / "cli.db")]


def test_jsonl_contract(base: list[str]) -> None:
    assert run(base + ["index"]).stdout == ""  # tools read stdout as JSON lines
    questions = "Why do water treaties last?\n\nWhat are design principles of long-lived commons?\n"
    proc = run(base + ["ask", "--top", "2", "--jsonl"], stdin=questions)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[1]["results"] == [] and "empty" in lines[1]["error"]
    first = lines[0]
    assert first["query"] == "Why do water treaties last?"
    result = first["results"][0]
    assert set(result) >= {"rank", "score", "text", "best_sentence", "reading", "passage_id",
                           "section", "paragraph", "page"}
    assert set(result["reading"]) == {"id", "title", "authors"}
    assert result["rank"] == 1 and len(first["results"]) == 2


def test_global_options_after_the_subcommand(tmp_path: Path, knowledge_dir: Path) -> None:
    proc = run(["readings", "--readings", str(knowledge_dir), "--db", str(tmp_path / "x.db")])
    assert proc.returncode == 0 and "water-treaties-and-trust" in proc.stdout


def test_ask_terminal_and_json(base: list[str]) -> None:
    text = run(base + ["ask", "who", "monitors", "the", "commons?"])
    assert text.returncode == 0 and "score" in text.stdout
    data = json.loads(run(base + ["ask", "--json", "graduated sanctions"]).stdout)
    assert data["results"][0]["passage_id"].startswith("commons-and-collective-action-p")


def test_passage_command(base: list[str]) -> None:
    pid = json.loads(run(base + ["ask", "--json", "graduated sanctions"]).stdout)["results"][0]["passage_id"]
    proc = run(base + ["passage", pid])
    assert proc.returncode == 0 and pid in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "empty"),
        (["ask", "?!"], "punctuation"),
        (["passage", "nope-p999"], "No passage"),
        (["ask", "--reading", "no such reading", "rivers"], "No reading"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(base: list[str], args: list[str], message: str) -> None:
    proc = run(base + args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_missing_folder_and_bad_database(tmp_path: Path, knowledge_dir: Path) -> None:
    proc = run(["--readings", str(tmp_path / "none"), "--db", str(tmp_path / "a.db"), "ask", "x"])
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    proc = run(["--readings", str(knowledge_dir), "--db", str(bad), "ask", "rivers"])
    assert proc.returncode == 2 and "index --rebuild" in proc.stderr and "Traceback" not in proc.stderr
    recovered = run(["--readings", str(knowledge_dir), "--db", str(bad), "index", "--rebuild"])
    assert recovered.returncode == 0 and "damaged" in recovered.stderr
    assert run(["--readings", str(knowledge_dir), "--db", str(bad), "ask", "rivers"]).returncode == 0


def test_console_works_piped(base: list[str]) -> None:
    script = "/readings\nwhy do water treaties last?\n/passage\n/bogus\n/quit\n"
    proc = run(base + ["console"], stdin=script)
    assert proc.returncode == 0, proc.stderr
    assert "water-treaties-and-trust" in proc.stdout
    assert "score" in proc.stdout and "Usage: /passage" in proc.stdout and "Unknown command" in proc.stdout


def test_run_indexes_every_configured_course(
    tmp_path: Path, knowledge_dir: Path, courses_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`seminar-bot run` with no token opens the console: with every course indexed first."""
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SEMINAR_COURSES", str(courses_file))
    monkeypatch.setattr("sys.stdin", io.StringIO("/readings\n"))
    db = tmp_path / "run.db"
    assert main(["run", "--readings", str(knowledge_dir), "--db", str(db)]) == 0
    with sqlite3.connect(db) as conn:
        courses = {row[0] for row in conn.execute("SELECT course FROM readings")}
    assert courses == {"default", "ethics"}


def test_index_indexes_every_configured_course(
    tmp_path: Path, knowledge_dir: Path, courses_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEMINAR_COURSES", str(courses_file))
    db = tmp_path / "index.db"
    assert main(["index", "--readings", str(knowledge_dir), "--db", str(db)]) == 0
    with sqlite3.connect(db) as conn:
        courses = {row[0] for row in conn.execute("SELECT course FROM readings")}
    assert courses == {"default", "ethics"}


def test_readings_json_counts_reference_list_entries(base: list[str]) -> None:
    listed = {r["id"]: r for r in json.loads(run(base + ["readings", "--json"]).stdout)}
    assert listed["commons-and-collective-action"]["references"] == 5
    assert listed["regimes-without-trust"]["references"] == 5
    assert listed["water-treaties-and-trust"]["references"] == 0  # no reference list
