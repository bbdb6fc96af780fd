"""Imports at the size of a big server: a 500,000-message DiscordChatExporter export and a
1,000-channel Slack zip, generated into a temporary folder by this script.

Targets (issue 15): the Discord export (one channel file of 400+ MB plus thread files) imports
in <= 120 s with <= 600 MB peak memory (the peak RSS of the importing process, measured with
getrusage in a fresh subprocess so the generator's memory is not counted); the Slack zip's file
list is read once (not once per channel).

    .venv/bin/python -m bench.bench_import [--messages 500000] [--threads 2500] [--slack-channels 1000]

Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

GUILD = "900000000000000001"
CHANNEL = "910000000000000001"
START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
WORDS = ("state sovereignty cooperation policy think really week class chapter point idea "
         "question answer example people page the a of to and in is it that this for on with "
         "reading argument paradox unilateral treaty power norm identity agree maybe").split()
AUTHORS = [(str(700000000000000000 + i), f"student{i}", f"Student Number {i}") for i in range(300)]


def _message(i: int, rng: random.Random, at: datetime, reply_to: int | None) -> str:
    """One message as DiscordChatExporter writes it (the fields and their order), ~1 KB."""
    uid, name, nick = AUTHORS[rng.randrange(len(AUTHORS))]
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(22, 56)))
    edited = f'"{(at + timedelta(minutes=3)).isoformat()}"' if i % 20 == 0 else "null"
    reference = (f',"reference":{{"messageId":"{reply_to}","channelId":"{CHANNEL}",'
                 f'"guildId":"{GUILD}"}}') if reply_to else ""
    kind = "Reply" if reply_to else "Default"
    return (
        f'{{"id":"{800000000000000000 + i}","type":"{kind}","timestamp":"{at.isoformat()}",'
        f'"timestampEdited":{edited},"callEndedTimestamp":null,"isPinned":false,'
        f'"content":{json.dumps(text)},"author":{{"id":"{uid}","name":"{name}",'
        f'"discriminator":"0000","nickname":"{nick}","color":"#1F8B4C","isBot":false,'
        f'"roles":[{{"id":"1","name":"Student","color":null,"position":1}}],'
        f'"avatarUrl":"https://cdn.discordapp.com/avatars/{uid}/'
        f'{"a" * 32}.png?size=512"}},"attachments":[],"embeds":[],"stickers":[],'
        f'"reactions":[{{"emoji":{{"id":"","name":"👍","code":"thumbsup","isAnimated":false,'
        f'"imageUrl":"https://cdn.jsdelivr.net/gh/twitter/twemoji@latest/assets/svg/1f44d.svg"}},'
        f'"count":{i % 3},"users":[]}}],"mentions":[],"inlineEmojis":[]{reference}}}'
    )


def _write_file(path: Path, channel: dict[str, object], first: int, count: int,
                rng: random.Random) -> int:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"guild":{"id":"' + GUILD + '","name":"Big Course",'
                 '"iconUrl":"https://x.invalid/i.png"},')
        fh.write('"channel":' + json.dumps(channel) + ',"dateRange":{"after":null,"before":null},'
                 '"exportedAt":"2026-06-01T00:00:00+00:00","messages":[')
        for k in range(count):
            i = first + k
            at = START + timedelta(seconds=20 * i)
            reply = 800000000000000000 + i - 1 if k and i % 7 == 0 else None
            fh.write(("," if k else "") + _message(i, rng, at, reply))
        fh.write(f'],"messageCount":{count}}}')
    return path.stat().st_size


def generate_discord(folder: Path, messages: int, threads: int) -> tuple[int, int]:
    """(files, bytes): one channel with most messages, `threads` thread files with the rest."""
    rng = random.Random(15)
    per_thread = max(1, messages // 5 // max(threads, 1)) if threads else 0
    in_channel = messages - per_thread * threads
    size = _write_file(folder / "Big Course - seminar [910000000000000001].json",
                       {"id": CHANNEL, "type": "GuildTextChat", "categoryId": "1",
                        "category": "Class", "name": "seminar", "topic": None},
                       0, in_channel, rng)
    first = in_channel
    for t in range(threads):
        tid = str(920000000000000000 + t)
        size += _write_file(folder / f"Big Course - seminar - thread {t} [{tid}].json",
                            {"id": tid, "type": "GuildPublicThread", "categoryId": CHANNEL,
                             "category": "seminar", "name": f"Thread {t}", "topic": None},
                            first, per_thread, rng)
        first += per_thread
    return threads + 1, size


def generate_slack(path: Path, channels: int, days: int) -> int:
    """A Slack export zip: `channels` channels with `days` day files each; returns files."""
    rng = random.Random(16)
    users = [{"id": f"U{i:06d}", "team_id": "TBIG", "name": f"user{i}",
              "real_name": f"User {i}", "profile": {"display_name": f"user{i}"}}
             for i in range(200)]
    listed = [{"id": f"C{c:06d}", "name": f"channel-{c}", "created": 1767225600}
              for c in range(channels)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("channels.json", json.dumps(listed))
        zf.writestr("users.json", json.dumps(users))
        for c in range(channels):
            for d in range(days):
                day = START + timedelta(days=d)
                ts = day.timestamp()
                msgs = [{"type": "message", "user": f"U{rng.randrange(200):06d}",
                         "ts": f"{ts + 60 * k:.6f}", "text": f"message {k} of day {d}"}
                        for k in range(2)]
                zf.writestr(f"channel-{c}/{day:%Y-%m-%d}.json", json.dumps(msgs))
    return 2 + channels * days


def _child(kind: str, source: str, db: str) -> None:
    """Runs in a fresh process: import, then print timings and this process's peak RSS."""
    import bot.core.log.imports as imports
    from bot.core.storage.database import Database

    counted = {"namelist": 0}
    real = zipfile.ZipFile.namelist

    def namelist(self: zipfile.ZipFile) -> list[str]:
        counted["namelist"] += 1
        return real(self)

    zipfile.ZipFile.namelist = namelist  # type: ignore[method-assign]
    database = Database(Path(db))
    database.migrate()
    start = time.perf_counter()
    if kind == "discord":
        report = imports.import_discord_exports(database, [Path(source)])
    else:
        report = imports.import_slack_export(database, Path(source))
    seconds = time.perf_counter() - start
    database.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "summary": report.summary(),
                      "new": report.new, "namelist_calls": counted["namelist"],
                      "cpu_s": resource.getrusage(resource.RUSAGE_SELF).ru_utime}))


def _measure(kind: str, source: Path, db: Path) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-m", "bench.bench_import", "--child", kind,
                           str(source), str(db)], capture_output=True, text=True, check=True)
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--threads", type=int, default=2_500)
    parser.add_argument("--slack-channels", type=int, default=1_000)
    parser.add_argument("--slack-days", type=int, default=100)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SOURCE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        root = Path(tmp)
        export = root / "discord"
        export.mkdir()
        t0 = time.perf_counter()
        files, size = generate_discord(export, args.messages, args.threads)
        channel_mb = max(p.stat().st_size for p in export.iterdir()) / 1e6
        print(f"generated {args.messages:,} messages in {files:,} files, {size / 1e6:,.0f} MB "
              f"(channel file {channel_mb:,.0f} MB) in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
        first = _measure("discord", export, root / "discord.db")
        again = _measure("discord", export, root / "discord.db")
        slack = root / "slack.zip"
        slack_files = generate_slack(slack, args.slack_channels, args.slack_days)
        slack_run = _measure("slack", slack, root / "slack.db")
        slack_mb = slack.stat().st_size / 1e6
    load = os.getloadavg()
    print(f"""## Imports

Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs, load {load[0]:.1f}; `python -m bench.bench_import`.

| export | size | time s | peak RSS MB | result |
|---|---|---:|---:|---|
| DiscordChatExporter, {args.messages:,} messages in {files:,} files (channel file {channel_mb:,.0f} MB) | {size / 1e6:,.0f} MB | {first['seconds']:.1f} | {first['peak_mb']:.0f} | {first['summary']} |
| the same again (re-import) | | {again['seconds']:.1f} | {again['peak_mb']:.0f} | {again['summary']} |
| Slack zip, {args.slack_channels:,} channels, {slack_files:,} files | {slack_mb:,.1f} MB | {slack_run['seconds']:.1f} | {slack_run['peak_mb']:.0f} | zip listed {slack_run['namelist_calls']} time(s); {slack_run['summary']} |

Targets: Discord import <= 120 s and <= 600 MB peak: {'met' if float(first['seconds']) <= 120 and float(first['peak_mb']) <= 600 else 'NOT met'}; Slack zip listed once: {'met' if slack_run['namelist_calls'] == 1 else 'NOT met'}.
""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
