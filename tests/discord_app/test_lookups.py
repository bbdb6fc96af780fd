"""Citation and quote results become the same cards as /ask answers."""

from __future__ import annotations

from types import SimpleNamespace

from bot.core.models import Answer, Passage, Reading
from bot.discord_app.formatting import hit_embed
from bot.discord_app.lookups import as_answer, how_to_cite_text

READING = Reading(id="regimes", title="Regimes", authors=("Ana Torres",), year="2019")
CITING = Passage(
    id="regimes-p4", reading_id="regimes", kind="body", section="Debates", paragraph=4, page=12,
    text="As Keohane (1984, 51) argued, regimes reduce transaction costs. Others disagree.",
)


def test_a_citation_is_the_bold_part_of_its_card_and_the_entry_a_field() -> None:
    entry = SimpleNamespace(formatted="Keohane (1984). After Hegemony.")
    result = SimpleNamespace(
        query="keohane 1984",
        matches=[SimpleNamespace(score=92.0, entry=entry, cited_in=[
            SimpleNamespace(passage=CITING, reading=READING, citation="Keohane (1984, 51)",
                            locator="51", kind="citation"),
        ])],
    )
    answer, notes = as_answer(result)
    assert answer.confident and len(answer.hits) == 1
    embed = hit_embed(answer, 0, notes.get(0))
    assert "**Keohane (1984, 51)**" in (embed.description or "")
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Reference entry"] == "Keohane (1984). After Hegemony."
    assert fields["Page"] == "12"


def test_a_reference_never_cited_is_not_a_confident_answer() -> None:
    result = SimpleNamespace(query="nobody 1900", matches=[])
    answer, notes = as_answer(result)
    assert not answer.confident and answer.hits == () and notes == {}


def test_a_quote_match_marks_the_printed_span() -> None:
    span = "regimes reduce transaction costs"
    result = SimpleNamespace(
        query="regimes cut transaction costs",
        confident=True,
        hits=[SimpleNamespace(passage=CITING, reading=READING,
                              match=SimpleNamespace(score=88.0, quote=span))],
    )
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
