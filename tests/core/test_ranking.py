"""Asking questions: right passages, honest refusals, and no input that breaks the search."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.errors import InvalidQuery
from bot.core.readings.store import readings_by_id
from bot.core.search import cite, retrieval
from bot.core.search.ask import Searcher
from bot.core.search.ranking import RankingConfig, build_query, rerank
from bot.core.search.retrieval import fetch_candidates, fts_query, passages_with_all
from bot.core.service import SeminarService
from bot.core.textnorm import initialisms, words


def top_text(service: SeminarService, question: str) -> str:
    return service.scope("cli", None).ask(question).hits[0].passage.text


def test_answers_come_from_the_right_passage(sample_service: SeminarService) -> None:
    answer = sample_service.scope("cli", None).ask("How long have Swiss villages managed their pastures?")
    assert answer.confident
    assert "five centuries" in answer.hits[0].passage.text
    assert "five centuries" in answer.hits[0].best_sentence
    assert 0 <= answer.hits[0].score <= 100


def test_bibliography_never_answers(sample_service: SeminarService) -> None:
    answer = sample_service.scope("cli", None).ask("tragedy of the commons Science 1968 Hardin", top=25)
    assert answer.hits
    assert all(h.passage.kind != "bibliography" for h in answer.hits)


def test_typos_and_accents(sample_service: SeminarService) -> None:
    typos = "graduatd sanctons for rule brakers"
    query = build_query(typos, sample_service._searcher("default").vocabulary())
    assert {"graduated", "sanctions", "breakers"} <= set(query.terms)  # each typo corrected
    # the one passage with the corrected "graduated" and "rule breakers" together wins
    assert "rule breakers in small, graduated steps" in top_text(sample_service, typos)
    assert "Villamayor" not in top_text(sample_service, "monitoring by users")


def test_unanswerable_question_is_not_confident(sample_service: SeminarService) -> None:
    answer = sample_service.scope("cli", None).ask("Who won the football world cup in 2018?")
    assert not answer.confident
    assert answer.suggestions


# (question, whether the readings use its words)
SEARCH_SYNTAX = [
    ('"unbalanced quote', False), ("pasture*", True), ("NEAR(commons pasture)", True),
    ("-x", False), ("col:value", False), ("AND OR NOT", True),
    ("what? it's -- a (test): 'quoted' ^ {braces}", True), ("commons" * 4000, False),
    ("'; DROP TABLE passages; --", True), ("commons OR pasture", True),
    ("(commons) AND -pasture NOT trust", True), ('NEAR("rule" "breakers", 2)', True),
    ("text:commons", True), ("^pasture + graz*", True), ('sanctions"\x00', True),
]


@pytest.mark.parametrize(("question", "searchable"), SEARCH_SYNTAX)
def test_search_syntax_is_plain_text(
    sample_service: SeminarService, question: str, searchable: bool
) -> None:
    """A question with FTS5 syntax in it gets the answer to its words, as if typed without it."""
    answer = sample_service.scope("cli", None).ask(question)
    plain = sample_service.scope("cli", None).ask(" ".join(words(question)))
    assert [(h.passage.id, h.score) for h in answer.hits] == [
        (h.passage.id, h.score) for h in plain.hits]
    assert bool(answer.hits) == searchable  # the words were searched, not lost with the syntax


SYNTAX_TERMS = ["NEAR(commons", "pasture)", '"', '""', "-x", "col:value", "AND", "OR", "NOT",
                "*", "^commons", "{braces}", 'commons"pasture', "graz*", "(", ")", "+", ":",
                "rule\x00breakers"]


@pytest.mark.parametrize("term", SYNTAX_TERMS)
def test_fts_query_matches_any_term_as_its_words(sample_service: SeminarService, term: str) -> None:
    """What reaches FTS5 is quoted, whoever built the terms: a term finds what its words find."""
    with sample_service.db.read() as conn:
        got = fetch_candidates(conn, "default", [term, "sanctions"], None)
        as_words = [" ".join(words(term))] if words(term) else []
        expected = fetch_candidates(conn, "default", [*as_words, "sanctions"], None)
        rows = passages_with_all(conn, "default", [term, "sanctions"], ("body",))
    assert [r["id"] for r in got] == [r["id"] for r in expected] and got
    assert all("sanction" in r["text"].lower() for r in rows)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=20), min_size=1, max_size=3))
def test_any_terms_make_a_valid_fts_query(sample_service: SeminarService, terms: list[str]) -> None:
    with sample_service.db.read() as conn:
        fetch_candidates(conn, "default", terms, None)  # sqlite3 raises on a query it rejects
        fetch_candidates(conn, "default", terms, "commons-and-collective-action")
        passages_with_all(conn, "default", terms, ("body",))


def test_a_failing_search_is_a_bug_not_an_empty_answer(
    sample_service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sqlite3 errors propagate (the surfaces log them as bugs with a reference) instead of
    reading as "nothing found"."""
    monkeypatch.setattr(retrieval, "fts_query", lambda *args, **kwargs: "NEAR(")
    monkeypatch.setattr(retrieval, "fts_all_of", lambda words: "NEAR(")
    with sample_service.db.read() as conn:
        readings = readings_by_id(conn, "default")
        with pytest.raises(sqlite3.OperationalError):
            fetch_candidates(conn, "default", ["sanctions"], None)
        with pytest.raises(sqlite3.OperationalError):
            cite.lookup(conn, "Zyzzyva", "default", readings)  # no entry: the mentions search


def test_ranking_uses_its_config(sample_service: SeminarService) -> None:
    question = "How long have Swiss villages managed their pastures?"
    default = sample_service.scope("cli", None).ask(question)
    assert default.confident
    strict = Searcher(sample_service.db, "default", config=RankingConfig(confident_score=101.0))
    assert not strict.ask(question).confident
    flat = Searcher(sample_service.db, "default",
                    config=RankingConfig(coverage_weight=0.0, bm25_weight=0.0, sentence_weight=0.0))
    assert {h.score for h in flat.ask(question).hits} == {0.0}
    with pytest.raises(TypeError):
        RankingConfig(45.0)  # type: ignore[misc]  # keyword-only: a tuning is always named


@pytest.mark.parametrize("question", ["", "   ", "?!?", "...", "\u200b"])
def test_empty_questions_are_refused_clearly(sample_service: SeminarService, question: str) -> None:
    with pytest.raises(InvalidQuery):
        sample_service.scope("cli", None).ask(question)


def test_fts_query_quotes_everything() -> None:
    assert fts_query(['say "hi"', "near"]) == '"say ""hi""" OR "near"'


def test_initialisms_are_first_letters_of_consecutive_content_words() -> None:
    found = initialisms(words("The gross domestic product of the Banco de México grew."), {3, 4})
    assert {"gdp", "gdpb", "bm"} & found == {"gdp", "gdpb"}  # "de" is a stop word, "bm" too short


def test_an_abbreviation_finds_the_name_spelled_out(course_of) -> None:
    service = course_of({"economy.md": (
        "# Economy\n\nThe illicit trade was worth about five percent of the gross domestic "
        "product of the country in those years.\n\nLarge sums of money moved through the banks "
        "every year, and the trade grew large again and again in every decade.\n"
    )})
    answer = service.scope("cli", None).ask("How large was the trade compared to GDP?")
    assert "gross domestic product" in answer.hits[0].passage.text
    assert fts_query(["gdp"], acronyms=frozenset({"gdp"})) == '"gdp" OR "g"* + "d"* + "p"*'


def test_a_list_question_prefers_the_passage_that_enumerates(course_of) -> None:
    service = course_of({"trust.md": (
        "# Trust\n\nOstrom spent three summers on trust in Swiss villages.\n\n"
        "Ostrom described trust in three ways over the years: calculated trust between "
        "strangers, relational trust between neighbours, and institutional trust in rules.\n"
    )})
    answer = service.scope("cli", None).ask("What are Ostrom's three kinds of trust?")
    assert "calculated trust between strangers" in answer.hits[0].passage.text


@pytest.mark.parametrize(
    "question",
    ["How long have Swiss villages managed their pastures?", "why do treaties about water last",
     "monitoring sanctions trust", "graduatd sanctons for rule brakers", "dams rivers"],
)
def test_pruned_rerank_equals_scoring_every_candidate(
    sample_service: SeminarService, question: str
) -> None:
    searcher = sample_service._searcher("default")
    query = build_query(question, searcher.vocabulary())
    with sample_service.db.read() as conn:
        rows = fetch_candidates(conn, "default", query.terms, None)
    everything = rerank(query, rows, len(rows))
    for top in (1, 3, 5):
        pruned = rerank(query, rows, top)
        assert [(s, p.id, b) for s, p, b in pruned] == [(s, p.id, b) for s, p, b in everything[:top]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_unicode_question_returns_normally(sample_service: SeminarService, question: str) -> None:
    try:
        answer = sample_service.scope("cli", None).ask(question)
    except InvalidQuery:
        return
    assert all(0 <= h.score <= 100 for h in answer.hits)


# -- the real readings ---------------------------------------------------------------------


def test_accent_insensitive_both_ways(shared_service: SeminarService) -> None:
    assert "Mérida" in top_text(shared_service, "Merida Initiative three-year plan")
    spanish = shared_service.scope("cli", None).ask("¿Qué sostiene el realismo sobre los Estados fuertes y débiles?")
    assert spanish.hits[0].passage.text.startswith("El realismo sostiene")


def test_typo_tolerance_on_real_reading(shared_service: SeminarService) -> None:
    assert "Westphalian sovereignty" in top_text(shared_service, "westfalian soverignty definition")


def test_footnote_and_page_break_answers(shared_service: SeminarService) -> None:
    answer = shared_service.scope("cli", None).ask("Who was Eduardo Valle?")
    assert answer.hits[0].passage.kind == "footnote"
    assert answer.hits[0].passage.parent_id is not None
    assert "better treatment programs" in top_text(
        shared_service, "Could better treatment programs reduce US drug problems?"
    )
