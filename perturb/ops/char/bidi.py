"""`char.bidi`: store a word's clusters in reverse order inside a bidi override, so it renders unchanged (Boucher et al. 2022)."""
from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass

import regex

from ... import segment
from ...core import RateParams, Span
from ...registry import register
from . import _common as cc

RLO, LRO, PDF = "\u202e", "\u202d", "\u202c"
RTL_LANGS = frozenset({"ar", "ur"})
# Renderers reverse an override run by their own clusters; HarfBuzz's do not include Unicode 15.1
# conjunct clusters (क्ष, र्म) nor Thai SARA AM, so such words would render differently and are left
# alone. With these exclusions the reversed words rendered glyph-identical to the originals in HarfBuzz
# with Noto fonts for every language checked (tests/goldens/char/render_check.py).
_CONJUNCT = regex.compile(r"\u094d[\u200c\u200d]?\p{L}")
_SARA_AM = "\u0e33"


@dataclass(frozen=True)
class BidiParams(RateParams):
    """rate: share of eligible words (two or more clusters, one writing direction, no digits) stored
    reversed inside a right-to-left (left-to-right for Arabic script) override."""

    rate: float = 0.1


@register
class CharBidi(cc.WordOp):
    name = "char.bidi"
    family = "char"
    description = "encode a word's clusters in reverse order inside a bidi override so that it renders unchanged"
    Params = BidiParams

    def candidates(self, text, lang):
        return [(w, lang) for w in cc.words(text, lang) if _eligible(w.text, lang)]

    def touch(self, cand, rng: random.Random):
        return _reverse(*cand)


@functools.lru_cache(maxsize=2**16)
def _eligible(word: str, lang: str) -> bool:
    clusters = segment.graphemes(word)
    # A palindrome would only gain the controls, not be reordered.
    if clusters == clusters[::-1] or _SARA_AM in word or _CONJUNCT.search(word):
        return False
    # One direction only: a mixed word ("U2کو") or a number would be reordered differently by the
    # bidi algorithm than a plain run of letters.
    want = {"R", "AL"} if lang in RTL_LANGS else {"L"}
    for ch in word:
        cat = unicodedata.category(ch)
        if cat.startswith("N"):
            return False
        if cat.startswith("L") and unicodedata.bidirectional(ch) not in want:
            return False
    return True


def _reverse(word: cc.Word, lang: str):
    override = LRO if lang in RTL_LANGS else RLO
    rev = tuple(reversed(word.clusters))
    new = override + "".join(rev) + PDF
    if not cc.resegments_as(new, (override,) + rev + (PDF,)):
        return None
    return [Span(word.start, word.end, new)]
