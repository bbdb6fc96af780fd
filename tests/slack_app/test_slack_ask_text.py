"""Parsing `/ask` text: the question and an optional `reading:NAME` filter."""

from __future__ import annotations

import pytest

from bot.core.errors import SeminarError
from bot.slack_app.ask_text import parse_ask_text


@pytest.mark.parametrize(
    ("text", "question", "reading"),
    [
        ("why did cities grow by rivers", "why did cities grow by rivers", None),
        ("why did cities grow reading:ortega", "why did cities grow", "ortega"),
        ("reading:ortega why did cities grow", "why did cities grow", "ortega"),
        ('canals and councils reading:"Rivers and Cities"', "canals and councils",
         "Rivers and Cities"),
        ("canals READING:“Rivers and Cities” and councils", "canals and councils",
         "Rivers and Cities"),
        ("what is close reading: a method?", "what is close reading: a method?", None),
        ("re-reading:a habit", "re-reading:a habit", None),
    ],
)
def test_parse_ask_text(text: str, question: str, reading: str | None) -> None:
    assert parse_ask_text(text) == (question, reading)


@pytest.mark.parametrize("text", ['floods reading:""', "floods reading:a reading:b"])
def test_bad_reading_filters_are_explained(text: str) -> None:
    with pytest.raises(SeminarError, match="reading:"):
        parse_ask_text(text)
