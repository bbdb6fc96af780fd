"""What counts as a question, and when it was answered.

- a question is a message with a "?" outside links, code and quoted lines;
- a question in a thread is answered when someone else wrote in the thread after it; a question
  in a channel is answered when someone else replied to it or in a thread started from it; any
  question is also answered when its author later got a bot answer they marked helpful there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.digest.conversations import Conversations
from bot.core.digest.display import Display, preview
from bot.core.digest.loading import LogMessage
from bot.core.digest.model import Question

_STRIP_FOR_QUESTION = re.compile(
    r"https?://\S+|`{3}.*?`{3}|`[^`\n]*`|^\s*>.*$", re.MULTILINE | re.DOTALL
)


def is_question(text: str) -> bool:
    if "?" not in text and "¿" not in text:
        return False
    stripped = _STRIP_FOR_QUESTION.sub(" ", text)
    return "?" in stripped or "¿" in stripped


@dataclass(frozen=True, slots=True)
class Asked:
    """A question, with the message it was asked in (whose author the counts go to)."""

    message: LogMessage
    question: Question


def find_questions(
    humans: Sequence[LogMessage],
    convs: Conversations,
    queries: Iterable[dict[str, Any]],
    display: Display,
) -> list[Asked]:
    """Every question in the log, oldest first, each marked answered or not."""
    answers = _Answers(humans, convs, queries)
    found = []
    for m in humans:
        if not is_question(m.content):
            continue
        conv_id = convs.home(m)  # a question that opened a thread belongs to that thread
        found.append(Asked(m, Question(
            message_id=m.id,
            text=display.text(preview(m.content)),
            author=display.name(m.author_id),
            author_id=display.user_id(m.author_id),
            created_at=m.created_at,
            answered=answers.answered(m, conv_id),
            channel_id=conv_id,
        )))
    return found


def by_conversation(asked: Iterable[Asked]) -> dict[str, list[Question]]:
    grouped: dict[str, list[Question]] = defaultdict(list)
    for a in asked:
        grouped[a.question.channel_id].append(a.question)
    return grouped


class _Answers:
    """Who replied to what, and which bot answers were marked helpful where."""

    def __init__(
        self,
        humans: Sequence[LogMessage],
        convs: Conversations,
        queries: Iterable[dict[str, Any]],
    ) -> None:
        self._convs = convs
        self._replies_to: dict[str, list[LogMessage]] = defaultdict(list)
        for m in humans:
            if m.reply_to:
                self._replies_to[m.reply_to].append(m)
        self._helpful: dict[tuple[str, str], list[str]] = defaultdict(list)
        for q in queries:
            if q["feedback"] == "helpful" and q["user_id"] and q["channel_id"]:
                self._helpful[(q["user_id"], q["channel_id"])].append(q["created_at"])

    def answered(self, q: LogMessage, conv_id: str) -> bool:
        # A channel question a thread was started from belongs to that thread (`home`), so
        # "someone answered in the thread" is the thread rule.
        if self._convs.is_thread(conv_id):
            by_others = self._later_in_thread(q, conv_id)
        else:
            by_others = self._replied_to(q)
        return by_others or self._helpful_bot_answer(q, conv_id)

    def _later_in_thread(self, q: LogMessage, thread_id: str) -> bool:
        later = (m for m in self._convs.messages[thread_id] if m.created_at >= q.created_at)
        return any(_someone_else(m, q) for m in later)

    def _replied_to(self, q: LogMessage) -> bool:
        return any(r.author_id != q.author_id for r in self._replies_to.get(q.id, ()))

    def _helpful_bot_answer(self, q: LogMessage, conv_id: str) -> bool:
        return any(
            t >= q.created_at
            for cid in {q.channel_id, conv_id}
            for t in self._helpful.get((q.author_id, cid), ())
        )


def _someone_else(m: LogMessage, q: LogMessage) -> bool:
    """`m` is another person's message (not a bot's, not the question itself)."""
    return not m.is_bot and m.author_id != q.author_id and m is not q
