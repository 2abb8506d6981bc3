"""`char.script`: write Chinese words in the other script (Simplified ↔ Traditional) with OpenCC's conversion tables."""
from __future__ import annotations

import functools
import importlib.util
import random
from importlib import metadata
from dataclasses import dataclass

from ... import segment
from ...core import RateParams, task_languages
from ...registry import register
from . import _common as cc

# OpenCC configurations that map character for character (phrase tables pick the right character in
# context: 头发 -> 頭髮, 发现 -> 發現). s2twp and friends also swap vocabulary (软件 -> 軟體), which
# is a lexical change, not a script change: not offered.
CONFIGS = ("s2t", "s2tw", "s2hk", "t2s")


@dataclass(frozen=True)
class ScriptParams(RateParams):
    """rate: share of eligible words (that the conversion changes) written in the other script.
    config: the OpenCC conversion; XNLI and XCOPA Chinese are Simplified, hence s2t."""

    # All convertible words by default: a sentence in the other script, as a Traditional-script reader
    # would write it; a lower rate mixes scripts within a sentence.
    rate: float = 1.0
    config: str = "s2t"

    def __post_init__(self):
        super().__post_init__()
        if self.config not in CONFIGS:
            raise ValueError(f"config must be one of {', '.join(CONFIGS)}, got {self.config!r}")


@functools.lru_cache(maxsize=None)
def opencc_available() -> bool:
    """Whether the official `opencc` distribution (a C++ library with its tables) is installed.

    opencc-python-reimplemented installs a module of the same name with other tables; only the official
    distribution counts, and the two must not be installed together."""
    try:
        metadata.version("opencc")
    except metadata.PackageNotFoundError:
        return False
    return importlib.util.find_spec("opencc") is not None


@register
class CharScript(cc.WordOp):
    name = "char.script"
    family = "char"
    description = "convert Chinese words between Simplified and Traditional characters (OpenCC)"
    Params = ScriptParams

    @classmethod
    def languages(cls, task):
        if task not in cls.tasks or not opencc_available():
            return frozenset()
        return task_languages(task, {"zh"})

    def candidates(self, text, lang):
        converted = _convert(text, self.params.config)
        out = []
        for w in cc.words(text, lang):
            # The sentence is converted as a whole (phrase tables need context beyond one jieba word);
            # when that keeps the length, each word takes its slice, else it is converted alone.
            new = converted[w.start:w.end] if len(converted) == len(text) else _convert(w.text, self.params.config)
            new_clusters = tuple(segment.graphemes(new))
            # Character for character only, and whole clusters (a variation selector stays on its ideograph).
            if len(new_clusters) == len(w.clusters) and cc.valid_word_edit(w, new_clusters):
                out.append((w, new_clusters))
        return out

    def touch(self, cand, rng: random.Random):
        # One edit per changed character, so edits show exactly which characters changed script.
        word, new_clusters = cand
        return [cc.cluster_span(word, i, i + 1, b) for i, (a, b) in enumerate(zip(word.clusters, new_clusters))
                if a != b]


@functools.lru_cache(maxsize=None)
def _converter(config: str):
    import opencc  # lazy: loads the conversion dictionaries

    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=2**16)
def _convert(text: str, config: str) -> str:
    return _converter(config).convert(text)
