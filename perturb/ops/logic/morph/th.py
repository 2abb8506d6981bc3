"""Thai morphology for negation.yaml `morph: th_maidai`: preverbal "ไม่ได้" after a noun subject and before an
action verb becomes "ได้"."""
from __future__ import annotations

import functools

from ....core import TEXT_MEMO, Span


@functools.lru_cache(maxsize=TEXT_MEMO)
def _tags(words: tuple[str, ...]) -> tuple[str, ...]:
    """ORCHID word classes of Thai tokens (PyThaiNLP's perceptron tagger: deterministic, bundled, offline)."""
    from pythainlp.tag import pos_tag

    return tuple(tag for _, tag in pos_tag(list(words), corpus="orchid"))


def _maidai(rule, text, toks, folded, i, lang):
    """Thai preverbal "ไม่ได้" after a noun subject and before an action verb → "ได้" (the past marker stays:
    "ระบบวิเคราะห์การเดินทาง" would read as one compound noun). None elsewhere, so the next rules apply."""
    if i == 0 or not toks[i - 1].is_word:
        return None
    if folded[i] == "ไม่" and i + 2 < len(toks) and folded[i + 1] == "ได้":
        first, last, verb = i, i + 1, i + 2
    elif folded[i] == "ไม่ได้" and i + 1 < len(toks):
        first, last, verb = i, i, i + 1
    else:
        return None
    if not toks[verb].is_word:
        return None
    tags = _tags(tuple(t.text for t in toks))
    if not tags[i - 1].startswith("N") or tags[verb] != "VACT":
        return None
    return [Span(toks[first].start, toks[last].end, "ได้")]


LOCAL = {}
DENEGATE = {"th_maidai": _maidai}
