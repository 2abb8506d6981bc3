"""`char.delete`: delete one grapheme cluster (a whole letter with its marks) inside a word."""
from __future__ import annotations

import random
from dataclasses import dataclass

from ...core import RateParams
from ...registry import register
from . import _common as cc


@dataclass(frozen=True)
class DeleteParams(RateParams):
    """rate: share of eligible words (three or more letters: see _common.units) from which one cluster is deleted."""

    rate: float = 0.1


@register
class CharDelete(cc.WordOp):
    """Models a dropped keystroke (one cluster deleted). Words of three letters or more, so two stay (Thai
    counts consonants: เรอ is not eligible); Thai deletions pass the input sequence check (no "เา" from
    เขา); a deletion that writes another frequent word is skipped (_common.REAL_WORD_LANGS)."""

    name = "char.delete"
    family = "char"
    description = "delete one grapheme cluster (letter plus its marks) from a word"
    Params = DeleteParams

    def candidates(self, text, lang):
        # Three letters at least: deleting one of two leaves one, which no reader recognises as the word
        # ("เรอ" -> "เอ" deleted the only verb of a sentence), and deleting the only letter deletes the word.
        return [(w, lang) for w in cc.words(text, lang) if cc.units(w) >= cc.MIN_UNITS["delete"]]

    def touch(self, cand, rng: random.Random):
        word, lang = cand
        # Only letter clusters go (not a digit of "1998"); the rest must re-segment unchanged, e.g. the
        # neighbours of the deleted cluster must not fuse into a new conjunct or Hangul syllable, a Thai
        # word must stay typeable (no "เา" from "เขา") and the result must not be another frequent word.
        letters = [i for i, c in enumerate(word.clusters) if cc.is_letter_cluster(c)]

        def build(i):
            rest = word.clusters[:i] + word.clusters[i + 1:]
            return [cc.cluster_span(word, i, i + 1, "")] if cc.valid_word_edit(word, rest, lang) else None

        return cc.first_valid(letters, rng, build)
