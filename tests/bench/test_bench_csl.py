"""bench_csl's records and scoring, without citeproc (the `bench` extra): the measure is only
honest if its records are reproducible and its checks neither pass a wrong surname nor fail a
right one printed another way."""

from __future__ import annotations

from bench import bench_csl
from bot.core.models import BibEntry


def _entry(*authors: str) -> BibEntry:
    return BibEntry(authors=authors, year="2001", title="Harbour towns", raw="")


def test_records_are_seeded_and_varied() -> None:
    records = [bench_csl.record(i, seed=3) for i in range(300)]
    assert records == [bench_csl.record(i, seed=3) for i in range(300)]
    assert records != [bench_csl.record(i, seed=4) for i in range(300)]
    kinds = {r["type"] for r in records}
    assert kinds == {"article-journal", "book", "chapter", "report"}
    people = [p for r in records for p in r.get("author", []) + r.get("editor", [])]
    assert any("non-dropping-particle" in p for p in people)
    assert any("-" in p.get("family", "") for p in people)
    assert {len(r.get("author", [])) for r in records} >= {1, 2, 3, 4}
    assert any("DOI" in r for r in records) and any(":" in r["title"] for r in records)


def test_surname_check_takes_particles_either_side_and_nothing_else() -> None:
    gold = bench_csl.Gold(surname="Quell", corporate=False, year="2001", title="Harbour towns")
    assert bench_csl.surname_right(gold, _entry("van der Quell", "Hoffer"))
    assert bench_csl.surname_right(gold, _entry("Quell"))
    assert not bench_csl.surname_right(gold, _entry("Hoffer", "Quell"))
    assert not bench_csl.surname_right(gold, _entry("Quell AL"))
    assert not bench_csl.surname_right(gold, _entry())
    unnamed = bench_csl.Gold(surname=None, corporate=False, year="2001", title="Harbour towns")
    assert bench_csl.surname_right(unnamed, _entry())
    assert not bench_csl.surname_right(unnamed, _entry("Harbour Towns"))
    body = bench_csl.Gold(surname="Ministry of Tides", corporate=True, year="2001", title="Tides")
    assert bench_csl.surname_right(body, _entry("Ministry of Tides"))
    assert not bench_csl.surname_right(body, _entry("Ministry"))


def test_title_check_ignores_case_and_punctuation_only() -> None:
    gold = bench_csl.Gold(surname="Quell", corporate=False, year="2001",
                          title="Harbour towns: a survey of the north")
    same = BibEntry(authors=("Quell",), year="2001", title="Harbour Towns. A Survey of the North", raw="")
    cut = BibEntry(authors=("Quell",), year="2001", title="Harbour Towns", raw="")
    assert bench_csl.title_right(gold, same) and not bench_csl.title_right(gold, cut)
