"""`char.insert`: insert one letter of the language's own alphabet between two grapheme clusters of a word."""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from types import MappingProxyType

from ... import segment
from ...core import RateParams
from ...registry import register
from . import _common as cc


@dataclass(frozen=True)
class InsertParams(RateParams):
    """rate: share of eligible words (two adjacent letters of the language's script) that get one letter."""

    rate: float = 0.1


@register
class CharInsert(cc.WordOp):
    """Models an extra keystroke (a letter typed by one key of the language's layout, between two letters
    of a word). Every letter of
    the word stays, so any word with two letters qualifies; Thai insertions pass the input sequence
    check; an insertion that writes another frequent word is skipped (_common.REAL_WORD_LANGS)."""

    name = "char.insert"
    family = "char"
    description = "insert a letter of the language's own alphabet between two clusters of a word"
    Params = InsertParams

    table = "alphabets"
    declined = MappingProxyType({"zh": cc.ZH_WORD_BY_WORD})

    def candidates(self, text, lang):
        alpha = cc.alphabet(lang)
        out = []
        for w in cc.words(text, lang):
            gaps = _gaps(w.text, lang)
            if gaps:
                out.append((w, gaps, alpha, lang))
        return out

    def touch(self, cand, rng: random.Random):
        word, gaps, alpha, lang = cand

        def build(i):
            # A capital only between capitals ("USA" -> "UKSA"), else lowercase.
            caps = all(c[0] in alpha.lower_of for c in word.clusters[i - 1:i + 1])
            letter = rng.choice(_key_letters(lang))
            if caps:
                letter = alpha.upper[letter] or letter
            new = word.clusters[:i] + (letter,) + word.clusters[i:]
            return [cc.cluster_span(word, i, i, letter)] if cc.valid_word_edit(word, new, lang) else None

        return cc.first_valid(gaps, rng, build)


@functools.lru_cache(maxsize=None)
def _key_letters(lang: str) -> tuple[str, ...]:
    """The alphabet's letters that one key of the language's layout types (plain or Shift): an extra
    keystroke writes one of those, not a letter that needs a dead key ("les" -> "leïs", "σϊυντελεί"). The
    whole alphabet where the language has no layout table (zh)."""
    from .keyboard import _layout  # keyboard imports _common only: no cycle

    alpha = cc.alphabet(lang)
    keys = _layout(lang) if cc.has_table("keyboards", lang) else {}
    return tuple(letter for letter in alpha.letters if letter in keys) or alpha.letters


@functools.lru_cache(maxsize=2**16)
def _gaps(word: str, lang: str) -> tuple[int, ...]:
    """Cluster boundaries of a word where a letter may go (memoised: words recur throughout a corpus).

    Between two letters of the alphabet's script only: a Cyrillic letter never goes into a Latin name
    quoted in Russian text, nor a Latin letter into any other script."""
    alpha = cc.alphabet(lang)
    clusters = segment.graphemes(word)
    ok = [cc.is_letter_cluster(c) and alpha.script.match(c) is not None for c in clusters]
    # Not before Urdu's ھ: it belongs to the consonant before it (کھ is one sound, "kh").
    return tuple(i for i in range(1, len(ok)) if ok[i - 1] and ok[i] and not clusters[i].startswith("ھ"))
