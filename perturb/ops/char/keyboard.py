"""`char.keyboard`: neighbour-key typos on the language's own keyboard layout, and same-pinyin IME slips for Chinese."""
from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass

from ... import segment
from ...core import RateParams, Span
from ...registry import register
from . import _common as cc

# Chinese is typed through a pinyin IME: the realistic slip is picking a wrong candidate of the same
# (toneless) syllable. Candidates are the most frequent characters of that syllable, the ones an IME
# shows on its first page.
IME_PAGE = 5


@dataclass(frozen=True)
class KeyboardParams(RateParams):
    """rate: share of eligible words (with a letter typed by one key, or a Chinese character with a
    homophone) in which one keystroke goes to a neighbouring key (zh: a wrong same-pinyin candidate)."""

    rate: float = 0.1


@register
class CharKeyboard(cc.WordOp):
    """Models a slip of the finger: one key pressed for its neighbour on the language's layout; in zh, a
    slip of the pinyin IME: a wrong candidate of the same toneless syllable (the sound is kept, the shape
    need not be; char.substitute models the other error, a look-alike shape). Words of two letters or more (_common.MIN_UNITS), any zh word.
    Thai typos pass the Thai input sequence check; a typo that writes another frequent word is skipped
    in the languages of _common.REAL_WORD_LANGS."""

    name = "char.keyboard"
    family = "char"
    description = "neighbour-key typo on the language's own keyboard layout (zh: same-pinyin IME slip)"
    Params = KeyboardParams

    @classmethod
    def language_pool(cls):
        langs = set(cc.table_langs("keyboards", segment.LANGS))
        if cc.has_table("homophones", "zh"):
            langs.add("zh")
        return langs

    def candidates(self, text, lang):
        # Eligibility is decided cheaply; the typos themselves are listed only for the words touched.
        # zh: any word, one character included: the slip keeps its sound, which is how the reader
        # recovers it. Elsewhere two letters at least (see _common.MIN_UNITS): one wrong key in a
        # one-letter word leaves nothing of it.
        if lang == "zh":
            return [(w, lang) for w in cc.words(text, lang) if word_options(w.text, lang)]
        typo_chars = _typo_chars(lang)
        out = []
        for w in cc.words(text, lang):
            if cc.units(w) < cc.MIN_UNITS["keyboard"]:
                continue
            if len(w.clusters) == len(w.text):  # clusters are single code points
                if not typo_chars.isdisjoint(w.text):
                    out.append((w, lang))
            elif _has_typo(w.text, lang):
                out.append((w, lang))
        return out

    def touch(self, cand, rng: random.Random):
        # A cluster at random, then one of its typos; the first that passes the integrity check.
        word, lang = cand
        by_cluster = _typos_by_cluster(word.text, lang)
        # One code point per cluster, and a typo that is one plain NFC code point: it always passes the
        # integrity check (see _plain), so the span is written without building the new word.
        # Thai is left out: a vowel key's neighbour may be a vowel that cannot stand there (จะไป -> จเไป).
        plain = _plain(lang) if len(word.clusters) == len(word.text) and lang not in ("zh", "th") else frozenset()

        def build(i):
            typos = by_cluster[i]

            def typo(k):
                t = typos[k]
                if t in plain:
                    new_text = word.text[:i] + t + word.text[i + 1:]
                    # (typeable: an Arabic-script key's neighbour may be a letter that cannot stand there, ة)
                    return None if cc.other_word(word.text, new_text, lang) or \
                        not cc.typeable(word.text, new_text) else \
                        [Span(word.start + i, word.start + i + 1, t)]
                new = word.clusters[:i] + (t,) + word.clusters[i + 1:]
                return [cc.cluster_span(word, i, i + 1, t)] if cc.valid_word_edit(word, new, lang) else None

            return cc.first_index(len(typos), rng, typo)

        return cc.first_valid(sorted(by_cluster), rng, build)


@functools.lru_cache(maxsize=2**16)
def word_options(word: str, lang: str) -> tuple[tuple[int, str], ...]:
    """The typos a word offers as (cluster index, new cluster), before the integrity check (which
    `touch` applies to the one it picks). Memoised on the word: words recur throughout a corpus."""
    out = []
    for i, cluster in enumerate(segment.graphemes(word)):
        variants = _homophones(cluster) if lang == "zh" else _key_typos(cluster, lang)
        out.extend((i, v) for v in variants)
    return tuple(out)


@functools.lru_cache(maxsize=2**16)
def _typos_by_cluster(word: str, lang: str) -> dict[int, tuple[str, ...]]:
    """word_options grouped by cluster index, in index order (a word of one-code-point clusters reads its
    neighbours straight from the layout, which is what word_options would list)."""
    if lang != "zh" and segment.single_code_point_clusters(word):
        layout = _layout(lang)
        return {i: layout[ch] for i, ch in enumerate(word) if layout.get(ch)}
    by_cluster: dict[int, list[str]] = {}
    for i, new_cluster in word_options(word, lang):
        by_cluster.setdefault(i, []).append(new_cluster)
    return {i: tuple(v) for i, v in by_cluster.items()}


@functools.lru_cache(maxsize=2**16)
def _has_typo(word: str, lang: str) -> bool:
    """bool(word_options(word, lang)), without listing the typos: some cluster is typed entirely on the
    layout with at least one key that has a neighbour."""
    layout = _layout(lang)
    return any(all(ch in layout for ch in c) and any(layout[ch] for ch in c) for c in segment.graphemes(word))


@functools.lru_cache(maxsize=None)
def _plain(lang: str) -> frozenset[str]:
    """Typos that always pass the integrity check in a word of one-code-point clusters: one code point
    that is a cluster by itself and NFC-stable. Such a letter next to letters of the same kind re-segments
    into single code points, and cannot compose under NFC (what composes with a neighbour is a combining
    mark or a conjoining jamo, and those form clusters)."""
    return frozenset(t for near in _layout(lang).values() for t in near
                     if len(t) == 1 and segment.single_code_point_clusters(t) and unicodedata.is_normalized("NFC", t))


@functools.lru_cache(maxsize=None)
def _typo_chars(lang: str) -> frozenset[str]:
    """The code points with at least one neighbour-key typo: a one-code-point cluster offers a typo
    exactly when it is one of them."""
    return frozenset(ch for ch, near in _layout(lang).items() if near)


def _key_typos(cluster: str, lang: str) -> list[str]:
    # Each code point of the cluster is one keystroke (a Thai consonant and its tone mark, a Devanagari
    # consonant, virama and matra). A cluster with a code point not on the layout (a Greek tonos
    # vowel, typed with a dead key; a Vietnamese letter, typed through Telex) is not a one-key letter.
    layout = _layout(lang)
    if not cluster or any(ch not in layout for ch in cluster):
        return []
    out = []
    for k, ch in enumerate(cluster):
        for other in layout[ch]:
            out.append(cluster[:k] + other + cluster[k + 1:])
    return out


@functools.lru_cache(maxsize=None)
def _layout(lang: str) -> dict[str, tuple[str, ...]]:
    """char -> the characters of the neighbouring keys on the same level (plain or Shift), kept only
    when they are letters or marks of the same kind and script (a typo next to 'a' on QWERTY is 'q',
    'w', 's', 'z', never the digit row or punctuation)."""
    keys = []
    for name, row, x, *levels in cc.read_table("keyboards", lang):
        keys.append((int(row), float(x), [(levels[i] if i < len(levels) else "") for i in range(2)]))
    neighbours: dict[str, list[str]] = {}
    for row, x, levels in keys:
        near = [lv for r, x2, lv in keys
                if (r == row and 0 < abs(x2 - x) <= 1.01) or (abs(r - row) == 1 and abs(x2 - x) <= 0.76)]
        for level in range(2):
            ch = levels[level]
            if not _typeable(ch):
                continue
            found = neighbours.setdefault(ch, [])
            for lv in near:
                other = lv[level]
                if _typeable(other) and _same_kind(ch, other) and other not in found and other != ch:
                    found.append(other)
    return {ch: tuple(sorted(v)) for ch, v in neighbours.items()}


def _typeable(ch: str) -> bool:
    # One code point, a letter or mark, no compatibility form (the Arabic lam-alef key sends U+FEFB, a
    # presentation form that NFKC folds away and no real text contains).
    return (len(ch) == 1 and unicodedata.category(ch)[0] in "LM"
            and unicodedata.normalize("NFKC", ch) == ch)


def _same_kind(a: str, b: str) -> bool:
    # Same role (consonant for consonant, vowel sign for vowel sign, tone mark for tone mark: see
    # char_class) in the same script (Unicode names start with it).
    return (cc.char_class(a) == cc.char_class(b)
            and unicodedata.name(a, "?").split()[0] == unicodedata.name(b, "?").split()[0])


@functools.lru_cache(maxsize=None)
def _pinyin_index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """char -> toneless syllable, and syllable -> characters most frequent first (polyphones left out)."""
    reading: dict[str, str] = {}
    by_syllable: dict[str, list[str]] = {}
    for ch, pinyin, *_ in cc.read_table("homophones", "zh"):
        if not pinyin:
            continue  # no dominant reading: which syllable the typist meant is unknown
        syl = "".join(c for c in unicodedata.normalize("NFD", pinyin) if not unicodedata.combining(c))
        reading[ch] = syl
        by_syllable.setdefault(syl, []).append(ch)
    return reading, {s: tuple(v) for s, v in by_syllable.items()}


def _homophones(cluster: str) -> list[str]:
    reading, by_syllable = _pinyin_index()
    syl = reading.get(cluster)
    if syl is None:
        return []
    return [c for c in by_syllable[syl] if c != cluster][:IME_PAGE]
