"""`lex.mlm`: contextual word substitution: mask a content word and write one of a user-supplied masked LM's best whole-word predictions (BAE-R style, without the adversarial search).

Per field: the content words are put in an order drawn from the rng; the first n = n_to_touch(rate, words) are
masked, one mask per copy of the text, all copies in one batch; a word whose predictions hold no usable
candidate is replaced by the next word of the order, in at most 3 batches. A usable candidate is a whole word
(a SentencePiece piece that starts a word where the original word followed a space; in Chinese and Thai any
piece), of the original's script, letters only, not the original in any case, not a stop word (so no negation or
quantifier is ever written in), segmented as one word, and, where wordfreq has a trustworthy list for the
language, a word wordfreq knows (this drops prefixes such as "unbeliev"); in Thai, a word of pythainlp's
dictionary. One of the best `top` is drawn. The batch of one field depends only on the example and the seed,
never on other examples, so output is the same for any sharding or number of workers.

Label preservation is assumed, as in BAE and CLARE, not guaranteed: a masked LM readily proposes antonyms
("happy" -> "sad"); stop-word filtering only rules out function words.
"""
from __future__ import annotations

import copy
import functools
import os
import unicodedata
from dataclasses import dataclass

import regex

from ... import segment
from ...core import Perturbation, RateParams, n_to_touch, task_languages
from ...registry import register
from . import _common as lc
from . import _mlm as backends

MAX_ROUNDS = 3
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_UNSPACED = frozenset({"zh", "th"})
_UNTRUSTED_WORDFREQ = frozenset({"sw", "ht", "qu"})  # wordfreq has no list there or substitutes English


@dataclass(frozen=True)
class MLMParams(RateParams):
    """rate: share of content words replaced; top: one of the LM's best `top` usable candidates is drawn."""

    rate: float = 0.15
    top: int = 5

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.top, bool) or not isinstance(self.top, int) or not 1 <= self.top <= 50:
            raise ValueError(f"top must be an integer in [1, 50], got {self.top!r}")


@register
class MaskedLM(Perturbation):
    name = "lex.mlm"
    family = "lex"
    description = "replace content words by a masked LM's whole-word predictions in context; needs --mlm"
    Params = MLMParams
    requires = {"mlm": "a local masked-LM directory (config.json, *.safetensors, tokenizer), e.g. xlm-roberta-base"}

    _filler = None

    @classmethod
    def languages(cls, task):
        # Every language with a stop-word list (content words must be told from function words); qu has none.
        # Which of them the LM knows is the user's choice of model: XLM-R was not trained on ht or qu.
        if task not in cls.tasks:
            return frozenset()
        return task_languages(task, {lang for lang in segment.LANGS if lc.has_stopwords(lang)})

    @classmethod
    def contract_instance(cls):
        # The contract test needs no real LM: the echo stand-in proposes the sentence's own other words.
        return cls().bind(mlm=backends.EchoFiller())

    def bind(self, *, mlm) -> "MaskedLM":
        """A copy that uses `mlm`: a local model directory, or any object with `predict` and `fingerprint`."""
        new = copy.copy(self)
        if isinstance(mlm, (str, os.PathLike)):
            new._filler = backends.HFMaskFiller(mlm)
        elif hasattr(mlm, "predict") and hasattr(mlm, "fingerprint"):
            new._filler = mlm
        else:
            raise ValueError(f"expected a model directory or a mask filler, got {type(mlm).__name__}")
        return new

    def supports(self, task, lang):
        return self._filler is not None and super().supports(task, lang)

    def resource_parts(self, task, lang):
        parts = [("mlm", self._filler.fingerprint if self._filler is not None else "none")]
        if lang and _trusts_wordfreq(lang):
            parts.append(("words", f"wordfreq-{lc.library_version('wordfreq')}"))
        return parts

    def resource_params(self):
        return {"mlm": self._filler.fingerprint if self._filler is not None else None}

    def edit_field(self, text, *, field, example, rng):
        lang = example.lang
        if self._filler is None or not lc.has_stopwords(lang):
            return None
        words = [t for t in lc.content_words(text, lang) if _WORD.fullmatch(t.text)]
        n = n_to_touch(self.params.rate, len(words))
        if n == 0:
            return None
        order = rng.sample(range(len(words)), len(words))
        chosen: dict[int, str] = {}
        pos = 0
        for _ in range(MAX_ROUNDS):
            if len(chosen) >= n or pos >= len(order):
                break
            batch = order[pos:pos + n - len(chosen)]
            pos += len(batch)
            predictions = self._filler.predict([(text, words[i].start, words[i].end) for i in batch], lang)
            for i, candidates in zip(batch, predictions):
                usable = _usable(candidates, words[i], text, lang, self.params.top)
                if usable:
                    chosen[i] = rng.choice(usable)
        return lc.spaced(text, [(words[i].start, words[i].end, chosen[i]) for i in sorted(chosen)])


def _usable(candidates, tok: segment.Token, text: str, lang: str, top: int) -> list[str]:
    """The first `top` usable candidates, in the LM's order."""
    need_start = lang not in _UNSPACED and (tok.start == 0 or text[tok.start - 1].isspace())
    script = lc.script_of(tok.text)
    own = lc.key(tok.text)
    out, seen = [], set()
    for surface, starts_word in candidates:
        if need_start and not starts_word:
            continue  # a piece that continues a word: a sub-word fragment here
        s = unicodedata.normalize("NFC", surface)
        k = lc.key(s)
        if k == own or k in seen or not _WORD.fullmatch(s) or lc.script_of(s) != script:
            continue
        if lc.is_stopword(s, lang) or not _whole_word(s, lang):
            continue
        seen.add(k)
        out.append(s if lc.is_capitalised(s) else lc.recase(s, tok.text))
        if len(out) == top:
            break
    return out


def _whole_word(word: str, lang: str) -> bool:
    toks = segment.words(word, lang)
    if len(toks) != 1 or toks[0].text != word:
        return False
    if lang == "th":
        return word in segment.thai_words()
    if _trusts_wordfreq(lang):
        return lc.key(word) in _wordfreq_words(lang)
    return len(segment.graphemes(word)) >= 2


@functools.lru_cache(maxsize=None)
def _trusts_wordfreq(lang: str) -> bool:
    if lang in _UNTRUSTED_WORDFREQ or not lc.library_available("wordfreq"):
        return False
    import wordfreq

    return lang in wordfreq.available_languages("best")


@functools.lru_cache(maxsize=None)
def _wordfreq_words(lang: str) -> dict[str, float]:
    import wordfreq

    return wordfreq.get_frequency_dict(lang, "best")
