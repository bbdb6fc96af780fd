"""The period a digest covers: `--since` / `--until` as an instructor types them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.core.digest.model import DigestError
from bot.core.models import DigestOptions

_SPAN_RE = re.compile(r"^(\d+)\s*([dw])$", re.IGNORECASE)


def parse_bound(value: str | None, *, end: bool, now: datetime | None = None) -> datetime | None:
    """A --since/--until value as an aware UTC datetime; a bare date at --until means its end."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    span = _SPAN_RE.match(text)
    if span:
        days = int(span.group(1)) * (7 if span.group(2).lower() == "w" else 1)
        return (now or datetime.now(UTC)) - timedelta(days=days)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DigestError(
            f"{value!r} is not a date: use YYYY-MM-DD, an ISO date-time, or a span like 7d or 2w."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """The log's timestamp form, so a bound compares with stored `created_at` as text."""
    return moment.isoformat(timespec="seconds") if moment else None


@dataclass(frozen=True, slots=True)
class Period:
    since: datetime | None  # inclusive; None: from the first message logged
    until: datetime | None  # exclusive; None: up to now

    @classmethod
    def of(cls, opts: DigestOptions, now: datetime) -> Period:
        since = parse_bound(opts.since, end=False, now=now)
        until = parse_bound(opts.until, end=True, now=now)
        if since and until and since >= until:
            raise DigestError("--since must be before --until.")
        return cls(since, until)

    def as_dict(self) -> dict[str, str | None]:
        return {"since": iso(self.since), "until": iso(self.until)}
