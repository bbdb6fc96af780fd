"""Threads and channels: which conversation each message belongs to, and what each one held.

A thread is a channel of kind thread/forum_post, or any channel whose messages have a parent.
Its messages are those posted in it plus the message it was started from: a Discord thread
started from a message, and a Slack thread root, share the thread's id, but the starter sits
in the parent channel.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.digest.display import Display, preview
from bot.core.digest.loading import LogMessage
from bot.core.digest.model import ConversationStats, Question

THREAD_KINDS = ("thread", "forum_post")


@dataclass(slots=True)
class Conversations:
    by_id: dict[str, LogMessage]
    thread_ids: set[str]
    messages: dict[str, list[LogMessage]]  # conversation id -> its messages, bots' included
    starters: dict[str, LogMessage]  # thread id -> the message the thread was started from
    opened_by: dict[str, LogMessage]  # thread id -> its first human message

    def home(self, m: LogMessage) -> str:
        """The conversation a message speaks in: a thread's starter belongs to its thread."""
        return m.id if m.id in self.starters else m.channel_id

    def is_thread(self, conversation_id: str) -> bool:
        return conversation_id in self.thread_ids


def group_conversations(
    messages: Sequence[LogMessage], channels: Mapping[str, sqlite3.Row]
) -> Conversations:
    by_id = {m.id: m for m in messages}
    thread_ids = _thread_ids(messages, channels)
    grouped: dict[str, list[LogMessage]] = defaultdict(list)
    for m in messages:
        grouped[m.channel_id].append(m)
    starters = {tid: by_id[tid] for tid in thread_ids if tid in by_id}
    for tid, starter in starters.items():
        if starter.channel_id != tid:
            grouped[tid].insert(0, starter)
    opened_by = {
        tid: first
        for tid in thread_ids
        if (first := next((m for m in grouped.get(tid, ()) if not m.is_bot), None)) is not None
    }
    return Conversations(by_id, thread_ids, grouped, starters, opened_by)


def _thread_ids(messages: Sequence[LogMessage], channels: Mapping[str, sqlite3.Row]) -> set[str]:
    return {cid for cid, c in channels.items() if c["kind"] in THREAD_KINDS} | {
        m.channel_id for m in messages if m.parent_id
    }


def summarize(
    convs: Conversations,
    humans: Sequence[LogMessage],
    channels: Mapping[str, sqlite3.Row],
    display: Display,
    questions: Mapping[str, list[Question]],
    passages: Mapping[str, list[dict[str, Any]]],
) -> tuple[list[ConversationStats], list[ConversationStats]]:
    """(threads, oldest first; top-level channels, busiest first), each with its questions and
    the passages referenced in it."""

    def stats(cid: str, kind: str) -> ConversationStats:
        return _conversation(cid, kind, convs, channels, display,
                             questions.get(cid, []), passages.get(cid, []))

    threads = [
        stats(tid, channels[tid]["kind"] if tid in channels else "thread")
        for tid in convs.thread_ids
        if any(not m.is_bot for m in convs.messages.get(tid, ()))
    ]
    threads.sort(key=lambda t: (t.first_message or "", t.id))
    top_ids = {m.channel_id for m in humans if not convs.is_thread(m.channel_id)}
    top = [stats(cid, "channel") for cid in sorted(top_ids)]
    top.sort(key=lambda c: (-c.messages, c.name))
    return threads, top


def _conversation(
    cid: str,
    kind: str,
    convs: Conversations,
    channels: Mapping[str, sqlite3.Row],
    display: Display,
    questions: list[Question],
    passages: list[dict[str, Any]],
) -> ConversationStats:
    msgs = [m for m in convs.messages.get(cid, ()) if not m.is_bot]
    row = channels.get(cid)
    participants = dict.fromkeys(display.name(m.author_id) for m in msgs)
    return ConversationStats(
        id=cid,
        name=display.text(_name(cid, row, msgs)),
        kind=kind,
        parent=_parent_name(row, msgs, channels),
        messages=len(msgs),
        participants=list(participants),
        first_message=msgs[0].created_at if msgs else None,
        last_message=msgs[-1].created_at if msgs else None,
        questions=questions,
        passages=passages,
    )


def _name(cid: str, row: sqlite3.Row | None, msgs: list[LogMessage]) -> str:
    """The channel's name; a thread logged without one is named by its opening words."""
    if row is not None and row["name"]:
        return str(row["name"])
    return preview(msgs[0].content, 60) if msgs else cid


def _parent_name(
    row: sqlite3.Row | None, msgs: list[LogMessage], channels: Mapping[str, sqlite3.Row]
) -> str | None:
    parent = row["parent_id"] if row is not None else (msgs[0].parent_id if msgs else None)
    parent_row = channels.get(parent) if parent else None
    return parent_row["name"] if parent_row is not None and parent_row["name"] else parent
