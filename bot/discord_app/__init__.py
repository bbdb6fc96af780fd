"""The Discord surface: a discord.py client whose cogs parse, call the core, and format."""

from bot.discord_app.client import SeminarBot, run_discord

__all__ = ["SeminarBot", "run_discord"]
