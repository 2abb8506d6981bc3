"""`logic.number`: change a number of the XNLI hypothesis that the premise also states (entailment → contradiction).

Rules and known failure modes are documented in `perturb.ops._logic_rules`.
"""
from __future__ import annotations

import functools
import unicodedata

import regex

from ...core import DROPPED, Span, xnli_label_map
from ...registry import register
from ._rules import rx, LogicOp, _seqs, common_blockers, find_seq, fold, lang_rules, resource, tokens

# A standalone integer: not part of a decimal, time, date, range or larger digit run ("3.5", "10:45", "1/2",
# "3-5"), and not glued to a letter of a spaced script ("U2", "3D", "5th", "1990s": a name, an ordinal, a
# decade). Han and Thai letters may touch it: those scripts write "3个", "1998年" without a space.
_INT = regex.compile(
    r"(?<![\p{Nd}.,:/\p{Latin}\p{Cyrillic}\p{Greek}\p{Arabic}\p{Devanagari}])(?<!\p{Nd}[-–])"
    r"\p{Nd}+(?![\p{Nd}\p{Latin}\p{Cyrillic}\p{Greek}\p{Arabic}\p{Devanagari}]|[.,:/\-–]\p{Nd})")
_DELTAS = (1, 2, 3, -1, -2, -3)


def _value(digits: str) -> int:
    return int("".join(str(unicodedata.digit(c)) for c in digits))


def _render(value: int, like: str) -> str:
    """value written with the digits of the script `like` uses (ASCII, Devanagari, Arabic-Indic, Thai …)."""
    zero = ord(like[0]) - unicodedata.digit(like[0])
    return "".join(chr(zero + int(d)) for d in str(value))


def _agreement_class(n: int, scheme: str):
    """Numbers in one class take the same noun form, so a change inside it keeps the sentence grammatical."""
    if scheme == "east_slavic":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    if scheme == "arabic":
        r = n % 100
        if r == 0:
            return "hundreds"
        if r <= 2:
            return "one-two"
        return "few" if r <= 10 else "many"
    return "other"


@functools.lru_cache(maxsize=None)
def _numbers_doc(lang):
    doc = resource(lang, "numbers")
    if doc is None:
        return None
    return {"hedges": _seqs(lang, doc.get("hedges")), "agreement": str(doc.get("agreement", "default")),
            "block_suffix": str(doc.get("block_suffix", "")), "window": int(doc.get("window", "3")),
            "range_words": tuple(doc.get("range_words") or ())}


@register
class Number(LogicOp):
    name = "logic.number"
    description = "change a number the hypothesis shares with the premise; entailment -> contradiction, others dropped"
    label_map = xnli_label_map({"entailment": "contradiction", "neutral": None, "contradiction": None})
    resource_kind = "numbers"

    def edit(self, text, *, example, rng):
        lang = example.lang
        doc = _numbers_doc(lang)
        rules = lang_rules(lang)
        if doc is None or rules is None or not text.strip() or common_blockers(text, lang, rules):
            return None
        premise = example.fields.get("premise", "")
        in_premise = {_value(m.group()) for m in _INT.finditer(premise)}
        candidates = []
        for m in _INT.finditer(text):
            digits = m.group()
            if len(digits) > 1 and unicodedata.digit(digits[0]) == 0:
                continue  # "007", "05": an identifier or a time, not a count
            value = _value(digits)
            if value in (0, 1) or value not in in_premise:
                continue
            if doc["block_suffix"] and rx(doc["block_suffix"]).match(text[m.end():]):
                continue
            candidates.append(m)
        if not candidates:
            return None
        plain = [m for m in candidates if not self._hedged(text, lang, m, doc)]
        if not plain:
            return DROPPED  # "at least 4" may still be entailed: the new label is undetermined
        m = plain[rng.randrange(len(plain))]
        value = _value(m.group())
        cls = _agreement_class(value, doc["agreement"])
        options = [value + d for d in _DELTAS
                   if value + d >= 2 and value + d not in in_premise
                   and _agreement_class(value + d, doc["agreement"]) == cls]
        if not options:
            return None
        new = options[rng.randrange(len(options))]
        return [Span(m.start(), m.end(), _render(new, m.group()))]

    @staticmethod
    def _hedged(text, lang, m, doc) -> bool:
        toks = tokens(text, lang)
        folded = [fold(t.text, lang) for t in toks]
        idx = [i for i, t in enumerate(toks) if t.start <= m.start() < t.end or m.start() <= t.start < m.end()]
        if not idx:
            return False
        lo = max(0, idx[0] - doc["window"])
        hi = min(len(toks), idx[-1] + 1 + doc["window"])
        for seq in doc["hedges"]:
            j = find_seq(folded, seq, lo)
            if 0 <= j and j + len(seq) <= hi:
                return True
        # A range ("3 to 5", "3 or 4"): a range word between this number and another one.
        ranges = {fold(w, lang) for w in doc["range_words"]}
        for a, b in ((idx[0] - 2, idx[0] - 1), (idx[-1] + 2, idx[-1] + 1)):
            if 0 <= a < len(toks) and 0 <= b < len(toks) and folded[b] in ranges and _INT.search(toks[a].text):
                return True
        # Hedges glued to the number ("40+", "~40", "约40").
        around = text[max(0, m.start() - 1):m.end() + 1]
        return any(c in around for c in "+~≈<>≤≥±")
