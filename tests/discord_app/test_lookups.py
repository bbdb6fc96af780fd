"""Citation and quote results become the same cards as /ask answers."""

from __future__ import annotations

from bot.core.models import (
    Answer,
    BibEntry,
    CitedIn,
    CiteMatch,
    CiteResult,
    Passage,
    QuoteHit,
    QuoteMatch,
    QuoteResult,
    Reading,
)
from bot.discord_app.formatting import hit_embed
from bot.discord_app.lookups import as_answer, how_to_cite_text

READING = Reading(id="regimes", title="Regimes", authors=("Ana Torres",), year="2019")
CITING = Passage(
    id="regimes-p4", reading_id="regimes", kind="body", section="Debates", paragraph=4, page=12,
    text="As Keohane (1984, 51) argued, regimes reduce transaction costs. Others disagree.",
)


def test_a_citation_is_the_bold_part_of_its_card_and_the_entry_a_field() -> None:
    entry = BibEntry(authors=("Keohane",), year="1984", title="After Hegemony",
                     raw="Keohane, R. (1984). After Hegemony.")
    result = CiteResult("keohane 1984", [CiteMatch(92.0, entry, READING, (
        CitedIn(CITING, READING, "Keohane (1984, 51)", "51", "citation"),
    ))])
    answer, notes = as_answer(result)
    assert answer.confident and len(answer.hits) == 1
    embed = hit_embed(answer, 0, notes.get(0))
    assert "**Keohane (1984, 51)**" in (embed.description or "")
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Reference entry"] == "Keohane (1984). After Hegemony."
    assert fields["Page"] == "12"
    assert answer.suggestions == ()


def test_an_entry_cited_nowhere_is_offered_as_a_suggestion() -> None:
    entry = BibEntry(authors=("Krasner",), year="1999", title="Sovereignty", raw="Krasner 1999")
    answer, notes = as_answer(CiteResult("krasner", [CiteMatch(80.0, entry, READING)]))
    assert answer.hits == () and not answer.confident and notes == {}
    assert answer.suggestions == ("Krasner (1999). Sovereignty. (references of Regimes)",)


def test_a_reference_never_cited_is_not_a_confident_answer() -> None:
    result = CiteResult("nobody 1900")
    answer, notes = as_answer(result)
    assert not answer.confident and answer.hits == () and notes == {}


def test_a_quote_match_marks_the_printed_span() -> None:
    span = "regimes reduce transaction costs"
    start = CITING.text.index(span)
    match = QuoteMatch(CITING.id, 88.0, start, start + len(span), span)
    result = QuoteResult("regimes cut transaction costs", (QuoteHit(match, CITING, READING),), True)
    answer, _notes = as_answer(result)
    assert answer.hits[0].best_sentence == span and answer.hits[0].score == 88.0
    assert f"**{span}**" in (hit_embed(answer, 0).description or "")


def test_answers_pass_through() -> None:
    answer = Answer("q", (), False, ("Regimes",))
    assert as_answer(answer) == (answer, {})


def test_how_to_cite_forms_are_labelled_and_escaped() -> None:
    text = how_to_cite_text({"apa": "Torres, A. (2019). *Regimes*.", "apa_in_text": "(Torres, 2019)"})
    assert text.splitlines() == [
        "**APA**: Torres, A. (2019). \\*Regimes\\*.",
        "**APA, in the text**: (Torres, 2019)",
    ]
