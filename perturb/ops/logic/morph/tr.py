"""Turkish morphology for negation.yaml `morph: tr_verb`: -mA- with vowel harmony on a sentence-final past verb,
and its removal from a negative past, progressive or future verb."""
from __future__ import annotations

import functools

import regex

from ....core import Span
from .._rules import fold
from .base import Cand, last_word


# Turkish: vowel harmony classes.
_BACK = set("aıou")
_FRONT = set("eiöü")
_VOWELS = _BACK | _FRONT
_VOICELESS = set("çfhkpsşt")


def _last_vowel(s: str) -> str | None:
    for ch in reversed(s):
        if ch in _VOWELS or ch in "âîû":
            return {"â": "a", "î": "i", "û": "u"}.get(ch, ch)
    return None


def _a(v):  # two-way harmony (a/e)
    return "a" if v in _BACK else "e"


def _i(v):  # four-way harmony (ı/i/u/ü)
    return {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[v]


_PERSON = r"(m|n|k|nız|niz|nuz|nüz|lar|ler|ız|iz|uz|üz)?"
_PAST = regex.compile(r"^(?P<stem>\w*?\w\w)(?P<d>[dt])(?P<v>[ıiuü])" + r"(?P<p>m|n|k|nız|niz|nuz|nüz|lar|ler)?$")
_NEG_PAST = regex.compile(r"^(?P<stem>\w*?\w\w)m(?P<a>[ae])d(?P<v>[ıi])(?P<p>m|n|k|nız|niz|lar|ler)?$")
_NEG_PROG = regex.compile(r"^(?P<stem>\w*?\w)m(?P<v>[ıiuü])yor(?P<p>um|sun|uz|sunuz|lar)?$")
_NEG_FUT = regex.compile(r"^(?P<stem>\w*?\w)m(?P<a>[ae])y(?P<rest>[ae]c[ae][kğ]\w*)$")


def _person(p: str | None, vowel_a: str) -> str:
    """Re-harmonise a person ending after a suffix whose harmony vowel is now a/e (ı/i)."""
    if not p:
        return ""
    i = "ı" if vowel_a == "a" else "i"
    table = {"m": "m", "n": "n", "k": "k", "lar": "l" + vowel_a + "r", "ler": "l" + vowel_a + "r"}
    if p in table:
        return table[p]
    if p in ("nız", "niz", "nuz", "nüz"):
        return "n" + i + "z"
    return p


def _local(rule, text, toks, folded, lang):
    """Sentence-final Turkish past verb (-DI) on a listed verb stem: add -mA with vowel harmony.

    Only listed stems (optionally with a passive/causative suffix) are taken: a nominal predicate with the past
    copula ("güzeldi", "açıktı") has the same ending and would become ungrammatical."""
    j = last_word(toks)
    if j is None or toks[j].text[:1].isupper():
        return []
    word = toks[j].text
    low = fold(word, lang)
    if low != word:
        return []
    m = _PAST.match(low)
    if not m or not _known_stem(m["stem"], rule):
        return []
    stem = m["stem"]
    v = _last_vowel(stem)
    if v is None:
        return []
    a = _a(v)
    new = stem + "m" + a + "d" + ("ı" if a == "a" else "i") + _person(m["p"], a)
    return [Cand(j, [Span(toks[j].start, toks[j].end, new)])]


@functools.lru_cache(maxsize=None)
def _stems(stems: frozenset) -> tuple[frozenset, regex.Pattern]:
    return stems, regex.compile(r"(?:ıl|il|ul|ül|ın|in|un|ün|n|l|t|dır|dir|dur|dür|tır|tir|tur|tür|ış|iş|uş|üş|ş)$")


def _known_stem(stem: str, rule) -> bool:
    stems, voice = _stems(rule.verb_stems)
    if stem in stems:
        return True
    # A passive/causative/reciprocal suffix on a listed stem: "kullan-ıl", "yap-tır", "bul-uş".
    m = voice.search(stem)
    return bool(m) and stem[:m.start()] in stems


def _abilitative(stem: str, rule) -> bool:
    """A stem before -mA that ends in a/e and is not a listed verb: most likely the abilitative -(y)A-
    ("inemedi" = in-e-me-di, "okuyamadı"), whose positive is "-ebildi", not "inedi"."""
    known = rule.verb_stems
    return bool(known) and stem[-1:] in ("a", "e") and stem not in known


def _denegate(rule, text, toks, folded, i, lang):
    """Remove -mA from a sentence-final negative past, progressive or future verb."""
    if i != last_word(toks):
        return None
    word = toks[i].text
    low = fold(word, lang)
    if low != word:
        return None
    m = _NEG_PAST.match(low) or _NEG_PROG.match(low) or _NEG_FUT.match(low)
    if m and _abilitative(m["stem"], rule):
        return None
    m = _NEG_PAST.match(low)
    if m:
        stem = m["stem"]
        v = _last_vowel(stem)
        if v is None:
            return None
        d = "t" if stem[-1] in _VOICELESS else "d"
        vi = _i(v)
        new = stem + d + vi + _person_after(m["p"], vi)
        return [Span(toks[i].start, toks[i].end, new)]
    soften = rule.soften
    m = _NEG_PROG.match(low)
    if m:
        stem = m["stem"]
        if stem in soften:
            stem = soften[stem]  # "et-miyor" → "ed-iyor"
        elif stem.endswith("t"):
            return None  # t/d alternation not known for this stem
        if stem[-1] in "ae":
            # "başla-mıyor" → "başlıyor": a stem-final a/e is replaced by the progressive's vowel.
            base = stem[:-1]
        else:
            base = stem
        v = _last_vowel(base)
        if v is None:
            return None
        new = base + _i(v) + "yor" + (m["p"] or "")
        return [Span(toks[i].start, toks[i].end, new)]
    m = _NEG_FUT.match(low)
    if m:
        stem = m["stem"]
        if stem in soften:
            stem = soften[stem]
        elif stem.endswith("t"):
            return None
        rest = m["rest"]
        glue = "y" if stem[-1] in _VOWELS else ""
        new = stem + glue + rest
        return [Span(toks[i].start, toks[i].end, new)]
    return None


def _person_after(p, vi):
    if not p:
        return ""
    if p in ("m", "n", "k"):
        return p
    if p in ("nız", "niz"):
        return "n" + vi + "z"
    if p in ("lar", "ler"):
        return "lar" if vi in "ıu" else "ler"
    return p


LOCAL = {"tr_verb": _local}
DENEGATE = {"tr_verb": _denegate}
