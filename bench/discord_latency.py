"""How fast the Discord surface acknowledges (autocomplete, the /ask defer, a button while
another program holds the database's write lock) and logs a burst.

Discord gives an interaction three seconds. This drives the real bot (no network, as in the
tests) over a synthetic course of many readings and reports, for each kind of interaction, the
median and worst time from the gateway payload to the response leaving the bot; then how long
a burst of message events takes to be committed to the log, and that none was lost.

    python -m bench.discord_latency [--readings 400] [--rounds 50] [--burst 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import pytest

from bot.core.service import SeminarService
from tests.discord_app.harness import (
    GENERAL,
    GUILD,
    INSTRUCTOR,
    STUDENT,
    THREAD,
    Channel,
    message_payload,
    settings_for,
    start_bot,
)
from tests.discord_app.test_commands import channel_resolved

WINDOW_SECONDS = 3.0
TOPICS = ("trust", "treaties", "water", "commons", "regimes", "borders", "norms", "courts")


def write_course(folder: Path, readings: int) -> None:
    for i in range(readings):
        topic = TOPICS[i % len(TOPICS)]
        body = " ".join(
            f"Paragraph {p} of reading {i} discusses {topic} and the {TOPICS[(i + p) % 8]} it "
            "shapes, with evidence from several cases and a careful argument."
            for p in range(12)
        )
        (folder / f"reading-{i:04d}.md").write_text(
            f'---\ntitle: "On {topic.title()} {i}"\nauthors: ["Author{i % 97} Surname{i % 89}"]\n'
            f'year: "{1990 + i % 30}"\n---\n# Section\n\n{body}\n',
            encoding="utf-8",
        )


async def measure(readings: int, rounds: int, burst: int) -> tuple[dict[str, list[float]], int]:
    """Times per interaction kind, and how many burst messages did not reach the log."""
    times: dict[str, list[float]] = {"reading autocomplete": [], "reference autocomplete": [],
                                     "/ask defer": [],
                                     "button ack, db locked": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "readings"
        folder.mkdir()
        write_course(folder, readings)
        service = SeminarService(root / "bench.db", folder)
        service.ensure_all()
        mp = pytest.MonkeyPatch()
        h = await start_bot(settings_for(root, folder), service, mp)
        try:
            for r in range(rounds):
                typed = TOPICS[r % len(TOPICS)][: 1 + r % 4]
                for name, command, option, extra in (
                    ("reading autocomplete", "ask", "reading", {"question": "x"}),
                    ("reference autocomplete", "cite", "reference", {}),
                ):
                    start = time.perf_counter()
                    await h.autocomplete(command, option, **extra, **{option: typed})
                    times[name].append(time.perf_counter() - start)
                before = len(h.recorder.sent)
                start = time.perf_counter()
                data = h._command_data("ask", [{"type": 3, "name": "question",
                                                "value": f"how do {typed} shape treaties"}])
                item = h.recorder.deliver(2, "ask", STUDENT)  # Discord's side of it
                h.state.parse_interaction_create(
                    h._interaction(2, data, STUDENT, GUILD, token=item.token))
                while len(h.recorder.sent) == before:
                    await asyncio.sleep(0)
                times["/ask defer"].append(time.perf_counter() - start)
                await h.settle()
            # Buttons under a write lock another program holds: the ack must not wait for it.
            answer = [s for s in await h.slash("ask", question="how do treaties shape trust")
                      if s.payload.get("type") != 5][-1]
            for label in ("Helpful", "Not helpful") * max(1, rounds // 2):
                holder = sqlite3.connect(service.db.path, check_same_thread=False)
                holder.execute("BEGIN EXCLUSIVE")
                before = len(h.recorder.sent)
                start = time.perf_counter()
                click = asyncio.create_task(h.click(answer, label))
                while len(h.recorder.sent) == before:
                    await asyncio.sleep(0)
                times["button ack, db locked"].append(time.perf_counter() - start)
                await asyncio.sleep(0.2)  # the lock stays a while after the ack
                holder.rollback()
                holder.close()
                await click
            await h.slash("log channels add", user=INSTRUCTOR, channel=Channel(GENERAL),
                          resolved=channel_resolved())
            payloads = [
                message_payload(channel_id=(GENERAL, THREAD)[i % 2], author=STUDENT,
                                content=f"burst message {i}")
                for i in range(burst)
            ]
            start = time.perf_counter()
            for payload in payloads:
                h.gateway("MESSAGE_CREATE", payload)
            await h.settle()
            times[f"burst of {burst} logged"] = [time.perf_counter() - start]
            with service.db.read() as conn:
                stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
            lost = burst - stored
        finally:
            await h.bot.close()
            service.close()
            mp.undo()
    return times, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--burst", type=int, default=5_000)
    args = parser.parse_args()
    times, lost = asyncio.run(measure(args.readings, args.rounds, args.burst))
    print(f"{args.readings} readings, {args.rounds} rounds; Discord allows {WINDOW_SECONDS:.0f} s")
    for name, values in times.items():
        print(f"  {name:24s} median {statistics.median(values) * 1000:7.1f} ms"
              f"   worst {max(values) * 1000:7.1f} ms")
    print(f"  burst messages lost      {lost}")


if __name__ == "__main__":
    main()
