"""Language-aware splitting of text into grapheme clusters and word tokens with exact code-point offsets."""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import regex

from .core import TEXT_MEMO
from .schema import ALL_LANGS

__all__ = [
    "LANGS",
    "Token",
    "char_word_spans",
    "char_words",
    "grapheme_spans",
    "graphemes",
    "segmenter_id",
    "uses_dictionary",
    "tokenize",
    "words",
]

LANGS: frozenset[str] = ALL_LANGS

# Which spaCy blank tokenizer each spaCy-segmented language uses. These were checked on the real
# XNLI/XCOPA text: spaCy never cuts inside a word there (only its deliberate splits such as "wo|n't",
# "88|ft"), never inside a Devanagari conjunct or Tamil cluster, and its offsets are exact.
# Exceptions, and why:
# - vi: spaCy's "vi" needs pyvi, and with use_pyvi=False it only splits on whitespace (leaving "ta,"
#   as one token); the multi-language "xx" rules give syllables with punctuation split off.
# - sw, qu: spaCy has no dedicated language; "xx" is the generic rule set.
# - ht: spaCy's "ht" exists but splits the written word "tap" into "t" + "ap" (a contraction rule);
#   "xx" keeps what is written together together, which is what character/word edits need.
_SPACY_LANG = {
    "bg": "bg", "de": "de", "el": "el", "en": "en", "es": "es", "et": "et", "fr": "fr", "hi": "hi",
    "id": "id", "it": "it", "ru": "ru", "ta": "ta", "tr": "tr",
    "vi": "xx", "sw": "xx", "qu": "xx", "ht": "xx",
}
# ar, ur: spaCy's rules are not written for Arabic script. On the real data they leave the Arabic
# comma glued between words ("ہوی،جارجیا", 400+ times in ur XNLI), a full stop glued to the front of
# a word (".أختها"), "النوم)." whole, and a full stop after a haraka attached ("يَعُدْ."). The regex
# word rule below splits all of these and keeps harakat, ZWNJ (Urdu "ہم‌سفر") and tatweel inside words.
_REGEX_LANGS = frozenset({"ar", "ur"})
# Scriptio continua: a dictionary segmenter cuts the runs of the script; everything else in the text
# (Latin words, digits, punctuation) goes through the regex word rule.
_DICT_SEGMENTER = {"zh": "jieba", "th": "pythainlp-newmm"}
assert set(_SPACY_LANG) | set(_DICT_SEGMENTER) | _REGEX_LANGS == LANGS

_GRAPHEME = regex.compile(r"\X")
# Whitespace is exactly what str.isspace()/str.split() treat as whitespace, so tokens agree with the
# plain-string view other code has; regex's \s lacks the information separators U+001C..U+001F.
_NON_WS_RUN = regex.compile(r"[^\s\x1c-\x1f]+")
# Characters whose Grapheme_Cluster_Break property is not Other/Control/CR/LF (marks, joiners,
# Prepend, Hangul jamo, regional indicators, emoji modifiers). Between two characters that are not
# among them every position is a cluster boundary, so text without any needs no clustering pass.
_CLUSTERING = regex.compile(r"[^\p{GCB=Other}\p{GCB=Control}\p{GCB=LF}\p{GCB=CR}]")
# The same without CR: CR LF is one cluster of two code points.
_CLUSTERING_OR_CR = regex.compile(r"[^\p{GCB=Other}\p{GCB=Control}\p{GCB=LF}]")
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")
# The regex word rule: a run of letters, digits, combining marks and ZWJ/ZWNJ (so marks and joiners
# stay inside words of any script); an apostrophe between letters ("O'Rourke") and a separator between
# digits ("3.14", "10:45", Arabic "10،000", "٣٫٥") stay inside too. Any other non-space grapheme
# cluster (punctuation, symbol, a whole emoji sequence) is a token by itself.
_W = r"[\p{L}\p{N}\p{M}\u200c\u200d]"
_WORD_RULE = (
    rf"{_W}+(?:(?:(?<=\p{{Nd}})[.,:\u060c\u066b\u066c](?=\p{{Nd}})|(?<=[\p{{L}}\p{{M}}])['\u2019](?=\p{{L}})){_W}+)*"
)
_REGEX_TOKEN = regex.compile(rf"{_WORD_RULE}|\X")
_REGEX_WORD = regex.compile(_WORD_RULE)
_SCRIPT_RUN = {
    # Han ideographs plus any marks (variation selectors) attached to them.
    "zh": regex.compile(r"\p{Han}[\p{Han}\p{M}]*"),
    # The Thai block holds Thai letters, vowel/tone marks, digits and the signs ฯ ๆ.
    "th": regex.compile(r"\p{Thai}+"),
}


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; supported: {', '.join(sorted(LANGS))}")


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of text, in order (they concatenate back to text)."""
    return _GRAPHEME.findall(text)


def single_code_point_clusters(text: str) -> bool:
    """True when every code point of text is a grapheme cluster by itself (no marks, joiners, Hangul
    jamo, CR LF...): then text's clusters are simply its characters, and no clustering pass is needed."""
    return _CLUSTERING_OR_CR.search(text) is None


# A combining mark or joiner, which continues the cluster before it.
_CONTINUES_CLUSTER = regex.compile(r"[\p{GCB=Extend}\p{GCB=SpacingMark}\p{GCB=ZWJ}]")


def opens_with_mark(text: str) -> bool:
    """True when text starts with a combining mark or joiner: at the start of a field or after a space it has
    nothing to combine with (Unicode attaches it to the space), so text starts inside a grapheme cluster."""
    return _CONTINUES_CLUSTER.match(text) is not None


def grapheme_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each grapheme cluster; together they cover text exactly."""
    return [m.span() for m in _GRAPHEME.finditer(text)]


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a text: its code-point span, its text, and whether it is a word."""

    start: int  # code-point offset into the text
    end: int
    text: str  # == original_text[start:end]
    is_word: bool  # contains a letter (\p{L}) or digit (\p{N}); punctuation/symbol/emoji tokens are False


def uses_dictionary(lang: str) -> bool:
    """Whether lang is written without spaces and cut by a dictionary segmenter (zh: jieba, th: newmm)."""
    return lang in _DICT_SEGMENTER


def segmenter_id(lang: str) -> str:
    """A short stable name of the segmenter used for lang, for recording in signatures."""
    _check_lang(lang)
    if lang in _DICT_SEGMENTER:
        return _DICT_SEGMENTER[lang]
    if lang in _REGEX_LANGS:
        return "regex-words"
    return f"spacy-blank:{_SPACY_LANG[lang]}"


def tokenize(text: str, lang: str) -> tuple[Token, ...]:
    """All tokens of text in order: they do not overlap, never contain whitespace, cover every
    non-whitespace character, and start and end on grapheme-cluster boundaries, except that a
    whitespace character is always cut off from marks Unicode attaches to it (a space + U+0301)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    _check_lang(lang)
    return _tokenize_cached(text, lang)


def char_words(text: str, lang: str) -> tuple[Token, ...]:
    """The words character-level noise works on: for zh and th the dictionary segmenter's words (as
    `words`), for languages written with spaces the regex word rule (runs of letters, digits, marks and
    joiners, as for ar/ur).

    A typo or swap needs a word's extent and clusters, not the linguistic analysis a word-level op needs
    ("won't" is one written word to a typist; spaCy's "wo|n't" is for grammar), and the rule is the same
    for every script, cluster-safe and an order of magnitude faster than a spaCy tokenizer."""
    return tuple(Token(s, e, text[s:e], True) for s, e in char_word_spans(text, lang))


def char_word_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of each of `char_words(text, lang)`, without building Token objects."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    _check_lang(lang)
    if lang in _DICT_SEGMENTER:
        return [(t.start, t.end) for t in _words_cached(text, lang)]
    if single_code_point_clusters(text):
        # Every position is a cluster boundary and a word match holds only letters and digits, so the
        # words are exactly the matches of the word alternative (what _assemble would keep). findall is
        # much cheaper than finditer's match objects; each word's offset is then found by str.find from
        # the end of the previous one, which is exact: the characters between two matches cannot start
        # a match, so cannot start an occurrence of the next word either.
        spans = []
        pos = 0
        for w in _REGEX_WORD.findall(text):
            pos = text.find(w, pos)
            spans.append((pos, pos + len(w)))
            pos += len(w)
        return spans
    # Marks inside words (Devanagari, Arabic harakat...): the matches are still the words when each one
    # starts and ends on a cluster boundary, which holds when the characters on both sides of each edge
    # cannot join a cluster (checked per edge: far cheaper than clustering the whole text).
    spans = []
    n = len(text)
    for m in _REGEX_WORD.finditer(text):
        s, e = m.span()
        if not (_safe_edge(text, s, n) and _safe_edge(text, e, n)):
            spans = None
            break
        if text[s].isalpha() or _WORDLIKE.search(text, s, e):  # not a run of marks alone
            spans.append((s, e))
    if spans is not None:
        return spans
    cuts: set[int] = set()
    _regex_cuts(text, 0, cuts)
    return [(t.start, t.end) for t in _assemble(text, cuts) if t.is_word]


# A character after which a cluster boundary may be missing (GB3, GB9b, GB11): CR (before LF), Prepend, ZWJ.
_JOINS_NEXT = regex.compile(r"[\r\p{GCB=Prepend}\p{GCB=ZWJ}]")


def _safe_edge(text: str, i: int, n: int) -> bool:
    """Whether offset i of text is certainly a grapheme-cluster boundary: the character after it starts a
    cluster by itself (GCB Other/Control/LF) and the one before it joins nothing to it."""
    if i < n and _CLUSTERING_OR_CR.match(text, i):
        return False
    return i == 0 or _JOINS_NEXT.match(text, i - 1) is None


def words(text: str, lang: str) -> tuple[Token, ...]:
    """The tokens of text that are words (is_word), in order."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    _check_lang(lang)
    return _words_cached(text, lang)


# Several perturbations tokenize the same sentence, so both results are memoised (tuples are immutable).
@functools.lru_cache(maxsize=TEXT_MEMO)
def _words_cached(text: str, lang: str) -> tuple[Token, ...]:
    return tuple(t for t in _tokenize_cached(text, lang) if t.is_word)


@functools.lru_cache(maxsize=TEXT_MEMO)
def _tokenize_cached(text: str, lang: str) -> tuple[Token, ...]:
    if lang in _DICT_SEGMENTER:
        cuts = _dictionary_cuts(text, lang)
    elif lang in _REGEX_LANGS:
        cuts = set()
        _regex_cuts(text, 0, cuts)
    else:
        cuts = _spacy_cuts(text, _SPACY_LANG[lang])
    return _assemble(text, cuts)


def _assemble(text: str, cuts: set[int]) -> tuple[Token, ...]:
    """Cut every non-whitespace run at the proposed cuts that are grapheme boundaries.

    Whatever the segmenter proposes, a cut inside a grapheme cluster is dropped (merging the pieces),
    so a conjunct, a Thai consonant with its tone mark or an emoji ZWJ sequence is never split."""
    if _CLUSTERING.search(text) is None:
        edges = set(cuts)
    else:
        boundaries = {m.start() for m in _GRAPHEME.finditer(text)}
        edges = {c for c in cuts if c in boundaries}
    # Whitespace edges are always cuts, even the one between a space and the marks Unicode attaches
    # to it; between consecutive edges lies either only whitespace or no whitespace at all.
    for run in _NON_WS_RUN.finditer(text):
        edges.update(run.span())
    edges.add(0)
    edges.add(len(text))
    order = sorted(edges)
    tokens: list[Token] = []
    for start, end in zip(order, order[1:]):
        if text[start].isspace():
            continue
        piece = text[start:end]
        # str.isalpha() is exactly \p{L}: a cheap answer for the usual piece that starts with a letter.
        tokens.append(Token(start, end, piece, piece[0].isalpha() or _WORDLIKE.search(piece) is not None))
    return tuple(tokens)


def _regex_cuts(text: str, offset: int, cuts: set[int]) -> None:
    for m in _REGEX_TOKEN.finditer(text):
        cuts.add(offset + m.start())
        cuts.add(offset + m.end())


# --- spaCy ------------------------------------------------------------------------------------------


def _import_spacy():
    """Import spaCy without letting thinc import torch: thinc probes for torch at import time only to
    offer GPU layers a blank tokenizer never uses, which costs seconds and hundreds of MB per process,
    and perturb promises not to import torch. The probe sees an ImportError; the block is lifted at once."""
    import sys

    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy
        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


@functools.lru_cache(maxsize=None)
def _spacy_tokenizer(splang: str):
    spacy = _import_spacy()  # lazy: importing spaCy takes about a second

    nlp = spacy.blank(splang)
    # Lexical attributes (like_num, shape, stop word, ...) are computed for every new word the tokenizer
    # meets, and a first pass over a corpus meets mostly new words; no tokenizer rule reads them (checked:
    # identical cuts on all real XNLI/XCOPA text), so they are not computed.
    nlp.vocab.lex_attr_getters = {}
    tokenizer = nlp.tokenizer
    if splang == "xx":
        # The generic rules keep "a." ... "z." whole as enumeration labels, but the languages that use
        # them have one-letter words: Haitian "a" ends 1 in 9 XCOPA sentences ("... machin a.").
        tokenizer.rules = {k: v for k, v in tokenizer.rules.items() if not regex.fullmatch(r"\p{L}\.", k)}
    return tokenizer


@functools.lru_cache(maxsize=None)
def _spacy_fold_patterns():
    _import_spacy()
    from spacy.lang.char_classes import ALPHA

    # Combining marks and joiners that spaCy's letter class lacks (Latin/Greek/Cyrillic combining
    # diacritics, Arabic harakat, ZWJ/ZWNJ): its suffix rules look behind for a letter, so after such a
    # mark "يَعُدْ." or a decomposed "café." keeps its full stop attached.
    foldable = regex.compile(rf"(?V1)[[\p{{M}}\u200c\u200d]--[{ALPHA}]]")
    letter_marks = regex.compile(r"(\p{L})([\p{M}\u200c\u200d]+)")
    return foldable, letter_marks


def _spacy_input(text: str) -> str:
    """text with each such mark after a letter replaced by a copy of that letter, for spaCy only.

    The copy has the letter's class and case, so spaCy treats the cluster like a precomposed letter;
    one code point replaces one, so spaCy's offsets stay offsets into text."""
    foldable, letter_marks = _spacy_fold_patterns()
    if foldable.search(text) is None:
        return text
    return letter_marks.sub(lambda m: m[1] + foldable.sub(lambda _: m[1], m[2]), text)


def _spacy_cuts(text: str, splang: str) -> set[int]:
    tokenizer = _spacy_tokenizer(splang)  # first: it imports spaCy without torch
    from spacy.attrs import IDX, LENGTH

    doc = tokenizer(_spacy_input(text))
    # One array of (offset, length) per token is much faster than iterating Token objects.
    spans = doc.to_array([IDX, LENGTH]).tolist()
    return {start for start, _ in spans} | {start + length for start, length in spans}


# --- dictionary segmenters for zh and th --------------------------------------------------------------


def _dictionary_cuts(text: str, lang: str) -> set[int]:
    cuts: set[int] = set()
    _regex_cuts(text, 0, cuts)
    segment = _jieba_segment if lang == "zh" else _newmm_segment
    for run in _SCRIPT_RUN[lang].finditer(text):
        start = run.start()
        cuts.add(start)
        cuts.add(run.end())
        for length in segment(run[0]):
            start += length
            cuts.add(start)
    return cuts


@functools.lru_cache(maxsize=None)
def _jieba_tokenizer():
    import jieba  # lazy: jieba builds its prefix dictionary on first use

    # jieba announces dictionary loading on its own logger at DEBUG/INFO level.
    jieba.setLogLevel(logging.WARNING)
    # A private Tokenizer, so words other code adds to jieba's global one cannot change our output.
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _jieba_segment(run: str) -> list[int]:
    # HMM=True (jieba's default) is deterministic Viterbi decoding for out-of-dictionary words.
    return [end - start for _, start, end in _jieba_tokenizer().tokenize(run)]


@functools.lru_cache(maxsize=None)
def _newmm():
    from pythainlp.tokenize import word_tokenize  # lazy: pythainlp loads its Thai dictionary

    return word_tokenize


@functools.lru_cache(maxsize=None)
def thai_words() -> frozenset[str]:
    """The Thai word list the newmm segmenter cuts by (pythainlp's dictionary), for ops that ask whether a
    string is a Thai word."""
    from pythainlp.corpus import thai_words as words

    return frozenset(words())


def _newmm_segment(run: str) -> list[int]:
    # newmm returns strings, not offsets: walk them along the run to recover the lengths, and keep the
    # run whole if they ever fail to spell it out exactly.
    pieces = _newmm()(run, engine="newmm", keep_whitespace=True)
    if "".join(pieces) != run:
        return [len(run)]
    return [len(p) for p in pieces]
