"""The console as a terminal program: bare help/quit/clear, bytes that are not UTF-8, a /say
kept through a busy database, the user's name, and line editing through readline."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest

from bot import console as console_module
from bot.console import CLEAR_SCREEN, Console, console_user, help_text
from bot.core.errors import DatabaseBusy
from bot.core.service import SeminarService

CLI = [sys.executable, "-m", "bot"]


def test_bare_words_are_commands_not_questions(sample_service: SeminarService) -> None:
    console = Console(sample_service, author="ana")
    assert console.handle("help") == help_text() == console.handle("  HELP ")
    assert console.handle("clear") == ""  # nothing to clear when piped
    console.on_screen = True
    assert console.handle("clear") == CLEAR_SCREEN
    assert console.handle("exit") is None and console.handle("quit") is None
    out = io.StringIO()
    assert console.run(io.StringIO("quit\nwhy do water treaties last?\n"), out) == 0
    assert out.getvalue() == ""  # nothing after quit was read


def test_bytes_that_are_not_utf8_are_replaced_and_the_rest_is_read(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    proc = subprocess.run(
        [*CLI, "--readings", str(knowledge_dir), "--db", str(tmp_path / "x.db"), "console"],
        input=b"hello \xff\xfe\n/readings\n", capture_output=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"water-treaties-and-trust" in proc.stdout  # the line after the bad bytes ran


def test_a_say_waits_for_a_busy_database_instead_of_being_dropped(
    sample_service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console_module, "RETRY_DELAYS", (0.0, 0.0))
    real = sample_service.record_messages
    busy = {"left": 2}

    def record(messages):  # type: ignore[no-untyped-def]
        if busy["left"]:
            busy["left"] -= 1
            failed: Future[int] = Future()
            failed.set_exception(DatabaseBusy("locked by another program"))
            return failed
        return real(messages)

    monkeypatch.setattr(sample_service, "record_messages", record)
    console = Console(sample_service, author="ana")
    assert console.handle("/say week-1 kept, not dropped") == "[week-1] ana: kept, not dropped"
    busy["left"] = 10  # busy past every retry: held, then stored once the lock is gone
    reply = console.handle("/say week-1 second")
    assert reply is not None and "kept, and stored as soon as it is free" in reply
    busy["left"] = 0
    console.handle("/readings")
    with sample_service.db.read() as conn:
        stored = [r[0] for r in conn.execute("SELECT content FROM messages ORDER BY created_at")]
    assert stored == ["kept, not dropped", "second"] and not console.pending


def test_the_console_user_is_seminar_user_or_the_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEMINAR_USER", "  ana  ")
    assert console_user() == "ana"
    monkeypatch.delenv("SEMINAR_USER")
    monkeypatch.setattr("getpass.getuser", lambda: "ben")
    assert console_user() == "ben"


DRIVER = """
import os, pty, select, sys, time
readings, db = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "bot", "--readings", readings, "--db", db,
                              "--no-color", "console"])
out = b""
def read(until):
    global out
    end = time.time() + 60
    while until not in out and time.time() < end:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
done = b"passages]\\r\\n\\r\\n> "
read(b"> ")
os.write(fd, b"/readings\\r")
read(done)
out = b""
os.write(fd, b"\\x1b[A\\r")  # Up, Enter
read(done)
os.write(fd, b"quit\\r")
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
"""


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_on_a_terminal_up_arrow_recalls_the_last_line(tmp_path: Path, knowledge_dir: Path) -> None:
    """Through a real pseudo-terminal: readline edits the line, so the Up arrow brings back the
    previous command instead of sending "^[[A" as a question; the history is kept."""
    env = os.environ | {"HOME": str(tmp_path), "TERM": "xterm"}
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(knowledge_dir),
                           str(tmp_path / "x.db")], capture_output=True, text=True,
                          timeout=120, env=env, cwd=Path(__file__).parents[1])
    assert "water-treaties-and-trust" in proc.stdout, proc.stdout + proc.stderr
    assert "Nothing convincing" not in proc.stdout  # the arrow was not asked as a question
    history = (tmp_path / ".seminar_bot_history").read_text().split()
    assert history[0] == "/readings" and history[-1] == "quit"
