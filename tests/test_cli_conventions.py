"""The command line behaves as command lines do: --version, validated numbers, warnings said
once in plain words, a wrong --readings explained, and no database left by a failed start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import __version__
from bot.cli import main

CLI = [sys.executable, "-m", "bot"]


def test_version() -> None:
    proc = subprocess.run([*CLI, "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"seminar-bot {__version__}"


@pytest.mark.parametrize("top", ["0", "-1", "two"])
def test_top_must_be_a_whole_number_of_one_or_more(
    top: str, tmp_path: Path, knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--readings", str(knowledge_dir), "--db", str(tmp_path / "x.db"), "ask",
              "--top", top, "rivers"])
    assert exit_.value.code == 2 and "--top" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_a_file_given_as_the_readings_folder_is_called_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# not a folder\n", encoding="utf-8")
    assert main(["--readings", str(readme), "--db", str(tmp_path / "x.db"), "readings"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_a_missing_folder_or_a_failed_first_command_leaves_no_database(
    tmp_path: Path, knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "seminar.db"
    assert main(["--readings", str(tmp_path / "nowhere"), "--db", str(db), "ask", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err and not db.exists()
    assert main(["--readings", str(knowledge_dir), "--db", str(db), "ask", ""]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    # a database that was there stays, whatever the command did
    assert main(["--readings", str(knowledge_dir), "--db", str(db), "readings"]) == 0
    assert main(["--readings", str(knowledge_dir), "--db", str(db), "ask", ""]) == 2
    assert db.exists()


def test_unreadable_files_are_named_in_plain_words_once(
    tmp_path: Path, knowledge_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "readings"
    folder.mkdir()
    (folder / "notes.md").write_text((knowledge_dir / "regimes-without-trust.md").read_text(
        encoding="utf-8"), encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")
    (folder / "slides.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    (folder / "grades.xlsx").write_bytes(b"x")
    base = ["--readings", str(folder), "--db", str(tmp_path / "x.db")]
    capsys.readouterr()
    assert main([*base, "ask", "what are regimes?"]) == 0
    err = capsys.readouterr().err
    for name in ("broken.pdf", "slides.docx", "grades.xlsx"):
        assert f"warning: {name}: skipped, " in err
    assert "not a readable PDF" in err and "not a readable Word file" in err
    assert "Error" not in err and "pypdf" not in err  # no exception names, no library logs
    assert main([*base, "ask", "what are regimes?"]) == 0
    assert "warning" not in capsys.readouterr().err  # said once, not before every answer
    assert main([*base, "index"]) == 0  # index lists them all again
    assert capsys.readouterr().err.count("warning: ") == 3


def test_unchanged_readings_print_no_progress(tmp_path: Path, knowledge_dir: Path) -> None:
    base = [*CLI, "--readings", str(knowledge_dir), "--db", str(tmp_path / "x.db")]
    readings = len([p for p in knowledge_dir.iterdir() if p.suffix in (".md", ".txt", ".pdf")])
    first = subprocess.run([*base, "index"], capture_output=True, text=True, timeout=120)
    assert first.stderr.count("indexing ") == readings
    again = subprocess.run([*base, "index"], capture_output=True, text=True, timeout=120)
    assert "indexing" not in again.stderr and f"{readings} unchanged" in again.stderr


def test_run_without_a_token_or_a_terminal_says_what_to_do(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no tokens, no .env here
    with open("/dev/null") as nothing:  # what `docker run` without -i gives
        proc = subprocess.run([*CLI, "--readings", str(knowledge_dir), "--db",
                               str(tmp_path / "x.db"), "run"], stdin=nothing,
                              capture_output=True, text=True, timeout=120, cwd=tmp_path,
                              env=env | {"PYTHONPATH": str(Path(__file__).parents[1])})
    assert proc.returncode == 2
    assert "-it" in proc.stderr and "DISCORD_TOKEN" in proc.stderr
    assert not (tmp_path / "x.db").exists()
