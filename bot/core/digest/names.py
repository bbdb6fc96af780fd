"""Names in student text: mentions shown as names, and every known name form replaced.

Platforms write mentions three ways: Discord `<@123>`/`<@!123>`, Slack `<@U0ABC>`/`<@U0ABC|name>`
and DiscordChatExporter's plain "@Display Name". The first two are resolved here from the
people the log knows (users.json, export authors and mentions, author names). For an
anonymized digest every known name form (display name, username, nickname, real name, and the
first name of each participant) is replaced wherever it stands, "@Name" mentions included,
by the person's stable pseudonym; so is each part of a participant's full name (first name,
last name), as a class calls people by either.

Matching is by words, not by one regular expression of every name: a 433-person workspace has
some 2,000 name forms, and looking each word sequence up in a dictionary keeps a term's digest
fast. A name matches as whole words, case and accents folded ("Xander's" is "Xander" + "'s").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from bot.core.textnorm import STOPWORDS, fold

MENTION_RE = re.compile(r"<@!?([0-9A-Za-z]+)(?:\|([^>]*))?>")
_SLACK_CHANNEL_RE = re.compile(r"<#[0-9A-Za-z]+\|([^>]*)>")
_SLACK_SPECIAL_RE = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SLACK_LINK_RE = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")
_WORD_RE = re.compile(r"\w+")
MAX_NAME_WORDS = 5
# A part of a name this short, or a common word, is not replaced on its own (too many false
# hits); a full name or username containing it still is.
MIN_FIRST_NAME = 3


def name_key(text: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in _WORD_RE.findall(text))


def name_parts(name: str) -> list[str]:
    """The first name and the other words of a participant's full name ("Sheena Gabriel":
    both, so "Gabriel's list" is caught too); short words, common words and numbers are left."""
    words = _WORD_RE.findall(name)
    if len(words) < 2:
        return []
    return [w for w in words
            if len(w) >= MIN_FIRST_NAME and fold(w) not in STOPWORDS and not w.isdigit()]


class NameIndex:
    """Every name form of every person, by its folded words -> the person's user id."""

    def __init__(self, forms: Mapping[str, Iterable[str]], participants: Iterable[str]) -> None:
        self._by_key: dict[tuple[str, ...], str] = {}
        self._starts: set[str] = set()
        taken: dict[tuple[str, ...], str] = {}
        wanted = set(participants)
        for uid, names in forms.items():
            names = [n for n in names if n and n.strip()]
            keys = {name_key(n) for n in names}
            if uid in wanted:
                keys |= {name_key(part) for n in names for part in name_parts(n)}
            for key in keys:
                single = len(key) == 1 and (key[0].isdigit() or key[0] in STOPWORDS)
                if key and len(key) <= MAX_NAME_WORDS and not single:
                    # Two people with the same form: the first known keeps it (both are replaced).
                    taken.setdefault(key, uid)
        self._by_key = taken
        self._starts = {key[0] for key in taken}

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def replace(self, text: str, pseudonym: Callable[[str], str]) -> str:
        """`text` with every name form swapped for the person's pseudonym."""
        if not self._by_key:
            return text
        words = list(_WORD_RE.finditer(text))
        folded = [fold(w.group()) for w in words]
        out: list[str] = []
        pos = 0
        i = 0
        while i < len(words):
            if folded[i] not in self._starts:
                i += 1
                continue
            hit = None
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                uid = self._by_key.get(tuple(folded[i : i + n]))
                if uid is not None and _joined(text, words, i, n):
                    hit = (n, uid)
                    break
            if hit is None:
                i += 1
                continue
            n, uid = hit
            out.append(text[pos : words[i].start()])
            out.append(pseudonym(uid))
            pos = words[i + n - 1].end()
            i += n
        out.append(text[pos:])
        return "".join(out)


def _joined(text: str, words: list[re.Match[str]], i: int, n: int) -> bool:
    """The n words stand together as one name: only spaces, dots, hyphens or apostrophes
    between them."""
    return all(
        len(gap := text[words[k].end() : words[k + 1].start()]) <= 2 and not gap.strip(" .-'’_")
        for k in range(i, i + n - 1)
    )


def resolve_markup(text: str, name: Callable[[str, str | None], str]) -> str:
    """Platform markup as a reader sees it: `<@id>` as "@Name" (`name(id, label)`), Slack's
    `<#C1|general>` as "#general", `<!here>` as "@here", `<https://x|label>` as its label."""
    if "<" not in text:
        return text
    text = MENTION_RE.sub(lambda m: "@" + name(m.group(1), m.group(2)), text)
    text = _SLACK_CHANNEL_RE.sub(lambda m: "#" + m.group(1), text)
    text = _SLACK_SPECIAL_RE.sub(lambda m: "@" + m.group(1), text)
    return _SLACK_LINK_RE.sub(lambda m: m.group(2) or m.group(1), text)
