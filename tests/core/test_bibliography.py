"""Reference-list parsing across the layouts readings use."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.references.bibliography import canonical_year, parse_bibliography, split_authors

SHARED_READING = (
    Path(__file__).resolve().parents[3] / "shared" / "readings"
    / "reich-aspinwall-paradox-of-unilateralism.txt"
)


def _entry(entries, surname, year):
    found = [e for e in entries if e.authors and e.authors[0] == surname and e.year == year]
    assert len(found) == 1, (surname, year, [(e.authors, e.year) for e in entries])
    return found[0]


HEADER_LAYOUT = """BIBLIOGRAPHY

ANDREAS, PETER

2000 *Border Games*, Ithaca, Cornell University Press.

1996 "The Political Economy of Narco-Corruption in Mexico," *Current History*, April.

CARREÑO, J., and C. FERREYRA

- 1998 "Detuvo EU a 22 ejecutivos: decomisados 157," *El Universal*, May 19.

PBS

2000a "Interview with Barry McCaffrey," in www.pbs.org/wgbh/pages/frontline/mccaffrey.html, 2012.

2000b "Interview with John Hensley," in www.pbs.org/wgbh/pages/frontline/hensley.html, 2012.

PERL, RAFAEL FRANCIS

1988 "The U.S. Congress, International Drug Policy, and the Anti-Drug Abuse Act

of 1988," *Journal of Interamerican Studies and World Affairs* vol. 30, nos. 2-3, Summer/Fall.

PGR (PROCURADURÍA GENERAL DE LA REPÚBLICA)

2000 *Mexico's Fight against the Scourge of Drugs*, Mexico City, SRE, January.

BINATIONAL COMMISSION

n.d. "Cooperation against Illicit Drugs," in https://www.example.org/binational.pdf, accessed 2012.

U.S. SENATE

- 1999 Testimony by Benjamin F. Nelson, Director, before the Caucus, February 24.

WALKER, WILLIAM O.

- 1993- "The Foreign Narcotics Policy of the United States Since 1980: An End to the
1994 War on Drugs?" *International Journal*, vol. 49, no. 1, Winter.
1981 *Drug Control in the Americas*, Albuquerque, University of New Mexico Press.

ZAVALA, OSWALDO, and ANTONIO FINS
"""


def test_header_layout_entries_years_and_fields() -> None:
    entries = parse_bibliography(HEADER_LAYOUT)
    assert [(e.authors[0], e.year) for e in entries] == [
        ("Andreas", "2000"), ("Andreas", "1996"), ("Carreño", "1998"), ("PBS", "2000a"),
        ("PBS", "2000b"), ("Perl", "1988"), ("PGR (Procuraduría General de la República)", "2000"),
        ("Binational Commission", "n.d."), ("U.S. Senate", "1999"), ("Walker", "1993-94"),
        ("Walker", "1981"), ("Zavala", None),
    ]
    andreas = entries[1]
    assert andreas.title == "The Political Economy of Narco-Corruption in Mexico"
    assert andreas.container == "Current History"
    assert entries[2].authors == ("Carreño", "Ferreyra")
    assert entries[3].url == "www.pbs.org/wgbh/pages/frontline/mccaffrey.html"
    perl = entries[5]  # an entry broken over two lines with a blank line between
    assert perl.title.endswith("Anti-Drug Abuse Act of 1988")
    assert perl.container == "Journal of Interamerican Studies and World Affairs"
    assert entries[7].url == "https://www.example.org/binational.pdf"
    assert entries[8].title == "Testimony by Benjamin F. Nelson"
    walker = entries[9]  # "1993-" at a line end, "1994" opening the next line
    assert walker.title.startswith("The Foreign Narcotics Policy")
    assert walker.container == "International Journal"
    assert entries[10].title == "Drug Control in the Americas"
    assert entries[11].authors == ("Zavala", "Fins")
    assert "ANDREAS, PETER" in andreas.raw and "Current History" in andreas.raw


def test_apa() -> None:
    entries = parse_bibliography(
        "References\n\n"
        "Keohane, R. O., & Nye, J. S. (2001). Power and interdependence (3rd ed.). Longman.\n\n"
        "Krasner, S. D. (1999). Sovereignty: Organized hypocrisy. Princeton University Press.\n\n"
        "Putnam, R. D. (1988). Diplomacy and domestic politics: The logic of two-level games. "
        "International Organization, 42(3), 427–460. https://doi.org/10.1017/S0020818300027697\n\n"
        "U.S. Senate. (1999b). Drug control: Update on U.S.-Mexican counternarcotics efforts. "
        "Government Printing Office.\n"
    )
    assert [(e.authors, e.year) for e in entries] == [
        (("Keohane", "Nye"), "2001"), (("Krasner",), "1999"), (("Putnam",), "1988"),
        (("U.S. Senate",), "1999b"),
    ]
    assert entries[1].title == "Sovereignty: Organized hypocrisy"
    assert entries[2].container == "International Organization"
    assert entries[2].url == "https://doi.org/10.1017/S0020818300027697"
    assert entries[0].formatted.startswith("Keohane & Nye (2001). Power and interdependence")


def test_chicago_author_date_one_entry_per_line() -> None:
    entries = parse_bibliography(
        "Krasner, Stephen D. 1999. Sovereignty: Organized Hypocrisy. Princeton, NJ: Princeton "
        "University Press.\n"
        'Reuter, Peter, and David Ronfeldt. 1992. "Quest for Integrity: The Mexican-U.S. Drug '
        'Issue in the 1980s." Journal of Interamerican Studies and World Affairs 34 (3): 89–153.\n'
        'Walker, William O. 1993–94. "The Foreign Narcotics Policy of the United States since '
        '1980."\nInternational Journal 49 (1): 37–65.\n'
        "PGR (Procuraduría General de la República). n.d. El control de drogas en México. "
        "Mexico City: PGR.\n"
    )
    assert [(e.authors, e.year) for e in entries] == [
        (("Krasner",), "1999"), (("Reuter", "Ronfeldt"), "1992"), (("Walker",), "1993-94"),
        (("PGR (Procuraduría General de la República)",), "n.d."),
    ]
    assert entries[1].container == "Journal of Interamerican Studies and World Affairs"
    assert entries[1].pages == "89-153"
    assert entries[2].pages == "37-65"


def test_mla() -> None:
    entries = parse_bibliography(
        "Works Cited\n"
        "Andreas, Peter. Border Games: Policing the U.S.-Mexico Divide. Cornell UP, 2000.\n"
        'Reuter, Peter, and David Ronfeldt. "Quest for Integrity." Journal of Interamerican '
        "Studies and World Affairs, vol. 34, no. 3, 1992, pp. 89-153.\n"
        "González, Guadalupe, et al. Mexico, the Americas, and the World. CIDE, 2011.\n"
    )
    assert [(e.authors, e.year, e.title) for e in entries] == [
        (("Andreas",), "2000", "Border Games: Policing the U.S.-Mexico Divide"),
        (("Reuter", "Ronfeldt"), "1992", "Quest for Integrity"),
        (("González",), "2011", "Mexico, the Americas, and the World"),
    ]
    assert entries[1].pages == "89-153"


@pytest.mark.parametrize(
    "text",
    [
        "[1] A. Wendt, Social Theory of International Politics. Cambridge University Press, 1999.\n"
        '[2] S. D. Krasner and R. O. Keohane, "Sovereignty," in International Organization, 2001, '
        "pp. 10-20.\n[12] Krasner, S. D. (1999). Sovereignty: Organized hypocrisy. Princeton.\n",
        "1. Wendt, Alexander. 1999. Social Theory of International Politics. Cambridge: CUP.\n"
        "2. Krasner, Stephen, and Robert Keohane. 2001. Sovereignty. International Organization.\n"
        "12. Krasner, S. D. (1999). Sovereignty: Organized hypocrisy. Princeton.\n",
    ],
)
def test_numbered_lists(text: str) -> None:
    entries = parse_bibliography(text)
    assert [(e.number, e.authors, e.year) for e in entries] == [
        (1, ("Wendt",), "1999"), (2, ("Krasner", "Keohane"), "2001"), (12, ("Krasner",), "1999"),
    ]
    assert entries[0].title == "Social Theory of International Politics"
    assert entries[2].formatted.startswith("[12] Krasner (1999).")


def test_author_strings_and_years() -> None:
    assert split_authors("BRUUN, KETIL, LYNN PAN, and INGEMAR REXED") == ("Bruun", "Pan", "Rexed")
    assert split_authors("RIBANDO SEELKE, CLARE, and KRISTIN M. FINKLEA") == (
        "Ribando Seelke", "Finklea")
    assert split_authors("DEL VILLAR, SAMUEL I.") == ("Del Villar",)
    assert split_authors("AI CAMP, RODERIC") == ("Ai Camp",)
    assert split_authors("EMBAJADA DE MÉXICO EN ESTADOS UNIDOS") == (
        "Embajada de México en Estados Unidos",)
    assert split_authors("Samuel del Villar and Peter Smith") == ("del Villar", "Smith")
    assert canonical_year("1993 – 1994") == "1993-94"
    assert canonical_year("n. d.") == "n.d."
    assert canonical_year("2000a") == "2000a"


def test_garbage_is_kept_raw_not_dropped() -> None:
    entries = parse_bibliography("Some notes the author left here without any date\n")
    assert len(entries) == 1 and entries[0].raw.startswith("Some notes")
    assert parse_bibliography("") == [] and parse_bibliography("References\n\n") == []


@pytest.mark.skipif(not SHARED_READING.exists(), reason="../shared readings not available")
def test_shared_reading_reference_list() -> None:
    text = SHARED_READING.read_text(encoding="utf-8")
    entries = parse_bibliography(text[text.index("BIBLIOGRAPHY"):])
    assert len(entries) == 76
    for surname, year in [
        ("Ai Camp", "2010"), ("Andreas", "2000"), ("Binational Commission", "n.d."),
        ("Bjöl", "1968"), ("Carreño", "1998"), ("DBUNENews", "n.d."), ("Del Villar", "1988"),
        ("Embajada de México en Estados Unidos de América", "1999"), ("Krasner", "1999"),
        ("PBS", "2000a"), ("PBS", "2000b"), ("PGR (Procuraduría General de la República)", "2000"),
        ("Ribando Seelke", "2011"), ("U.S. Senate", "1999"), ("Walker", "1993-94"),
        ("Walker", "1981"), ("Wohlforth", "1999"), ("Zavala", "1998"),
    ]:
        _entry(entries, surname, year)
    assert _entry(entries, "Krasner", "1999").title == "Sovereignty: Organized Hypocrisy"
    assert _entry(entries, "Reuter", "1992").authors == ("Reuter", "Ronfeldt")
    assert _entry(entries, "Wohlforth", "1999").pages == "5-41"


def test_prose_around_the_list_is_not_taken_for_entries() -> None:
    """A heading in a table of contents can open "the list" pages early, and running text can
    follow it: only the run of reference-like entries is parsed."""
    prose = ("This paragraph is running text that the reader took for part of the list because "
             "a table of contents named the references first; it goes on for a while, as body "
             "text does, with no date and no name at its head, and it is far longer than any "
             "reference a list would print, so it reads as prose and nothing else at all.")
    refs = [f"Author{c}, A. (19{90 + i}). Title number {i}. Place: Press." for i, c in
            enumerate("ABCDE")]
    text = "\n\n".join([prose, prose, prose, *refs, prose, prose])
    entries = parse_bibliography(text)
    assert [e.year for e in entries] == ["1990", "1991", "1992", "1993", "1994"]
    undated = parse_bibliography("\n".join([*refs, "Interview with the harbour master. Hull."]))
    assert len(undated) == 6  # an undated entry at the end of a list is kept


def test_a_second_list_after_the_publishers_notes_is_not_the_readings() -> None:
    """The reading's list, then the series' imprint and the author's address, then "other
    titles in this series": only the first list is the reading's."""
    own = [f"Writer{c}, B. (20{10 + i}). Own title {i}{' and more' * i}. Place: Press."
           for i, c in enumerate("ABCDEF")]
    notes = ["The Institute for Coastal Studies publishes this series to inform the public about "
             "research on coasts, harbours and the people who live by them; views are the authors'.",
             "Editors of the series: the staff of the institute's publications office and its board.",
             "Contact: the author works at the institute's department of ports and can be reached "
             "at the address given on the institute's web pages, which list every office.",
             "Current research at the institute looks at how harbour towns change when their trade "
             "moves elsewhere, and at what the people who stay make of the empty quays and sheds."]
    series = [f"Series{c}, C. (20{i}). Series title {i}{' again' * (i - 9)}. Place: Institute."
              for i, c in zip(range(10, 17), "GHIJKLM", strict=True)]
    entries = parse_bibliography("\n\n".join([*own, *notes, *series]))
    assert [e.authors[0] for e in entries] == [f"Writer{c}" for c in "ABCDEF"]


def test_running_heads_left_in_the_list_are_no_entries() -> None:
    head = "Journal of Harbour Studies, vol. 6, no. 1 / 2013"
    refs = [f"Writer{c}, B. (20{10 + i}). Own title {i}{' and more' * i}. Place: Press."
            for i, c in enumerate("ABCDEF")]
    text = "\n".join([*refs[:2], f"{head} 18 1", *refs[2:4], f"{head} 183", *refs[4:]])
    assert [e.authors[0] for e in parse_bibliography(text)] == [f"Writer{c}" for c in "ABCDEF"]


def test_a_publisher_and_year_repeated_as_last_lines_are_no_running_heads() -> None:
    # DIN 1505-2 ends entries on "Place : Publisher, Year"; wrapped, "Lakeside Books, 1965"
    # comes back on many lines that differ only in the year.
    text = "\n".join([
        "Albrecht, Wendelin: Dünen und Deiche an der Küste der Nordsee. Husum :",
        "Lakeside Books, 1965",
        "Bender, Griet: Die Schleuse von Emden und ihre Wärter im Wandel der Zeit. Emden :",
        "Lakeside Books, 1971",
        "Claußen, Tove: Salz. Bremen : Weser Verlag, 1980",
        "Dorn, Ulf: Fähren der Elbe und die Fährleute zwischen Hamburg und Cuxhaven. Kiel :",
        "Lakeside Books, 1988",
    ])
    entries = parse_bibliography(text)
    assert [(e.authors[0], e.year) for e in entries] == [
        ("Albrecht", "1965"), ("Bender", "1971"), ("Claußen", "1980"), ("Dorn", "1988")]


def test_a_series_imprint_after_the_list_is_no_entry() -> None:
    """The series' imprint page after the list names its fields ("Title:", "ISSN:"); a
    corporate author with a colon ("Harbourworks: Dock Simulator, 1999.") stays an entry."""
    refs = [f"Writer{c}, B. (20{10 + i}), Own title {i}{' and more' * 3 * i}. Place."
            for i, c in enumerate("ABCDE")]
    imprint = ["Authors: Ann Writer, Bob Writer",
               "Title: Harbours and the people who stay, 1970-2000 Series on Coasts 49",
               "Editor: Carla Reader Associate Editor: Dan Reader",
               "ISSN: 1234-5678 © 2001 by the Institute for Coastal Studies, Quay Street 5, Hull",
               "ISSN: 1234-5678"]
    entries = parse_bibliography("\n\n".join([*refs, "Harbourworks: Dock Simulator, 1999.", *imprint]))
    assert [e.authors[0] for e in entries] == [*(f"Writer{c}" for c in "ABCDE"), "Harbourworks"]
