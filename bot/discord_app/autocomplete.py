"""Autocomplete for reading titles and reference names, from a cached readings list.

Discord waits three seconds for choices and takes at most 25, each at most 100 characters;
the readings list is cached on the client, so an answer is a filter over memory.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.core.models import Reading
from bot.core.references.bibliography import natural_surname
from bot.core.textnorm import fold
from bot.discord_app.formatting import CHOICE_MAX, clip

MAX_CHOICES = 25


async def _readings(interaction: discord.Interaction) -> list[Reading]:
    bot = interaction.client
    course = bot.course_for(interaction.guild_id)  # type: ignore[attr-defined]
    return await bot.readings_for(course)  # type: ignore[attr-defined]


def _matches(query: str, *texts: str) -> bool:
    q = fold(query)
    return not q or any(q in fold(t) for t in texts if t)


async def reading_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    readings = await _readings(interaction)
    out = []
    for r in readings:
        if _matches(current, r.title, r.id, r.byline):
            out.append(app_commands.Choice(name=clip(r.title, CHOICE_MAX), value=r.id[:CHOICE_MAX]))
        if len(out) >= MAX_CHOICES:
            break
    return out


def surname(author: str) -> str:
    """'Castells, Manuel' and 'Manuel Castells' both give 'Castells'; particles stay, as the
    reference lists keep them ('Samuel del Villar' -> 'del Villar')."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    return natural_surname(author)


async def reference_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The reference-list entries ('Krasner 1999'), then the readings' own authors
    ('Surname (year)'); the typed text itself stays selectable."""
    bot = interaction.client
    course = bot.course_for(interaction.guild_id)  # type: ignore[attr-defined]
    seen: dict[str, None] = {}
    for label in await bot.references_for(course):  # type: ignore[attr-defined]
        if _matches(current, label):
            seen.setdefault(label, None)
            if len(seen) >= MAX_CHOICES:
                break
    for r in await _readings(interaction):
        for author in r.authors:
            label = surname(author) + (f" ({r.year})" if r.year else "")
            if _matches(current, label, author):
                seen.setdefault(label, None)
    labels = list(seen)
    if current.strip() and current.strip() not in seen:
        labels.insert(0, current.strip())
    return [
        app_commands.Choice(name=clip(label, CHOICE_MAX), value=clip(label, CHOICE_MAX))
        for label in labels[:MAX_CHOICES]
    ]
