"""Embeds and messages that always fit Discord's limits, whatever the readings contain.

Discord rejects a whole response (HTTP 400) when one part is a character too long, so every
text that reaches Discord is cut here, with an ellipsis, before it is sent. Text that came from
a user or from the readings is escaped, so an asterisk in a passage cannot restyle the answer
and a mention in a question cannot turn into a ping even before allowed mentions are applied.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.core.models import Answer, Passage, Reading

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


def excerpt_with_best(text: str, best: str, limit: int = EXCERPT_CHARS) -> str:
    """The passage around its best sentence, escaped, with that sentence in bold.

    The window is cut in the raw text first and escaped afterwards, so an escape is never split
    in half; the bold markers are ours and are added last.
    """
    start = text.find(best) if best else -1
    if start < 0:
        return safe(clip(text, limit))
    end = start + len(best)
    room = max(0, limit - len(best))
    lo = max(0, start - room // 2)
    hi = min(len(text), end + (room - (start - lo)))
    lo = max(0, min(lo, hi - limit))
    before, sentence, after = text[lo:start], text[start:end], text[end:hi]
    if len(sentence) > limit:
        sentence, after = clip(sentence, limit), ""
    head = (ELLIPSIS if lo > 0 else "") + safe(before)
    tail = safe(after) + (ELLIPSIS if hi < len(text) else "")
    return f"{head}**{safe(sentence).strip()}**{tail}" if sentence.strip() else head + tail


def reading_label(reading: Reading) -> str:
    parts = [reading.title]
    if reading.authors:
        parts.append(reading.byline + (f" ({reading.year})" if reading.year else ""))
    elif reading.year:
        parts.append(reading.year)
    return " — ".join(parts)


def location_fields(embed: discord.Embed, passage: Passage) -> None:
    if passage.section:
        embed.add_field(name="Section", value=safe(passage.section, FIELD_VALUE_MAX))
    if passage.page is not None:
        embed.add_field(name="Page", value=str(passage.page))
    if passage.kind == "footnote" and passage.label:
        embed.add_field(name="Note", value=safe(passage.label, 50))
    elif passage.paragraph is not None:
        embed.add_field(name="Paragraph", value=str(passage.paragraph))


def hit_embed(answer: Answer, index: int, note: str | None = None) -> discord.Embed:
    """One result: the passage with its best sentence in bold, and where it stands.

    `note` is the reference-list entry a /cite result points to."""
    hit = answer.hits[index]
    weak = not answer.confident
    embed = discord.Embed(
        title=clip(safe(reading_label(hit.reading)), TITLE_MAX),
        description=excerpt_with_best(hit.passage.text, hit.best_sentence),
        colour=WEAK_COLOUR if weak else COLOUR,
    )
    embed.set_author(name=question_line(answer.query))
    location_fields(embed, hit.passage)
    embed.add_field(name="Score", value=f"{hit.score:.0f}/100")
    embed.add_field(name="Passage id", value=f"`{clip(hit.passage.id, 200)}`")
    if note:
        embed.add_field(name="Reference entry", value=safe(note, FIELD_VALUE_MAX), inline=False)
    weak_note = " · weak match" if weak else ""
    embed.set_footer(text=f"Result {index + 1} of {len(answer.hits)}{weak_note}")
    return fit(embed)


# What "nothing found" means for each lookup: title, advice, and what the suggestions are.
NOTHING_FOUND = {
    "ask": (
        "Nothing convincing in the readings",
        "I could not find a passage that clearly answers this. Try other words, a narrower "
        "question, or pick a reading with the `reading` option.",
        "You could try",
    ),
    "cite": (
        "No passage cites this",
        "No passage of the readings cites a reference matching this. Try a surname and a "
        "year, e.g. `Keohane 1984`, or a few words of the title.",
        "In the reference lists, but not cited in a passage",
    ),
    "quote": (
        "Quote not found",
        "No passage matches these words closely. Try the words you are surest of.",
        "You could try",
    ),
}


def nothing_convincing_embed(answer: Answer, kind: str = "ask") -> discord.Embed:
    """The honest answer when no passage clearly answers the question."""
    title, advice, suggestions = NOTHING_FOUND.get(kind, NOTHING_FOUND["ask"])
    embed = discord.Embed(title=title, description=advice, colour=WEAK_COLOUR)
    embed.set_author(name=question_line(answer.query))
    if answer.suggestions:
        embed.add_field(
            name=suggestions,
            value="\n".join(f"• {safe(s, 300)}" for s in answer.suggestions[:10]),
            inline=False,
        )
    if answer.hits:
        embed.set_footer(text="The closest passages are weak matches: use the buttons to see them.")
    return fit(embed)


def passage_embed(
    passage: Passage, reading: Reading, neighbours: Sequence[Passage] = ()
) -> discord.Embed:
    """/passage and "Show full passage": the passage in full when it fits, else its start."""
    embed = discord.Embed(
        title=clip(safe(reading_label(reading)), TITLE_MAX),
        description=safe(passage.text, DESCRIPTION_MAX),
        colour=COLOUR,
    )
    location_fields(embed, passage)
    embed.add_field(name="Passage id", value=f"`{clip(passage.id, 200)}`")
    around = [p.id for p in neighbours if p.id != passage.id]
    if around:
        embed.add_field(name="Around it", value=clip(", ".join(f"`{i}`" for i in around), 1000))
    if passage_needs_file(passage):  # escaping only lengthens: this covers the raw text too
        embed.set_footer(
            text="The passage is longer than Discord allows: the full text is attached."
        )
    return fit(embed)


def passage_needs_file(passage: Passage) -> bool:
    return len(safe(passage.text)) > DESCRIPTION_MAX


def passage_file(passage: Passage, reading: Reading) -> discord.File:
    body = f"{reading_label(reading)}\n{passage.location}\n\n{passage.text}\n"
    return discord.File(io.BytesIO(body.encode("utf-8")), filename=f"{passage.id[:80]}.txt")


def readings_embed(readings: Sequence[Reading]) -> discord.Embed:
    """/readings: every reading, one line each; a long list ends with how many more there are."""
    lines = [
        f"**{safe(r.title, 200)}**"
        + (f" — {safe(r.byline, 150)}" if r.authors else "")
        + (f" ({safe(r.year, 10)})" if r.year else "")
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
        description="\n".join(shown) or "No readings are indexed for this course yet.",
        colour=COLOUR,
    )
    return fit(embed)
