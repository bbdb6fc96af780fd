"""Fixtures shared by every test: the bundled sample course, the shared readings (skipped when
absent), and a service over a fresh database file per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.core.service import SeminarService

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def knowledge_dir() -> Path:
    return KNOWLEDGE


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "readings").is_dir():
        pytest.skip("../shared is not here; the bundled readings cover the same behaviour")
    return SHARED


@pytest.fixture(scope="session")
def shared_readings(shared_dir: Path) -> Path:
    return shared_dir / "readings"


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator:
    services: list[SeminarService] = []

    def make(readings: Path, db: Path | None = None) -> SeminarService:
        service = SeminarService(db or tmp_path / "seminar.db", readings)
        service.ensure_all()
        services.append(service)
        return service

    yield make
    for service in services:
        service.close()


@pytest.fixture
def course_of(tmp_path: Path, make_service) -> Callable[[dict[str, str]], SeminarService]:
    """A service over a readings folder holding exactly the given files (name -> text)."""

    def make(files: dict[str, str]) -> SeminarService:
        folder = tmp_path / "readings"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return make_service(folder, tmp_path / "test.db")

    return make


@pytest.fixture
def sample_service(make_service, knowledge_dir: Path) -> SeminarService:
    return make_service(knowledge_dir)


@pytest.fixture(scope="module")
def shared_service(tmp_path_factory, shared_readings: Path) -> Iterator[SeminarService]:
    service = SeminarService(tmp_path_factory.mktemp("shared") / "seminar.db", shared_readings)
    service.ensure_all()
    yield service
    service.close()


@pytest.fixture
def courses_file(tmp_path: Path) -> Path:
    """A SEMINAR_COURSES file naming a second course, "ethics" (guild 900, one reading in
    tmp_path/ethics), beside the default one."""
    ethics = tmp_path / "ethics"
    ethics.mkdir()
    (ethics / "virtue.md").write_text("# Habit\n\nVirtue is acquired by habit.\n", encoding="utf-8")
    path = tmp_path / "courses.toml"
    path.write_text('[courses.ethics]\nreadings = "ethics"\nguilds = ["900"]\n', encoding="utf-8")
    return path
