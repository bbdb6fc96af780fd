"""Whether a piece of a reference string reads as its author list.

Asked by the author-date lead, by the names-at-start styles, by the title's end ("the rest of a
name list the lead missed") and by the splitter, so it stands apart from all of them; how an
author list splits into names is `names`'s business.
"""

from __future__ import annotations

import re

from bot.core.references.dates import MONTH
from bot.core.references.names import EDITOR_MARK, PARTICLES

ALLOWED_LOWER = PARTICLES | frozenset(
    "and und et al al. u. a. of the for für und ed. eds. ed eds hrsg. hrsg hg. hg (ed.) (eds.)"
    " with mit e i y en d' l' jr. sr. jun. u.a. etc. da dal degli do och og z zu".split()
)


def looks_like_authors(text: str) -> bool:
    """An author list, corporate or personal, and nothing of a title: no quotes, no digits,
    no sentence that ends and another that starts, hardly a lowercase word."""
    if len(text) > 320 or re.search(r"[\"“”„«»《》「」『』：]|https?:|www\.|\d", text):
        return False
    if (text[:1].islower() or re.search(r"(?:^|\s)[a-z]\s[a-z]{2,}", text)) and lost_capitals(text):
        return True  # "r ingen, s.", "Leu, r obert e.; Burri, stefan": capitals the PDF lost
    if re.match(rf"^(?:{MONTH})\b", text):
        return False  # "December 1994": a date
    stripped = EDITOR_MARK.sub(" ", text)
    if re.search(r":\s", stripped) or stripped.count("(") != stripped.count(")"):
        return False
    mark = EDITOR_MARK.search(text)
    if mark and re.search(r"[^\W\d_]", text[mark.end():]):
        return False  # editors close an author list: "Bird, Jon, eds. Mapping the Futures"
    if re.search(r",\s*(?:The|A|An|Der|Die|Das|Ein|Eine|Le|Les|La|El|Il|On|How|What|Why|When|Towards?)\s", text):
        return False  # ", The Turkish Straits": a title after the names
    words = re.findall(r"[^\W\d_][\w'’\-]*\.?", stripped)
    if not words or len(words) > 45:
        return False
    unknown = [w for w in words if w[0].islower() and w.lower() not in ALLOWED_LOWER
               and w.lower().rstrip(".") not in ALLOWED_LOWER]
    if len(unknown) > (1 if len(words) >= 4 else 0):
        return False
    for m in re.finditer(r"([^\W\d_][\w'’\-]+)[.?!]\s+(?=[A-ZÀ-Þ\"“‘])", stripped):
        if m.group(1).lower() not in _ABBREVIATIONS_AFTER_NAME and not m.group(1).isupper():
            return False
    return True


def lost_capitals(text: str) -> bool:
    """Names whose capitals the PDF's text lost ("r ingen, s.", "t ill, m./ datler, g."): short
    name-like pieces joined by commas, slashes or semicolons, and no word a title would have; the
    same text sets an initial's full stop apart ("g ./ Lehner, u.")."""
    text = re.sub(r"(?<=\b[^\W\d_]) \.", ".", text)
    words = text.replace("/", " ").replace(";", " ").split()
    if re.search(r"[^\W\d_]{2}\.\s+[A-ZÀ-Þ][a-zà-ÿ]{2}", text):
        return False  # "van Hoff AC. River towns": a sentence after the names, capitals kept
    return bool(re.search(r"[,/;]", text)) and 1 < len(words) <= 14 and all(
        re.fullmatch(r"[^\W\d_][\w'’\-]*[.,]?", w) and len(w) <= 16 for w in words
    ) and not any(w.lower().strip(".,") in TITLE_WORDS for w in words)


TITLE_WORDS = frozenset(
    "in im of the for on to from with about as is are was der die das den des dem ein eine"
    " einer zur zum für über mit von vom auf aus bei nach wie".split()
)
_ABBREVIATIONS_AFTER_NAME = frozenset("jr sr jun sen al co inc st dr prof ltd".split())
