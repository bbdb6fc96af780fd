"""Who may run the instructor commands.

`default_permissions` only hides commands in the client, and a server admin can change it, so
the bot decides for itself: an instructor is a configured owner, a member with Manage Server, or
a member holding the configured instructor role (by name or id). Autocomplete callbacks are not
covered by app command checks in discord.py, so they call `is_instructor` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from bot.settings import Settings

T = TypeVar("T")


class NotInstructor(app_commands.CheckFailure):
    """Raised for a student who runs an instructor-only command."""


def is_instructor(interaction: discord.Interaction, settings: Settings) -> bool:
    user = interaction.user
    if user.id in settings.owner_ids:
        return True
    if not isinstance(user, discord.Member):
        return False  # outside a server there is no one to teach
    if interaction.permissions.manage_guild:
        return True  # the channel's permission overwrites can grant it too
    return is_staff_member(user, settings.instructor_role)


def is_staff_member(member: discord.Member, instructor_role: str | None) -> bool:
    """Manage Server (counting roles and administrator) or the configured instructor role (a
    name or an id): who teaches, for the instructor commands and for the log's author roles."""
    if member.guild_permissions.manage_guild:
        return True
    wanted = (instructor_role or "").strip()
    return bool(wanted) and any(
        str(role.id) == wanted or role.name.casefold() == wanted.casefold() for role in member.roles
    )


def instructor_only() -> Callable[[T], T]:
    """An app command check: the interaction's client must carry `settings`."""

    async def predicate(interaction: discord.Interaction) -> bool:
        settings: Settings = interaction.client.settings  # type: ignore[attr-defined]
        if not is_instructor(interaction, settings):
            raise NotInstructor("Only instructors can use this command.")
        return True

    return app_commands.check(predicate)


def guild_only_check(interaction: discord.Interaction) -> int:
    """The guild id, or a clear refusal: every stored row and every course belongs to a server."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("This command only works inside a class server.")
    return interaction.guild_id
