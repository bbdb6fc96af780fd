"""The bundled sample course's PDF, typeset here: a short journal article of our own with a
title page, running heads, printed page numbers (147 onwards, so they differ from the PDF's
page indexes), footnotes at the foot of the page, numbered headings and a reference list.

The file in knowledge/ is this module's output, committed so a newcomer's first `make run`
indexes a real PDF with no extra step (fpdf2 is a test dependency, not the bot's); a test
checks the two still agree. After editing the text, write it again:

    .venv/bin/python -m tests.sample_pdf
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

PATH = Path(__file__).resolve().parent.parent / "knowledge" / "fishing-councils-and-trust.pdf"
FIRST_PAGE = 147
JOURNAL = "Journal of Seminar Studies"
VOLUME, ISSUE, YEAR = "7", "2", "2021"
DOI = "10.5555/jss.2021.147"
TITLE = "Fishing Councils and the Problem of Trust"
SUBTITLE = "Co-management in Small Coastal Fisheries"
AUTHOR = "Ingrid Solberg"

ABSTRACT = (
    "Small coastal fisheries are often governed by councils in which fishers, scientists and "
    "officials decide together how much may be caught. This article asks how such councils work "
    "when the parties do not trust one another. Drawing on the literature on common-pool "
    "resources, it argues that councils build trust as a by-product of routine: shared counting "
    "of the catch, rotating chairs and written minutes make each side's conduct visible. Trust "
    "is therefore better understood as an outcome of co-management than as its precondition."
)
KEYWORDS = "Keywords: co-management; fisheries; trust; common-pool resources"

# (heading, paragraphs); "{n}" marks footnote n's place in the text.
SECTIONS: list[tuple[str, list[str]]] = [
    ("1. Introduction", [
        "Across the coasts of northern Europe, small fishing communities share stocks that no "
        "single boat can protect. When each crew takes what it can, the stock declines and every "
        "crew loses; when the crews agree on limits, the agreement holds only as long as each "
        "believes the others keep it. Co-management councils, in which fishers sit with "
        "scientists and officials to set quotas and seasons, were introduced to solve this "
        "problem.{1} Their record is mixed, and the reason most often given for failure is a "
        "lack of trust.",
        "This article argues that the usual account has the causal order backwards. Trust is "
        "rarely present when a council is founded. Where councils last, trust grows out of the "
        "routines they adopt: counting the catch together, keeping written minutes and rotating "
        "the chair among the member groups. The argument draws on studies of fisheries as "
        "common-pool resources (Acheson, 2003) and of adaptive co-management (Berkes, 2009).",
    ]),
    ("2. Councils without trust", [
        "A council begins with parties that have reasons to doubt one another. Fishers suspect "
        "that scientists underestimate the stock in order to justify lower quotas; officials "
        "suspect that fishers under-report their landings; and neighbouring villages suspect "
        "each other of fishing beyond the agreed grounds. None of these suspicions is "
        "irrational. Each is grounded in an episode the parties remember, and each is reinforced "
        "whenever information is held by one side alone.",
        "Under these conditions a quota agreed on paper is fragile. A crew that believes its "
        "neighbours cheat will cheat first rather than be the only one to hold back, and a "
        "single season of over-fishing can undo years of negotiation.{2} The problem is not that "
        "fishers are unwilling to cooperate but that none of them can see whether the others do. "
        "Monitoring, in other words, is the missing condition, and it is precisely what a "
        "council can supply.",
        "Earlier studies treated such councils as arenas in which existing trust was put to use. "
        "Pinkerton (1989) described councils that worked because their members already knew and "
        "respected each other, and Jentoft (2000) stressed the legitimacy that long-standing "
        "community ties lend to local rules. These accounts explain why some councils succeed "
        "from the start, but they say little about the far more common case of a council whose "
        "members begin as rivals.",
    ]),
    ("3. How councils build trust", [
        "The councils that outlast their first crises share three routines. The first is shared "
        "counting. When fishers and scientists sample the catch together on the quay, the "
        "estimate of the stock ceases to be the scientists' number and becomes the council's "
        "number. Disputes about quotas then turn on how to read a figure both sides produced, "
        "not on whether the figure was invented.",
        "The second routine is the written record. Minutes that state who agreed to what, and "
        "which are read aloud at the next meeting, make promises costly to deny. Over several "
        "seasons the minutes become a history of kept and broken commitments, and members learn "
        "whose word can be relied on.",
        "The third routine is the rotating chair. When the chair passes each year from fishers "
        "to officials to the village associations, no group can use the council as its "
        "instrument for long, and each learns the constraints under which the others work. "
        "Rotation thus turns a forum of adversaries into a body whose members have all, at some "
        "point, been responsible for the whole.",
        "None of these routines requires trust to begin with. Each makes conduct visible, and "
        "visibility allows the parties to discover that most of them keep most of their "
        "promises. Trust, on this account, is a by-product of monitoring that the parties carry "
        "out together.{3}",
    ]),
    ("4. Conclusion", [
        "Co-management councils are often judged by whether their members trust one another. "
        "The argument of this article suggests a different test: whether the council has "
        "routines that make each side's conduct visible to the others. Councils that count "
        "together, keep minutes and rotate their chair give trust a chance to grow; councils "
        "that wait for trust before they act are likely to wait in vain. For the design of "
        "fisheries policy, the lesson is that monitoring should be built into the council "
        "itself rather than left to an outside agency.",
    ]),
]
NOTES = {
    "1": "Such councils go by different names: regional advisory boards, fishery "
         "committees or harbour councils.",
    "2": "Fishers describe this as a race to the last fish: whoever waits for the others loses "
         "the catch.",
    "3": "The same mechanism has been observed in water-sharing commissions, where joint "
         "measurement of river flows preceded any agreement on allocation.",
}
REFERENCES = [
    "Acheson, J. M. (2003). Capturing the commons: Devising institutions to manage the Maine "
    "lobster industry. University Press of New England.",
    "Berkes, F. (2009). Evolution of co-management: Role of knowledge generation, bridging "
    "organizations and social learning. Journal of Environmental Management, 90(5), 1692-1702.",
    "Jentoft, S. (2000). Legitimacy and disappointment in fisheries management. Marine Policy, "
    "24(2), 141-148.",
    "Pinkerton, E. (Ed.). (1989). Co-operative management of local fisheries: New directions for "
    "improved management and community development. University of British Columbia Press.",
]

WIDTH, HEIGHT = 482.0, 680.0  # a journal's trim size, in points
LEFT, TOP, BOTTOM = 60.0, 78.0, 610.0
TEXT_WIDTH = WIDTH - 2 * LEFT
BODY, LEADING = 10.5, 14.0
NOTE, NOTE_LEADING = 8.0, 10.0


@dataclass
class _Page:
    items: list[tuple[str, float, float, str, float, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # footnote numbers set on this page


class _Typesetter:
    """Lines placed page by page; footnotes go to the foot of the page that refers to them."""

    def __init__(self) -> None:
        self.pdf = FPDF(unit="pt", format=(WIDTH, HEIGHT))
        self.pages: list[_Page] = [_Page()]
        self.y = 250.0  # page one opens below the title block

    def width(self, text: str, size: float, style: str = "") -> float:
        self.pdf.set_font("Helvetica", style, size)
        return self.pdf.get_string_width(text)

    def _room(self, page: _Page) -> float:
        """Where the text must stop on `page`, above its footnotes."""
        lines = sum(len(self._wrap(NOTES[n], NOTE, TEXT_WIDTH - 10)) for n in page.notes)
        return BOTTOM - (lines * NOTE_LEADING + 14 if page.notes else 0)

    def _wrap(self, text: str, size: float, width: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            if current and self.width(re.sub(r"\{\d\}", "", trial), size) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        return lines + [current] if current else lines

    def _advance(self, leading: float, notes: list[str]) -> _Page:
        page = self.pages[-1]
        if self.y + leading > self._room(_Page(notes=page.notes + notes)):
            self.pages.append(_Page())
            self.y = TOP
            page = self.pages[-1]
        self.y += leading
        return page

    def heading(self, text: str) -> None:
        if self.y + 3 * LEADING > self._room(self.pages[-1]):
            self.pages.append(_Page())
            self.y = TOP
        self.y += 10
        self._advance(LEADING, []).items.append(("text", LEFT, self.y, text, 11.5, "B"))
        self.y += 4

    def paragraph(self, text: str, size: float = BODY, style: str = "", indent: float = 0.0,
                  hanging: float = 0.0) -> None:
        for i, line in enumerate(self._wrap(text, size, TEXT_WIDTH - indent - hanging)):
            notes = re.findall(r"\{(\d)\}", line)
            page = self._advance(LEADING if size >= BODY else size * 1.4, notes)
            page.notes += notes
            x = LEFT + (indent if i == 0 else hanging)
            page.items.append(("line", x, self.y, line, size, style))
        self.y += 5


def build() -> bytes:
    """The sample article as PDF bytes, the same every time."""
    t = _Typesetter()
    t.paragraph(ABSTRACT, size=9.5, indent=0)
    t.paragraph(KEYWORDS, size=9.5, style="I")
    for heading, paragraphs in SECTIONS:
        t.heading(heading)
        for text in paragraphs:
            t.paragraph(text, indent=12)
    t.heading("References")
    for entry in REFERENCES:
        t.paragraph(entry, size=9.5, hanging=14)
    return _render(t)


def _render(t: _Typesetter) -> bytes:
    pdf = t.pdf
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(2021, 6, 1, tzinfo=UTC))
    pdf.set_title(f"{TITLE}: {SUBTITLE}")
    pdf.set_author(AUTHOR)
    last = FIRST_PAGE + len(t.pages) - 1
    for index, page in enumerate(t.pages):
        pdf.add_page()
        folio = FIRST_PAGE + index
        if index == 0:
            _title_page(pdf, last)
        elif index % 2:
            _text(pdf, LEFT, 46, str(folio), 9)
            _text(pdf, LEFT + 40, 46, f"{JOURNAL} {VOLUME}({ISSUE})", 8, "I")
        else:
            _text(pdf, LEFT, 46, f"{AUTHOR.split()[-1]}: Fishing Councils and Trust", 8, "I")
            _text(pdf, WIDTH - LEFT - pdf.get_string_width(str(folio)), 46, str(folio), 9)
        for _kind, x, y, line, size, style in page.items:
            _with_markers(pdf, x, y, line, size, style)
        _notes(pdf, t, page)
    return bytes(pdf.output())


def _title_page(pdf: FPDF, last: int) -> None:
    _text(pdf, LEFT, 40, f"{JOURNAL}, Vol. {VOLUME}, No. {ISSUE} ({YEAR}), pp. {FIRST_PAGE}-{last}", 8)
    _text(pdf, LEFT, 51, f"DOI: {DOI}", 8)
    _text(pdf, LEFT, 112, TITLE, 17, "B")
    _text(pdf, LEFT, 134, SUBTITLE, 13, "B")
    _text(pdf, LEFT, 166, AUTHOR, 11)
    _text(pdf, LEFT, 180, "Department of Political Science, University of Example", 8.5, "I")
    _text(pdf, LEFT, 216, "Abstract", 10, "B")


def _text(pdf: FPDF, x: float, y: float, text: str, size: float, style: str = "") -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.text(x, y, text)


def _with_markers(pdf: FPDF, x: float, y: float, line: str, size: float, style: str) -> None:
    """A line whose "{n}" marks are set as raised, smaller note numbers."""
    for piece in re.split(r"(\{\d\})", line):
        if not piece:
            continue
        marker = re.fullmatch(r"\{(\d)\}", piece)
        if marker:
            _text(pdf, x, y - size * 0.38, marker.group(1), size * 0.62)
            x += pdf.get_string_width(marker.group(1))
        else:
            _text(pdf, x, y, piece, size, style)
            x += pdf.get_string_width(piece)


def _notes(pdf: FPDF, t: _Typesetter, page: _Page) -> None:
    if not page.notes:
        return
    lines = [(n, line) for n in page.notes for line in [None, *t._wrap(NOTES[n], NOTE, TEXT_WIDTH - 10)]]
    y = BOTTOM - (len(lines) - len(page.notes)) * NOTE_LEADING + NOTE_LEADING
    pdf.set_line_width(0.4)
    pdf.line(LEFT, y - NOTE_LEADING - 2, LEFT + 80, y - NOTE_LEADING - 2)
    for number, line in lines:
        if line is None:
            _text(pdf, LEFT, y - NOTE * 0.38, number, NOTE * 0.7)
            continue
        _text(pdf, LEFT + 8, y, line, NOTE)
        y += NOTE_LEADING


if __name__ == "__main__":
    PATH.write_bytes(build())
    print(f"wrote {PATH} ({PATH.stat().st_size:,} bytes)")
