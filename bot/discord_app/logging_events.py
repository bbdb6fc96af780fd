"""Discord objects and raw gateway payloads turned into the core's log records.

Only shapes are translated here; what is stored, and what an opt-out hides, is decided by
bot.core.log.discussion so every platform obeys the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import discord

from bot.core.models import STAFF_ROLE, Attachment, ChannelInfo, LoggedMessage, log_time
from bot.discord_app.checks import is_staff_member

PLATFORM: Final = "discord"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else log_time(moment)


def iso_text(raw: str | None) -> str | None:
    """A gateway timestamp ("2026-11-23T00:45:43.123000+00:00") in the log's format."""
    return iso(datetime.fromisoformat(raw)) if raw else None


def parent_of(channel: Any) -> int | None:
    return getattr(channel, "parent_id", None) if isinstance(channel, discord.Thread) else None


def author_role(author: discord.User | discord.Member, instructor_role: str | None) -> str | None:
    """STAFF_ROLE for an instructor or TA when the message is logged: Manage Server, or the
    configured instructor role (name or id), as the instructor commands decide."""
    if not isinstance(author, discord.Member) or author.bot:
        return None
    return STAFF_ROLE if is_staff_member(author, instructor_role) else None


def from_message(
    message: discord.Message,
    *,
    parent_id: int | None,
    keep_content: bool = True,
    source: str = "live",
    instructor_role: str | None = None,
) -> LoggedMessage:
    """A logged row from a full message (live event or history)."""
    author = message.author
    ref = message.reference
    reply_to = ref.message_id if ref is not None and ref.channel_id == message.channel.id else None
    return LoggedMessage(
        id=str(message.id),
        platform=PLATFORM,
        guild_id=str(message.guild.id if message.guild else 0),
        channel_id=str(message.channel.id),
        parent_id=str(parent_id) if parent_id else None,
        author_id=str(author.id),
        author_name=author.display_name,
        author_is_bot=author.bot,
        content=message.content if keep_content else None,
        created_at=iso(message.created_at) or "",
        edited_at=iso(message.edited_at),
        reply_to=str(reply_to) if reply_to else None,
        attachments=tuple(Attachment(a.filename, a.url) for a in message.attachments),
        reactions=sum(r.count for r in message.reactions),
        source=source,
        author_role=author_role(author, instructor_role),
    )


def edit_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a MESSAGE_UPDATE payload says changed; absent keys stay None (partial payloads)."""
    reactions = data.get("reactions")
    return {
        "content": data.get("content") if "content" in data else None,
        "edited_at": iso_text(data.get("edited_timestamp")),
        "reactions": sum(int(r.get("count", 0)) for r in reactions) if reactions else None,
    }


def channel_info(thread: discord.Thread | discord.abc.GuildChannel) -> ChannelInfo:
    if isinstance(thread, discord.Thread):
        forum = isinstance(thread.parent, discord.ForumChannel) if thread.parent else False
        return ChannelInfo(
            id=str(thread.id),
            platform=PLATFORM,
            guild_id=str(thread.guild.id),
            name=thread.name,
            parent_id=str(thread.parent_id) if thread.parent_id else None,
            kind="forum_post" if forum else "thread",
            created_at=iso(thread.created_at or discord.utils.snowflake_time(thread.id)),
            archived=thread.archived,
            owner_id=str(thread.owner_id) if thread.owner_id else None,
        )
    return ChannelInfo(
        id=str(thread.id),
        platform=PLATFORM,
        guild_id=str(thread.guild.id),
        name=thread.name,
        kind="forum" if isinstance(thread, discord.ForumChannel) else "channel",
        created_at=iso(thread.created_at),
    )


def thread_update_info(payload: discord.RawThreadUpdateEvent, *, forum: bool) -> ChannelInfo:
    """A THREAD_UPDATE payload (the thread may be missing from the cache) as a channel row."""
    data = payload.data
    archived = bool(data.get("thread_metadata", {}).get("archived", False))
    owner = data.get("owner_id")
    return ChannelInfo(
        id=str(payload.thread_id),
        platform=PLATFORM,
        guild_id=str(payload.guild_id),
        name=data.get("name"),
        parent_id=str(payload.parent_id),
        kind="forum_post" if forum else "thread",
        created_at=iso(discord.utils.snowflake_time(payload.thread_id)),
        archived=archived,
        owner_id=str(owner) if owner else None,
    )
