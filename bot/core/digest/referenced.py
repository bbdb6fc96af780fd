"""The passages and readings the discussion turned on.

A message references a passage when the readings matcher finds it quoted or cited in the
text; a question put to the bot references the passage it was answered with, unless the asker
marked the answer not helpful.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.digest.conversations import Conversations
from bot.core.digest.display import preview
from bot.core.digest.loading import LogMessage
from bot.core.digest.model import (
    PassageInfo,
    PassageStats,
    ReadingsMatcher,
    Reference,
    ReferenceKind,
)

# Shorter messages are chatter, not quotations or citations: the matcher is not asked about
# them, which is most of what keeps a term's digest fast.
MIN_REFERENCE_WORDS = 5


@dataclass(frozen=True, slots=True)
class ReferenceUse:
    """One reference made by someone (a user id; None: anonymous) somewhere (a conversation)."""

    reference: Reference
    author: str | None
    conversation: str | None


def collect_references(
    humans: Sequence[LogMessage],
    convs: Conversations,
    queries: Sequence[dict[str, Any]],
    matcher: ReadingsMatcher | None,
    words: dict[str, int],
) -> list[ReferenceUse]:
    """Every reference in the discussion: messages first, in order, then bot answers."""
    if matcher is None:
        return []
    return [*_in_messages(humans, convs, matcher, words), *_in_bot_answers(queries, matcher)]


def _in_messages(
    humans: Sequence[LogMessage],
    convs: Conversations,
    matcher: ReadingsMatcher,
    words: dict[str, int],
) -> list[ReferenceUse]:
    # The same text (a pasted quote, a repeated "see Keohane 1984") is matched once.
    cache: dict[str, Sequence[Reference]] = {}
    uses = []
    for m in humans:
        if words[m.id] < MIN_REFERENCE_WORDS:
            continue
        key = " ".join(m.content.split())
        found = cache.get(key)
        if found is None:
            found = cache[key] = tuple(matcher.references(m.content))
        conv = convs.home(m)
        uses += [ReferenceUse(ref, m.author_id, conv) for ref in _once_each(found)]
    return uses


def _once_each(found: Iterable[Reference]) -> list[Reference]:
    """One message counts once per passage (or once per reading when no passage is known)."""
    out: dict[tuple[str, str | None], Reference] = {}
    for ref in found:
        out.setdefault((ref.reading_id, ref.passage_id), ref)
    return list(out.values())


def _in_bot_answers(
    queries: Iterable[dict[str, Any]], matcher: ReadingsMatcher
) -> list[ReferenceUse]:
    uses = []
    for q in queries:
        if q["kind"] not in ("ask", "quote") or q["feedback"] == "not_helpful":
            continue
        results = result_ids(q["results"])
        info = matcher.describe(results[0]) if results else None
        if info is not None:
            uses.append(ReferenceUse(Reference(info.reading_id, info.passage_id, ReferenceKind.BOT),
                                     q["user_id"], q["channel_id"]))
    return uses


def result_ids(raw: str | None) -> list[str]:
    """The passage ids a bot query returned, best first (a logged JSON list)."""
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def passage_stats(
    uses: Sequence[ReferenceUse], matcher: ReadingsMatcher | None
) -> list[PassageStats]:
    """Each passage referenced, the most referenced first."""
    grouped: dict[str, list[ReferenceUse]] = defaultdict(list)
    for use in uses:
        if use.reference.passage_id is not None:
            grouped[use.reference.passage_id].append(use)
    out = [_passage(pid, items, matcher) for pid, items in grouped.items()]
    out.sort(key=lambda p: (-p.references, p.passage_id))
    return out


def _passage(pid: str, uses: list[ReferenceUse], matcher: ReadingsMatcher | None) -> PassageStats:
    fallback = uses[0].reference.reading_id  # a passage no longer in the index: no text
    info = (matcher.describe(pid) if matcher else None) or PassageInfo(pid, fallback, fallback, "")
    kinds = Counter(u.reference.how for u in uses)
    return PassageStats(
        passage_id=pid,
        reading_id=info.reading_id,
        reading=info.reading,
        text=preview(info.text, 400),
        location=info.location,
        references=len(uses),
        quotes=kinds.get(ReferenceKind.QUOTE, 0),
        citations=kinds.get(ReferenceKind.CITE, 0),
        bot_answers=kinds.get(ReferenceKind.BOT, 0),
        threads=len({u.conversation for u in uses if u.conversation}),
        participants=len({u.author for u in uses if u.author}),
    )


def readings_referenced(
    uses: Iterable[ReferenceUse], matcher: ReadingsMatcher | None
) -> list[dict[str, Any]]:
    """Each reading referenced (through any of its passages, or as a whole), the most first."""
    counts: Counter[str] = Counter(u.reference.reading_id for u in uses)
    return [
        {
            "reading_id": rid,
            "title": matcher.reading_title(rid) if matcher else rid,
            "references": n,
        }
        for rid, n in counts.most_common()
    ]


def passages_by_conversation(
    uses: Iterable[ReferenceUse], passages: Iterable[PassageStats]
) -> dict[str, list[dict[str, Any]]]:
    """conversation id -> the passages referenced there, the most referenced first."""
    reading_of = {p.passage_id: p.reading for p in passages}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for use in uses:
        if use.conversation is not None and use.reference.passage_id is not None:
            counts[use.conversation][use.reference.passage_id] += 1
    return {
        conv: [{"passage_id": pid, "reading": reading_of.get(pid, ""), "references": n}
               for pid, n in by_passage.most_common()]
        for conv, by_passage in counts.items()
    }
