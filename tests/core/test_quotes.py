"""Locating misremembered quotes in passages, with the span as printed."""

from __future__ import annotations

import pytest

from bot.core.errors import InvalidQuery
from bot.core.search.quotes import CONFIDENT_SCORE, MAX_QUOTE_CHARS, check_quote, find_quote

PASSAGES = [
    ("a-p1", "Seminar readings often disagree. “The rivers are rising. But they are not rising "
             "for the farmers downstream,” said one engineer, a former official of the agency."),
    ("a-p2", "Cooperation between neighbours cannot be the exclusive duty of one single state; it "
             "requires shared institutions and patience."),
    ("b-p1", "The committee argued that the audit had nothing to do with the truth about spending, "
             "and the minister resigned in protest."),
    ("b-p2", "Nothing in this paragraph is about rivers or audits; it describes the campus café."),
]


def test_misremembered_quote_found_with_printed_span() -> None:
    best = find_quote("the rivers are rising, but not for the farmers", PASSAGES)[0]
    assert best.passage_id == "a-p1"
    assert best.quote == "The rivers are rising. But they are not rising for the farmers"
    assert PASSAGES[0][1][best.start : best.end] == best.quote
    assert best.score >= CONFIDENT_SCORE


def test_accents_and_curly_quotes_do_not_shift_the_span() -> None:
    passages = [("c-p1", "Él dijo: “la política pública no cambió”, y el café se enfrió.")]
    best = find_quote("la politica publica no cambio", passages)[0]
    assert best.quote == "la política pública no cambió"


def test_paraphrase_picks_the_right_passage() -> None:
    best = find_quote("cooperation cant be the exclusive responsibility of a single state",
                      PASSAGES)[0]
    assert best.passage_id == "a-p2"
    assert best.quote.startswith("Cooperation between neighbours cannot be the exclusive duty")


def test_nothing_close_scores_below_the_threshold() -> None:
    matches = find_quote("quantum chromodynamics predicts asymptotic freedom", PASSAGES)
    assert matches and all(m.score < CONFIDENT_SCORE for m in matches)  # closest, but weak


@pytest.mark.parametrize("bad", ["", "   ", "?!…—", "x" * (MAX_QUOTE_CHARS + 1)])
def test_bad_quotes_raise_a_clear_error(bad: str) -> None:
    with pytest.raises(InvalidQuery):
        check_quote(bad)
    with pytest.raises(InvalidQuery):
        find_quote(bad, PASSAGES)


def test_every_word_misspelled_still_shortlists_the_passage() -> None:
    filler = [(f"z-p{i}", f"Unrelated paragraph number {i} about campus parking.") for i in range(60)]
    best = find_quote("the rivrs are risin but not for the farmrs", [*filler, *PASSAGES])[0]
    assert best.passage_id == "a-p1"
