"""The index: incremental, atomic, tolerant of bad files, recoverable from a broken database."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.core.errors import DatabaseUnavailable, ReadingsNotFound
from bot.core.models import CitationKind, PassageKind
from bot.core.search.retrieval import load_vocabulary
from bot.core.service import SeminarService
from bot.core.storage import database
from bot.core.textnorm import term_counts
from tests.core.test_loaders import make_pdf


@pytest.fixture
def folder(tmp_path: Path, knowledge_dir: Path) -> Path:
    target = tmp_path / "readings"
    shutil.copytree(knowledge_dir, target)
    return target


def test_index_builds_then_touches_only_what_changed(tmp_path: Path, folder: Path) -> None:
    service = SeminarService(tmp_path / "s.db", folder)
    first = service.scope("cli", None).ensure_index()
    assert sorted(first.indexed) == [
        "commons-and-collective-action", "regimes-without-trust", "water-treaties-and-trust"]
    assert service.scope("cli", None).ensure_index().indexed == []
    path = folder / "water-treaties-and-trust.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing paragraph about dams.\n",
                    encoding="utf-8")
    again = service.scope("cli", None).ensure_index()
    assert again.indexed == ["water-treaties-and-trust"]
    assert again.unchanged == ["commons-and-collective-action", "regimes-without-trust"]
    (folder / "commons-and-collective-action.md").unlink()
    assert service.scope("cli", None).ensure_index().removed == ["commons-and-collective-action"]
    assert [r.id for r in service.scope("cli", None).readings()] == ["regimes-without-trust",
                                                  "water-treaties-and-trust"]
    service.close()


def test_stored_vocabulary_follows_every_change(tmp_path: Path, folder: Path) -> None:
    """The vocabulary kept at index time equals a full recount after edits and removals."""
    service = SeminarService(tmp_path / "s.db", folder)
    service.ensure_all()
    path = folder / "water-treaties-and-trust.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nZorblax re-negotiated dams.\n",
                    encoding="utf-8")
    service.ensure_all()
    (folder / "commons-and-collective-action.md").unlink()
    service.ensure_all()
    with service.db.read() as conn:
        stored = load_vocabulary(conn, "default")
        texts = [t for (t,) in conn.execute(
            "SELECT text FROM passages WHERE kind IN ('body', 'abstract', 'footnote')")]
    df, spaced = term_counts(texts)
    assert stored.df == dict(df) and stored.compounds == spaced
    assert stored.passages == len(texts)
    assert "zorblax" in stored.df and "pasture" not in stored.df
    service.close()


def test_bad_files_warn_and_the_rest_is_indexed(tmp_path: Path, folder: Path) -> None:
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4 nonsense")
    (folder / "cp1252.txt").write_bytes("Caf\xe9 societies and the public sphere.\n".encode("latin-1"))
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04")
    service = SeminarService(tmp_path / "s.db", folder)
    report = service.scope("cli", None).ensure_index()
    named = " ".join(report.warnings)
    for bad in ("binary.txt", "empty.txt", "corrupt.pdf", "slides.pptx"):
        assert bad in named
    assert "cp1252" in report.indexed and "water-treaties-and-trust" in report.indexed
    assert service.scope("cli", None).ask("cafe societies").hits[0].passage.reading_id == "cp1252"
    service.close()


def test_pdf_reading_keeps_page_numbers(tmp_path: Path, knowledge_dir: Path) -> None:
    text = (knowledge_dir / "water-treaties-and-trust.txt").read_text(encoding="utf-8")
    half = text.index("WHEN TRUST BREAKS DOWN")
    folder = tmp_path / "pdf"
    folder.mkdir()
    make_pdf(folder / "water.pdf", [text[:half], text[half:]])
    service = SeminarService(tmp_path / "s.db", folder)
    service.ensure_all()
    hit = service.scope("cli", None).ask("what happens when one party suspects the other of taking more water").hits[0]
    assert hit.passage.page == 2
    assert service.scope("cli", None).ask("joint commission engineers gauging stations").hits[0].passage.page == 1
    service.close()


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    service = SeminarService(tmp_path / "s.db", tmp_path / "nowhere")
    with pytest.raises(ReadingsNotFound, match="does not exist"):
        service.ensure_all()
    service.close()


def test_corrupt_database_is_reported(tmp_path: Path, folder: Path) -> None:
    # the recovery (`index --rebuild` sets the file aside) is tests/test_cli.py's
    db = tmp_path / "s.db"
    db.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseUnavailable, match="rebuild"):
        SeminarService(db, folder)


def test_locked_database_is_reported(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.db"
    SeminarService(db, folder).close()
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)  # fail in 0.2 s, not 10
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    service = SeminarService(db, folder)  # WAL: opening only reads, which the lock allows
    try:
        with pytest.raises(DatabaseUnavailable, match="locked"):
            service.ensure_all()
    finally:
        holder.rollback()
        holder.close()
        service.close()


def test_failed_index_leaves_the_old_one_usable(tmp_path: Path, folder: Path, monkeypatch) -> None:
    service = SeminarService(tmp_path / "s.db", folder)
    service.ensure_all()
    before = service.scope("cli", None).ask("why do water treaties last").hits[0].passage.id
    path = folder / "water-treaties-and-trust.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nMore text.\n", encoding="utf-8")

    import bot.core.readings.store as index

    def crash(*args, **kwargs):
        raise RuntimeError("power cut half-way through indexing")

    monkeypatch.setattr(index, "_insert_reading", crash)
    with pytest.raises(RuntimeError):
        service.ensure_all()
    assert service.scope("cli", None).ask("why do water treaties last").hits[0].passage.id == before
    service.close()


def test_database_is_a_plain_sqlite_utils_database(sample_service) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(sample_service.db.path)
    assert {"readings", "passages", "passages_fts", "messages", "bot_queries"} <= set(db.table_names())
    rows = list(db.query("select id, kind from passages where kind = 'footnote' order by id"))
    assert [r["id"] for r in rows] == [f"water-treaties-and-trust-n{i}" for i in (1, 2, 3)]
    hits = list(db["passages"].search("gauging"))
    assert hits and all("gauging" in h["text"] for h in hits)


def test_docx_reading(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Seminar Notes on Deliberation")
    document.add_paragraph("Deliberative polling gathers a random sample of citizens to discuss an issue.")
    folder = tmp_path / "docx"
    folder.mkdir()
    document.save(str(folder / "notes.docx"))
    service = SeminarService(tmp_path / "d.db", folder)
    assert service.scope("cli", None).ensure_index().indexed == ["notes"]
    assert "random sample" in service.scope("cli", None).ask("what is deliberative polling").hits[0].passage.text
    service.close()


def test_kinds_are_enums_stored_and_serialised_as_their_strings(sample_service) -> None:
    """PassageKind and CitationKind members are their strings: the database holds the plain
    text, JSON output is unchanged, and comparisons with the strings hold."""
    with sample_service.db.read() as conn:
        stored = [k for (k,) in conn.execute("SELECT DISTINCT kind FROM passages ORDER BY kind")]
    assert stored == ["abstract", "bibliography", "body", "footnote"]
    passage, _, _ = sample_service.scope("cli", None).passage("water-treaties-and-trust-n1")
    assert passage.kind is PassageKind.FOOTNOTE and passage.kind == "footnote"
    assert json.dumps({"kind": passage.kind}) == '{"kind": "footnote"}'
    (match,) = sample_service.scope("cli", None).cite("Hardin 1968").matches
    assert match.cited_in
    assert all(c.kind is CitationKind.CITATION and json.dumps(c.kind) == '"citation"'
               for c in match.cited_in)
