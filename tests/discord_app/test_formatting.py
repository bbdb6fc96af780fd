"""Whatever the readings contain, what goes to Discord fits and renders nothing unintended."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import Answer, Hit, Passage, Reading
from bot.discord_app.formatting import (
    DESCRIPTION_MAX,
    EXCERPT_CHARS,
    hit_embed,
    nothing_convincing_embed,
    passage_embed,
    readings_embed,
)
from tests.discord_app.harness import Sent, assert_within_discord_limits

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
    answer = Answer(query, (Hit(1, 55.5, passage, reading, best),), True, (title,) * 30)
    assert_within_discord_limits(sent(hit_embed(answer, 0, note=section)))
    assert_within_discord_limits(sent(nothing_convincing_embed(answer)))
    assert_within_discord_limits(sent(passage_embed(passage, reading, [passage] * 40)))
    assert_within_discord_limits(sent(readings_embed([reading] * 300)))


def test_the_excerpt_keeps_the_best_sentence_whole_and_bold() -> None:
    filler = "Some context that matters less. " * 200
    best = "The decisive sentence is here."
    text = filler + best + " " + filler
    description = hit_embed(
        Answer("q", (Hit(1, 90, Passage("p", "r", "body", text), Reading("r", "R"), best),), True),
        0,
    ).description or ""
    assert f"**{best}**" in description
    assert description.startswith("…") and description.endswith("…")
    assert len(description) <= EXCERPT_CHARS + 10 <= DESCRIPTION_MAX


def test_markdown_and_mentions_in_a_passage_are_inert() -> None:
    text = "Use **bold** and <@&930000000000000001> and @everyone and `code` here."
    description = passage_embed(Passage("p", "r", "body", text), Reading("r", "R")).description
    assert description is not None
    assert "\\*\\*bold\\*\\*" in description and "\\`code\\`" in description
    assert "@everyone" not in description and "<@&930000000000000001>" not in description
