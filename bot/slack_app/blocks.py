"""Block Kit messages for Slack, always within Slack's limits and never able to ping anyone.

Every piece of text that comes from a user or a reading is escaped (`&`, `<`, `>`) so it cannot
form a `<!channel>`/`<@U…>` mention or a link, and every mrkdwn object is `verbatim`, which stops
Slack from turning bare `@here` or `#channel` into mentions on its own. Limits are enforced here,
once, so callers can hand over text of any length: a section's text is cut at 3,000 characters
(never in the middle of an `&amp;`), a message stops at 50 blocks, a button's value at 2,000.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.core.errors import SeminarError
from bot.core.models import Answer, CiteResult, Hit, QuoteResult, Reading

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3_000
MAX_BLOCKS = 50
BUTTON_VALUE_LIMIT = 2_000
BUTTON_TEXT_LIMIT = 75
CONTEXT_ELEMENTS_LIMIT = 10
FALLBACK_TEXT_LIMIT = 3_000
# How much of a passage is shown around its best sentence: enough to read it in context, short
# enough that five results still fit on one screen.
EXCERPT_CONTEXT_CHARS = 350
BEST_SENTENCE_CHARS = 1_200
PAGE_SIZE = 5
MAX_RESULTS = 25  # SeminarService.ask never returns more

ACTION_MORE = "ask_more"
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


def excerpt(passage_text: str, sentence: str) -> str:
    """The passage around its best sentence, escaped, with that sentence in bold."""
    text = " ".join(passage_text.split())
    best = " ".join(sentence.split())
    at = text.find(best) if best else -1
    if at == -1:
        before, after = "", ""
        best = best or text
    else:
        before, after = text[:at], text[at + len(best) :]
    if len(best) > BEST_SENTENCE_CHARS:
        best = best[: BEST_SENTENCE_CHARS - 1].rstrip() + "…"
    if len(before) > EXCERPT_CONTEXT_CHARS:
        before = "…" + _from_word(before[-EXCERPT_CONTEXT_CHARS:])
    if len(after) > EXCERPT_CONTEXT_CHARS:
        after = _to_word(after[:EXCERPT_CONTEXT_CHARS]) + "…"
    # Bold needs its asterisks against the sentence's own characters; the spacing around it is
    # the passage's own, so "*…banks*." keeps its full stop where it was.
    bold = f"*{escape(best.strip())}*" if best.strip() else ""
    lead = escape(before.rstrip()) + (" " if before[-1:].isspace() else "")
    trail = (" " if after[:1].isspace() else "") + escape(after.lstrip())
    return (lead + bold + trail).strip()


def _from_word(text: str) -> str:
    space = text.find(" ")
    return text[space + 1 :] if 0 <= space < 40 else text


def _to_word(text: str) -> str:
    space = text.rfind(" ")
    return text[:space] if space > len(text) - 40 else text


def reading_label(reading: Reading) -> str:
    """Title, byline and year, escaped: how a reading is named in every Slack message."""
    label = f"*{escape(reading.title)}*"
    extra = ", ".join(p for p in (reading.byline, reading.year or "") if p)
    return f"{label} ({escape(extra)})" if extra else label


def hit_blocks(hit: Hit) -> list[Block]:
    where = hit.passage.location
    meta = [
        f"{hit.rank}. {reading_label(hit.reading)}",
        escape(where) if where else "",
        f"score {round(hit.score)}/100",
        f"`{escape(hit.passage.id)}`",
    ]
    return [
        section(excerpt(hit.passage.text, hit.best_sentence)),
        context(" · ".join(m for m in meta if m)),
    ]


def more_value(question: str, offset: int, reading: str | None = None) -> str:
    """What the 'More results' button carries: the question (trimmed to fit), the reading it
    is limited to, and where to go on."""

    def encode(q: str) -> str:
        data: dict[str, str | int] = {"q": q, "o": offset}
        if reading:
            data["r"] = reading
        return json.dumps(data, ensure_ascii=False)

    value = encode(question)
    while len(value) > BUTTON_VALUE_LIMIT:
        question = question[: len(question) - (len(value) - BUTTON_VALUE_LIMIT) - 1]
        value = encode(question)
    return value


def parse_more_value(value: str) -> tuple[str, int, str | None]:
    """(question, offset, reading id or None)."""
    try:
        data = json.loads(value)
        reading = data.get("r")
        return str(data["q"]), int(data["o"]), None if reading is None else str(reading)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SeminarError("That button is out of date; ask the question again.") from None


def answer_blocks(
    answer: Answer,
    *,
    query_id: int | None,
    offset: int = 0,
    has_more: bool = False,
    reading: Reading | None = None,
) -> list[Block]:
    """One page of results: each passage with its reading, place and score, then the buttons.
    `reading` is the one reading the question was limited to, if any."""
    hits = answer.hits[offset:]
    only = f"\n*Only in:* {reading_label(reading)}" if reading else ""
    head = section(f"*Question:* {escape(answer.query)}{only}")
    if not hits:
        body = [head, section(_nothing_found(answer, offset))]
        return fit(body)
    body = [head]
    if not answer.confident:
        body.append(context("_Nothing matched closely; these are the nearest passages._"))
    for hit in hits:
        body.extend(hit_blocks(hit))
        body.append(
            actions(button("How to cite", ACTION_CITE, hit.passage.id))
        )
    buttons: list[Block] = []
    if has_more:
        value = more_value(answer.query, offset + len(hits), reading.id if reading else None)
        buttons.append(button("More results", ACTION_MORE, value))
    if query_id is not None:
        buttons.append(button("Helpful", ACTION_HELPFUL, str(query_id), style="primary"))
        buttons.append(button("Not helpful", ACTION_NOT_HELPFUL, str(query_id)))
    return fit(body, [actions(*buttons)] if buttons else [])


def _nothing_found(answer: Answer, offset: int) -> str:
    if offset:
        return "No more passages match this question."
    text = "I found nothing in the readings that answers this."
    if answer.suggestions:
        text += " Closest matches: " + ", ".join(escape(s) for s in answer.suggestions[:10])
    return text


# -- readings and plain notices ------------------------------------------------------------


def readings_blocks(readings: Iterable[Reading]) -> list[Block]:
    """The course's readings, packed into as few sections as Slack allows."""
    items = list(readings)
    if not items:
        return [section("No readings are indexed for this course yet.")]
    lines = [
        f"• {reading_label(r)} · `{escape(r.id)}` · {r.passages} passages" for r in items
    ]
    blocks: list[Block] = [section(f"*{len(items)} readings*")]
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

CITED_IN_SHOWN = 8


def cite_blocks(result: CiteResult) -> list[Block]:
    """Which reference a loose query names, and where the readings cite it."""
    body = [section(f"*References matching:* {escape(result.query)}")]
    if not result.matches:
        body.append(section("No reference in the readings' reference lists matches that, and "
                            "no passage names it."))
        return fit(body)
    for match in result.matches:
        if match.entry is not None:
            source = f" — in the references of {reading_label(match.reading)}" if match.reading else ""
            body.append(section(f"*{escape(match.entry.formatted)}*{source}"))
        else:
            body.append(section("_No reference list has this entry; passages that name it:_"))
        lines = []
        for cited in match.cited_in[:CITED_IN_SHOWN]:
            where = cited.passage.location
            said = f"“{escape(cited.citation)}”" + (
                f" ({escape(cited.locator)})" if cited.locator else "")
            lines.append(
                f"• {reading_label(cited.reading)}"
                + (f", {escape(where)}" if where else "")
                + f": {said} · `{escape(cited.passage.id)}`"
            )
        extra = len(match.cited_in) - CITED_IN_SHOWN
        if extra > 0:
            lines.append(f"_…and {extra} more_")
        if lines:
            body.append(section("\n".join(lines)))
        elif match.entry is not None:
            body.append(context("_Listed, but no passage cites it in a form we recognise._"))
    return fit(body)


def quote_blocks(result: QuoteResult) -> list[Block]:
    """Where a quote comes from: the span as printed, in bold, inside its passage."""
    body = [section(f"*Quote:* {escape(result.query)}")]
    if not result.hits:
        body.append(section("I could not find that quote in the readings."))
        return fit(body)
    if not result.confident:
        body.append(context("_No passage matches closely; these are the nearest._"))
    for rank, hit in enumerate(result.hits, start=1):
        where = hit.passage.location
        meta = [f"{rank}. {reading_label(hit.reading)}", escape(where) if where else "",
                f"match {round(hit.match.score)}/100", f"`{escape(hit.passage.id)}`"]
        body.append(section(excerpt(hit.passage.text, hit.match.quote)))
        body.append(context(" · ".join(m for m in meta if m)))
        body.append(actions(button("How to cite", ACTION_CITE, hit.passage.id)))
    return fit(body)


def how_to_cite_blocks(forms: Mapping[str, str]) -> list[Block]:
    """APA and Chicago references plus their in-text forms, ready to copy."""
    labels = {"apa": "APA", "apa_in_text": "APA in text", "chicago": "Chicago",
              "chicago_in_text": "Chicago in text"}
    lines = [f"*{labels.get(k, escape(k))}:* {escape(v)}" for k, v in forms.items()]
    return [section("\n".join(lines))]
