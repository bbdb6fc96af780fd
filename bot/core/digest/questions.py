"""What counts as a question, and when it was answered.

- A question is a message with a "?" outside links, code and quoted lines. A question by staff
  (an instructor or TA) is a prompt to the class: listed apart, never "unanswered".
- A question is answered, by someone other than its author and not a bot, when a later message
  (in a thread: any later one; in a channel: within ANSWER_WINDOW, which keeps a term's digest
  fast and an answer near its question)
  1. replies to it (an explicit reply, at any time), or
  2. quotes it (a "> ..." line holding its words), or
  3. mentions its author ("@Alice", `<@id>`) in the same conversation within ANSWER_WINDOW,
     and is not itself a question, or
  4. is the next substantive message in its thread, or, in a channel, the next substantive
     message by someone else within ANSWER_WINDOW that is not itself a question or a reply to
     another message;
  or when its author got a bot answer there afterwards that was confident (or marked helpful)
  and not marked unhelpful.
- Not substantive: a bare acknowledgement ("+1", "thanks", "same", "agree with Bob", "lol"),
  emoji or punctuation only. "Yes", "no", "here" are answers.
The rule that answered a question is its `reason` (shown per question in the JSON), with the
answering message in `answered_by`.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.digest.conversations import Conversations
from bot.core.digest.display import Display, preview
from bot.core.digest.loading import LogMessage
from bot.core.digest.model import Question
from bot.core.digest.referenced import BOT_ANSWER_KINDS, bot_answer_counts
from bot.core.textnorm import fold

_STRIP_FOR_QUESTION = re.compile(
    r"https?://\S+|`{3}.*?`{3}|`[^`\n]*`|^\s*(?:>|&gt;).*$", re.MULTILINE | re.DOTALL
)
_QUOTE_LINE = re.compile(r"^\s*(?:>|&gt;)\s?(.+)$", re.MULTILINE)
_TOKEN = re.compile(r"[\w+]+")
ANSWER_WINDOW = timedelta(hours=3)
# Words of a bare acknowledgement, and the small words that go with them.
ACKNOWLEDGEMENTS = frozenset(
    "+1 1 agree agreed same thanks thank thx ty tysm lol lmao haha hahaha ok okay k kk nice "
    "cool great awesome true this exactly indeed ditto +100 lgtm wow omg interesting".split()
)
FILLER = frozenset("i me you so much a lot all everyone guys too with to for and the it that "
                   "very really also same as what said".split())
# Short words that do answer a question.
ANSWERS = frozenset("yes no yep nope yeah nah sure here present maybe correct right wrong "
                    "both neither".split())


def is_question(text: str) -> bool:
    if "?" not in text and "¿" not in text:
        return False
    stripped = _STRIP_FOR_QUESTION.sub(" ", text)
    return "?" in stripped or "¿" in stripped


def is_substantive(text: str, names: Collection[str] = ()) -> bool:
    """More than an acknowledgement: "+1 agree with Bob" is not, "Yes" and "p. 12" are."""
    tokens = [fold(t) for t in _TOKEN.findall(text)]
    words = [t for t in tokens if t not in names]
    if not words:
        return False
    if any(w in ANSWERS for w in words):
        return True
    return not all(w in ACKNOWLEDGEMENTS or w in FILLER for w in words)


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
    """Every question in the log, oldest first, each marked answered (with the reason) or not;
    staff's questions are prompts."""
    answers = _Answers(humans, convs, queries, display)
    found = []
    for m in humans:
        if not is_question(m.content):
            continue
        conv_id = convs.home(m)  # a question that opened a thread belongs to that thread
        prompt = display.is_staff(m.author_id)
        reason, by = answers.why(m, conv_id)
        found.append(Asked(m, Question(
            message_id=m.id,
            text=display.text(preview(m.content)),
            author=display.name(m.author_id),
            author_id=display.user_id(m.author_id),
            created_at=m.created_at,
            answered=by is not None,
            channel_id=conv_id,
            kind="prompt" if prompt else "question",
            reason=reason,
            answered_by=by,
        )))
    return found


def by_conversation(asked: Iterable[Asked]) -> dict[str, list[Question]]:
    grouped: dict[str, list[Question]] = defaultdict(list)
    for a in asked:
        grouped[a.question.channel_id].append(a.question)
    return grouped


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


class _Answers:
    """Who replied to, quoted or mentioned what, and which bot answers count where."""

    def __init__(
        self,
        humans: Sequence[LogMessage],
        convs: Conversations,
        queries: Iterable[dict[str, Any]],
        display: Display,
    ) -> None:
        self._convs = convs
        self._display = display
        self._times: dict[str, list[str]] = {}
        self._replies_to: dict[str, list[LogMessage]] = defaultdict(list)
        for m in humans:
            if m.reply_to:
                self._replies_to[m.reply_to].append(m)
        self._bot: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
        for q in queries:
            if (q["kind"] in BOT_ANSWER_KINDS and q["user_id"] and q["channel_id"]
                    and bot_answer_counts(q)):
                self._bot[(q["user_id"], q["channel_id"])].append((q["created_at"], q["id"]))
        self._names = {f for m in humans if m.author_name for f in fold(m.author_name).split()}

    def why(self, q: LogMessage, conv_id: str) -> tuple[str, str | None]:
        """(the rule that answered `q`, the answering message) or ("no answer", None)."""
        for r in self._replies_to.get(q.id, ()):
            if _someone_else(r, q):
                return "reply", r.id
        later = self._later(q, conv_id)
        asked_at = _time(q.created_at)
        for m in later:
            if self._quotes(m, q):
                return "quote", m.id
            if (_time(m.created_at) - asked_at <= ANSWER_WINDOW and not is_question(m.content)
                    and self._display.mentions(m.content, q.author_id)):
                return "mention", m.id
        found = (self._next_in_thread(q, later) if self._convs.is_thread(conv_id)
                 else self._next_in_channel(q, later))
        if found is not None:
            return ("next in thread" if self._convs.is_thread(conv_id) else "next in channel"), found
        bot = self._bot_answer(q, conv_id)
        if bot is not None:
            return "bot answer", f"bot:{bot}"
        return "no answer", None

    def _later(self, q: LogMessage, conv_id: str) -> list[LogMessage]:
        """Later messages by others: the rest of a thread, or a channel's next ANSWER_WINDOW
        (found by bisection: a term's channel holds tens of thousands of messages)."""
        msgs = self._convs.messages.get(conv_id, [])
        times = self._times.get(conv_id)
        if times is None:
            times = self._times[conv_id] = [m.created_at for m in msgs]
        start = bisect.bisect_left(times, q.created_at)
        end = len(msgs)
        if not self._convs.is_thread(conv_id):
            until = (_time(q.created_at) + ANSWER_WINDOW).isoformat()
            end = bisect.bisect_right(times, until, lo=start)
        return [m for m in msgs[start:end] if _someone_else(m, q)]

    def _quotes(self, m: LogMessage, q: LogMessage) -> bool:
        asked = " ".join(fold(q.content).split())
        for line in _QUOTE_LINE.findall(m.content):
            quoted = " ".join(fold(line).split())
            if len(quoted) >= 8 and quoted in asked:
                return True
        return False

    def _next_in_thread(self, q: LogMessage, later: list[LogMessage]) -> str | None:
        for m in later:
            if is_substantive(m.content, self._names):
                return m.id
        return None

    def _next_in_channel(self, q: LogMessage, later: list[LogMessage]) -> str | None:
        asked_at = _time(q.created_at)
        for m in later:
            if _time(m.created_at) - asked_at > ANSWER_WINDOW:
                return None
            if m.reply_to and m.reply_to != q.id:
                continue  # part of another exchange
            if not is_substantive(m.content, self._names):
                continue
            return None if is_question(m.content) else m.id
        return None

    def _bot_answer(self, q: LogMessage, conv_id: str) -> int | None:
        for cid in dict.fromkeys((q.channel_id, conv_id)):
            for at, query_id in self._bot.get((q.author_id, cid), ()):
                if at[:19] >= q.created_at[:19]:
                    return query_id
        return None


def _someone_else(m: LogMessage, q: LogMessage) -> bool:
    """`m` is another person's message (not a bot's, not the question itself)."""
    return not m.is_bot and m.author_id != q.author_id and m is not q
