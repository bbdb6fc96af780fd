"""Every file a readings folder may hold: encodings, PDFs (real ones, made here), broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from bot.core.readings.guards import UnreadableFile
from bot.core.readings.loaders import load


def make_pdf(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        safe = text.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 6, safe)
    pdf.output(str(path))
    return path


def test_utf8_bom_and_cp1252(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffMérida Initiative".encode())
    assert load(bom).text == "Mérida Initiative"
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Calder\xf3n\x92s \x93war\x94 on drugs".encode("latin-1"))
    assert load(legacy).text == "Calderón’s “war” on drugs"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n ", "empty"),
        ("image.txt", bytes(range(256)) * 8, "binary"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage", "PDF"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "Word"),
    ],
)
def test_unreadable_files_raise_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=reason):
        load(path)


def test_pdf_pages_are_kept(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "two.pdf", ["First page about treaties.", "Second page about rivers."])
    raw = load(path)
    assert raw.paged and raw.format == "pdf"
    assert "treaties" in raw.pages[0] and "rivers" in raw.pages[1]


def test_front_matter_is_metadata_not_text(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text("---\ntitle: A Title\nauthors: [Ann Lee]\n---\nBody text here.\n", encoding="utf-8")
    raw = load(path)
    assert raw.meta == {"title": "A Title", "authors": ["Ann Lee"]}
    assert "title:" not in raw.text and "Body text here." in raw.text
