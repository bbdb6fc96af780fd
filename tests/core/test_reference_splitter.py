"""Splitting reference lists into entries: hard-wrapped lines, odd lines that must not flip the
list into another layout, page breaks, and the layout hints a PDF reader can give."""

from __future__ import annotations

import itertools
import textwrap

from bot.core.references.bibliography import parse_bibliography
from bot.core.references.splitter import Line, lines_from_text, split_entries

GERMAN = [
    "Albers, Hanna (2001): Arbeit und Alltag in der Kleinstadt. Eine Untersuchung über drei "
    "Generationen von Beschäftigten im Handwerk. Frankfurt/M.: Campus.",
    "Bender, Karl/Holm, Ute (1999): Wohnen im Wandel. Opladen: Leske + Budrich.",
    "Claußen, Maria (2005): Der lange Weg. Bericht über die Sitzung vom 14. Oktober 2005. "
    "Berlin: Dietz.",
    "Dorn, Peter (1998): Politik im Stadtteil. 1998 als Wendejahr der kommunalen Politik in "
    "Nordrhein-Westfalen. Münster: Westfälisches Dampfboot.",
    "Eckert, Jana (2003): Räume der Stadt. Bielefeld: transcript.",
    "Fink, Gerd (2010): Nachbarschaft. Wiesbaden: VS.",
]
ENGLISH = [
    "Aldous, R. (2001). Towns and their markets: A study of trade in three counties over two "
    "centuries. Cambridge, MA: Harvard University Press.",
    "Baxter, L., & Cole, M. (1999). Small places. Journal of Local History, 12(2), 33–58.",
    "Crane, T. (2005). The lengthy title of a book that wraps over several lines when the list "
    "is set in a narrow column of a printed journal page. Oxford: Clarendon Press.",
    "Dunmore, P. (1998). Roads. London: Sage.",
]


def _wrapped(entries: list[str], width: int = 80) -> str:
    return "\n".join("\n".join(textwrap.wrap(e, width, break_long_words=False,
                                             break_on_hyphens=False)) for e in entries)


def _firsts(entries):
    return [(e.authors[0] if e.authors else None, e.year) for e in entries]


def test_one_per_line_and_wrapped_give_the_same_entries() -> None:
    for text in ("\n".join(GERMAN), _wrapped(GERMAN), _wrapped(GERMAN, 60)):
        entries = parse_bibliography(text)
        assert _firsts(entries) == [("Albers", "2001"), ("Bender", "1999"), ("Claußen", "2005"),
                                    ("Dorn", "1998"), ("Eckert", "2003"), ("Fink", "2010")]


def test_a_wrapped_line_starting_with_a_year_or_a_dated_number_flips_nothing() -> None:
    text = (
        "Albers, Hanna (2001): Arbeit und Alltag in der Kleinstadt. Eine Untersuchung über\n"
        "1998 und die Jahre danach. Frankfurt/M.: Campus.\n"
        "Bender, Karl/Holm, Ute (1999): Wohnen im Wandel. Bericht über die Sitzung vom\n"
        "14. Oktober 2005. Opladen: Leske + Budrich.\n"
        "Claußen, Maria (2005): Der lange Weg. Berlin: Dietz.\n"
        "Dorn, Peter (1998): Politik im Stadtteil. Münster: Westfälisches Dampfboot.\n"
    )
    entries = parse_bibliography(text)
    assert _firsts(entries) == [("Albers", "2001"), ("Bender", "1999"), ("Claußen", "2005"),
                                ("Dorn", "1998")]
    assert entries[1].raw.endswith("14. Oktober 2005. Opladen: Leske + Budrich.")


def test_publisher_continuation_lines_start_no_entry() -> None:
    text = _wrapped(ENGLISH)
    assert "Cambridge, MA: Harvard University Press." in text.splitlines()[1]
    entries = parse_bibliography(text)
    assert _firsts(entries) == [("Aldous", "2001"), ("Baxter", "1999"), ("Crane", "2005"),
                                ("Dunmore", "1998")]
    assert entries[0].raw.endswith("Harvard University Press.")


def test_numbered_list_keeps_its_sequence() -> None:
    entries = parse_bibliography(_wrapped([f"{i}. {e}" for i, e in enumerate(GERMAN, start=1)], 50))
    assert [e.number for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[2].title.startswith("Der lange Weg")


def test_a_page_break_inside_an_entry_keeps_it_whole() -> None:
    lines = _wrapped(ENGLISH[:3]).splitlines()
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("Crane")) + 1
    hinted = [Line(ln, page_break_before=i == cut, gap_before=i == cut) for i, ln in enumerate(lines)]
    assert len(split_entries(hinted)) == 3
    # and as text, with the blank line the page break leaves
    text = "\n".join(lines[:cut]) + "\n\n" + "\n".join(lines[cut:])
    assert _firsts(parse_bibliography(text))[2] == ("Crane", "2005")


def test_a_partial_entry_at_the_top_is_kept_not_cut() -> None:
    lines = _wrapped(ENGLISH).splitlines()[1:]  # the list starts mid-entry
    chunks = split_entries(lines_from_text("\n".join(lines)))
    assert chunks[0].startswith("over two centuries. Cambridge, MA") and len(chunks) == 4


def test_hanging_indents_from_the_pdf_reader_decide_continuations() -> None:
    # A continuation line that reads like an entry start, indented under its entry.
    texts = ["Moss, K. (2001). Gardens. Reviewed in:", "Garden, A. (1999). Notes. Leeds.",
             "Noble, J. (2004). Another entry.", "Oakes, R. (2007). A third one, with a longer title."]
    hinted = [Line(t, x=62 if i == 1 else 50) for i, t in enumerate(texts)]
    assert len(split_entries(hinted)) == 3
    assert len(split_entries([Line(t, x=50) for t in texts])) == 4
    assert len(split_entries([Line(t) for t in texts])) == 4


CHICAGO = [
    "Lark, Hannah. The Quiet Harbour: Fishing Towns and Their Archives. Halifax: Dune Press, "
    "1994.",
    "Mercer, Tobias. Salt and Ledger. Edited by Ruth Aske. Bristol: Quay Books, 2001.",
    "Norrie, Alan, and Beth Hale. Counting the Catch: Records of the North Sea Ports. "
    "Aberdeen: Granite House, 1988.",
    "Orme, Celia. Nets. London: Fathom, 2010.",
]


def test_a_line_stopping_short_of_the_margin_ended_its_entry() -> None:
    # The first word of each entry would have fitted on the short line before it.
    entries = parse_bibliography(_wrapped(CHICAGO * 2, 45))
    assert _firsts(entries) == [("Lark", "1994"), ("Mercer", "2001"), ("Norrie", "1988"),
                                ("Orme", "2010")] * 2


def test_an_inverted_name_after_a_full_line_opens_an_entry() -> None:
    # Each entry's last line runs to the margin, so only the name says a new one starts.
    lines = ["Lark, Hannah. The Quiet Harbour: Fishing Towns and Their Archives. Halifax:",
             "Dune Press, and the Maritime Archive of Nova Scotia, Halifax, Canada, 1994.",
             "Mercer, Tobias. Salt and Ledger. Edited by Ruth Aske. Bristol: Quay Books and",
             "the Harbour Trust, with the Society for Nautical Research, Bristol, 2001.",
             "Orme, Celia. Nets. London: Fathom, 2010."] * 2
    assert len(split_entries(lines_from_text("\n".join(lines)))) == 6


def test_a_line_left_open_never_ends_an_entry() -> None:
    # A line ending in "In", "eds." or an initial continues, whatever the next line looks like.
    lines = ["Quill, R. (2003). Tides of trade in the northern ports of the Baltic Sea. In",
             "Ray, S., & Tamm, U. (Eds.), Ports and Their People (pp. 1-20). Riga: Amber Press.",
             "Stone, V. (2005). Ballast. A study of the cargo records kept by the ships of H.",
             "Ulm, W. (2007). Maps. Bergen: Fjord House and the Hanseatic Museum of Bergen."] * 2
    chunks = split_entries(lines_from_text("\n".join(lines)))
    assert [c.split(",")[0] for c in chunks] == ["Quill", "Stone", "Ulm"] * 2


def test_names_whose_capitals_the_pdf_lost_still_open_entries() -> None:
    text = ("Vale, A. (1990). Rivers of the plain. Journal of Water, 4, 1-9.\n"
            "w ebb, s./r oss, t. (1993). f ords and ferries. Oslo: Nordic Press.\n"
            "Yates, B. (1995). Reeds. York: Marsh Books.")
    entries = parse_bibliography(text)
    assert _firsts(entries) == [("Vale", "1990"), ("w ebb", "1993"), ("Yates", "1995")]


def test_a_lost_capital_before_a_name_and_date_still_opens_an_entry() -> None:
    # "statistikamt Nord (2005)." reads as a corporate author and its date once its first
    # letter is a capital again.
    text = ("Vale, A. (1990). Rivers of the plain. Journal of Water, 4, 1-9.\n"
            "statistikamt Nord (2005). Einkommen und Lebenslagen im Norden. Kiel.\n"
            "henke, J./ t ill, m. (2008). Armut in der Stadt. Wien: Falter.\n"
            "Yates, B. (1995). Reeds. York: Marsh Books.")
    assert [e.year for e in parse_bibliography(text)] == ["1990", "2005", "2008", "1995"]


def test_lines_too_long_to_be_printed_are_one_entry_each() -> None:
    # Typed one entry to a line: an entry ending bare ("Whitby", "Presses du Littoral") is
    # still over at its line's end, whatever the next line opens with.
    typed = [
        "Dorrance, K. (1990) Harbour Lives: A Study of Work, Kinship and Belonging in Three "
        "Fishing Towns, Coastline University Press, Whitby",
        "Ellery, Martha Jane, ‘Beyond the Quay: Friendship and Trade in the Port Towns of the "
        "North Sea’, Maritime Studies XIV:4 (1994), 409-418.",
        "Fenwick, R. 2009, La vie du port. Sociologie politique des quais et des marchés aux "
        "poissons de la côte atlantique, Rennes : Presses du Littoral",
        "Good harbours. (1996, September). Coastal Towns Magazine, 44(1), p. 8",
        "Hale, T. (2001). The chandlers of the north: A study of trade in ship supplies along "
        "the coast of Northumberland over two centuries. Alnwick: Tern Books.",
        "Ives, P. (2004). Nets and lines: The making of fishing gear in the small workshops of "
        "the Yorkshire coast, 1850-1950. Scarborough: Gull Press.",
    ]
    assert split_entries(lines_from_text("\n".join(typed))) == typed


def test_after_a_full_line_dates_decide_whether_names_open_an_entry() -> None:
    # Both entries before a name line end on a full line. After one that closes on its pages,
    # "Henrietta Marsh, ..." with a date of its own opens the next entry; after one that stops
    # at its title, "Hafen, Handel und Verkehr ..." is its journal, though it has a date too.
    dated = [
        "Quarry, L. (1988). Tolls and tariffs: Customs houses of the eastern ports. Port",
        "History Review, 12(3), 201-219. Reprinted in Essays on Harbours, 14(2), 45-67.",
        "Henrietta Marsh, “Quays and Cranes,” in Harbour Histories: Essays on the Ports of",
        "the North (London: Tide Press, 1983).",
        "Ruhr, B. (2001): Studien zur Geschichte der Häfen an der Nordsee und ihrer Zölle.",
        "Hafen, Handel und Verkehr – Zeitschrift für Wirtschafts- und Sozialgeschichte,",
        "Heft 9 (2001), 231-260.",
        "Sand, C. (1979). Lighthouses. Leith: Beacon.",
    ]
    chunks = split_entries(lines_from_text("\n".join(dated * 2)))
    assert [c.split(",")[0] for c in chunks] == ["Quarry", "Henrietta Marsh", "Ruhr", "Sand"] * 2


def test_an_entry_with_no_date_yet_keeps_the_line_that_dates_it() -> None:
    # After a full line, "IEEE Harbour Letters, ..., February 1996." dates the entry above
    # it, which has none yet; "Gorse, S., & Baumert, L. (1965)." after the undated
    # "Tidewater Harbours Ltd." entry is names and their date: a new entry.
    lines = [
        "Amsel, K., Dorn, B., Eck, C., and Falk, D. Harbour-Nets: Shared ledgers for the",
        "fishing fleets of the northern coast and the markets buying from them in winter.",
        "IEEE Harbour Letters, 29(2), 18-28, February 1996.",
        "Tidewater Harbours Ltd. Tide tables for harbour masters on the northern coasts.",
        "Gorse, S., & Baumert, L. (1965). Backtrack navigation. J. Harbours, 12, 516-524.",
        "Hollis, R. (1990). Salt. Leeds: Brine.",
    ]
    chunks = split_entries(lines_from_text("\n".join(lines * 2)))
    assert [c.split()[0].strip(",") for c in chunks] == ["Amsel", "Tidewater", "Gorse", "Hollis"] * 2


def test_a_title_line_with_a_bare_year_after_a_full_line_opens_nothing() -> None:
    # "Deutung und Wirkung des Hafenstreits 2005 im ..." reads like a name and its date to a
    # lead finder, but "des" and "im" are a title's words: after a full line it runs on.
    lines = [
        "Marten, K., Reiner, C., Maier, J., & Maier, M. (2007). Hafen gegen Stadt am Meer.",
        "Deutung und Wirkung des Hafenstreits 2005 im Nord-Süd-Vergleich. Bremen: Kai.",
        "Nolde, E. (1999): Die Hafenmeister der Hanse und ihre Bücher. Lübeck: Trave.",
        "Ostwald, F. (2003): Kräne. Kiel: Förde.",
    ]
    chunks = split_entries(lines_from_text("\n".join(lines * 2)))
    assert [c.split(",")[0] for c in chunks] == ["Marten", "Nolde", "Ostwald"] * 2


def test_a_title_and_its_bracketed_date_or_a_bullet_opens_an_entry_after_a_full_line() -> None:
    # APA sets an entry with no person at its head as "Title. (1996, September)."; a bullet
    # marks every entry of a bulleted list. Both follow lines that ran to the margin.
    lines = [
        "Quinn, A. (2004). The harbour and its keepers: Lighthouse service on the coast.",
        "Washington, DC: Coastal Heritage Society for the Study of Harbour Administration.",
        "Harbour lights. (1996, September). Coastal Towns Magazine, 44(1), 8-9.",
        "Rowe, B. (2001). Signals at sea: A history of the flags and lamps of harbours.",
        "Edinburgh: Northern Lighthouse Board and the Scottish Maritime Trust Archive.",
        "• Sable, Joan, Peter Tern, and Mark Gull. Flags and Lamps in the Harbour Towns.",
        "Leith: Beacon Press, 2009.",
    ]
    chunks = split_entries(lines_from_text("\n".join(lines * 2)))
    assert [c.split(",")[0].split(".")[0] for c in chunks] == ["Quinn", "Harbour lights", "Rowe", "• Sable"] * 2


def test_joined_inverted_names_or_a_repeated_opening_start_entries_after_a_full_line() -> None:
    # "Kümmel, Angelika / Schiefer, Marc / ..." names people however long the line runs; a
    # series of undated entries that open alike ("Gespräch mit dem Leiter ...") are several.
    lines = [
        "Kaiser, Anna / Lorenz, Bernd (2009): Häfen im Wandel. Hamburg: Kai. Online unter",
        "http://www.example.org/haefen/wandel/kaiser-lorenz-2009-haefen-im-wandel.pdf",
        "Kümmel, Angelika / Schiefer, Marc / Voss-Dahm, Dorothea / Wendt-Petersen,",
        "Klaus (2010): Die Lotsen. Kiel: Förde.",
        "Gespräch mit dem Leiter des Hafenamts „Nordkai“. Bremerhaven, 30.04.2013, Teil 1.",
        "Gespräch mit dem Leiter des Hafenamts „Südkai“. Bremerhaven, 02.05.2013, Teil 2.",
        "Gespräch mit dem Leiter des Hafenamts „Ostkai“. Cuxhaven, 12.05.2013, Teil 3.",
        "Lenz, Otto (1999): Vermögen und Gemeinwohl. München: Beck.",
    ]
    chunks = split_entries(lines_from_text("\n".join(lines)))
    assert [c.split()[0] for c in chunks] == ["Kaiser,", "Kümmel,", "Gespräch", "Gespräch", "Gespräch", "Lenz,"]


def test_a_readers_cut_before_an_entrys_tail_is_repaired() -> None:
    # A PDF reader hands over its guesses at entries, each set apart: a cut after a line left
    # open ("zur Lage der"), or before a tail that is only a volume and pages ("(4), S.
    # 423-441.", "2010, S. 444-451.", "Hafendienst 12 2009, S. 792-796."), is undone.
    blocks = [
        "Meadows, Dora (1972): Die Grenzen der Häfen. Bericht des Hafenrats zur Lage der",
        "Küste, Tide Books.",
        "Nagel, Hans (2009): Jenseits der Kais: Was soll wie gemessen werden?",
        "Hafendienst 12 2009, S. 792-796.",
        "Ortner, Lea (2007): Häfen und Städte. Journal of Harbour Policy 9",
        "(4), S. 423-441.",
        "Pauer, Tim (2010): Wohlstand am Kai. Hafendienst 7",
        "2010, S. 444-451.",
        "Quast, Ulf (2001): Lotsen. Kiel: Förde.",
    ]
    chunks = split_entries(lines_from_text("\n\n".join(blocks)))
    assert [c.split(",")[0] for c in chunks] == ["Meadows", "Nagel", "Ortner", "Pauer", "Quast"]


def test_a_blank_line_after_a_finished_entry_opens_the_next() -> None:
    # A title-first entry with no name at its head, set apart by a blank line.
    text = ("Zeller, P. (2001). Bells. Leeds: Campanile.\n\n"
            "A guide to the bell towers of the north. (1999). Church Review, 3(1), 4-9.")
    assert len(split_entries(lines_from_text(text))) == 2


def test_line_positions_from_a_pdf_reader_become_hints() -> None:
    """Two columns, each with hanging indents, and an entry running over a page break: the
    reader hands over positions only."""
    from bot.core.references.splitter import PrintedLine, lines_from_layout

    def column(texts: list[tuple[str, bool]], page: int, left: float) -> list[PrintedLine]:
        return [PrintedLine(t, page, left + (12 if hang else 0), 100 + 12 * k, 110 + 12 * k)
                for k, (t, hang) in enumerate(texts)]

    printed = [
        *column([("Moss, K. (2001). Gardens and their keepers. Reviewed in:", False),
                 ("Garden, A. (1999). Notes. Leeds.", True),
                 ("Noble, J. (2004). Another entry about walled", False)], 0, 50),
        *column([("gardens. York: Yew Press.", True),  # the same entry, next column
                 ("Oakes, R. (2007). A third one.", False)], 0, 300),
        PrintedLine("Pryce, T. (2009). Hedges, and", 1, 52, 60, 70),
        PrintedLine("what grows in them. Hull.", 1, 64, 72, 82),
    ]
    lines = lines_from_layout(printed)
    assert [ln.x for ln in lines] == [0, 12, 0, 12, 0, 0, 12]
    assert [ln.page_break_before for ln in lines] == [False, False, False, True, False, True, False]
    chunks = split_entries(lines)
    assert [c.split(",")[0] for c in chunks] == ["Moss", "Noble", "Oakes", "Pryce"]
    assert chunks[1].endswith("walled gardens. York: Yew Press.")
    spaced = [PrintedLine(t, 0, 50, top, top + 10) for t, top in
              (("Reed, A. (2001). One.", 100), ("Reed, A. (2002). Two.", 112), ("Rowe, B.", 140))]
    assert [ln.gap_before for ln in lines_from_layout(spaced)] == [False, False, True]


# DIN 1505-2 sets the year last and joins authors with " ; "; surnames keep their particles.
PARTICLES = [
    "Albrecht, Wendelin ; Krauss, Odo: Dünen und Deiche. Husum : Nordsee Verlag, 1987",
    "van der Maelen, Griet ; Olsson, Tove: Die Schleuse. Emden : Hafenpresse, 1993",
    "de la Torre, Inés: Salz im Watt. Bremen : Weser Verlag, 2001",
    "von Stade, Ulf: Fähren der Elbe. Hamburg : Kai Verlag, 2004, S. 11–40",
    "Zeller, Marit: Leuchtfeuer. Kiel : Förde Verlag, 1979",
] * 2


def test_an_entry_opening_with_its_surnames_particles_starts_a_new_entry() -> None:
    for text in ("\n".join(PARTICLES), _wrapped(PARTICLES), _wrapped(PARTICLES, 50)):
        chunks = split_entries(lines_from_text(text))
        assert [c.split(",")[0] for c in chunks] == [
            "Albrecht", "van der Maelen", "de la Torre", "von Stade", "Zeller"] * 2, text


def test_a_surname_holding_a_publishers_word_still_opens_an_entry() -> None:
    # "Fischer" and "Beck" are publishers too; "Verlag" after a title is the entry's publisher.
    entries = [
        "Albrecht, Wendelin: Dünen. In: Küstenblatt Bd. 3 (1981), Nr. 2, S. 20–31",
        "Beck-Ruhland, Ida: Watt und Welt. In: Küstenblatt Bd. 4 (1990), Nr. 1, S. 3–9",
        "Torre, Inés: Salz im Watt. Bremen : Weser Verlag, 2001",
        "Fischer-Olsen, Tove: Die Schleuse. Emden : Hafenpresse, 1993",
    ] * 3
    for text in ("\n".join(entries), _wrapped(entries, 60)):
        chunks = split_entries(lines_from_text(text))
        assert [c.split(",")[0] for c in chunks] == [
            "Albrecht", "Beck-Ruhland", "Torre", "Fischer-Olsen"] * 3, text


def test_an_initial_s_before_the_year_is_no_page() -> None:
    # "Quell, S. 2007." is a name, its initial and its date, not "London, S. 201" (pages).
    entries = ["Albers, T. 2001. Harbours of the North. Kiel: Förde Press.",
               "Quell, S. 2007. Tides and Towns. Emden: Dyke Press.",
               "Rask, P. 1999. Salt. Husum: Marsh Books."] * 3
    chunks = split_entries(lines_from_text("\n".join(entries)))
    assert [c.split(",")[0] for c in chunks] == ["Albers", "Quell", "Rask"] * 3


# Entries ending bare (a publisher, a place) on a line that runs to the margin, so neither the
# line's end nor its length says the entry ended there: the next line's names do.
BARE_ENDS = [
    "HARBO, Tilde, 1977. Court health in the northern towns of Frisia. Kiel: Lakeside",
    "Albers S, Quell T (1972) The salt trade in the northern ports. Routledge, Oxford",
    "QUELL, Ada, 1981. Dunes and dykes: a history of the coast. Husum: Northern Press",
    "RASK, Peter und Olga MEIER, Ulf LANGE, Ida KRAUSE, Tilde WIEBE, Jan ORT und Tove",
    "STRAND, 1990. The harbour. Emden: Dyke Press",
    "Bend J (1985) Tides. Kelp Press, Kiel",
    "SAND, Ulf, 1979. Reading harbour ledgers: a study for the European Information",
    "Technology Observatory (2000), Frankfurt: Main Books",
    "TIDE, Ole, 1988. Nets and their menders [Netze und ihre Flicker an der baltischen",
    "Ostseeküste, Riga 1932], Riga: Amber Books",
]


def test_names_after_a_full_line_ending_bare_open_the_next_entry() -> None:
    width = max(len(line) for line in BARE_ENDS)
    assert all(len(a) + 1 + len(b.split()[0]) > width
               for a, b in itertools.pairwise(BARE_ENDS) if len(a) > 70)
    chunks = split_entries(lines_from_text("\n".join(BARE_ENDS)))
    assert [c.split(",")[0] for c in chunks] == [
        "HARBO", "Albers S", "QUELL", "RASK", "Bend J (1985) Tides. Kelp Press", "SAND", "TIDE"]
    # names running on before their entry's date, a body's name over a line: no new entry
    assert chunks[3].endswith("und Tove STRAND, 1990. The harbour. Emden: Dyke Press")
    assert chunks[5].endswith("European Information Technology Observatory (2000), Frankfurt: Main Books")
    assert chunks[6].endswith("baltischen Ostseeküste, Riga 1932], Riga: Amber Books")


def test_a_particle_before_a_surname_and_its_date_is_as_sure_a_start_as_the_surname() -> None:
    # Each entry's last line runs to the margin, so only how sure the next start is decides.
    lines = ["Albers, T. (2001). Harbours of the north: ledgers and tolls. In K. Quell & S. Rask",
             "(Hrsg.), Häfen und Handel im Wandel der Zeiten (S. 97–106). Frankfurt/M.: Dietz.",
             "van Staden, S. C. (1985). Salt and tide in the northern harbour towns and villages.",
             "Küstenblatt für Geschichte und Gegenwart der Häfen, 4(2), 60–93. Kiel: Förde Verlag.",
             "ter Horst, M. A. & van der Kamp, K.-J. (1973). Dunes. Husum: Marsh Press."] * 2
    chunks = split_entries(lines_from_text("\n".join(lines)))
    assert [c.split(",")[0] for c in chunks] == ["Albers", "van Staden", "ter Horst"] * 2


def test_the_same_author_again_or_hyphenated_initials_after_a_bare_full_line_open_an_entry() -> None:
    lines = ["Harbour Trust (1960) Tolls and dues in the northern ports and harbours. Kelp, Ems",
             "Harbour Trust (1967) Ledgers of the harbour master and all his clerks. Marsh, Leer",
             "Nell K-L, Quell T (2011) The salt trade in the northern ports of Frisia. Dyke, Ems",
             "da Rask K-R (1986) Tides and the towns along the coast of the North Sea. Kelp, Ems",
             "Bend J (1985) Tides. Kelp Press, Kiel"] * 2
    width = max(len(line) for line in lines)
    assert all(len(a) + 1 + len(b.split()[0]) > width for a, b in itertools.pairwise(lines[:4]))
    chunks = split_entries(lines_from_text("\n".join(lines)))
    assert [c.split(" (")[0] for c in chunks] == [
        "Harbour Trust", "Harbour Trust", "Nell K-L, Quell T", "da Rask K-R", "Bend J"] * 2


def test_a_given_name_that_is_a_months_abbreviation_is_a_persons() -> None:
    # "Jan" and "Mai" are given names as well as months; "Quell, Jan. 1981." is no journal's
    # issue date, so it opens an entry after a full line as any name and date would.
    lines = ["Albers, Tove. 1979. Tides and tolls: ledgers of the harbour masters of Frisia. In",
             "Salt and ships, Hrsg. Ulf Rask, 149–183. Kiel: Lakeside Press and Marsh Books.",
             "Quell, Jan. 1981. Dunes and dykes: the history of the coast between rivers. In",
             "Küsten und Häfen, Hrsg. Ida Bend, 20–41. Husum: Northern Press and Kelp Books.",
             "Rask, Mai Tove. 1990. Harbour. Emden: Dyke Press."] * 2
    chunks = split_entries(lines_from_text("\n".join(lines)))
    assert [c.split(",")[0] for c in chunks] == ["Albers", "Quell", "Rask"] * 2


def test_a_line_ending_on_an_initial_after_by_is_left_open() -> None:
    # MLA: "Edited by K.-C." ends a short line; the surname on the next line is no new entry.
    lines = ["Albers, Tove, editor. Tides and Tolls: Ledgers of the Harbour Masters of Frisia",
             "and the Islands. Edited by T.",
             "Albers, Lakeside Press, 1979.",
             "Quell, K.-C., editor. Dunes and Dykes: The History of the Coast between Rivers.",
             "Edited by K.-C.",
             "Quell, Marsh Books, 1981."] * 2
    chunks = split_entries(lines_from_text("\n".join(lines)))
    assert [c.split(",")[0] for c in chunks] == ["Albers", "Quell"] * 2
