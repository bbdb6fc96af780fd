"""`cite` and `quote` on the command line: the JSON contracts and bad input, as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console import Console
from bot.core.errors import SeminarError

CLI = [sys.executable, "-m", "bot"]


def run(args: list[str], *, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def base(tmp_path: Path, knowledge_dir: Path) -> list[str]:
    return ["--readings", str(knowledge_dir), "--db", str(tmp_path / "cli.db")]


def test_cite_jsonl_contract(base: list[str]) -> None:
    proc = run(base + ["cite", "--jsonl"], stdin="ostrom 1990\n\nNobodyknown Zzyzx\n")
    assert proc.returncode == 0, proc.stderr
    first, empty, unknown = (json.loads(line) for line in proc.stdout.splitlines())
    match = first["matches"][0]
    assert set(match) == {"score", "entry", "cited_in"}
    assert set(match["entry"]) >= {"text", "authors", "year", "title", "reading"}
    assert match["entry"]["authors"] == ["Ostrom"] and match["entry"]["year"] == "1990"
    assert match["entry"]["author_names"] == ["E. Ostrom"]  # full names where the list gives them
    assert match["entry"]["reading"] == "commons-and-collective-action"
    cited = match["cited_in"][0]
    assert set(cited) >= {"text", "citation", "locator", "passage_id", "reading", "kind"}
    assert cited["kind"] == "citation" and cited["citation"] in cited["text"]
    assert empty["matches"] == [] and empty["error"]
    assert unknown == {"query": "Nobodyknown Zzyzx", "matches": []}


def test_quote_jsonl_contract(base: list[str]) -> None:
    proc = run(base + ["quote", "--jsonl"],
               stdin="rules the villagers wrote for themselves\n" + "x" * 20_000 + "\n")
    assert proc.returncode == 0, proc.stderr
    found, too_long = (json.loads(line) for line in proc.stdout.splitlines())
    top = found["matches"][0]
    assert set(top) >= {"score", "text", "quote", "reading", "passage_id", "page", "section"}
    assert top["quote"] in top["text"] and top["reading"] == "commons-and-collective-action"
    assert top["cite_as"]["apa"].startswith("Hartmann, L. (2019).")
    assert too_long["matches"] == [] and "20,000" in too_long["error"]


def test_terminal_output(base: list[str]) -> None:
    cite = run(base + ["cite", "hardin tragedy"])
    assert cite.returncode == 0 and "Cited in 1 place" in cite.stdout
    assert "\u201cHardin, 1968\u201d" in cite.stdout
    weak = run(base + ["quote", "quantum chromodynamics predicts asymptotic freedom"])
    assert weak.returncode == 0 and "matches that quote well" in weak.stdout
    how = run(base + ["cite", "--passage", "commons-and-collective-action-p3"])
    assert how.returncode == 0 and "APA:" in how.stdout
    assert "Chicago (author-date):" in how.stdout  # the labels every surface uses


@pytest.mark.parametrize("command", ["cite", "quote"])
@pytest.mark.parametrize("text", ["", "?!;.", "y" * 20_000])
def test_bad_input_is_one_line_and_exit_2(base: list[str], command: str, text: str) -> None:
    proc = run(base + [command, text])
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_console_cite_and_quote(sample_service) -> None:
    console = Console(sample_service)
    assert "Cited in 2 place(s)" in console.handle("/cite ostrom 1990")
    assert console.handle("/cite commons-and-collective-action-p3").startswith("APA:")
    assert "rules the villagers wrote" in console.handle("/quote rules the villagers wrote")
    with pytest.raises(SeminarError):
        console.handle("/quote")
