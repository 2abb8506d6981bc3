"""`char.diacritics`: write a word without the accents, tone marks or harakat its language may drop in casual typing."""
from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass

from ... import segment
from ...core import RateParams
from ...registry import register
from . import _common as cc


# The kinds the diacritics tables use (third column); a test keeps the two in step.
KINDS = ("accent", "tone", "letter-mark", "haraka", "hamza", "nukta", "candra")


@dataclass(frozen=True)
class DiacriticsParams(RateParams):
    """rate: share of eligible words (with a strippable mark) written without their marks.
    kinds: which kinds of marks of the language's table to strip (empty = all), e.g. ("tone",) for
    Vietnamese without tone marks but with ă â ê ô ơ ư đ kept."""

    # Higher than the typo ops: accent-less typing drops the marks of many words, not of one in ten.
    rate: float = 0.5
    kinds: tuple[str, ...] = ()

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.kinds, tuple) or not set(self.kinds) <= set(KINDS):
            raise ValueError(f"kinds must be a tuple of {', '.join(KINDS)}; got {self.kinds!r}")


@register
class CharDiacritics(cc.WordOp):
    name = "char.diacritics"
    family = "char"
    description = "strip accents, tone marks, harakat or nukta from words, as the language is typed casually"
    Params = DiacriticsParams

    # Languages without a table (en, id, sw, ta, th, zh) write no optional marks: unsupported.
    table = "diacritics"

    def candidates(self, text, lang):
        out = []
        for w in cc.words(text, lang):
            new_clusters = stripped(w.text, lang, self.params.kinds)
            if new_clusters is not None:
                out.append((w, new_clusters))
        return out

    def touch(self, cand, rng: random.Random):
        # The whole word loses its marks (one word typed without accents), recorded cluster by cluster
        # so that each edit is as small as the change.
        word, new_clusters = cand
        return [cc.cluster_span(word, i, i + 1, new)
                for i, (old, new) in enumerate(zip(word.clusters, new_clusters)) if old != new]


@functools.lru_cache(maxsize=None)
def _table(lang: str, kinds: tuple[str, ...]) -> tuple[dict[str, str], frozenset[str]]:
    letters, marks = {}, set()
    for what, replacement, kind, *_ in cc.read_table("diacritics", lang):
        if kinds and kind not in kinds:
            continue
        if not replacement and unicodedata.category(what).startswith("M"):
            marks.add(what)
        else:
            letters[what] = replacement
    return letters, frozenset(marks)


@functools.lru_cache(maxsize=2**16)
def stripped(word: str, lang: str, kinds: tuple[str, ...]) -> tuple[str, ...] | None:
    """The word's clusters with the marks removed, or None if nothing changes or the result would not
    re-segment cluster for cluster (a removed mark must never leave a cluster split or merged)."""
    letters, marks = _table(lang, kinds)
    clusters = tuple(segment.graphemes(word))
    new = []
    for cluster in clusters:
        # Letters first, in their composed form (أ -> ا must not become "ا + hamza mark" first);
        # then marks, after canonical decomposition (é = e + U+0301); then recompose.
        mapped = "".join(letters.get(ch, ch) for ch in cluster)
        bare = "".join(ch for ch in unicodedata.normalize("NFD", mapped) if ch not in marks)
        new.append(unicodedata.normalize("NFC", bare) if bare else cluster)
    w = cc.Word(0, len(word), word, clusters)
    if not cc.valid_word_edit(w, new):
        return None
    return tuple(new)
