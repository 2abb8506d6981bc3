"""Shared machinery of the char ops: lazily read resource tables, word/cluster candidates, and the cluster-integrity check."""
from __future__ import annotations

import functools
import itertools
import random
import unicodedata
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Callable, ClassVar, Iterable, Iterator, Mapping, NamedTuple, Sequence

import regex

from ... import segment
from ...core import TEXT_MEMO, Edit, Perturbation, Span, n_to_touch, task_languages
from ._inputrules import typeable

LETTER = regex.compile(r"\p{L}")
MARK_PREFIX = "\u25cc"  # resource files show a combining mark on a dotted circle so it is readable


# --- resources --------------------------------------------------------------------------------------


def _resource(kind: str, name: str):
    return resources.files("perturb") / "resources" / kind / f"{name}.tsv"


@functools.lru_cache(maxsize=None)
def has_table(kind: str, name: str) -> bool:
    """Whether resources/<kind>/<name>.tsv exists (a stat, not a read: `languages()` must stay cheap)."""
    return _resource(kind, name).is_file()


@functools.lru_cache(maxsize=None)
def read_table(kind: str, name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of resources/<kind>/<name>.tsv: '#' lines are provenance, cells are tab-separated, a leading
    dotted circle is dropped from a cell (it only makes a combining mark visible), '-' means empty."""
    rows = []
    for line in _resource(kind, name).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        rows.append(tuple("" if c == "-" else c[1:] if c.startswith(MARK_PREFIX) and len(c) > 1 else c
                          for c in cells))
    return tuple(rows)


def table_langs(kind: str, langs) -> frozenset[str]:
    return frozenset(lang for lang in langs if has_table(kind, lang))


@dataclass(frozen=True)
class Alphabet:
    """A language's letters: lowercase (or caseless) letter -> capital ('' if none) and class."""

    upper: dict[str, str]
    klass: dict[str, str]
    lower_of: dict[str, str]     # capital -> lowercase
    letters: tuple[str, ...]     # lowercase/caseless letters in file order
    script: regex.Pattern        # matches a character of the alphabet's script(s)

    def lowercase(self, ch: str) -> str | None:
        """The alphabet letter ch is (itself, or the lowercase of a capital), or None."""
        if ch in self.klass:
            return ch
        return self.lower_of.get(ch)


_SCRIPTS = ("Latin", "Greek", "Cyrillic", "Arabic", "Devanagari", "Tamil", "Thai", "Han")


@functools.lru_cache(maxsize=None)
def alphabet(lang: str) -> Alphabet:
    rows = read_table("alphabets", lang)
    upper = {r[0]: (r[1] if len(r) > 1 else "") for r in rows}
    klass = {r[0]: (r[2] if len(r) > 2 else "letter") for r in rows}
    scripts = sorted({s for r in rows for s in _SCRIPTS if regex.match(rf"\p{{Script={s}}}", r[0])})
    pattern = regex.compile("[" + "".join(rf"\p{{Script={s}}}" for s in scripts) + "]")
    return Alphabet(upper, klass, {u: lo for lo, u in upper.items() if u}, tuple(r[0] for r in rows), pattern)


# --- character classes -------------------------------------------------------------------------------

_RANGES = (
    # Devanagari
    ((0x0904, 0x0914), "vowel"), ((0x0960, 0x0961), "vowel"), ((0x0972, 0x0977), "vowel"),
    ((0x0915, 0x0939), "consonant"), ((0x0958, 0x095F), "consonant"), ((0x0978, 0x097F), "consonant"),
    ((0x0900, 0x0903), "bindu"), ((0x093C, 0x093C), "nukta"), ((0x094D, 0x094D), "virama"),
    ((0x093A, 0x093B), "vowel-sign"), ((0x093E, 0x094C), "vowel-sign"), ((0x094E, 0x094F), "vowel-sign"),
    ((0x0955, 0x0957), "vowel-sign"), ((0x0962, 0x0963), "vowel-sign"),
    # Tamil
    ((0x0B85, 0x0B94), "vowel"), ((0x0B95, 0x0BB9), "consonant"), ((0x0BBE, 0x0BCC), "vowel-sign"),
    ((0x0BD7, 0x0BD7), "vowel-sign"), ((0x0BCD, 0x0BCD), "virama"), ((0x0B82, 0x0B82), "bindu"),
    # Thai: ฤ ฦ are vowel letters inside the consonant range
    ((0x0E24, 0x0E24), "vowel"), ((0x0E26, 0x0E26), "vowel"), ((0x0E01, 0x0E2E), "consonant"),
    ((0x0E31, 0x0E31), "vowel-sign"), ((0x0E34, 0x0E3A), "vowel-sign"), ((0x0E30, 0x0E33), "vowel"),
    ((0x0E40, 0x0E45), "vowel"), ((0x0E48, 0x0E4B), "tone"), ((0x0E47, 0x0E47), "sign"),
    ((0x0E4C, 0x0E4E), "sign"),
    # Arabic script
    ((0x064B, 0x0652), "haraka"), ((0x0670, 0x0670), "haraka"), ((0x0653, 0x0655), "hamza-mark"),
)


@functools.lru_cache(maxsize=4096)
def char_class(ch: str) -> str | None:
    """What role a code point plays in a cluster: consonant / vowel / vowel-sign / virama / bindu /
    nukta / tone / sign / haraka / hamza-mark in the scripts where that matters, else letter or mark.

    A typo or substitution only ever swaps a code point for one of the same class: a Devanagari
    anusvara replaced by a vowel sign (मैं -> मैॆ) or a Thai consonant carrying a vowel sign replaced by
    a leading vowel (อี -> เี) is no spelling of anything and renders with a dotted circle."""
    cp = ord(ch)
    for (lo, hi), name in _RANGES:
        if lo <= cp <= hi:
            return name
    cat = unicodedata.category(ch)
    return "letter" if cat.startswith("L") else "mark" if cat.startswith("M") else None


# --- words and clusters -----------------------------------------------------------------------------


class Word(NamedTuple):
    """A word token with its grapheme clusters and the offset (into the field) where each starts.
    (A named tuple: a sentence has dozens of words and a frozen dataclass costs several times more to build.)"""

    start: int
    end: int
    text: str
    clusters: tuple[str, ...]

    def offset(self, i: int) -> int:
        """Field offset of the start of cluster i (i == len(clusters) is the end of the word)."""
        if len(self.clusters) == len(self.text):  # one code point per cluster
            return self.start + i
        return self.start + sum(len(c) for c in self.clusters[:i])


_new_tuple = tuple.__new__


@functools.lru_cache(maxsize=TEXT_MEMO)
def words(text: str, lang: str) -> tuple[Word, ...]:
    """The words of text with their clusters (memoised: the char ops of a recipe all ask for the same)."""
    spans = segment.char_word_spans(text, lang)
    if segment.single_code_point_clusters(text):
        # tuple.__new__ directly: the named tuple's own __new__ is a Python function (a call per word)
        return tuple([_new_tuple(Word, (s, e, w, tuple(w))) for s, e in spans for w in (text[s:e],)])
    return tuple([_new_tuple(Word, (s, e, w, tuple(segment.graphemes(w)))) for s, e in spans for w in (text[s:e],)])


def is_letter_cluster(cluster: str) -> bool:
    """Whether the cluster starts with a letter (a \\p{L} character)."""
    first = cluster[:1]
    if first and first < "\u0250":  # Basic Latin to Latin Extended-B: str.isalpha() is \p{L} there (tested)
        return first.isalpha()
    return LETTER.match(cluster) is not None


# --- the integrity check ------------------------------------------------------------------------------


def resegments_as(new_text: str, expected: Sequence[str]) -> bool:
    """True when new_text splits into exactly the clusters `expected`.

    Every op builds its replacement as a list of intended clusters and calls this before using it: a
    mark that would attach to a neighbour (a Thai vowel sign after an inserted consonant), a consonant
    that would fuse into a conjunct after a virama, or a swap that merges two clusters all fail here."""
    if segment.single_code_point_clusters(new_text):
        # as many non-empty clusters as code points, spelling the text: one code point each
        return len(new_text) == len(expected) and "" not in expected and new_text == "".join(expected)
    return segment.graphemes(new_text) == list(expected)


def keeps_nfc(old: str, new: str) -> bool:
    """New text must be NFC wherever the old text was (input is NFC after loading; outputs must stay so)."""
    return not unicodedata.is_normalized("NFC", old) or unicodedata.is_normalized("NFC", new)


def valid_word_edit(word: Word, new_clusters: Sequence[str], lang: str | None = None) -> bool:
    """The integrity check every char op applies to an edited word: it re-segments into the intended
    clusters, stays NFC when it was, passes its script's input sequence check (Thai: see _inputrules)
    wherever the word did, and, when `lang` is given, is not another frequent word of the language
    (see other_word)."""
    new = "".join(new_clusters)
    return (new != word.text and resegments_as(new, new_clusters) and keeps_nfc(word.text, new)
            and typeable(word.text, new) and (lang is None or not other_word(word.text, new, lang)))


# --- words that must stay words ----------------------------------------------------------------------

# Languages whose frequent words wordfreq really lists (for sw, ht, qu and et it has no list, or falls
# back to English); Thai reads pythainlp's word list instead. et and sw read simplemma's form dictionaries
# (every form it lists, frequent or not; sw's is mostly generated verb forms and lacks common nouns such as
# "mafuta"), ht CreoleNLTK's list of 3,188 common words (resources/words/ht.tsv: "kay", "manje") with spaCy's
# Haitian Creole function words ("ak", "ap", "pa"). qu has no offline list: no check.
WORDFREQ_LANGS = frozenset("ar bg de el en es fr hi id it ru ta tr ur vi zh".split())
SIMPLEMMA_LANGS = frozenset({"et", "sw"})
REAL_WORD_LANGS = WORDFREQ_LANGS | SIMPLEMMA_LANGS | {"th", "ht"}
FREQUENT_N = 30000  # wordfreq's top 30,000 words: what a reader knows as words


@functools.lru_cache(maxsize=None)
def frequent_words(lang: str) -> frozenset[str]:
    """Lowercased frequent words of lang (empty where no offline list is trusted, or where simplemma is
    asked word by word instead): a typo that lands on one of them writes a different word ("väriseval" ->
    "variseval"), not a misspelling."""
    if lang == "th":
        return segment.thai_words()
    if lang == "ht":
        from spacy.lang.ht.stop_words import STOP_WORDS
        return frozenset(STOP_WORDS) | frozenset(row[0] for row in read_table("words", "ht"))
    if lang in WORDFREQ_LANGS:
        import wordfreq
        return frozenset(wordfreq.top_n_list(lang, FREQUENT_N))
    return frozenset()


def known_word(word: str, lang: str) -> bool:
    """Whether the lowercased word is a word of lang by its offline list (False where there is none)."""
    if lang in SIMPLEMMA_LANGS:
        import simplemma  # low_memory: ~100 MB and a few seconds to open, where the full index takes ~1 GB
        return simplemma.is_known(word, lang, low_memory=True)
    return word in frequent_words(lang)


def other_word(old: str, new: str, lang: str) -> bool:
    """Whether the edited word `new` is a different known word of lang (case aside). A single Chinese
    character is not judged: nearly every character is a word by itself, and the same-sound slip of a
    one-character word (他 -> 她) is the error char.keyboard models."""
    if lang not in REAL_WORD_LANGS or (lang == "zh" and len(new) == 1):
        return False
    low = new.lower()
    return low != old.lower() and known_word(low, lang)


def units(word: Word) -> int:
    """How many letters a reader sees in the word: its clusters that start with a letter, except in Thai,
    where a leading or following vowel (เ, า) is a cluster of its own, so only consonant clusters count
    (ไม่ and เขา have one unit, เรอ two)."""
    n = 0
    for c in word.clusters:
        if "\u0e01" <= c[:1] <= "\u0e5b":
            n += char_class(c[0]) == "consonant"
        else:
            n += is_letter_cluster(c)
    return n


# Which words an edit may touch, by what it leaves of them: a delete needs three units (two stay), an
# edit that replaces or moves letters two (one stays as typed); an insert keeps every letter (its gaps
# already need two letters). A one-unit word is only ever touched by ops that keep its letters or its
# sound (homoglyph, diacritics, script, the zh pinyin slip of char.keyboard).
MIN_UNITS = {"delete": 3, "swap": 2, "substitute": 2, "keyboard": 2}


def cluster_span(word: Word, i: int, j: int, after: str) -> Span:
    """A span replacing clusters i..j-1 of word by `after`."""
    return Span(word.offset(i), word.offset(j), after)


def broken_clusters(old: str, new: str, edits: Sequence[Edit]) -> int:
    """How many cluster boundaries the edits of one field broke (0 for a clean edit).

    Every cluster boundary of the old text outside the edits must still be a boundary of the new text,
    and every edit must start and end on cluster boundaries of both texts, so that each replacement is
    made of whole clusters. The one allowance: an edit of only ZWJ/ZWNJ inserted between clusters
    (char.invisible) joins the preceding cluster by the Unicode rules, which is its whole point."""
    old_b = {0, len(old)} | {s for s, _ in segment.grapheme_spans(old)}
    new_b = {0, len(new)} | {s for s, _ in segment.grapheme_spans(new)}
    bad = shift = pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        # Boundaries strictly between the previous edit and this one; the edges are checked below.
        bad += sum(1 for b in old_b if pos < b < e.start and b + shift not in new_b)
        bad += (e.start not in old_b) + (e.end not in old_b)
        ns = e.start + shift
        ne = ns + len(e.after)
        attached = bool(e.after) and e.start == e.end and set(e.after) <= {"\u200c", "\u200d"}
        bad += (ne not in new_b) + (ns not in new_b and not attached)
        shift += len(e.after) - (e.end - e.start)
        pos = e.end
    bad += sum(1 for b in old_b if b > pos and b + shift not in new_b)
    return bad


# --- the shared selection loop ----------------------------------------------------------------------


def select(candidates: Sequence, rate: float, rng: random.Random,
           edit: Callable[[object, random.Random], Sequence[Span] | None]) -> list[Span] | None:
    """Touch n_to_touch(rate, len(candidates)) of the candidates, each through `edit`.

    Candidates are in text order, so the choice depends only on the text and the rng. An edit may
    still return None (every option failed a check: a two-letter word whose every typo is another
    word); then the next candidate of the same random order stands in, until n are touched or none is
    left, so a check never silently lowers the rate."""
    n = n_to_touch(rate, len(candidates))
    if n == 0:
        return None
    spans: list[Span] = []
    order = random_order(len(candidates), rng)
    # (n == 1, the usual case, draws what random_order's first step draws)
    chosen = [next(order)] if n == 1 else sorted(itertools.islice(order, n))
    while chosen:
        missing = 0
        for idx in chosen:
            got = edit(candidates[idx], rng)
            if got:
                spans.extend(got)
            else:
                missing += 1
        chosen = sorted(itertools.islice(order, missing))
    return spans or None


def random_order(n: int, rng: random.Random) -> Iterator[int]:
    """0..n-1 in a uniformly random order, each drawn only when asked for (Fisher-Yates, one
    `randrange` per index taken): the first option usually passes, so shuffling all of them first, or
    `random.sample`'s general machinery, would cost more than the edit itself."""
    pool = list(range(n))
    for i in range(n):
        j = i + rng.randrange(n - i)
        pool[i], pool[j] = pool[j], pool[i]
        yield pool[i]


# Why char.insert and char.swap decline Chinese (shown by the manifest, the perturb summary and `xstress ls`).
ZH_WORD_BY_WORD = ("Chinese is typed word by word through a pinyin input method: a stray or transposed character "
                   "inside a word is not a slip writers make (char.keyboard models same-pinyin slips, "
                   "char.substitute look-alike characters)")


class WordOp(Perturbation):
    """Base of the char ops: `candidates` lists the eligible words of a field (each a (Word, data)
    tuple, in text order), `touch` edits one of them; n_to_touch(rate, len(candidates)) are touched."""

    # The kind of per-language table the op reads (resources/<kind>/): it supports the languages that have one.
    # None: every language the segmenter knows.
    table: ClassVar[str | None] = None
    # Languages the op declines although it has what it needs, each with the reason users are shown.
    declined: ClassVar[Mapping[str, str]] = MappingProxyType({})

    @classmethod
    def languages(cls, task):
        return task_languages(task, cls.language_pool()) if task in cls.tasks else frozenset()

    @classmethod
    def language_pool(cls) -> Iterable[str]:
        """The languages the op can edit, in any task: those with a `table`, or every segmenter language,
        less the `declined` ones."""
        pool = table_langs(cls.table, segment.LANGS) if cls.table else segment.LANGS
        return frozenset(pool) - frozenset(cls.declined)

    def unsupported_reason(self, task, lang):
        return self.declined.get(lang)

    def candidates(self, text: str, lang: str) -> list[tuple]:
        raise NotImplementedError

    def touch(self, cand: tuple, rng: random.Random) -> Sequence[Span] | None:
        raise NotImplementedError

    def edit_field(self, text, *, field, example, rng: random.Random):
        return select(self.candidates(text, example.lang), self.params.rate, rng, self.touch)

    def candidate_edits(self, example, field, rng_key=""):
        """Every eligible word's edits through the op's own `touch` (see perturb.candidates.per_word)."""
        from ...candidates import per_word

        if not self.supports(example.task, example.lang) or field not in self.allowed_fields(example.task):
            return []
        words = self.candidates(example.fields[field], example.lang)
        return per_word(words, self.touch, example, field, rng_key, self.name)


def first_valid(options: Sequence, rng: random.Random, build: Callable[[object], object | None]):
    """Try options in a random order (drawn from rng as needed) and return the first non-None build(option)."""
    return first_index(len(options), rng, lambda k: build(options[k]))


def first_index(n: int, rng: random.Random, build: Callable[[int], object | None]):
    """The first non-None build(k) for k = 0..n-1 taken in random_order(n, rng); None if there is none.
    (random_order written out, so the usual case, where the first option passes, is one draw and no list.)"""
    if n == 0:
        return None
    j = rng.randrange(n)
    got = build(j)
    if got is not None or n == 1:
        return got
    pool = list(range(n))
    pool[0], pool[j] = j, 0
    for i in range(1, n):
        k = i + rng.randrange(n - i)
        pool[i], pool[k] = pool[k], pool[i]
        got = build(pool[i])
        if got is not None:
            return got
    return None
