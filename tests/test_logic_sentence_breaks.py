"""The logic ops' multi-sentence check: Moses' nonbreaking prefixes (sacremoses) where they cover a language,
our per-language lists for the rest, numeric-only prefixes, and real breaks still found."""
from __future__ import annotations

import pytest

from perturb.ops.logic import _rules as R


def multi(text: str, lang: str) -> bool:
    rules = R.lang_rules(lang)
    return R.is_multi_sentence(text, lang, rules.abbreviations if rules else frozenset())


@pytest.mark.parametrize("lang, text", [
    ("en", "Gen. Smith said so."),                     # Moses: Gen
    ("en", "It was founded by Smith Inc. The end."),   # ours: inc (Moses lacks it), so no break is assumed
    ("de", "Miller Brewing Co. hat Meister Brau gekauft."),
    ("hi", "चार्ल्स एफ. लुमीस एक फोटोग्राफर थे।"),          # Moses: एफ (the initial F)
    ("fr", "Voir M. Dupont demain."),
    ("bg", "Роден е през 1990 г. в София."),           # not covered by Moses: our list (г)
])
def test_nonbreaking_prefixes_do_not_end_a_sentence(lang, text):
    assert not multi(text, lang)


def test_numeric_only_prefixes_hold_before_a_digit_only():
    assert not multi("See Art. 5 of the law.", "en")
    assert multi("She loves Art. Then she left.", "en")


def test_moses_prefixes_match_as_written():
    # "Con" is a Moses prefix; "con" (a word of its own here) is not, so the full stop ends the sentence.
    assert multi("It was a con. Nobody saw it.", "en")
    assert not multi("Ask Con. Smith about it.", "en")


@pytest.mark.parametrize("lang, text", [
    ("en", "The dog barked. The cat ran."),
    ("de", "Der Hund bellte. Die Katze lief."),
    ("ru", "Собака лаяла. Кошка бежала."),
    ("zh", "狗叫了。猫跑了。"),
    ("tr", "Köpek havladı. Kedi koştu."),
])
def test_real_breaks_are_still_found(lang, text):
    assert multi(text, lang)


def test_languages_moses_lacks_get_no_english_list():
    # sacremoses answers English for a language it does not have; that list must not be used for them.
    assert R.moses_prefixes("tr") == (frozenset(), frozenset())
    assert "Gen" in R.moses_prefixes("en")[0] and "No" in R.moses_prefixes("en")[1]
