"""The names papers give their parts (abstract, keywords, notes, reference list), in the
languages of the readings, matched against a heading's `heading_key`.

One list for both ways a reading is read: by its layout (a PDF) and by its shape (text).
A bilingual heading ("Bibliographie / Bibliography") names its part in either language.
"""

from __future__ import annotations

import re

from bot.core.textnorm import fold


def heading_key(text: str) -> str:
    """A heading as the names below are written: folded, without its number ("7.", "IV.")
    or trailing punctuation."""
    key = re.sub(r"\s+", " ", fold(text).strip(" *#:.")).strip()
    return re.sub(r"^(?:\d+(?:\.\d+)*\.?|[ivxlc]+\.?(?=\s))\s*", "", key)


def _names(alternatives: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{alternatives})(?:\s*/\s*(?:{alternatives}))?$")


ABSTRACT = _names(
    r"abstract|summary|resumen|resume|resumo|zusammenfassung|riassunto|executive summary|"
    r"kurzfassung"
)
BIBLIOGRAPHY = _names(
    r"bibliography|references?|reference list|works cited|literature cited|literature|sources|"
    r"sources cited|cited works|referencias(?: bibliograficas)?|bibliografia|bibliographie|"
    r"bibliografie|literatur|literaturverzeichnis|literaturangaben|literaturhinweise|"
    r"literaturliste|quellen|quellenverzeichnis|literatur- und quellenverzeichnis|"
    r"quellen- und literaturverzeichnis|references and notes|notes and references|"
    r"verzeichnis der (?:verwendeten |zitierten )?literatur|"
    r"(?:verwendete|zitierte|zitierte und verwendete|weiterfuhrende|ausgewahlte) (?:literatur|quellen)|"
    r"further reading|"
    r"selected bibliography|select bibliography"
)


def names_reference_list(line: str) -> bool:
    """A line that is nothing but a reference list's name ("Literatur- und Quellenverzeichnis",
    "8.1 Verzeichnis der verwendeten Literatur", "Literatu r" as a PDF spaced it)."""
    key = heading_key(line)
    return len(key) <= 60 and bool(BIBLIOGRAPHY.match(key) or BIBLIOGRAPHY.match(key.replace(" ", "")))


NOTES = _names(r"notes|endnotes|footnotes|notas|anmerkungen|fussnoten")
KEYWORDS = _names(
    r"key\s*words?|palabras clave|mots[- ]cles|schlusselworter|schlagworter|stichworter|"
    r"jel(?: classification)?(?: codes?)?"
)
