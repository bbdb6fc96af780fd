"""Activity over the period: messages and active participants per day, or per ISO week when
the period is too long to chart day by day."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from bot.core.digest.loading import LogMessage
from bot.core.digest.model import ActivityBucket
from bot.core.digest.period import Period

# A period longer than this is charted per ISO week instead of per day.
MAX_DAILY_SPAN = 45


def activity(humans: Sequence[LogMessage], period: Period) -> tuple[str, list[ActivityBucket]]:
    """("day" | "week", one bucket per day or week of the period, empty ones included)."""
    if not humans:
        return "day", []
    start, end = _span(humans, period)
    weekly = (end - start).days + 1 > MAX_DAILY_SPAN

    def bucket(day: date) -> date:
        return day - timedelta(days=day.weekday()) if weekly else day

    counts: Counter[date] = Counter()
    people: dict[date, set[str]] = defaultdict(set)
    day_cache: dict[str, date] = {}  # a term has 100k messages but only ~140 distinct days
    for m in humans:
        key = m.created_at[:10]
        day = day_cache.get(key)
        if day is None:
            day = day_cache[key] = bucket(date.fromisoformat(key))
        counts[day] += 1
        people[day].add(m.author_id)
    out = []
    cursor = bucket(start)
    step = timedelta(days=7 if weekly else 1)
    while cursor <= end:
        out.append(ActivityBucket(cursor.isoformat(), counts.get(cursor, 0), len(people[cursor])))
        cursor += step
    return ("week" if weekly else "day"), out


def _span(humans: Sequence[LogMessage], period: Period) -> tuple[date, date]:
    """The first and last day to chart: the period's, widened to every message's day."""
    first = date.fromisoformat(humans[0].created_at[:10])
    last = date.fromisoformat(humans[-1].created_at[:10])
    start = period.since.date() if period.since else first
    end = (period.until - timedelta(microseconds=1)).date() if period.until else last
    return min(start, first), max(end, last)
