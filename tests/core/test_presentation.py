"""The view models every surface renders: built once from the core's results."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.models import (
    Answer,
    CitedIn,
    CiteMatch,
    CiteResult,
    Hit,
    Passage,
    QuoteResult,
    Reading,
)
from bot.core.presentation import (
    COMMANDS,
    MAX_CITED_IN,
    NOTHING_FOUND,
    Excerpt,
    answer_view,
    cite_view,
    description,
    help_entries,
    how_to_cite_view,
    passage_view,
    quote_view,
    reading_choices,
    reading_label,
    readings_view,
    reference_choices,
    result_view,
    surname,
)
from tests.samples import CITING, ENTRY, READING, TEXT, cite_result, quote_hit

# -- excerpts ------------------------------------------------------------------------------


def test_an_excerpt_marks_its_focus_where_it_stands() -> None:
    text = "regimes matter. They say regimes matter."
    assert Excerpt.of(text, "regimes matter", start=25) == Excerpt(
        "regimes matter. They say ", "regimes matter", "."
    )
    assert Excerpt.of(text, "regimes matter").before == ""  # no offset: the first occurrence
    missing = Excerpt.of(text, "not in it")
    assert missing.focus == "" and missing.text == text


def test_a_long_passage_is_cut_between_words_around_its_focus() -> None:
    before, focus, after = "word " * 300, "The decisive sentence.", " tail" * 300
    part = Excerpt.of(before + focus + after, focus).fit(200)
    assert part.focus == focus and part.cut_before and part.cut_after
    assert len(part.text) <= 200
    assert part.before.startswith("word") and part.after.endswith("tail")  # whole words
    assert abs(len(part.before) - len(part.after)) < 10  # centred


def test_room_one_side_does_not_need_goes_to_the_other() -> None:
    part = Excerpt.of("Start here. " + "more words " * 100, "Start here.").fit(300)
    assert part.before == "" and not part.cut_before and len(part.after) > 250


def test_a_focus_longer_than_the_room_is_cut_itself() -> None:
    part = Excerpt.of("x " + "y" * 500 + " z", "y" * 500).fit(100)
    assert len(part.focus) == 100 and part.focus.endswith("…") and part.after == ""


@given(st.text(max_size=600), st.integers(0, 600), st.integers(0, 200), st.integers(1, 400))
def test_fit_keeps_within_its_limit_and_inside_the_passage(
    text: str, at: int, length: int, limit: int
) -> None:
    part = Excerpt.of(text, text[at:at + length]).fit(limit)
    assert len(part.text) <= max(limit, 1)
    assert part.before in text and part.after in text
    assert part.focus in text or part.focus.endswith("…")


# -- answers, citations, quotes ------------------------------------------------------------


def test_a_confident_answer_is_cards_and_no_nothing_found() -> None:
    view = answer_view(Answer("q", (Hit(1, 80.0, CITING, READING, "regimes reduce transaction "
                                        "costs."),), True))
    [card] = view.cards
    assert view.nothing is None and view.passage_ids == ["regimes-p4"]
    assert card.excerpt.focus == "regimes reduce transaction costs."
    assert card.reading_label == "Regimes — Ana Torres (2019)"
    assert card.facts == (("Section", "Debates"), ("Page", "12"), ("Paragraph", "4"))
    assert card.cite_as["apa_in_text"] == "(Torres, 2019, p. 12)"


def test_a_weak_answer_says_so_with_the_one_wording() -> None:
    weak = answer_view(Answer("q", (Hit(1, 20.0, CITING, READING, "Others disagree."),), False,
                              ("regimes",)))
    nothing = weak.nothing
    assert nothing is not None
    assert (nothing.title, nothing.suggestions) == (NOTHING_FOUND["ask"].title, ("regimes",))
    assert nothing.weak == NOTHING_FOUND["ask"].weak and weak.cards
    empty = answer_view(Answer("q", (), False))
    assert empty.nothing is not None and empty.nothing.weak is None


def test_citing_passages_are_capped_per_reference() -> None:
    view = cite_view(cite_result("keohane", times=MAX_CITED_IN + 3))
    [group] = view.groups
    assert len(group.cards) == len(view.cards) == MAX_CITED_IN and group.left_out == 3
    assert group.cited == MAX_CITED_IN + 3
    assert group.as_printed == "Keohane, R. (1984). After Hegemony."
    card = view.cards[0]
    assert card.excerpt.focus == "Keohane (1984, 51)" and card.note == ENTRY.formatted
    assert card.citation is not None and card.citation.locator == "51"
    assert [c.rank for c in view.cards] == list(range(1, MAX_CITED_IN + 1))
    assert view.confident and view.score_label == "match"


def test_an_entry_cited_nowhere_is_a_suggestion_and_mentions_have_no_entry() -> None:
    mention = CitedIn(CITING, READING, "Keohane", None, "mention")
    view = cite_view(CiteResult("keohane", [CiteMatch(80.0, ENTRY, READING),
                                            CiteMatch(60.0, None, None, (mention,))]))
    assert view.suggestions == ("Keohane (1984). After Hegemony. (references of Regimes)",)
    listed, mentioned = view.groups
    assert listed.cards == () and listed.entry == ENTRY.formatted
    assert mentioned.entry is None and mentioned.cards[0].note is None
    assert view.confident  # a mention is a passage to show
    nothing = cite_view(CiteResult("keohane", [CiteMatch(80.0, ENTRY, READING)])).nothing
    assert nothing is not None and nothing.suggestions == view.suggestions


def test_a_quote_is_marked_at_its_printed_offsets() -> None:
    hit = quote_hit(88.0)
    view = quote_view(QuoteResult("regimes cut costs", (hit,), True))
    assert view.cards[0].excerpt.before == TEXT[:hit.match.start] and view.cards[0].score == 88.0
    weak = result_view(QuoteResult("x", (hit,), False)).nothing
    assert weak is not None and weak.weak == NOTHING_FOUND["quote"].weak


# -- passages, readings, how to cite, choices ----------------------------------------------


def test_the_passage_view_lists_its_neighbours_but_itself() -> None:
    other = Passage(id="regimes-p5", reading_id="regimes", kind="body", text="Next.")
    view = passage_view(CITING, READING, [CITING, other])
    assert view.around == ["regimes-p5"] and view.reading_label == "Regimes — Ana Torres (2019)"


def test_readings_are_named_alike_everywhere() -> None:
    anonymous = Reading(id="a", title="Anonymous", year="1999", passages=3, format="pdf")
    assert reading_label(anonymous) == "Anonymous — 1999"
    assert reading_label(Reading(id="b", title="Bare")) == "Bare"
    [line] = readings_view([anonymous])
    assert (line.id, line.credit, line.format, line.passages) == ("a", "1999", "pdf", 3)


def test_how_to_cite_is_labelled_in_one_order() -> None:
    forms = {"chicago": "C", "apa_in_text": "(A)", "apa": "A", "other": "O"}
    assert how_to_cite_view(forms) == (
        ("APA", "A"), ("APA, in the text", "(A)"), ("Chicago (author-date)", "C"), ("other", "O"),
    )


def test_choices_ignore_case_and_accents() -> None:
    mendez = Reading(id="drug-policy", title="Drug Policy", authors=("Lucía Méndez",), year="2021")
    assert reading_choices([READING, mendez], "MENDEZ", limit=25) == [mendez]
    assert reading_choices([READING, mendez], "", limit=1) == [READING]
    found = reference_choices(["Keohane 1984", "Krasner 1999"], [READING, mendez], "k", limit=25)
    assert found[:3] == ["k", "Keohane 1984", "Krasner 1999"]
    assert reference_choices([], [mendez], "mendez", limit=25) == ["mendez", "Méndez (2021)"]


def test_reference_labels_keep_surname_particles() -> None:
    assert surname("Manuel Castells") == surname("Castells, Manuel") == "Castells"
    assert surname("Samuel del Villar") == "del Villar"


def test_help_is_one_registry_that_keeps_instructor_commands_apart() -> None:
    student = dict(help_entries("discord", instructor=False))
    teacher = dict(help_entries("discord", instructor=True))
    assert "/ask question [reading] [private]" in student and "/reindex [rebuild]" not in student
    assert teacher["/reindex [rebuild]"].endswith("(instructors)")
    assert set(student) < set(teacher)
    assert all(len(c.described) <= 100 for c in COMMANDS)  # Discord's description limit
    assert description("cite", "console") == description("cite", "discord")
