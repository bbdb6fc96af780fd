"""Refreshing the index in its three steps: plan from the folder, prepare a file without the
database, store it. `refresh` composes them; these tests hold each step to its promise."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from bot.core.readings import store
from bot.core.readings.prepare import (
    PreparedReading,
    SameContent,
    Unreadable,
    prepare_reading,
)
from bot.core.readings.refresh import PlannedFile, SkippedFile, plan_refresh
from bot.core.service import SeminarService
from bot.core.storage.database import Database

READING = """# Fences and Pastures

Villages that share a pasture write rules about who may graze and when (Ostrom, 1990).

## References

Ostrom, E. (1990). Governing the commons. Cambridge University Press.
"""


def actions(plan_files: list[PlannedFile | SkippedFile]) -> dict[str, str]:
    return {f.path.name: f.action if isinstance(f, PlannedFile) else "skipped" for f in plan_files}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "readings"
    target.mkdir()
    (target / "fences.md").write_text(READING, encoding="utf-8")
    (target / "rivers.txt").write_text("Rivers cross borders.\n", encoding="utf-8")
    return target


def test_the_plan_says_what_changed_from_the_folder_alone(tmp_path: Path, folder: Path) -> None:
    service = SeminarService(tmp_path / "s.db", folder)
    service.scope("cli", None).ensure_index()
    with service.db.read() as conn:
        indexed = store.indexed_files(conn, "default")
    service.close()
    (folder / "rivers.txt").write_text("Rivers cross borders, and treaties follow.\n")
    (folder / "dams.txt").write_text("Dams hold water back.\n")
    (folder / "dams.md").write_text("Same id as dams.txt.\n")
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04")
    (folder / "fences.md").rename(folder / "fences-old.md")

    plan = plan_refresh(folder, indexed)  # no database: only the listing and `indexed`
    assert actions(plan.files) == {
        "dams.md": "new", "dams.txt": "skipped", "fences-old.md": "new",
        "rivers.txt": "changed", "slides.pptx": "skipped",
    }
    assert plan.removed == ["fences"]
    skipped = {f.path.name: f.warning for f in plan.files if isinstance(f, SkippedFile)}
    assert "another file already has the id 'dams'" in skipped["dams.txt"]
    assert "not a supported format" in skipped["slides.pptx"]
    (changed,) = (f for f in plan.files if isinstance(f, PlannedFile) and f.action == "changed")
    assert changed.indexed_hash == indexed["rivers"].content_hash

    rebuilt = plan_refresh(folder, indexed, rebuild=True)
    assert [f.indexed_hash for f in rebuilt.files if isinstance(f, PlannedFile)] == [None] * 3


def test_an_untouched_folder_plans_nothing_to_read(tmp_path: Path, folder: Path) -> None:
    service = SeminarService(tmp_path / "s.db", folder)
    service.scope("cli", None).ensure_index()
    with service.db.read() as conn:
        plan = plan_refresh(folder, store.indexed_files(conn, "default"))
    service.close()
    assert actions(plan.files) == {"fences.md": "unchanged", "rivers.txt": "unchanged"}
    assert plan.removed == [] and plan.warnings == []


def test_a_file_prepared_off_the_writer_thread_is_stored_in_one_short_write(
    tmp_path: Path, folder: Path
) -> None:
    path = folder / "fences.md"
    prepared: list[object] = []
    worker = threading.Thread(target=lambda: prepared.append(prepare_reading(
        path, "fences", path.stat(), course="default", sidecar={})))
    worker.start()
    worker.join()
    (reading,) = prepared
    assert isinstance(reading, PreparedReading)
    assert reading.title == "Fences and Pastures"
    assert [p.kind for p in reading.passages] == ["body", "bibliography"]
    assert len(reading.references.entries) == 1 and reading.references.unlinked == []
    assert reading.warnings == ()

    db = Database(tmp_path / "s.db")
    db.migrate()
    db.run(lambda conn: store.store_reading(conn, reading))
    with db.read() as conn:
        assert [r.id for r in store.list_readings(conn, "default")] == ["fences"]
        (cited,) = conn.execute("SELECT entry_id FROM citations").fetchall()
    assert cited[0] == "fences-r1"
    db.close()


def test_preparing_says_when_there_is_nothing_new_or_nothing_readable(folder: Path) -> None:
    path = folder / "fences.md"
    first = prepare_reading(path, "fences", path.stat(), course="default", sidecar={})
    assert isinstance(first, PreparedReading)
    os.utime(path, ns=(1, 1))  # touched, same bytes
    again = prepare_reading(path, "fences", path.stat(), course="default", sidecar={},
                            indexed_hash=first.content_hash)
    assert isinstance(again, SameContent)
    # New metadata in the sidecar is a change even when the bytes are not.
    retitled = prepare_reading(path, "fences", path.stat(), course="default",
                               sidecar={"fences.md": {"title": "Fences"}},
                               indexed_hash=first.content_hash)
    assert isinstance(retitled, PreparedReading) and retitled.title == "Fences"
    path.write_bytes(bytes(range(256)) * 4)
    broken = prepare_reading(path, "fences", path.stat(), course="default", sidecar={})
    assert isinstance(broken, Unreadable) and broken.forget
    assert "binary" in broken.warning
