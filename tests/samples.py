"""Hand-built results for the presentation and renderer tests: one reading, one citing passage,
one reference-list entry, and the cite and quote results made of them."""

from __future__ import annotations

from bot.core.models import (
    BibEntry,
    CitedIn,
    CiteMatch,
    CiteResult,
    Passage,
    QuoteHit,
    QuoteMatch,
    QuoteResult,
    Reading,
)

READING = Reading(id="regimes", title="Regimes", authors=("Ana Torres",), year="2019")
TEXT = "As Keohane (1984, 51) argued, regimes reduce transaction costs. Others disagree."
CITING = Passage(id="regimes-p4", reading_id="regimes", kind="body", section="Debates",
                 paragraph=4, page=12, text=TEXT)
ENTRY = BibEntry(authors=("Keohane",), year="1984", title="After Hegemony",
                 raw="Keohane, R. (1984).\nAfter Hegemony.")  # as wrapped in the list
QUOTED = "regimes reduce transaction costs"


def cited(times: int = 1) -> tuple[CitedIn, ...]:
    return tuple(CitedIn(CITING, READING, "Keohane (1984, 51)", "51", "citation")
                 for _ in range(times))


def cite_result(query: str = "keohane 1984", *, times: int = 1, score: float = 92.0) -> CiteResult:
    return CiteResult(query, [CiteMatch(score, ENTRY, READING, cited(times))])


def quote_hit(score: float = 88.0) -> QuoteHit:
    start = TEXT.index(QUOTED)
    return QuoteHit(QuoteMatch(CITING.id, score, start, start + len(QUOTED), QUOTED), CITING,
                    READING)


def quote_result(*, confident: bool = True) -> QuoteResult:
    return QuoteResult("regimes cut costs", (quote_hit(),), confident)
