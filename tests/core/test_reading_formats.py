"""Every reading format through one path (load -> clean -> passages), and the metadata that
instructors can override: PDFs by their layout, Word files by their styles and notes part."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from bot.core.models import PassageKind
from bot.core.readings import loaders, metadata
from bot.core.readings.cleaning import clean
from bot.core.readings.passages import build_passages
from bot.core.readings.prepare import PreparedReading, prepare_reading
from tests.core.pdf_samples import Sample


def passages_of(raw: loaders.RawDocument):
    return build_passages("r", clean(raw), "default")


def paper() -> bytes:
    """Three pages printed 21-23 (the first prints no number): a bold heading, a body-size
    line of capitals, a note at the foot of page one, a paragraph cut by the page break."""
    s = Sample()
    for index in range(3):
        s.page()
        if index:
            s.line(56, 40, str(21 + index), 9).line(250, 40, "Journal of Test Studies 4(1)", 8)
    s.pdf.page = 1
    s.line(56, 90, "Councils and Budgets", 20, "B")
    s.line(56, 130, "1. Regional councils", 13, "B")
    y = s.paragraph(56, 150, 12, seed=1)
    s.line(56, y, "BOHEMIA MORAVIA AND SILESIA SENT DELEGATES", 10)
    s.marked(56, y + 13, "The delegates met every spring", "1", "to compare their budgets.")
    y = s.paragraph(56, y + 39, 30, seed=4)
    s.line(56, y, "Their long negotiations over the transfers of the regional", 10)
    s.line(56, 770, "1 The spring round follows the budget law.", 8)
    s.pdf.page = 2
    s.line(56, 80, "budgets ended only when the ministry set a deadline.", 10)
    s.paragraph(56, 110, 20, seed=7)
    s.pdf.page = 3
    s.paragraph(56, 80, 30, seed=9)
    return s.bytes()


def test_a_pdf_is_read_by_its_layout_into_typed_passages_on_printed_pages() -> None:
    raw = loaders.load_bytes(".pdf", paper())
    assert raw.page_labels == [None, "22", "23"] and raw.page_numbers == ["21", "22", "23"]
    passages = passages_of(raw)
    body = [p for p in passages if p.kind == PassageKind.BODY]
    # Capitals in body type are text, not a heading: the section is the bold heading's.
    caps = next(p for p in body if "BOHEMIA MORAVIA" in p.text)
    assert caps.section == "1. Regional councils"
    (note,) = [p for p in passages if p.kind == PassageKind.FOOTNOTE]
    assert (note.text, note.label, note.page) == ("1 The spring round follows the budget law.", "1", "21")
    holder = next(p for p in passages if p.id == note.parent_id)
    assert "every spring¹ to compare" in holder.text and note.id in holder.note_ids
    # The paragraph cut by the page break is one passage, cited from the page it starts on.
    cut = next(p for p in body if "transfers of the regional budgets ended only" in p.text)
    assert (cut.page, cut.pdf_page) == ("21", 1)
    assert any(p.page == "22" and p.pdf_page == 2 for p in body)
    assert not any("Journal of Test Studies" in p.text for p in passages)


def word_file() -> bytes:
    """A Word file with a title, styled headings, a capitals paragraph in body style, a
    footnote in the notes part, a table and a reference list."""
    document = docx.Document()
    document.add_paragraph("Budgets and Bargaining", style="Title")
    document.add_heading("Introduction", level=1)
    para = document.add_paragraph("Councils bargain over transfers every spring.")
    run = OxmlElement("w:r")
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), "2")
    run.append(reference)
    para._p.append(run)
    para.add_run(" Delegates compare their positions first.")
    document.add_paragraph("BOHEMIA, MORAVIA AND SILESIA SENT DELEGATES")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "Region", "4.2"
    document.add_heading("References", level=1)
    document.add_paragraph("Ostrom, E. (1990). Governing the commons. Cambridge University Press.")
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_footnotes(buffer.getvalue(), {"2": "The spring round follows the budget law."})


def _with_footnotes(data: bytes, notes: dict[str, str]) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f'<w:footnote w:id="{i}"><w:p><w:r><w:footnoteRef/></w:r><w:r>'
                   f'<w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
                   for i, text in notes.items())
    part = (f'<w:footnotes xmlns:w="{w}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
            f"<w:separator/></w:r></w:p></w:footnote>{body}</w:footnotes>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", (
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>'))
            if item.filename == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>"))
            dst.writestr(item, content)
        dst.writestr("word/footnotes.xml", part)
    return out.getvalue()


def test_a_word_file_gives_headings_by_style_and_notes_from_its_notes_part() -> None:
    raw = loaders.load_bytes(".docx", word_file())
    assert raw.detected["title"] == "Budgets and Bargaining"
    passages = passages_of(raw)
    by_kind = {kind: [p for p in passages if p.kind == kind] for kind in PassageKind}
    first = by_kind[PassageKind.BODY][0]
    assert first.text == "Councils bargain over transfers every spring.¹ Delegates compare their positions first."
    assert first.section == "Introduction"
    assert by_kind[PassageKind.BODY][1].text == "BOHEMIA, MORAVIA AND SILESIA SENT DELEGATES"
    (note,) = by_kind[PassageKind.FOOTNOTE]
    assert (note.label, note.parent_id) == ("1", first.id)
    assert note.text == "¹ The spring round follows the budget law."
    assert [p.text for p in by_kind[PassageKind.FIGURE]] == ["Region\t\n\t4.2"]
    assert [p.section for p in by_kind[PassageKind.BIBLIOGRAPHY]] == ["References"]


def test_metadata_comes_from_the_file_front_matter_and_sidecar_in_that_order(tmp_path: Path) -> None:
    path = tmp_path / "budgets-and-bargaining.pdf"
    detected = {"title": "Budgets", "authors": ["Ada Lovelace"], "year": "2019",
                "container": "Journal of Test Studies", "pages": "101-104", "doi": None}
    meta, warnings = metadata.resolve(
        path, detected=detected,
        front_matter={"volume": 12, "issue": "3", "journal": "J. Test Stud."},
        sidecar={"budgets-and-bargaining.pdf": {"title": "Budgets and Bargaining",
                                                "author": "Ada Lovelace and Charles Babbage",
                                                "pages": "pp. 101–104", "doi": "10.1234/x",
                                                "edition": "2nd"}},
    )
    assert meta == metadata.ReadingMetadata(
        title="Budgets and Bargaining", authors=("Ada Lovelace", "Charles Babbage"), year="2019",
        container="J. Test Stud.", volume="12", issue="3", pages="101-104", doi="10.1234/x")
    assert warnings == [
        "budgets-and-bargaining.pdf: readings.toml [budgets-and-bargaining.pdf] sets 'edition', "
        "which is not a reading field (known: title, authors, year, container, volume, issue, "
        "pages, doi); ignored"]
    bare, _ = metadata.resolve(path, detected={}, front_matter={}, sidecar={})
    assert bare.title == "Budgets and Bargaining" and bare.authors == ()


def test_unknown_front_matter_keys_are_reported_when_the_reading_is_prepared(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("---\ntitle: Seminar Notes\ntags: [week 3]\n---\nCouncils bargain.\n",
                    encoding="utf-8")
    prepared = prepare_reading(path, "notes", path.stat(), course="default", sidecar={})
    assert isinstance(prepared, PreparedReading) and prepared.metadata.title == "Seminar Notes"
    assert any("front matter sets 'tags'" in w for w in prepared.warnings)


def test_text_files_get_the_same_normal_form_as_pdfs() -> None:
    raw = loaders.load_bytes(".txt", "The coeﬃcients were signi\u00adficant, the ﬂows stable.".encode())
    assert raw.text == "The coefficients were significant, the flows stable."
