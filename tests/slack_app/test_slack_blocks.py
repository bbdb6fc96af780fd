from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import SeminarError
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
    view = answer_view(Answer(query="<!everyone> why?", hits=hits, confident=True))
    for out in (blocks.answer_blocks(view, query_id=42, asker="U1"),
                blocks.more_blocks(view, query_id=42), blocks.result_blocks(view, 3)):
        assert len(out) <= blocks.MAX_BLOCKS
        for obj in _mrkdwn_objects(out):
            assert obj["verbatim"] is True
            assert len(str(obj["text"])) <= blocks.SECTION_TEXT_LIMIT
        text = all_text(out)
        assert "<!" not in text and "<@" not in text
        assert "&lt;!" in text
    out = blocks.answer_blocks(view, query_id=42, asker="U1")
    ids = [e["action_id"] for b in out if b["type"] == "actions" for e in b["elements"]]
    assert ids == [blocks.ACTION_CITE, blocks.ACTION_MORE, blocks.ACTION_HELPFUL,
                   blocks.ACTION_NOT_HELPFUL]


def test_answer_is_compact_the_best_in_full_the_others_behind_more_results() -> None:
    hits = tuple(_hit(i, f"Passage {i} says something. Its point {i} matters.",
                      f"Its point {i} matters.") for i in range(1, 6))
    view = answer_view(Answer("points?", hits, True))
    out = blocks.answer_blocks(view, query_id=7, asker="U1")
    text = all_text(out)
    assert "*Its point 1 matters.*" in text and "Passage 2" not in text
    assert len(out) == 4  # question, the passage, where it stands, the buttons
    more = blocks.more_blocks(view, query_id=7)
    lines = [line for line in all_text(more).splitlines() if " also in " in line]
    assert [line.split(".")[0] for line in lines] == ["2", "3", "4", "5"]
    assert all("*A Reading* — Ana Ortega (2019), § Intro, p. 3" in line for line in lines)
    shows = [e["value"] for b in more if b["type"] == "actions" for e in b["elements"]]
    assert shows == ["7:1", "7:2", "7:3", "7:4"]


def test_a_weak_answer_says_nothing_convincing_and_keeps_the_weak_ones_behind_a_button() -> None:
    weak = _hit(1, "A faint echo of the question.", "A faint echo of the question.")
    view = answer_view(Answer("zebra?", (weak,), False, suggestions=("rivers",)))
    out = blocks.answer_blocks(view, query_id=3, asker="U1")
    text = all_text(out)
    assert "*Nothing convincing in the readings.*" in text and "rivers" in text
    assert "*A faint echo of the question.*" not in text  # no weak passage in bold
    assert "weak matches" in text
    ids = [e["action_id"] for b in out if b["type"] == "actions" for e in b["elements"]]
    assert ids == [blocks.ACTION_MORE, blocks.ACTION_HELPFUL, blocks.ACTION_NOT_HELPFUL]
    assert "1. also in" in all_text(blocks.more_blocks(view, query_id=3))


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


@pytest.mark.parametrize(("parse", "value"), [
    (blocks.parse_query_value, '{"q": "old", "o": 5}'),
    (blocks.parse_show_value, "12"),
    (blocks.parse_feedback_value, "x:U1"),
])
def test_button_values_from_older_or_edited_buttons_are_explained(parse: object, value: str) -> None:
    with pytest.raises(SeminarError, match="out of date"):
        parse(value)  # type: ignore[operator]
    assert blocks.parse_feedback_value("12") == (12, None)  # an older Helpful: asker unknown
    assert blocks.parse_feedback_value("12:U1") == (12, "U1")


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
    quoted = blocks.answer_blocks(quote_view(QuoteResult("<!channel>", (QuoteHit(
        match, hit.passage, hit.reading),) * 30, True)), query_id=1, heading="Quote")
    assert len(quoted) <= blocks.MAX_BLOCKS
    assert "<!" not in all_text(quoted) and "*&lt;!channel&gt;*" in all_text(quoted)
