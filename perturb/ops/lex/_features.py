"""Whether lex.inflect may write one form of a lemma for another: only where both are known to differ in case or agreement gender alone, never in person, number, tense, degree or lexeme (an offline analyser, or a per-language table of case endings)."""
from __future__ import annotations

import functools

from . import _common as lc
from . import _inflect as inf

# Languages checked by an offline morphological analyser: (module, the distribution of its dictionary).
ANALYSERS = {"ru": ("pymorphy3", "pymorphy3-dicts-ru")}
# A stem shorter than this is no stem: "о" + "ς" is not a form of anything.
_MIN_STEM = 2


def method(lang: str) -> str | None:
    """'analyser', 'endings', or None where nothing can tell a case ending from one that changes the claim."""
    if lang in ANALYSERS:
        return "analyser" if analyser_available(lang) else None
    rules = inf.keep_rules(lang)
    return "endings" if rules.case_sets or rules.case_to else None


def analyser_available(lang: str) -> bool:
    module, dicts = ANALYSERS[lang]
    return lc.library_available(module) and lc.library_version(dicts) != "absent"


def analyser_id(lang: str) -> str:
    """The analyser and dictionary versions, for the op's signature ("" where the language has none)."""
    if lang not in ANALYSERS:
        return ""
    module, dicts = ANALYSERS[lang]
    return f"{module}-{lc.library_version(module)}+{dicts}-{lc.library_version(dicts)}"


def keeps_features(original: str, replacement: str, lang: str, *, lower: bool = True,
                   forms: frozenset[str] = frozenset()) -> bool:
    """Whether replacement (NFC, lower case) differs from original only in case (or, by an ending table, an
    adjective's agreement ending) and is no nominative where the original is none; lower: whether the
    dictionary writes the replacement in lower case (a capitalised German form is a noun); forms: the lemma
    group's forms, lower-cased (stem-checked lines need the bare stem among them)."""
    how = method(lang)
    if how == "analyser":
        return _by_analyser(original, replacement, lang)
    if how == "endings":
        return _by_endings(original, replacement, inf.keep_rules(lang), lower, forms)
    return False


def _by_analyser(original: str, replacement: str, lang: str) -> bool:
    a = _reading(original, lang)
    if a is None or a != _reading(replacement, lang):
        return False
    # Only an adjective or participle: its case ending out of agreement is the learner's slip ("в нашим доме");
    # a noun in another case reads as a random case no one writes ("В нашем домом", "Во время допросом": 0 of
    # 10 noun swaps acceptable in the 0.4.0 audit).
    if not _attributive(original, lang):
        return False
    # Never into the nominative: a new subject could swap who acts (Маму видит папа -> Мама видит папа).
    if _nominative(replacement, lang) and not _nominative(original, lang):
        return False
    # Nor between the accusative and the locative or instrumental: after в, на, за, под they tell direction
    # from place ("приходится на барабаны" -> "на барабанах"), as Estonian cases do.
    a_cases, b_cases = _cases(original, lang), _cases(replacement, lang)
    return not ("accs" in a_cases and b_cases & _PLACE or "accs" in b_cases and a_cases & _PLACE)


def _by_endings(original: str, replacement: str, rules: inf.KeepRules, lower: bool, forms: frozenset[str]) -> bool:
    """Both forms are one stem with two endings of one case line (or a case-to pair, in its direction)."""
    def stem_ok(a: str, b: str, needs_stem: bool) -> bool:
        return _same_stem(original, a, replacement, b) and (not needs_stem or original[:-len(a) or None] in forms)

    for ends, lower_only in rules.case_sets:
        # A case-lower line is an adjective's (German): its bare form must be attested too (gut / gute).
        if (lower or not lower_only) and any(stem_ok(a, b, lower_only) for a in ends for b in ends if a != b):
            return True
    return any(stem_ok(a, b, needs_stem) for a, b, capital_only, needs_stem in rules.case_to
               if not (capital_only and lower))


def _same_stem(original: str, a: str, replacement: str, b: str) -> bool:
    if not (original.endswith(a) and replacement.endswith(b)):
        return False
    stem = original[:len(original) - len(a)]
    return len(stem) >= _MIN_STEM and replacement[:len(replacement) - len(b)] == stem


@functools.lru_cache(maxsize=None)
def _analyser(lang: str):
    import pymorphy3  # lazy: loading the dictionary takes a second

    return pymorphy3.MorphAnalyzer(lang=lang)


def _agreement(lang: str) -> frozenset[str]:
    """The grammemes a swap may change: case, and animacy (marked on accusative adjectives: новый / нового).
    Not gender: with я or ты an adjective's gender is the only one said (Я был так расстроен -> расстроена),
    and a noun-like adjective's gender is its referent's (больной "patient" / больная)."""
    tag = _analyser(lang).TagClass
    return frozenset(tag.CASES | tag.ANIMACY)


_PLACE = frozenset({"loct", "loc1", "loc2", "ablt"})


@functools.lru_cache(maxsize=2**16)
def _cases(word: str, lang: str) -> frozenset[str]:
    return frozenset(p.tag.case for p in _analyser(lang).parse(word) if p.tag.case)


@functools.lru_cache(maxsize=2**16)
def _attributive(word: str, lang: str) -> bool:
    """Whether every analysis of word is a full adjective or participle (pymorphy's ADJF, PRTF)."""
    return all(p.tag.POS in ("ADJF", "PRTF") for p in _analyser(lang).parse(word))


@functools.lru_cache(maxsize=2**16)
def _nominative(word: str, lang: str) -> bool:
    """Whether some analysis of word is a nominative (or a vocative, which reads like one)."""
    return any(p.tag.case in ("nomn", "voct") for p in _analyser(lang).parse(word))


@functools.lru_cache(maxsize=2**16)
def _reading(word: str, lang: str) -> tuple | None:
    """(normal form, every other grammeme) shared by all the analyses of a word the dictionary knows; None for
    an unknown word or one whose analyses differ in anything but case (книги: genitive singular or
    nominative plural; стали: "became" or "steel"), since the swap could then change its number or lexeme."""
    morph = _analyser(lang)
    if not morph.word_is_known(word):
        return None
    drop = _agreement(lang)
    readings = {(p.normal_form, frozenset(g for g in p.tag.grammemes if g not in drop and not g.startswith("V-")))
                for p in morph.parse(word)}
    return readings.pop() if len(readings) == 1 else None
