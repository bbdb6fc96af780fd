"""A reference's DOI and URL, read from anywhere in the entry.

Their own module because they are read from the whole string, not from what follows the title,
and because the date finder must skip their digits ("10.1000/1999", ".../2015/...").
"""

from __future__ import annotations

import re

URL_PATTERN = re.compile(r"(?:https?://|www\.)\S+")
DOI_PATTERN = re.compile(r"(?i)\b(?:doi:?\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[^\s\"<>]+)")


def find_doi(text: str) -> str | None:
    m = DOI_PATTERN.search(text)
    return m.group(1).rstrip(".,;)") if m else None


def find_url(text: str) -> str | None:
    m = URL_PATTERN.search(text)
    return m.group(0).rstrip(".,;)>]") if m else None
