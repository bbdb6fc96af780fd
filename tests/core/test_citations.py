"""In-text citation forms and their linking to reference-list entries."""

from __future__ import annotations

import pytest

from bot.core.models import BibEntry
from bot.core.references.bibliography import parse_bibliography
from bot.core.references.citations import InTextCitation, find_citations, link_citations


def _one(text: str) -> list[tuple[str, tuple[str, ...], str | None, str | None]]:
    return [(c.kind, c.authors, c.year, c.locator) for c in find_citations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("as noted (Walker 1993-94: 43).", [("parenthetical", ("Walker",), "1993-94", "43")]),
        ("(Ribando Seelke and Finklea, 2011: 16 n. 75)",
         [("parenthetical", ("Ribando Seelke", "Finklea"), "2011", "16 n. 75")]),
        ("(Padgett, 1998; Carreno and Ferreyra, 1998)",
         [("parenthetical", ("Padgett",), "1998", None),
          ("parenthetical", ("Carreno", "Ferreyra"), "1998", None)]),
        ("(cited in Andreas, 1996: 165; see also Lustig, 1996; and Naylor, 1987)",
         [("parenthetical", ("Andreas",), "1996", "165"),
          ("parenthetical", ("Lustig",), "1996", None),
          ("parenthetical", ("Naylor",), "1987", None)]),
        ("(Taylor, 1969: 110-1; United Nations, 1987: 63)",
         [("parenthetical", ("Taylor",), "1969", "110-1"),
          ("parenthetical", ("United Nations",), "1987", "63")]),
        ("(Walker, 1981: 45, 49)", [("parenthetical", ("Walker",), "1981", "45, 49")]),
        ("(Binational Commission, n.d.)",
         [("parenthetical", ("Binational Commission",), "n.d.", None)]),
        ("(PBS, 2000a)", [("parenthetical", ("PBS",), "2000a", None)]),
        ("(González et al., 2011)", [("parenthetical", ("González",), "2011", None)]),
        ("(e.g., Krasner & Keohane 2001, p. 4)",
         [("parenthetical", ("Krasner", "Keohane"), "2001", "p. 4")]),
        ("(Olson, Shirk, and Selee, 2010: 16)",
         [("parenthetical", ("Olson", "Shirk", "Selee"), "2010", "16")]),
        ("(*Los Angeles Times*, 1997)", [("parenthetical", ("Los Angeles Times",), "1997", None)]),
        ("(on this process generally, see Pierson, 1993)",
         [("parenthetical", ("Pierson",), "1993", None)]),
        ("(Smith 1990, 1995)",
         [("parenthetical", ("Smith",), "1990", None),
          ("parenthetical", ("Smith",), "1995", None)]),
    ],
)
def test_parenthetical_forms(text: str, expected: list) -> None:
    assert _one(text) == expected


def test_bare_small_caps_and_no_year_forms() -> None:
    assert _one("As Davis 1995: 221 shows, the peace held.") == [
        ("inline", ("Davis",), "1995", "221")]
    assert _one("MORGENTHAU (1967, p.4) insists") == [("narrative", (), "1967", "p.4")]
    assert _one("(Müller o.J.; Weber, in press)") == [
        ("parenthetical", ("Müller",), "n.d.", None),
        ("parenthetical", ("Weber",), "in press", None)]
    linked = link_citations(find_citations("MORGENTHAU (1967, p.4) insists"),
                            parse_bibliography("Morgenthau, H. (1967). Politics. Knopf."),
                            "MORGENTHAU (1967, p.4) insists")
    assert [i for _, i in linked] == [0]


def test_a_year_the_entry_lacks_links_by_name_only_when_no_date_was_read() -> None:
    entries = parse_bibliography("Davis, Kim. The Long Peace. Boston: Beacon.\n"
                                 "Evans, L. (n.d.). Notes. Leeds: Tarn.\n")
    links = link_citations(find_citations("(Davis 1995: 3; Evans 1990; Davies 1995)"), entries)
    assert [i for _, i in links] == [0, None, None]  # "n.d." says no date; a near name is not it


def test_non_citations_in_parentheses_are_ignored() -> None:
    text = ("a murder (including a 2010 murder of a U.S. Border Patrol agent) and agreements "
            "(in 2010) and (see also the newspaper *Excelsior*, April 15, 1988)")
    assert find_citations(text) == []


def test_inline_citations_in_a_note() -> None:
    text = ("See U.S. Department of State, 2000: 1, 12; Storrs, 1997: 1; and Anderson and "
            "Farah, 1999: A01.")
    assert _one(text) == [
        ("inline", ("U.S. Department of State",), "2000", "1, 12"),
        ("inline", ("Storrs",), "1997", "1"),
        ("inline", ("Anderson", "Farah"), "1999", "A01"),
    ]


def test_numeric_and_footnote_markers() -> None:
    cits = find_citations("Wendt disagrees.[7]The concept [3, 5-6] failed (U.S. Senate, 1999: 5).¹")
    assert [(c.kind, c.number) for c in cits if c.kind != "parenthetical"] == [
        ("numeric", 7), ("numeric", 3), ("numeric", 5), ("numeric", 6), ("footnote-marker", 1),
    ]


BIB = parse_bibliography("""
ANDREAS, PETER

2000 *Border Games*, Ithaca, Cornell University Press.

1996 "The Political Economy of Narco-Corruption in Mexico," *Current History*, April.

AI CAMP, RODERIC

2010 "Armed Forces and Drugs," in Eric Olson, ed., *Shared Responsibility*, pp. 291-326.

ANDERSON, JOHN WARD, and DOUGLAS FARAH

1999 "Mexico Strains Drug Ally Status," *Washington Post*, February 10, p. A01.

ANDERSON, JOHN WARD, AND MOLLY MOORE

1999 "Mexico Freed Drug Suspect, Official Says," *Washington Post*, February 13, p. A21.

BJÖL, ERLING

1968 "The Power of the Weak," *Cooperation and Conflict*, vol. 3, no. 2, pp. 157-68.

CARREÑO, J., and C. FERREYRA

1998 "Detuvo EU a 22 ejecutivos," *El Universal*, May 19.

EMBAJADA DE MÉXICO EN ESTADOS UNIDOS DE AMÉRICA

1999 "Transcript of Briefing," *Informe de Monitoreo*, pp. 1-7.

KRASNER, STEPHEN D.

1999 *Sovereignty: Organized Hypocrisy*, Princeton, NJ, Princeton University Press.

REUTER, PETER, AND DAVID RONFELDT

1992 "Quest for Integrity," *Journal of Interamerican Studies and World Affairs*, Fall.

U.S. SENATE

- 1999 Testimony by Benjamin F. Nelson, February 24.

WALKER, WILLIAM O.

- 1995 "After Camerena," in Bruce M. Bagley, ed., *Drug Trafficking in the Americas*.
- 1993- "The Foreign Narcotics Policy of the United States Since 1980: An End to the
1994 War on Drugs?" *International Journal*, vol. 49, no. 1, Winter.
1981 *Drug Control in the Americas*, Albuquerque, University of New Mexico Press.
""")


def _linked(text: str, context: str = "") -> list[tuple[str, str | None]]:
    out = []
    for cit, idx in link_citations(find_citations(text), BIB, text, context):
        entry: BibEntry | None = BIB[idx] if idx is not None else None
        out.append((cit.text, f"{entry.authors[0]} {entry.year}" if entry else None))
    return out


def test_linking_is_accent_case_and_typo_tolerant() -> None:
    assert _linked("(Carreno and Ferreyra, 1998; Ai Camp, 2010; Bjøl, 1968; Embajada de México, "
                   "1999; Krasnr, 1999)") == [
        ("Carreno and Ferreyra, 1998", "Carreño 1998"), ("Ai Camp, 2010", "Ai Camp 2010"),
        ("Bjøl, 1968", "Bjöl 1968"), ("Embajada de México, 1999", "Embajada de México en Estados "
                                                                  "Unidos de América 1999"),
        ("Krasnr, 1999", "Krasner 1999"),
    ]


def test_linking_respects_years_ranges_and_coauthors() -> None:
    assert _linked("(Walker 1993-94: 43; Walker, 1981: 15; Walker, 1995; Walker, 1990; "
                   "Anderson and Moore, 1999; Anderson and Farah, 1999; U.S. Senate, 1999: 5)") == [
        ("Walker 1993-94: 43", "Walker 1993-94"), ("Walker, 1981: 15", "Walker 1981"),
        ("Walker, 1995", "Walker 1995"), ("Walker, 1990", None),
        ("Anderson and Moore, 1999", "Anderson 1999"),
        ("Anderson and Farah, 1999", "Anderson 1999"),
        ("U.S. Senate, 1999: 5", "U.S. Senate 1999"),
    ]
    links = link_citations(find_citations("(Anderson and Moore, 1999; Anderson and Farah, 1999)"),
                           BIB)
    assert [BIB[i].authors[1] for _, i in links if i is not None] == ["Moore", "Farah"]


def test_unlinkable_citations_are_kept() -> None:
    links = link_citations(find_citations("(Nobody, 2004: 3)"), BIB)
    assert len(links) == 1 and links[0][1] is None and links[0][0].locator == "3"


def test_narrative_year_goes_to_nearest_named_author() -> None:
    text = ("Reuter and Ronfeldt note that, as of 1992, Mexico was the only country that had "
            "permitted aerial spraying (1992: 127). As Andreas notes, the crackdown was "
            "\u201chighly selective\u201d (2000: 61-4). Operation Intercept (1969) failed.")
    assert _linked(text) == [("1992: 127", "Reuter 1992"), ("2000: 61-4", "Andreas 2000"),
                             ("1969", None)]
    assert _linked("outlined by Stephen Krasner in *Sovereignty: Organized Hypocrisy* (1999)") == [
        ("1999", "Krasner 1999")]


def test_block_quote_takes_its_author_from_the_introducing_paragraph() -> None:
    intro = "In his book on that subject, Stephen Krasner discusses alternative uses of the term:"
    assert _linked("The term sovereignty has been used in four different ways. (1999: 4)",
                   context=intro) == [("1999: 4", "Krasner 1999")]


def test_numeric_links_only_to_numbered_entries() -> None:
    numbered = parse_bibliography("[1] A. Wendt, Social Theory. CUP, 1999.\n"
                                  "[2] S. Krasner, Sovereignty. Princeton, 1999.\n")
    links = link_citations(find_citations("As argued [2] and [9]."), numbered)
    assert [(c.number, i) for c, i in links] == [(2, 1), (9, None)]
    marker = InTextCitation("¹", (), None, None, "footnote-marker", 0, 1, number=1)
    assert link_citations([marker], numbered) == [(marker, None)]
