"""Vietnamese words for lex.codeswitch: pyvi's CRF groups the syllable tokens of `segment` into words ("thông tin" is one word), keeping exact offsets."""
from __future__ import annotations

import functools
import string

from ... import segment
from ...core import TEXT_MEMO
from . import _common as lc


def available() -> bool:
    return lc.library_available("pyvi")


def resource_id() -> str:
    return f"pyvi-{lc.library_version('pyvi')}"


@functools.lru_cache(maxsize=1)
def _tokenizer():
    from pyvi.ViTokenizer import ViTokenizer  # lazy: loads a CRF model and scikit-learn (seconds)

    return ViTokenizer


@functools.lru_cache(maxsize=TEXT_MEMO)
def words(text: str) -> tuple[tuple[segment.Token, ...], ...]:
    """The words of a Vietnamese text, each as the tuple of its syllable tokens (punctuation tokens alone).

    pyvi labels each syllable B_W (begins a word) or I_W (continues one); the syllables are our own tokens, so
    offsets stay exact, and the joining conditions are pyvi's own (ViTokenizer.tokenize): never across
    punctuation or digits, never from a lower-case syllable into a capitalised one."""
    tokens = segment.tokenize(text, "vi")
    if not tokens:
        return ()
    vt = _tokenizer()
    sylls = [t.text for t in tokens]
    labels = vt.model.predict([vt.sent2features(sylls, False)])[0]
    groups: list[list[segment.Token]] = [[tokens[0]]]
    for i in range(1, len(tokens)):
        prev, cur = tokens[i - 1], tokens[i]
        joined = (labels[i] == "I_W" and cur.text not in string.punctuation and prev.text not in string.punctuation
                  and cur.is_word and prev.is_word and not cur.text[0].isdigit() and not prev.text[0].isdigit()
                  and not (cur.text[0].istitle() and not prev.text[0].istitle())
                  and text[prev.end:cur.start] == " ")
        if joined:
            groups[-1].append(cur)
        else:
            groups.append([cur])
    return tuple(tuple(g) for g in groups)


def in_longer_word(syllable: segment.Token, before: tuple[segment.Token, ...] | None,
                   after: tuple[segment.Token, ...] | None) -> bool:
    """Whether a one-syllable word and a neighbouring syllable form a word of pyvi's dictionary (bồn + tắm):
    the CRF left them apart, but the syllable may still be half of a longer word, which is never translated."""
    vt = _tokenizer()
    s = syllable.text.lower()
    if before and before[-1].is_word and f"{before[-1].text.lower()} {s}" in vt.bi_grams:
        return True
    return bool(after and after[0].is_word and f"{s} {after[0].text.lower()}" in vt.bi_grams)


def in_dictionary(words: str) -> bool:
    """Whether lower-case syllables joined by single spaces are a word of pyvi's dictionary (2 or 3 syllables)."""
    vt = _tokenizer()
    return words in vt.bi_grams or words in vt.tri_grams


@functools.lru_cache(maxsize=TEXT_MEMO)
def nouns(text: str) -> frozenset[int]:
    """Start offsets of the syllables that pyvi's part-of-speech tagger puts in a noun (tags N, Np; not the
    classifiers Nc, "con", "quả", which come before a noun without forming a compound with it).
    Its words are matched to our syllable tokens in order; empty when they do not line up."""
    from pyvi.ViPosTagger import ViPosTagger  # lazy, like the tokenizer

    tokens = [t for t in segment.tokenize(text, "vi") if not t.text.isspace()]
    tagged, tags = ViPosTagger.postagging(_tokenizer().tokenize(text))
    out, n = set(), 0
    for word, tag in zip(tagged, tags):
        for syllable in word.split("_"):
            if n >= len(tokens) or tokens[n].text != syllable:
                return frozenset()
            if tag in ("N", "Np"):
                out.add(tokens[n].start)
            n += 1
    return frozenset(out)
