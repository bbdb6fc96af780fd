"""Markdown a converter left in a reading ("US\\$1.5 billion", "*Los Angeles Times*") is cleaned
once, at indexing, so every surface shows what the page printed."""

from __future__ import annotations

import pytest

from bot.core.presentation import result_view
from bot.core.textnorm import unescape_markdown

REPORT = (
    "Drug Money\n\n"
    "In the largest case, about US\\$1.5 billion was laundered, according to the *Los Angeles "
    "Times*, through **three** banks; officials seized US\\$150 million (see \\[12\\]).\n"
)


@pytest.mark.parametrize(("printed", "shown"), [
    ("about US\\$1.5 billion", "about US$1.5 billion"),
    ("the *Los Angeles Times*, Mexico", "the Los Angeles Times, Mexico"),
    ("(as in *Fast and Furious*)", "(as in Fast and Furious)"),
    ("**three** banks and __two__ more", "three banks and two more"),
    ("note \\[12\\] and 50\\% and a\\_b", "note [12] and 50% and a_b"),
    # not emphasis: left as printed
    ("results* were significant*", "results* were significant*"),
    ("2*3*4 and a * b", "2*3*4 and a * b"),
    ("snake_case_name", "snake_case_name"),
    ("C:\\Users\\ana", "C:\\Users\\ana"),
    ("a line *that ends\nhere* later", "a line *that ends\nhere* later"),
])
def test_unescape_markdown(printed: str, shown: str) -> None:
    assert unescape_markdown(printed) == shown


def test_every_surface_gets_the_cleaned_text(course_of) -> None:  # type: ignore[no-untyped-def]
    course = course_of({"drug-money.txt": REPORT}).scope("cli", None)
    answer = course.ask("how much money was laundered through banks?")
    text = answer.hits[0].passage.text
    assert "US$1.5 billion" in text and "according to the Los Angeles Times, through three" in text
    assert "\\" not in text and "*" not in text
    card = result_view(answer).cards[0]
    assert "US$1.5 billion" in card.excerpt.text
    assert course.quote("laundered according to the Los Angeles Times").confident
