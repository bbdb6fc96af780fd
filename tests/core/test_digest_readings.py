"""Readings referenced, with the real quote finder and citation index over the shared readings.

Nothing of the readings is copied here: quotes come from ../shared/eval at run time, or are cut
from the indexed passages and misspelt by the test itself.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from bot.core.models import DigestOptions, LoggedMessage
from bot.core.service import SeminarService
from bot.core.textnorm import fold

CHATTER = [
    "Anyone want to meet before class on Friday?",
    "I think the second half of the chapter was harder to follow than the first.",
    "lol same, see you in class tomorrow",
    "What did you all think about the state and the drug policy part of this week?",
]


def message(guild: str, n: int, text: str) -> LoggedMessage:
    return LoggedMessage(
        id=f"{guild}-{n}", platform="discord", guild_id=guild, channel_id=f"{guild}-chan",
        author_id=f"user{n % 5}", author_name=f"Student {n % 5}",
        created_at=f"2026-11-02T10:{n % 60:02d}:00+00:00", content=text,
    )


def squash(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def passages_of(service: SeminarService) -> dict[str, str]:
    with service.db.read() as conn:
        return {r["id"]: r["text"] for r in conn.execute(
            "SELECT id, text FROM passages WHERE kind = 'body'")}


def test_misremembered_quotes_from_the_eval_set_reference_their_passage(
    shared_service: SeminarService, shared_dir: Path
) -> None:
    items = [json.loads(line) for line in (shared_dir / "eval" / "quotes-dev.jsonl").open()
             if line.strip()]
    texts = passages_of(shared_service)
    guild = "eval-quotes"
    expected: dict[str, str] = {}
    msgs = [message(guild, 100 + i, text) for i, text in enumerate(CHATTER)]
    for i, item in enumerate(items):
        owners = [pid for pid, text in texts.items() if squash(item["gold"]) in squash(text)]
        if len(owners) != 1:
            continue  # a gold span across two passages has no single right answer
        msgs.append(message(guild, i, f"this stuck with me: {item['query']}. thoughts?"))
        expected[msgs[-1].id] = owners[0]
    assert len(expected) >= 5
    shared_service.record_messages(msgs).result()
    d = shared_service.scope("cli", guild).digest(DigestOptions())
    found = {p.passage_id: p.quotes for p in d.passages}
    assert all(found.get(pid, 0) >= 1 for pid in expected.values()), (expected, found)
    # Chatter quotes nothing: every reference is one of the quotes'.
    assert set(found) == set(expected.values())
    assert d.totals["references"] == len(expected)


def _misspell(word: str, rng: random.Random) -> str:
    if len(word) < 6 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def test_typo_laden_quotes_cut_from_passages_are_counted(shared_service: SeminarService) -> None:
    check_typo_quotes(shared_service, 12)


def test_typo_laden_quotes_in_the_sample_course(sample_service: SeminarService) -> None:
    check_typo_quotes(sample_service, 8)


def check_typo_quotes(service: SeminarService, count: int) -> None:
    rng = random.Random(20261102)
    texts = passages_of(service)
    long_ones = sorted(pid for pid, text in texts.items() if len(text.split()) >= 40)
    chosen = rng.sample(long_ones, min(count, len(long_ones)))
    assert len(chosen) >= 5
    guild = "typo-quotes"
    msgs = []
    for n, pid in enumerate(chosen):
        words = texts[pid].split()
        start = rng.randrange(0, len(words) - 16)
        span = [_misspell(w, rng) if k % 3 == 1 else w for k, w in enumerate(words[start : start + 14])]
        msgs.append(message(guild, n, f'remember when they wrote "{" ".join(span)}"? wild'))
    service.record_messages(msgs).result()
    d = service.scope("cli", guild).digest(DigestOptions())
    found = {p.passage_id for p in d.passages if p.quotes}
    hits = sum(1 for pid in chosen if pid in found)
    assert hits == len(chosen), (hits, sorted(set(chosen) - found))
    assert d.participants[0].readings  # the quoters are credited with the reading


def test_citing_a_reading_by_its_authors_counts_for_that_reading(
    shared_service: SeminarService,
) -> None:
    reading = next(r for r in shared_service.scope("cli", None).readings() if r.authors)
    names = " and ".join(a.split()[-1] for a in reading.authors)
    guild = "cites"
    shared_service.record_messages([
        message(guild, 1, f"As {names} ({reading.year or 2010}) argue, it backfires."),
        message(guild, 2, CHATTER[0]),
    ]).result()
    d = shared_service.scope("cli", guild).digest(DigestOptions())
    assert [(r["reading_id"], r["references"]) for r in d.readings] == [(reading.id, 1)]
    assert d.passages == []
