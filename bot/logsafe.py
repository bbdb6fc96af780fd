"""Logging that cannot leak: tokens, interaction tokens and message text never reach a log line.

At DEBUG, discord.py logs every gateway payload (students' messages, opted-out ones included,
and each interaction's token), every REST URL (interaction callbacks and follow-ups carry the
interaction token in their path) and REST bodies; slack_sdk logs raw API responses. So:

- the platform libraries' loggers are capped at INFO unless DISCORD_LOG_LEVEL / SLACK_LOG_LEVEL
  ask for more (to debug the library itself);
- whatever the level, every record is scrubbed when it is created (a record factory, so no
  handler, pytest's included, ever sees the raw text): the configured tokens are masked
  wherever they appear, token-shaped strings (Discord bot tokens, Slack `xox*-`/`xapp-`,
  interaction and webhook tokens in URLs) too, and in structured payloads the fields that carry
  what people wrote (`content`, option `value`s, embeds, attachments, …) and `token` fields are
  replaced by their length. Ids, event names and status codes stay: enough to debug with.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.settings import Settings

MASK = "********"
# Payload fields holding what a person wrote, or a credential.
PRIVATE_KEYS = frozenset({
    "content", "value", "embeds", "attachments", "components", "message_snapshots", "poll",
    "text", "blocks", "title", "description", "fields", "query", "token", "access_token",
    "bot_token", "refresh_token", "client_secret", "authorization",
})
TOKEN_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # an interaction or webhook token in a URL path: /interactions/ID/TOKEN, /webhooks/ID/TOKEN
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.\-]{8,}"), r"\1" + MASK),
    # a Discord bot token: three base64url parts
    (re.compile(r"\b[A-Za-z\d_-]{20,}\.[A-Za-z\d_-]{5,7}\.[A-Za-z\d_-]{25,}\b"), MASK),
    (re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{6,}"), MASK),  # Slack tokens
    (re.compile(r"(['\"]?token['\"]?\s*[:=]\s*['\"])[^'\"]+"), r"\1" + MASK),
)
LIBRARIES = {"discord": "discord_log_level", "slack_sdk": "slack_log_level",
             "slack_bolt": "slack_log_level"}

_secrets: set[str] = set()
_installed = False


def scrub_text(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    for pattern, replacement in TOKEN_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub_data(value: Any) -> Any:
    """A payload with what people wrote, and credentials, replaced by their size."""
    if isinstance(value, Mapping):
        return {k: (_hidden(v) if str(k).lower() in PRIVATE_KEYS else scrub_data(v))
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_data(v) for v in value]
    if isinstance(value, str):
        stripped = value.lstrip()
        if stripped[:1] in ("{", "[") and len(value) < 1_000_000:
            try:
                return json.dumps(scrub_data(json.loads(value)))
            except ValueError:
                pass
        return scrub_text(value)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    return value


def _hidden(value: Any) -> str:
    if value is None:
        return "None"
    size = len(value) if hasattr(value, "__len__") else 1
    return f"<hidden: {size}>"


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record's message made safe, args and traceback included (formatted here once)."""
    try:
        args = record.args
        if isinstance(args, Mapping):
            args = scrub_data(args)
        elif args:
            args = tuple(scrub_data(a) if isinstance(a, Mapping | list | tuple | str | bytes)
                         else a for a in args)
        record.msg = scrub_text(str(record.msg) % args if args else str(record.msg))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub_text(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
    except Exception:  # never lose a log line to the scrubber: keep only what is certain
        record.msg, record.args = scrub_text(str(record.msg)), None
    return record


def remember_secrets(values: Iterable[str | None]) -> None:
    """Mask these exact strings wherever they appear (the configured tokens)."""
    _secrets.update(v for v in values if v and len(v) >= 8)


def install(settings: Settings | None = None) -> None:
    """Scrub every log record from now on; cap the platform libraries' loggers. Idempotent."""
    global _installed
    if settings is not None:
        remember_secrets(s.reveal() for s in (settings.discord_token, settings.slack_bot_token,
                                              settings.slack_app_token) if s is not None)
        root = logging.getLogger().getEffectiveLevel()
        for name, attribute in LIBRARIES.items():
            asked = str(getattr(settings, attribute, "") or "").upper()
            level = logging.getLevelName(asked) if asked else None
            # unset: INFO at most (or quieter, like the rest); set: what was asked, scrubbed
            logging.getLogger(name).setLevel(
                level if isinstance(level, int) else max(logging.INFO, root))
    if _installed:
        return
    make: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub_record(make(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def configure(settings: Settings) -> None:
    """The CLI's logging: stderr at SEMINAR_LOG_LEVEL, scrubbed, the libraries capped."""
    logging.basicConfig(level=settings.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install(settings)
