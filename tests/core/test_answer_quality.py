"""What makes an answer right and honest: definitions, context, paraphrase, confidence and the
suggestions after a weak answer. Each course is a few paragraphs written for the test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.models import Answer
from bot.core.search import ask as ask_module
from bot.core.search.ask import Searcher
from bot.core.search.ranking import Query, RankingConfig, answer_bonus, build_query, coverage
from bot.core.search.retrieval import term_key
from bot.core.service import SeminarService
from bot.core.textnorm import STOPWORDS, fold

CourseOf = Callable[[dict[str, str]], SeminarService]

REGIMES = (
    "# Regimes\n\n"
    "States joined the new regime in 1931 and the regime grew over the decades that "
    "followed, although the regime never had a budget of its own.\n\n"
    "Critics said the regime was weak, and that every regime of this era lacked the means "
    "to enforce its rules on the states that joined the regime.\n\n"
    "A regime is a set of shared principles, norms and decision-making procedures around "
    "which the expectations of states converge.\n\n"
    "Drug regimes, representing attempts by participating countries to work together on "
    "shared principles, often expressed mutual interest.\n\n"
    "The pastures of the valley were grazed in common for five centuries, and the "
    "villagers met every spring to decide how many cows each family could send up.\n\n"
    "Trade in the valley grew when the new road opened, and the market town doubled in "
    "size within a generation.\n"
)


def ask(service: SeminarService, question: str) -> Answer:
    return service.scope("cli", None).ask(question)


def test_what_is_x_finds_the_sentence_that_defines_it(course_of: CourseOf) -> None:
    answer = ask(course_of({"regimes.md": REGIMES}), "What is a regime?")
    assert answer.hits[0].passage.text.startswith("A regime is a set of shared principles")
    assert answer.hits[0].best_sentence.startswith("A regime is")
    assert answer.confident


def test_a_hyphenated_subject_is_asked_for_as_one_word(course_of: CourseOf) -> None:
    service = course_of({"governing.md": (
        "# Governing\n\n"
        "Meta data about governance was collected in every ministry, and the governance "
        "reports were published each year.\n\n"
        "As an instrument for meta-governance, the actual mixture of autonomy and control is "
        "likely to be contingent.\n\n"
        "The theory has now extended to the idea of meta-governance, meaning in essence the "
        "governance of governance.\n"
    )})
    answer = ask(service, "what is meta-governance")
    assert "meaning in essence the governance of governance" in answer.hits[0].best_sentence
    query = build_query("what is meta-governance", service._searcher("default").vocabulary())
    assert query.terms[0] == "metagovernance" and query.definition is not None
    assert query.definition.search(fold("the idea of meta-governance, meaning in essence"))
    # an appositive that defines is "X, a ..."; "X, the actual mixture" goes on to another thing
    assert not query.definition.search(fold("for meta-governance, the actual mixture is"))


def test_a_plural_is_the_word_asked_for(course_of: CourseOf) -> None:
    """"regimes" counts fully for "regime"; another word of the stem only in part."""
    service = course_of({"regimes.md": REGIMES + "\nThe regimented villages kept order.\n"})
    query = build_query("what is a drug regime", service._searcher("default").vocabulary())
    assert coverage("Drug regimes were common.", query) == coverage("The drug regime was common.", query)
    assert coverage("Drug regimented life.", query) < coverage("Drug regimes were common.", query)
    answer = ask(service, "what is a drug regime")
    assert answer.hits[0].passage.text.startswith("Drug regimes, representing attempts")


def test_one_shared_word_is_not_an_answer(course_of: CourseOf) -> None:
    """Whatever single word an off-topic question shares with the readings, the bot says it
    found nothing convincing; a question the readings answer stays confident."""
    service = course_of({"regimes.md": REGIMES})
    for question in ("What does the regime of a river look like?", "What is the capital of France?",
                     "How much does a road trip cost?", "What is a black hole?"):
        assert not ask(service, question).confident, question
    # one subject word, held by a passage that does not define it
    assert not ask(service, "Why does the valley matter?").confident
    # two subject words of equal weight, never in one passage: half the question is covered
    assert not ask(service, "Did the cows trade?").confident
    assert ask(service, "How long were the pastures grazed in common?").confident


def test_a_search_is_answered_when_the_passages_shown_hold_its_words(
    sample_service: SeminarService,
) -> None:
    """"graduated sanctions" is a search, not a question: no passage of the sample course
    holds both words, the passages shown do. Asked as a question, the same words are not."""
    scope = sample_service.scope("cli", None)
    assert scope.ask("graduated sanctions").confident
    assert not scope.ask("Are sanctions graduated?").confident


def test_a_subject_named_only_in_the_passage_before_counts(course_of: CourseOf) -> None:
    service = course_of({"sovereignty.md": (
        "# Sovereignty\n\n"
        "Stephen Krasner discusses alternative uses of the term in his book on the subject:\n\n"
        "The term sovereignty has been used in four different ways: legal sovereignty, "
        "Westphalian sovereignty, domestic sovereignty, and interdependence sovereignty.\n\n"
        "Krasner's book was widely reviewed, and Krasner's kinds of sovereignty became a "
        "standard reference in the field.\n\n"
        "Other authors count kinds of sovereignty differently, and some count none at all.\n"
    )})
    question = "What are Krasner's four kinds of sovereignty?"
    answer = ask(service, question)
    assert answer.hits[0].passage.text.startswith("The term sovereignty has been used")
    assert answer.confident
    blind = Searcher(service.db, "default", config=RankingConfig(context_weight=0.0)).ask(question)
    assert blind.hits[0].passage.id == answer.hits[0].passage.id
    assert blind.hits[0].score < answer.hits[0].score  # "Krasner" counted from the passage before


@pytest.mark.parametrize(("asked", "printed"), [
    ("prefer", "preferred"), ("regime", "regimes"), ("unilaterally", "unilateral"),
    ("criminalize", "criminalized"), ("decide", "decided"),
])
def test_words_meet_their_other_forms(asked: str, printed: str) -> None:
    """Porter2 keys: the light stemmer cut these pairs differently ("pref", "preferr"), and a
    paraphrase lost the words it shared with its answer (or had them "typo-corrected")."""
    assert term_key(asked) == term_key(printed)


def test_a_people_meets_its_place_and_a_decade_its_short_form(course_of: CourseOf) -> None:
    service = course_of({"brazil.md": (
        "# Brazil\n\n"
        "In Brazil paradiplomacy started to move forward in the 1980s, with the "
        "redemocratization of the country.\n\n"
        "Member states gained autonomy over their budgets, and states built offices abroad.\n"
    )})
    query = build_query("Why did Brazilian states start in the 80s?",
                        service._searcher("default").vocabulary())
    assert coverage("In Brazil it started in the 1980s.", query) > coverage(
        "It started in those years.", query)
    answer = ask(service, "Why did Brazilian states start in the 80s?")
    assert answer.hits[0].passage.text.startswith("In Brazil paradiplomacy started")


def test_why_does_x_matter_is_answered_by_its_importance(course_of: CourseOf) -> None:
    service = course_of({"institutions.md": (
        "# Institutions\n\n"
        "Unilateral action generates increased institutionalization, and bilateral relations "
        "are strained once again, because the partner resents it.\n\n"
        "Institutionalization is important because it commits personnel to regular "
        "interaction with their counterparts across the border.\n\n"
        "The border was long and hard to patrol in the years before the agreement.\n"
    )})
    answer = ask(service, "why does institutionalization matter for cooperation")
    assert answer.hits[0].passage.text.startswith("Institutionalization is important because")
    query = build_query("why does institutionalization matter", service._searcher("default").vocabulary())
    # "matter" is met by "important", as a word of the same stem would meet it
    assert coverage("Institutionalization is important.", query) > coverage(
        "Institutionalization is here.", query)


def test_importance_cue() -> None:
    query = Query(["matter"], {"matter": 1.0}, {"matter": {"matter"}}, {"matter": frozenset()},
                  wants_quantity=False, wants_cause=False, wants_speech=False,
                  wants_importance=True)
    assert answer_bonus("It is important.", query) > answer_bonus("It is here.", query)


def test_how_much_money_is_answered_by_an_amount_not_a_year(course_of: CourseOf) -> None:
    service = course_of({"aid.md": (
        "# Aid\n\n"
        "The initiative began in 2008 with 12 programmes in 3 states, and the initiative was "
        "reviewed by the ministry in 2011.\n\n"
        "Under the initiative about US$1.5 billion was provided for the police and courts.\n\n"
        "The ministry published its own account of the programmes later.\n"
    )})
    answer = ask(service, "How much money did the initiative give?")
    assert "US$1.5 billion" in answer.hits[0].best_sentence


def test_a_typo_correction_stands_in_for_the_word_at_reduced_weight(course_of: CourseOf) -> None:
    service = course_of({"regimes.md": REGIMES})
    vocab = service._searcher("default").vocabulary()
    query = build_query("villagres pastures", vocab)
    assert "villagers" in query.terms and "villagers" in query.corrections
    assert "villagres" not in {w for forms in query.exact.values() for w in forms}
    # the word typed has no weight of its own: the correction holds its place
    assert len(query.weights) == 2


def test_suggestions_are_content_terms_of_nearby_passages(course_of: CourseOf) -> None:
    service = course_of({"regimes.md": REGIMES, "valley.md": (
        "# Valley\n\n"
        "The market town grew with the road, and the cattle fair of the market town drew "
        "farmers from the whole valley.\n\n"
        "The market town kept its charter; the cattle fair paid for the bridge of the town.\n\n"
        "Every autumn the cattle fair filled the market town, and the town hired extra hands.\n"
    )})
    strict = Searcher(service.db, "default", config=RankingConfig(confident_score=101.0))
    answer = strict.ask("Why did the town close the fair?")  # weak: what to try instead?
    assert not answer.confident
    assert {"market town", "cattle fair"} <= set(answer.suggestions)
    answer = strict.ask("Why did the market town close the fair?")
    assert "market town" not in answer.suggestions  # every word of it was asked
    assert "cattle fair" in answer.suggestions
    words = [w for s in answer.suggestions for w in s.lower().split()]
    assert not set(words) & STOPWORDS
    titles = {"Regimes", "Valley"}
    assert all(len(w) >= 4 for s in answer.suggestions if s not in titles for w in s.split())
    assert "town" not in answer.suggestions  # asked already: says nothing new


def test_suggestions_for_an_unrelated_question_are_only_the_readings(course_of: CourseOf) -> None:
    service = course_of({"regimes.md": REGIMES})
    answer = ask(service, "Can you recommend a good regime for my dog's diet?")
    assert answer.hits  # the regime passages share a word with it, and nothing more
    assert not answer.confident
    titles = {r.title for r in service.scope("cli", None).readings()}
    assert set(answer.suggestions) <= titles


def test_an_unknown_word_is_not_searched_as_letter_prefixes(
    course_of: CourseOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word the readings never use could be an abbreviation, but searching it as one-letter
    prefixes matched most of a large index: only when the words find nothing."""
    service = course_of({"regimes.md": REGIMES})
    calls: list[frozenset[str]] = []
    real = ask_module.fetch_candidates

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(frozenset(args[5]) if len(args) > 5 else frozenset())  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ask_module, "fetch_candidates", spy)
    ask(service, "did the regime have qualms")  # "qualms" is not in the readings
    assert calls and not any(calls)
    calls.clear()
    ask(service, "qxz")  # nothing else to find it by
    assert any(calls)
