"""Score passages for a question: pure functions over a `Query` and candidate rows.

Candidates come from FTS5 (bot.core.search.retrieval); this module only scores them, with
every weight and threshold in one `RankingConfig`.

Why this shape (measured on the development questions, see the README's "How answers are
ranked"): BM25 alone misses paraphrases and prefers long passages; rapidfuzz alone over whole
passages is length-biased and slow at scale. So:

1. The question's content words are folded (case, accents), typo-corrected against the index
   vocabulary and weighed by IDF (framing words little, capitalised names more); their
   rarest are sent to FTS5 as a quoted OR query (retrieval) to collect candidates cheaply.
2. Each candidate is rescored by (a) how much of the question's weight it covers, words
   compared by Porter2 key, its section title and the passage before it counting in part,
   (b) its BM25 relative to the best candidate, and (c) its best single sentence (or pair of
   sentences): term coverage, a rapidfuzz token-set similarity and answer-type cues (an
   amount, a cause, a quotation and its speaker, an enumeration, a definition of "X" for
   "what is X"). The best sentence is what the surfaces highlight.

The score is shown on a 0-100 scale: 0 shares nothing with the question, 100 contains all its
content words in one sentence and is the strongest BM25 match. Whether the best passage is an
answer (`is_confident`) is decided from `evidence` that generalises: its coverage of the
question, whether two of the words naming the subject meet in it, and for a question about
one thing, a sentence defining it; otherwise the bot says it found nothing convincing.
"""

from __future__ import annotations

import heapq
import itertools
import re
import sqlite3
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.models import Passage
from bot.core.readings.store import row_to_passage
from bot.core.search.retrieval import Vocabulary, term_key
from bot.core.textnorm import (
    STOPWORDS,
    compounds,
    content_words,
    fold,
    initial_letters,
    sentences,
    word_forms,
    words,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingConfig:
    """Every weight and threshold of the scoring, measured on the development questions
    (answerable and unanswerable; see tests/core/test_ranking.py and the README's "How answers
    are ranked")."""

    # A passage's score: coverage of the question's weight, BM25 relative to the best
    # candidate, and its best sentence (or pair of sentences).
    coverage_weight: float = 0.40
    bm25_weight: float = 0.10
    sentence_weight: float = 0.40
    # What the passage's context (its section title, the passage before it) adds to its
    # coverage counts for this share of it.
    context_weight: float = 0.6
    # A sentence's score: its coverage, its token-set similarity to the question, and the
    # answer-type cues it carries.
    sentence_coverage: float = 0.75
    sentence_similarity: float = 0.15
    answer_type_bonus: float = 0.1
    # A sentence shaped like a definition of the subject ("X is/refers to/means ...", "X, a
    # ...", "X (that is, ...)", "what we label X") for a "what is X" / "what does X mean".
    definition_bonus: float = 0.15
    pair_penalty: float = 0.92  # a pair must beat a single sentence clearly to be highlighted
    # Words that frame a question rather than name its subject count for this much.
    framing_weight: float = 0.3
    stem_only_credit: float = 0.7  # "institutional" is weaker evidence for "institutionalization"
    # A typo-corrected word stands in the place of the word typed, for less: "weather" read
    # as "whether" is a guess, and must not carry a question on its own.
    typo_credit: float = 0.6
    # A word written with a capital inside the question names someone or something
    # ("Zedillo", "Merida Initiative"): the question is about it, more than about its verbs.
    name_weight: float = 1.5
    # Below either floor the answer is "nothing convincing": the best passage must score well
    # and hold a fair share of what the question asks about.
    confident_score: float = 45.0
    confident_coverage: float = 0.5
    context_credit: float = 0.75  # a subject named only in the passage's context counts this much
    typo_cutoff: float = 85.0  # how close a word must be to a reading's word to be corrected to it
    max_terms: int = 32


RANKING = RankingConfig()


QUANTITY_QUESTION = re.compile(
    r"\bhow (much|many|big|large|long|often|old|far|high)\b|\bwhat (percentage|amount|number|"
    r"share|proportion|year)\b|\bwhen\b|\bcu[aá]nt[oa]s?\b",
    re.I,
)
MONEY_QUESTION = re.compile(
    r"\bhow much\b.*\b(money|funding|funds?|aid|cost|costs|spend|spent|pay|paid|worth|budget|"
    r"give|gave|dollars?)\b|\bhow much (did|does|do) .*\bcost\b", re.I)
YEAR_QUESTION = re.compile(r"\bwhen\b|\b(what|which) year\b|\bcu[aá]ndo\b", re.I)
# What answers each: an amount of money; a year; any number that is not a year (a year is in
# nearly every sentence of a cited text, as "(Padgett, 1998)").
MONEY = re.compile(r"\$|\b(USD|dollars?|pesos?|euros?|billion|million)\b", re.I)
YEAR = re.compile(r"\b(1[5-9]|20)\d\d\b")
NUMBER = re.compile(r"(?<![\w.])(?!(?:1[5-9]|20)\d\d\b)\d[\d,.]*(?:\s?\d{3})*\b|\bpercent\b|%")
CAUSE_QUESTION = re.compile(r"\bwhy\b|\bfor what reason\b|\bpor ?qu[eé]\b", re.I)
CAUSE_MARKERS = re.compile(
    r"\b(because|since|due to|owing to|so that|therefore|thus|as a result|reasons?|leads? to|"
    r"porque|debido)\b",
    re.I,
)
SPEECH_QUESTION = re.compile(
    r"\b(say|said|says|state|stated|declare|declared|quote|quoted|words|dijo)\b", re.I
)
QUOTATION = re.compile(r"[“”\"«»]")
SPEECH_MARKERS = re.compile(
    r"\b(said|says|stated|states|declared|argued|argues|asserted|explained|noted|notes|told|"
    r"wrote|writes|claimed|insisted|put it|according to|dijo|afirm[oó])\b", re.I)
IMPORTANCE_QUESTION = re.compile(
    r"\b(matter|matters|mattered|important|importance|significance|significant|why .* need)\b",
    re.I)
IMPORTANCE_MARKERS = re.compile(
    r"\b(important|importance|essential|crucial|key|significan\w*|vital|central)\b",
    re.I)
LIST_QUESTION = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?\w+s\b|"
    r"\bwhat (?:are|were) the (?:main |different )?\w+s\b",
    re.I,
)
# Anchored on a comma: the unanchored form retried every word of a passage (O(n²)) and was
# the slowest part of the rerank at 100k passages.
ENUMERATION = re.compile(r",[^,;.]+,?\s+(?:and|or|y)\s+\w")
# Answer-type cues: a quantity question is answered by a sentence with an amount of money, a
# year or a number (as asked), a why-question by one that gives a cause, a what-did-X-say
# question by a quotation and its speaker, a "what are the three kinds of X" question by an
# enumeration ("a, b, and c"), a why-does-X-matter question by one on X's importance. Small
# bonuses (`RankingConfig.answer_type_bonus`): they break ties between equally relevant
# sentences.
#
# Words that frame a question rather than name its subject ("why does X matter", "what
# happened"): they count, but little (`RankingConfig.framing_weight`), so the subject decides.
FRAMING_WORDS = frozenset(
    "matter matters happen happened happens mean means meaning meant explain explains describe "
    "think know example examples important importance role reason reasons way ways kind kinds "
    "type types thing things main idea ideas point argue argues argument claim claims "
    # where the student read it, not what it is about ("in the article", "the author says")
    "article paper text reading readings author authors chapter book here define definition "
    "difference differences "
    # how a thing is seen, not what it is ("why is X seen as a threat", "in the realist view")
    "see seen view views viewed consider considered regard regarded".split()
)
# How answers word what a framing word asks: "why does X matter" is answered by "X is
# important because". Counted like a word of the same stem (`stem_only_credit`).
FRAMING_ANSWERS = {
    "matter": "important importance essential crucial significant significance vital key",
    "important": "matter matters essential crucial significant significance vital key",
    "happen": "occurred occur took led resulted followed",
    "mean": "refers refer means denotes defined definition",
    "reason": "because since due cause causes",
    "difference": "different differ differs whereas unlike contrast",
}
_FRAMING_ANSWER_KEYS = {term_key(w): frozenset(said.split()) for w, said in FRAMING_ANSWERS.items()}
ACRONYM_LENGTHS = range(3, 7)  # two letters match too many word pairs by chance

# "what is X", "what are Xs", "who was X", "what does X mean", "define X", "X definition": X
# short (up to five words), maybe followed by where it was read ("in the article").
_WHERE_READ = (r"(?:\s+(?:in|according to|from|for)\s+(?:the\s+|this\s+)?(?:article|paper|text|"
               r"reading|readings|chapter|book|author|authors|course|seminar)s?|\s+here|\s+again)?")
DEFINITION_QUESTION = re.compile(
    r"^\W*(?:(?:so|and|but|ok|okay|hey)\W+)?(?:what|who)(?:'s|\s+(?:is|are|was|were))\s+"
    r"(?:an?\s+|the\s+)?(?:[\w'’-]+\s+){0,4}[\w'’-]+" + _WHERE_READ + r"\W*$|"
    r"\bwhat (?:does|do|did) (?:[\w'’-]+\s+){1,5}mean\b|\bwhat is meant by\b|\bmeaning of\b|"
    r"\bdefin(?:e|ition)\b|\bqu[eé] (?:es|son|significa)\b",
    re.I,
)
# After the subject: a copula or "refers to", an appositive, "(that is", and before it "what
# we label", "known as", "so-called". Up to three words may sit between ("sovereignty has
# been used", "Mérida was a three-year plan").
_DEFINES_AFTER = (
    r"[*”\"’')]*\s*(?:,\s*(?:an?|namely|i\.e\.|representing|meaning)\b|\(\s*(?:that is|i\.e\.)|"
    r"(?:\s+\S+)?\s+(?:(?:is|are|was|were|es|son|fue)\s+(?:a|an|the|one|any|un|una|el|la)|refers? to|"
    r"means?|denotes?|describes?|represents?|consists? of|designates?|significa)\b)"
)
_DEFINES_BEFORE = (
    r"\b(?:called|known as|label(?:led)?|termed|defined as|so-called|what we call)\s+[“\"*‘']*"
)


@dataclass(slots=True)
class Query:
    terms: list[str]
    weights: dict[str, float]  # stem -> weight
    exact: dict[str, set[str]]  # stem -> the exact (folded) words asked for
    # stem -> every word of the readings with that stem: a passage's words are all in the
    # vocabulary, so a set intersection finds same-stem words without stemming the passage.
    forms: dict[str, frozenset[str]]
    wants_quantity: bool
    wants_cause: bool
    wants_speech: bool
    wants_list: bool = False
    wants_importance: bool = False  # "why does X matter": answered by "X is important because"
    # Words the readings never use that could be abbreviations of a name they spell out.
    acronyms: frozenset[str] = frozenset()
    quantity: str = "number"  # "money", "year" or "number": what a quantity question wants
    # A "what is X" question: a sentence defining X, matched in folded text.
    definition: re.Pattern[str] | None = None
    framing: frozenset[str] = frozenset()  # the keys of words that frame the question
    corrections: tuple[str, ...] = ()  # the readings' words put for words typed wrong
    # Whether a word asked for is a hyphenated word written solid ("decertify"): only then
    # must a passage's hyphenated words be joined to compare (a tenth of the rerank).
    solid_compounds: bool = True
    keywords: bool = False  # a few words to search for, not a question

    @property
    def total(self) -> float:
        return sum(self.weights.values())


def query_terms(question: str, vocab: Vocabulary, *, config: RankingConfig = RANKING) -> list[str]:
    """Content words, typo-corrected against the words the readings actually use."""
    return _query_words(question, vocab, config)[0]


def _query_words(
    question: str, vocab: Vocabulary, config: RankingConfig
) -> tuple[list[str], dict[str, str]]:
    """The content words (each correction before the word typed) and the corrections
    (correction -> the word typed)."""
    raw = content_words(question) or [w for w in words(question) if len(w) > 1]
    # A hyphenated word the readings print ("meta-governance") is asked for as one word, before
    # its parts: the parts alone ("meta", "governance") are other things.
    raw = [c for c in compounds(question) if c in vocab.df] + raw
    out: list[str] = []
    corrected: dict[str, str] = {}
    for term in raw:
        correction = _typo_correction(term, vocab, config)
        if correction is not None and correction not in out:
            out.append(correction)
            corrected[correction] = term
        if term and term not in out:
            out.append(term)
    kept = out[: config.max_terms]
    return kept, {c: t for c, t in corrected.items() if c in kept}


# "Brazilian" for "Brazil", "Mexican" for "Mexico": a people or an adjective for its place.
_DEMONYM = re.compile(r"^(?P<root>[a-z]{4,}?)(?:ians?|ans?|eses?|ish)$")
_DECADE = re.compile(r"^'?(?P<decade>\d)0s$")  # "80s", "'80s"


def _kindred(asked: set[str], vocab: Vocabulary) -> frozenset[str]:
    """Words of the readings a student's word stands for, though no stemmer joins them: the
    place for its people or adjective ("Brazilian states" / "Brazil"), the decade for its
    short form ("the 80s" / "the 1980s"). They count like a word of the same stem."""
    out: set[str] = set()
    for word in asked:
        if (place := _DEMONYM.match(word)) is not None:
            out.update(vocab.starting_with(place["root"], longer_by=3))
        elif (decade := _DECADE.match(word)) is not None:
            out.update(w for w in (f"19{decade['decade']}0s", f"20{decade['decade']}0s")
                       if w in vocab.df)
    return frozenset(out - asked)


def _typo_correction(term: str, vocab: Vocabulary, config: RankingConfig) -> str | None:
    """The readings' closest word to one they never use (neither it nor its stem)."""
    if term in vocab.df or term_key(term) in vocab.by_stem or len(term) < 4 or term.isdigit():
        return None
    match = process.extractOne(term, vocab.terms, scorer=fuzz.ratio,
                               score_cutoff=config.typo_cutoff)
    return match[0] if match is not None else None


# What makes words a question rather than a search: a question word, a verb that opens one,
# a question mark.
QUESTION_SHAPE = re.compile(
    r"\?|\b(what|why|how|who|whom|whose|when|where|which|whether|explain|describe|tell|"
    r"qu[eé]|c[oó]mo|por qu[eé]|cu[aá]l|qui[eé]n|d[oó]nde)\b|^\W*(is|are|was|were|do|does|did|can|"
    r"could|should|would|will|has|have|had)\b", re.I)
MAX_SEARCH_WORDS = 4


def is_search(question: str) -> bool:
    """A few words with no question in them ("graduated sanctions", "Merida funding")."""
    return (QUESTION_SHAPE.search(question) is None
            and len(content_words(question)) <= MAX_SEARCH_WORDS)


_NAME_WORD = re.compile(r"(?<![\w'’])[^\W\d_][\w'’-]*")


def capitalised_words(question: str) -> set[str]:
    """Folded words written with a capital after the question's first word: the names it
    asks about ("Zedillo", "Merida Initiative"); a question typed in lower case has none."""
    found = _NAME_WORD.findall(question)
    return {w for token in found[1:] if token[0].isupper() and not token.isupper()
            for w in words(token)}


def build_query(question: str, vocab: Vocabulary, *, config: RankingConfig = RANKING) -> Query:
    terms, corrected = _query_words(question, vocab, config)
    replaced = set(corrected.values())
    names = capitalised_words(question)
    weights: dict[str, float] = {}
    exact: dict[str, set[str]] = {}
    framing: set[str] = set()
    for t in terms:
        if t in replaced:
            continue  # its correction stands in its place
        key = term_key(t)
        weight = vocab.idf(t)
        if t in corrected:
            weight *= config.typo_credit
        if t in FRAMING_WORDS:
            weight *= config.framing_weight
            framing.add(key)
        elif t in names or corrected.get(t) in names:
            weight *= config.name_weight
        weights[key] = max(weights.get(key, 0.0), weight)
        exact.setdefault(key, set()).update(inflections(t))
    forms = {key: frozenset(vocab.forms.get(key, ())) | _kindred(exact[key], vocab)
             for key in weights}
    for key in framing & _FRAMING_ANSWER_KEYS.keys():
        forms[key] = forms[key] | _FRAMING_ANSWER_KEYS[key]
    quantity = ("money" if MONEY_QUESTION.search(question)
                else "year" if YEAR_QUESTION.search(question) else "number")
    return Query(
        terms, weights, exact,
        forms=forms,
        wants_quantity=bool(QUANTITY_QUESTION.search(question)),
        wants_cause=bool(CAUSE_QUESTION.search(question)),
        wants_speech=bool(SPEECH_QUESTION.search(question)),
        wants_list=bool(LIST_QUESTION.search(question)),
        wants_importance=bool(IMPORTANCE_QUESTION.search(question)),
        acronyms=frozenset(t for t in terms if is_acronym_candidate(t, vocab)),
        quantity=quantity,
        definition=_definition_pattern(question, weights, exact, forms, framing,
                                       vocab.compounds),
        framing=frozenset(framing),
        corrections=tuple(corrected),
        solid_compounds=any(w in vocab.compounds for key in weights
                            for w in exact[key] | forms[key]),
        keywords=is_search(question),
    )


def inflections(word: str) -> set[str]:
    """The word and its plural or singular ("regime", "regimes"): the same thing asked for,
    where other words of the same stem ("regimen", "regimented") are only related to it."""
    out = {word, word + "s", word + "es"}
    if word.endswith("s") and len(word) > 3:
        out.add(word[:-1])
        if word.endswith("es"):
            out.add(word[:-2])
    return out


def _definition_pattern(
    question: str, weights: dict[str, float], exact: dict[str, set[str]],
    forms: dict[str, frozenset[str]], framing: set[str], compounds_: dict[str, str],
) -> re.Pattern[str] | None:
    """For a "what is X" question, the shapes of a sentence defining X, over folded text."""
    if not DEFINITION_QUESTION.search(question):
        return None
    # The subject is what weighs: in "what is a drug regime" it is "regime", not "drug".
    heaviest = max((w for key, w in weights.items() if key not in framing), default=0.0)
    subject = {w for key, asked in exact.items()
               if key not in framing and weights[key] >= 0.5 * heaviest
               for w in asked | forms[key]}
    if not subject:
        return None
    # a solid compound is printed with its hyphen ("metagovernance" as "meta-governance")
    spelled = {re.escape(spaced).replace(r"\ ", r"[-\s]?")
               for w in subject if (spaced := compounds_.get(w))}
    names = "|".join(sorted({re.escape(w) for w in subject} | spelled, key=len, reverse=True))
    return re.compile(rf"\b(?:{names})\b{_DEFINES_AFTER}|{_DEFINES_BEFORE}(?:{names})\b")


def is_acronym_candidate(term: str, vocab: Vocabulary) -> bool:
    return term.isalpha() and len(term) in ACRONYM_LENGTHS and term not in vocab.df


def coverage(text: str, query: Query, *, config: RankingConfig = RANKING) -> float:
    """Share of the question's weight the text holds; a same-stem different word counts less."""
    return coverage_of(*tokens_of(text, query), query, config)


def tokens_of(text: str, query: Query) -> tuple[list[str], list[str]]:
    """`word_forms` of `text`, without joining hyphenated words when no word asked is one."""
    return word_forms(text) if query.solid_compounds else (words(text), [])


def spelled_out(words_: list[str], acronyms: frozenset[str]) -> list[str]:
    """The abbreviations among `acronyms` that `words_` spell out ("gdp" in "gross domestic
    product"): a substring test on the initials, not every run of them as a set (that was
    a tenth of the rerank's time at 100k passages)."""
    initials = initial_letters(words_)
    return [a for a in acronyms if a in initials]


def coverage_of(
    words_: list[str], compounds_: list[str], query: Query, config: RankingConfig = RANKING,
    acronyms: frozenset[str] | None = None,
) -> float:
    """`coverage` over already tokenised text: ranking tokenises each passage once and reuses
    the tokens for the passage, its sentences and their pairs (whose `acronyms` are at most
    those the whole passage spells out)."""
    if not query.total:
        return 0.0
    tokens = set(words_)
    tokens.update(compounds_)
    acronyms = query.acronyms if acronyms is None else acronyms
    if acronyms:
        tokens.update(spelled_out(words_, acronyms))
    got = 0.0
    for key, weight in query.weights.items():
        if not tokens.isdisjoint(query.exact[key]):
            got += weight
        elif not tokens.isdisjoint(query.forms[key]):
            got += weight * config.stem_only_credit
    return got / query.total


@dataclass(frozen=True, slots=True)
class Evidence:
    """What says the best passage answers the question, not just shares a word with it."""

    score: float
    coverage: float  # of the question's weight, by the passage and (for less) its context
    subjects: int  # the question's words that name what it asks about (not its framing)
    matched: int  # how many of those the passage itself holds
    defines: bool  # a "what is X" question, and the best sentence is shaped like a definition
    searched: bool = False  # a search of a few words, each found in the passages shown


def evidence(
    scored: list[tuple[float, Passage, str]], query: Query, context: str = "",
    *, config: RankingConfig = RANKING,
) -> Evidence:
    """The evidence for the first of `scored` (rerank's output), `context` its context."""
    score, passage, best = scored[0]
    text = passage.text
    own_words, own_compounds = tokens_of(text, query)
    cov = coverage_of(own_words, own_compounds, query, config)
    tokens = set(own_words) | set(own_compounds)  # the passage's own: context is not meeting
    if context:
        more_words, more_compounds = tokens_of(context, query)
        with_context = coverage_of(own_words + more_words, own_compounds + more_compounds,
                                   query, config)
        cov += config.context_credit * (with_context - cov)
    if query.acronyms:
        tokens.update(spelled_out(own_words, query.acronyms))
    subjects = [key for key in query.weights if key not in query.framing]
    matched = sum(1 for key in subjects if _holds(tokens, key, query))
    defines = query.definition is not None and query.definition.search(fold(best)) is not None
    # A search ("graduated sanctions") rather than a question: every word it names found in
    # the passages shown is the answer to it, if no one passage holds them all.
    shown: set[str] = set()
    for _, other, _ in scored:
        shown.update(*tokens_of(other.text, query))
    searched = query.keywords and all(_holds(shown, key, query) for key in subjects)
    return Evidence(score, cov, len(subjects), matched, defines, searched)


def _holds(tokens: set[str], key: str, query: Query) -> bool:
    return not tokens.isdisjoint(query.exact[key]) or not tokens.isdisjoint(query.forms[key])


def is_confident(found: Evidence, *, config: RankingConfig = RANKING) -> bool:
    """Whether the best passage is an answer, not the least bad guess.

    It must score well and hold most of what the question weighs (a word the readings never
    use weighs the most: "France" in "What is the capital of France?" leaves "capital" a
    minority). Two of the words that name the subject must meet in it (their meeting by chance
    is rare, one shared word is not evidence: "heart" in "at the heart of"), and a question
    about one thing ("what is X") is answered by a sentence that defines it. A search of a
    few words, not a question, is answered when the passages shown hold every one of them."""
    if found.score < config.confident_score or found.coverage < config.confident_coverage:
        return False
    if found.subjects <= 1:
        return found.matched == found.subjects == 1 and found.defines
    return found.matched >= 2 or found.searched


def rerank(
    query: Query, rows: list[sqlite3.Row], top: int, *, config: RankingConfig = RANKING,
    context: dict[int, str] | None = None,
) -> list[tuple[float, Passage, str]]:
    """The `top` best candidates, exactly as if every one had been scored in full.

    Sentence scoring is the costly part, and most candidates cannot reach the top: a passage's
    sentence score is at most `sentence_coverage` x its own coverage + `sentence_similarity` +
    the answer-type cues the passage itself carries, and its context can add at most the
    weight of the missing words whose letters it holds, so candidates are scored in order of
    that bound and the rest skipped once `top` scores beat it (measured in bench/: this keeps
    ask fast at 100k).
    `context` (bot.core.search.retrieval.context_texts) adds the question's words a passage's
    section title or the passage before it holds, at `context_weight`."""
    if not rows:
        return []
    context = context or {}
    q_text = " ".join(query.terms)
    scored: list[tuple[float, int, sqlite3.Row, str]] = []
    kept: list[float] = []  # min-heap of the best `top` scores so far
    for candidate in _bounds(query, rows, config, context):
        if len(kept) >= top and 100.0 * candidate.bound < kept[0]:
            break
        row = candidate.row
        partial = candidate.partial
        if candidate.room:
            partial += config.coverage_weight * _context_gain(
                candidate, context[row["rowid"]], query, config)
        sent_score, best = best_sentence(row["text"], q_text, query, config)
        score = 100.0 * (partial + config.sentence_weight * sent_score)
        scored.append((score, candidate.order, row, best))
        if len(kept) < top:
            heapq.heappush(kept, score)
        else:
            heapq.heappushpop(kept, score)
    scored.sort(key=lambda item: (-item[0], item[1]))
    # Uncapped: two passages holding every word of a short question both pass 100, and the
    # cues (a definition, a number) must still tell them apart. Shown on the 0-100 scale.
    return [(score, row_to_passage(row), best) for score, _, row, best in scored[:top]]


@dataclass(slots=True)
class _Candidate:
    bound: float  # the best score it could reach
    partial: float  # its score without the sentence part and its context's
    order: int  # its place among the rows
    row: sqlite3.Row
    coverage: float  # of the question, by its own words
    tokens: tuple[list[str], list[str]]
    room: float  # the most its context could add to `coverage`, at `context_weight`


def _bounds(
    query: Query, rows: list[sqlite3.Row], config: RankingConfig, context: dict[int, str]
) -> list[_Candidate]:
    """The candidates, the most promising first."""
    best_bm = min(r["bm"] for r in rows) or -1.0
    out = []
    for order, row in enumerate(rows):
        text = row["text"]
        tokens = tokens_of(text, query)
        cov = coverage_of(*tokens, query, config)
        bm = row["bm"] / best_bm if best_bm < 0 else 0.0
        room = _context_room(cov, tokens, context.get(row["rowid"]), query, config)
        partial = config.coverage_weight * cov + config.bm25_weight * bm
        sentence_bound = (config.sentence_coverage * cov + config.sentence_similarity
                          + answer_bonus(text, query, config))
        bound = partial + config.coverage_weight * room + config.sentence_weight * sentence_bound
        out.append(_Candidate(bound, partial, order, row, cov, tokens, room))
    out.sort(key=lambda c: (-c.bound, c.order))
    return out


def _context_room(
    cov: float, tokens: tuple[list[str], list[str]], around: str | None, query: Query,
    config: RankingConfig,
) -> float:
    """An upper bound on what the context adds, from substring tests alone: tokenising every
    candidate's context was a tenth of the rerank at 100k passages, and most never matter."""
    if not around or cov >= 1.0 or not query.total:
        return 0.0
    held = set(tokens[0]) | set(tokens[1])
    folded = fold(around)
    room = sum(weight for key, weight in query.weights.items()
               if held.isdisjoint(query.exact[key])
               and any(form in folded for form in query.exact[key] | query.forms[key]))
    return config.context_weight * min(room / query.total, 1.0 - cov)


def _context_gain(
    candidate: _Candidate, around: str, query: Query, config: RankingConfig
) -> float:
    """What the passage's context adds to its coverage, at `context_weight`."""
    words_, compounds_ = candidate.tokens
    more_words, more_compounds = tokens_of(around, query)
    with_context = coverage_of(words_ + more_words, compounds_ + more_compounds, query, config)
    return config.context_weight * (with_context - candidate.coverage)


_QUANTITY_ANSWER = {"money": MONEY, "year": YEAR, "number": NUMBER}


def answer_bonus(text: str, query: Query, config: RankingConfig = RANKING) -> float:
    """The answer-type cues `text` carries for this question (a number for "how many", a cause
    for "why", a quotation for "what did X say")."""
    return config.answer_type_bonus * (
        (query.wants_quantity and _QUANTITY_ANSWER[query.quantity].search(text) is not None)
        + (query.wants_cause and CAUSE_MARKERS.search(text) is not None)
        + (query.wants_speech and 0.5 * ((QUOTATION.search(text) is not None)
                                         + (SPEECH_MARKERS.search(text) is not None)))
        + (query.wants_importance and IMPORTANCE_MARKERS.search(text) is not None)
        + (query.wants_list and ENUMERATION.search(text) is not None)
    ) + config.definition_bonus * (
        query.definition is not None and query.definition.search(fold(text)) is not None
    )


def best_sentence(
    text: str, q_text: str, query: Query, config: RankingConfig = RANKING
) -> tuple[float, str]:
    """The sentence (or adjacent pair) that best answers; its score is 0..1 plus its cues."""
    sents = sentences(text) or [text]
    tokens = [tokens_of(s, query) for s in sents]
    windows = list(zip(sents, tokens, strict=True)) + [
        (f"{a} {b}", (wa + wb, ca + cb))
        for (a, (wa, ca)), (b, (wb, cb)) in itertools.pairwise(zip(sents, tokens, strict=True))
    ]
    spelled = frozenset(spelled_out([w for ws, _ in tokens for w in ws], query.acronyms)
                        if query.acronyms else ())
    best_score, best_text = -1.0, sents[0]
    for i, (window, (ws, cs)) in enumerate(windows):
        cov = coverage_of(ws, cs, query, config, spelled)
        if i >= len(sents):
            cov *= config.pair_penalty
        sim = fuzz.token_set_ratio(q_text, " ".join(w for w in ws if w not in STOPWORDS)) / 100
        score = (config.sentence_coverage * cov + config.sentence_similarity * sim
                 + answer_bonus(window, query, config))
        if score > best_score:
            best_score, best_text = score, window
    return max(best_score, 0.0), best_text
