"""Instructor commands of the CLI: `digest`, `import`, `purge`, `forget`.

Kept beside bot/cli.py (which registers them) so the digest's options are declared once and
shared with the console's `/digest`. The CLI works on the database file the instructor holds;
in Discord only instructors reach the same core functions.
"""

from __future__ import annotations

import argparse
import io
import os
import shlex
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from bot import formatting
from bot.core.errors import SeminarError
from bot.core.models import DIGEST_FORMATS, DIGEST_TABLES, DigestFile, DigestOptions, ImportReport
from bot.core.service import CourseScope, SeminarService
from bot.settings import Settings

Command = Callable[[str, str], argparse.ArgumentParser]
# Formats printed when no --out is given (CSV prints one table); HTML is written to a file.
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
    p.add_argument("--timezone", metavar="ZONE",
                   help="IANA time zone for days and times (default: SEMINAR_TIMEZONE, else UTC)")
    p.add_argument("--staff", nargs="+", default=[], metavar="ID",
                   help="user ids of instructors and TAs, besides SEMINAR_STAFF and logged roles")
    p.add_argument("--out", metavar="FILE",
                   help="write here (a file, or a folder); md/json/csv print otherwise. CSV: "
                        "x.csv is one table (--table), x.zip or a folder every table")
    p.add_argument("--table", choices=DIGEST_TABLES, metavar="TABLE",
                   help=f"the CSV table to print or write to x.csv: {', '.join(DIGEST_TABLES)} "
                        "(default: participants)")


def digest_options(args: argparse.Namespace) -> DigestOptions:
    """The options as typed; the guild is the scope's (`--guild`, or the whole database)."""
    return DigestOptions(since=args.since, until=args.until, channel=args.channel,
                         anonymize=args.anonymize, timezone=args.timezone,
                         staff=tuple(args.staff))


def register(command: Command, global_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the commands; `global_options` lets `--db`/`--readings` follow nested commands too."""
    p = command("digest", "an instructor digest of the logged discussion")
    add_digest_options(p)
    p.set_defaults(handler=cmd_digest)

    p = command("import", "import discussion from existing exports (idempotent)")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    d = kinds.add_parser(
        "discord-export",
        help="DiscordChatExporter JSON: files, folders (searched recursively) or zips",
        description="Import DiscordChatExporter JSON exports: files, folders (searched "
        "recursively) or zips. Exit code 0, 1 when some files could not be read (each is named), "
        "2 when none could.",
    )
    global_options(d)
    d.add_argument("files", nargs="+", type=Path, metavar="PATH")
    _staff_option(d)
    d.set_defaults(handler=cmd_import_discord)
    s = kinds.add_parser("slack-export", help="a Slack workspace export (folder or zip)")
    global_options(s)
    s.add_argument("path", type=Path, metavar="DIR_OR_ZIP")
    s.add_argument("--team", metavar="TEAM_ID", help="the workspace id, if users.json lacks it")
    _staff_option(s)
    s.set_defaults(handler=cmd_import_slack)

    p = command("purge", "delete logged discussion older than an age (default: retention_days)")
    p.add_argument("--older-than", metavar="AGE", help="e.g. 180d, 26w, 1y")
    p.set_defaults(handler=cmd_purge)

    p = command("forget", "remove one person's messages and questions everywhere")
    p.add_argument("user_id", metavar="USER_ID")
    p.add_argument("--guild", metavar="ID", help="only in this Discord guild / Slack team")
    p.set_defaults(handler=cmd_forget)


def _staff_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--staff", nargs="+", default=[], metavar="ID",
                   help="user ids of instructors and TAs (also SEMINAR_STAFF): reported apart "
                   "from students in digests")


def import_progress(stream: TextIO) -> Callable[[int, int, str], None] | None:
    """A bar of the bytes read, on a terminal only (a log file gets just the summary)."""
    if not stream.isatty():
        return None

    def show(done: int, total: int, label: str) -> None:
        filled = int(24 * done / max(total, 1))
        stream.write(f"\rimporting [{'#' * filled}{'.' * (24 - filled)}] "
                     f"{done / 1e6:,.0f}/{total / 1e6:,.0f} MB {label[:40]:<40}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def _import_done(report: ImportReport) -> int:
    formatting.print_warnings(report.warnings)
    print(report.summary())
    return 1 if report.bad_files else 0


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


def _is_folder(out: Path, typed: str) -> bool:
    return out.is_dir() or typed.endswith(("/", os.sep))


def csv_digest(course: CourseScope, opts: DigestOptions, out: Path | None,
               table: str | None, *, typed: str = "") -> tuple[bytes | None, list[Path]]:
    """A CSV digest where a spreadsheet opens it: one table as CSV text (no --out) or as
    x.csv, every table (or the --table one) as CSV files in a folder, or all in x.zip.
    Returns the CSV to print, if any, and the files written."""
    if out is None:
        [single] = course.digest_tables(opts, [table or DIGEST_TABLES[0]])
        return single.data, []
    if _is_folder(out, typed):
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SeminarError(f"Cannot create the folder {out}: {exc.strerror or exc}") from None
        files = course.digest_tables(opts, [table] if table else DIGEST_TABLES)
        return None, write_files(files, out, "csv")
    suffix = out.suffix.lower()
    if suffix == ".zip":
        if table:
            raise SeminarError("A zip holds every table; leave out --table, or write one "
                               "table to a .csv file.")
        return None, write_files(course.digest_files(opts, "csv"), out, "csv")
    if suffix == ".csv":
        return None, write_files(course.digest_tables(opts, [table or DIGEST_TABLES[0]]), out,
                                 "csv")
    raise SeminarError(f"--out {out}: a CSV digest goes to a .csv file (one table, chosen with "
                       "--table), a .zip or a folder (every table).")


def _print_csv(data: bytes) -> None:
    """CSV on stdout; the BOM spreadsheets need only when stdout is a file (`> d.csv`)."""
    if not _is_regular_file(sys.stdout):
        data = data.removeprefix("\ufeff".encode())
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def _is_regular_file(stream: TextIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


def cmd_digest(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    course = service.scope("cli", args.guild)
    # the passages a digest points at must be indexed
    formatting.print_warnings(course.new_warnings(course.ensure_index().warnings))
    data, written = make_digest(course, args)
    if data is not None:
        if args.format == "csv":
            _print_csv(data)
        else:
            sys.stdout.write(data.decode())
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def make_digest(course: CourseScope, args: argparse.Namespace) -> tuple[bytes | None, list[Path]]:
    """The digest the options ask for: the text to print (md, json, one CSV table) when no
    --out is given, else the files written."""
    if args.table and args.format != "csv":
        raise SeminarError("--table picks one table of a CSV digest: add --format csv.")
    out = Path(args.out) if args.out else None
    if args.format == "csv":
        return csv_digest(course, digest_options(args), out, args.table, typed=args.out or "")
    files = course.digest_files(digest_options(args), args.format)
    if out is None and args.format in PRINTABLE:
        return files[0].data, []
    return None, write_files(files, out, args.format)


def cmd_import_discord(args: argparse.Namespace, service: SeminarService,
                       settings: Settings) -> int:
    report = service.import_discord_export(
        args.files, staff=[*settings.staff_ids, *args.staff],
        progress=import_progress(sys.stderr),
    )
    return _import_done(report)


def cmd_import_slack(args: argparse.Namespace, service: SeminarService,
                     settings: Settings) -> int:
    report = service.import_slack_export(
        args.path, team=args.team, staff=[*settings.staff_ids, *args.staff],
        progress=import_progress(sys.stderr),
    )
    return _import_done(report)


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
    """The console's `/digest [options]`: Markdown, JSON or a CSV table printed, files
    written to --out as on the command line."""
    parser = _ConsoleParser(prog="/digest", add_help=False)
    add_digest_options(parser)
    try:
        args = parser.parse_args(shlex.split(arg))
    except ValueError as exc:
        raise SeminarError(f"/digest: {exc}") from None
    data, written = make_digest(service.scope("console", args.guild), args)
    if data is not None:
        return data.decode("utf-8-sig").rstrip()
    return "\n".join(f"wrote {p}" for p in written)
