"""Author strings of reference-list entries: surnames and full names in every order authors use.

"Krasner, S. D., & Keohane, R. O." (APA), "Reuter, Peter, and David Ronfeldt" (Chicago/MLA),
"S. D. Krasner and R. O. Keohane" (initials first), "Redlich AA, Arias A" (Vancouver),
"Kasinitz, P./Mollenkopf, J. H. (Eds.)" (German, slash-joined, editors), "Statistisches
Bundesamt" or "OECD" (corporate: kept whole). Only the shape of the string decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTICLES = frozenset(
    "de del della der di du la le van von y da dos das st ten ter den vom zu zum zur des bin ibn"
    " al el".split()
)
_LOWER_WORDS = PARTICLES | frozenset(["of", "and", "the", "en", "for", "on", "in", "für", "und"])
# Words that make a name corporate ("Statistisches Bundesamt", "Government of Nepal").
CORPORATE = re.compile(
    r"(?i)\b(?:amt|bundesamt|ministerium|bundesministerium|kommission|commission|office|bureau|"
    r"department|dept|institut|institute|agency|agentur|bank|council|organi[sz]ation|"
    r"association|union|government|regierung|nations|foundation|stiftung|verband|ministry|"
    r"committee|statisti\w*|forum|group|center|centre|society|fund|programme|program|"
    r"parliament|senate|court|board|authority|service|services|network|company|corporation|"
    r"inc|ltd|gmbh|press|news|times|post|journal|agenzia|deutscher?|europäische[rn]?|"
    r"european|international|national|federal|world|united|republic|republik|state|states|"
    r"landes\w*|bundes\w*|staat\w*|ag|e\.\s?v|university|universität|college|school|"
    r"census|secretariat|eurostat|unesco|unicef|oecd|who|ilo|imf|enterprise|trust|partnership|"
    r"alliance|coalition|initiative|observatory|consortium|stadt|gemeinde|landkreis|kanton)\b"
)
EDITOR_MARK = re.compile(
    r"(?i)\s*[,(\[]?\s*\b(?:eds?|hrsg|hg|hgg|éds?|coords?|comps?|dirs?|orgs?|red|trans|"
    r"editors?|herausgeber(?:in)?|compiler|ed\.\s?by|hrsg\.\s?v)\b\.?\s*[)\]]?\.?"
)
# A role or a nickname in brackets after a name is no name: "Marrow, D. (Producer)", "KELP
# (Director)", "Quell, Ada (Jo)"; a body's initialism ("(KELP)"), initials ("(A.L.)") or name ("KELP (Harbour Office)") stay.
_ROLE = re.compile(r"\s*\((?:[A-ZÀ-Þa-z][a-zß-ÿ]{2,}\.?\s?){1,2}\)(?=\s*(?:[,;/&.]|$|and\s|und\s))")
_ET_AL = re.compile(r"(?i),?\s*(?:\bet\.?\s*al\b\.?|\bu\.\s?a\.|\band\s+others\b|\bet\s+alii\b)")
_INITIAL = r"(?:[A-ZÀ-ÞŁŠŽČ][a-z]?\.|[A-ZÀ-ÞŁŠŽČ]\.?-[A-ZÀ-ÞŁŠŽČ]\.)"
INITIALS_RE = re.compile(rf"^(?:{_INITIAL}\s?-?)+[A-ZÀ-ÞŁŠŽČ]?$|^[A-ZÀ-ÞŁŠŽČ]$")
# Vancouver initials: "AA", "JC", "H-J" (never a word: "OECD" has a vowel run too long to
# tell, so only up to three letters count).
_VANCOUVER_INITIALS = re.compile(r"^[A-ZÀ-ÞŁŠŽČ]{1,3}$|^[A-Z]-[A-Z]$")
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’\-]*\.?$")


@dataclass(frozen=True, slots=True)
class Name:
    """One author: the surname as it is cited, and the full name when given names are printed."""

    surname: str
    full: str


def clean_author_text(text: str) -> tuple[str, bool]:
    """The author string without editor marks, "et al." or markup; and whether it names editors."""
    text = text.replace("*", "").replace("\u00a0", " ")
    editors = bool(EDITOR_MARK.search(text))
    text = EDITOR_MARK.sub(" ", text)
    text = _ROLE.sub(lambda m: m.group(0) if CORPORATE.search(m.group(0)) else " ", text)
    text = _ET_AL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,;:")
    if not re.search(r"(?:^|[\s.\-])[A-ZÀ-ÞŁŠŽČ]\.$", text):
        text = text.rstrip(".")  # a sentence's full stop, not an initial's ("Ostrom, E.")
    return text, editors


def parse_names(text: str) -> list[Name]:
    """Every author of an author string, in order."""
    text, _ = clean_author_text(text)
    if not text:
        return []
    if not re.search(r"[,;/]", text) and not _initials_in(text) and any(
        _corporate(g) for g in re.split(r"\s+(?:and|und|&)\s+", text)
    ):
        shown = text if text.isupper() and " " not in text and len(text) <= 5 else _display(text)
        return [Name(shown, shown)]  # "Zentrum für Forschung und Innovation", "OECD"
    # "und" abbreviated ("Hilpert, M. u. W. Huber") joins names too; "u. a." went with et al.
    groups = [g.strip(" ,") for g in re.split(r"\s*(?:/|;|&|\+)\s*|,?\s+(?:and|und|y|et|u\.)\s+", text)]
    groups = [g for g in groups if g]
    natural = _natural_order_list(groups)
    names: list[Name] = []
    for index, group in enumerate(groups):
        if natural and "," in group:
            names.extend(_natural(p) for p in _pieces(group) if not _is_jr(p))
            continue
        names.extend(_parse_group(group, first=index == 0, alone=len(groups) == 1))
    return [n for n in names if n.surname]


def _natural_order_list(groups: list[str]) -> bool:
    """"Ada Quill, Léon Hoff, and Lena Brandt": the last name, after "and", is in natural order,
    and so is every comma piece before it, each of two words or more ("Lakoff, George, and Mark
    Johnson" and "García Márquez, Gabriel" stay inverted: a one-word piece is a surname's or a
    given name's)."""
    if len(groups) < 2 or "," in groups[-1] or len(groups[-1].split()) < 2:
        return False
    given = [p for g in groups[:-1] for p in _pieces(g)]
    pieces = [_JR_TAIL.sub("", p) for p in given if not _is_jr(p)]
    # "Mark R. Lind, Jr., and Lena Brandt": one name before "and", its suffix after a comma
    return len(pieces) >= (1 if len(pieces) < len(given) else 2) and all(
        2 <= len(p.split()) <= 3 and _given_like(p) and not INITIALS_RE.match(p.split()[-1])
        for p in pieces)


def _pieces(group: str) -> list[str]:
    return [p.strip() for p in group.split(",") if p.strip()]


def _parse_group(group: str, *, first: bool, alone: bool) -> list[Name]:
    pieces = _pieces(group)
    if not pieces:
        return []
    if len(pieces) == 1:
        return [_single(pieces[0], alone=alone)]
    initials = [bool(INITIALS_RE.match(p) or _is_jr(p)) for p in pieces]
    # APA: "Surname, I. I., Surname, I." -> pairs.
    if len(pieces) % 2 == 0 and all(initials[1::2]) and not any(initials[::2]):
        return [_inverted(s, g) for s, g in zip(pieces[::2], pieces[1::2], strict=True)]
    # "Surname, I., Jr.", "Surname, Given, Jr." and the like
    if len(pieces) == 3 and (initials[1] or _given_like(pieces[1])) and _is_jr(pieces[2]):
        return [_inverted(pieces[0], pieces[1])]
    # Vancouver: "Redlich AA, Arias A, de la Macorra JC" -> one person per piece.
    if all(_vancouver(p) for p in pieces):
        return [_vancouver_name(p) for p in pieces]
    # Initials first: "S. E. Han, G. Chen".
    if all(_initials_first(p) for p in pieces):
        return [_natural(p) for p in pieces]
    # "Prenner, Peter, Mesch, Michael": inverted pairs with given names spelled out.
    if len(pieces) % 2 == 0 and all(_one_name(p) for p in pieces[::2]) and all(
        _given_like(p) for p in pieces[1::2]
    ) and len(pieces) >= 4:
        return [_inverted(s, g) for s, g in zip(pieces[::2], pieces[1::2], strict=True)]
    if all(_CAPITALS_FIRST.fullmatch(p) for p in pieces):
        return [_capitals_first(p) for p in pieces]  # "QUELL Ada, HOFFER Jean-Luc"
    # "Reuter, Peter" (inverted first author), then natural-order names; "reuter, Peter": one
    # lowercase word before the given names is a surname whose capital the PDF lost.
    if _given_like(pieces[1]) and (not _corporate(pieces[0]) or _NAME_WORD.match(pieces[0])):
        out = [_inverted(pieces[0], pieces[1])]
        return out + [_single(p, alone=False) for p in pieces[2:]]
    if first and alone and _corporate(group):
        return [Name(_display(group), _display(group))]
    return [_single(p, alone=False) for p in pieces]


def _initials_in(text: str) -> bool:
    return bool(re.search(r"(?:^|\s)[A-ZÀ-Þ]\.", text))


def _is_jr(piece: str) -> bool:
    return bool(re.fullmatch(r"(?i)(?:jr|sr|jun|sen|ii|iii|iv)\.?", piece))


def _given_like(piece: str) -> bool:
    """Given names or initials: "Peter", "Stephen D.", "J. M.", "Hans-Jürgen", "Marcelo Secron"."""
    words = piece.split()
    return 1 <= len(words) <= 4 and all(
        _NAME_WORD.match(w) and (w[0].isupper() or w.lower() in PARTICLES) for w in words
    ) and not _corporate(piece)


def _one_name(piece: str) -> bool:
    words = [w for w in piece.split() if w.lower() not in PARTICLES]
    return 1 <= len(words) <= 2 and all(_NAME_WORD.match(w) for w in words)


def _vancouver_split(piece: str) -> tuple[list[str], list[str]]:
    """("Kobasa", ["S.", "C."]) from "Kobasa S. C.", ("Redlich", ["AA"]) from "Redlich AA"."""
    words = piece.split()
    k = len(words)
    while k > 1 and _VANCOUVER_INITIALS.match(words[k - 1].rstrip(".")) and (
        k == len(words) or len(words[k - 1].rstrip(".")) == 1
    ):
        k -= 1
    return words[:k], words[k:]


def _vancouver(piece: str) -> bool:
    surname, initials = _vancouver_split(piece)
    return bool(initials) and all(_NAME_WORD.match(w) for w in surname) and not all(
        w.isupper() for w in surname + initials)


def _vancouver_name(piece: str) -> Name:
    words, initials = _vancouver_split(piece)
    surname = " ".join(words)
    letters = "".join(w.rstrip(".").replace("-", "") for w in initials)
    given = " ".join(f"{c}." for c in letters)
    return Name(_display(surname), f"{given} {_display(surname)}")


def _initials_first(piece: str) -> bool:
    return bool(re.match(rf"^(?:{_INITIAL}\s?-?)+\s?(?:[^\W\d_][\w'’\-]*\s)*[^\W\d_][\w'’\-]+$", piece))


def _corporate(text: str) -> bool:
    """A body's name: a corporate word, a lowercase word, or more words than a person's name
    has; a person's initials and particles do not count ("A. L. van der Quell" is five words,
    one surname), but only before one or two other words."""
    words = text.split()
    initials = [w for w in words if "." in w and INITIALS_RE.match(w)]
    plain = [w for w in words if w not in initials and w.lower() not in PARTICLES]
    if len(words) > 4 and not (initials and len(plain) <= 2):
        return True
    if CORPORATE.search(text):
        return True
    lower = [w for w in words if w[:1].islower() and w.lower() not in PARTICLES]
    return bool(lower)


def _inverted(surname: str, given: str) -> Name:
    surname = _display(_drop_full_stop(surname))
    given = _display(given.strip())
    return Name(surname, f"{given} {surname}".strip())


def _single(piece: str, *, alone: bool) -> Name:
    """A name with no comma: "Almut Metz", "S. D. Krasner", "Janik J.", "OECD", "U.S. Senate"."""
    piece = piece.strip(" .") if not re.search(r"\b[A-Z]\.$", piece) else piece.strip()
    words = piece.split()
    if not words:
        return Name("", "")
    if len(words) >= 2 and INITIALS_RE.match(words[-1]) and not INITIALS_RE.match(words[0]):
        # "Janik J.", "Grossman G.": surname then initials
        surname = " ".join(w for w in words if not INITIALS_RE.match(w))
        given = " ".join(w for w in words if INITIALS_RE.match(w))
        return Name(_display(surname), f"{given} {_display(surname)}")
    if _vancouver(piece) and len([w for w in words if w.lower() not in PARTICLES]) <= 3:
        # "Redlich AA", "de la Macorra JC": particles are no words of a title
        return _vancouver_name(piece)
    if len(words) == 1 and piece.isupper() and len(piece) <= 5:
        return Name(piece, piece)  # "OECD", "IMF": an initialism stays as printed
    if _CAPITALS_FIRST.fullmatch(piece) and not _corporate(piece):
        return _capitals_first(piece)
    if _corporate(piece) or (len(words) == 1) or _looks_corporate_initials(piece):
        return Name(_display(piece), _display(piece))
    if alone and (words[0] in _ARTICLES or (len(words) >= 3 and not any(
            INITIALS_RE.match(w) or w.lower() in PARTICLES for w in words))):
        # "The Economist", "Human Rights Watch": a sole author of three plain words or led
        # by an article is an organisation (kept whole, so every word of it is searchable)
        return Name(_display(piece), _display(piece))
    return _natural(piece)


_ARTICLES = frozenset("The A An Der Die Das La Le Les El Il Lo".split())

# French and Italian lists print the surname first in capitals, then the given names, with no
# comma: "QUELL Ada", "DE LA MARROW Jean-Luc". The capitals say which is which, where "García
# Márquez" or "Ada Quill" in ordinary case cannot.
_CAPITALS_FIRST = re.compile(
    r"(?P<s>(?:[A-ZÀ-ÞŁŠŽČ]{1,3}\s)*[A-ZÀ-ÞŁŠŽČ][A-ZÀ-ÞŁŠŽČ'’\-]{2,}(?:\s[A-ZÀ-ÞŁŠŽČ][A-ZÀ-ÞŁŠŽČ'’\-]{2,})?)"
    r"\s(?P<g>[A-ZÀ-ÞŁŠŽČ][a-zß-ÿ][\w'’]*(?:[\s\-][A-ZÀ-ÞŁŠŽČ][a-zß-ÿ][\w'’]*){0,2})")


def _capitals_first(piece: str) -> Name:
    m = _CAPITALS_FIRST.fullmatch(piece)
    assert m is not None
    surname = _display(m.group("s"))
    return Name(surname, f"{m.group('g')} {surname}")


def _looks_corporate_initials(piece: str) -> bool:
    """"U.S. Senate", "E.U. Commission": an initialism is not a given name."""
    return bool(re.match(r"^(?:U\.\s?[SKN]|E\.\s?U)\.", piece))


# "Mark R. Lind Jr.": the suffix is no surname
_JR_TAIL = re.compile(r",?\s(?:Jr|Sr)\.?$")


def _natural(piece: str) -> Name:
    piece = _drop_full_stop(piece.strip())
    surname = natural_surname(_JR_TAIL.sub("", piece))
    return Name(_display(surname), _display(piece))


def natural_surname(name: str) -> str:
    """Surname of a name written in natural order, keeping particles ("Samuel del Villar")."""
    words = name.split()
    if not words:
        return ""
    k = len(words) - 1
    while k > 0 and words[k - 1].lower().rstrip(".") in PARTICLES:
        k -= 1
    return " ".join(words[k:])


def _drop_full_stop(name: str) -> str:
    """"U.S. Senate." ends a sentence, "U.S." or "J." end an abbreviation."""
    return name[:-1] if re.search(r"(?:^|\s)[^\W\d_]{2,}\.$", name) else name


def _display(name: str) -> str:
    """Shouted reference-list names ("AI CAMP", "U.S. SENATE") in the case a reader expects."""
    name = " ".join(name.replace("*", "").split()).strip(" ,;")
    letters = [c for c in name if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters) or len(letters) <= 1:
        return name
    out = []
    for i, word in enumerate(name.split(" ")):
        bare = word.strip("()")
        if "." in bare or (len(bare) <= 4 and not re.search(r"[AEIOUÁÉÍÓÚÀÈÌÒÙÄËÏÖÜ]", bare)):
            out.append(word)  # U.S., PGR, PBS: initialisms stay as printed
        elif i > 0 and bare.lower() in _LOWER_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), p)
                                for p in word.split("-")))
    return " ".join(out)


display_name = _display
