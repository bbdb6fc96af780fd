"""The database stays available and honest: reads never wait for the write lock, re-indexing
leaves the writer free between readings, any file name works, a full disk is said so, and a
damaged file is repaired without losing the discussion log."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.errors import DatabaseDamaged, DatabaseUnavailable
from bot.core.models import LoggedMessage
from bot.core.readings import refresh
from bot.core.service import SeminarService, repair_database
from bot.core.storage import database

LOGGED = 3_000
DISCORD_EXPORT = Path(__file__).resolve().parent.parent / "fixtures" / "discord" / "seminar.json"


def logged_messages(count: int = LOGGED) -> list[LoggedMessage]:
    return [
        LoggedMessage(id=f"m{i}", platform="discord", guild_id="900", channel_id="100",
                      author_id=f"u{i % 30}", created_at=f"2026-11-0{1 + i % 9}T10:00:00+00:00",
                      content=f"message {i} about regimes and cooperation")
        for i in range(count)
    ]


@pytest.fixture
def course(tmp_path: Path, knowledge_dir: Path) -> Path:
    """The bundled readings, copied so a test may change them."""
    folder = tmp_path / "readings"
    shutil.copytree(knowledge_dir, folder)
    return folder


def test_a_path_with_hash_question_mark_and_percent_opens_that_file(
    tmp_path: Path, course: Path
) -> None:
    weird = tmp_path / "term #2 ? draft%20copy.db"
    service = SeminarService(weird, course)
    try:
        service.ensure_all()
        assert service.scope("cli", None).ask("Why do water treaties last?").hits
        service.record_messages(logged_messages(3)).result()
        assert service.count_messages("900", "u1") == 1  # read back through a file: URI
    finally:
        service.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == [weird.name]
    with closing(sqlite3.connect(weird)) as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 3


@pytest.fixture
def indexed(tmp_path: Path, course: Path) -> list[str]:
    base = ["--readings", str(course), "--db", str(tmp_path / "cli.db")]
    assert main([*base, "index"]) == 0
    return base


@pytest.fixture
def write_locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another process holds the write lock (as an `index` in another terminal does)."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(tmp_path / "cli.db")
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def test_read_only_commands_work_while_another_process_writes(
    indexed: list[str], write_locked: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    started = time.monotonic()
    for command in (["ask", "why do water treaties last"], ["readings"],
                    ["quote", "trust is built"], ["digest"]):
        assert main([*indexed, *command]) == 0, command
    assert time.monotonic() - started < 5
    assert "locked" not in capsys.readouterr().err


def test_a_stale_index_still_answers_while_another_process_writes(
    indexed: list[str], course: Path, write_locked: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (course / "extra.md").write_text("# New\n\nA reading added meanwhile.\n", encoding="utf-8")
    capsys.readouterr()
    assert main([*indexed, "ask", "why do water treaties last"]) == 0
    captured = capsys.readouterr()
    assert "water-treaties" in captured.out
    assert "could not be brought up to date" in captured.err


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make files and folders unwritable, for root too (`chattr +i`; root ignores modes)."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    if shutil.which("chattr") is None:
        pytest.skip("no way to make a file read-only for root here")
    made = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"chattr is not allowed here: {made.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_a_read_only_database_still_answers(
    tmp_path: Path, course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file and its folder cannot be written (a read-only volume, a TA's copy)."""
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "seminar.db"
    base = ["--readings", str(course), "--db", str(db)]
    assert main([*base, "index"]) == 0
    assert main([*base, "import", "discord-export", str(DISCORD_EXPORT)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["seminar.db"]  # closed cleanly
    capsys.readouterr()
    with read_only(db, folder):
        assert main([*base, "ask", "why do water treaties last"]) == 0
        assert "water-treaties" in capsys.readouterr().out
        assert main([*base, "digest"]) == 0
        assert "Reich chapter" in capsys.readouterr().out
        (course / "new.md").write_text("# New\n\nAdded since.\n", encoding="utf-8")
        assert main([*base, "readings"]) == 0  # a stale index: answered as it is, and said so
        assert "could not be brought up to date" in capsys.readouterr().err


def test_a_full_disk_during_indexing_is_said_so(tmp_path: Path, course: Path) -> None:
    service = SeminarService(tmp_path / "full.db", course)
    try:
        service.db.setup(lambda conn: conn.execute("PRAGMA max_page_count = 40"))
        with pytest.raises(DatabaseUnavailable, match="disk holding the database is full"):
            service.ensure_all()
        service.db.setup(lambda conn: conn.execute("PRAGMA max_page_count = 1000000"))
        service.ensure_all()  # room again: it indexes
        assert service.readings("default")
    finally:
        service.close()


def test_reindexing_leaves_the_writer_free_for_the_log(
    tmp_path: Path, course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a rebuild reads and cleans a file, a logged message is written at once."""
    service = SeminarService(tmp_path / "busy.db", course)
    service.ensure_all()
    reading, release = threading.Event(), threading.Event()
    real = refresh.prepare_reading

    def slow_file(*args: object, **kwargs: object) -> object:
        reading.set()
        release.wait(10)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh, "prepare_reading", slow_file)
    rebuild = threading.Thread(target=service.ensure_index, args=("default",),
                               kwargs={"rebuild": True})
    rebuild.start()
    try:
        assert reading.wait(10)
        assert service.record_messages(logged_messages(1)).result(timeout=2) == 1
        assert service.scope("cli", None).ask("why do water treaties last").hits
    finally:
        release.set()
        rebuild.join(30)
        service.close()


def damaged_service(tmp_path: Path, course: Path) -> Path:
    """A database with its index and 3,000 logged messages, checkpointed and closed."""
    path = tmp_path / "seminar.db"
    service = SeminarService(path, course)
    service.ensure_all()
    service.db.setup(lambda conn: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
    with closing(sqlite3.connect(path)) as conn:
        index_pages = conn.execute("PRAGMA page_count").fetchone()[0]
    service.record_messages(logged_messages()).result()
    service.close()
    assert not Path(f"{path}-wal").exists()  # all of it in the file
    (tmp_path / "index_pages").write_text(str(index_pages))
    return path


def wreck(path: Path, page_numbers: range, *, page_size: int = 4096) -> None:
    with path.open("r+b") as fh:
        for number in page_numbers:
            fh.seek((number - 1) * page_size + 8)
            fh.write(b"\xa5" * 600)


def messages_in(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])


def test_damage_in_the_index_is_rebuilt_and_the_log_kept(
    tmp_path: Path, course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = damaged_service(tmp_path, course)
    index_pages = int((tmp_path / "index_pages").read_text())
    wreck(path, range(index_pages - 6, index_pages - 1))  # pages of the readings index
    base = ["--readings", str(course), "--db", str(path)]
    capsys.readouterr()
    assert main([*base, "index", "--rebuild"]) == 0
    err = capsys.readouterr().err
    assert f"{LOGGED} messages" in err and "damaged-" in err
    assert messages_in(path) == LOGGED
    assert main([*base, "ask", "why do water treaties last"]) == 0
    assert [p for p in tmp_path.iterdir() if ".damaged-" in p.name]  # kept, untouched


def test_a_damaged_header_keeps_every_logged_message(
    tmp_path: Path, course: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = damaged_service(tmp_path, course)
    with path.open("r+b") as fh:
        fh.write(b"\x00" * 100)
    capsys.readouterr()
    assert main(["--readings", str(course), "--db", str(path), "index", "--rebuild"]) == 0
    assert messages_in(path) == LOGGED
    assert f"saved {LOGGED} messages" in capsys.readouterr().err


def test_damage_in_the_log_saves_what_can_be_read_and_says_what_cannot(
    tmp_path: Path, course: Path
) -> None:
    path = damaged_service(tmp_path, course)
    with closing(sqlite3.connect(path)) as conn:
        try:
            leaves = [r[0] for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf'"
                " ORDER BY pageno")]
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table to find the log's pages")
    middle = len(leaves) // 2
    wreck(path, range(leaves[middle], leaves[middle] + 1))  # one page of messages
    wreck(path, range(leaves[middle + 3], leaves[middle + 3] + 1))  # and another
    report = repair_database(path)
    assert report is not None and "messages" in report.incomplete
    saved = report.saved["messages"]
    assert LOGGED * 0.8 < saved < LOGGED and messages_in(path) == saved
    assert "could not be read" in report.summary()


def test_a_database_too_damaged_to_read_is_left_where_it_is(tmp_path: Path, course: Path) -> None:
    path = damaged_service(tmp_path, course)
    with path.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\xa5" * 3900)  # the table of tables itself
    before = path.read_bytes()
    with pytest.raises(DatabaseDamaged, match="left as it is"):
        repair_database(path)
    assert path.read_bytes() == before
