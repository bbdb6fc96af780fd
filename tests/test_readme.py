"""Every command the README (and docs/*.md) shows in a shell code block runs, as shown, on a
copy of a fresh checkout: the sample course, the sample exports, no tokens, no terminal.

A block that cannot run here says why on the line before its fence: `<!-- not-run: why -->`.
Anything else in a ```sh, ```bash or ```shell block is a command that must exit 0 without a
traceback and find something (an example answering "nothing convincing" shows nothing), in
order: later commands may use what earlier ones made, as a reader's would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.presentation import NOTHING_FOUND

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
SHELLS = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(\S.*?)\s*-->")
# What a fresh clone holds that the commands use; caches and databases are left behind.
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "*.db", "*.db-*", "__pycache__",
                                  ".*_cache", ".hypothesis", "*.egg-info")


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # of the fence, 1-based
    commands: tuple[str, ...]
    skip: str | None  # why it is not run

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def shell_blocks(doc: Path) -> list[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opened = FENCE.match(lines[i].strip())
        if not opened:
            i += 1
            continue
        fence, lang = opened.groups()
        start, body = i, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1
        if lang.lower() not in SHELLS:
            continue
        before = next((line for line in reversed(lines[:start]) if line.strip()), "")
        marked = NOT_RUN.search(before)
        blocks.append(Block(doc, start + 1, tuple(commands(body)),
                            marked.group(1) if marked else None))
    return blocks


def commands(body: list[str]) -> list[str]:
    """The commands of a block: `\\` continues a line, `$ ` prompts and comment lines go."""
    out: list[str] = []
    pending = ""
    for raw in body:
        line = raw.rstrip()
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        line = line.removeprefix("$ ") if not pending else line
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


BLOCKS = [block for doc in DOCS for block in shell_blocks(doc)]


def test_the_readme_has_runnable_examples() -> None:
    runnable = [b for b in BLOCKS if b.skip is None]
    assert len(runnable) >= 4 and sum(len(b.commands) for b in runnable) >= 25
    assert all(b.skip.strip() for b in BLOCKS if b.skip is not None)  # a reason, always


def test_the_parser_reads_blocks_as_a_reader_would(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text("Intro\n\n```sh\n# a comment\n$ echo one   # and a note\nprintf 'a\\n' \\\n"
                   "  | cat\n```\n\n<!-- not-run: needs a token -->\n```bash\nrun --token\n```\n"
                   "```toml\nnot = 'shell'\n```\n", encoding="utf-8")
    run, skipped = shell_blocks(doc)
    assert run.commands == ("echo one   # and a note", "printf 'a\\n'    | cat")
    assert run.skip is None and skipped.skip == "needs a token"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout with `.venv/bin/seminar-bot` (and `seminar-bot` on PATH) being
    this test run's bot, as after `make run`."""
    copy = tmp_path_factory.mktemp("clone") / "seminar-bot"
    shutil.copytree(ROOT, copy, ignore=LEFT_OUT, symlinks=True)
    bin_dir = copy / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shim = bin_dir / "seminar-bot"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bot "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return copy


def environment(checkout: Path) -> dict[str, str]:
    """A reader's shell with no tokens: the bot's settings are all left at their defaults."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "SLACK_", "SEMINAR_")) and k not in ("COLUMNS",)}
    return keep | {
        "PATH": f"{checkout / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT), "HOME": str(checkout.parent), "NO_COLOR": "1",
    }


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.skip is None],
                         ids=lambda b: b.where)
def test_every_command_shown_runs(block: Block, checkout: Path) -> None:
    env = environment(checkout)
    for command in block.commands:
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=checkout, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120)
        shown = f"{block.where}: `{command}` exited {proc.returncode}\n{proc.stderr[-2000:]}"
        assert proc.returncode == 0, shown
        assert "Traceback" not in proc.stderr, shown
        # an example that finds nothing shows a reader nothing: it is a broken example
        found_nothing = [w.title for w in NOTHING_FOUND.values() if w.title in proc.stdout]
        assert not found_nothing, f"{shown}{proc.stdout[-2000:]}"
