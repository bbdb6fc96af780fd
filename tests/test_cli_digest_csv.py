"""CSV digests open where people open them: `--out x.csv` is one table as CSV (never a zip
named .csv), `> d.csv` holds the CSV, a folder or x.zip gets every table, times read as dates."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.digest.render import sheet_time
from bot.core.models import DIGEST_TABLES
from tests.core.conftest import DISCORD_EXPORTS

BOM = "\ufeff"


@pytest.fixture
def base(tmp_path: Path, knowledge_dir: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    monkeypatch.chdir(tmp_path)  # nothing may land in the current folder unasked
    monkeypatch.setenv("TZ", "Europe/Berlin")  # the tables are in local time
    time.tzset()
    args = ["--readings", str(knowledge_dir), "--db", str(tmp_path / "cli.db")]
    assert main([*args, "import", "discord-export", *map(str, DISCORD_EXPORTS)]) == 0
    yield args
    monkeypatch.undo()
    time.tzset()


def rows(data: str) -> list[list[str]]:
    assert not data.startswith("PK"), "a zip archive, not CSV"
    return list(csv.reader(io.StringIO(data.removeprefix(BOM))))


def test_out_csv_writes_that_table_as_csv(base: list[str], tmp_path: Path) -> None:
    target = tmp_path / "week.csv"
    assert main([*base, "digest", "--format", "csv", "--out", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith(BOM)  # spreadsheet programs then read accented names as UTF-8
    header, *people = rows(text)
    assert header[:4] == ["id", "name", "role", "messages"] and {p[1] for p in people} >= {"Alice"}
    questions = tmp_path / "questions.csv"
    assert main([*base, "digest", "--format", "csv", "--table", "questions",
                 "--out", str(questions)]) == 0
    assert rows(questions.read_text(encoding="utf-8"))[0][0] == "conversation"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.db", "questions.csv", "week.csv"]


def test_times_are_local_and_spreadsheet_shaped(base: list[str], tmp_path: Path) -> None:
    target = tmp_path / "people.csv"
    assert main([*base, "digest", "--format", "csv", "--out", str(target)]) == 0
    header, *people = rows(target.read_text(encoding="utf-8"))
    first = [p[header.index("first_activity")] for p in people]
    assert first and all(datetime.strptime(v, "%Y-%m-%d %H:%M:%S") for v in first)
    assert sheet_time("2026-11-02T09:00:00+00:00") == "2026-11-02 10:00:00"  # CET is UTC+1
    assert sheet_time("2026-07-02T09:00:00", UTC) == "2026-07-02 09:00:00"
    assert sheet_time(None) == ""


def test_csv_on_stdout_is_csv_with_no_file_left_behind(
    base: list[str], tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    capsysbinary.readouterr()
    assert main([*base, "digest", "--format", "csv", "--table", "totals"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert not out.startswith(BOM)  # a pipe gets plain CSV
    assert rows(out)[0] == ["metric", "value"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.db"]


def test_redirected_to_a_file_it_opens_in_a_spreadsheet(base: list[str], tmp_path: Path) -> None:
    target = tmp_path / "d.csv"
    with target.open("wb") as out:  # what `seminar-bot digest --format csv > d.csv` does
        proc = subprocess.run([sys.executable, "-m", "bot", *base, "digest", "--format", "csv"],
                              stdout=out, stderr=subprocess.PIPE, text=False, timeout=120,
                              cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith(BOM) and rows(text)[0][1] == "name"


def test_a_folder_or_a_zip_gets_every_table(base: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "tables"  # not there yet: the trailing slash says it is a folder
    assert main([*base, "digest", "--format", "csv", "--out", f"{folder}/"]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == len(DIGEST_TABLES) and all(n.endswith(".csv") for n in names)
    archive = tmp_path / "all.zip"
    assert main([*base, "digest", "--format", "csv", "--out", str(archive)]) == 0
    with zipfile.ZipFile(archive) as zf:
        assert sorted(n.rsplit("/", 1)[1] for n in zf.namelist()) == sorted(
            f"{t}.csv" for t in DIGEST_TABLES)


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "csv", "--out", "week.txt"], "a .csv file"),
    (["--format", "csv", "--table", "totals", "--out", "all.zip"], "A zip holds every table"),
    (["--table", "totals"], "add --format csv"),
])
def test_what_cannot_be_written_says_so(
    base: list[str], args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main([*base, "digest", *args]) == 2
    assert message in capsys.readouterr().err


def test_csv_times_are_in_the_digest_time_zone(base: list[str], tmp_path: Path) -> None:
    """The digest's zone (--timezone / SEMINAR_TIMEZONE), not the server's, as every format."""
    firsts = {}
    for name in ("UTC", "America/Chicago"):
        target = tmp_path / f"{name.replace('/', '-')}.csv"
        assert main([*base, "digest", "--format", "csv", "--timezone", name,
                     "--out", str(target)]) == 0
        header, *people = rows(target.read_text(encoding="utf-8"))
        firsts[name] = sorted(datetime.strptime(p[header.index("first_activity")],
                                                "%Y-%m-%d %H:%M:%S") for p in people)
    assert firsts["UTC"] and all(
        (utc - chicago).total_seconds() == 6 * 3600  # November: CST is UTC-6
        for utc, chicago in zip(firsts["UTC"], firsts["America/Chicago"], strict=True))
