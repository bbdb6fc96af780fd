"""Instructor commands of the CLI: `digest`, `import`, `purge`, `forget`.

Kept beside bot/cli.py (which registers them) so the digest's options are declared once and
shared with the console's `/digest`. The CLI works on the database file the instructor holds;
in Discord only instructors reach the same core functions.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from bot import formatting
from bot.core.errors import SeminarError
from bot.core.models import DIGEST_FORMATS, DigestFile, DigestOptions
from bot.core.service import SeminarService
from bot.settings import Settings

Command = Callable[[str, str], argparse.ArgumentParser]
# Formats that read well in a terminal; the others are written to a file.
PRINTABLE = ("md", "json")


def add_digest_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="DATE",
                   help="first day (YYYY-MM-DD, an ISO time, or 7d / 2w back from now)")
    p.add_argument("--until", metavar="DATE", help="last day, included (YYYY-MM-DD)")
    p.add_argument("--channel", metavar="NAME", help="one channel (name or id) with its threads")
    p.add_argument("--guild", metavar="ID", help="one Discord guild / Slack team id")
    p.add_argument("--format", choices=DIGEST_FORMATS, default="md",
                   help=f"{', '.join(DIGEST_FORMATS)} (default: md)")
    p.add_argument("--anonymize", action="store_true",
                   help="replace names with pseudonyms that stay the same across digests")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="write here (a file, or an existing folder); md/json print otherwise")


def digest_options(args: argparse.Namespace) -> DigestOptions:
    """The options as typed; the guild is the scope's (`--guild`, or the whole database)."""
    return DigestOptions(since=args.since, until=args.until, channel=args.channel,
                         anonymize=args.anonymize)


def register(command: Command, global_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the commands; `global_options` lets `--db`/`--readings` follow nested commands too."""
    p = command("digest", "an instructor digest of the logged discussion")
    add_digest_options(p)
    p.set_defaults(handler=cmd_digest)

    p = command("import", "import discussion from existing exports (idempotent)")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    d = kinds.add_parser("discord-export", help="DiscordChatExporter JSON files (channels, threads)")
    global_options(d)
    d.add_argument("files", nargs="+", type=Path, metavar="FILE")
    d.set_defaults(handler=cmd_import_discord)
    s = kinds.add_parser("slack-export", help="a Slack workspace export (folder or zip)")
    global_options(s)
    s.add_argument("path", type=Path, metavar="DIR_OR_ZIP")
    s.add_argument("--team", metavar="TEAM_ID", help="the workspace id, if users.json lacks it")
    s.set_defaults(handler=cmd_import_slack)

    p = command("purge", "delete logged discussion older than an age (default: retention_days)")
    p.add_argument("--older-than", metavar="AGE", help="e.g. 180d, 26w, 1y")
    p.set_defaults(handler=cmd_purge)

    p = command("forget", "remove one person's messages and questions everywhere")
    p.add_argument("user_id", metavar="USER_ID")
    p.add_argument("--guild", metavar="ID", help="only in this Discord guild / Slack team")
    p.set_defaults(handler=cmd_forget)


def write_files(files: Sequence[DigestFile], out: Path | None, fmt: str) -> list[Path]:
    """Print a single md/json digest when no --out is given; otherwise write file(s)."""
    if out is None and fmt in PRINTABLE and len(files) == 1:
        sys.stdout.write(files[0].data.decode())
        return []
    if out is not None and not out.is_dir():
        if len(files) != 1:
            raise SeminarError(f"This format makes {len(files)} files; give a folder to --out.")
        targets = [out]
    else:
        folder = out or Path.cwd()
        targets = [folder / f.filename for f in files]
    written = []
    for f, target in zip(files, targets, strict=True):
        try:
            target.write_bytes(f.data)
        except OSError as exc:
            raise SeminarError(f"Cannot write {target}: {exc.strerror or exc}") from None
        written.append(target)
    return written


def cmd_digest(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    course = service.scope("cli", args.guild)
    # the passages a digest points at must be indexed
    formatting.print_warnings(course.ensure_index().warnings)
    files = course.digest_files(digest_options(args), args.format)
    for path in write_files(files, args.out, args.format):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_import_discord(args: argparse.Namespace, service: SeminarService,
                       settings: Settings) -> int:
    report = service.import_discord_export(args.files)
    print(report.summary())
    return 0


def cmd_import_slack(args: argparse.Namespace, service: SeminarService,
                     settings: Settings) -> int:
    report = service.import_slack_export(args.path, team=args.team)
    formatting.print_warnings(report.warnings)
    print(report.summary())
    return 0


def cmd_purge(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    age = args.older_than or settings.retention_days
    if not age:
        raise SeminarError("Say how old: purge --older-than 180d (or set SEMINAR_RETENTION_DAYS).")
    report = service.purge(age)
    print(f"deleted {report.messages} message(s) logged before {report.cutoff[:10]}")
    return 0


def cmd_forget(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    removed = service.forget(args.user_id, args.guild)
    print(f"removed {removed} message(s) by {args.user_id.strip()} and their bot questions")
    return 0


class _ConsoleParser(argparse.ArgumentParser):
    """argparse for a console line: a mistake is a message, not an exit."""

    def error(self, message: str) -> NoReturn:
        raise SeminarError(f"/digest: {message}. Options: {self.format_usage().strip()}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise SeminarError(message or self.format_help())


def console_digest(service: SeminarService, arg: str) -> str:
    """The console's `/digest [options]`: Markdown printed, other formats written to --out."""
    parser = _ConsoleParser(prog="/digest", add_help=False)
    add_digest_options(parser)
    try:
        args = parser.parse_args(shlex.split(arg))
    except ValueError as exc:
        raise SeminarError(f"/digest: {exc}") from None
    files = service.scope("console", args.guild).digest_files(digest_options(args), args.format)
    if args.out is None and args.format in PRINTABLE:
        return files[0].data.decode().rstrip()
    written = write_files(files, args.out, args.format)
    return "\n".join(f"wrote {p}" for p in written)
