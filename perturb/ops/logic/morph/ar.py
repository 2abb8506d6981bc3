"""Arabic morphology for negation.yaml `morph: ar_future`: the future prefix سـ turned into لن, and back."""
from __future__ import annotations

from ....core import Span
from .._rules import rx
from .base import Cand


def _is_word(verb: str) -> bool:
    """Whether the imperfect left after the future prefix is a word of Arabic (wordfreq Zipf ≥ 2): a noun or
    name that merely starts with سي/ست/سن ("سيارة" car, "سنوات" years, "سيادته", "سيفيك") leaves no verb."""
    from wordfreq import zipf_frequency
    return zipf_frequency(verb, "ar") >= 2.0


def _local(rule, text, toks, folded, lang):
    """Arabic future: سـ + imperfect → لن + imperfect (not for -ون plurals, whose subjunctive drops the n)."""
    out = []
    for j, t in enumerate(toks):
        m = rx(r"([وف]?)س([يتنأ]\w{2,})").fullmatch(t.text)
        if m and not t.text.endswith("ون") and _is_word(m[2]):
            out.append(Cand(j, [Span(t.start, t.end, m[1] + "لن " + m[2])]))
    return out


def _denegate(rule, text, toks, folded, i, lang):
    """Arabic لن + imperfect → سـ + imperfect (same -ون restriction)."""
    t = toks[i]
    m = rx(r"([وف]?)لن").fullmatch(t.text)
    if not m or i + 1 >= len(toks):
        return None
    v = toks[i + 1]
    if v.start != t.end + 1 or not rx(r"[يتنأ]\w{2,}").fullmatch(v.text) or v.text.endswith(("وا", "ون")):
        return None
    return [Span(t.start, v.end, m[1] + "س" + v.text)]


LOCAL = {"ar_future": _local}
DENEGATE = {"ar_future": _denegate}
