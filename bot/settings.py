"""Typed settings, read once from the environment (and a `.env` file beside the project).

Every setting is listed in `.env.example`. Secrets have no default and never appear in a repr
or a log line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from bot.core.errors import SeminarError
from bot.core.models import DEFAULT_COURSE


class Secret(str):
    """A string that prints as asterisks, so a token cannot leak through logging or a repr."""

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:  # str(token) in an f-string or log line is masked too
        return "********"

    def reveal(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    readings: Path
    guilds: tuple[str, ...] = ()  # Discord guild ids and Slack team ids served by this course


@dataclass(frozen=True, slots=True)
class Settings:
    readings_dir: Path = Path("knowledge")
    db_path: Path = Path("seminar.db")
    discord_token: Secret | None = None
    discord_guild_ids: tuple[int, ...] = ()
    instructor_role: str | None = None  # a role name or id; Manage Server always counts
    owner_ids: tuple[int, ...] = ()
    slack_bot_token: Secret | None = None
    slack_app_token: Secret | None = None
    slack_instructor_group: str | None = None  # a Slack user group id (S...)
    # Instructors' and TAs' user ids (Discord or Slack), for imports and digests (SEMINAR_STAFF)
    staff_ids: tuple[str, ...] = ()
    timezone: str = "UTC"  # IANA name (SEMINAR_TIMEZONE): digest days, periods and times
    slack_log_channels: tuple[str, ...] = ()
    retention_days: int | None = None
    # How long a running bot's writes wait out another program's lock on the database before
    # an event is left to the next catch-up (the CLI does not wait beyond SQLite's 10 s).
    busy_retry_seconds: float = 600.0
    log_level: str = "INFO"
    # discord.py's and slack_sdk/slack_bolt's own loggers: INFO at most unless set (e.g.
    # DEBUG to debug the library); tokens and message text are scrubbed at any level.
    discord_log_level: str | None = None
    slack_log_level: str | None = None
    courses: tuple[Course, ...] = field(default=())

    def course_map(self) -> dict[str, Path]:
        """Course id -> readings folder; a single-course install uses the default course."""
        mapping = {c.id: c.readings for c in self.courses}
        mapping.setdefault(DEFAULT_COURSE, self.readings_dir)
        return mapping

    def guild_courses(self) -> dict[str, str]:
        return {guild: c.id for c in self.courses for guild in c.guilds}


def _secret(name: str) -> Secret | None:
    value = os.environ.get(name, "").strip()
    return Secret(value) if value else None


def _ids(name: str) -> tuple[int, ...]:
    raw = os.environ.get(name, "")
    try:
        return tuple(int(part) for part in raw.replace(";", ",").split(",") if part.strip())
    except ValueError as exc:
        raise SeminarError(f"{name} must be a comma-separated list of numeric ids") from exc


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError as exc:
        raise SeminarError(f"{name} must be a number of seconds") from exc


def load_courses(path: Path) -> tuple[Course, ...]:
    """Read `courses.toml`: `[courses.ID] readings = "dir"  guilds = ["123", "T0ABC"]`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SeminarError(f"Cannot read the courses file {path}: {exc}") from exc
    courses = []
    for cid, spec in (data.get("courses") or {}).items():
        if not isinstance(spec, dict) or "readings" not in spec:
            raise SeminarError(f"Course {cid!r} in {path} needs a `readings` folder")
        folder = Path(spec["readings"])
        if not folder.is_absolute():
            folder = path.parent / folder
        courses.append(Course(cid, folder, tuple(str(g) for g in spec.get("guilds", ()))))
    return tuple(courses)


def check_timezone(name: str) -> str:
    """An IANA time zone name ("Europe/Berlin"), checked now so a typo fails at start-up."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SeminarError(
            f"SEMINAR_TIMEZONE={name!r} is not a time zone: use an IANA name such as "
            "America/New_York or Europe/Berlin."
        ) from None
    return name


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    if env_file is not None:
        load_dotenv(env_file, override=False)
    env = os.environ
    retention = env.get("SEMINAR_RETENTION_DAYS", "").strip()
    courses_file = env.get("SEMINAR_COURSES", "").strip()
    courses = load_courses(Path(courses_file)) if courses_file else ()
    return Settings(
        # an empty value (`SEMINAR_DB=` in .env) keeps the default, as for every setting
        readings_dir=Path(env.get("SEMINAR_READINGS", "").strip() or "knowledge"),
        db_path=Path(env.get("SEMINAR_DB", "").strip() or "seminar.db"),
        discord_token=_secret("DISCORD_TOKEN"),
        discord_guild_ids=_ids("DISCORD_GUILD_IDS"),
        instructor_role=env.get("INSTRUCTOR_ROLE") or None,
        owner_ids=_ids("DISCORD_OWNER_IDS"),
        slack_bot_token=_secret("SLACK_BOT_TOKEN"),
        slack_app_token=_secret("SLACK_APP_TOKEN"),
        slack_instructor_group=env.get("SLACK_INSTRUCTOR_GROUP") or None,
        slack_log_channels=tuple(
            c.strip() for c in env.get("SLACK_LOG_CHANNELS", "").split(",") if c.strip()
        ),
        staff_ids=tuple(s.strip() for s in env.get("SEMINAR_STAFF", "").replace(";", ",").split(",")
                        if s.strip()),
        timezone=check_timezone(env.get("SEMINAR_TIMEZONE", "").strip() or "UTC"),
        retention_days=int(retention) if retention.isdigit() else None,
        busy_retry_seconds=_seconds("SEMINAR_BUSY_RETRY_SECONDS", 600.0),
        log_level=(env.get("SEMINAR_LOG_LEVEL", "").strip() or "INFO").upper(),
        discord_log_level=env.get("DISCORD_LOG_LEVEL") or None,
        slack_log_level=env.get("SLACK_LOG_LEVEL") or None,
        courses=courses,
    )
