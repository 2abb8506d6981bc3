"""Whole words and fitting slots for `lex.codeswitch` in th, vi and zh: never half of a compound, and never an English word whose part of speech the slot cannot take (audit round 2 of 0.4.0).

- A word of Thai or Chinese is half of a longer word when it and up to three neighbouring segmenter words, joined,
  are a word of MUSE or of the segmenter's own dictionary (นํ้า|ตา "tears", ต้น|ชั่วโมง "top of the hour",
  ลูก|โบว์ลิ่ง "bowling ball"): longest match, not only the next token.
- A Vietnamese syllable is half of a compound when, with its neighbours, it is a word of pyvi's dictionary, when
  a neighbouring word written solid is a MUSE word with the same translation ("xe ô tô": "ôtô" is "cars" too),
  or when a neighbouring syllable has a content translation that the parallel English does not account for
  (ngón tay "finger", cô gái "girl", cành cây "branch": the English word stands for both syllables).
- A Chinese verb (jieba's dictionary tag v) is written only as an English word that can be a verb ("不要上岸" is
  not "不要 ashore").
"""
from __future__ import annotations

import functools

import regex

from ... import segment
from . import _common as lc
from . import _viseg

# Vietnamese person nouns of a kinship or pronoun syllable and a gender or age syllable, which pyvi's dictionary
# lacks: "cô gái" is "girl", and "Cô girl" no mix.
_VI_PERSON_NOUNS = frozenset(f"{a} {b}" for a in ("cô", "cậu", "chàng", "anh", "chị", "em", "ông", "bà", "con",
                                                  "bé", "thằng", "đứa")
                             for b in ("gái", "trai", "bé", "già", "nhỏ"))
# Up to this many segmenter words around the candidate are tried as one longer word.
_SPAN = 4
_THAI_AM = regex.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")  # nikhahit (+ tone) + sara aa: sara am decomposed


def in_compound(text: str, start: int, end: int, lang: str, src, confirmed=None) -> bool:
    """Whether text[start:end] is part of a longer word (see the module docstring). confirmed(word) gives the
    keys of the parallel English words that confirm a Vietnamese syllable (None: that check is skipped)."""
    words = _words(text, lang)
    i = next((n for n, (s, e) in enumerate(words) if s <= start < e), None)
    if i is None:
        return False
    sep = " " if lang == "vi" else ""
    # The run of words around i that touch each other (no punctuation, at most the separator between).
    lo = hi = i
    while lo > 0 and lo > i - _SPAN + 1 and text[words[lo - 1][1]:words[lo][0]] == sep:
        lo -= 1
    while hi + 1 < len(words) and hi < i + _SPAN - 1 and text[words[hi][1]:words[hi + 1][0]] == sep:
        hi += 1
    for a in range(lo, i + 1):
        for b in range(i, hi + 1):
            if b - a + 1 >= 2 and b - a < _SPAN and _is_word(text[words[a][0]:words[b][1]], lang, src):
                return True
    neighbours = [words[n] for n in (i - 1, i + 1) if lo <= n <= hi]
    if lang == "vi" and any(_same_sense(text[s:e], text[start:end], src) for s, e in neighbours):
        return True
    return confirmed is not None and any(_unaccounted(text[s:e], src, confirmed) for s, e in neighbours)


def _words(text: str, lang: str) -> list[tuple[int, int]]:
    if lang == "vi":  # pyvi's words, each of one or more syllables
        return [(g[0].start, g[-1].end) for g in _viseg.words(text) if all(t.is_word for t in g)]
    return [(t.start, t.end) for t in segment.tokenize(text, lang) if t.is_word]


def _is_word(span: str, lang: str, src) -> bool:
    """Whether span (two or more segmenter words) is one word of MUSE or of the segmenter's dictionary."""
    if lang == "th":
        span = _THAI_AM.sub("\\1\u0e33", span)
        return lc.key(span) in src.to_english or span in segment.thai_words()
    if lang == "zh":
        return span in src.to_english or _jieba_freq(span) > 0
    low = lc.key(span)
    return low.replace(" ", "") in src.to_english or _viseg.in_dictionary(low) or low in _VI_PERSON_NOUNS


def _same_sense(neighbour: str, mine: str, src) -> bool:
    """Whether a neighbouring Vietnamese word, as written or solid ("ô tô" -> "ôtô"), shares an English
    translation with this one (up to a plural: "car" and "cars"): the two are one compound."""
    k = lc.key(neighbour)
    theirs = set(src.to_english.get(k, ())) | set(src.to_english.get(k.replace(" ", ""), ()))
    ours = set(src.to_english.get(lc.key(mine), ()))
    strip = lambda ws: {lc.key(w).removesuffix("s") for w in ws}  # noqa: E731 - a one-line normaliser
    return bool(strip(theirs) & strip(ours))


def _unaccounted(neighbour: str, src, confirmed) -> bool:
    """Whether a neighbouring Vietnamese syllable means a content word (tay "hand", gái "girl") that the
    parallel English does not have: its sense went into this syllable's English word (ngón tay "finger").
    A syllable whose translations are all function words (của "of", tôi "I") is no such half."""
    partners = src.to_english.get(lc.key(neighbour), ())
    if not partners or confirmed(neighbour):
        return False
    return any(not lc.is_stopword(e, "en") for e in partners[:3])


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba.posseg  # lazy: the tag table loads with jieba's dictionary

    tokenizer = segment._jieba_tokenizer()  # the segmenter's own dictionary, as cut by segment.tokenize
    return tokenizer.FREQ, jieba.posseg.dt.word_tag_tab


def _jieba_freq(word: str) -> int:
    return _jieba()[0].get(word, 0)


def zh_verb(word: str) -> bool:
    """Whether jieba's dictionary tags a Chinese word as a verb (v; not vn, a verbal noun such as 服务)."""
    return _jieba()[1].get(word) == "v"


@functools.lru_cache(maxsize=2**14)
def can_be_verb(english: str) -> bool:
    """Whether an English word has a verb's -ing or -ed form in common use ("share": sharing; "ashore": no)."""
    import wordfreq

    k = lc.key(english)
    stems = {k, k[:-1]} if k.endswith("e") else {k, k + k[-1:]}
    forms = {s + suffix for s in stems for suffix in ("ing", "ed")}
    return any(wordfreq.zipf_frequency(f, "en") >= 2.0 for f in forms)
