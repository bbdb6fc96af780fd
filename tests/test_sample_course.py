"""The bundled sample course's PDF: what `make run` indexes on a fresh checkout. A real-looking
article typeset by tests/sample_pdf.py, printed pages 147-150 on PDF pages 1-4."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium

from bot.core.service import SeminarService
from tests import sample_pdf

READING = "fishing-councils-and-trust"


def page_texts(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def test_the_committed_pdf_is_what_the_generator_writes() -> None:
    # If this fails after editing tests/sample_pdf.py: python -m tests.sample_pdf
    assert page_texts(sample_pdf.PATH.read_bytes()) == page_texts(sample_pdf.build())


def test_its_passages_cite_the_printed_page_not_the_pdf_page(sample_service: SeminarService) -> None:
    course = sample_service.scope("cli", None)
    hit = course.ask("why is a quota agreed on paper fragile when crews think their neighbours cheat").hits[0]
    assert hit.reading.id == READING
    assert (hit.passage.page, hit.passage.pdf_page) == ("148", 2)
    assert hit.passage.section == "2. Councils without trust"
    assert course.how_to_cite(hit.passage.id)["apa_in_text"] == "(Solberg, 2021, p. 148)"
    # The opening page prints no number; its place before page 148 says it is 147.
    opening = course.ask("how are small coastal fisheries governed by councils").hits[0]
    assert (opening.reading.id, opening.passage.page, opening.passage.pdf_page) == (READING, "147", 1)


def test_its_running_heads_notes_and_reference_list(sample_service: SeminarService) -> None:
    with sample_service.db.read() as conn:
        rows = conn.execute("SELECT id, kind, text, parent_id FROM passages WHERE reading_id = ?"
                            " ORDER BY start", (READING,)).fetchall()
    texts = " ".join(r["text"] for r in rows)
    assert "Journal of Seminar Studies 7(2)" not in texts and "Solberg: Fishing" not in texts
    notes = {r["id"]: r for r in rows if r["kind"] == "footnote"}
    assert sorted(notes) == [f"{READING}-n{i}" for i in (1, 2, 3)]
    parent = next(r for r in rows if r["id"] == notes[f"{READING}-n2"]["parent_id"])
    assert "single season of over-fishing can undo years of negotiation.² The problem" in parent["text"]
    entries = [r["text"] for r in rows if r["kind"] == "bibliography"]
    assert [e.split(",")[0] for e in entries] == ["Acheson", "Berkes", "Jentoft", "Pinkerton"]
    assert entries[-1].endswith("University of British Columbia Press.")  # run over a page break


def test_readings_json_gives_its_metadata_and_page_labels(tmp_path: Path, knowledge_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--readings", str(knowledge_dir), "--db", str(tmp_path / "r.db"),
         "readings", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    listed = {r["id"]: r for r in json.loads(proc.stdout)}
    pdf = listed[READING]
    assert {k: pdf[k] for k in ("file", "title", "authors", "year", "container", "volume",
                                "issue", "pages", "doi", "page_labels")} == {
        "file": "fishing-councils-and-trust.pdf",
        "title": "Fishing Councils and the Problem of Trust: Co-management in Small Coastal Fisheries",
        "authors": ["Ingrid Solberg"], "year": "2021", "container": "Journal of Seminar Studies",
        "volume": "7", "issue": "2", "pages": "147-150", "doi": "10.5555/jss.2021.147",
        "page_labels": [None, "148", "149", "150"],
    }
    text = listed["water-treaties-and-trust"]
    assert text["page_labels"] == [] and text["year"] == "2022" and text["file"].endswith(".txt")
