"""How fast the Slack app acknowledges a class's burst while the database is write-locked.

Slack wants every command acked within 3 s. This runs the production path (Socket Mode over a
loopback fake of Slack, `process_before_response=False`, bolt's listener executor) with 60
/ask and 30 messages to log sent at once while another connection holds the database's write
lock for 5 s, and reports the ack latencies and how long after the lock's release the last
answer arrived.

    python -m bench.slack_acks [--asks 60] [--messages 30] [--hold 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bot.core.service import SeminarService
from bot.settings import Settings
from tests.slack_app.slack_fakes import (
    INSTRUCTORS,
    LOGGED,
    READING_A,
    READING_B,
    READING_C,
    READING_D,
    FakeSocketMode,
    serve_fake_slack,
)
from tests.slack_app.test_slack_acks import SLACK_WINDOW, burst_under_lock


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=60)
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--hold", type=float, default=5.0, help="seconds the lock is held")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "readings"
        folder.mkdir()
        for name, text in {"rivers.md": READING_A, "archive.md": READING_B,
                           "water.md": READING_C, "reyes.md": READING_D}.items():
            (folder / name).write_text(text, encoding="utf-8")
        service = SeminarService(Path(tmp) / "seminar.db", folder)
        service.ensure_all()
        settings = Settings(readings_dir=folder, db_path=Path(tmp) / "seminar.db",
                            slack_instructor_group=INSTRUCTORS, slack_log_channels=(LOGGED,))
        socket = FakeSocketMode()
        socket.start()
        try:
            with serve_fake_slack() as fake:
                latencies, answered = burst_under_lock(
                    service, settings, fake, socket, asks=args.asks, messages=args.messages,
                    hold=args.hold)
        finally:
            socket.stop()
            service.close()
    for kind in ("ask", "msg"):
        values = [t * 1000 for e, t in latencies.items() if e.startswith(kind)]
        if not values:
            continue
        late = sum(1 for v in values if v >= SLACK_WINDOW * 1000)
        print(f"{kind}: n={len(values)} ack ms p50 {statistics.median(values):.0f} "
              f"p95 {percentile(values, 0.95):.0f} max {max(values):.0f}; over 3 s: {late}")
    print(f"lock held {args.hold:.1f} s; last answer {answered:.2f} s after its release")


if __name__ == "__main__":
    main()
