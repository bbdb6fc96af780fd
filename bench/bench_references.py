"""Parse 10,000 reference-list entries: the per-entry cost of splitting and parsing.

    python -m bench.bench_references [--n 10000] [--layout lines|wrapped]

The entries are generated here from invented names and titles in twelve styles (APA, Chicago
author-date and notes, MLA, Harvard with a colon or comma after the year, German with slashes
and "(Hrsg.)", Vancouver, IEEE, numbered, corporate authors, no-year markers, repeated-author
dashes), then split and parsed as one list per 40 entries, the way a reading's list is.
Prints the cost per entry (wall and CPU) and the share parsed with a first author and a year.
"""

from __future__ import annotations

import argparse
import random
import textwrap
import time

from bot.core.references.bibliography import parse_bibliography

SURNAMES = ["Albers", "Brandt", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Van der Berg",
            "Kowalski", "Haddad", "Quill", "Novak", "Esposito", "Fischer-Lang", "O'Neill"]
GIVEN = ["Hanna", "Peter", "Amara", "Lars", "Claire", "Kenji", "Jan", "Marta", "Sami", "Ruth"]
WORDS = ("state market city border trade labour memory migration welfare court policy reform "
         "network archive village empire media health school family climate river").split()
PLACES = ["London", "Frankfurt/M.", "New York", "Berlin", "Oxford", "Paris", "Wiesbaden"]
PUBLISHERS = ["Campus", "Sage", "Routledge", "Lakeside Press", "Dietz", "Northern Press"]
JOURNALS = ["Journal of Local History", "Zeitschrift für Soziologie", "Urban Review",
            "Comparative Politics Quarterly"]
CORPORATE = ["Statistisches Landesamt", "OECD", "Ministry of Coastal Affairs", "Eurostat"]


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(2, 7))
    return " ".join(words).capitalize()


def entry(i: int) -> str:
    rng = random.Random(i)
    sn = rng.sample(SURNAMES, 3)
    gv = rng.sample(GIVEN, 3)
    y = str(rng.randint(1950, 2024)) + rng.choice(["", "", "", "a", "b"])
    t, t2 = _title(rng), _title(rng)
    place, pub, jour = rng.choice(PLACES), rng.choice(PUBLISHERS), rng.choice(JOURNALS)
    vol, iss, p1 = rng.randint(1, 80), rng.randint(1, 6), rng.randint(1, 400)
    pages = f"{p1}-{p1 + rng.randint(5, 40)}"
    styles = [
        f"{sn[0]}, {gv[0][0]}., & {sn[1]}, {gv[1][0]}. ({y}). {t}. {jour}, {vol}({iss}), {pages}.",
        f"{sn[0]}, {gv[0]}. {y}. {t}. {place}: {pub}.",
        f"{sn[0]}, {gv[0]}, and {gv[1]} {sn[1]}. {t}. {place}: {pub}, {y[:4]}.",
        f"{sn[0]}, {gv[0]} ({y}): {t}. {t2}. In: {sn[1]}, {gv[1][0]}. (Hrsg.): {t2}. {place}, S. {pages}.",
        f"{sn[0]}, {gv[0]} ({y}), {t}, in: {jour}, {vol}, {iss}, {pages}.",
        f"{sn[0]}, {gv[0][0]}./{sn[1]}, {gv[1][0]}./{sn[2]}, {gv[2][0]}. (Hrsg.) ({y}): {t}. {place}: {pub}.",
        f"{sn[0]} {gv[0][0]}{gv[1][0]}, {sn[1]} {gv[2][0]}. {t}. {jour}. {y[:4]};{vol}:{pages}.",
        f'{gv[0][0]}. {sn[0]} and {gv[1][0]}. {sn[1]}, "{t}," {jour}, vol. {vol}, no. {iss}, pp. {pages}, {y[:4]}.',
        f"{rng.choice(CORPORATE)} ({y}): {t}. {place}.",
        f"{sn[0]}, {gv[0]} (o.J.): {t}. {place}.",
        f"{gv[0][0]}.{gv[1][0]}. {sn[0]}, '{t}', {jour} {vol} ({y[:4]}), {pages}.",
        f"{sn[0]}, {gv[0][0]}. (in press). {t}. {jour}.",
    ]
    return styles[i % len(styles)]


def run(n: int, layout: str) -> dict[str, float]:
    entries = [entry(i) for i in range(n)]
    lists = [entries[i:i + 40] for i in range(0, n, 40)]
    if layout == "wrapped":
        texts = ["\n".join(textwrap.fill(e, 80) for e in group) for group in lists]
    else:
        texts = ["\n".join(group) for group in lists]
    wall, cpu = time.perf_counter(), time.process_time()
    parsed = [e for text in texts for e in parse_bibliography(text)]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ok = sum(1 for e in parsed if e.authors and e.year)
    return {"entries": len(parsed), "us_per_entry": 1e6 * wall / n, "cpu_us_per_entry": 1e6 * cpu / n,
            "with_author_and_year": ok / max(len(parsed), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--layout", choices=["lines", "wrapped"], default="lines")
    args = ap.parse_args()
    r = run(args.n, args.layout)
    print(f"{args.n:,} references ({args.layout}): {r['entries']:,} entries parsed, "
          f"{r['us_per_entry']:.0f} µs/entry wall, {r['cpu_us_per_entry']:.0f} µs/entry CPU, "
          f"{100 * r['with_author_and_year']:.1f}% with first author and year")


if __name__ == "__main__":
    main()
