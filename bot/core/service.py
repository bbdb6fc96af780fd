"""`SeminarService`: the whole API the adapters (CLI, console, Discord, Slack) see.

It owns the database and the mapping from a platform scope (a Discord guild, a Slack team, the
CLI or the console) to a course, and hands each surface a `CourseScope`: one course as one
scope sees it, so no lookup can fall back on another server's course. Methods are synchronous
and safe to call from worker threads: async adapters call the read side through
`asyncio.to_thread` and await the futures the write side returns (`asyncio.wrap_future`) so
the event loop never waits on SQLite or on ranking.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.core.digest.compute import build_digest
from bot.core.digest.matcher import IndexMatcher
from bot.core.digest.model import Digest
from bot.core.digest.render import digest_files, render_csv_tables
from bot.core.errors import DatabaseUnavailable, InvalidQuery, NotConfigured, NotFound
from bot.core.log import answers, discussion, imports, retention
from bot.core.log.catchup import CatchUp, HistorySource
from bot.core.models import (
    DEFAULT_COURSE,
    Answer,
    CatchUpReport,
    ChannelInfo,
    CiteResult,
    DigestFile,
    DigestOptions,
    ImportReport,
    IndexReport,
    LoggedMessage,
    Passage,
    PurgeReport,
    QuoteHit,
    QuoteResult,
    Reading,
    RepairReport,
    StoredQuery,
    clean_text,
)
from bot.core.readings import refresh
from bot.core.readings import store as index
from bot.core.references import store as references
from bot.core.references.styles import how_to_cite
from bot.core.search import cite, quotes
from bot.core.search.ask import Searcher
from bot.core.storage import repair
from bot.core.storage.database import Database

ProgressCallback = refresh.Progress  # (file name, files read, files to read)
T = TypeVar("T")

MAX_QUESTION_CHARS = 2_000
# Surfaces on the machine itself, used by whoever runs the bot: they work on the default course
# (or, given a server's id, that server's course) without being configured.
LOCAL_PLATFORMS = frozenset({"cli", "console"})
# Where a server is configured, per platform: what NotConfigured tells its users to ask for.
_CONFIGURE = {
    "discord": "its id in DISCORD_GUILD_IDS or in a course's `guilds` in SEMINAR_COURSES",
    "slack": "its team id in a course's `guilds` in SEMINAR_COURSES",
}


class SeminarService:
    def __init__(
        self,
        db: Database | str | Path,
        courses: Mapping[str, Path] | Path | str,
        *,
        guild_courses: Mapping[str, str] | None = None,
        timezone: str = "UTC",
        staff: Sequence[str] = (),
    ) -> None:
        self.db = db if isinstance(db, Database) else Database(db)
        # Digests' defaults (SEMINAR_TIMEZONE, SEMINAR_STAFF), for options that leave them out.
        self.timezone = timezone
        self.staff = tuple(staff)
        if isinstance(courses, (str, Path)):
            courses = {DEFAULT_COURSE: Path(courses)}
        self.courses: dict[str, Path] = {cid: Path(p) for cid, p in courses.items()}
        self.guild_courses = dict(guild_courses or {})
        self.db.migrate()
        self._searchers: dict[str, Searcher] = {}
        self.event_patience = 0.0
        self._catch_up = CatchUp(self.db, patience=lambda: self.event_patience)

    def close(self) -> None:
        self.db.close()

    # -- courses ---------------------------------------------------------------------------

    def course_for(self, platform: str, scope_id: str | int | None) -> str:
        """The course a Discord guild, a Slack team or a local surface ("cli", "console") is
        taught in: the one place that decides it. A server no course names, and that was not
        admitted to the default course (`serve`), gets nothing: `NotConfigured`. Only the
        local surfaces fall back on the default course."""
        if scope_id is not None and str(scope_id) in self.guild_courses:
            return self.guild_courses[str(scope_id)]
        if platform not in LOCAL_PLATFORMS:
            where = _CONFIGURE.get(platform, "it in SEMINAR_COURSES")
            raise NotConfigured(
                f"This server is not set up for Seminar Bot (its id is {scope_id}); whoever runs "
                f"the bot can add {where}."
            )
        return self._default_course()

    def serve_default(self, scope_ids: Iterable[str | int]) -> None:
        """Serve these servers with the default course unless a course already names them:
        what DISCORD_GUILD_IDS says, and the Slack workspace the bot's token belongs to."""
        for scope_id in scope_ids:
            self.guild_courses.setdefault(str(scope_id), self._default_course())

    def _default_course(self) -> str:
        return DEFAULT_COURSE if DEFAULT_COURSE in self.courses else next(iter(self.courses))

    def scope(self, platform: str, scope_id: str | int | None) -> CourseScope:
        """Everything one guild/team (or the CLI, `scope_id` None) may ask, bound to its course."""
        guild = None if scope_id is None else str(scope_id)
        return CourseScope(self, platform, guild, self.course_for(platform, scope_id))

    def _folder(self, course: str) -> Path:
        try:
            return self.courses[course]
        except KeyError:
            raise NotFound(f"No course called {course!r}") from None

    # -- the readings index ----------------------------------------------------------------

    def ensure_index(
        self,
        course: str,
        *,
        rebuild: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IndexReport:
        """Bring the index up to date with the readings folder, touching only what changed.
        Files are read and cleaned here, in the caller's thread; each reading is then stored in
        a short write of its own, so asks and logging go on during a rebuild."""
        folder = self._folder(course)
        report = refresh.refresh(
            self.db, folder=folder, course=course, rebuild=rebuild, progress=progress
        )
        if report.indexed or report.removed or rebuild:
            self._searchers.pop(course, None)
        return report

    def ensure_all(self, *, progress: ProgressCallback | None = None) -> dict[str, IndexReport]:
        """Every configured course brought up to date: what a running bot serves."""
        return {c: self.ensure_index(c, progress=progress) for c in self.courses}

    def new_warnings(self, course: str, warnings: Sequence[str]) -> list[str]:
        """Of an index report's warnings, those not shown before (each is then remembered as
        shown): a file the bot cannot read is said once, not before every answer."""
        with self.db.read() as conn:  # nothing new: nothing written (a read-only file works)
            if not set(warnings) - index.shown_warnings(conn, course):
                return []
        try:
            return self.db.run(
                partial(index.unshown_warnings, course=course, warnings=list(warnings)))
        except DatabaseUnavailable:  # cannot remember them (read-only, locked): show them all
            return list(dict.fromkeys(warnings))

    def readings(self, course: str) -> list[Reading]:
        with self.db.read() as conn:
            return index.list_readings(conn, course)

    def reference_labels(self, course: str) -> list[str]:
        """What `cite` can look up: "Surname Year" for every reference-list entry."""
        with self.db.read() as conn:
            return references.reference_labels(conn, course)

    def reference_counts(self, course: str) -> dict[str, int]:
        """How many reference-list entries each reading's list was parsed into, by reading id."""
        with self.db.read() as conn:
            return references.reference_counts(conn, course)

    def passage(
        self, passage_id: str, *, course: str, context: int = 1
    ) -> tuple[Passage, Reading, list[Passage]]:
        """A passage, its reading and up to `context` neighbours on each side, in order."""
        with self.db.read() as conn:
            found = index.get_passage(conn, passage_id.strip(), course)
            if found is None:
                raise NotFound(f"No passage with id {passage_id!r}; ids look like 'reading-p12'.")
            passage, reading = found
            return passage, reading, index.neighbours(conn, passage, context)

    def _searcher(self, course: str) -> Searcher:
        searcher = self._searchers.get(course)
        if searcher is None:
            searcher = Searcher(self.db, course)
            self._searchers[course] = searcher
        return searcher

    def ask(
        self,
        question: str,
        *,
        course: str,
        top: int = 5,
        reading: str | None = None,
    ) -> Answer:
        question = check_query(question)
        reading_id = self.resolve_reading(reading, course=course) if reading else None
        return self._searcher(course).ask(question, top=max(1, min(top, 25)), reading=reading_id)

    def resolve_reading(self, name: str, *, course: str) -> str:
        """A reading id from an id, a title or a fragment of either."""
        return index.resolve_reading(self.readings(course), name)

    # -- the discussion log (writes go through the single writer) ---------------------------

    def retry_events_for(self, seconds: float) -> None:
        """How long the discussion log's event writes (messages, edits, deletions, reactions,
        threads, catch-up pages) wait while another program holds the database's lock: a
        running bot waits minutes rather than drop an event (SEMINAR_BUSY_RETRY_SECONDS).
        Commands someone waits for do not: they fail after SQLite's busy timeout, clearly."""
        self.event_patience = max(0.0, seconds)

    def _event(self, op: Callable[[sqlite3.Connection], T]) -> Future[T]:
        return self.db.write(op, patience=self.event_patience)

    def record_messages(self, messages: Iterable[LoggedMessage]) -> Future[int]:
        return self._event(partial(discussion.store_messages, messages=list(messages)))

    def record_edit(
        self,
        message_id: str,
        *,
        content: str | None,
        edited_at: str | None,
        reactions: int | None = None,
        guild_id: str | None = None,
    ) -> Future[bool]:
        return self._event(
            partial(
                discussion.store_edit,
                message_id=message_id,
                content=content,
                edited_at=edited_at,
                reactions=reactions,
                guild_id=guild_id,
            )
        )

    def record_deletes(
        self, message_ids: Iterable[str], *, guild_id: str | None = None
    ) -> Future[int]:
        return self._event(
            partial(discussion.mark_deleted, message_ids=list(message_ids), guild_id=guild_id)
        )

    def record_channel(self, info: ChannelInfo, *, event: str | None = None) -> Future[None]:
        return self._event(partial(discussion.store_channel, info=info, event=event))

    def bump_reactions(
        self,
        message_id: str,
        delta: int | None,
        *,
        user_id: str | None = None,
        guild_id: str | None = None,
    ) -> Future[bool]:
        return self._event(
            partial(discussion.bump_reactions, message_id=message_id, delta=delta,
                    user_id=user_id, guild_id=guild_id)
        )

    def set_logged_channel(
        self, guild_id: str, channel_id: str, *, on: bool, by: str | None = None
    ) -> Future[None]:
        return self.db.write(
            partial(discussion.set_logged_channel, guild_id=guild_id, channel_id=channel_id,
                    on=on, by=by)
        )

    def set_optout(self, guild_id: str, user_id: str, *, out: bool) -> Future[None]:
        return self.db.write(
            partial(discussion.set_optout, guild_id=guild_id, user_id=user_id, out=out)
        )

    def erase_user(self, user_id: str, guild_id: str | None = None) -> Future[int]:
        """A student's `/privacy erase`: everything of theirs gone (WAL emptied too), and a
        tombstone so nothing of it comes back."""
        return self.db.write(
            partial(discussion.erase_user, user_id=user_id, guild_id=guild_id, reason="erase"),
            checkpoint=True,
        )

    def record_feedback(self, query_id: int, *, helpful: bool) -> Future[bool]:
        return self.db.write(
            partial(discussion.record_feedback, query_id=query_id, helpful=helpful)
        )

    async def catch_up(self, source: HistorySource) -> CatchUpReport:
        """What was said in `source`'s logged channels while the bot was away, stored and
        reconciled (bot.core.log.catchup); one catch-up at a time."""
        return await self._catch_up.run(source)

    # -- the discussion log (reads) ---------------------------------------------------------

    def logged_channels(self, guild_id: str) -> list[str]:
        with self.db.read() as conn:
            return discussion.logged_channels(conn, guild_id)

    def is_opted_out(self, guild_id: str, user_id: str) -> bool:
        with self.db.read() as conn:
            return discussion.is_opted_out(conn, guild_id, user_id)

    def known_channels(self, guild_id: str) -> list[ChannelInfo]:
        with self.db.read() as conn:
            return discussion.known_channels(conn, guild_id)

    def count_messages(self, guild_id: str, author_id: str) -> int:
        with self.db.read() as conn:
            return discussion.count_messages(conn, guild_id, author_id)

    # -- citations and quotes --------------------------------------------------------------

    def cite(self, query: str, *, course: str) -> CiteResult:
        """The entry a loose reference names ("krasnr soverignty") and the passages citing it."""
        query = cite.check_cite_query(clean_text(query))
        searcher = self._searcher(course)
        with self.db.read() as conn:
            return cite.lookup(conn, query, course, searcher.readings(conn))

    def quote(self, text: str, *, course: str, top: int = 3) -> QuoteResult:
        """Where a possibly misremembered quote comes from, with the span as printed."""
        text = quotes.check_quote(clean_text(text))
        searcher = self._searcher(course)
        with self.db.read() as conn:
            passages = quotes.candidate_passages(conn, text, course, searcher.vocabulary())
            readings = searcher.readings(conn)
        found = quotes.find_quote(text, [(p.id, p.text) for p in passages],
                                  top=max(1, min(top, 10)))
        by_id = {p.id: p for p in passages}
        hits = tuple(QuoteHit(m, by_id[m.passage_id], readings[by_id[m.passage_id].reading_id])
                     for m in found)
        return QuoteResult(text, hits, bool(hits) and hits[0].match.score >= quotes.CONFIDENT_SCORE)

    def how_to_cite(self, passage_id: str, *, course: str) -> dict[str, str]:
        """APA and Chicago references to the reading a passage is from, with its page."""
        passage, reading, _ = self.passage(passage_id, course=course, context=0)
        return how_to_cite(reading, passage.page)

    # -- digests, imports, retention (instructor tools over the discussion log) -------------

    def digest(self, opts: DigestOptions, *, course: str) -> Digest:
        """Who took part and how, questions (un)answered, passages the discussion turned on
        (`course`: whose readings the passages are looked up in)."""
        with self.db.read() as conn:
            return build_digest(self.db, opts, matcher=IndexMatcher(conn, course))

    def digest_files(
        self, opts: DigestOptions, fmt: str = "md", *, course: str
    ) -> list[DigestFile]:
        """The digest rendered as files (bytes + file names): what `/digest` attaches."""
        with self.db.read() as conn:
            return digest_files(self.db, opts, fmt, matcher=IndexMatcher(conn, course))

    def digest_tables(
        self, opts: DigestOptions, tables: Sequence[str], *, course: str
    ) -> list[DigestFile]:
        """Some tables of the digest, one CSV file each (`DIGEST_TABLES` names them)."""
        with self.db.read() as conn:
            digest = build_digest(self.db, opts, matcher=IndexMatcher(conn, course))
        return render_csv_tables(digest, tables)

    def import_discord_export(
        self,
        paths: Iterable[str | Path],
        *,
        staff: Collection[str] = (),
        progress: imports.Progress | None = None,
    ) -> ImportReport:
        """DiscordChatExporter files, folders or zips; `staff`: instructors' and TAs' ids."""
        return imports.import_discord_exports(self.db, paths, staff=staff, progress=progress)

    def import_slack_export(
        self,
        path: str | Path,
        *,
        team: str | None = None,
        staff: Collection[str] = (),
        progress: imports.Progress | None = None,
    ) -> ImportReport:
        return imports.import_slack_export(self.db, path, team=team, staff=staff,
                                           progress=progress)

    def purge(self, older_than: int | str) -> PurgeReport:
        """Delete what was logged before an age: days, or text like "180d", "26w", "1y"."""
        days = retention.parse_age(older_than) if isinstance(older_than, str) else older_than
        return retention.purge(self.db, days)

    def apply_retention(self, retention_days: int | None) -> PurgeReport | None:
        """The daily job the running bot schedules with `Settings.retention_days`."""
        return retention.apply_retention(self.db, retention_days)

    def forget(self, user_id: str, guild_id: str | None = None) -> int:
        return retention.forget(self.db, user_id, guild_id)


def repair_database(path: str | Path) -> RepairReport | None:
    """Check a database file and, if it is damaged, rebuild it without losing the log
    (bot.core.storage.repair); None when it is sound. The index it leaves is empty: the
    caller re-indexes the readings. Call it before any `SeminarService` opens the file."""
    return repair.repair_if_damaged(Path(path))


class CourseScope:
    """One course as one Discord guild, Slack team or local surface sees it: what a surface
    asks for its users goes through here, so the course (and, for the log, the guild) is never
    left to the caller."""

    def __init__(
        self, service: SeminarService, platform: str, guild_id: str | None, course: str
    ) -> None:
        self.service = service
        self.platform = platform
        self.guild_id = guild_id  # None: the CLI, over the whole database
        self.course = course

    def __repr__(self) -> str:
        return f"CourseScope({self.platform!r}, {self.guild_id!r}, course={self.course!r})"

    # -- the readings ----------------------------------------------------------------------

    def ensure_index(
        self, *, rebuild: bool = False, progress: ProgressCallback | None = None
    ) -> IndexReport:
        return self.service.ensure_index(self.course, rebuild=rebuild, progress=progress)

    def new_warnings(self, warnings: Sequence[str]) -> list[str]:
        return self.service.new_warnings(self.course, warnings)

    def readings(self) -> list[Reading]:
        return self.service.readings(self.course)

    def reference_labels(self) -> list[str]:
        return self.service.reference_labels(self.course)

    def reference_counts(self) -> dict[str, int]:
        return self.service.reference_counts(self.course)

    def resolve_reading(self, name: str) -> str:
        return self.service.resolve_reading(name, course=self.course)

    def reading(self, name: str) -> Reading:
        """The reading an id, a title or a fragment of either names."""
        readings = self.readings()  # read once, for the match and the answer
        wanted = index.resolve_reading(readings, name)
        return next(r for r in readings if r.id == wanted)

    def is_passage_id(self, text: str) -> bool:
        """Whether `text` looks like one of this course's passage ids ("reading-p12")."""
        text = text.strip()
        return bool(text) and " " not in text and any(
            r.id and text.startswith(r.id + "-") for r in self.readings()
        )

    def passage(
        self, passage_id: str, *, context: int = 1
    ) -> tuple[Passage, Reading, list[Passage]]:
        return self.service.passage(passage_id, course=self.course, context=context)

    def ask(self, question: str, *, top: int = 5, reading: str | None = None) -> Answer:
        return self.service.ask(question, course=self.course, top=top, reading=reading)

    def cite(self, query: str) -> CiteResult:
        return self.service.cite(query, course=self.course)

    def quote(self, text: str, *, top: int = 3) -> QuoteResult:
        return self.service.quote(text, course=self.course, top=top)

    def how_to_cite(self, passage_id: str) -> dict[str, str]:
        return self.service.how_to_cite(passage_id, course=self.course)

    # -- what was asked, and digests of this scope's discussion ----------------------------

    def record_query(
        self,
        *,
        kind: str,
        query: str,
        results: Sequence[str],
        channel_id: str | None = None,
        user_id: str | None = None,
        confident: bool | None = None,
        shown: Mapping[str, Any] | None = None,
    ) -> Future[int]:
        """Store a question; with `shown` (presentation.shown_record), what its answer showed,
        so its buttons can rebuild it later (`stored_query`)."""
        record = partial(discussion.record_query, guild_id=self.guild_id or self.platform,
                         kind=kind, query=query, results=results, channel_id=channel_id,
                         user_id=user_id, confident=confident)

        def op(conn: sqlite3.Connection) -> int:
            query_id = record(conn)
            if shown is not None:
                answers.store_shown(conn, query_id, shown)
            return query_id

        return self.service.db.write(op)

    def stored_query(self, query_id: int) -> StoredQuery:
        """A question of this scope as stored, with the passages its answer showed; NotFound
        when it was erased or purged (or belongs to another server)."""
        with self.service.db.read() as conn:
            row = answers.load_query(conn, query_id)
            if row is None or row["guild_id"] != (self.guild_id or self.platform):
                raise NotFound("That answer is no longer stored; ask the question again.")
            shown = json.loads(row["shown"]) if row["shown"] else None
            passages = {}
            for card in (shown or {}).get("cards", []):
                found = index.get_passage(conn, card["passage"], self.course)
                if found is not None:
                    passages[card["passage"]] = found
        return StoredQuery(row["id"], row["guild_id"], row["user_id"], row["kind"], row["query"],
                           shown, passages)

    def record_feedback(self, query_id: int, *, helpful: bool) -> Future[bool]:
        return self.service.record_feedback(query_id, helpful=helpful)

    def digest(self, opts: DigestOptions) -> Digest:
        return self.service.digest(self._own(opts), course=self.course)

    def digest_files(self, opts: DigestOptions, fmt: str = "md") -> list[DigestFile]:
        return self.service.digest_files(self._own(opts), fmt, course=self.course)

    def digest_tables(self, opts: DigestOptions, tables: Sequence[str]) -> list[DigestFile]:
        return self.service.digest_tables(self._own(opts), tables, course=self.course)

    def _own(self, opts: DigestOptions) -> DigestOptions:
        """The options limited to this scope's guild (the CLI's scope: the whole database),
        in the course's time zone and with its configured staff unless the options say."""
        return replace(opts, guild_id=self.guild_id,
                       timezone=opts.timezone or self.service.timezone,
                       staff=(*self.service.staff, *opts.staff))


def check_text(kind: str, text: str | None) -> str:
    """The check `ask`, `cite` or `quote` makes of what was typed, for a surface that checks
    before it acknowledges (on Discord an error before a public defer stays private)."""
    checks: dict[str, Callable[[str], str]] = {
        "ask": check_query, "cite": cite.check_cite_query, "quote": quotes.check_quote,
    }
    return checks[kind](text or "")


def check_query(text: str | None) -> str:
    """Reject what cannot be searched, and trim what is too long to be a question."""
    cleaned = " ".join(clean_text(text or "").split())
    if not cleaned:
        raise InvalidQuery("The question is empty: type what you want to find in the readings.")
    if not any(ch.isalnum() for ch in cleaned):
        raise InvalidQuery("The question has no words in it, only punctuation.")
    return cleaned[:MAX_QUESTION_CHARS]
