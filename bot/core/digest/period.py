"""The period a digest covers, and the course's clock: `--since` / `--until` as an instructor
types them, read in the course's time zone (SEMINAR_TIMEZONE).

The log stores UTC; a course lives in local time. A bare date means that local calendar day
(`--until 2026-11-07` is up to local midnight after it), per-day activity counts local days, and
every time a digest shows is local, with the zone stated. Comparisons with the log are made in
UTC (`iso`), so the stored text compares as time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.digest.model import DigestError
from bot.core.models import DigestOptions

_SPAN_RE = re.compile(r"^(\d+)\s*([dw])$", re.IGNORECASE)


def zone(name: str | None) -> tzinfo:
    """An IANA time zone by name (None: UTC); a name that is not one is the user's mistake."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DigestError(
            f"{name!r} is not a time zone: use an IANA name such as America/New_York."
        ) from None


def parse_bound(
    value: str | None, *, end: bool, now: datetime | None = None, tz: tzinfo = UTC
) -> datetime | None:
    """A --since/--until value as an aware datetime in `tz`; a bare date at --until means
    its end (local midnight after it); a time without an offset is local time."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    span = _SPAN_RE.match(text)
    if span:
        days = int(span.group(1)) * (7 if span.group(2).lower() == "w" else 1)
        return ((now or datetime.now(UTC)) - timedelta(days=days)).astimezone(tz)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end:
                day += timedelta(days=1)
            return datetime(day.year, day.month, day.day, tzinfo=tz)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DigestError(
            f"{value!r} is not a date: use YYYY-MM-DD, an ISO date-time, or a span like 7d or 2w."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


@dataclass(slots=True)
class Clock:
    """Log times (UTC ISO text) as the course's local time; cached, as a term has 100k
    messages but few distinct minutes."""

    tz: tzinfo
    name: str
    _local: dict[str, datetime] = field(default_factory=dict)

    def local(self, stamp: str) -> datetime:
        key = stamp[:16]
        found = self._local.get(key)
        if found is None:
            moment = datetime.fromisoformat(stamp)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            found = self._local[key] = moment.astimezone(self.tz).replace(second=0, microsecond=0)
        return found

    def day(self, stamp: str) -> date:
        return self.local(stamp).date()

    def show(self, stamp: str | None) -> str | None:
        """A stored time as local ISO with its offset (what the digest's records carry)."""
        if not stamp:
            return stamp
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.tz).isoformat(timespec="seconds")

    def label(self, at: datetime) -> str:
        """"America/New_York (UTC-05:00)": the zone and its offset at `at`."""
        offset = at.astimezone(self.tz).strftime("%z")
        return f"{self.name} (UTC{offset[:3]}:{offset[3:]})" if offset else self.name


@dataclass(frozen=True, slots=True)
class Period:
    since: datetime | None  # inclusive, local; None: from the first message logged
    until: datetime | None  # exclusive, local; None: up to now
    timezone: str = "UTC"

    @classmethod
    def of(cls, opts: DigestOptions, now: datetime) -> Period:
        name = opts.timezone or "UTC"
        tz = zone(name)
        since = parse_bound(opts.since, end=False, now=now, tz=tz)
        until = parse_bound(opts.until, end=True, now=now, tz=tz)
        if since and until and since >= until:
            raise DigestError("--since must be before --until.")
        return cls(since, until, name)

    def clock(self) -> Clock:
        return Clock(zone(self.timezone), self.timezone)

    def as_dict(self) -> dict[str, str | None]:
        def local(moment: datetime | None) -> str | None:
            return moment.isoformat(timespec="seconds") if moment else None

        return {"since": local(self.since), "until": local(self.until), "timezone": self.timezone}
