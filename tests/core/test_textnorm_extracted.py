"""One normal form for extracted text, shared by indexing, questions and quotes."""

from __future__ import annotations

from collections import Counter

from bot.core.textnorm import dehyphenate, fold, normalize_extracted, repair_splits


def test_ligatures_soft_hyphens_and_invisible_characters() -> None:
    assert normalize_extracted("coeﬃcients ﬁnd ﬂows ﬀ") == "coefficients find flows ff"
    assert normalize_extracted("Bundes\u00adtag\u200b wahl\u00a0now") == "Bundestag wahl now"
    assert normalize_extracted("marker¹²") == "marker¹²"  # footnote markers stay
    assert fold(normalize_extracted("Coeﬃcients")) == fold("coefficients")


def test_dehyphenate_joins_broken_words_and_keeps_compounds() -> None:
    assert dehyphenate("the ques-", "tionnaires were") == "the questionnaires were"
    assert dehyphenate("their self-", "interest", {"self-interest"}) == "their self-interest"
    assert dehyphenate("Baden-", "Württemberg") == "Baden- Württemberg"  # a capital: not a break
    assert dehyphenate("ends.", "Next") == "ends. Next"


def test_repair_splits_uses_the_texts_own_words() -> None:
    words = Counter("we identified it in cameroon and identified more yourselves you you".split())
    text = "they iden tified it in Cameroo n; tearing you rselves apart; you and"
    assert repair_splits(text, words) == "they identified it in Cameroon; tearing yourselves apart; you and"
    # Two real words stay two words even if their join is a word too.
    assert repair_splits("you rselves", Counter({"you": 3, "rselves": 3, "yourselves": 1})) == "you rselves"
