"""Whatever the readings contain, what goes to Discord fits and renders nothing unintended."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import (
    Answer,
    BibEntry,
    CitedIn,
    CiteMatch,
    CiteResult,
    Hit,
    Passage,
    Reading,
)
from bot.core.presentation import answer_view, cite_view, passage_view, quote_view, readings_view
from bot.discord_app.formatting import (
    DESCRIPTION_MAX,
    EXCERPT_CHARS,
    card_embed,
    how_to_cite_text,
    nothing_embed,
    passage_embed,
    readings_embed,
)
from tests.discord_app.harness import Sent, assert_within_discord_limits
from tests.samples import QUOTED, READING, cite_result, quote_result

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=9_000)


def sent(embed: object) -> Sent:
    return Sent("POST", "/", {"embeds": [embed.to_dict()]})  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None)
@given(text=TEXT, title=st.text(max_size=600), section=st.text(max_size=2_000),
       query=st.text(min_size=1, max_size=3_000), cut=st.integers(0, 9_000),
       length=st.integers(0, 3_000))
def test_every_card_fits(text: str, title: str, section: str, query: str, cut: int, length: int) -> None:
    best = text[cut: cut + length]
    reading = Reading(id="r" * 150, title=title, authors=("A" * 300,), year="2020")
    passage = Passage(id="p" * 150, reading_id="r", kind="body", text=text or "x",
                      section=section or None, paragraph=3, page=7)
    answer = Answer(query, (Hit(1, 55.5, passage, reading, best),), False, (title,) * 30)
    entry = BibEntry(authors=("A" * 300,), year="2020", title=section or "x", raw=section or "x")
    cited = CiteResult(query, [CiteMatch(90.0, entry, reading,
                                         (CitedIn(passage, reading, best, title, "citation"),))])
    assert_within_discord_limits(sent(card_embed(answer_view(answer), 0)))
    assert_within_discord_limits(sent(card_embed(cite_view(cited), 0)))  # with its entry
    assert_within_discord_limits(sent(nothing_embed(answer_view(answer))))
    assert_within_discord_limits(sent(passage_embed(passage_view(passage, reading, [passage] * 40))))
    assert_within_discord_limits(sent(readings_embed(readings_view([reading] * 300))))


def test_the_excerpt_keeps_the_best_sentence_whole_and_bold() -> None:
    filler = "Some context that matters less. " * 200
    best = "The decisive sentence is here."
    text = filler + best + " " + filler
    description = card_embed(answer_view(
        Answer("q", (Hit(1, 90, Passage("p", "r", "body", text), Reading("r", "R"), best),), True)
    ), 0).description or ""
    assert f"**{best}**" in description
    assert description.startswith("…") and description.endswith("…")
    assert len(description) <= EXCERPT_CHARS + 10 <= DESCRIPTION_MAX


def test_markdown_and_mentions_in_a_passage_are_inert() -> None:
    text = "Use **bold** and <@&930000000000000001> and @everyone and `code` here."
    description = passage_embed(
        passage_view(Passage("p", "r", "body", text), Reading("r", "R"), ())
    ).description
    assert description is not None
    assert "\\*\\*bold\\*\\*" in description and "\\`code\\`" in description
    assert "@everyone" not in description and "<@&930000000000000001>" not in description




def test_a_citation_is_the_bold_part_of_its_card_and_the_entry_a_field() -> None:
    embed = card_embed(cite_view(cite_result()), 0)
    assert "**Keohane (1984, 51)**" in (embed.description or "")
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Reference entry"] == "Keohane (1984). After Hegemony."
    assert fields["Page"] == "12" and fields["Match"] == "92/100"
    assert embed.title == "Regimes — Ana Torres (2019)"


def test_a_quote_card_marks_the_printed_span() -> None:
    assert f"**{QUOTED}**" in (card_embed(quote_view(quote_result()), 0).description or "")


def test_nothing_found_is_the_core_wording_with_the_uncited_entries() -> None:
    entry = BibEntry(authors=("Krasner",), year="1999", title="Sovereignty", raw="Krasner 1999")
    embed = nothing_embed(cite_view(CiteResult("krasner", [CiteMatch(80.0, entry, READING)])))
    assert embed.title == "No passage cites this"
    [field] = embed.fields
    assert field.name == "In the reference lists, but not cited in a passage"
    assert field.value == "• Krasner (1999). Sovereignty. (references of Regimes)"


def test_how_to_cite_forms_are_labelled_and_escaped() -> None:
    text = how_to_cite_text({"apa_in_text": "(Torres, 2019)", "apa": "Torres, A. (2019). *Regimes*."})
    assert text.splitlines() == [
        "**APA**: Torres, A. (2019). \\*Regimes\\*.",
        "**APA, in the text**: (Torres, 2019)",
    ]
