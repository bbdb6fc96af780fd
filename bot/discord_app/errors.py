"""The one error handler of the command tree, the buttons and the persistent components.

A user's mistake (a SeminarError from the core, a failed check, a bad option) gets an ephemeral
explanation. Anything else is a bug: it is logged with a short reference, and the user gets that
reference to give the instructor, never a traceback.

Private on every path: after a public defer Discord makes the first follow-up public whatever
its flags, so an error that comes after one deletes the "thinking…" placeholder first and then
sends its explanation ephemerally. Core messages quote what the user typed, so they are
escaped (markdown, masked links, mentions) before they are shown.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.core.errors import SeminarError
from bot.discord_app.formatting import content, safe

log = logging.getLogger("bot.discord")

# Interaction.extras key: a public "thinking…" placeholder is waiting for its answer.
PUBLIC_PLACEHOLDER = "seminar_public_placeholder"


async def think(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Acknowledge at once with Discord's "thinking…" placeholder (the work may take longer
    than the 3 s Discord waits), remembering whether everyone sees it."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[PUBLIC_PLACEHOLDER] = not ephemeral


def answered(interaction: discord.Interaction) -> None:
    """The placeholder was replaced by the answer: later errors are ordinary follow-ups."""
    interaction.extras.pop(PUBLIC_PLACEHOLDER, None)


def user_message(error: BaseException) -> str | None:
    """What to tell the user when the error is theirs to fix; None for bugs."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, SeminarError):
        return safe(str(original))  # it may quote what the user typed
    if isinstance(original, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {original.retry_after:.0f} s."
    if isinstance(original, app_commands.NoPrivateMessage):
        return "This command only works inside a class server."
    if isinstance(original, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        return str(original)
    if isinstance(original, app_commands.CheckFailure):
        return str(original) or "You may not use this command here."
    if isinstance(original, app_commands.TransformerError):
        return f"I could not understand the value {safe(repr(original.value), 200)}."
    if isinstance(original, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "This command has changed since it was last synced; ask an instructor to run /sync."
    return None


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer only the user, whether or not the interaction was already acknowledged."""
    text = content(text)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
            return
        if interaction.extras.pop(PUBLIC_PLACEHOLDER, False):
            # Else this follow-up would replace the public placeholder, in public.
            await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


async def on_tree_error(interaction: discord.Interaction, error: BaseException) -> None:
    text = user_message(error)
    if text is None:
        ref = secrets.token_hex(4).upper()
        original = getattr(error, "original", error)
        log.error(
            "unexpected error %s in /%s (guild %s, user %s)",
            ref,
            interaction.command.qualified_name if interaction.command else "?",
            interaction.guild_id,
            interaction.user.id,
            exc_info=(type(original), original, original.__traceback__),
        )
        text = (
            f"Something went wrong on my side. Please give your instructor this reference: `{ref}`."
        )
    await reply_ephemeral(interaction, text)
