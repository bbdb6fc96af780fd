"""Block Kit messages for Slack, always within Slack's limits and never able to ping anyone.

Every piece of text that comes from a user or a reading is escaped (`&`, `<`, `>`) so it cannot
form a `<!channel>`/`<@U…>` mention or a link, and every mrkdwn object is `verbatim`, which stops
Slack from turning bare `@here` or `#channel` into mentions on its own. Limits are enforced here,
once, so callers can hand over text of any length: a section's text is cut at 3,000 characters
(never in the middle of an `&amp;`), a message stops at 50 blocks, a button's value at 2,000.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.errors import SeminarError
from bot.core.models import Reading
from bot.core.presentation import (
    LEFT_OUT,
    MENTIONS_ONLY,
    NO_READINGS,
    UNCITED,
    Card,
    Excerpt,
    ReadingLine,
    ResultView,
    how_to_cite_view,
    reading_credit,
)

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3_000
MAX_BLOCKS = 50
BUTTON_VALUE_LIMIT = 2_000
BUTTON_TEXT_LIMIT = 75
CONTEXT_ELEMENTS_LIMIT = 10
FALLBACK_TEXT_LIMIT = 3_000
# How much of a passage a card shows around its focus: enough to read it in context, short
# enough for a phone screen.
EXCERPT_CHARS = 1_200
# What /ask and /quote keep: the best in full, the others one line each behind "More results".
TOP_RESULTS = 5
ALSO_CHARS = 160  # the words of another result shown on its "also in" line
ACTIONS_LIMIT = 25  # elements of one actions block

ACTION_MORE = "ask_more"
ACTION_SHOW = "show_result"
ACTION_CITE = "how_to_cite"
ACTION_HELPFUL = "feedback_helpful"
ACTION_NOT_HELPFUL = "feedback_not_helpful"


def escape(text: str) -> str:
    """Make user or reading text inert in mrkdwn: no mentions, no links, no broken markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(escaped: str, limit: int) -> str:
    """Cut already-escaped text to `limit` characters without splitting an entity."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


def mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit), "verbatim": True}


def plain(text: str, limit: int = BUTTON_TEXT_LIMIT) -> dict[str, Any]:
    # plain_text is never parsed for mentions, so only the length needs care here.
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": short, "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(*parts: str) -> Block:
    return {
        "type": "context",
        "elements": [mrkdwn(p) for p in parts[:CONTEXT_ELEMENTS_LIMIT] if p],
    }


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    if len(value) > BUTTON_VALUE_LIMIT:
        raise ValueError("button value over Slack's limit")  # callers size values first
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def fallback(text: str) -> str:
    """The notification/fallback text that goes with blocks: escaped and short."""
    return clip(escape(" ".join(text.split())), FALLBACK_TEXT_LIMIT)


def fit(blocks: Sequence[Block], tail: Sequence[Block] = ()) -> list[Block]:
    """Keep a message within 50 blocks, always keeping `tail` (its buttons) at the end."""
    room = MAX_BLOCKS - len(tail)
    body = list(blocks)
    if len(body) > room:
        body = body[: room - 1]
        body.append(context("_Some results were left out to fit in one Slack message._"))
    return body + list(tail)


# -- answers -------------------------------------------------------------------------------


def _squash(text: str) -> str:
    """Runs of whitespace (line breaks included) as one space: mrkdwn keeps line breaks."""
    return re.sub(r"\s+", " ", text)


def excerpt(source: Excerpt, limit: int = EXCERPT_CHARS) -> str:
    """The passage around its focus, escaped, with the focus in bold."""
    part = source.fit(limit)
    before, focus, after = (_squash(t) for t in (part.before, part.focus, part.after))
    # Bold needs its asterisks against the focus's own characters; the spacing around it is
    # the passage's own, so "*…banks*." keeps its full stop where it was.
    bold = f"*{escape(focus.strip())}*" if focus.strip() else ""
    lead = (("…" if part.cut_before else "") + escape(before.rstrip())
            + (" " if before[-1:].isspace() else ""))
    trail = ((" " if after[:1].isspace() else "") + escape(after.lstrip())
             + ("…" if part.cut_after else ""))
    return (lead + bold + trail).strip()


def _label(title: str, credit: str) -> str:
    return f"*{escape(title)}*" + (f" — {escape(credit)}" if credit else "")


def reading_label(reading: Reading) -> str:
    """Title, byline and year, escaped: how a reading is named in every Slack message."""
    return _label(reading.title, reading_credit(reading))


def card_blocks(card: Card, score_label: str) -> list[Block]:
    meta = [
        f"{card.rank}. {reading_label(card.reading)}",
        escape(card.location) if card.location else "",
        f"{score_label} {round(card.score)}/100",
        f"`{escape(card.passage_id)}`",
    ]
    return [
        section(excerpt(card.excerpt)),
        context(" · ".join(m for m in meta if m)),
    ]


def _nothing_found(view: ResultView) -> Block:
    nothing = view.nothing
    assert nothing is not None, "a confident answer has cards"
    text = f"*{escape(nothing.title)}.* {escape(nothing.advice)}"
    if nothing.suggestions:
        text += f"\n*{escape(nothing.suggestions_label)}:* " + ", ".join(
            escape(s) for s in nothing.suggestions[:10])
    return section(text)


def _query_id(text: str) -> int:
    if not text.isdigit():
        raise SeminarError("That button is out of date; ask the question again.")
    return int(text)


def parse_query_value(value: str) -> int:
    """"More results": the stored question's id."""
    return _query_id(value.strip())


def parse_show_value(value: str) -> tuple[int, int]:
    """"Show N": (the stored question's id, the card's index)."""
    query, _, index = value.partition(":")
    if not index.isdigit():
        raise SeminarError("That button is out of date; ask the question again.")
    return _query_id(query), int(index)


def parse_feedback_value(value: str) -> tuple[int, str | None]:
    """Helpful / Not helpful: (the stored question's id, who asked; None on older buttons)."""
    query, _, asker = value.partition(":")
    return _query_id(query), asker or None


def _others(view: ResultView) -> tuple[Card, ...]:
    """The results behind "More results": all but the best one, or every weak match."""
    return view.cards[1:] if view.confident else view.cards


def answer_blocks(
    view: ResultView,
    *,
    query_id: int | None,
    asker: str | None = None,
    reading: Reading | None = None,
    heading: str = "Question",
) -> list[Block]:
    """The answer everyone sees, as compact as Discord's: the best passage in full with its
    reading, place and score, or, when no passage clearly answers, the honest "nothing
    convincing" with suggestions; the other results wait behind "More results" (shown only to
    whoever presses it). `reading` is the one reading the question was limited to, if any."""
    only = f"\n*Only in:* {reading_label(reading)}" if reading else ""
    body = [section(f"*{escape(heading)}:* {escape(view.query)}{only}")]
    buttons: list[Block] = []
    if view.confident:
        best = view.cards[0]
        body.extend(card_blocks(best, view.score_label))
        buttons.append(button("How to cite", ACTION_CITE, best.passage_id))
    else:
        body.append(_nothing_found(view))
        weak = view.nothing.weak if view.nothing else None
        if view.cards and weak:
            body.append(context(f"_{escape(weak)} “More results” lists them._"))
    others = len(_others(view))
    if query_id is not None:
        if others:
            buttons.append(button(f"More results ({others})", ACTION_MORE, str(query_id)))
        feedback = f"{query_id}:{asker}" if asker else str(query_id)
        buttons.append(button("Helpful", ACTION_HELPFUL, feedback, style="primary"))
        buttons.append(button("Not helpful", ACTION_NOT_HELPFUL, feedback))
    return fit(body, [actions(*buttons)] if buttons else [])


def also_line(card: Card, score_label: str) -> str:
    """One other result on one line: where it is, how well it matches, its words in bold."""
    where = f", {escape(card.location)}" if card.location else ""
    focus = clip(escape(_squash(card.excerpt.focus or card.excerpt.text).strip()), ALSO_CHARS)
    return (f"{card.rank}. also in {reading_label(card.reading)}{where} · {score_label} "
            f"{round(card.score)}/100: “{focus}”")


def more_blocks(view: ResultView, *, query_id: int) -> list[Block]:
    """"More results": the other results as one-line "also in …" entries, each with a button
    that shows it in full."""
    others = _others(view)
    if not others:
        return [section("No other passage matches this question.")]
    weak = f"\n_{escape(view.nothing.weak)}_" if view.nothing and view.nothing.weak else ""
    body = [section(f"*More on:* {escape(view.query)}{weak}"),
            section("\n".join(also_line(c, view.score_label) for c in others))]
    first = view.cards.index(others[0])
    shows = [button(f"Show {c.rank}", ACTION_SHOW, f"{query_id}:{first + i}")
             for i, c in enumerate(others[:ACTIONS_LIMIT])]
    return fit(body, [actions(*shows)])


def result_blocks(view: ResultView, index: int) -> list[Block]:
    """"Show N": one result in full, with how to cite it."""
    card = view.cards[index]
    return fit([section(f"*{escape(view.query)}*"), *card_blocks(card, view.score_label)],
               [actions(button("How to cite", ACTION_CITE, card.passage_id))])


# -- readings and plain notices ------------------------------------------------------------


def readings_blocks(readings: Sequence[ReadingLine]) -> list[Block]:
    """The course's readings, packed into as few sections as Slack allows."""
    if not readings:
        return [section(escape(NO_READINGS))]
    lines = [
        f"• {_label(r.title, r.credit)} · `{escape(r.id)}` · {r.passages} passages"
        for r in readings
    ]
    blocks: list[Block] = [section(f"*{len(readings)} readings*")]
    chunk = ""
    for line in lines:
        line = clip(line, SECTION_TEXT_LIMIT)
        if chunk and len(chunk) + 1 + len(line) > SECTION_TEXT_LIMIT:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append(section(chunk))
    return fit(blocks)


def notice(text: str) -> list[Block]:
    """A one-section message for text we wrote ourselves (it may hold user text, escaped)."""
    return [section(text)]


# -- citations, quotes, how to cite ----------------------------------------------------------


def cite_blocks(view: ResultView) -> list[Block]:
    """Which reference a loose query names, and where the readings cite it."""
    body = [section(f"*References matching:* {escape(view.query)}")]
    if not view.groups:
        return fit([*body, _nothing_found(view)])
    for group in view.groups:
        if group.entry is not None:
            source = (f" — in the references of {reading_label(group.source)}"
                      if group.source else "")
            body.append(section(f"*{escape(group.entry)}*{source}"))
        else:
            body.append(section(f"_{escape(MENTIONS_ONLY)}_"))
        lines = []
        for card in group.cards:
            cited = card.citation
            assert cited is not None  # every /cite card has one
            said = f"“{escape(cited.text)}”" + (
                f" ({escape(cited.locator)})" if cited.locator else "")
            lines.append(
                f"• {reading_label(card.reading)}"
                + (f", {escape(card.location)}" if card.location else "")
                + f": {said} · `{escape(card.passage_id)}`"
            )
        if group.left_out:
            lines.append(f"_{LEFT_OUT.format(n=group.left_out)}_")
        if lines:
            body.append(section("\n".join(lines)))
        elif group.entry is not None:
            body.append(context(f"_{escape(UNCITED)}_"))
    return fit(body)


def how_to_cite_blocks(forms: Mapping[str, str]) -> list[Block]:
    """APA and Chicago references plus their in-text forms, ready to copy."""
    lines = [f"*{escape(label)}:* {escape(text)}" for label, text in how_to_cite_view(forms)]
    return [section("\n".join(lines))]
