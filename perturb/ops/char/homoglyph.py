"""`char.homoglyph`: replace a letter by a letter of another script that renders identically (Latin а/a, Greek Ο/O)."""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from ...core import RateParams
from ...registry import register
from . import _common as cc

# Which table serves a language: its letters' script. Other scripts (Arabic, Devanagari, Tamil, Thai,
# Han) have no letter that renders identically to a letter of another script: unsupported.
SCRIPT_TABLE = {
    **{lang: "latin" for lang in ("de", "en", "es", "et", "fr", "ht", "id", "it", "qu", "sw", "tr", "vi")},
    "bg": "cyrillic", "ru": "cyrillic", "el": "greek",
}


@dataclass(frozen=True)
class HomoglyphParams(RateParams):
    """rate: share of eligible words (with a letter that has an identical-looking letter in another
    script) in which one such letter is replaced."""

    rate: float = 0.1


@register
class CharHomoglyph(cc.WordOp):
    name = "char.homoglyph"
    family = "char"
    description = "replace a letter by an identical-looking letter of another script (Unicode confusables)"
    Params = HomoglyphParams

    @classmethod
    def language_pool(cls):
        return {lang for lang, t in SCRIPT_TABLE.items() if cc.has_table("homoglyphs", t)}

    def candidates(self, text, lang):
        table = _table(SCRIPT_TABLE[lang])
        out = []
        for w in cc.words(text, lang):
            # Whole one-code-point clusters only: a decomposed or accented letter has no pair whose
            # identical rendering was checked.
            slots = [i for i, c in enumerate(w.clusters) if c in table]
            if slots:
                out.append((w, slots, table))
        return out

    def touch(self, cand, rng: random.Random):
        word, slots, table = cand

        def build(i):
            new_cluster = rng.choice(table[word.clusters[i]])
            new = word.clusters[:i] + (new_cluster,) + word.clusters[i + 1:]
            return [cc.cluster_span(word, i, i + 1, new_cluster)] if cc.valid_word_edit(word, new) else None

        return cc.first_valid(slots, rng, build)


@functools.lru_cache(maxsize=None)
def _table(script: str) -> dict[str, tuple[str, ...]]:
    return {row[0]: tuple(row[1].split()) for row in cc.read_table("homoglyphs", script)}
