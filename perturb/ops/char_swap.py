"""`char.swap`: swap two adjacent grapheme clusters inside a word (the reference char-noise op)."""
from __future__ import annotations

import random
from dataclasses import dataclass

import regex

from ..core import Perturbation, RateParams, Span, n_to_touch, task_languages
from ..registry import register
from .. import segment

_LETTER = regex.compile(r"[\p{L}\p{M}]")


@dataclass(frozen=True)
class SwapParams(RateParams):
    """rate: share of eligible words in which one adjacent pair of clusters is swapped."""

    rate: float = 0.1


def _swappable_pairs(clusters: list[str]) -> list[int]:
    # Only letters (no digits: "1998"→"9198" changes a fact, not spelling), and only distinct pairs
    # (swapping "ll" is a no-op). The swap must also survive re-segmentation: a Devanagari half-form
    # (consonant + virama) moved before another cluster would fuse into a different cluster.
    out = []
    for i in range(len(clusters) - 1):
        a, b = clusters[i], clusters[i + 1]
        if a != b and _LETTER.match(a) and _LETTER.match(b):
            swapped = clusters[:i] + [b, a] + clusters[i + 2:]
            if segment.graphemes("".join(swapped)) == swapped:
                out.append(i)
    return out


@register
class CharSwap(Perturbation):
    name = "char.swap"
    family = "char"
    description = "swap two adjacent grapheme clusters inside a word"
    Params = SwapParams

    @classmethod
    def languages(cls, task):
        return task_languages(task, segment.LANGS) if task in cls.tasks else frozenset()

    def edit_field(self, text, *, field, example, rng: random.Random):
        candidates = []
        for tok in segment.words(text, example.lang):
            clusters = segment.graphemes(tok.text)
            pairs = _swappable_pairs(clusters)
            if pairs:
                candidates.append((tok, clusters, pairs))
        n = n_to_touch(self.params.rate, len(candidates))
        if n == 0:
            return None
        spans = []
        for tok, clusters, pairs in sorted(rng.sample(candidates, n), key=lambda c: c[0].start):
            i = rng.choice(pairs)
            start = tok.start + sum(len(c) for c in clusters[:i])
            a, b = clusters[i], clusters[i + 1]
            spans.append(Span(start, start + len(a) + len(b), b + a))
        return spans
