"""Embeds and messages that always fit Discord's limits, whatever the readings contain.

Discord rejects a whole response (HTTP 400) when one part is a character too long, so every
text that reaches Discord is cut here, with an ellipsis, before it is sent. Text that came from
a user or from the readings is escaped, so an asterisk in a passage cannot restyle the answer
and a mention in a question cannot turn into a ping even before allowed mentions are applied.
What is shown (cards, wording, labels) comes from bot.core.presentation; only Discord's markup
and limits are here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.core.models import Passage
from bot.core.presentation import (
    NO_READINGS,
    Excerpt,
    PassageView,
    ReadingLine,
    ResultView,
    how_to_cite_view,
)

CONTENT_MAX = 2_000
TITLE_MAX = 256
DESCRIPTION_MAX = 4_096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1_024
FOOTER_MAX = 2_048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6_000
CHOICE_MAX = 100  # autocomplete choice name and value
# How much of a passage the answer embed shows around the best sentence; the rest is one click
# away ("Show full passage"), so the answer stays readable on a phone.
EXCERPT_CHARS = 1_500
ELLIPSIS = "…"
COLOUR = discord.Colour.blurple()
WEAK_COLOUR = discord.Colour.light_grey()


def clip(text: str | None, limit: int) -> str:
    """Cut to `limit` characters, marking the cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def safe(text: str | None, limit: int | None = None) -> str:
    """User or reading text made inert: no markdown, no mentions; clipped after escaping."""
    cleaned = escape_mentions(escape_markdown(text or ""))
    return clip(cleaned, limit) if limit is not None else cleaned


def question_line(query: str) -> str:
    """The question echoed above an answer (embed author names render no markdown)."""
    return clip("Q: " + escape_mentions(" ".join(query.split())), AUTHOR_MAX)


def content(text: str) -> str:
    """A message body that Discord will accept."""
    return clip(text, CONTENT_MAX)


def fit(embed: discord.Embed) -> discord.Embed:
    """Enforce every embed limit, shortening the description last-resort to meet the total."""
    if embed.title:
        embed.title = clip(embed.title, TITLE_MAX)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION_MAX)
    while len(embed.fields) > FIELDS_MAX:
        embed.remove_field(len(embed.fields) - 1)
    for i, f in enumerate(list(embed.fields)):
        embed.set_field_at(
            i,
            name=clip(f.name, FIELD_NAME_MAX) or "\u200b",
            value=clip(f.value, FIELD_VALUE_MAX) or "\u200b",
            inline=bool(f.inline),
        )
    if embed.footer and embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER_MAX))
    if embed.author and embed.author.name:
        embed.set_author(name=clip(embed.author.name, AUTHOR_MAX))
    excess = len(embed) - EMBED_TOTAL_MAX
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(1, len(embed.description) - excess))
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def excerpt_markdown(excerpt: Excerpt, limit: int = EXCERPT_CHARS) -> str:
    """The passage around its focus, escaped, with the focus in bold.

    The window is cut in the raw text first and escaped afterwards, so an escape is never split
    in half; the bold markers are ours and are added last.
    """
    part = excerpt.fit(limit)
    head = (ELLIPSIS if part.cut_before else "") + safe(part.before)
    tail = safe(part.after) + (ELLIPSIS if part.cut_after else "")
    focus = safe(part.focus).strip()
    return f"{head}**{focus}**{tail}" if focus else head + tail


def add_facts(embed: discord.Embed, facts: Sequence[tuple[str, str]]) -> None:
    """Where the passage stands, one inline field each (section, page, note or paragraph)."""
    for name, value in facts:
        embed.add_field(name=name, value=safe(value, FIELD_VALUE_MAX))


def card_embed(view: ResultView, index: int) -> discord.Embed:
    """One result: the passage with its focus in bold, where it stands, and (for /cite) the
    reference-list entry it points to."""
    card = view.cards[index]
    weak = not view.confident
    embed = discord.Embed(
        title=clip(safe(card.reading_label), TITLE_MAX),
        description=excerpt_markdown(card.excerpt),
        colour=WEAK_COLOUR if weak else COLOUR,
    )
    embed.set_author(name=question_line(view.query))
    add_facts(embed, card.facts)
    embed.add_field(name=view.score_label.capitalize(), value=f"{card.score:.0f}/100")
    embed.add_field(name="Passage id", value=f"`{clip(card.passage_id, 200)}`")
    if card.note:
        embed.add_field(name="Reference entry", value=safe(card.note, FIELD_VALUE_MAX),
                        inline=False)
    weak_note = " · weak match" if weak else ""
    embed.set_footer(text=f"Result {index + 1} of {len(view.cards)}{weak_note}")
    return fit(embed)


def nothing_embed(view: ResultView) -> discord.Embed:
    """The honest answer when no passage clearly answers the question."""
    nothing = view.nothing
    assert nothing is not None, "a confident answer has cards"
    embed = discord.Embed(title=nothing.title, description=safe(nothing.advice),
                          colour=WEAK_COLOUR)
    embed.set_author(name=question_line(view.query))
    if nothing.suggestions:
        embed.add_field(
            name=nothing.suggestions_label,
            value="\n".join(f"• {safe(s, 300)}" for s in nothing.suggestions[:10]),
            inline=False,
        )
    if nothing.weak:
        embed.set_footer(text=f"{nothing.weak} Use the buttons to see them.")
    return fit(embed)


def passage_embed(view: PassageView) -> discord.Embed:
    """/passage and "Show full passage": the passage in full when it fits, else its start."""
    embed = discord.Embed(
        title=clip(safe(view.reading_label), TITLE_MAX),
        description=safe(view.passage.text, DESCRIPTION_MAX),
        colour=COLOUR,
    )
    add_facts(embed, view.facts)
    embed.add_field(name="Passage id", value=f"`{clip(view.passage.id, 200)}`")
    if view.around:
        embed.add_field(name="Around it",
                        value=clip(", ".join(f"`{i}`" for i in view.around), 1000))
    if passage_needs_file(view.passage):  # escaping only lengthens: this covers the raw text too
        embed.set_footer(
            text="The passage is longer than Discord allows: the full text is attached."
        )
    return fit(embed)


def passage_needs_file(passage: Passage) -> bool:
    return len(safe(passage.text)) > DESCRIPTION_MAX


def passage_file(view: PassageView) -> discord.File:
    passage = view.passage
    body = f"{view.reading_label}\n{passage.location}\n\n{passage.text}\n"
    return discord.File(io.BytesIO(body.encode("utf-8")), filename=f"{passage.id[:80]}.txt")


def readings_embed(readings: Sequence[ReadingLine]) -> discord.Embed:
    """/readings: every reading, one line each; a long list ends with how many more there are."""
    lines = [
        f"**{safe(r.title, 200)}**"
        + (f" — {safe(r.credit, 160)}" if r.credit else "")
        + f" · `{clip(r.id, 80)}` · {r.passages} passages"
        for r in readings
    ]
    shown: list[str] = []
    used = 0
    room = DESCRIPTION_MAX - 60  # keeps space for the "and N more" line
    for line in lines:
        if used + len(line) + 1 > room:
            break
        shown.append(line)
        used += len(line) + 1
    if len(shown) < len(lines):
        shown.append(f"… and {len(lines) - len(shown)} more (type in `/ask reading:` to find them)")
    embed = discord.Embed(
        title=f"Readings ({len(readings)})",
        description="\n".join(shown) or safe(NO_READINGS),
        colour=COLOUR,
    )
    return fit(embed)


def how_to_cite_text(forms: dict[str, str]) -> str:
    """The reference forms as labelled, escaped lines."""
    return "\n".join(f"**{label}**: {safe(text)}" for label, text in how_to_cite_view(forms))
