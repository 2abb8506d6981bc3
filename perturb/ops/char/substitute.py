"""`char.substitute`: replace the letter of one grapheme cluster by another letter of the language's own alphabet (zh: a look-alike character)."""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from ... import segment
from ...core import RateParams
from ...registry import register
from . import _common as cc


@dataclass(frozen=True)
class SubstituteParams(RateParams):
    """rate: share of eligible words (with a letter of the language's alphabet) in which one is replaced."""

    rate: float = 0.1


@register
class CharSubstitute(cc.WordOp):
    """Models a wrong letter (a misspelling not tied to the keyboard): any other letter of the same class
    of the alphabet; in zh a look-alike character (resources/shapes/zh.tsv: 末 -> 未, 拨 -> 拔, 情 -> 晴),
    the confusion of a writer or reader who mistakes shapes: the two share more than a radical (a phonetic
    or other large component, or nearly all strokes), so 家 -> 宪, alike only in 宀, is not written. A
    look-alike may happen to sound alike (情/晴 share 青); char.keyboard's zh slip is the other error, a wrong
    pinyin-IME candidate of the same syllable, which keeps the sound and need not look alike. Words of two
    letters or more (_common.MIN_UNITS): zh never replaces a one-character word. Thai edits pass the input
    sequence check; results that are another frequent word are skipped (_common.REAL_WORD_LANGS)."""

    name = "char.substitute"
    family = "char"
    description = ("replace one letter of a word by another letter of the language's own alphabet, keeping its "
                   "marks (zh: a look-alike character)")
    Params = SubstituteParams

    table = "alphabets"

    def candidates(self, text, lang):
        alpha = cc.alphabet(lang)
        out = []
        for w in cc.words(text, lang):
            # Two letters at least (see _common.MIN_UNITS): replacing the only letter replaces the word.
            slots = _slots(w.text, lang) if cc.units(w) >= cc.MIN_UNITS["substitute"] else ()
            if slots:
                out.append((w, slots, alpha, lang))
        return out

    def touch(self, cand, rng: random.Random):
        word, slots, alpha, lang = cand

        def build(i):
            cluster = word.clusters[i]
            lower = alpha.lowercase(cluster[0])
            is_cap = lower != cluster[0]
            # The cluster's first code point is its letter; the rest (Thai tone marks, a Devanagari
            # matra or virama, Arabic harakat) stays. A letter of the same class replaces it: a
            # consonant for a consonant, since a vowel letter cannot carry a consonant's vowel sign.
            # Chinese: a look-alike character (末 -> 未), the slip of a writer or reader who confuses
            # shapes; an arbitrary one of the 3,500 common characters reads as another word ("搂章"), and
            # so does one alike only in its radical (家 -> 宪): shapes/zh.tsv keeps neither.
            letter = _look_alike(cluster, rng) if lang == "zh" else _other_letter(lang, alpha, lower, is_cap, rng)
            if letter is None:
                return None
            new_cluster = (alpha.upper[letter] if is_cap else letter) + cluster[1:]
            new = word.clusters[:i] + (new_cluster,) + word.clusters[i + 1:]
            return [cc.cluster_span(word, i, i + 1, new_cluster)] if cc.valid_word_edit(word, new, lang) else None

        return cc.first_valid(slots, rng, build)


def _look_alike(ch: str, rng: random.Random) -> str | None:
    """One of the look-alikes of a Chinese character (resources/shapes/zh.tsv), drawn uniformly."""
    near = _shapes().get(ch)
    return rng.choice(near) if near else None


@functools.lru_cache(maxsize=None)
def _shapes() -> dict[str, tuple[str, ...]]:
    return {row[0]: tuple(row[1:]) for row in cc.read_table("shapes", "zh")}


def _other_letter(lang: str, alpha: cc.Alphabet, lower: str, is_cap: bool, rng: random.Random) -> str | None:
    """A letter of the same class as `lower` (consonant for consonant, ...), other than `lower`, drawn uniformly:
    what `rng.choice` over that list in alphabet order draws, without building the list for every letter
    (Chinese has 3,500 letters of one class)."""
    letters, index = _class_pool(lang, alpha.klass[lower], is_cap)
    pos = index.get(lower)
    n = len(letters) - (pos is not None)
    if n <= 0:
        return None
    k = rng.randrange(n)  # the one draw choice() makes
    if pos is not None and k >= pos:
        k += 1
    return letters[k]


@functools.lru_cache(maxsize=None)
def _class_pool(lang: str, klass: str, is_cap: bool) -> tuple[tuple[str, ...], dict[str, int]]:
    """The alphabet's letters of one class (those with a capital when is_cap), in alphabet order, and
    each one's position."""
    alpha = cc.alphabet(lang)
    letters = tuple(x for x in alpha.letters if alpha.klass[x] == klass and (alpha.upper[x] or not is_cap))
    return letters, {x: i for i, x in enumerate(letters)}


@functools.lru_cache(maxsize=2**16)
def _slots(word: str, lang: str) -> tuple[int, ...]:
    """Clusters of a word that start with a letter of the alphabet (memoised on the word)."""
    alpha = cc.alphabet(lang)
    return tuple(i for i, c in enumerate(segment.graphemes(word)) if alpha.lowercase(c[0]))
