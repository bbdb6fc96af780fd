"""The local console: the bot's commands over stdin/stdout, one line at a time.

What `make run` opens when no Discord or Slack token is set. It reads line by line, so it works
interactively and piped (`printf '/readings\n' | seminar-bot console`). A plain line is a
question; `/command args` runs a command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from bot import formatting
from bot.cli_digest import console_digest
from bot.core.errors import SeminarError
from bot.core.service import SeminarService

HELP = """Type a question, or one of:
  /ask QUESTION        passages of the readings that answer it
  /readings            what is indexed
  /passage ID          one passage with its neighbours
  /digest [OPTIONS]    the discussion digest (--since, --until, --channel, --anonymize,
                       --format md|csv|json|html --out FILE)
  /help                this list
  /quit                leave (Ctrl-D works too)"""


class Console:
    def __init__(self, service: SeminarService) -> None:
        self.service = service
        self.commands: dict[str, Callable[[str], str]] = {
            "ask": self.ask,
            "readings": lambda _arg: formatting.readings_text(self.service.readings()),
            "passage": self.passage,
            "digest": lambda arg: console_digest(self.service, arg),
            "help": lambda _arg: HELP,
        }

    def ask(self, question: str) -> str:
        return formatting.answer_text(self.service.ask(question, top=3))

    def passage(self, arg: str) -> str:
        if not arg.strip():
            raise SeminarError("Usage: /passage ID (ids are shown next to every answer)")
        return formatting.passage_text(*self.service.passage(arg.strip()))

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
            return f"Unknown command /{name}. " + HELP
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
