"""A reading whose author or year the bot could not find is marked for the instructor, with
the readings.toml lines to add, and its cards say "author unknown" instead of nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot import formatting
from bot.cli import main
from bot.core.presentation import (
    AUTHOR_UNKNOWN,
    metadata_notice,
    reading_label,
    readings_view,
    result_view,
)

ESSAY = ("constructivism-us-mexico-drug-policy.txt",
         "Norms and identities shape how the two governments see the drug trade.\n\n"
         "Constructivists argue that interests follow identities, and identities follow the "
         "practices states share.\n")


def test_the_cards_say_author_unknown(course_of) -> None:  # type: ignore[no-untyped-def]
    course = course_of(dict([ESSAY])).scope("cli", None)
    [reading] = course.readings()
    assert reading.authors == () and reading.year is None
    assert reading_label(reading).endswith(f"— {AUTHOR_UNKNOWN}")
    card = result_view(course.ask("do interests follow identities?")).cards[0]
    assert AUTHOR_UNKNOWN in formatting.answer_text(result_view(
        course.ask("do interests follow identities?")))
    assert card.reading_label == reading_label(reading)


def test_the_instructor_gets_the_readings_toml_to_add(course_of, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    course = course_of(dict([ESSAY, ("dated.md", "---\nauthors: [Ana Torres]\nyear: 2020\n"
                                                 "---\n# Regimes in Practice\n\nRegimes matter.\n")]))
    lines = readings_view(course.scope("cli", None).readings())
    essay = next(line for line in lines if line.id.startswith("constructivism"))
    assert essay.missing == ("author", "year", "title")
    assert essay.missing_text == "author, year and title"
    notice = metadata_notice(lines)
    assert notice is not None and str(tmp_path / "readings" / "readings.toml") in notice.intro
    parsed = tomllib.loads(notice.toml)  # what to paste is valid TOML, keyed by the file name
    assert parsed == {ESSAY[0]: {"title": "Constructivism US Mexico Drug Policy",
                                 "authors": ["First Author", "Second Author"],
                                 "year": "YYYY"}}
    student = " ".join(formatting.readings_text(lines).split())
    teacher = formatting.readings_text(lines, instructor=True)
    assert "(author, year and title unknown)" in student and "readings.toml" not in student
    assert f'["{ESSAY[0]}"]' in teacher and 'year = "YYYY"' in teacher


def test_the_readings_command_marks_them(
    tmp_path: Path, capsys  # type: ignore[no-untyped-def]
) -> None:
    folder = tmp_path / "readings"
    folder.mkdir()
    (folder / ESSAY[0]).write_text(ESSAY[1], encoding="utf-8")
    assert main(["--readings", str(folder), "--db", str(tmp_path / "x.db"), "readings"]) == 0
    out = capsys.readouterr().out
    assert "author unknown" in " ".join(out.split()) and f'["{ESSAY[0]}"]' in out
    (folder / "readings.toml").write_text(
        f'["{ESSAY[0]}"]\ntitle = "Constructivism"\nauthors = ["Ana Torres"]\nyear = "2001"\n',
        encoding="utf-8")
    assert main(["--readings", str(folder), "--db", str(tmp_path / "x.db"), "readings"]) == 0
    out = capsys.readouterr().out
    assert "Ana Torres (2001)" in out and "readings.toml" not in out
