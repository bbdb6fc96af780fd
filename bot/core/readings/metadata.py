"""What a reading is: title, authors, year, where it appeared (journal or book, volume, issue,
printed pages) and its DOI.

Read from the file itself (a PDF's first page and imprint, a Word file's title, the opening
lines of a text), and overridable by the instructor, field by field: YAML front matter in a
`.md` file, or a `readings.toml` sidecar in the readings folder keyed by file name or reading
id. The sidecar beats the front matter, which beats what the file says:

    ["reich-aspinwall-paradox-of-unilateralism.pdf"]
    title = "The Paradox of Unilateralism"
    authors = ["Simon Reich", "Mark Aspinwall"]
    year = 2014
    container = "Journal of Global Studies"
    volume = "12"
    issue = "3"
    pages = "95-102"
    doi = "10.1234/jgs.2014.12"

A key the bot does not know is reported as a warning naming the file, never silently ignored.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.textnorm import fold, normalize_space

SIDECAR = "readings.toml"
FIELDS = ("title", "authors", "year", "container", "volume", "issue", "pages", "doi")
# Other spellings instructors use for the same fields.
ALIASES = {"author": "authors", "journal": "container", "book": "container", "page_range": "pages"}


@dataclass(frozen=True, slots=True)
class ReadingMetadata:
    title: str
    authors: tuple[str, ...] = ()  # full names as printed
    year: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # "95-102"
    doi: str | None = None


def reading_id(path: Path) -> str:
    """A stable, URL-safe id from the file name."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(path.stem)).strip("-")
    return slug or "reading"


def load_sidecar(folder: Path) -> tuple[dict[str, dict[str, Any]], str | None]:
    """The sidecar's entries, and a warning if it exists but cannot be read."""
    path = folder / SIDECAR
    if not path.is_file():
        return {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, f"{SIDECAR}: ignored, it is not valid TOML ({exc})"
    return {k: v for k, v in data.items() if isinstance(v, dict)}, None


def resolve(
    path: Path,
    *,
    detected: Mapping[str, Any],
    front_matter: Mapping[str, Any],
    sidecar: Mapping[str, Mapping[str, Any]],
) -> tuple[ReadingMetadata, list[str]]:
    """The reading's metadata, field by field: sidecar beats front matter beats what the file
    says (`detected`); and a warning for each key the front matter or sidecar sets that is
    not a metadata field."""
    warnings: list[str] = []
    chosen: dict[str, Any] = {k: v for k, v in detected.items() if v not in (None, "", [], ())}
    sources = [("front matter", front_matter), (f"{SIDECAR} [{reading_id(path)}]", sidecar.get(reading_id(path), {})),
               (f"{SIDECAR} [{path.name}]", sidecar.get(path.name, {}))]
    for where, given in sources:
        for key, value in given.items():
            name = ALIASES.get(str(key).lower(), str(key).lower())
            if name not in FIELDS:
                warnings.append(f"{path.name}: {where} sets {key!r}, which is not a reading field "
                                f"(known: {', '.join(FIELDS)}); ignored")
                continue
            chosen[name] = value
    title = _text(chosen.get("title")) or title_from_file_name(path)
    meta = ReadingMetadata(
        title=title,
        authors=_authors(chosen.get("authors")),
        year=_text(chosen.get("year")),
        container=_text(chosen.get("container")),
        volume=_text(chosen.get("volume")),
        issue=_text(chosen.get("issue")),
        pages=_pages(chosen.get("pages")),
        doi=_text(chosen.get("doi")),
    )
    return meta, warnings


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | tuple):
        return None
    text = normalize_space(str(value))
    return text or None


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = re.split(r";|\band\b|&", value)
    elif isinstance(value, list | tuple):
        parts = [str(a) for a in value]
    else:
        return ()
    return tuple(a for a in (normalize_space(p) for p in parts) if a)


def _pages(value: Any) -> str | None:
    """"95-102" however it was given: "95–102", "pp. 95-102", [95, 102]."""
    if isinstance(value, list | tuple) and len(value) == 2:
        value = f"{value[0]}-{value[1]}"
    text = _text(value)
    if text is None:
        return None
    text = re.sub(r"^(?:pp?\.|pages?|s\.)\s*", "", text, flags=re.I)
    return re.sub(r"\s*[-–—]+\s*", "-", text)


def title_from_file_name(path: Path) -> str:
    """A title made from the file name ("us-drug-policy.pdf" -> "US Drug Policy"): what a
    reading is called when nothing names it, and how the bot tells that it was not found."""
    words = re.split(r"[-_\s]+", path.stem)
    small = {"a", "an", "and", "of", "the", "in", "on", "for", "to", "vs"}
    out = []
    for i, word in enumerate(words):
        if len(word) <= 3 and word.isalpha() and word.lower() not in small and word.lower() in {"us", "uk", "eu", "un"}:
            out.append(word.upper())
        elif i and word.lower() in small:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)
