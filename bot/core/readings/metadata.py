"""Who wrote a reading and what it is called.

Detected from the opening lines, overridable by the instructor: YAML front matter in a `.md`
file, or a `readings.toml` sidecar in the readings folder keyed by file name or reading id:

    ["reich-aspinwall-paradox-of-unilateralism.txt"]
    title = "The Paradox of Unilateralism"
    authors = ["Simon Reich", "Mark Aspinwall"]
    year = "2014"
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from bot.core.textnorm import fold

SIDECAR = "readings.toml"


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
    detected_title: str | None,
    detected_authors: tuple[str, ...],
    front_matter: dict[str, Any],
    sidecar: dict[str, dict[str, Any]],
) -> tuple[str, tuple[str, ...], str | None]:
    """(title, authors, year): sidecar beats front matter beats what the text says."""
    override: dict[str, Any] = {}
    override.update(front_matter)
    override.update(sidecar.get(reading_id(path), {}))
    override.update(sidecar.get(path.name, {}))
    title = str(override.get("title") or detected_title or _title_from_name(path))
    raw_authors = override.get("authors", override.get("author"))
    if isinstance(raw_authors, str):
        authors = tuple(a.strip() for a in re.split(r";|\band\b", raw_authors) if a.strip())
    elif isinstance(raw_authors, list):
        authors = tuple(str(a).strip() for a in raw_authors if str(a).strip())
    else:
        authors = detected_authors
    year = override.get("year")
    return title, authors, str(year) if year is not None else None


def _title_from_name(path: Path) -> str:
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
