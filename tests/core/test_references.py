"""Citations and quotes through the index: stored at index time, looked up by `cite`/`quote`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.errors import InvalidQuery, NotFound
from bot.core.models import Reading
from bot.core.references.styles import how_to_cite
from bot.core.search import quotes
from bot.core.search.cite import parse_query
from bot.core.service import SeminarService

READING = """Sovereignty and Its Discontents

Ana Ruiz

Scholars disagree about what sovereignty means (Krasner, 1999: 4; see also Keohane & Nye, 2001).
Some argue that interdependence erodes it (Keohane and Nye, 2001: 12-14), others that states
adapt (Ruíz Díaz, 2005a). A survey found no consensus (Nobody, 2004).

As Ruiz Diaz observes, the rivers are rising but not for the farmers downstream (2005a: 7).
Operation Lighthouse (1998) had nothing to do with any of this.

References

Keohane, R. O., & Nye, J. S. (2001). Power and interdependence (3rd ed.). Longman.

Krasner, S. D. (1999). Sovereignty: Organized hypocrisy. Princeton University Press.

Ruíz Díaz, M. (2005a). Rivers and borders. Journal of Water Politics, 3(2), 1-20.
https://doi.org/10.5555/jwp.2005.3.2.1
"""

NOTES = """Constructing Threats

Luis Vega

Wendt argued that anarchy is what states make of it.[1] Threats are constructed by the way
actors describe them, and the cartels' violence is read differently on each side.[2]
"""


@pytest.fixture
def service(course_of) -> SeminarService:
    return course_of({
        "sovereignty.txt": READING,
        "threats.txt": NOTES,
        "readings.toml":
            '["sovereignty.txt"]\nauthors = ["Ana Ruiz", "Pedro de la Vega"]\nyear = "2020"\n',
    })


def test_index_stores_entries_and_linked_citations(service: SeminarService,
                                                    tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "test.db")
    conn.execute("PRAGMA busy_timeout = 5000")
    entries = conn.execute("SELECT count(*) FROM bib_entries").fetchone()[0]
    rows = conn.execute("SELECT text, entry_id, locator FROM citations WHERE kind != 'numeric'"
                        " ORDER BY id").fetchall()
    conn.close()
    assert entries == 3
    by_text = {t: (e, loc) for t, e, loc in rows}
    assert by_text["Krasner, 1999: 4"][0] is not None and by_text["Krasner, 1999: 4"][1] == "4"
    assert by_text["Nobody, 2004"][0] is None  # kept, reported, not dropped
    assert by_text["2005a: 7"][0] is not None  # narrative, accent-insensitive
    assert "1998" not in by_text  # a year in brackets with no author is no citation


def test_entries_keep_full_names_volume_issue_and_doi(service: SeminarService) -> None:
    """Every field the parser reads survives the index: what `cite` shows comes from the row."""
    entry = service.scope("cli", None).cite("Ruiz Diaz 2005").matches[0].entry
    assert entry is not None
    assert entry.authors == ("Ruíz Díaz",) and entry.author_names == ("M. Ruíz Díaz",)
    assert (entry.volume, entry.issue, entry.pages) == ("3", "2", "1-20")
    assert entry.doi == "10.5555/jwp.2005.3.2.1"
    edited = service.scope("cli", None).cite("Krasner 1999").matches[0].entry
    assert edited is not None and edited.author_names == ("S. D. Krasner",)


def test_cite_fuzzy_query_returns_entry_and_citing_passages(service: SeminarService) -> None:
    result = service.scope("cli", None).cite("krasnr sovreignty")
    top = result.matches[0]
    assert top.entry is not None and top.entry.authors == ("Krasner",)
    assert [c.citation for c in top.cited_in] == ["Krasner, 1999: 4"]
    assert top.cited_in[0].locator == "4" and top.cited_in[0].kind == "citation"

    keohane = service.scope("cli", None).cite("Keohane Nye 2001").matches[0]
    assert {c.citation for c in keohane.cited_in} == {"see also Keohane & Nye, 2001",
                                                      "Keohane and Nye, 2001: 12-14"}

    ruiz = service.scope("cli", None).cite("Ruiz Diaz 2005a").matches[0]
    assert {c.citation for c in ruiz.cited_in} == {"Ruíz Díaz, 2005a", "2005a: 7"}


def test_cite_without_reference_list_returns_labelled_mentions(service: SeminarService) -> None:
    result = service.scope("cli", None).cite("Wendt")
    assert len(result.matches) == 1 and result.matches[0].entry is None
    assert [c.kind for c in result.matches[0].cited_in] == ["mention"]
    assert service.scope("cli", None).cite("Zzyzx Qwerty 1850").matches == []


@pytest.mark.parametrize("bad", ["", "  ", "?!.;", "x" * 20_000])
def test_bad_cite_and_quote_input(service: SeminarService, bad: str) -> None:
    with pytest.raises(InvalidQuery):
        service.scope("cli", None).cite(bad)
    with pytest.raises(InvalidQuery):
        service.scope("cli", None).quote(bad)


def test_quote_locates_misremembered_span(service: SeminarService) -> None:
    result = service.scope("cli", None).quote("the rivers are rising, not for farmers downstream")
    assert result.confident
    hit = result.hits[0]
    assert hit.reading.id == "sovereignty"
    assert hit.match.quote == "the rivers are rising but not for the farmers downstream"
    assert not service.scope("cli", None).quote("quantum chromodynamics and asymptotic freedom").confident


def test_how_to_cite_a_passage(service: SeminarService) -> None:
    pid = service.scope("cli", None).quote("interdependence erodes it").hits[0].passage.id
    refs = service.scope("cli", None).how_to_cite(pid)
    assert refs["apa"] == "Ruiz, A., & de la Vega, P. (2020). Sovereignty and Its Discontents."
    assert refs["chicago"].startswith("Ruiz, Ana, and Pedro de la Vega. 2020. \u201cSovereignty")
    assert refs["apa_in_text"] == "(Ruiz & de la Vega, 2020)"
    with pytest.raises(NotFound):
        service.scope("cli", None).how_to_cite("no-such-passage")


def test_how_to_cite_gives_the_page_when_known() -> None:
    reading = Reading(id="r", title="Borders", authors=("Peter Andreas",), year="2000")
    refs = how_to_cite(reading, page=61)
    assert refs["apa_in_text"] == "(Andreas, 2000, p. 61)"
    assert refs["chicago_in_text"] == "(Andreas 2000, 61)"
    anonymous = how_to_cite(Reading(id="x", title="Untitled Memo"), page=None)
    assert anonymous["apa"] == "Untitled Memo. (n.d.)."


def test_sample_course_has_two_reference_list_formats(sample_service: SeminarService) -> None:
    apa = sample_service.scope("cli", None).cite("Ostrom 1990").matches[0]
    assert apa.entry is not None and apa.entry.title.startswith("Governing the commons")
    assert apa.cited_in and all("Ostrom" in c.citation for c in apa.cited_in)
    numbered = sample_service.scope("cli", None).cite("Nadelmann prohibition regimes").matches[0]
    assert numbered.entry is not None and numbered.entry.number == 3
    assert {c.citation for c in numbered.cited_in} == {"[3]"}


def test_shared_reading_links_every_citation(shared_service: SeminarService) -> None:
    with shared_service.db.read() as conn:
        entries = conn.execute("SELECT count(*) FROM bib_entries WHERE reading_id LIKE 'reich%'")
        assert entries.fetchone()[0] == 76
        unlinked = conn.execute("SELECT text FROM citations WHERE entry_id IS NULL"
                                " AND kind NOT IN ('numeric', 'footnote-marker')")
        assert unlinked.fetchall() == []
    walker = shared_service.scope("cli", None).cite("Walker 1993-94").matches[0]
    assert walker.entry is not None and walker.entry.year == "1993-94"
    assert {c.locator for c in walker.cited_in} == {"43", "64"}
    carreno = shared_service.scope("cli", None).cite("carreno ferreyra").matches[0]
    assert carreno.entry is not None and carreno.entry.authors == ("Carreño", "Ferreyra")
    wendt = shared_service.scope("cli", None).cite("Wendt").matches[0]
    assert wendt.entry is None and {c.kind for c in wendt.cited_in} == {"mention"}


def test_large_courses_take_quote_candidates_from_full_text_search(
        service: SeminarService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quotes, "_SCAN_ALL", 0)
    hit = service.scope("cli", None).quote("the rivers are rising, not for farmers downstream").hits[0]
    assert hit.match.quote == "the rivers are rising but not for the farmers downstream"


def test_cite_queries_read_like_citations() -> None:
    assert parse_query("(Walker 1993-94: 43)") == (["walker"], ["1993-94"])
    assert parse_query("González et al., 2011") == (["gonzalez"], ["2011"])
    assert parse_query("PBS 2000a") == (["pbs"], ["2000a"])
    assert parse_query("Binational Commission n.d.") == (
        ["binational", "commission"], ["n.d."])


def test_reference_labels_for_autocomplete(shared_service) -> None:
    labels = shared_service.scope("cli", None).reference_labels()
    for label in ("Krasner 1999", "Reuter and Ronfeldt 1992", "Andreas 2000", "Andreas 1996",
                  "PBS 2000a", "U.S. Senate 1999", "Carreño and Ferreyra 1998"):
        assert label in labels
    assert len(labels) == len(set(labels)) == 76


NOTES_AND_BIBLIOGRAPHY = """Power and Its Limits

Ana Ruiz

Realists hold that power decides what states may do.¹ Others doubt that it decides much.²
A third camp looks at how long peace lasts.³ And the realists answer once more.⁴

¹ Hans J. Morgenthau, Politics Among Nations (New York: Knopf, 1967), 4; see MORGENTHAU (1967, p.4).
² Ibid., p. 45.
³ Davis 1995: 221.
⁴ Morgenthau, op. cit., p. 12.

References

Davis, Kim. The Long Peace: Rivalry and Restraint. Boston: Beacon.

Morgenthau, Hans J. (1967). Politics Among Nations. New York: Knopf.

Weber, Max (o.J.). Politik als Beruf. München: Duncker.
"""


@pytest.fixture
def notes_service(course_of) -> SeminarService:
    return course_of({"power.txt": NOTES_AND_BIBLIOGRAPHY})


def _cited(service: SeminarService, query: str) -> list[tuple[str, str | None]]:
    match = service.scope("cli", None).cite(query).matches[0]
    return [(c.citation, c.locator) for c in match.cited_in]


def test_ibid_and_op_cit_point_at_the_source_an_earlier_note_cited(
        notes_service: SeminarService) -> None:
    cited = _cited(notes_service, "Morgenthau 1967")
    assert ("1967, p.4", "p.4") in cited  # small capitals, page after a comma
    assert ("Ibid., p. 45", "p. 45") in cited  # the previous note's source
    assert ("Morgenthau, op. cit., p. 12", "p. 12") in cited  # that author's last source


def test_an_entry_without_a_year_is_found_and_linked_by_its_name(
        notes_service: SeminarService) -> None:
    result = notes_service.scope("cli", None).cite("Davis 1995")
    entry = result.matches[0].entry
    assert entry is not None and entry.authors == ("Davis",) and entry.year is None
    assert [(c.citation, c.locator) for c in result.matches[0].cited_in] == [
        ("Davis 1995: 221", "221")]
    by_title = notes_service.scope("cli", None).cite("davis long peace").matches[0].entry
    assert by_title == entry
    no_year = notes_service.scope("cli", None).cite("Weber 1919").matches[0].entry
    assert no_year is not None and no_year.year == "n.d."  # "o.J.": found, below a dated match
