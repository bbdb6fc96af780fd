"""Fixtures: a tiny readings folder written here, a real service on a real SQLite file, and a
real discord.py bot that never connects (see harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.service import SeminarService
from tests.discord_app.harness import (
    Harness,
    assert_within_discord_limits,
    settings_for,
    start_bot,
)

READINGS = {
    "regimes.md": """---
title: "Regimes and *Cooperation*"
authors: ["Ana Torres", "Ben Okafor"]
year: "2019"
---
# Introduction

International regimes are sets of principles, norms, rules and decision-making procedures
around which actors' expectations converge in a given issue area. They lower the costs of
making agreements and give states information about one another.

# Compliance

States comply with regimes when the shadow of the future is long. Repeated interaction makes
reputation valuable, so defection today is punished by lost cooperation tomorrow (Keohane,
1984, p. 51).

# References

Keohane, R. O. (1984). After Hegemony: Cooperation and Discord in the World Political Economy.
Princeton University Press.
""",
    "drug-policy.md": """---
title: Drug Policy Across the Border
authors: ["Lucía Méndez"]
year: "2021"
---
# Certification

The annual certification process let one government grade the counter-narcotics efforts of
its neighbour. Critics called it unilateral and humiliating; defenders said it created leverage.

# Eradication

Aerial eradication campaigns moved coca cultivation from one valley to the next, a pattern
scholars call the balloon effect.
""",
    "long-sentence.md": """---
title: A Reading With One Endless Sentence
authors: ["Chris Long"]
year: "2020"
---
# Appendix

"""
    # (Markdown emphasis is cleaned at indexing; strike-through marks stay, and must be escaped)
    + "the delegates argued about the ~~wording~~ of the treaty clause and its implications "
    "for sovereignty and @everyone in the hall including <@&123> and the observers "
    * 70
    + "\n",
}


@pytest.fixture()
def readings(tmp_path: Path) -> Path:
    folder = tmp_path / "readings"
    folder.mkdir()
    for name, text in READINGS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def service(tmp_path: Path, readings: Path) -> SeminarService:
    svc = SeminarService(tmp_path / "seminar.db", readings)
    svc.ensure_all()
    yield svc
    svc.close()


@pytest.fixture()
async def harness(
    tmp_path: Path, readings: Path, service: SeminarService, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    h = await start_bot(settings_for(tmp_path, readings), service, monkeypatch)
    yield h
    await h.settle()
    await h.bot.close()
    for sent in h.recorder.sent:  # every test checks every response against Discord's limits
        assert_within_discord_limits(sent)
    # and that every interaction was answered in time (a test expecting a failure takes it)
    assert h.recorder.take_failures() == []
