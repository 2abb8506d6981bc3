"""`char.invisible`: insert a zero-width character between two grapheme clusters of a word (Boucher et al. 2022)."""
from __future__ import annotations

import random
from dataclasses import dataclass

from ...core import RateParams
from ...registry import register
from . import _common as cc

CHARS = {"zwsp": "\u200b", "wj": "\u2060", "zwj": "\u200d", "zwnj": "\u200c"}
# Where a joiner would show. Checked with HarfBuzz and Noto fonts on XNLI/XCOPA words (script in
# tests/goldens/char/render_check.py): ZWSP and WORD JOINER never change the rendering between two
# clusters; ZWNJ breaks Arabic-script joining and Latin ligatures (f+i) and moves a Devanagari
# anusvara's neighbour (मैं|ने), ZWJ changes Arabic-script joining forms. In Tamil, Thai, Greek, Cyrillic
# and Devanagari (ZWJ) the joiners change nothing between whole clusters (they would inside one, after a
# virama, which is never where we insert).
_NOT_IN = {"zwnj": {"ar", "ur", "hi", "de", "en", "es", "et", "fr", "ht", "id", "it", "qu", "sw", "tr", "vi"},
           "zwj": {"ar", "ur"}}


@dataclass(frozen=True)
class InvisibleParams(RateParams):
    """rate: share of eligible words (two or more clusters, a letter) that get one invisible character inside.
    chars: which characters may be used (zwsp, wj, zwj, zwnj), each only where it stays invisible."""

    rate: float = 0.1
    chars: tuple[str, ...] = ("zwsp", "wj", "zwj", "zwnj")

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.chars, tuple) or not self.chars or set(self.chars) - set(CHARS):
            raise ValueError(f"chars must be a non-empty tuple of {sorted(CHARS)}, got {self.chars!r}")


@register
class CharInvisible(cc.WordOp):
    name = "char.invisible"
    family = "char"
    description = "insert a zero-width space, word joiner or (where invisible) ZWJ/ZWNJ between clusters of a word"
    Params = InvisibleParams

    def candidates(self, text, lang):
        usable = [CHARS[c] for c in self.params.chars if lang not in _NOT_IN.get(c, ())]
        if not usable:
            return []
        # Words with a letter (not a bare number: the same rule as the other char ops), and two clusters
        # at least, so that there is an inside.
        return [(w, usable) for w in cc.words(text, lang)
                if len(w.clusters) >= 2 and any(map(cc.is_letter_cluster, w.clusters))]

    def touch(self, cand, rng: random.Random):
        return _insert(*cand, rng)


def _insert(word: cc.Word, usable: list[str], rng: random.Random):
    def build(i):
        ch = rng.choice(usable)
        new_text = "".join(word.clusters[:i]) + ch + "".join(word.clusters[i:])
        # The whole point is a character between clusters: ZWSP and WJ (Control) become a cluster of
        # their own; ZWJ and ZWNJ (Extend) join the preceding cluster. Either way no original cluster
        # may be split or merged with another.
        alone = word.clusters[:i] + (ch,) + word.clusters[i:]
        attached = word.clusters[:i - 1] + (word.clusters[i - 1] + ch,) + word.clusters[i:]
        if not (cc.resegments_as(new_text, alone) or cc.resegments_as(new_text, attached)):
            return None
        return [cc.cluster_span(word, i, i, ch)]

    return cc.first_valid(range(1, len(word.clusters)), rng, build)
