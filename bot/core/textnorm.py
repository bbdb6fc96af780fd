"""Text normalisation shared by indexing, ranking, citations and quotes.

Everything that compares text goes through `fold`, so "Mérida", "MERIDA" and "Merida" are the
same word everywhere, and curly quotes or dashes never decide a match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable

_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u00ad": "",  # soft hyphen
        "\ufeff": "",
    }
)

# Footnote markers as printed ("word.¹²") and as numbered ("12"), both ways.
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPER_TO_DIGIT = str.maketrans(SUPERSCRIPTS, "0123456789")
DIGIT_TO_SUPER = str.maketrans("0123456789", SUPERSCRIPTS)

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
SENTENCE_RE = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[¿¡]*[A-ZÁÉÍÓÚÑÜ0-9])")

# Short, general function-word lists (English and Spanish, the readings' two languages). They
# keep FTS queries fast and stop "the" from deciding a ranking; they carry no topic knowledge.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is isn't it it's its itself just let me more most
    my myself no nor not of off on once only or other our ours ourselves out over own same she
    should so some such than that that's the their theirs them themselves then there these they
    this those through to too under until up very was wasn't we were what when where which
    while who whom why will with would you your yours yourself yourselves s t d ll m re ve
    according said say says tell told does did get got one also us couldnt dont doesnt didnt
    isnt wasnt arent werent cant wont wouldnt shouldnt much many whats hows whys
    el la los las un una unos
    unas de del al y o que en por para con se su sus es son como lo le les mas pero sin sobre
    este esta estos estas ese esa cual cuales
    """.split()
)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """Lowercase, strip accents and unify quotes/dashes: the form all matching happens in."""
    # Only the non-ASCII runs need work, and they are short: folding them alone keeps indexing
    # and ranking fast (str.translate over a whole passage cost more than the search itself).
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_run, text)
    return text.casefold()


def _fold_run(match: re.Match[str]) -> str:
    text = unicodedata.normalize("NFKD", match.group().translate(_PUNCT_MAP))
    return "".join(c for c in text if not unicodedata.combining(c))


POSSESSIVE = re.compile(r"'s$")


def words(text: str) -> list[str]:
    """Folded word tokens, in order, stop words included; "Krasner's" is "krasner"."""
    return _words(fold(text))


def _words(folded: str) -> list[str]:
    return [
        POSSESSIVE.sub("", w).replace("'", "") if "'" in w else w
        for w in WORD_RE.findall(folded)
    ]


# Starts only at a word's start and never backtracks into a word: the plain form of this
# pattern retried every letter of every word and was the slowest step of indexing.
COMPOUND_RE = re.compile(r"(?<![^\W\d_])[^\W\d_]++(?:-[^\W\d_]++)+")


def compounds(text: str) -> list[str]:
    """Hyphenated words written solid ("de-certify" -> "decertify"), so either spelling meets."""
    return _compounds(fold(text))


def _compounds(folded: str) -> list[str]:
    return [c.replace("-", "") for c in COMPOUND_RE.findall(folded)] if "-" in folded else []


def word_forms(text: str) -> tuple[list[str], list[str]]:
    """`words` and `compounds` of a text, folding it once: what ranking compares."""
    folded = fold(text)
    return _words(folded), _compounds(folded)


def term_counts(texts: Iterable[str]) -> tuple[Counter[str], dict[str, str]]:
    """In how many of `texts` each word (or solid compound) occurs, and how the texts print
    each hyphenated word ("decertify" -> "de certify"): what a vocabulary is built from."""
    df: Counter[str] = Counter()
    spaced: dict[str, str] = {}
    for text in texts:
        folded = fold(text)
        found = set(_words(folded))
        for hyphenated in COMPOUND_RE.findall(folded) if "-" in folded else ():
            solid = hyphenated.replace("-", "")
            found.add(solid)
            spaced[solid] = hyphenated.replace("-", " ")
        df.update(found)
    return df, spaced


def content_words(text: str) -> list[str]:
    """Folded word tokens without stop words or one-letter debris."""
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def initial_letters(tokens: list[str]) -> str:
    """The first letters of the content words among `tokens` (from `words`), in order: an
    abbreviation spelled out in the text is a run of them ("gross domestic product" -> "gdp")."""
    return "".join([w[0] for w in tokens if w not in STOPWORDS and len(w) > 1 and not w.isdigit()])


@functools.lru_cache(maxsize=262_144)
def stem(word: str) -> str:
    """A deliberately light English suffix stripper: enough to meet "arrested" with "arrest"."""
    for suffix, keep in (
        ("ational", 4), ("ization", 4), ("ations", 4), ("ation", 4), ("ments", 4), ("ment", 4),
        ("ities", 3), ("ity", 3), ("ings", 3), ("ing", 3), ("ies", 3), ("ied", 3), ("ness", 3),
        ("ers", 3), ("ed", 3), ("es", 3), ("ly", 3), ("er", 3), ("s", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix in ("ies", "ied", "ities", "ity"):
                return word[: -len(suffix)] + "y" if suffix in ("ies", "ied") else word[: -len(suffix)]
            return word[: -len(suffix)]
    return word


def sentences(text: str) -> list[str]:
    """Split running text into sentences; keeps abbreviations like "U.S." mostly intact."""
    parts = [p.strip() for p in SENTENCE_RE.split(text) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        # "U.S. Senate" or "Dr. Smith": a sentence that ends in a short capitalised token + "."
        if merged and re.search(r"(?:\b[A-Z]\.){1,3}$|\b(?:Dr|Mr|Mrs|Ms|St|vol|no|pp|p|ed|eds|cf|e\.g|i\.e)\.$", merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def fold_aligned(text: str) -> str:
    """`fold` one character at a time, so an offset in the result is an offset in `text`.

    Citation and quote spans are found in folded text but shown as printed; characters whose
    fold is not one character long ("ﬁ", a soft hyphen) are only lowercased.
    """
    if text.isascii():
        return text.lower()
    return _ASCII_OR_NOT.sub(_fold_aligned_run, text)


_ASCII_OR_NOT = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def _fold_aligned_run(match: re.Match[str]) -> str:
    run = match.group()
    return run.lower() if run.isascii() else "".join(_fold_char(ch) for ch in run)


@functools.lru_cache(maxsize=4_096)
def _fold_char(ch: str) -> str:
    f = fold(ch)
    return f if len(f) == 1 else ch.lower()[:1] or " "


# Markdown a converter left in the text (pandoc and friends escape every `$`, `*` or `_` they
# write, and mark titles as *emphasis*): "US\$1.5 billion", "*Los Angeles Times*". Cleaned
# once, where readings are prepared, so every surface shows what the page printed.
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# *text* or **text** (also with _) opening after a space or punctuation and closing before one,
# on one line, hugging its text: an emphasis, not a footnote star or an arithmetic sign.
_MD_EMPHASIS = re.compile(
    r"(?<![\w*\\])(\*{1,2}|_{1,2})(?=[^\s*_])([^\n*_]*?[^\s*_\\])\1(?![\w*])"
)


def unescape_markdown(text: str) -> str:
    """`US\\$1.5 billion` -> `US$1.5 billion`, `*Los Angeles Times*` -> `Los Angeles Times`:
    the escapes and emphasis marks of Markdown, removed; a lone `*` or `_` is kept."""
    if "\\" not in text and "*" not in text and "_" not in text:
        return text
    return _MD_ESCAPE.sub(r"\1", _MD_EMPHASIS.sub(r"\2", text))
# -- extracted text: one normal form for indexing, questions and quotes -------------------------

# Presentation forms a PDF prints for ligatures ("ﬁ", "ﬀ", "ﬃ"), and invisible characters
# that split words without showing: folded here so "coeﬃcients" meets "coefficients".
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# A font's private glyphs (a Symbol-font bullet is U+F0B7): no reader can tell what they are.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_LIGATURES = {ord(ch): unicodedata.normalize("NFKC", ch) for ch in map(chr, range(0xFB00, 0xFB07))}


def normalize_extracted(text: str) -> str:
    """Ligatures spelled out, soft hyphens, zero-width and private-use characters removed,
    no-break spaces made spaces. Superscript digits are kept: they are footnote markers."""
    if text.isascii():
        return text
    text = text.translate(_LIGATURES).translate(_INVISIBLE).replace("\u00a0", " ")
    return _PRIVATE_USE.sub("", text) if max(text) >= "\ue000" else text


# Prefixes English writes with a hyphen ("self-interest", "non-sport", "quasi-legal"): a line
# ending in one keeps it, unless the text prints the word solid somewhere.
_HYPHENATED_PREFIXES = frozenset({"self", "non", "quasi"})
_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)[-\u2010\u00ad]$")
_LINE_START_WORD = re.compile(r"^([^\W\d_]+)")


def dehyphenate(left: str, right: str, vocabulary: Collection[str] = frozenset()) -> str:
    """Join two lines, undoing a hyphen the line break made ("ques-" + "tionnaires"), but
    keeping a real compound ("self-" + "interest") where the text spells it with a hyphen
    elsewhere or it opens with a prefix English hyphenates, and the text never spells it
    solid. `vocabulary` holds the folded words of the whole text. Only the last word of
    `left` is looked at, so joining line after line onto a paragraph stays linear."""
    left, right = left.rstrip(), right.lstrip()
    hyphen = _LINE_END_HYPHEN.search(left, max(0, left.rfind(" ") + 1))
    start = _LINE_START_WORD.match(right)
    if not hyphen or not start or not right[:1].islower():
        return f"{left} {right}" if left and right else left + right
    head, tail = hyphen.group(1), start.group(1)
    solid, hyphenated = fold(head + tail), fold(f"{head}-{tail}")
    kept = hyphenated in vocabulary or fold(head) in _HYPHENATED_PREFIXES
    if kept and solid not in vocabulary:
        return f"{left[: hyphen.end(1)]}-{right}"
    return f"{left[: hyphen.start(1)]}{head}{right}"


_LETTERS = re.compile(r"[^\W\d_]+")


def repair_splits(text: str, vocabulary: Counter[str]) -> str:
    """Rejoin words an extractor split inside ("iden tified", "Cameroo n"): two adjacent
    pieces whose join the text prints whole elsewhere, at least one of which is never a
    word of its own there (printed at least twice: the split itself counts once).
    `vocabulary` counts the folded words of the whole text. One pass: linear in the text."""
    words = list(_LETTERS.finditer(text))
    out: list[str] = []
    pos = 0
    i = 0
    while i + 1 < len(words):
        a, b = words[i], words[i + 1]
        if text[a.end():b.start()] == " " and _split_inside(a.group(), b.group(), vocabulary):
            out.append(text[pos:a.end()])
            pos = b.start()
            i += 2
            continue
        i += 1
    out.append(text[pos:])
    return "".join(out)


def _split_inside(a: str, b: str, vocabulary: Counter[str]) -> bool:
    whole = fold(a + b)
    if b[:1].isupper() or len(whole) < 4 or vocabulary.get(whole, 0) < 1:
        return False
    return vocabulary.get(fold(a), 0) < 2 or vocabulary.get(fold(b), 0) < 2
