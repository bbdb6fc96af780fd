"""`seminar-bot discord sync`: register the bot's slash commands with Discord from a terminal.

The running bot registers them by itself at start-up wherever Discord's copy differs; this is
the explicit form (after an update, or to check an install with `--dry-run`), and needs no
running bot, no gateway connection and no slash command, so it works on a server where no
command was ever registered.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.core.service import SeminarService
from bot.settings import Settings

Command = Callable[[str, str], argparse.ArgumentParser]


def register(command: Command, global_options: Callable[[argparse.ArgumentParser], None]) -> None:
    p = command("discord", "Discord tools that need no running bot")
    tools = p.add_subparsers(dest="tool", metavar="TOOL", required=True)
    sync = tools.add_parser(
        "sync", help="register the slash commands with Discord",
        description="Register the bot's slash commands in every configured class server "
        "(DISCORD_GUILD_IDS, SEMINAR_COURSES), or globally when none is configured, using "
        "DISCORD_TOKEN. Global commands left from an earlier global install are removed when "
        "servers are configured.",
    )
    global_options(sync)
    sync.add_argument("--dry-run", action="store_true",
                      help="only compare with what Discord has registered; write nothing")
    sync.set_defaults(handler=cmd_discord_sync)


def cmd_discord_sync(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    from bot.discord_app.client import sync_commands

    outcomes = sync_commands(settings, service, dry_run=args.dry_run)
    for outcome in outcomes:
        print(outcome.describe())
    return 2 if any(o.error for o in outcomes) else 0
