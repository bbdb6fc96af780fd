"""The local console: the bot's commands over stdin/stdout, one line at a time.

What `make run` opens when no Discord or Slack token is set. It reads line by line, so it works
interactively and piped (`printf '/readings\n' | seminar-bot console`). A plain line is a
question; `/command args` runs a command.
"""

from __future__ import annotations

import getpass
import time
import uuid
from collections.abc import Callable
from typing import Final, TextIO

from bot import formatting
from bot.cli_digest import console_digest
from bot.core.errors import SeminarError
from bot.core.models import ChannelInfo, LoggedMessage, now_iso
from bot.core.presentation import (
    ResultView,
    help_entries,
    passage_view,
    readings_view,
    result_view,
)
from bot.core.service import SeminarService


def help_text() -> str:
    """The console's commands, from the one registry every surface's help is written from."""
    lines = ["Type a question, or one of:"]
    for usage, what in help_entries(CONSOLE):
        lines.append(f"  {usage:<20} {what}" if len(usage) <= 20 else f"  {usage}\n{'':23}{what}")
    return "\n".join(lines)


CONSOLE: Final = "console"  # the platform, and the one "server" the console simulates


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


class Console:
    def __init__(self, service: SeminarService, *, author: str | None = None) -> None:
        self.service = service
        self.course = service.scope(CONSOLE, CONSOLE)
        self.author = author or getpass.getuser()
        self.commands: dict[str, Callable[[str], str]] = {
            "ask": self.ask,
            "readings": lambda _arg: formatting.readings_text(readings_view(self.course.readings())),
            "passage": self.passage,
            "cite": self.cite,
            "quote": self.quote,
            "say": self.say,
            "digest": lambda arg: console_digest(self.service, arg),
            "help": lambda _arg: help_text(),
        }

    def _shown(self, view: ResultView) -> str:
        """Log the lookup as Discord does, so the digest's bot usage covers the console too."""
        self.course.record_query(
            kind=view.kind, query=view.query, results=view.passage_ids, user_id=self.author
        ).result()
        return formatting.result_text(view)

    def ask(self, question: str) -> str:
        return self._shown(result_view(self.course.ask(question, top=3)))

    def quote(self, text: str) -> str:
        return self._shown(result_view(self.course.quote(text)))

    def passage(self, arg: str) -> str:
        if not arg.strip():
            raise SeminarError("Usage: /passage ID (ids are shown next to every answer)")
        return formatting.passage_text(passage_view(*self.course.passage(arg.strip())))

    def cite(self, arg: str) -> str:
        """A passage id asks how to cite its reading; anything else names a source."""
        if self.course.is_passage_id(arg):
            return formatting.how_to_cite_text(self.course.how_to_cite(arg))
        return self._shown(result_view(self.course.cite(arg)))

    def say(self, arg: str) -> str:
        """Post into a local discussion thread, through the same log functions as Discord."""
        thread, _, text = arg.partition(" ")
        if not thread or not text.strip():
            raise SeminarError("Usage: /say THREAD TEXT, e.g. /say week-3 I think regimes matter")
        message = console_message(thread, text.strip(), self.author)
        self.service.record_channel(
            ChannelInfo(message.channel_id, CONSOLE, CONSOLE, name=thread, kind="thread")
        ).result()
        stored = self.service.record_messages([message]).result()
        return f"[{thread}] {self.author}: {text.strip()}" + ("" if stored else " (not stored: opted out)")

    def handle(self, line: str) -> str | None:
        """The reply to one input line; None means leave."""
        line = line.strip()
        if not line:
            return ""
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
        interactive = stdin.isatty()
        if interactive:
            stdout.write("Seminar Bot console. Type a question, /help for commands.\n")
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                return 0
            try:
                reply = self.handle(line)
            except SeminarError as exc:
                reply = f"! {exc}"
            if reply is None:
                return 0
            if reply:
                stdout.write(reply + "\n\n")
                stdout.flush()
