"""The local console: the bot's commands over stdin/stdout, one line at a time.

What `make run` opens when no Discord or Slack token is set. On a terminal it behaves like one
(line editing and history through readline, Ctrl-D or `quit` to leave); piped, it reads line by
line (`printf '/readings\n' | seminar-bot console`), and a byte that is not UTF-8 is replaced,
never fatal. A plain line is a question; `/command args` runs a command, and the bare words
`help`, `quit`, `exit` and `clear` are the commands they name, not questions.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from types import ModuleType
from typing import Final, TextIO, TypeVar

from bot import formatting
from bot.cli_digest import console_digest
from bot.core.errors import DatabaseBusy, SeminarError
from bot.core.models import ChannelInfo, LoggedMessage, clean_text, now_iso
from bot.core.presentation import (
    ResultView,
    help_entries,
    passage_view,
    readings_view,
    result_view,
)
from bot.core.service import SeminarService

T = TypeVar("T")


def help_text() -> str:
    """The console's commands, from the one registry every surface's help is written from."""
    lines = ["Type a question, or one of:"]
    for usage, what in help_entries(CONSOLE):
        lines.append(f"  {usage:<20} {what}" if len(usage) <= 20 else f"  {usage}\n{'':23}{what}")
    return "\n".join(lines)


CONSOLE: Final = "console"  # the platform, and the one "server" the console simulates
# Lines that are commands without their slash: nobody asks the readings "help".
BARE_COMMANDS: Final = frozenset({"help", "quit", "exit", "clear"})
# How long a /say waits for a database another program holds (seconds between tries); then
# the message waits in memory and is stored before the next line is handled, or at exit.
RETRY_DELAYS: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0)
HISTORY_FILE = Path("~/.seminar_bot_history")
CLEAR_SCREEN = "\x1b[H\x1b[2J"


def console_user() -> str:
    """Who is typing: SEMINAR_USER, else the login name (a container has no useful one)."""
    name = os.environ.get("SEMINAR_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid with no passwd entry
        return "student"


def console_message(thread: str, text: str, author: str) -> LoggedMessage:
    """A console line as a log record: ids are unique and sort by time, like snowflakes."""
    return LoggedMessage(
        id=f"console:{time.time_ns()}:{uuid.uuid4().hex[:8]}",
        platform=CONSOLE,
        guild_id=CONSOLE,
        channel_id=f"console:{thread}",
        parent_id=None,
        author_id=author,
        author_name=author,
        content=text,
        created_at=now_iso(),
        source=CONSOLE,
    )


def retrying(write: Callable[[], Future[T]], delays: tuple[float, ...]) -> T:
    """`write()`'s result, trying again while another program holds the database."""
    for delay in delays:
        try:
            return write().result()
        except DatabaseBusy:
            time.sleep(delay)
    return write().result()


class Console:
    def __init__(
        self,
        service: SeminarService,
        *,
        author: str | None = None,
        term: formatting.Terminal = formatting.PLAIN,
    ) -> None:
        self.service = service
        self.course = service.scope(CONSOLE, CONSOLE)
        self.author = author or console_user()
        self.term = term
        self.on_screen = False  # set by run(): stdout is a terminal
        self.lines_read = 0
        self.pending: list[tuple[str, LoggedMessage]] = []  # /say lines a busy database held up
        self.commands: dict[str, Callable[[str], str]] = {
            "ask": self.ask,
            "readings": lambda _arg: formatting.readings_text(
                readings_view(self.course.readings()), self.term),
            "passage": self.passage,
            "cite": self.cite,
            "quote": self.quote,
            "say": self.say,
            "digest": lambda arg: console_digest(self.service, arg),
            "clear": lambda _arg: CLEAR_SCREEN if self.on_screen else "",
            "help": lambda _arg: help_text(),
        }

    def _shown(self, view: ResultView) -> str:
        """Log the lookup as Discord does, so the digest's bot usage covers the console too."""
        self.course.record_query(
            kind=view.kind, query=view.query, results=view.passage_ids, user_id=self.author,
            confident=view.confident,
        ).result()
        return formatting.result_text(view, self.term)

    def ask(self, question: str) -> str:
        return self._shown(result_view(self.course.ask(question, top=3)))

    def quote(self, text: str) -> str:
        return self._shown(result_view(self.course.quote(text)))

    def passage(self, arg: str) -> str:
        if not arg.strip():
            raise SeminarError("Usage: /passage ID (ids are shown next to every answer)")
        return formatting.passage_text(passage_view(*self.course.passage(arg.strip())), self.term)

    def cite(self, arg: str) -> str:
        """A passage id asks how to cite its reading; anything else names a source."""
        if self.course.is_passage_id(arg):
            return formatting.how_to_cite_text(self.course.how_to_cite(arg), self.term)
        return self._shown(result_view(self.course.cite(arg), self.course.reference_labels()))

    def say(self, arg: str) -> str:
        """Post into a local discussion thread, through the same log functions as Discord."""
        thread, _, text = clean_text(arg).partition(" ")  # echoed too: no lone surrogates
        if not thread or not text.strip():
            raise SeminarError("Usage: /say THREAD TEXT, e.g. /say week-3 I think regimes matter")
        message = console_message(thread, text.strip(), self.author)
        shown = f"[{thread}] {self.author}: {text.strip()}"
        try:
            stored = self._store(thread, message)
        except DatabaseBusy:
            self.pending.append((thread, message))
            return shown + " (the database is busy: kept, and stored as soon as it is free)"
        return shown + ("" if stored else " (not stored: opted out)")

    def _store(self, thread: str, message: LoggedMessage) -> int:
        retrying(lambda: self.service.record_channel(
            ChannelInfo(message.channel_id, CONSOLE, CONSOLE, name=thread, kind="thread")),
            RETRY_DELAYS)
        return retrying(lambda: self.service.record_messages([message]), RETRY_DELAYS)

    def store_pending(self, *, final: bool = False) -> str:
        """Store the /say lines a busy database held up, in order; what to tell the user."""
        while self.pending:
            thread, message = self.pending[0]
            try:
                self._store(thread, message)
            except DatabaseBusy:
                if not final:
                    return ""
                return (f"! {len(self.pending)} /say message(s) could not be stored: the "
                        "database stayed locked by another program.")
            self.pending.pop(0)
        return ""

    def handle(self, line: str) -> str | None:
        """The reply to one input line; None means leave."""
        line = line.strip()
        if not line:
            return ""
        if self.pending:
            self.store_pending()
        if line.lower() in BARE_COMMANDS:
            line = "/" + line.lower()
        if not line.startswith("/"):
            return self.ask(line)
        name, _, arg = line[1:].partition(" ")
        name = name.lower()
        if name in ("quit", "exit"):
            return None
        handler = self.commands.get(name)
        if handler is None:
            return f"Unknown command /{name}. " + help_text()
        return handler(arg.strip())

    def run(self, stdin: TextIO, stdout: TextIO) -> int:
        with contextlib.suppress(AttributeError, io.UnsupportedOperation, ValueError):
            stdin.reconfigure(errors="replace")  # type: ignore[attr-defined]
        interactive = stdin.isatty()
        self.on_screen = stdout.isatty()
        if interactive:
            stdout.write("Seminar Bot console. Type a question, help for commands, "
                         "quit (or Ctrl-D) to leave.\n")
        try:
            for line in _lines(stdin, stdout, interactive=interactive):
                self.lines_read += 1
                try:
                    reply = self.handle(line)
                except SeminarError as exc:
                    reply = f"! {exc}"
                if reply is None:
                    break
                if reply:
                    stdout.write(reply + ("" if reply == CLEAR_SCREEN else "\n\n"))
                    stdout.flush()
        finally:
            left = self.store_pending(final=True)
            if left:
                stdout.write(left + "\n")
        return 0


def _lines(stdin: TextIO, stdout: TextIO, *, interactive: bool) -> Iterator[str]:
    """Input lines: with line editing and history at a terminal, else as they come."""
    if not interactive:
        yield from iter(stdin.readline, "")
        return
    editing = _start_readline() if stdin is sys.stdin and stdout is sys.stdout else None
    try:
        while True:
            try:
                if editing is None:
                    stdout.write("> ")
                    stdout.flush()
                    line = stdin.readline()
                    if not line:
                        raise EOFError
                    yield line
                else:
                    yield input("> ")
            except EOFError:
                stdout.write("\n")
                return
            except KeyboardInterrupt:  # Ctrl-C drops the line being typed, as in a shell
                stdout.write("\n")
    finally:
        if editing is not None:
            _save_history(editing)


def _start_readline() -> ModuleType | None:
    """readline (arrow keys, Ctrl-R, history kept across sessions), where Python has it."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input() still works
        return None
    readline.set_history_length(1000)
    with contextlib.suppress(OSError):
        readline.read_history_file(str(HISTORY_FILE.expanduser()))
    return readline


def _save_history(readline: ModuleType) -> None:
    """The history file holds what was typed: readable by its owner only, like a shell's."""
    path = HISTORY_FILE.expanduser()
    with contextlib.suppress(OSError):
        readline.write_history_file(str(path))
        path.chmod(0o600)
