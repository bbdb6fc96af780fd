"""How people and their words appear in a digest: as named, or as stable pseudonyms.

Every name, id and piece of student text the digest shows goes through one `Display`, so an
anonymized digest cannot leak a name through a path that forgot to ask: mentions are resolved
to names (or pseudonyms), and when anonymized every known name form of every person is
replaced in the text (bot.core.digest.names). Staff get "staff-" pseudonyms, students
"student-".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from bot.core.digest.loading import LogMessage
from bot.core.digest.names import NameIndex, resolve_markup
from bot.core.log.people import Person
from bot.core.log.pseudonyms import Pseudonymizer
from bot.core.textnorm import fold

QUESTION_PREVIEW = 300
OPTED_OUT = "(a student who opted out)"


class Display:
    def __init__(
        self,
        humans: Iterable[LogMessage],
        pseudonyms: Pseudonymizer | None,
        *,
        people: Mapping[str, Person] | None = None,
        staff: Collection[str] = (),
        bots: Iterable[LogMessage] = (),
        hidden: Collection[str] = (),
    ) -> None:
        self._pseudonyms = pseudonyms
        self._staff = set(staff)
        self._hidden = set(hidden)  # opted out: a mention of them shows no name
        people = people or {}
        # The name to show: the latest name each author was logged under, else the directory's.
        self._names: dict[str, str | None] = {uid: p.display for uid, p in people.items()}
        forms: dict[str, set[str]] = {uid: set(p.names) for uid, p in people.items()}
        speakers: set[str] = set()
        for m in humans:
            speakers.add(m.author_id)
            if m.author_name:
                self._names[m.author_id] = m.author_name
                forms.setdefault(m.author_id, set()).add(m.author_name)
        for m in bots:
            self._names.setdefault(m.author_id, m.author_name)
        self._bots = {m.author_id for m in bots}
        self._forms = {uid: {fold(n) for n in names if n} for uid, names in forms.items()}
        # First and last names alone are replaced for the class's members: those who spoke,
        # staff, and students who opted out (others still name them).
        members = speakers | self._staff | self._hidden
        self._index = NameIndex(forms, members) if pseudonyms is not None else None

    def mentions(self, text: str, user_id: str) -> bool:
        """Whether `text` mentions the person: `<@id>` markup or "@Name" with a known form."""
        if f"<@{user_id}" in text or f"<@!{user_id}" in text:
            return True
        if "@" not in text:
            return False
        folded = fold(text)
        return any(f"@{form}" in folded for form in self._forms.get(user_id, ()))

    def is_staff(self, user_id: str) -> bool:
        return user_id in self._staff

    def name(self, user_id: str) -> str:
        if self._pseudonyms is not None and user_id not in self._bots:
            return self._pseudonym(user_id)
        return self._names.get(user_id) or user_id

    def user_id(self, user_id: str) -> str:
        return self._pseudonym(user_id) if self._pseudonyms is not None else user_id

    def text(self, text: str) -> str:
        """Student text as a reader sees it: mentions as names; when anonymized, every known
        name form replaced by its pseudonym."""
        if self._index is not None:  # names first, so a pseudonym put in is never matched
            text = self._index.replace(text, self._pseudonym)
        return resolve_markup(text, self._mention)

    def _mention(self, user_id: str, label: str | None) -> str:
        if user_id in self._hidden:
            return OPTED_OUT
        if self._pseudonyms is not None:
            return self._pseudonym(user_id)
        return self._names.get(user_id) or label or user_id

    def _pseudonym(self, user_id: str) -> str:
        assert self._pseudonyms is not None
        name = self._pseudonyms.name(user_id)
        return name.replace("student-", "staff-", 1) if user_id in self._staff else name


def preview(text: str, limit: int = QUESTION_PREVIEW) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
