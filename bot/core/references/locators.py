"""Where in its container an entry stands: pages, volume and issue.

Read from the text after the title only (the title's own numbers are not locators); a year is
never a volume unless the entry says "Vol." before it.
"""

from __future__ import annotations

import re

from bot.core.references.dates import YEAR_TEXT

_PAGES = re.compile(
    r"(?:\bpp?\.|\bS\.|\bSS\.|\bpages?|\bSeiten?|\bpgs?\.)\s?(?P<p>[A-Za-z]?\d+(?:\s?[-–—]+\s?[A-Za-z]?\d+)?(?:\s?ff?\.)?)"
    r"|[,:;]\s?(?P<q>\d{1,5}\s?[-–—]+\s?\d{1,5})(?=[.,;)\s]*$|[.,;]\s)"
)
_VOLUME = re.compile(
    r"(?:\b(?:[Vv]ol|Bd|Jg|Jahrgang|[Vv])\.?\s?(?P<v1>\d{1,4})|(?<![\d(])(?P<v2>\d{1,4})\s?\((?P<i2>[\d/\-–]{1,9})\)"
    r"|(?P<v3>\d{1,4})\s?[,(]?\s?(?:[Nn]o|Nr|H|Heft|[Ii]ss(?:ue)?|n)\.?\s?(?P<i3>\d{1,4}))"
)
_ISSUE = re.compile(r"\b(?:[Nn]o|Nr|Heft|[Ii]ssue)\.?\s?(?P<i>\d{1,4})")


def find_pages(text: str) -> str | None:
    m = _PAGES.search(text)
    if not m:
        return None
    p = m.group("p") or m.group("q")
    return re.sub(r"\s", "", p).replace("–", "-").replace("—", "-").replace("--", "-")


def find_volume_issue(text: str) -> tuple[str | None, str | None]:
    m = _VOLUME.search(text)
    if not m:
        i = _ISSUE.search(text)
        return None, i.group("i") if i else None
    volume = m.group("v1") or m.group("v2") or m.group("v3")
    issue = m.group("i2") or m.group("i3")
    if issue is None:
        i = _ISSUE.search(text, m.end())
        issue = i.group("i") if i else None
    if volume and re.fullmatch(YEAR_TEXT, volume) and not m.group("v1"):
        return None, issue
    return volume, issue
