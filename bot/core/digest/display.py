"""How people and their words appear in a digest: as named, or as stable pseudonyms.

Every name, id and piece of student text the digest shows goes through one `Display`, so an
anonymized digest cannot leak a name through a path that forgot to ask.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.digest.loading import LogMessage
from bot.core.log.pseudonyms import Pseudonymizer

QUESTION_PREVIEW = 300


class Display:
    def __init__(self, humans: Iterable[LogMessage], pseudonyms: Pseudonymizer | None) -> None:
        self._pseudonyms = pseudonyms
        # The latest name each author was logged under.
        self._names: dict[str, str | None] = {}
        for m in humans:
            self._names[m.author_id] = m.author_name or self._names.get(m.author_id)

    def name(self, user_id: str) -> str:
        if self._pseudonyms is not None:
            return self._pseudonyms.name(user_id)
        return self._names.get(user_id) or user_id

    def user_id(self, user_id: str) -> str:
        return self._pseudonyms.name(user_id) if self._pseudonyms is not None else user_id

    def text(self, text: str) -> str:
        """Student text, with platform mentions (`<@123>`) scrubbed when anonymized."""
        return self._pseudonyms.scrub(text) if self._pseudonyms is not None else text


def preview(text: str, limit: int = QUESTION_PREVIEW) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
