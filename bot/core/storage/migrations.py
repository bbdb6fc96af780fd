"""The schema's history: ordered migrations, each applied once, counted by `PRAGMA user_version`.

SQLite keeps `user_version`, an integer, in the file's header (0 in a new file); here it is the
number of migrations the database has had. `migrate` runs the ones it lacks, in order, in one
transaction on the writer thread (`Database.migrate`, the one way a file is set up), so a database
is at one version or the next, never between, and a crash halfway leaves it as it was. A database
newer than this code is refused with a clear message rather than half understood.

Adding a migration (a new column, table or index):
1. write `def v2_what_it_adds(conn)` below, running its statements with `conn.execute` one at a
   time (`executescript` would commit halfway; `statements()` splits a script) and, where old
   rows need a value, an UPDATE that fills it;
2. append it to `MIGRATIONS`: its position is its version;
3. describe the change in docs/database.md, and test it on a database at the previous version
   (tests/core/test_migrations.py upgrades the fixture made by the unversioned code).
Never edit, reorder or remove a migration that has shipped: databases out there already ran it.

Version 0 with tables in it is a database made before versions existed (up to commit 616450a).
Migration 1 is exactly the schema that code created, every statement `IF NOT EXISTS`, so it adopts
such a file in place with all its data (SQLite stores the statements without the `IF NOT EXISTS`,
so an adopted file and a new one have the same schema, to the byte).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

from bot.core.errors import DatabaseUnavailable

Migration = Callable[[sqlite3.Connection], None]

# Tables every Seminar Bot database has had: a version-0 file with tables, none of these among
# them, is another program's.
OWN_TABLES = frozenset({"readings", "passages", "messages", "bot_queries", "settings"})
# The discussion log and its privacy state: they exist nowhere else (the index tables are
# rebuilt from the readings), so a repair carries them over (bot.core.storage.repair), in this
# order (a message before its edits).
LOG_TABLES = (
    "messages", "message_edits", "channels", "channel_events", "logged_channels", "optouts",
    "optout_messages", "bot_queries", "settings", "people", "tombstones", "catchup_points",
)

INITIAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS [readings] (
   [course] TEXT,
   [id] TEXT,
   [title] TEXT,
   [authors] TEXT,
   [year] TEXT,
   [path] TEXT,
   [format] TEXT,
   [content_hash] TEXT,
   [size] INTEGER,
   [mtime_ns] INTEGER,
   [pipeline] TEXT,
   [indexed_at] TEXT,
   [passages] INTEGER,
   [text] TEXT,
   PRIMARY KEY ([course], [id])
);

CREATE TABLE IF NOT EXISTS [passages] (
   [rowid] INTEGER PRIMARY KEY,
   [course] TEXT,
   [id] TEXT,
   [reading_id] TEXT,
   [kind] TEXT,
   [section] TEXT,
   [paragraph] INTEGER,
   [page] INTEGER,
   [start] INTEGER,
   [end] INTEGER,
   [label] TEXT,
   [parent_id] TEXT,
   [note_ids] TEXT,
   [text] TEXT
);

CREATE UNIQUE INDEX IF NOT EXISTS [idx_passages_course_id]
    ON [passages] ([course], [id]);

CREATE INDEX IF NOT EXISTS [idx_passages_course_reading_id]
    ON [passages] ([course], [reading_id]);

CREATE VIRTUAL TABLE IF NOT EXISTS [passages_fts] USING FTS5 (
    [text], [section],
    tokenize='porter unicode61 remove_diacritics 2',
    content=[passages]
);

CREATE TRIGGER IF NOT EXISTS [passages_ai] AFTER INSERT ON [passages] BEGIN
  INSERT INTO [passages_fts] (rowid, [text], [section]) VALUES (new.rowid, new.[text], new.[section]);
END;

CREATE TRIGGER IF NOT EXISTS [passages_ad] AFTER DELETE ON [passages] BEGIN
  INSERT INTO [passages_fts] ([passages_fts], rowid, [text], [section]) VALUES('delete', old.rowid, old.[text], old.[section]);
END;

CREATE TRIGGER IF NOT EXISTS [passages_au] AFTER UPDATE ON [passages] BEGIN
  INSERT INTO [passages_fts] ([passages_fts], rowid, [text], [section]) VALUES('delete', old.rowid, old.[text], old.[section]);
  INSERT INTO [passages_fts] (rowid, [text], [section]) VALUES (new.rowid, new.[text], new.[section]);
END;

CREATE TABLE IF NOT EXISTS reading_terms (  -- one reading's share of course_terms
            course TEXT NOT NULL, reading_id TEXT NOT NULL, terms TEXT NOT NULL,
            PRIMARY KEY (course, reading_id));

CREATE TABLE IF NOT EXISTS course_terms (
            course TEXT NOT NULL, term TEXT NOT NULL, df INTEGER NOT NULL, spaced TEXT,
            PRIMARY KEY (course, term)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS [bib_entries] (
   [course] TEXT,
   [id] TEXT,
   [reading_id] TEXT,
   [position] INTEGER,
   [number] INTEGER,
   [authors] TEXT,
   [keys] TEXT,
   [year] TEXT,
   [title] TEXT,
   [container] TEXT,
   [pages] TEXT,
   [url] TEXT,
   [raw] TEXT,
   PRIMARY KEY ([course], [id])
);

CREATE INDEX IF NOT EXISTS [idx_bib_entries_course_reading_id]
    ON [bib_entries] ([course], [reading_id]);

CREATE TABLE IF NOT EXISTS [citations] (
   [id] INTEGER PRIMARY KEY,
   [course] TEXT,
   [reading_id] TEXT,
   [passage_id] TEXT,
   [kind] TEXT,
   [text] TEXT,
   [authors] TEXT,
   [year] TEXT,
   [locator] TEXT,
   [start] INTEGER,
   [end] INTEGER,
   [number] INTEGER,
   [entry_id] TEXT,
   [note_id] TEXT
);

CREATE INDEX IF NOT EXISTS [idx_citations_course_entry_id]
    ON [citations] ([course], [entry_id]);

CREATE INDEX IF NOT EXISTS [idx_citations_course_reading_id]
    ON [citations] ([course], [reading_id]);

CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,            -- platform message id: Discord snowflake, Slack "channel:ts"
    platform TEXT NOT NULL,         -- discord | slack | console
    guild_id TEXT NOT NULL,         -- Discord guild id or Slack team id: nothing crosses it
    channel_id TEXT NOT NULL,       -- the channel, or the thread/forum post the message is in
    parent_id TEXT,                 -- the thread's parent channel, NULL outside threads
    author_id TEXT NOT NULL,
    author_name TEXT,
    author_is_bot INTEGER NOT NULL DEFAULT 0,
    content TEXT,
    created_at TEXT NOT NULL,       -- ISO 8601, UTC
    edited_at TEXT,
    reply_to TEXT,                  -- id of the message this one answers
    attachments TEXT NOT NULL DEFAULT '[]',  -- JSON [{"name", "url"}]
    reactions INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT,
    source TEXT NOT NULL DEFAULT 'live'      -- live | backfill | import | console
);

CREATE INDEX IF NOT EXISTS messages_channel ON messages(guild_id, channel_id, created_at);

CREATE INDEX IF NOT EXISTS messages_author ON messages(guild_id, author_id);

CREATE INDEX IF NOT EXISTS messages_created ON messages(guild_id, created_at);

CREATE TABLE IF NOT EXISTS message_edits (  -- earlier versions of edited messages
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    guild_id TEXT NOT NULL,
    content TEXT,
    replaced_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS message_edits_message ON message_edits(message_id);

CREATE TABLE IF NOT EXISTS channels (       -- channels, threads and forum posts seen
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    guild_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT,
    kind TEXT NOT NULL DEFAULT 'channel',   -- channel | thread | forum_post
    created_at TEXT,
    archived INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT
);

CREATE TABLE IF NOT EXISTS channel_events ( -- thread create/update/archive history
    id INTEGER PRIMARY KEY,
    guild_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE IF NOT EXISTS logged_channels ( -- which channels an instructor asked us to log
    guild_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    added_by TEXT,
    added_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE IF NOT EXISTS optouts (
    guild_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE IF NOT EXISTS optout_messages ( -- anonymous: a hash of the id, no author, no text
    guild_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    message_key TEXT NOT NULL,
    created_at TEXT,
    PRIMARY KEY (guild_id, message_key)
);

CREATE TABLE IF NOT EXISTS bot_queries (     -- questions put to the bot, and their feedback
    id INTEGER PRIMARY KEY,
    guild_id TEXT NOT NULL,
    channel_id TEXT,
    user_id TEXT,
    kind TEXT NOT NULL,             -- ask | cite | quote
    query TEXT NOT NULL,
    results TEXT NOT NULL DEFAULT '[]',  -- JSON list of passage ids shown, best first
    created_at TEXT NOT NULL,
    feedback TEXT,                  -- helpful | not_helpful
    feedback_at TEXT
);

CREATE INDEX IF NOT EXISTS bot_queries_guild ON bot_queries(guild_id, created_at);

CREATE TABLE IF NOT EXISTS settings (   -- small per-database values (secrets, schedules)
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


def statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, one at a time (trigger bodies hold `;` of their own)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:80]!r}")


def v1_initial_schema(conn: sqlite3.Connection) -> None:
    """The readings index, references, the discussion log and settings, as of commit 616450a."""
    for statement in statements(INITIAL_SCHEMA):
        conn.execute(statement)


def v2_roles_people_confidence(conn: sqlite3.Connection) -> None:
    """Who is staff, who is called what, and whether a bot answer was confident (issue 15).

    - `messages.author_role`: the author's role when the message was logged (`staff` for an
      instructor or TA: Discord's instructor role or Manage Server, Slack's instructor group,
      an import's `--staff`; NULL for a student or unknown). Old rows stay NULL.
    - `people`: every name form a platform told us for a person (display name, username,
      nickname, real name), so mentions are shown as names and `--anonymize` can replace each
      form; filled by imports (users.json, export authors and mentions).
    - `bot_queries.confident`: 1/0 whether the bot's answer was confident; NULL for queries
      logged before this version (they count as answers only when marked helpful).
    """
    conn.execute("ALTER TABLE messages ADD COLUMN author_role TEXT")
    conn.execute("ALTER TABLE bot_queries ADD COLUMN confident INTEGER")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS people (  -- name forms per person, for mentions and --anonymize\n"
        "    guild_id TEXT NOT NULL,\n"
        "    user_id TEXT NOT NULL,\n"
        "    display TEXT,                   -- the name to show\n"
        "    names TEXT NOT NULL DEFAULT '[]',  -- JSON: every name form seen, sorted\n"
        "    role TEXT,                      -- staff | NULL\n"
        "    updated_at TEXT NOT NULL,\n"
        "    PRIMARY KEY (guild_id, user_id)\n"
        ")"
    )


def v3_answers_remember_what_they_showed(conn: sqlite3.Connection) -> None:
    """`bot_queries.shown`: what an answer showed (each card's passage, the words in bold, its
    score; whether it was confident and what it suggested), as JSON, so its buttons can
    rebuild it after a restart. Older rows have none: their buttons say to ask again."""
    conn.execute("ALTER TABLE bot_queries ADD COLUMN shown TEXT")


LOG_INTEGRITY_SCHEMA = """
CREATE TABLE tombstones (              -- what was removed, and never what it said
    id INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,              -- deleted | forget | erase | optout | retention
    guild_id TEXT,                     -- the guild/team it holds in; NULL: every one
    message_key TEXT,                  -- one message: sha256 of "message:" + its id
    author_key TEXT,                   -- one person: sha256 of "author:" + their id
    since TEXT,                        -- with author_key: from this created_at (NULL: the start)
    until TEXT,                        -- with author_key, or retention: before this created_at
    created_at TEXT,                   -- with message_key: the message's time, when known
    at TEXT NOT NULL                   -- when it was removed
);

CREATE UNIQUE INDEX tombstones_message ON tombstones(message_key) WHERE message_key IS NOT NULL;

CREATE INDEX tombstones_author ON tombstones(author_key) WHERE author_key IS NOT NULL;

CREATE INDEX tombstones_retention ON tombstones(until) WHERE reason = 'retention';

CREATE TABLE catchup_points (          -- how far each channel's and thread's history is caught up
    platform TEXT NOT NULL,
    guild_id TEXT NOT NULL,
    place_id TEXT NOT NULL,            -- a channel, a thread or a forum post
    parent_id TEXT,                    -- a thread's channel
    cursor TEXT,                       -- the newest message stored with everything before it
    cursor_at TEXT,                    -- its created_at: the next catch-up re-reads from a
                                       -- window before it
    checked_at TEXT,                   -- when its last catch-up finished
    failures INTEGER NOT NULL DEFAULT 0,  -- catch-ups that failed since the last that did not
    error TEXT,                        -- why the last one failed (no message text)
    PRIMARY KEY (platform, guild_id, place_id)
);

ALTER TABLE channels ADD COLUMN owner_id TEXT;  -- who named it: a thread's or forum post's author
"""


def v4_log_integrity(conn: sqlite3.Connection) -> None:
    """Tombstones (erasure, retention and deletions that every later store checks), durable
    catch-up points per channel and thread, and who wrote a thread's title (issue 14)."""
    for statement in statements(LOG_INTEGRITY_SCHEMA):
        conn.execute(statement)


def v5_printed_pages_and_reading_metadata(conn: sqlite3.Connection) -> None:
    """Passages cite the page number printed on the paper, readings carry their full metadata.

    `passages.page` held the PDF page index (an INTEGER column): it becomes `pdf_page`, and a
    new TEXT `page` holds the page to cite, the printed label ("101", "xii"), else the index.
    Rows indexed before keep their index as the page to cite until re-indexed (the pipeline
    version that came with this re-indexes every reading once). `readings` gains the journal
    or book (`container`), `volume`, `issue`, `pages` ("95-102"), `doi` and `page_labels`
    (JSON: per PDF page the printed label or null)."""
    conn.execute("ALTER TABLE passages RENAME COLUMN page TO pdf_page")
    conn.execute("ALTER TABLE passages ADD COLUMN page TEXT")
    conn.execute("UPDATE passages SET page = CAST(pdf_page AS TEXT) WHERE pdf_page IS NOT NULL")
    for column in ("container", "volume", "issue", "pages", "doi", "page_labels"):
        conn.execute(f"ALTER TABLE readings ADD COLUMN {column} TEXT")


def v6_reference_fields(conn: sqlite3.Connection) -> None:
    """Reference-list entries keep every field the parser reads: the authors' full names (JSON,
    one per surname in `authors`, as printed where given names are), volume, issue, DOI, and
    whether the names are a volume's editors. Old rows get empty values; the pipeline version
    (bot.core.readings.prepare) re-indexes their readings, which fills them."""
    for column, kind, default in (
        ("author_names", "TEXT", "'[]'"),
        ("volume", "TEXT", "NULL"),
        ("issue", "TEXT", "NULL"),
        ("doi", "TEXT", "NULL"),
        ("editors", "INTEGER", "0"),
    ):
        conn.execute(f"ALTER TABLE [bib_entries] ADD COLUMN [{column}] {kind} DEFAULT {default}")


MIGRATIONS: tuple[Migration, ...] = (
    v1_initial_schema,
    v2_roles_people_confidence,
    v3_answers_remember_what_they_showed,
    v4_log_integrity,
    v5_printed_pages_and_reading_metadata,
    v6_reference_fields,
)


def latest_version() -> int:
    return len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, path: str) -> int:
    """Apply the migrations `conn`'s database lacks; returns its version, now the latest.

    Opening an up-to-date file only reads its header, so it takes no write lock: a reader
    starting while another program writes is not kept waiting."""
    latest = latest_version()
    if _checked_version(conn, path) == latest:
        return latest
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _checked_version(conn, path)  # another process may have migrated meanwhile
        if version == 0:
            _refuse_a_stranger(conn, path)
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            migration(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return latest


def _checked_version(conn: sqlite3.Connection, path: str) -> int:
    version, latest = schema_version(conn), latest_version()
    if version > latest:
        raise DatabaseUnavailable(
            f"The database was made by a newer Seminar Bot (schema version {version}; this one "
            f"knows versions up to {latest}). Upgrade the bot to use it.",
            path=path,
        )
    return version


def _refuse_a_stranger(conn: sqlite3.Connection, path: str) -> None:
    """No version and tables, none of them ours: another program's file, not to be written."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and not tables & OWN_TABLES:
        raise DatabaseUnavailable(
            "The database file belongs to another program (it has tables, none of them Seminar "
            "Bot's). Point SEMINAR_DB or --db at the bot's own file, or at a new one.",
            path=path,
        )
