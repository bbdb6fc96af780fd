"""`/digest [since[..until]] [#channel] [md|csv|json|html] [anon]`: the instructor's export.

Slack commands have no options, so the words are read in any order: a format name, `anon`, a
channel (`#name`, an id, or Slack's `<#C…|name>` form) and a period (`7d`, `2w`, a date, or
`FROM..TO`). The files go to the instructor in a direct message, never to the channel the
command was typed in: a digest names students and quotes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.core.errors import SeminarError
from bot.core.models import DIGEST_FORMATS, DigestFile, DigestOptions

DEFAULT_SINCE = "7d"
DEFAULT_FORMAT = "md"
_CHANNEL_REF = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
USAGE = ("Use `/digest [7d | 2w | 2026-11-01 | 2026-11-01..2026-11-15] [#channel] "
         f"[{' | '.join(DIGEST_FORMATS)}] [anon]`.")


@dataclass(frozen=True, slots=True)
class DigestRequest:
    options: DigestOptions
    fmt: str


def parse_digest_text(text: str) -> DigestRequest:
    """The options typed; the workspace is the scope's, not the text's."""
    since: str | None = None
    until: str | None = None
    channel: str | None = None
    fmt = DEFAULT_FORMAT
    anonymize = False
    for word in text.split():
        lowered = word.lower()
        ref = _CHANNEL_REF.match(word)
        if lowered in DIGEST_FORMATS:
            fmt = lowered
        elif lowered in ("anon", "anonymous", "anonymise", "anonymize"):
            anonymize = True
        elif ref or word.startswith("#") or _CHANNEL_ID.match(word):
            channel = ref.group(1) if ref else word.lstrip("#")
        elif since is None:
            since, _, rest = word.partition("..")
            until = rest or None
        else:
            raise SeminarError(f"I do not know what {word!r} means here. {USAGE}")
    return DigestRequest(
        DigestOptions(since=since or DEFAULT_SINCE, until=until, channel=channel,
                      anonymize=anonymize),
        fmt,
    )


def send_privately(
    client: WebClient, user_id: str, files: Sequence[DigestFile], comment: str
) -> str:
    """Upload the files into a direct message with the instructor; returns that DM's id."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=channel,
        initial_comment=comment,
        file_uploads=[{"content": f.data, "filename": f.filename, "title": f.filename}
                      for f in files],
    )
    return str(channel)
