"""Limits that keep a hostile or broken file from stalling the indexer or filling memory.

Each guard is a pure check that raises `UnreadableFile` with a reason the index reports as a
warning naming the file, so the other readings are indexed anyway:
- a link that leads outside the readings folder is refused (it could serve a system file);
- the size is checked before a byte is read, and reading stops at the limit even if the file
  grows meanwhile (a sparse 3 GB file never gets read);
- a .docx is a zip: its members' declared sizes are summed before anything is inflated (a zip
  bomb of a few MB declares gigabytes), and each member is read with a cap;
- YAML front matter is parsed without aliases (an alias bomb expands a few lines into
  gigabytes) and only up to a size;
- PDF page, per-page character and time limits live with the PDF reader (`pdf.PdfLimits`).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DOCX_INFLATED = 200 * 1024 * 1024
MAX_DOCX_MEMBERS = 2_000
MAX_FRONT_MATTER_CHARS = 64 * 1024


class UnreadableFile(Exception):
    """The file cannot be turned into text; the message says why."""


def inside_folder(path: Path, folder: Path) -> Path:
    """The file's real path, if it really lies in the readings folder."""
    try:
        real = path.resolve(strict=True)
        root = folder.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling link or a link loop
        raise UnreadableFile("it is a broken link") from exc
    if not real.is_relative_to(root):
        raise UnreadableFile("it is a link to a file outside the readings folder")
    return real


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing before reading when it is larger than `limit`."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UnreadableFile(f"it is larger than {limit // (1024 * 1024)} MB ({size // (1024 * 1024):,} MB)")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(f"it cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:
        raise UnreadableFile(f"it is larger than {limit // (1024 * 1024)} MB")
    return data


def check_docx(data: bytes, *, inflated_limit: int = MAX_DOCX_INFLATED,
               members_limit: int = MAX_DOCX_MEMBERS) -> None:
    """Refuse a Word file whose parts would inflate past the limit, before inflating any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile("it is not a readable Word file (not a zip archive)") from exc
    if len(infos) > members_limit:
        raise UnreadableFile(f"it is not a readable Word file ({len(infos):,} parts)")
    declared = sum(info.file_size for info in infos)
    if declared > inflated_limit:
        raise UnreadableFile(
            f"it would inflate to {declared // (1024 * 1024):,} MB, more than "
            f"{inflated_limit // (1024 * 1024)} MB (a zip bomb?)"
        )


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases: front matter never needs them, and expanding nested
    aliases is how a few hundred bytes become gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("front matter may not use YAML aliases (*name)")
        return super().compose_node(parent, index)


def parse_front_matter(text: str, limit: int = MAX_FRONT_MATTER_CHARS) -> dict[str, Any]:
    """YAML front matter as a dict, or `UnreadableFile` saying why it was not used."""
    if len(text) > limit:
        raise UnreadableFile(f"its front matter is longer than {limit // 1024} KB")
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader that refuses aliases
    except yaml.YAMLError as exc:
        raise UnreadableFile(f"its front matter is not valid YAML ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnreadableFile("its front matter is not a set of key: value lines")
    return data
