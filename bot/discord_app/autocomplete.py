"""Autocomplete for reading titles and reference names, from a cached readings list.

Discord waits three seconds for choices and takes at most 25, each at most 100 characters;
the readings list is cached on the client, so an answer is a filter over memory (which choices
match is the core's presentation; only the limits are Discord's).
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.core import presentation
from bot.core.models import Reading
from bot.discord_app.formatting import CHOICE_MAX, clip

MAX_CHOICES = 25


async def _readings(interaction: discord.Interaction) -> list[Reading]:
    bot = interaction.client
    scope = bot.scope_for(interaction.guild_id)  # type: ignore[attr-defined]
    return await bot.readings_for(scope)  # type: ignore[attr-defined]


async def reading_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    readings = await _readings(interaction)
    return [
        app_commands.Choice(name=clip(r.title, CHOICE_MAX), value=r.id[:CHOICE_MAX])
        for r in presentation.reading_choices(readings, current, limit=MAX_CHOICES)
    ]


async def reference_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The reference-list entries ('Krasner 1999'), then the readings' own authors
    ('Surname (year)'); the typed text itself stays selectable."""
    bot = interaction.client
    scope = bot.scope_for(interaction.guild_id)  # type: ignore[attr-defined]
    labels = await bot.references_for(scope)  # type: ignore[attr-defined]
    found = presentation.reference_choices(
        labels, await _readings(interaction), current, limit=MAX_CHOICES
    )
    return [
        app_commands.Choice(name=clip(label, CHOICE_MAX), value=clip(label, CHOICE_MAX))
        for label in found
    ]
