"""The command line: `seminar-bot index | ask | cite | quote | readings | passage | console | run`.

User mistakes (an empty question, a missing folder, a locked database) end with one clear line
on stderr and exit code 2, never a traceback. Every command first brings the index up to date,
so a fresh checkout answers questions with no separate indexing step.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot import cli_digest, formatting
from bot.console import Console
from bot.core.errors import DatabaseDamaged, DatabaseUnavailable, SeminarError
from bot.core.presentation import passage_view, readings_view, result_view
from bot.core.service import CourseScope, SeminarService
from bot.settings import Settings, load_settings

PLATFORM = "cli"


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--readings", type=Path, default=default, metavar="DIR",
                        help="readings folder (default: knowledge/, env SEMINAR_READINGS)")
    parser.add_argument("--db", type=Path, default=default, metavar="PATH",
                        help="SQLite database (default: seminar.db, env SEMINAR_DB)")


def _output_options(parser: argparse.ArgumentParser, items: str) -> None:
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--jsonl", action="store_true",
                     help=f"read {items} from stdin, one per line; write one JSON object per line")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seminar-bot",
        description="Answers seminar questions from the assigned readings.",
    )
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(p, suppress=True)
        return p

    p = command("index", "index the readings folder (only what changed)")
    p.add_argument("--rebuild", action="store_true", help="re-index everything from scratch")
    p.set_defaults(handler=cmd_index)

    p = command("ask", "answer a question from the readings")
    p.add_argument("question", nargs="*", help="the question (omit with --jsonl to read stdin)")
    p.add_argument("--top", type=int, default=3, help="how many passages to show (default 3)")
    p.add_argument("--reading", help="only search this reading (id or part of its title)")
    _output_options(p, "questions")
    p.set_defaults(handler=cmd_ask)

    p = command("cite", "find a reference-list entry and every passage citing it")
    p.add_argument("query", nargs="*", help='e.g. "Krasner 1999" (omit with --jsonl to read stdin)')
    p.add_argument("--passage", metavar="ID", help="instead: how to cite the reading of passage ID")
    _output_options(p, "queries")
    p.set_defaults(handler=cmd_cite)

    p = command("quote", "find where a (possibly misremembered) quote comes from")
    p.add_argument("quote", nargs="*", help="the quote (omit with --jsonl to read stdin)")
    p.add_argument("--top", type=int, default=3, help="how many places to consider (default 3)")
    _output_options(p, "quotes")
    p.set_defaults(handler=cmd_quote)

    p = command("readings", "list the indexed readings")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_readings)

    p = command("passage", "show one passage with its neighbours")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_passage)

    p = command("console", "the local console: type questions or /commands")
    p.set_defaults(handler=cmd_console)

    p = command("run", "start the bot (Discord or Slack if configured, else the console)")
    p.add_argument("--slack", action="store_true", help="run the Slack app")
    p.add_argument("--discord", action="store_true", help="run the Discord bot")
    p.set_defaults(handler=cmd_run)
    cli_digest.register(command, lambda p: _global_options(p, suppress=True))
    return parser


# -- progress ------------------------------------------------------------------------------


def progress_printer(stream: TextIO) -> Callable[[str, int, int], None]:
    """A bar on a terminal; plain lines when output goes to a file or pipe."""
    tty = stream.isatty()

    def show(name: str, done: int, total: int) -> None:
        if tty:
            filled = int(24 * done / max(total, 1))
            stream.write(f"\rindexing [{'#' * filled}{'.' * (24 - filled)}] {done}/{total} {name[:40]:<40}")
            if done == total:
                stream.write("\n")
        else:
            stream.write(f"indexing {done}/{total}: {name}\n")
        stream.flush()

    return show


def local_course(service: SeminarService) -> CourseScope:
    """The course the command line works on: the default one, over the whole database."""
    return service.scope(PLATFORM, None)


def _refresh(service: SeminarService, *, quiet: bool = True) -> CourseScope:
    """The local course, brought up to date first (warnings on stderr)."""
    course = local_course(service)
    report = course.ensure_index(progress=None if quiet else progress_printer(sys.stderr))
    formatting.print_warnings(report.warnings)
    return course


# -- commands ------------------------------------------------------------------------------


def cmd_index(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    """Every configured course (SEMINAR_COURSES), not only the one the other commands use."""
    for course in service.courses:
        report = service.ensure_index(
            course, rebuild=args.rebuild, progress=progress_printer(sys.stderr)
        )
        formatting.print_warnings(report.warnings)
        # stdout stays clean for tools that read JSON from this CLI
        prefix = f"{course}: " if len(service.courses) > 1 else ""
        print(prefix + report.summary(), file=sys.stderr)
    return 0


def _stdin_lines() -> Iterator[str]:
    for line in sys.stdin:
        yield line.rstrip("\n")


def _batch(words: list[str], run: Callable[[str], dict[str, Any]],
           empty: Callable[[str, str], dict[str, Any]]) -> int:
    """--jsonl: one JSON line per stdin line; a bad line answers with its error, never stops."""
    if words:
        raise SeminarError("--jsonl reads from stdin, one per line; leave out the argument")
    for line in _stdin_lines():
        try:
            record = run(line)
        except SeminarError as exc:
            record = empty(line, str(exc))
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def cmd_ask(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    course = _refresh(service)
    if args.jsonl:
        return _batch(
            args.question,
            lambda q: formatting.answer_json(course.ask(q, top=args.top, reading=args.reading)),
            lambda q, e: {"query": q, "results": [], "error": e},
        )
    answer = course.ask(" ".join(args.question), top=args.top, reading=args.reading)
    if args.json:
        print(json.dumps(formatting.answer_json(answer), ensure_ascii=False, indent=2))
    else:
        print(formatting.answer_text(result_view(answer)))
    return 0


def cmd_cite(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    course = _refresh(service)
    if args.passage:
        refs = course.how_to_cite(args.passage)
        print(json.dumps(refs, ensure_ascii=False, indent=2) if args.json
              else formatting.how_to_cite_text(refs))
        return 0
    if args.jsonl:
        return _batch(args.query, lambda q: formatting.cite_json(course.cite(q)),
                      lambda q, e: {"query": q, "matches": [], "error": e})
    result = course.cite(" ".join(args.query))
    print(json.dumps(formatting.cite_json(result), ensure_ascii=False, indent=2) if args.json
          else formatting.cite_text(result_view(result)))
    return 0


def cmd_quote(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    course = _refresh(service)
    if args.jsonl:
        return _batch(args.quote,
                      lambda q: formatting.quote_json(course.quote(q, top=args.top)),
                      lambda q, e: {"query": q, "matches": [], "error": e})
    result = course.quote(" ".join(args.quote), top=args.top)
    print(json.dumps(formatting.quote_json(result), ensure_ascii=False, indent=2) if args.json
          else formatting.quote_text(result_view(result)))
    return 0


def cmd_readings(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    course = _refresh(service)
    readings = course.readings()
    if args.json:
        counts = course.reference_counts()
        print(json.dumps([formatting.reading_json(r) | {"passages": r.passages, "year": r.year,
                                                         "references": counts.get(r.id, 0)}
                          for r in readings], ensure_ascii=False, indent=2))
    else:
        print(formatting.readings_text(readings_view(readings)))
    return 0


def cmd_passage(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    passage, reading, around = _refresh(service).passage(args.id)
    if args.json:
        print(json.dumps({
            "passage_id": passage.id, "text": passage.text, "kind": passage.kind,
            "reading": formatting.reading_json(reading), "section": passage.section,
            "paragraph": passage.paragraph, "page": passage.page,
            "notes": list(passage.note_ids), "note_to": passage.parent_id,
            "neighbours": [p.id for p in around],
        }, ensure_ascii=False, indent=2))
    else:
        print(formatting.passage_text(passage_view(passage, reading, around)))
    return 0


def cmd_console(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    _refresh(service, quiet=not sys.stderr.isatty())
    return Console(service).run(sys.stdin, sys.stdout)


def cmd_run(args: argparse.Namespace, service: SeminarService, settings: Settings) -> int:
    """Discord and Slack index every course they serve as they start (see their docs)."""
    if args.slack or (not args.discord and settings.slack_bot_token and not settings.discord_token):
        from bot.slack_app import run_slack

        run_slack(settings, service)
        return 0
    if args.discord or settings.discord_token:
        from bot.discord_app import run_discord

        return int(run_discord(settings, service) or 0)
    print("No DISCORD_TOKEN or SLACK_BOT_TOKEN set: opening the local console.", file=sys.stderr)
    reports = service.ensure_all(progress=progress_printer(sys.stderr))
    formatting.print_warnings(w for report in reports.values() for w in report.warnings)
    return Console(service).run(sys.stdin, sys.stdout)


# -- entry point ---------------------------------------------------------------------------


def make_service(args: argparse.Namespace, settings: Settings) -> SeminarService:
    readings = args.readings or settings.readings_dir
    db = Path(args.db or settings.db_path)
    courses = settings.course_map()
    courses["default"] = Path(readings)
    try:
        return SeminarService(db, courses, guild_courses=settings.guild_courses())
    except DatabaseDamaged:
        if not (args.command == "index" and args.rebuild and db.is_file()):
            raise
    # `index --rebuild` on a damaged file: keep it aside for forensics, start a fresh one.
    aside = db.with_name(f"{db.name}.damaged-{int(time.time())}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{db}{suffix}")
        if part.exists():
            part.rename(f"{aside}{suffix}")
    print(f"warning: {db} was damaged; moved it to {aside} and rebuilt the index", file=sys.stderr)
    return SeminarService(db, courses, guild_courses=settings.guild_courses())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        service = make_service(args, settings)
        try:
            return int(args.handler(args, service, settings))
        finally:
            service.close()
    except DatabaseUnavailable as exc:
        # Students never see the file's path; the person at this terminal is the one to fix it.
        print(f"seminar-bot: {exc} (database file: {exc.path})", file=sys.stderr)
        return 2
    except SeminarError as exc:
        print(f"seminar-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `seminar-bot ask ... | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
