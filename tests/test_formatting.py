"""The terminal renderer: plain text when piped, bold and colour on a terminal (unless
NO_COLOR or --no-color), every line within the width and never an id cut in two."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import formatting
from bot.core.models import Answer, Hit, Passage, Reading
from bot.core.presentation import passage_view, readings_view, result_view
from bot.formatting import Terminal, terminal, wrap
from tests.samples import CITING, READING, cite_result, quote_result

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG_ID = "a-reading-with-a-very-long-hyphenated-file-name-about-water-treaties-p12"
LONG = Reading(id="a-reading-with-a-very-long-hyphenated-file-name-about-water-treaties",
               title="Shared Rivers, Shared Risks: Water Treaties and Trust in Arid Borderlands",
               authors=("Daniel Okafor", "Lena Hartmann"), year="2022")
PASSAGE = Passage(id=LONG_ID, reading_id=LONG.id, kind="body", section="TREATIES THAT LAST",
                  paragraph=12, page=7,
                  text="Durable treaties share three features. " + "They allocate water in "
                       "proportions rather than fixed volumes. " * 6)


def answer(reading: Reading = LONG, passage: Passage = PASSAGE) -> Answer:
    return Answer("why do treaties last?", (Hit(1, 88.0, passage, reading,
                                                "Durable treaties share three features."),),
                  True)


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_plain_text() -> None:
    text = formatting.answer_text(result_view(answer()))
    assert not ANSI.search(text) and "**" not in text
    assert "Durable treaties share three features." in text


def test_a_terminal_gets_bold_and_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    term = terminal(FakeTty())
    assert term.color
    text = formatting.answer_text(result_view(answer()), term)
    assert "\x1b[1mDurable treaties share three features.\x1b[22m" in text
    assert ANSI.sub("", text) == formatting.answer_text(result_view(answer()),
                                                        Terminal(width=term.width))


@pytest.mark.parametrize(("env", "no_color"), [({"NO_COLOR": "1"}, False), ({}, True),
                                               ({"TERM": "dumb"}, False)])
def test_no_color_dumb_terminals_and_pipes_get_none(
    env: dict[str, str], no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert not terminal(FakeTty(), no_color=no_color).color
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not terminal(io.StringIO()).color


@pytest.mark.parametrize("width", [30, 41, 60, 79])
@pytest.mark.parametrize("color", [False, True])
def test_every_line_fits_and_ids_stay_whole(width: int, color: bool) -> None:
    term = Terminal(color=color, width=width)
    cite = cite_result()
    views = [
        formatting.answer_text(result_view(answer()), term),
        formatting.quote_text(result_view(quote_result()), term),
        formatting.cite_text(result_view(cite), term),
        formatting.passage_text(passage_view(PASSAGE, LONG, [PASSAGE]), term),
        formatting.readings_text(readings_view([LONG, READING]), term),
        formatting.how_to_cite_text({"apa": "Okafor, D. (2022). " + LONG.title + "."}, term),
    ]
    for text in views:
        for line in ANSI.sub("", text).splitlines():
            assert len(line) <= width or " " not in line.strip(), line
    joined = ANSI.sub("", "\n".join(views))
    assert LONG_ID in joined and LONG.id in joined and CITING.id in joined


@given(st.lists(st.text(alphabet="ab -\u00e9", min_size=1, max_size=30), max_size=12),
       st.integers(10, 60))
def test_wrap_keeps_every_word_and_order(words: list[str], width: int) -> None:
    segments = [(w, "bold" if i % 2 else "") for i, w in enumerate(words)]
    lines = wrap(segments, Terminal(width=width), "  ")
    assert " ".join("".join(words).split()) == " ".join(" ".join(lines).split())
    assert all(len(line) <= width or len(line.split()) == 1 for line in lines)
