"""Digest of 100,000 logged messages: target under 10 seconds on the development machine.

Generates a term of discussion (20 weeks, 60 students, 3 channels, ~1,000 threads, questions,
replies, edits, deletions, bot questions with feedback, and 1% of messages quoting a passage
with typos) into a temporary database through the core's own store functions, indexes the
readings, then times `SeminarService.digest` (real quote finder and citation index) and each
renderer.

    .venv/bin/python -m bench.bench_digest [--messages 100000] [--readings DIR]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.digest.render import render
from bot.core.log import discussion
from bot.core.models import ChannelInfo, DigestOptions, LoggedMessage
from bot.core.service import SeminarService
from bot.core.storage.database import Database

TOPIC = (
    "state sovereignty cooperation policy drug enforcement border agency reading argument "
    "paradox unilateral bilateral treaty power norm identity constructivism interest law "
    "control market trafficking certification aid pressure domestic politics theory evidence"
).split()
EVERYDAY = (
    "think really week class chapter point idea question answer example people page part "
    "good hard long make know mean seems maybe actually agree disagree read said like time"
).split()
FUNCTION = "the a of to and in is it that this for on with as but not they be was are".split()
GUILD = "900000000000000001"
START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def sentence(rng: random.Random, lo: int, hi: int, topic_share: float = 0.2) -> str:
    """Chat-like word soup: mostly function and everyday words, some of the readings' topic."""

    def word() -> str:
        r = rng.random()
        return rng.choice(TOPIC if r < topic_share else FUNCTION if r < 0.6 else EVERYDAY)

    return " ".join(word() for _ in range(rng.randint(lo, hi)))


def generate(
    db: Database, total: int, passages: list[str], *, topic_share: float = 0.2, seed: int = 7
) -> None:
    rng = random.Random(seed)
    students = [(str(10_000 + i), f"student{i}") for i in range(60)]
    channels = [str(100 + i) for i in range(3)]
    db.run(lambda c: [discussion.store_channel(c, ChannelInfo(cid, "discord", GUILD, f"seminar-{i}"))
                      for i, cid in enumerate(channels)])
    batch: list[LoggedMessage] = []
    threads: list[tuple[str, str]] = []  # (thread id, parent)
    next_id = 1_000_000
    span = timedelta(weeks=20).total_seconds()
    for n in range(total):
        next_id += 1
        author_id, name = rng.choice(students)
        when = (START + timedelta(seconds=span * n / total)).isoformat(timespec="seconds")
        text = sentence(rng, 2, 30, topic_share) + ("?" if rng.random() < 0.15 else ".")
        if passages and rng.random() < 0.01:
            text = f'they wrote "{misquote(rng.choice(passages), rng)}" and I agree'
        elif rng.random() < 0.005:
            text = f"see {rng.choice(['Keohane', 'Andreas', 'Ostrom', 'Smith'])} (19{rng.randint(70, 99)})"
        in_thread = threads and rng.random() < 0.6
        if in_thread:
            tid, parent = rng.choice(threads[-40:])
            channel, parent_id = tid, parent
        else:
            channel, parent_id = rng.choice(channels), None
        reply_to = str(next_id - rng.randint(1, 20)) if rng.random() < 0.25 and n > 20 else None
        bot = rng.random() < 0.03
        batch.append(LoggedMessage(
            id=str(next_id), platform="discord", guild_id=GUILD, channel_id=channel,
            parent_id=parent_id, author_id="2000" if bot else author_id,
            author_name="SeminarBot" if bot else name, author_is_bot=bot, content=text,
            created_at=when, reply_to=reply_to,
        ))
        if not in_thread and rng.random() < 0.03:
            threads.append((str(next_id), channel))
        if len(batch) >= 5_000:
            chunk, batch = batch, []
            new_threads = [t for t in threads if int(t[0]) > next_id - 5_000]
            db.run(lambda c, chunk=chunk, nt=new_threads: (
                [discussion.store_channel(c, ChannelInfo(t, "discord", GUILD, f"thread {t}",
                                                         parent_id=p, kind="thread"))
                 for t, p in nt],
                discussion.store_messages(c, chunk)))
    if batch:
        db.run(lambda c: discussion.store_messages(c, batch))
    ids = [str(1_000_001 + i) for i in rng.sample(range(total), total // 100)]
    db.run(lambda c: discussion.mark_deleted(c, ids[: len(ids) // 2]))
    db.run(lambda c: [discussion.store_edit(c, mid, content=sentence(rng, 3, 12), edited_at=None)
                      for mid in ids[len(ids) // 2 :]])

    def queries(c) -> None:  # type: ignore[no-untyped-def]
        for _ in range(2_000):
            author_id, _name = rng.choice(students)
            qid = discussion.record_query(
                c, guild_id=GUILD, kind=rng.choice(["ask", "ask", "cite", "quote"]),
                query=sentence(rng, 3, 10), results=[], channel_id=rng.choice(channels),
                user_id=author_id)
            if rng.random() < 0.5:
                discussion.record_feedback(c, qid, helpful=rng.random() < 0.7)

    db.run(queries)


def misquote(passage: str, rng: random.Random) -> str:
    """Twelve words of a passage, every fourth one with a letter dropped."""
    words = passage.split()
    start = rng.randrange(0, max(1, len(words) - 12))
    return " ".join(
        w[:2] + w[3:] if k % 4 == 1 and len(w) > 5 else w
        for k, w in enumerate(words[start : start + 12])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--readings", type=Path, default=Path("knowledge"))
    parser.add_argument("--topic-share", type=float, default=0.2,
                        help="share of words drawn from the readings' topic (1.0: worst case)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        service = SeminarService(Path(tmp) / "bench.db", args.readings)
        course = service.scope("cli", None)
        report = course.ensure_index()
        with service.db.read() as conn:
            passages = [r[0] for r in conn.execute(
                "SELECT text FROM passages WHERE kind = 'body' AND length(text) > 200")]
        print(f"indexed {len(report.indexed)} readings ({report.passages} passages) from "
              f"{args.readings}")
        t0 = time.perf_counter()
        generate(service.db, args.messages, passages, topic_share=args.topic_share)
        print(f"generated {args.messages} messages in {time.perf_counter() - t0:.1f}s")
        for label, opts in (
            ("whole term", DigestOptions()),
            ("whole term, anonymized", DigestOptions(anonymize=True)),
            ("one week", DigestOptions(since="2026-03-02", until="2026-03-08")),
            ("one channel", DigestOptions(channel="seminar-1")),
        ):
            t0, c0 = time.perf_counter(), time.process_time()
            digest = course.digest(opts)
            took, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f"digest ({label}): {took:.2f}s (cpu {cpu:.2f}s)  "
                  f"{digest.totals['messages']} messages, "
                  f"{digest.totals['threads']} threads, {digest.totals['questions']} questions, "
                  f"{digest.totals['references']} references to "
                  f"{digest.totals['passages_referenced']} passages")
        digest = course.digest(DigestOptions())
        for fmt in ("md", "csv", "json", "html"):
            t0 = time.perf_counter()
            files = render(digest, fmt)
            size = sum(len(f.data) for f in files)
            print(f"render {fmt}: {time.perf_counter() - t0:.2f}s ({size / 1e6:.1f} MB)")
        service.close()


if __name__ == "__main__":
    main()
