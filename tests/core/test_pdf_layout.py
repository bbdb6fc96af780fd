"""The layout-aware PDF reader on PDFs generated here: furniture, printed page labels,
footnotes, columns, headings, ligatures, cover sheets, tables of contents, metadata."""

from __future__ import annotations

import os
from collections import Counter

import pytest

from bot.core.readings.layout import analyze, paragraph_text, vocabulary
from bot.core.readings.pdf import read_pdf
from bot.core.readings.pdfmeta import read_metadata
from tests.core.pdf_samples import UNICODE_FONTS, Sample, article, sentence


def test_printed_page_numbers_become_labels_and_running_heads_leave_the_text() -> None:
    layout = analyze(read_pdf(article(pages=6, first_folio=101).bytes()))
    # The first page prints no number: left blank, not guessed; the others are 102...106.
    assert layout.page_labels == [None, "102", "103", "104", "105", "106"]
    text = " ".join(block.text for block in layout.blocks)
    assert "Journal of Test Studies 12(3)" not in text.split("Budgets")[1]
    assert "Lovelace and Babbage: Budgets" not in text
    assert not any(block.text.strip().isdigit() for block in layout.blocks)


def test_a_number_repeated_on_every_page_is_not_a_page_number() -> None:
    s = Sample()
    for index in range(5):
        s.page().line(500, 800, "123", 9)  # a logo-like constant at every foot
        s.paragraph(56, 80, 30, seed=index)
    layout = analyze(read_pdf(s.bytes()))
    assert layout.page_labels == [None] * 5


def test_roman_front_matter_then_arabic_numbers() -> None:
    s = Sample()
    for label in ["iii", "iv", "1", "2", "3"]:
        s.page().paragraph(56, 80, 30, seed=len(label))
        s.line(290, 810, label, 9)
    assert analyze(read_pdf(s.bytes())).page_labels == ["iii", "iv", "1", "2", "3"]


def test_footnote_at_the_foot_is_a_note_linked_by_its_raised_marker() -> None:
    s = Sample().page()
    y = s.paragraph(56, 80, 20, seed=2)
    s.marked(56, y, "Some Czech parties kept their seats", "1", "after the election.")
    s.paragraph(56, y + 13, 10, seed=5)
    s.line(56, 760, "1 The political system of the Second Republic changed twice.", 8)
    s.line(56, 770, "It was rebuilt after the war by a new assembly.", 8)
    layout = analyze(read_pdf(s.bytes()))
    notes = [b for b in layout.blocks if b.kind == "footnote"]
    assert [n.label for n in notes] == ["1"]
    assert notes[0].text.startswith("1 The political system") and "new assembly" in notes[0].text
    body = " ".join(b.text for b in layout.blocks if b.kind == "body")
    assert "seats¹ after" in body
    assert "Second Republic" not in body  # the note is not glued into a sentence


def test_small_numbered_lines_without_a_marker_in_the_text_are_not_notes() -> None:
    s = Sample().page()
    s.paragraph(56, 80, 30, seed=2)
    # In sequence, but nothing in the text is raised to point at them: a chart's labels.
    s.line(56, 760, "1 refused", 6).line(56, 770, "2 screening-positive", 6)
    assert not [b for b in analyze(read_pdf(s.bytes())).blocks if b.kind == "footnote"]


def test_two_columns_are_read_left_column_first() -> None:
    s = Sample().page()
    s.line(56, 60, "A Title Across Both Columns", 16, "B")
    for i in range(25):
        s.line(56, 100 + i * 13, f"left {i} " + sentence(i, 5), 9)
        s.line(310, 100 + i * 13, f"right {i} " + sentence(i + 40, 5), 9)
    layout = analyze(read_pdf(s.bytes()))
    text = " ".join(b.text for b in layout.blocks)
    assert text.index("left 24") < text.index("right 0")
    assert text.index("A Title Across") < text.index("left 0")


def test_a_column_ending_right_at_the_gutter_still_counts_as_a_column() -> None:
    # The left column's lines end within a point of where the gutter scan first finds no
    # line crossing (36% of the width): they are that column, not lines of neither side,
    # so the page is read column by column rather than line by line across both.
    s = Sample().page()
    for i in range(25):
        s.line(34.8, 100 + i * 13, f"left {i:02d} " + sentence(i, 8)[:22], 10, font="Courier")
        s.line(231, 100 + i * 13, f"right {i} " + sentence(i + 40, 5), 9)
    text = " ".join(b.text for b in analyze(read_pdf(s.bytes())).blocks)
    assert text.index("left 24") < text.index("right 0")


def test_headings_by_size_and_weight_never_by_capitals_alone() -> None:
    s = Sample().page()
    y = s.paragraph(56, 80, 8, seed=1)
    s.line(56, y + 10, "2. Regional Councils", 13, "B")
    y = s.paragraph(56, y + 30, 8, seed=3)
    # A body-size line full of proper nouns is text, not a heading.
    s.line(56, y, "Bohemia, Moravia, Silesia, Slovakia And Subcarpathian Ruthenia", 10)
    s.paragraph(56, y + 13, 8, seed=4)
    layout = analyze(read_pdf(s.bytes()))
    headings = [b.text for b in layout.blocks if b.kind == "heading"]
    assert headings == ["2. Regional Councils"]
    assert any("Subcarpathian Ruthenia" in b.text for b in layout.blocks if b.kind == "body")


def test_ligatures_are_spelled_out() -> None:
    font = next((p for p in UNICODE_FONTS if p.exists()), None)
    if font is None:
        # .ci/run installs fonts-dejavu-core: on CI a missing font is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)("no Unicode TTF font (fonts-dejavu-core)")
        return
    s = Sample().page()
    s.pdf.add_font("uni", "", str(font))
    s.line(56, 80, "The coeﬃcients were signiﬁcant and the ﬂows stable.", 10, font="uni")
    s.paragraph(56, 100, 10, seed=1)
    layout = analyze(read_pdf(s.bytes()))
    words = vocabulary(layout)
    text = " ".join(paragraph_text(b, words) for b in layout.blocks)
    assert "coefficients were significant and the flows" in text


def test_line_break_hyphens_are_undone_but_compounds_kept() -> None:
    s = Sample().page()
    s.line(56, 80, "the answers to the ques-", 10).line(56, 93, "tionnaires showed the self-", 10)
    s.line(56, 106, "interest of members, as self-interest often does.", 10)
    s.paragraph(56, 130, 10, seed=1)
    layout = analyze(read_pdf(s.bytes()))
    words = vocabulary(layout)
    text = paragraph_text(layout.blocks[0], words)
    assert "questionnaires showed the self-interest of members" in text


def test_a_repository_cover_sheet_is_recognised_and_its_citation_read() -> None:
    s = article(pages=4, first_folio=45, after=_cover_sheet())
    layout = analyze(read_pdf(s.bytes()))
    assert layout.cover_pages == [0]
    assert layout.page_labels == [None, None, "46", "47", "48"]
    assert all(b.page != 0 for b in layout.blocks)
    meta = read_metadata(layout)
    assert meta.title == "Budgets and Bargaining in Regional Councils"
    assert meta.authors == ["Ada Lovelace", "Charles Babbage"]
    assert (meta.container, meta.volume, meta.issue) == ("Journal of Test Studies", "12", "3")
    assert meta.pages == "45-48" and meta.year == "2019"


def _cover_sheet() -> Sample:
    """A repository cover sheet, for an article to be drawn after it (fpdf2 cannot insert a
    page before others)."""
    s = Sample().page()
    s.line(60, 120, "Budgets and Bargaining in Regional Councils", 18, "B")
    s.line(60, 300, "Suggested Citation:", 9, "B")
    s.line(60, 312, "Lovelace, Ada; Babbage, Charles: Budgets and Bargaining in Regional Councils.", 9)
    s.line(60, 323, "In: Journal of Test Studies 12 (2019), 3, pp. 45-48.", 9)
    s.line(60, 500, "Terms of use:", 8, "B")
    s.line(60, 510, "This document is made available under a Creative Commons licence.", 8)
    return s


def test_first_page_metadata_title_by_size_authors_imprint_doi() -> None:
    layout = analyze(read_pdf(_with_doi().bytes()))
    meta = read_metadata(layout)
    assert meta.title == "Budgets and Bargaining in Regional Councils"
    assert meta.authors == ["Ada Lovelace", "Charles Babbage"]
    assert meta.container == "Journal of Test Studies"
    assert (meta.volume, meta.issue, meta.pages) == ("12", "3", "101-104")
    assert meta.doi == "10.1234/jts.2019.0042"


def _with_doi() -> Sample:
    s = Sample()
    s.pdf.set_title("Microsoft Word - draft3.docx")
    for index in range(4):
        s.page()
        if index == 0:
            s.line(56, 50, "Journal of Test Studies 12(3), 101-104", 8)
            s.line(56, 60, "DOI: 10.1234/jts.2019.0042", 8)
            s.line(56, 120, "Budgets and Bargaining in Regional Councils", 20, "B")
            s.line(56, 146, "Ada Lovelace and Charles Babbage", 12)
            s.paragraph(56, 200, 30, seed=1)
        else:
            s.line(56, 40, f"{101 + index}", 9).line(250, 40, "Journal of Test Studies 12(3)", 8)
            s.paragraph(56, 80, 40, seed=index)
    return s


def test_reference_list_found_after_a_table_of_contents_that_lists_it() -> None:
    s = Sample().page()
    s.line(56, 60, "Contents", 12, "B")
    for i, entry in enumerate(["1 Introduction", "2 Method", "References"]):
        s.line(56, 80 + i * 12, entry, 10).line(500, 80 + i * 12, str(i * 4 + 1), 10)
    s.line(56, 140, "1 Introduction", 13, "B")
    s.paragraph(56, 160, 40, seed=1)
    s.page().line(56, 60, "2 Method", 13, "B")
    s.paragraph(56, 80, 30, seed=2)
    s.line(56, 500, "References", 13, "B")
    for i in range(8):
        s.line(56, 520 + i * 13, f"Author{chr(65 + i)}, B. ({1990 + i}). A study of things. Journal, {i + 1}, 1-9.", 10)
    # A closing index that lists "References" among undated entries does not start a list.
    s.page().line(56, 60, "Index of terms", 13, "B")
    for y, entry in zip([90, 103, 150, 197, 210], ["Budgets", "Councils", "References", "Transfers", "Voting"], strict=True):
        s.line(56, y, entry, 10)
    layout = analyze(read_pdf(s.bytes()))
    start = layout.references_start
    assert start is not None and layout.blocks[start].page == 1
    after = " ".join(b.text for b in layout.blocks[start + 1:])
    assert "AuthorA" in after and "Method" not in after
    assert layout.references_end is not None and layout.blocks[layout.references_end].text == "Index of terms"
    body = " ".join(b.text for b in layout.blocks[:start])
    assert Counter(body.split())["council"] > 3  # the article is still text, not references


def test_slanted_roman_is_italic_text_and_rotated_text_stays_out() -> None:
    # An italic made by shearing the roman (a skewed text matrix) is read, as italic, with
    # its spaces; a stamp turned on its side is still no text of the page.
    s = Sample().page()
    s.line(56, 100, "Kolb, D. A. (1984):", 10)
    x = 56 + s.pdf.get_string_width("Kolb, D. A. (1984): ")
    with s.pdf.skew(ax=-14, ay=0, x=x, y=100):
        s.line(x, 100, "Experiential Learning", 10)
    s.line(x + s.pdf.get_string_width("Experiential Learning"), 100, ". Englewood Cliffs: Hall.", 10)
    with s.pdf.rotation(90, x=40, y=400):
        s.line(40, 400, "Downloaded from the archive", 8)
    lines = read_pdf(s.bytes()).pages[0].lines
    assert [line.text for line in lines] == ["Kolb, D. A. (1984): Experiential Learning. Englewood Cliffs: Hall."]
    assert [span.text for span in lines[0].spans if span.italic] == ["Experiential Learning"]


def _entries_page(s: Sample, y: float, first: int, count: int) -> float:
    """Entries of two lines, the second hanging."""
    for i in range(first, first + count):
        s.line(56, y, f"Author{chr(65 + i)}, B. ({1990 + i}): A study of things in the regions and", 10)
        s.line(68, y + 12, f"their councils. Journal {i + 1}, S. 1-9.", 10)
        y += 26
    return y


def test_a_list_named_again_in_small_type_on_every_page_starts_at_its_heading() -> None:
    # "Literature" as a running head in small type on each page of a three-page list, too
    # few pages of a long report for the furniture finder, neither starts the list on its
    # last page nor becomes an entry.
    s = Sample()
    for page in range(13):
        s.page().paragraph(56, 80, 40, seed=page)
    s.page().line(56, 40, "Literature", 6)
    s.line(56, 70, "6. Literature", 12, "B")
    _entries_page(s, 90, 0, 8)
    s.page().line(56, 40, "Literature", 6)
    _entries_page(s, 70, 8, 8)
    s.page().line(56, 40, "Literature", 6)
    _entries_page(s, 70, 16, 8)
    from bot.core.readings.layout import reference_entries
    layout = analyze(read_pdf(s.bytes()))
    start = layout.references_start
    assert start is not None and layout.blocks[start].text == "6. Literature"
    entries = [b.text for b in reference_entries(layout)]
    assert len(entries) == 24 and all(e.startswith("Author") for e in entries)


def test_a_short_list_before_an_appendix_of_tables_is_found() -> None:
    # Three entries, then an appendix heading and a table of figures: the list's name is
    # judged by the lines up to the next heading, not by the table's numbers after it.
    s = Sample().page()
    s.paragraph(56, 80, 30, seed=2)
    s.line(56, 500, "Literatur:", 11)
    _entries_page(s, 520, 0, 3)
    s.line(56, 620, "4 Appendix: loadings", 13, "B")
    for row in range(14):
        for col in range(4):
            s.line(120 + col * 90, 640 + row * 12, f"{row},{col}5", 10)
    layout = analyze(read_pdf(s.bytes()))
    start = layout.references_start
    assert start is not None and layout.blocks[start].text == "Literatur:"
    assert layout.references_end is not None and "Appendix" in layout.blocks[layout.references_end].text


def test_a_letter_spaced_list_name_opens_the_list() -> None:
    s = Sample().page()
    s.paragraph(56, 80, 30, seed=3)
    s.line(56, 500, "Literatu r", 11)
    _entries_page(s, 520, 0, 6)
    layout = analyze(read_pdf(s.bytes()))
    assert layout.references_start is not None
    assert layout.blocks[layout.references_start].text == "Literatu r"


def test_a_flush_continuation_in_a_dated_hanging_list_stays_in_its_entry() -> None:
    # "Harbourtown, Quayshire, England" left open, then "Dockside, Ct., USA: Pier Press."
    # set flush by mistake: a list whose entries all give a date near their start reads the
    # undated flush line as the rest of the entry, though it opens like "Surname, Given".
    from bot.core.readings.layout import reference_entries
    s = Sample().page()
    s.paragraph(56, 80, 20, seed=4)
    s.line(56, 400, "References", 13, "B")
    y = 420.0
    for i in range(6):
        s.line(56, y, f"Writer{chr(65 + i)}, Ann (19{80 + i}): A study of harbours and the quays", 10)
        s.line(68, y + 12, "of the coast. Harbourtown, Quayshire, England", 10)
        y += 24
        if i == 2:
            s.line(56, y, "Dockside, Ct., USA: Pier Press.", 10)
            y += 12
    layout = analyze(read_pdf(s.bytes()))
    entries = [b.text for b in reference_entries(layout)]
    assert len(entries) == 6 and entries[2].endswith("Pier Press.")


def test_a_part_of_the_list_under_its_own_heading_stays_in_the_list() -> None:
    # "Games" set like the list's heading names a part of the list: its dated lines are
    # entries too, and the name is none; "Appendix" after it still ends the list.
    from bot.core.readings.layout import reference_entries
    s = Sample().page()
    s.paragraph(56, 80, 20, seed=5)
    s.line(56, 360, "References", 13, "B")
    y = _entries_page(s, 380, 0, 4)
    s.line(56, y + 10, "Games", 13, "B")
    for i in range(4):
        s.line(56, y + 34 + 18 * i, f"Studio{chr(65 + i)}: Harbour Quest {i + 1}, {1990 + i}.", 10)
    s.line(56, y + 130, "Appendix", 13, "B")
    s.paragraph(56, y + 150, 4, seed=6)
    layout = analyze(read_pdf(s.bytes()))
    entries = [b.text for b in reference_entries(layout)]
    assert len(entries) == 8 and entries[-1].startswith("StudioD")
    assert layout.references_end is not None and layout.blocks[layout.references_end].text == "Appendix"


def test_a_last_section_of_entries_is_the_list_whatever_its_heading_says() -> None:
    # A review ends on "Besprochene Bücher": no list name, but the section opens with short,
    # dated entries that start with names, so it is the reading's reference list. The same
    # heading over running text is not.
    from bot.core.readings.layout import reference_entries

    def review(entries: bool) -> Sample:
        s = Sample().page()
        y = s.paragraph(56, 80, 20, seed=7) + 20
        s.line(56, y, "Besprochene Bücher", 13, "B")
        if not entries:
            s.paragraph(56, y + 20, 12, seed=9)
        for i in range(4 if entries else 0):
            name = f"Hanna Writer{chr(65 + i)}"
            s.line(56, y + 20 + 26 * i, f"{name}, Die Häfen der Nordsee, in: Küste, {10 + i} ({1990 + i}) 2,", 10)
            s.line(68, y + 32 + 26 * i, f"S. {i + 1}-{i + 9}", 10)
        return s

    layout = analyze(read_pdf(review(True).bytes()))
    start = layout.references_start
    assert start is not None and layout.blocks[start].text == "Besprochene Bücher"
    assert [b.text[:13] for b in reference_entries(layout)] == [f"Hanna Writer{c}" for c in "ABCD"]
    assert analyze(read_pdf(review(False).bytes())).references_start is None
