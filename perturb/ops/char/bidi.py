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
# Arabic script: two neighbouring letters (past any marks) that join as written or as stored reversed,
# i.e. both joining and one of them dual-joining or join-causing (كتب, لا; أن joins once reversed, "نأ").
# Stored reversed inside an override, HarfBuzz shapes the run in the script's own direction again
# (hb-ot-shape.cc, hb_ensure_native_direction) and draws the original forms; a shaper that joins in
# stored order, as UAX #9 section 3.5 describes shaping within a directional run (HarfBuzz's maintainers
# name this as where it parts from other shapers, harfbuzz issue #501), draws ب initial where the word
# has it final: "بتك" for كتب. Only words with no such pair (دار, ورد, أدوار) look the same in both.
_JOINS = regex.compile(r"[\p{jt=D}\p{jt=C}]\p{jt=T}*[\p{jt=D}\p{jt=R}\p{jt=C}]"
                       r"|\p{jt=R}\p{jt=T}*[\p{jt=D}\p{jt=C}]")


@dataclass(frozen=True)
class BidiParams(RateParams):
    """rate: share of eligible words (two or more clusters, one writing direction, no digits; in Arabic
    script no two letters that join) stored reversed inside a right-to-left (left-to-right for Arabic
    script) override."""

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
    """Whether the reversed word renders as the word in HarfBuzz and in a shaper that joins Arabic letters in
    stored order (_JOINS)."""
    return _one_run(word, lang) and not (lang in RTL_LANGS and _JOINS.search(word))


def _one_run(word: str, lang: str) -> bool:
    """Whether the word reverses as one run of clusters in HarfBuzz: one direction, no palindrome, no
    conjunct or SARA AM."""
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
