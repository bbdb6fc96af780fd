"""Measure index build, ask/cite/quote latency and the discussion log at department scale.

    python -m bench.run [--sizes 1000,10000,100000] [--questions 200]

Each corpus size is measured in a fresh subprocess, so its peak memory is its own and the
sizes do not warm each other's caches. References are timed in the same run on the same
passages: SQLite FTS5 `bm25()` top-10 alone (the bot's candidate query without the rerank)
and `rapidfuzz.process.extract` over every passage. Results go to bench/RESULTS.md; the
`## Digest` section of that file belongs to bench/bench_digest.py and is kept as it is.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench import corpus

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
COURSE = "bench"
BURST_EVENTS = 10_000
START_READINGS = 10

# Targets from issue #7, checked at the largest size measured.
TARGETS = {
    "ask_p95_ms": 50.0,
    "ask_vs_fts": 3.0,
    "quote_p95_ms": 100.0,
    "build_pps": 2_000.0,
    "peak_mb": 500.0,
    "burst_eps": 5_000.0,
    "start_s": 2.0,
    "digest_s": 10.0,
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return (time.perf_counter() - start) * 1000, value


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and this thread's CPU milliseconds: the machine is shared, and CPU time shows what
    the code costs when another process steals the cores."""
    cpu = time.thread_time()
    wall, value = timed(fn)
    return wall, (time.thread_time() - cpu) * 1000, value


def latency(samples: list[float]) -> dict[str, float]:
    return {"p50": round(pct(samples, 50), 2), "p95": round(pct(samples, 95), 2), "n": len(samples)}


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- one corpus size, in its own process ---------------------------------------------------


def fts_top10(conn: sqlite3.Connection, expr: str) -> list[Any]:
    """The reference: FTS5 alone, the best ten rows by its own bm25, nothing else."""
    return conn.execute(
        "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?"
        " ORDER BY bm25(passages_fts) LIMIT 10", (expr,)
    ).fetchall()


def measure_size(size: int, questions: int) -> dict[str, Any]:
    from rapidfuzz import fuzz, process

    from bot.core.search.retrieval import fts_query
    from bot.core.service import SeminarService
    from bot.core.textnorm import content_words, fold

    base = OUT / f"corpus-{size}"
    folder = base / "readings"
    db_path = OUT / f"bench-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    asks = load_jsonl(base / "questions.jsonl")[:questions]
    quotes = load_jsonl(base / "quotes.jsonl")[:questions]
    cites = load_jsonl(base / "cites.jsonl")[:questions]
    result: dict[str, Any] = {"size": size, "rss_before_mb": round(peak_mb(), 1)}

    svc = SeminarService(db_path, {COURSE: folder})
    cpu = time.process_time()  # the build runs on the writer thread
    build_ms, report = timed(lambda: svc.ensure_index(COURSE))
    build_cpu = time.process_time() - cpu
    result["passages"] = report.passages
    result["readings"] = len(report.indexed)
    result["build_s"] = round(build_ms / 1000, 2)
    result["build_pps"] = round(report.passages / (build_ms / 1000))
    result["build_pps_cpu"] = round(report.passages / build_cpu)
    on_disk = sum(Path(f"{db_path}{x}").stat().st_size for x in ("", "-wal") if Path(f"{db_path}{x}").exists())
    result["db_mb"] = round(on_disk / 2**20, 1)  # a fresh build may still sit in the WAL

    cold_ms, _ = timed(lambda: svc.ask(asks[0]["question"], course=COURSE))
    result["first_ask_ms"] = round(cold_ms, 1)

    samples, cpu_samples, hits1, hits5 = [], [], 0, 0
    for item in asks:
        ms, cpu_ms, answer = cpu_timed(partial(svc.ask, item["question"], course=COURSE, top=5))
        samples.append(ms)
        cpu_samples.append(cpu_ms)
        gold = fold(item["gold"])[:80]
        ranks = [h.rank for h in answer.hits if gold in fold(h.passage.text)]
        hits1 += bool(ranks and ranks[0] == 1)
        hits5 += bool(ranks)
    result["ask"] = latency(samples) | {
        "recall@1": round(hits1 / len(asks), 3), "recall@5": round(hits5 / len(asks), 3),
        "cpu": latency(cpu_samples),
    }

    fts_samples: list[float] = []
    fts_cpu: list[float] = []
    with sqlite3.connect(db_path) as conn:
        for item in asks:
            expr = fts_query(content_words(item["question"]))
            ms, cpu_ms, _ = cpu_timed(partial(fts_top10, conn, expr))
            fts_samples.append(ms)
            fts_cpu.append(cpu_ms)
        texts = [t for (t,) in conn.execute("SELECT text FROM passages")]
    result["fts5"] = latency(fts_samples) | {"cpu": latency(fts_cpu)}
    fuzzy_n = max(5, min(len(asks), 2_000_000 // max(1, len(texts))))
    fuzzy = [
        timed(partial(process.extract, item["question"], texts, scorer=fuzz.token_set_ratio,
                      limit=10))[0]
        for item in asks[:fuzzy_n]
    ]
    result["rapidfuzz"] = latency(fuzzy)

    for name, items, key in (("cite", cites, "query"), ("quote", quotes, "quote")):
        method = getattr(svc, name, None)
        if method is None:
            result[name] = "pending"
            continue
        result[name] = latency([timed(partial(method, it[key], course=COURSE))[0] for it in items])

    # Re-index after one reading changes: only that reading is read again.
    target = sorted(folder.glob("*.txt"))[0]
    original = target.read_text(encoding="utf-8")
    target.write_text(original.replace("\n\nNotes\n", "\n\nOne more paragraph added by the benchmark.\n\nNotes\n", 1), encoding="utf-8")
    try:
        ms, rep = timed(lambda: svc.ensure_index(COURSE))
        after_ms, _ = timed(lambda: svc.ask(asks[1]["question"], course=COURSE))
    finally:
        target.write_text(original, encoding="utf-8")
    result["reindex_one"] = {
        "ms": round(ms, 1), "indexed": len(rep.indexed), "unchanged": len(rep.unchanged),
        "next_ask_ms": round(after_ms, 1),
    }
    svc.ensure_index(COURSE)
    svc.close()
    result["peak_mb"] = round(peak_mb(), 1)
    return result


# -- the discussion log under a burst, while questions are answered --------------------------


def measure_burst(size: int, questions: int) -> dict[str, Any]:
    from bot.core.models import LoggedMessage
    from bot.core.service import SeminarService

    src = OUT / f"bench-{size}.db"
    db_path = OUT / "burst.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, db_path)
    svc = SeminarService(db_path, {COURSE: OUT / f"corpus-{size}" / "readings"})
    asks = [q["question"] for q in load_jsonl(OUT / f"corpus-{size}" / "questions.jsonl")[:questions]]
    svc.ask(asks[0], course=COURSE)  # vocabulary loaded before the burst, as in a running bot
    done = threading.Event()
    ask_ms: list[float] = []

    def answer() -> None:
        for question in itertools.cycle(asks):
            if done.is_set():
                return
            ask_ms.append(timed(partial(svc.ask, question, course=COURSE))[0])

    reader = threading.Thread(target=answer)
    reader.start()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    start = time.perf_counter()
    futures = [
        svc.record_messages([LoggedMessage(
            id=f"m{i}", platform="discord", guild_id="g1", channel_id=f"c{i % 12}",
            author_id=f"u{i % 40}", created_at=stamp, content=f"message {i} about sovereignty",
            author_name=f"student {i % 40}",
        )])
        for i in range(BURST_EVENTS)
    ]
    stored = sum(f.result() for f in futures)
    seconds = time.perf_counter() - start
    done.set()
    reader.join()
    with svc.db.read() as conn:
        rows = conn.execute("SELECT count(*) FROM messages WHERE guild_id = 'g1'").fetchone()[0]
    svc.close()
    return {
        "events": BURST_EVENTS, "stored": stored, "rows": rows, "seconds": round(seconds, 2),
        "eps": round(BURST_EVENTS / seconds), "asks_during": latency(ask_ms),
    }


# -- bot start to ready, index already built ------------------------------------------------

READY_SCRIPT = """
import sys, time
t0 = time.perf_counter()
try:
    import discord  # the real bot imports its platform library before it is ready
except ImportError:
    pass
from bot.core.service import SeminarService
svc = SeminarService(sys.argv[1], {"bench": sys.argv[2]})
svc.ensure_all()
svc.ask("warm up the vocabulary", course="bench")
print(time.perf_counter() - t0)
"""


def measure_start() -> dict[str, Any]:
    from bot.core.service import SeminarService

    base = OUT / "course-10"
    corpus.build(START_READINGS * corpus.PASSAGES_PER_READING, base, questions=10)
    db_path = OUT / "course-10.db"
    svc = SeminarService(db_path, {COURSE: base / "readings"})
    svc.ensure_index(COURSE)
    svc.close()
    walls, inner = [], []
    for _ in range(5):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", READY_SCRIPT, str(db_path), str(base / "readings")],
            capture_output=True, text=True, check=True,
        )
        walls.append(time.perf_counter() - start)
        inner.append(float(out.stdout.strip()))
    return {"readings": START_READINGS, "wall_s": round(statistics.median(walls), 2),
            "in_process_s": round(statistics.median(inner), 2)}


def measure_digest() -> float | None:
    """Seconds for the whole-term digest of 100,000 messages, by bench/bench_digest.py (its
    own section of RESULTS.md has the details); None when that benchmark is not here."""
    if not (HERE / "bench_digest.py").exists():
        return None
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_digest", "--readings", str(corpus.source_folder())],
        capture_output=True, text=True, cwd=HERE.parent,
    )
    found = re.search(r"digest \(whole term\): ([\d.]+)s", out.stdout)
    return float(found.group(1)) if found else None


# -- the report -----------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{os.cpu_count()} CPUs ({cpu}){mem}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


def fmt(value: Any) -> str:
    if isinstance(value, dict):
        cpu = f" (CPU {value['cpu']['p50']} / {value['cpu']['p95']})" if "cpu" in value else ""
        return f"{value['p50']} / {value['p95']}{cpu}"
    return str(value)


def render(sizes: list[dict[str, Any]], burst: dict[str, Any] | None,
           start: dict[str, Any] | None, digest: float | None = None) -> str:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "## Measurements",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average "
        f"{load} (the machine is shared with other work, so wall times carry noise: CPU time "
        "of the measuring thread is given beside them).",
        "Latencies are in-process milliseconds, p50 / p95. One course holds the whole corpus "
        "(the worst case: ask searches every passage of the course).",
        "",
        "| passages | readings | build s | build passages/s (per CPU s) | peak MB | db MB | first ask ms "
        "| ask | FTS5 bm25 top-10 | rapidfuzz extract | cite | quote | re-index one reading |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|---|",
    ]
    for r in sizes:
        re1 = r["reindex_one"]
        lines.append(
            f"| {r['passages']:,} | {r['readings']} | {r['build_s']} | {r['build_pps']:,} "
            f"({r['build_pps_cpu']:,}) | "
            f"{r['peak_mb']} | {r['db_mb']} | {r['first_ask_ms']} | {fmt(r['ask'])} | "
            f"{fmt(r['fts5'])} | {fmt(r['rapidfuzz'])} (n={r['rapidfuzz']['n']}) | "
            f"{fmt(r['cite'])} | {fmt(r['quote'])} | "
            f"{re1['ms']} ms ({re1['indexed']} re-read, {re1['unchanged']} unchanged; "
            f"next ask {re1['next_ask_ms']} ms) |"
        )
    lines += ["", "Synthetic-question hit rate (sanity check that the index answers at every "
              "size, not a quality measure): " + ", ".join(
                  f"{r['passages']:,}: recall@1 {r['ask']['recall@1']}, recall@5 {r['ask']['recall@5']}"
                  for r in sizes), ""]
    if burst:
        lines += [
            f"Discussion log burst: {burst['events']:,} message events, one write call each, "
            f"through the single writer while a thread kept asking questions: "
            f"{burst['rows']:,} rows stored ({burst['events'] - burst['rows']} lost) in "
            f"{burst['seconds']} s = **{burst['eps']:,} events/s**; "
            f"{burst['asks_during']['n']} asks served meanwhile, p50 / p95 "
            f"{fmt(burst['asks_during'])} ms.",
            "",
        ]
    if start:
        lines += [
            f"Start to ready, index already built, course of {start['readings']} readings "
            f"(interpreter start, import discord.py and the core, check the index, load the "
            f"vocabulary, answer one question): **{start['wall_s']} s** wall "
            f"({start['in_process_s']} s after the interpreter is up), median of 5.",
            "",
        ]
    if sizes:
        big = sizes[-1]
        ratio = big["ask"]["p95"] / big["fts5"]["p95"] if big["fts5"]["p95"] else float("inf")
        quote = big["quote"]["p95"] if isinstance(big["quote"], dict) else None
        checks = [
            ("ask p95 <= 50 ms", big["ask"]["p95"] <= TARGETS["ask_p95_ms"],
             f"{big['ask']['p95']} ms wall, {big['ask']['cpu']['p95']} ms CPU"),
            ("ask p95 within 3x of FTS5 alone", ratio <= TARGETS["ask_vs_fts"], f"{ratio:.1f}x"),
            ("quote p95 <= 100 ms", None if quote is None else quote <= TARGETS["quote_p95_ms"],
             "pending" if quote is None else f"{quote} ms"),
            ("index build >= 2,000 passages/s", big["build_pps"] >= TARGETS["build_pps"],
             f"{big['build_pps']:,}/s wall, {big['build_pps_cpu']:,} per CPU second"),
            ("peak memory <= 500 MB", big["peak_mb"] <= TARGETS["peak_mb"], f"{big['peak_mb']} MB"),
            ("digest of 100,000 messages < 10 s",
             None if digest is None else digest < TARGETS["digest_s"],
             "pending" if digest is None else f"{digest} s whole term (bench/bench_digest.py, see ## Digest)"),
            ("re-index one reading touches only it", big["reindex_one"]["indexed"] == 1,
             f"{big['reindex_one']['ms'] / 1000:.2f} s + {big['reindex_one']['next_ask_ms'] / 1000:.2f} s next ask"),
        ]
        if burst:
            checks.append(("log burst >= 5,000 events/s, zero loss",
                           burst["eps"] >= TARGETS["burst_eps"] and burst["rows"] == burst["events"],
                           f"{burst['eps']:,}/s, {burst['events'] - burst['rows']} lost"))
        if start:
            checks.append(("start to ready < 2 s (10 readings)", start["wall_s"] < TARGETS["start_s"],
                           f"{start['wall_s']} s"))
        lines += [f"Targets at {big['passages']:,} passages:", "", "| target | met | measured |",
                  "|---|---|---|"]
        for name, ok, got in checks:
            lines.append(f"| {name} | {'pending' if ok is None else ('yes' if ok else 'NO')} | {got} |")
        lines += ["", "The FTS5 reference is the plain OR of the question's content words, top 10 by "
                  "`bm25()`; `ask` runs a cheaper recall query (rarest terms within a postings "
                  "budget, see below) and then the rerank, so it can be faster than the reference."]
        lines.append("")
    return "\n".join(lines)


def write_results(section: str) -> None:
    """Replace the `## Measurements` section of RESULTS.md, keeping every other section."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    start = text.find("## Measurements")
    if start < 0:
        marker = text.find("\n## ", text.find("\n") + 1)
        text = text + "\n" + section + "\n" if marker < 0 else text[: marker + 1] + section + "\n" + text[marker:]
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1:] if end >= 0 else "\n")
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated passage counts (default 1000,10000,100000)")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # internal: one measurement in a fresh process, JSON on stdout
        kind, size = args.worker.split(":")
        fn = measure_size if kind == "size" else measure_burst
        print(json.dumps(fn(int(size), args.questions)))
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        t = time.perf_counter()
        corpus.build(size, OUT / f"corpus-{size}", questions=args.questions)
        print(f"[{size:,}] corpus generated in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        results.append(worker(f"size:{size}", args.questions))
        print(f"[{size:,}] {json.dumps(results[-1])}", file=sys.stderr)
    burst = worker(f"burst:{sizes[-1]}", args.questions) if sizes else None
    print(f"[burst] {json.dumps(burst)}", file=sys.stderr)
    start = measure_start()
    print(f"[start] {json.dumps(start)}", file=sys.stderr)
    digest = measure_digest()
    print(f"[digest] {digest}", file=sys.stderr)
    section = render(results, burst, start, digest)
    print(section)
    if not args.no_write:
        write_results(section)
    return 0


def worker(job: str, questions: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--worker", job, "--questions", str(questions)],
        capture_output=True, text=True, cwd=HERE.parent,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench worker {job} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    raise SystemExit(main())
