"""Cleaning turns PDF-extracted text into typed paragraphs; checked on the bundled sample and,
when present, on the two real readings in ../shared."""

from __future__ import annotations

from pathlib import Path

from bot.core.readings.cleaning import clean, join_broken
from bot.core.readings.loaders import RawDocument, load


def doc(path: Path):
    return clean(load(path))


def kinds(cleaned, kind: str) -> list[str]:
    return [p.text for p in cleaned.paras if p.kind == kind]


def test_join_broken_dehyphenates_and_drops_repeated_syllables() -> None:
    assert join_broken("work far more effec-", "tively than") == "work far more effectively than"
    assert join_broken("by bet-", "ter treatment") == "by better treatment"
    assert join_broken("Finally, *ca-*", "capacity-building helps") == "Finally, capacity-building helps"
    assert join_broken("self-", "righteous", {"self-righteous"}) == "self-righteous"
    assert join_broken("the end of a", "line") == "the end of a line"


def test_page_break_paragraph_is_rejoined_across_a_footnote(knowledge_dir: Path) -> None:
    cleaned = doc(knowledge_dir / "water-treaties-and-trust.txt")
    body = " ".join(kinds(cleaned, "body"))
    assert "the commission keeps working when diplomats stop talking" in body
    assert not any(p.startswith("ing when") for p in kinds(cleaned, "body"))


def test_footnotes_become_linked_passages(knowledge_dir: Path) -> None:
    cleaned = doc(knowledge_dir / "water-treaties-and-trust.txt")
    notes = [p for p in cleaned.paras if p.kind == "footnote"]
    assert [n.label for n in notes] == ["1", "2", "3"]
    for note in notes:
        assert note.parent is not None
        marker = "¹²³"[int(note.label) - 1]
        assert marker in cleaned.paras[note.parent].text


def test_headings_sections_title_authors_and_affiliations(knowledge_dir: Path) -> None:
    cleaned = doc(knowledge_dir / "water-treaties-and-trust.txt")
    assert cleaned.title == "Shared Rivers, Shared Risks: Water Treaties and Trust in Arid Borderlands"
    assert cleaned.authors == ("Daniel Okafor",)
    assert kinds(cleaned, "heading")[1:] == [
        "INTRODUCTION", "TREATIES THAT LAST", "WHEN TRUST BREAKS DOWN", "CONCLUSION",
    ]
    assert all("riverside.example.edu" not in t for t in kinds(cleaned, "body"))
    sections = {p.section for p in cleaned.paras if p.kind == "body"}
    assert "TREATIES THAT LAST" in sections


def test_markdown_reference_list_is_bibliography(knowledge_dir: Path) -> None:
    cleaned = doc(knowledge_dir / "commons-and-collective-action.md")
    bib = kinds(cleaned, "bibliography")
    assert len(bib) == 5 and bib[0].startswith("Agrawal")
    assert "Ostrom, E. (1990)" in cleaned.bibliography
    assert len(kinds(cleaned, "abstract")) == 1
    sections = [p.section for p in cleaned.paras if p.kind == "body"]
    assert sections[0] == "The tragedy thesis" and "When commons fail" in sections


def test_wrapped_lines_are_joined_and_page_numbers_dropped() -> None:
    raw = RawDocument(
        pages=[
            "A HEADING\n\nThis paragraph was wrapped by the PDF\nextractor at a fixed width and con-\n"
            "tinues here.\n\n7\n",
            "And a second paragraph follows it.\n",
        ],
        format="pdf",
        paged=True,
    )
    cleaned = clean(raw)
    body = [p for p in cleaned.paras if p.kind == "body"]
    assert body[0].text == (
        "This paragraph was wrapped by the PDF extractor at a fixed width and continues here."
    )
    assert body[0].page == 1 and body[1].page == 2
    assert all(p.text != "7" for p in cleaned.paras)


ARTICLE = """The Shape of an Article

Abstract

An abstract sums the article up in a few sentences of its own.

Keywords: shape, order

An introduction in running text follows the keywords without a heading of its own.

Part One:

Why order matters

Running text opens the first section and says what follows in it.

Figure 1 Shares of water by year

Source: our own counts.

The figure shows that the shares changed little from one year to the next.

Notes

1 A note numbered as endnotes are, without a superscript.

References

Ostrom, E. (1990). Governing the commons. Cambridge University Press.

Appendix

Tables that follow the reference list are not entries.
"""


def test_each_part_of_an_article_gets_its_kind_and_section() -> None:
    cleaned = clean(RawDocument(pages=[ARTICLE], format="txt"))
    got = [(p.kind, p.section) for p in cleaned.paras]
    assert got == [
        ("heading", None),
        ("heading", None),
        ("abstract", "Abstract"),
        ("front", None),
        ("body", None),  # keywords end the abstract
        ("heading", None),
        ("heading", None),
        ("body", "Part One: Why order matters"),  # a heading under "...:" names a subsection
        ("figure", "Part One: Why order matters"),
        ("figure", "Part One: Why order matters"),
        ("body", "Part One: Why order matters"),
        ("heading", None),
        ("footnote", "Notes"),  # "1 A note" is a note only inside the endnotes
        ("heading", None),
        ("bibliography", "References"),
        ("heading", None),  # a heading that ends the reference list
        ("body", "Appendix"),
    ]
    assert [p.label for p in cleaned.paras if p.kind == "footnote"] == ["1"]
    assert cleaned.title == "The Shape of an Article"


# -- the real readings ---------------------------------------------------------------------


def test_shared_page_breaks_rejoined(shared_readings: Path) -> None:
    cleaned = doc(shared_readings / "reich-aspinwall-paradox-of-unilateralism.txt")
    body = " ".join(kinds(cleaned, "body"))
    assert "approaches work far more effectively than unilateral action" in body
    assert "mitigated by better treatment programs" in body
    assert "Finally, capacity-building facilitates cooperation" in body
    assert "Mexico has also been frustrated by failures to deliver funding" in body


def test_shared_footnotes_headings_bibliography(shared_readings: Path) -> None:
    cleaned = doc(shared_readings / "reich-aspinwall-paradox-of-unilateralism.txt")
    notes = [p for p in cleaned.paras if p.kind == "footnote"]
    assert [n.label for n in notes] == [str(i) for i in range(1, 12)]
    first = notes[0]
    assert first.parent is not None and "(U.S. Senate, 1999: 5).¹" in cleaned.paras[first.parent].text
    headings = kinds(cleaned, "heading")
    assert "THE LOGIC OF SOVEREIGNTY AND COOPERATION" in headings and "BIBLIOGRAPHY" in headings
    assert cleaned.authors == ("Simon Reich", "Mark Aspinwall")
    assert cleaned.bibliography.startswith("AI CAMP, RODERIC")
    assert not any("ANDREAS, PETER" in t for t in kinds(cleaned, "body"))
    assert all(p.kind == "figure" for p in cleaned.paras if p.text.startswith("Figure"))
    resumen = kinds(cleaned, "abstract")
    assert any(t.startswith("El realismo sostiene") for t in resumen)


def test_shared_constructivism_headings(shared_readings: Path) -> None:
    cleaned = doc(shared_readings / "constructivism-us-mexico-drug-policy.txt")
    assert kinds(cleaned, "heading") == [
        "The Difference in Security Perceptions in a Social Constructivist Approach",
        "Drug Trafficking as a Threat", "Structural Change", "The Case of Violence",
    ]
    assert len(kinds(cleaned, "body")) >= 20


def test_german_and_numbered_reference_list_names_open_the_list() -> None:
    body = ("Die Stadt wächst, und mit ihr wachsen die Fragen, die wir in diesem Beitrag an die "
            "Verwaltung richten.")
    entry = "Albers, Hanna (2001): Arbeit und Alltag. Frankfurt/M.: Campus."
    for heading in ("Literatur", "Literatur- und Quellenverzeichnis",
                    "8.1 Verzeichnis der verwendeten Literatur", "Zitierte und verwendete Quellen:",
                    "Literatu r", "X Literatur"):
        cleaned = clean(RawDocument(pages=[f"Titel\n\n{body}\n{heading}\n{entry}\n"], format="txt"))
        assert cleaned.bibliography.strip() == entry, heading


def test_a_wrapped_list_keeps_only_its_own_blank_lines() -> None:
    # A long URL line makes every sentence-final line look short to the paragraph guesser;
    # the list handed to the reference splitter keeps the file's lines as they run, so
    # "Wiesbaden: Gabler." stays the end of its entry rather than opening one.
    from bot.core.references.bibliography import parse_bibliography

    body = ("Die Stadt wächst, und mit ihr wachsen die Fragen, die wir in diesem Beitrag an die "
            "Verwaltung richten.")
    lines = [
        "Kunz, Maria (2004): Die Stiftung als Lebenswerk in der alten Bundesrepublik.",
        "Wiesbaden: Gabler.",
        "Lenz, Otto (1999): Vermögen und Gemeinwohl. Ziele, Projekte und ihre Verwaltung.",
        "München: Beck.",
        "Moll, Petra (2010): Stifter im Porträt. Eine Sammlung von Gesprächen. Online:",
        "http://www.example.org/stiftungen/portraits/2010/moll-petra-gespraeche-mit-"
        "stifterinnen-und-stiftern.html",
        "Noll, Jens (2003): Wohltätigkeit und Steuerrecht. Handbuch für die Praxis der",
        "Stiftungsverwaltung. Köln: Heymanns.",
        "Ortmann, Lea (2008): Kapital für das Gemeinwohl. Die Anlagepolitik der Stiftungen.",
        "Berlin: Duncker & Humblot.",
        "Pohl, Rainer (1996): Bürgerstiftungen in Deutschland und in den Niederlanden.",
        "Gütersloh: Bertelsmann.",
    ]
    page = f"Titel\n\n{body}\n\nLiteratur\n\n" + "\n".join(lines) + "\n"
    cleaned = clean(RawDocument(pages=[page], format="txt"))
    entries = parse_bibliography(cleaned.bibliography)
    assert [e.year for e in entries] == ["2004", "1999", "2010", "2003", "2008", "1996"]
    assert entries[0].raw.endswith("Wiesbaden: Gabler.")


def test_a_year_wrapped_onto_a_line_of_its_own_is_no_page_number() -> None:
    # "Tide Press," then "1887" alone: the wrapped end of an entry, kept; "13" at the foot of
    # a page after a sentence left on a comma, and "14" set apart, are still page numbers.
    from bot.core.references.bibliography import parse_bibliography

    body = "The harbour grew, and with it grew the questions we ask of its ledgers in this paper,"
    first = f"Title\n\n{body}\n13\n"
    second = ("and of its quays.\n\nReferences\n\n"
              "Marlow, Edith. The Harbour Ledgers of the Northern Coast. Whitby: Tide Press,\n"
              "1887\n"
              "Nash, Peter (1990). Quays. Leeds: Brine.\n\n14\n")
    cleaned = clean(RawDocument(pages=[first, second], format="txt"))
    assert [e.year for e in parse_bibliography(cleaned.bibliography)] == ["1887", "1990"]
    assert "13" not in cleaned.text.split() and "14" not in cleaned.text.split()
