"""The benchmark corpus: deterministic, shaped like a reading (notes, references), and
answerable. Timing is left to bench/run.py; this only checks what it measures is sound."""

from __future__ import annotations

import json
from pathlib import Path

from bench import corpus
from bot.core.service import SeminarService


def test_generated_readings_are_deterministic_and_index_like_readings(tmp_path: Path) -> None:
    first = corpus.build(2 * corpus.PASSAGES_PER_READING, tmp_path / "a", questions=10)
    again = corpus.build(2 * corpus.PASSAGES_PER_READING, tmp_path / "b", questions=10)
    texts_a = sorted(p.read_text() for p in Path(str(first["folder"])).glob("*.txt"))
    texts_b = sorted(p.read_text() for p in Path(str(again["folder"])).glob("*.txt"))
    assert len(texts_a) == 2 and texts_a == texts_b

    service = SeminarService(tmp_path / "bench.db", {"bench": Path(str(first["folder"]))})
    report = service.ensure_index("bench")
    with service.db.read() as conn:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM passages GROUP BY kind").fetchall())
    assert kinds["body"] >= 2 * corpus.BODY_PARAS * 0.9
    assert kinds["footnote"] > 10 and kinds["bibliography"] >= 2 * corpus.BIB_ENTRIES
    assert report.passages == sum(kinds.values())

    questions = [json.loads(line) for line in (tmp_path / "a" / "questions.jsonl").open()]
    found = 0
    for item in questions:
        answer = service.ask(item["question"], course="bench")
        found += any(item["gold"][:60] in h.passage.text for h in answer.hits)
    assert found >= len(questions) // 2
    service.close()
