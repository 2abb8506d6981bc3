"""`logic.number`: change a number of the XNLI hypothesis that the premise pins down (entailment → contradiction).

Rules, the checks that decide when the premise pins a number down, and known failure modes: docs/logic-rules.md
and `perturb.ops.logic._rules`.
"""
from __future__ import annotations

import unicodedata

import regex

from ...core import DROPPED, Span, xnli_label_map
from ...registry import register
from ._rulebook import NumberRules, negation_rules, number_rules
from ._rules import LogicOp, common_blockers, find_seq, fold, phrase_hit, tokens

# A standalone integer: not part of a decimal, time, date, range, code or larger digit run ("3.5", "10:45",
# "1/2", "3-5", "K-12", "48،000", "48 000"), and not glued to a letter of a spaced script ("U2", "3D", "5th",
# "1990s": a name, an ordinal, a decade). Han and Thai letters may touch it: those scripts write "3个",
# "1998年" without a space.
_LETTER = r"\p{Latin}\p{Cyrillic}\p{Greek}\p{Arabic}\p{Devanagari}"
_INT = regex.compile(
    rf"(?<![\p{{Nd}}.,:/،٫٬'’{_LETTER}])(?<![\p{{Nd}}\p{{L}}][-–])(?<!\p{{Nd}}[\u00a0\u202f ])"
    rf"\p{{Nd}}+(?![\p{{Nd}}{_LETTER}]|[.,:/\-–،٫٬'’]\p{{Nd}}|[-–]\p{{L}}|[\u00a0\u202f ]\p{{Nd}}{{3}}(?!\p{{Nd}}))")
_DELTAS = (1, 2, 3, -1, -2, -3)
# Signs that make a number a measure of the same thing on both sides ("$3", "30 %").
_UNIT_SIGNS = frozenset("$€£¥₹₽₺%‰°")
_NO_SPACE = frozenset({"zh", "th"})


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


def _evaluative(text: str, lang: str, doc: NumberRules) -> bool:
    """Whether the sentence judges an amount ("3 mg is too much", "enough", "太多"): "4 mg is too much" is then
    not excluded, and "2 mg" may be too much as well, so a changed number's label is undetermined."""
    return phrase_hit(doc.evaluative_matcher, fold(text, lang))


def _round(value: int) -> bool:
    """A large round figure ("2000 people", "200000 words"): usually an approximation, so a change by 1–3
    ("2001", "199999") is not excluded by it. (Small round counts, "100 barrels", are kept.)"""
    return value >= 1000 and value % 100 == 0


class _Occurrence:
    """One standalone integer of a sentence, with its token neighbours (folded) for the context checks."""

    __slots__ = ("m", "value", "idx", "toks", "folded")

    def __init__(self, m, toks, folded):
        self.m, self.value, self.toks, self.folded = m, _value(m.group()), toks, folded
        self.idx = [i for i, t in enumerate(toks) if t.start <= m.start() < t.end or m.start() <= t.start < m.end()]

    def neighbour(self, step: int) -> str | None:
        """The folded token just before (step -1) or after (step 1) the number, None at the edge."""
        if not self.idx:
            return None
        j = self.idx[0] - 1 if step < 0 else self.idx[-1] + 1
        return self.folded[j] if 0 <= j < len(self.toks) else None

    def raw_neighbour(self, step: int) -> str | None:
        if not self.idx:
            return None
        j = self.idx[0] - 1 if step < 0 else self.idx[-1] + 1
        return self.toks[j].text if 0 <= j < len(self.toks) else None


def _occurrences(text: str, lang: str) -> list[_Occurrence]:
    toks = tokens(text, lang)
    folded = [fold(t.text, lang) for t in toks]
    return [_Occurrence(m, toks, folded) for m in _INT.finditer(text)]


def _is_date_word(word: str | None, doc, lang: str, step: int) -> bool:
    if word is None:
        return False
    if word in doc.date_words:
        return True
    if lang in _NO_SPACE:  # "9月", "1998年底", "ปี": a unit glued to the next word
        return any(word.startswith(w) if step > 0 else word.endswith(w) for w in doc.date_words)
    return False


def _pinned(occ: _Occurrence, text: str, lang: str, doc) -> bool:
    """Whether this occurrence reads as a plain count or measure: not a year, date, name, code or label."""
    digits = occ.m.group()
    if len(digits) > 1 and unicodedata.digit(digits[0]) == 0:
        return False  # "007", "05": an identifier or a time, not a count
    lo, hi = doc.year_range
    if occ.value in (0, 1) or (len(digits) == 4 and lo <= occ.value <= hi):
        return False  # a year: an event of another year is rarely excluded ("a study in 1994")
    if not occ.idx:
        return False
    first, last = occ.idx[0], occ.idx[-1]
    for step, start in ((-1, first - 1), (1, last + 1)):
        # two words either side, not across punctuation: "11 de septiembre", "ngày 11 tháng 9", "9月"
        for j in (start, start + step):
            if not 0 <= j < len(occ.toks) or not occ.toks[j].is_word:
                break
            if _is_date_word(occ.folded[j], doc, lang, step):
                return False  # a date
    prev = occ.raw_neighbour(-1)
    if prev is not None and (fold(prev, lang) in doc.name_words or (doc.capital_names and prev[:1].isupper())
                             or (lang not in ("en", "de", "fr", "es", "tr", "sw", "vi")
                                 and regex.search(r"\p{Latin}", prev))):
        return False  # "Flight 93", "Title 7", "No. 5", "رقم 94", "Defcon 3": a name or label
    if prev is not None and prev[-1:] in "(（[":
        return False  # "3 km (2 miles)": a conversion or an aside, hedged where the first figure is
    nxt = occ.raw_neighbour(1)
    if first == 0 and nxt is not None and nxt[:1].isupper():
        return False  # "27 La dificultad …": a footnote or section number
    if regex.match(r"\.\s+\p{L}", text[occ.m.end():]):
        return False  # "23. Zusatzartikel", "3. madde": an ordinal (or a list number)
    if nxt is not None and len(nxt) > 1 and nxt.isupper():
        return False  # "5 WTC", "7 B": a building, a grid reference, a model
    return True


def _content(word: str | None, doc, lang: str) -> bool:
    """A neighbour that ties the number to what it counts: a unit sign or a content word."""
    if word is None:
        return False
    if word in _UNIT_SIGNS:
        return True
    if not regex.match(r"\p{L}", word) or word in doc.function_words:
        return False
    return len(word) >= (1 if lang in _NO_SPACE else 2)


def _same_role(h: _Occurrence, p: _Occurrence, doc, lang: str) -> bool:
    """Both numbers count the same thing: the same content word on the side where the language puts what a
    numeral counts ("17 months" / "17 months"; sw "miezi 17"), or the same unit sign ("$3" / "3 $")."""
    if p.idx and p.idx[0] == 0:
        return False  # "27 La dificultad …" opening the premise: a footnote or paragraph number
    h_signs, p_signs = _signs(h), _signs(p)
    if h_signs and h_signs == p_signs:
        return True
    steps = {"next": (1,), "prev": (-1,), "both": (-1, 1)}[doc.count_side]
    return any(_anchors(h, step, doc, lang) & _anchors(p, step, doc, lang) for step in steps)


def _signs(occ: _Occurrence) -> set[str]:
    """Unit signs next to the number, as their own tokens ("$ 25") or glued to it ("$25", "25%")."""
    out = {w for w in (occ.neighbour(-1), occ.neighbour(1)) if w in _UNIT_SIGNS}
    for i in occ.idx:
        out.update(c for c in occ.toks[i].text if c in _UNIT_SIGNS)
    return out


def _anchors(occ: _Occurrence, step: int, doc, lang: str) -> frozenset[str]:
    """The content words among the two words on one side of the number, not across punctuation ("3 new
    schools", "3 个 小时", "miezi 17")."""
    out = set()
    start = occ.idx[0] - 1 if step < 0 else occ.idx[-1] + 1
    for j in (start, start + step):
        if not 0 <= j < len(occ.toks):
            break
        word = occ.folded[j]
        if _content(word, doc, lang):
            out.add(word)
        elif not regex.match(r"\p{L}", word):
            break
    return frozenset(out)


def _hedged_around(occ: _Occurrence, lang: str, doc, window: int) -> bool:
    """A hedge, comparative, direction word or range around the number: any listed hedge in the `window`
    words before it ("about 17", "more than 30", "before 11"), a several-word one or a `post_hedges` word
    after it ("75 $ or less", "20万美元以上", "3 odd")."""
    toks, folded = occ.toks, occ.folded
    if not occ.idx:
        return True
    i0, i1 = occ.idx[0], occ.idx[-1]
    lo, hi = max(0, i0 - window), min(len(toks), i1 + 1 + window)
    for seq in doc.hedges.seqs:
        j = find_seq(folded, seq, lo)
        while 0 <= j and j + len(seq) <= hi:
            if j + len(seq) <= i0 or (j > i1 and len(seq) > 1):
                return True
            j = find_seq(folded, seq, j + 1)
    if any(f in doc.post_hedges for f in folded[i1 + 1:hi]):
        return True
    # A range ("3 to 5", "3 or 4"): a range word between this number and another one.
    ranges = doc.range_words
    for a, b in ((i0 - 2, i0 - 1), (i1 + 2, i1 + 1)):
        if 0 <= a < len(toks) and 0 <= b < len(toks) and folded[b] in ranges and _INT.search(toks[a].text):
            return True
    if _alternative_near(occ, ranges, window):
        return True
    # Hedges glued to the number ("40+", "~40", "约40").
    around = "".join(t.text for t in toks[max(0, i0 - 1):i1 + 2])
    return any(c in around for c in "+~≈<>≤≥±")


def _alternative_near(occ: _Occurrence, ranges, window: int) -> bool:
    """An alternative or range with a few words between ("10 cents or an extra 30 cents", "30 cents or 10
    cents"): a range word within `window` words of the number, and another number within three words beyond it."""
    toks, folded = occ.toks, occ.folded
    i0, i1 = occ.idx[0], occ.idx[-1]
    for k in [*range(max(0, i0 - window), i0), *range(i1 + 1, min(len(toks), i1 + 1 + window))]:
        if folded[k] not in ranges:
            continue
        side = range(max(0, k - 3), k) if k < i0 else range(k + 1, min(len(toks), k + 4))
        if any(_INT.search(toks[a].text) for a in side):
            return True
    return False


@register
class Number(LogicOp):
    name = "logic.number"
    description = "change a number the premise pins down; entailment -> contradiction, others dropped"
    label_map = xnli_label_map({"entailment": "contradiction", "neutral": None, "contradiction": None})
    resource_kind = "numbers"

    def edit(self, text, *, example, rng):
        lang = example.lang
        doc = number_rules(lang)
        rules = negation_rules(lang)
        if doc is None or rules is None or not text.strip() or common_blockers(text, lang, rules):
            return None
        premise = example.fields.get("premise", "")
        in_premise: dict[int, list[_Occurrence]] = {}
        for occ in _occurrences(premise, lang):
            in_premise.setdefault(occ.value, []).append(occ)
        shared = [occ for occ in _occurrences(text, lang) if occ.value in in_premise and occ.value not in (0, 1)
                  and not (doc.block_suffix and doc.block_suffix.match(text[occ.m.end():]))]
        if not shared:
            return None  # no number of the hypothesis is stated in the premise: nothing to contradict
        plain = [occ for occ in shared if self._determined(occ, in_premise[occ.value], text, premise, lang, doc)]
        if not plain:
            return DROPPED  # the premise does not pin this number down: the new label is undetermined
        occ = plain[rng.randrange(len(plain))]
        cls = _agreement_class(occ.value, doc.agreement)
        options = [occ.value + d for d in _DELTAS
                   if occ.value + d >= 2 and occ.value + d not in in_premise
                   and _agreement_class(occ.value + d, doc.agreement) == cls]
        if not options:
            return None
        new = options[rng.randrange(len(options))]
        return [Span(occ.m.start(), occ.m.end(), _render(new, occ.m.group()))]

    @staticmethod
    def _determined(occ, premise_occs, text, premise, lang, doc) -> bool:
        """The premise states this very number, unhedged, in the same role, and it is a count or measure."""
        if not _pinned(occ, text, lang, doc) or _hedged_around(occ, lang, doc, doc.window):
            return False
        if _round(occ.value) or _evaluative(text, lang, doc) or _evaluative(premise, lang, doc):
            return False
        # Every premise mention must be exact (one hedged mention leaves the value open) and one must match.
        if any(_hedged_around(p, lang, doc, doc.window) or not _pinned(p, premise, lang, doc)
               for p in premise_occs):
            return False
        return any(_same_role(occ, p, doc, lang) for p in premise_occs)
