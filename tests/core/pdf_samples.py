"""Small PDFs made with fpdf2 for the layout tests: each page is written line by line at
known positions and sizes, so a test says exactly what the reader should find.

The text is generated here (never copied from a real paper).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

WORDS = (
    "the council argued that regional budgets shape how ministries bargain over transfers "
    "while committees report on implementation and delegates compare their national positions "
    "before each round of negotiation in the capital"
).split()
UNICODE_FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]


def sentence(seed: int, words: int = 14) -> str:
    cycle = itertools.islice(itertools.cycle(WORDS), seed * 7 % len(WORDS), None)
    text = " ".join(itertools.islice(cycle, words))
    return text[0].upper() + text[1:] + "."


@dataclass
class Sample:
    """An A4 document in points; `line` writes one line with its baseline at `y`."""

    pdf: FPDF = field(default_factory=lambda: FPDF(unit="pt", format="A4"))

    def __post_init__(self) -> None:
        self.pdf.set_auto_page_break(False)
        self.pdf.set_compression(False)

    def page(self) -> Sample:
        self.pdf.add_page()
        return self

    def line(self, x: float, y: float, text: str, size: float = 10, style: str = "",
             font: str = "Helvetica") -> Sample:
        self.pdf.set_font(font, style, size)
        self.pdf.text(x, y, text)
        return self

    def marked(self, x: float, y: float, before: str, marker: str, after: str, size: float = 10) -> Sample:
        """A body line with a raised, smaller footnote marker after `before`."""
        self.pdf.set_font("Helvetica", "", size)
        self.pdf.text(x, y, before)
        x2 = x + self.pdf.get_string_width(before)
        self.pdf.set_font("Helvetica", "", size * 0.6)
        self.pdf.text(x2, y - size * 0.35, marker)
        x3 = x2 + self.pdf.get_string_width(marker) + size * 0.25
        self.pdf.set_font("Helvetica", "", size)
        self.pdf.text(x3, y, after)
        return self

    def paragraph(self, x: float, y: float, lines: int, seed: int = 0, size: float = 10,
                  width_words: int = 12, leading: float = 1.3) -> float:
        """Body lines from `y` down; returns the baseline after the last."""
        for i in range(lines):
            self.line(x, y, sentence(seed + i, width_words)[:-1] + ("." if i == lines - 1 else ""), size)
            y += size * leading
        return y

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def article(pages: int = 5, first_folio: int = 101, *, head: str = "Journal of Test Studies 12(3)",
            after: Sample | None = None) -> Sample:
    """A journal article: title and authors on page one (which prints no page number), a
    running head with the printed page number on the others; drawn after the pages of
    `after` (a cover sheet, say), or on its own."""
    s = after or Sample()
    for index in range(pages):
        s.page()
        folio = first_folio + index
        if index == 0:
            s.line(56, 60, f"{head}, {first_folio}-{first_folio + pages - 1}", 8)
            s.line(56, 120, "Budgets and Bargaining in Regional Councils", 20, "B")
            s.line(56, 146, "Ada Lovelace and Charles Babbage", 12)
            s.line(56, 162, "University of Nowhere, Department of Examples", 9)
            s.paragraph(56, 200, 30, seed=1)
        else:
            if index % 2:
                s.line(56, 40, f"{folio}", 9).line(250, 40, head, 8)
            else:
                s.line(56, 40, "Lovelace and Babbage: Budgets and Bargaining", 8).line(530, 40, f"{folio}", 9)
            s.paragraph(56, 80, 40, seed=index * 3)
    return s
