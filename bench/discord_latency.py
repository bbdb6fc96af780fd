"""How fast the Discord surface acknowledges: autocomplete and the /ask defer.

Discord gives an interaction three seconds. This drives the real bot (no network, as in the
tests) over a synthetic course of many readings and reports, for each kind of interaction, the
median and worst time from the gateway payload to the response leaving the bot.

    python -m bench.discord_latency [--readings 400] [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import pytest

from bot.core.service import SeminarService
from tests.discord_app.harness import GUILD, STUDENT, settings_for, start_bot

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


async def measure(readings: int, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"reading autocomplete": [], "reference autocomplete": [],
                                     "/ask defer": []}
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
                h.state.parse_interaction_create(h._interaction(2, data, STUDENT, GUILD))
                while len(h.recorder.sent) == before:
                    await asyncio.sleep(0)
                times["/ask defer"].append(time.perf_counter() - start)
                await h.settle()
        finally:
            await h.bot.close()
            service.close()
            mp.undo()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    times = asyncio.run(measure(args.readings, args.rounds))
    print(f"{args.readings} readings, {args.rounds} rounds; Discord allows {WINDOW_SECONDS:.0f} s")
    for name, values in times.items():
        print(f"  {name:24s} median {statistics.median(values) * 1000:7.1f} ms"
              f"   worst {max(values) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
