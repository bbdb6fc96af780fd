"""Where an import reads from: files, folders (recursively) and zip archives, streamed.

An export of a big server is many files and several gigabytes, so nothing here reads a file
whole: each `ExportFile` opens a binary stream (a file, or a member of a zip read as it is
inflated), and `Counting` tells the progress bar how far into the bytes the import is.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Protocol

# (bytes done, bytes in all, what is being read): the CLI draws a bar from it.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class ExportFile:
    label: str  # the path, or "archive.zip:member", as warnings name it
    size: int
    opener: Callable[[], IO[bytes]]


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Counting:
    """A read-only binary stream that counts what was read through it, for progress."""

    def __init__(self, raw: IO[bytes], tick: Callable[[int], None]) -> None:
        self._raw = raw
        self._tick = tick

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._tick(len(data))
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Counting:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _zip_members(path: Path, suffix: str) -> Iterator[ExportFile]:
    archive = zipfile.ZipFile(path)  # kept open by the openers; closed with the process
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(suffix):
            continue
        if Path(info.filename).name.startswith("._"):  # macOS resource forks
            continue
        yield ExportFile(f"{path}:{info.filename}", info.file_size, partial(archive.open, info))


def expand(paths: Iterable[str | Path], *, suffix: str = ".json") -> tuple[list[ExportFile], list[str]]:
    """Every export file under `paths` (a file, a folder searched recursively, a zip), in a
    stable order, and a warning for each path that cannot be read."""
    found: list[ExportFile] = []
    warnings: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob(f"*{suffix}") if p.is_file())
            if not files:
                warnings.append(f"{path}: a folder with no {suffix} files in it; skipped.")
            found += [_file(p) for p in files]
        elif path.is_file() and zipfile.is_zipfile(path):
            try:
                members = list(_zip_members(path, suffix))
            except (OSError, zipfile.BadZipFile) as exc:
                warnings.append(f"{path}: not a readable zip archive ({exc}); skipped.")
                continue
            if not members:
                warnings.append(f"{path}: a zip archive with no {suffix} files in it; skipped.")
            found += members
        elif path.is_file():
            found.append(_file(path))
        else:
            warnings.append(f"No such file or folder: {path}")
    return found, warnings


def _file(path: Path) -> ExportFile:
    return ExportFile(str(path), path.stat().st_size, lambda: path.open("rb"))
