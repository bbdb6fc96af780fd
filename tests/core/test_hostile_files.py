"""Every hostile or broken file of issue 11 in one readings folder: each gets a clear warning
naming it, within its budget, and the other readings are indexed all the same."""

from __future__ import annotations

import os
import struct
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from bot.core.service import SeminarService
from tests.core.pdf_samples import article
from tests.core.test_guards import shared_stream_pdf

GOOD = "Villages that share a pasture write their own grazing rules and fine those who break them.\n"


def lying_docx(declared: int) -> bytes:
    """A small .docx whose parts say they inflate to `declared` bytes (a zip bomb's header)."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buffer.getvalue())
    at = data.find(b"PK\x01\x02")  # the first central-directory entry: its uncompressed size
    data[at + 24: at + 28] = struct.pack("<I", declared)
    return bytes(data)


@pytest.mark.skipif(os.name != "posix", reason="sparse files and symlinks")
def test_hostile_files_are_refused_or_read_within_budget_while_the_rest_is_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "readings"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "shared-stream.pdf").write_bytes(shared_stream_pdf(pages=2_000, lines=4_000))
    (folder / "five-thousand-pages.pdf").write_bytes(shared_stream_pdf(pages=5_000, lines=1))
    (folder / "bomb.docx").write_bytes(lying_docx(4_000_000_000))
    with (folder / "sparse.txt").open("wb") as handle:
        handle.truncate(3 * 1024**3)
    (folder / "aliases.md").write_text(
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\nAlias bombs hide in front matter.\n",
        encoding="utf-8")
    words = "the council argued that regional budgets shape how ministries bargain".split()
    (folder / "wrapped.txt").write_text(
        "\n".join(" ".join(words[(i + j) % len(words)] for j in range(9)) for i in range(8_000)),
        encoding="utf-8")
    (folder / "shouting.txt").write_text(
        "\n".join(f"SECTION {i} ON REGIONAL BUDGETS AND TRANSFERS" for i in range(2_000)),
        encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("a system file, not a reading", encoding="utf-8")
    (folder / "link.txt").symlink_to(secret)

    started = time.monotonic()
    service = SeminarService(tmp_path / "s.db", folder)
    report = service.scope("cli", None).ensure_index()
    seconds = time.monotonic() - started
    service.close()

    warned = {w.split(":")[0]: w for w in report.warnings}
    assert "page 1 holds" in warned["shared-stream.pdf"]
    assert "5,000 pages" in warned["five-thousand-pages.pdf"]
    assert "zip bomb" in warned["bomb.docx"]
    assert "larger than 50 MB" in warned["sparse.txt"]
    assert "outside the readings folder" in warned["link.txt"]
    assert "front matter ignored" in warned["aliases.md"] and "aliases" in warned["aliases.md"]
    assert sorted(report.indexed) == ["aliases", "good", "shouting", "wrapped"]
    assert seconds < 30  # minutes or gigabytes before; a few seconds on a slow machine now


def test_a_reading_whose_file_turns_unreadable_keeps_its_last_version(tmp_path: Path) -> None:
    folder = tmp_path / "readings"
    folder.mkdir()
    path = folder / "budgets.pdf"
    path.write_bytes(article(pages=4).bytes())
    service = SeminarService(tmp_path / "s.db", folder)
    course = service.scope("cli", None)
    assert course.ensure_index().indexed == ["budgets"]
    before = course.ask("how do ministries bargain over transfers").hits[0]

    path.write_bytes(b"%PDF-1.4\n" + b"\0" * 1_000)  # a copy cut short, a broken replacement
    report = course.ensure_index()
    assert report.indexed == [] and report.removed == []
    assert report.warnings == [
        "budgets.pdf: not re-indexed, it is not a readable PDF; its last readable version stays "
        "in the index"]
    again = course.ask("how do ministries bargain over transfers").hits[0]
    assert (again.passage.id, again.passage.page) == (before.passage.id, before.passage.page)

    path.write_bytes(article(pages=5).bytes())  # fixed: read again
    assert course.ensure_index().indexed == ["budgets"]
    service.close()
