"""How long `cite` and `quote` take on a large course, and that bad input is refused fast.

The issue asks for answers well under a second and for bad input (empty, punctuation only,
a 20,000-character quote) to be refused in under one. This copies the bundled sample course
many times over (each copy keeps its reference list and citations), indexes it, and reports
the median and worst time per query through `SeminarService`, the API every surface uses.

    python -m bench.cite_quote [--copies 150] [--rounds 20]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.core.errors import SeminarError
from bot.core.service import SeminarService

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
CITES = ["Ostrom 1990", "hardin tragedy commons", "Nadelmann 1990", "Wendt", "Zzyzx 1850"]
QUOTES = [
    "rules the villagers wrote for themselves",
    "the upstream state can dam divert or pollute the water its neighbour needs",
    "norms do not stay where they were born",
    "quantum chromodynamics predicts asymptotic freedom",
]
BAD = ["", "?!;.", "x" * 20_000]


def timed(call: Callable[[], object], rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.suppress(SeminarError):  # bad input is timed until it is refused
            call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "readings"
        folder.mkdir()
        for n in range(args.copies):
            for path in KNOWLEDGE.iterdir():
                if path.suffix in (".md", ".txt"):
                    shutil.copy(path, folder / f"{path.stem}-{n}{path.suffix}")
        service = SeminarService(Path(tmp) / "bench.db", folder)
        start = time.perf_counter()
        course = service.scope("cli", None)
        report = course.ensure_index()
        print(f"indexed {len(report.indexed)} readings, {report.passages} passages "
              f"in {time.perf_counter() - start:.1f}s")
        rows = [(f"cite {q!r}", lambda q=q: course.cite(q)) for q in CITES]
        rows += [(f"quote {q[:40]!r}", lambda q=q: course.quote(q)) for q in QUOTES]
        rows += [(f"bad cite ({len(b)} chars)", lambda b=b: course.cite(b)) for b in BAD]
        rows += [(f"bad quote ({len(b)} chars)", lambda b=b: course.quote(b)) for b in BAD]
        for label, call in rows:
            median, worst = timed(call, args.rounds)
            print(f"{label:52} median {median * 1000:7.1f} ms   worst {worst * 1000:7.1f} ms")
        service.close()


if __name__ == "__main__":
    main()
