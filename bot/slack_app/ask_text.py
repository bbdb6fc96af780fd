"""What `/ask` was given: a question, and optionally `reading:NAME` to search one reading.

A slash command has a single text field, so the filter is spelled inside it, the way Slack's
own search spells `in:#channel`. NAME is one word (`reading:ortega`) or a quoted phrase
(`reading:"rivers and cities"`); it may stand anywhere in the text. `reading:` followed by a
space is left alone, so a question like "what is close reading: a method?" is not cut.
"""

from __future__ import annotations

import re

from bot.core.errors import SeminarError

READING_RE = re.compile(
    r"""(?<!\S)reading:(?:"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+))""", re.IGNORECASE
)


def parse_ask_text(text: str) -> tuple[str, str | None]:
    """(question, reading name or None)."""
    found = list(READING_RE.finditer(text))
    if not found:
        return text, None
    if len(found) > 1:
        raise SeminarError("Give at most one `reading:` filter.")
    match = found[0]
    name = next(g for g in match.groups() if g is not None).strip()
    if not name:
        raise SeminarError('Name the reading after `reading:`, e.g. `reading:"rivers and cities"`.')
    question = " ".join((text[: match.start()] + " " + text[match.end() :]).split())
    return question, name
