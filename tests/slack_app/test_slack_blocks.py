from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.models import (
    Answer,
    BibEntry,
    CitedIn,
    CiteMatch,
    CiteResult,
    Hit,
    Passage,
    QuoteHit,
    QuoteMatch,
    QuoteResult,
    Reading,
)
from bot.core.presentation import Excerpt, answer_view, cite_view, quote_view, readings_view
from bot.slack_app import blocks
from tests.slack_app.slack_fakes import all_text


def _hit(rank: int, text: str, sentence: str, *, title: str = "A Reading") -> Hit:
    reading = Reading(id="a-reading", title=title, authors=("Ana Ortega",), year="2019")
    passage = Passage(id=f"a-reading-p{rank}", reading_id="a-reading", kind="body", text=text,
                      section="Intro", page=3, paragraph=rank)
    return Hit(rank=rank, score=87.4, passage=passage, reading=reading, best_sentence=sentence)


def _mrkdwn_objects(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            found.append(node)
        for value in node.values():
            found.extend(_mrkdwn_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_mrkdwn_objects(value))
    return found


def test_escape_neutralises_mentions_and_links() -> None:
    assert blocks.escape("<!channel> & <@U123> <https://x|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x|y&gt;"
    )


@given(st.text(alphabet="ab&<> ", max_size=400), st.integers(min_value=2, max_value=300))
def test_clip_never_splits_an_entity(raw: str, limit: int) -> None:
    clipped = blocks.clip(blocks.escape(raw), limit)
    assert len(clipped) <= limit
    body = clipped.removesuffix("…")
    # every & left in the text is the start of a whole entity
    for i, ch in enumerate(body):
        if ch == "&":
            assert body[i:].startswith(("&amp;", "&lt;", "&gt;"))


def test_best_sentence_is_bold_inside_its_passage() -> None:
    text = "First idea here. The key claim is bold. A closing remark."
    out = blocks.excerpt(Excerpt.of(text, "The key claim is bold."))
    assert out == "First idea here. *The key claim is bold.* A closing remark."


def test_long_passage_is_windowed_around_the_sentence() -> None:
    before = "word " * 2000
    text = before + "The needle sentence sits here. " + "tail " * 2000
    out = blocks.excerpt(Excerpt.of(text, "The needle sentence sits here."))
    assert "*The needle sentence sits here.*" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out) < blocks.SECTION_TEXT_LIMIT


def test_answer_respects_slack_limits_and_escapes_everything() -> None:
    evil = "<!channel> & <@U999> " + "x" * 5000 + "."
    hits = tuple(_hit(i, evil + " more text", evil, title="<!here> Title") for i in range(1, 6))
    answer = Answer(query="<!everyone> why?", hits=hits, confident=True)
    out = blocks.answer_blocks(answer_view(answer), query_id=42, has_more=True)
    assert len(out) <= blocks.MAX_BLOCKS
    for obj in _mrkdwn_objects(out):
        assert obj["verbatim"] is True
        assert len(str(obj["text"])) <= blocks.SECTION_TEXT_LIMIT
    text = all_text(out)
    assert "<!" not in text and "<@" not in text
    assert "&lt;!channel&gt;" in text and "&lt;!everyone&gt;" in text
    ids = [e["action_id"] for b in out if b["type"] == "actions" for e in b["elements"]]
    assert ids.count(blocks.ACTION_CITE) == 5
    assert ids[-3:] == [blocks.ACTION_MORE, blocks.ACTION_HELPFUL, blocks.ACTION_NOT_HELPFUL]


def test_answer_shows_reading_place_and_score() -> None:
    hit = _hit(1, "Rivers carry silt. Floods feed farms.", "Floods feed farms.")
    out = blocks.answer_blocks(answer_view(Answer("floods?", (hit,), True)), query_id=1)
    text = all_text(out)
    assert "*Floods feed farms.*" in text
    assert "*A Reading* — Ana Ortega (2019)" in text
    assert "§ Intro, p. 3, ¶ 1" in text
    assert "score 87/100" in text
    assert blocks.ACTION_MORE not in json.dumps(out)  # no more results, no button


def test_nothing_found_offers_suggestions_without_buttons() -> None:
    out = blocks.answer_blocks(
        answer_view(Answer("zzz", (), False, suggestions=("rivers", "<archives>"))), query_id=None
    )
    text = all_text(out)
    assert "*Nothing convincing in the readings.*" in text and "&lt;archives&gt;" in text
    assert not [b for b in out if b["type"] == "actions"]


def test_more_value_fits_a_button_and_round_trips() -> None:
    question = "é\"" * 1500
    value = blocks.more_value(question, 5)
    assert len(value) <= blocks.BUTTON_VALUE_LIMIT
    q, offset, _ = blocks.parse_more_value(value)
    assert question.startswith(q) and offset == 5


def test_readings_are_packed_into_limited_sections() -> None:
    many = [Reading(id=f"r{i}", title=f"Reading <{i}> " + "t" * 200, passages=i)
            for i in range(400)]
    out = blocks.readings_blocks(readings_view(many))
    assert len(out) <= blocks.MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= blocks.SECTION_TEXT_LIMIT for b in out
               if b["type"] == "section")
    assert "&lt;0&gt;" in all_text(out)


def test_button_value_over_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        blocks.button("x", "a", "v" * (blocks.BUTTON_VALUE_LIMIT + 1))


def test_bold_keeps_the_punctuation_that_follows_it() -> None:
    out = blocks.excerpt(Excerpt.of("They left, as farmers followed the water to new banks.",
                                    "followed the water to new banks"))
    assert out == "They left, as farmers *followed the water to new banks*."


def test_cite_and_quote_blocks_stay_within_limits_and_escape() -> None:
    hit = _hit(1, "<!channel> " + "long text " * 800, "<!channel>")
    entry = BibEntry(authors=("<@U1>",), year="2019", title="T" * 4000, raw="raw")
    cited = tuple(CitedIn(hit.passage, hit.reading, "<!here> 2019", "p. <3>", "citation")
                  for _ in range(30))
    result = CiteResult("<!everyone>", [CiteMatch(90.0, entry, hit.reading, cited)] * 20)
    out = blocks.cite_blocks(cite_view(result))
    assert len(out) <= blocks.MAX_BLOCKS
    text = all_text(out)
    assert "<!" not in text and "<@" not in text and "…and 20 more" in text
    assert all(len(o["text"]) <= blocks.SECTION_TEXT_LIMIT for o in _mrkdwn_objects(out))

    match = QuoteMatch(hit.passage.id, 88.0, 0, 10, "<!channel>")
    quoted = blocks.quote_blocks(quote_view(QuoteResult("<!channel>", (QuoteHit(match, hit.passage,
                                                                     hit.reading),) * 30, True)))
    assert len(quoted) <= blocks.MAX_BLOCKS
    assert "<!" not in all_text(quoted) and "*&lt;!channel&gt;*" in all_text(quoted)
