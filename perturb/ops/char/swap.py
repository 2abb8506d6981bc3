"""`char.swap`: swap two adjacent grapheme clusters inside a word (the reference char-noise op)."""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from types import MappingProxyType

import regex

from ... import segment
from ...core import RateParams
from ...registry import register
from . import _common as cc


_LETTER = regex.compile(r"[\p{L}\p{M}]")


@dataclass(frozen=True)
class SwapParams(RateParams):
    """rate: share of eligible words in which one adjacent pair of clusters is swapped."""

    rate: float = 0.1


@functools.lru_cache(maxsize=2**16)
def _swappable_pairs(word_text: str) -> tuple[int, ...]:
    # Only letters (no digits: "1998"→"9198" changes a fact, not spelling), and only distinct pairs
    # (swapping "ll" is a no-op). The swap must also survive re-segmentation: a Devanagari half-form
    # (consonant + virama) moved before another cluster would fuse into a different cluster.
    # Memoised on the word: the same words recur throughout a corpus.
    if segment.single_code_point_clusters(word_text):
        return tuple(_plain_pairs(word_text))
    clusters = tuple(segment.graphemes(word_text))
    word = cc.Word(0, len(word_text), word_text, clusters)
    out = []
    for i in range(len(clusters) - 1):
        a, b = clusters[i], clusters[i + 1]
        if a != b and _LETTER.match(a) and _LETTER.match(b):
            if cc.valid_word_edit(word, clusters[:i] + (b, a) + clusters[i + 2:]):
                out.append(i)
    return tuple(out)


def _plain_pairs(text: str):
    """_swappable_pairs of a word whose clusters are single code points, lazily: the swapped word
    re-segments into the same single code points, so only the letter, NFC and input-sequence parts of the
    check apply."""
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a != b and cc.is_letter_cluster(a) and cc.is_letter_cluster(b):
            new = text[:i] + b + a + text[i + 2:]
            if cc.keeps_nfc(text, new) and cc.typeable(text, new):  # Thai: "เขา" -> "ขเา" is untypeable
                yield i


@functools.lru_cache(maxsize=2**16)  # words recur throughout a corpus
def _has_swappable_pair(text: str) -> bool:
    """bool(_swappable_pairs(text)), stopping at the first pair that qualifies."""
    if not segment.single_code_point_clusters(text):
        return bool(_swappable_pairs(text))
    return next(_plain_pairs(text), None) is not None


ARABIC_SCRIPT = frozenset({"ar", "ur"})


def _keep_capital(a: str, b: str, lang: str) -> str:
    """The first two clusters of a word swapped, the capital staying first: the shift is pressed for the first
    key whatever it types, so "Punkuqa" slips to "Upnkuqa", never "uPnkuqa" (audit of 0.4.0). Turkish dotted
    and dotless i keep their own capitals (i/İ, ı/I)."""
    if not (a.isupper() and b.islower()):
        return b + a
    upper, lower = b.upper(), a.lower()
    if lang == "tr":  # (as logic._rules.fold does)
        upper = {"i": "İ", "ı": "I"}.get(b, upper)
        lower = {"İ": "i", "I": "ı"}.get(a, lower)
    if len(upper) != len(b) or len(lower) != len(a):
        return b + a  # a letter whose case pair is not one code point ("ß" -> "SS"): keep the plain swap
    return upper + lower




@register
class CharSwap(cc.WordOp):
    """Models two keystrokes typed in the wrong order (two adjacent clusters swapped). Words of two letters
    or more (three in Arabic script), every letter kept; Thai swaps pass the input sequence check (no "ม่ไ" from ไม่); a swap
    that writes another frequent word is skipped (_common.REAL_WORD_LANGS)."""

    name = "char.swap"
    family = "char"
    description = "swap two adjacent grapheme clusters inside a word"
    Params = SwapParams
    declined = MappingProxyType({"zh": cc.ZH_WORD_BY_WORD})

    def candidates(self, text, lang):
        # Whether a word has a swappable pair is usually settled by its first pair; the full list is
        # only needed for the words touched.
        # Two letters at least (see _common.MIN_UNITS): a swap keeps every letter of the word.
        # Arabic script: three, since a two-letter word swapped (في -> يف, آپ -> پآ) reads as that word
        # written backwards, not as a slip.
        need = cc.MIN_UNITS["swap"] + (lang in ARABIC_SCRIPT)
        return [(w, lang) for w in cc.words(text, lang) if cc.units(w) >= need and _has_swappable_pair(w.text)]

    def touch(self, cand, rng: random.Random):
        word, lang = cand
        pairs = _swappable_pairs(word.text)

        def build(i):
            # A swap that writes another frequent word ("from" -> "form") changes the sentence: next pair.
            a, b = word.clusters[i], word.clusters[i + 1]
            swapped = _keep_capital(a, b, lang) if i == 0 else b + a
            new = word.text[:word.offset(i) - word.start] + swapped + word.text[word.offset(i + 2) - word.start:]
            return None if cc.other_word(word.text, new, lang) else [cc.cluster_span(word, i, i + 2, swapped)]

        return cc.first_valid(pairs, rng, build)
