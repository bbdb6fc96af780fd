"""Registering the application commands with Discord: compare first, write only what differs.

Discord sends an interaction only for a command it has registered, so a fresh install shows no
commands at all until something registers them, and a slash command cannot be that something.
At start-up the bot therefore fetches the commands Discord has in each class server (and the
global ones) and syncs a scope only where they differ from the code's command tree: a restart
with unchanged commands writes nothing (command writes are rate-limited, and a needless write
can make commands flicker mid-class), and an update of the bot publishes its changed commands
by itself. `seminar-bot discord sync` and the instructors' `/sync` force a write.

Scopes: every configured class server (DISCORD_GUILD_IDS and the servers named in
SEMINAR_COURSES), plus the global scope. With servers configured the code has no global
command, so global commands left by an earlier global install are removed instead of showing
every command twice. One scope failing (the bot not in that server, or invited without the
`applications.commands` scope) is logged and the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import discord
from discord import app_commands

log = logging.getLogger("bot.discord")

_OPTION_BOUNDS = ("min_value", "max_value", "min_length", "max_length")


class SeminarBot(Protocol):
    """What registration needs of the client (bot.discord_app.client.SeminarBot)."""

    @property
    def tree(self) -> app_commands.CommandTree[Any]: ...

    def command_guilds(self) -> list[discord.Object]: ...


@dataclass(frozen=True, slots=True)
class Registration:
    """What happened to one scope: `guild_id` None is the global scope."""

    guild_id: int | None
    commands: int  # how many the code has there
    written: bool = False  # synced (they differed, or the sync was forced)
    differs: bool = False  # Discord's copy differed from the code's (or was not compared)
    error: str | None = None

    def describe(self) -> str:
        where = f"server {self.guild_id}" if self.guild_id is not None else "global scope"
        if self.error:
            return f"{where}: {self.error}"
        if self.written:
            return f"{where}: registered {self.commands} command(s)"
        if self.differs:
            return f"{where}: differs from the code; a sync would register {self.commands}"
        return f"{where}: {self.commands} command(s) already up to date"


def _option(option: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": int(option.get("type") or 0),
        "name": option.get("name"),
        "description": option.get("description") or "",
        "required": bool(option.get("required", False)),
        "autocomplete": bool(option.get("autocomplete", False)),
        "choices": [(c["name"], c["value"]) for c in option.get("choices") or []],
        "channel_types": sorted(option.get("channel_types") or []),
        **{key: option.get(key) for key in _OPTION_BOUNDS},
        "options": [_option(o) for o in option.get("options") or []],
    }


def canonical(command: Mapping[str, Any], *, with_contexts: bool) -> dict[str, Any]:
    """What decides how a command looks and who sees it, with Discord's defaults filled in, so
    the code's payload and Discord's stored copy compare equal when nothing changed."""
    permissions = command.get("default_member_permissions")
    out: dict[str, Any] = {
        "type": int(command.get("type") or 1),
        "name": command.get("name"),
        "description": command.get("description") or "",
        "default_member_permissions": None if permissions is None else int(permissions),
        "nsfw": bool(command.get("nsfw", False)),
        "options": [_option(o) for o in command.get("options") or []],
    }
    if with_contexts and command.get("contexts") is not None:
        out["contexts"] = sorted(command["contexts"])
    return out


def remote_payload(command: app_commands.AppCommand) -> dict[str, Any]:
    """A registered command as a payload (AppCommand.to_dict leaves out who may see it)."""
    permissions = command.default_member_permissions
    return {
        **command.to_dict(),
        "default_member_permissions": None if permissions is None else permissions.value,
        "nsfw": command.nsfw,
    }


def differs(
    local: Sequence[Mapping[str, Any]], remote: Sequence[Mapping[str, Any]], *, global_: bool
) -> bool:
    """Whether Discord's registered commands differ from the code's (order does not matter).
    Contexts are compared only where the code sets them, globally (a guild has one context)."""

    def keyed(commands: Iterable[Mapping[str, Any]]) -> dict[Any, Any]:
        return {
            (c.get("type") or 1, c.get("name")): canonical(c, with_contexts=global_)
            for c in commands
        }

    mine, theirs = keyed(local), keyed(remote)
    if mine.keys() != theirs.keys():
        return True
    for key, wanted in mine.items():
        have = dict(theirs[key])
        if "contexts" not in wanted:
            have.pop("contexts", None)
        if wanted != have:
            return True
    return False


def local_payloads(bot: SeminarBot, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
    tree = bot.tree
    return [c.to_dict(tree) for c in tree.get_commands(guild=guild)]


def scopes(bot: SeminarBot) -> list[discord.Object | None]:
    """Every configured class server, then the global scope."""
    return [*bot.command_guilds(), None]


async def register_scope(
    bot: SeminarBot, guild: discord.Object | None, *, force: bool = False,
    dry_run: bool = False,
) -> Registration:
    """Sync one scope if Discord's copy differs from the code's (always, with `force`; never,
    with `dry_run`, which only compares)."""
    gid = guild.id if guild is not None else None
    local = local_payloads(bot, guild)
    try:
        if not force:
            remote = [remote_payload(c) for c in await bot.tree.fetch_commands(guild=guild)]
            if not differs(local, remote, global_=guild is None):
                return Registration(gid, len(local))
            if dry_run:
                return Registration(gid, len(local), differs=True)
        await bot.tree.sync(guild=guild)
    except discord.Forbidden:
        return Registration(gid, len(local), error=(
            "Discord refused access: the bot is not in this server, or was invited without "
            "the applications.commands scope; invite it with the link in docs/discord.md"))
    except discord.HTTPException as exc:
        return Registration(gid, len(local), error=f"Discord answered {exc.status}: {exc.text}")
    except (aiohttp.ClientError, OSError) as exc:
        return Registration(gid, len(local), error=f"cannot reach Discord ({exc})")
    return Registration(gid, len(local), written=True, differs=True)


async def register_commands(
    bot: SeminarBot, *, force: bool = False, dry_run: bool = False
) -> list[Registration]:
    """Every scope in turn; each outcome is logged (a failure as a warning, with its fix)."""
    done = []
    for guild in scopes(bot):
        outcome = await register_scope(bot, guild, force=force, dry_run=dry_run)
        (log.warning if outcome.error else log.info)("commands: %s", outcome.describe())
        done.append(outcome)
    return done
