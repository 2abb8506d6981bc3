"""`logic.quantifier`: weaken (all → some) or strengthen (some → all) one quantifier of the XNLI hypothesis.

The monotonicity table behind the label maps, the contexts where a swap is allowed, the lexicon format and the
known failure modes are documented in docs/logic-rules.md and
`perturb.ops.logic._rules`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from ...core import TEXT_MEMO, Params, Span, xnli_label_map
from ...registry import register
from ._neg import cue_indices
from ._rulebook import InsertBefore, QuantRule, negation_rules, quantifier_rules
from ._rules import LogicOp, common_blockers, fold, folded_tokens, has_any_seq, lower_first, seq_spans, tokens

DIRECTIONS = ("weaken", "strengthen")
# weaken: H ⊨ H', so only an entailed H determines H' (entailed). strengthen: H' ⊨ H, so only a contradicted
# H determines H' (contradicted). See the monotonicity table in _logic_rules.
LABEL_MAPS = {
    "weaken": xnli_label_map({"entailment": "entailment", "neutral": None, "contradiction": None}),
    "strengthen": xnli_label_map({"entailment": None, "neutral": None, "contradiction": "contradiction"}),
}
_PLACEHOLDER = regex.compile(r"\{(\d+|agree)\}")
_STOP = frozenset({".", ",", ";", ":", "!", "?", "。", "，", "；", "：", "！", "？", "،", "؛", "।", "۔"})


@dataclass(frozen=True)
class QuantifierParams(Params):
    """direction: "weaken" swaps a universal for an existential (entailment kept, others dropped);
    "strengthen" swaps an existential for a universal (contradiction kept, others dropped)."""

    direction: str = "weaken"

    def __post_init__(self):
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, got {self.direction!r}")


def _all_matches(rules, folded, toks, lang):
    """(start, end, rule) for every place any rule matches ("*" matches one word)."""
    out = []
    present = set(folded)
    for rule in rules:
        pattern, words = rule.pattern, rule.pattern_words
        if not words <= present:
            continue  # a word of the pattern is not in the sentence: no position can match
        n = len(pattern)
        for i in range(len(folded) - n + 1):
            ok = True
            for k, p in enumerate(pattern):
                if p == "*":
                    # "*" is one word, not listed in star_not and not matching star_not_regex (e.g. a verb)
                    if not toks[i + k].is_word or folded[i + k] in rule.star_not or (
                            rule.star_not_regex is not None and rule.star_not_regex.fullmatch(toks[i + k].text)):
                        ok = False
                        break
                elif folded[i + k] != p:
                    ok = False
                    break
            if ok:
                out.append((i, i + n - 1, rule))
    return out


def _context_ok(rule, folded, toks, lang, first, last):
    nxt = folded[last + 1] if last + 1 < len(folded) else None
    prv = folded[first - 1] if first > 0 else None
    # Regular expressions see the word as written (case matters: a German noun is capitalised), lists the
    # folded form.
    raw_next = toks[last + 1].text if last + 1 < len(toks) else None
    raw_prev = toks[first - 1].text if first > 0 else None
    if rule.next_regex is not None and (raw_next is None or not rule.next_regex.fullmatch(raw_next)):
        return False
    if rule.next_not_regex is not None and raw_next is not None and rule.next_not_regex.fullmatch(raw_next):
        return False
    if nxt is not None and nxt in rule.next_not:
        return False
    if rule.next_in is not None and (nxt is None or nxt not in rule.next_in):
        return False
    if prv is not None and prv in rule.prev_not:
        return False
    if rule.prev_not_regex is not None and raw_prev is not None and rule.prev_not_regex.fullmatch(raw_prev):
        return False
    if rule.not_first and first == 0:
        return False
    return True


_NO_AGREEMENT = object()  # the rule needs an agreement form and the next word gives none


def _render(rule: QuantRule, text, toks, folded, lang, first, last):
    """The replacement spans for one match, or None when agreement cannot be determined."""
    agree = _agreement(rule, folded, last)
    if agree is _NO_AGREEMENT:
        return None

    def sub(m):
        key = m.group(1)
        if key == "agree":
            return agree
        tok = toks[first + int(key) - 1]
        word = tok.text
        if first == 0 and m.start() > 0:
            word = lower_first(word)  # the sentence-initial word moves inside the phrase
        return word

    start, end = toks[first].start, toks[last].end
    repl = _PLACEHOLDER.sub(sub, rule.to)
    original = text[start:end]
    if original[:1].isupper() and repl[:1].islower():
        repl = repl[:1].upper() + repl[1:]
    spans = [Span(start, end, repl)]
    if rule.remove_next:
        spans += _remove_next(rule.remove_next, text, toks, folded, lang, last)
    if rule.insert_before:
        insert = _insert_before(rule.insert_before, toks, folded, last)
        if insert is None:
            return None
        spans.append(insert)
    return spans


def _agreement(rule: QuantRule, folded, last):
    """The form of ``{agree}`` for this match (None when the rule has none), or _NO_AGREEMENT."""
    if rule.agree is None:
        return None
    # sw "-ote" agrees with the noun class, read off the next word: a possessive ("za") or a verb's
    # subject prefix ("zilikumbwa").
    nxt = folded[last + 1] if last + 1 < len(folded) else None
    if nxt in rule.agree:
        return rule.agree[nxt]
    prefixes = rule.agree_prefix
    for p in sorted(prefixes, key=len, reverse=True):
        if nxt is not None and nxt.startswith(p) and len(nxt) > len(p) + 2:
            return prefixes[p]
    return _NO_AGREEMENT


def _remove_next(word: str, text, toks, folded, lang, last) -> list[Span]:
    """zh "所有的道路都保持干燥" → "有些道路保持干燥": the universal's 都 goes with it (the first one in the
    clause after the phrase; nothing when there is none)."""
    target = fold(word, lang)
    for j in range(last + 1, len(toks)):
        if folded[j] in _STOP:
            break
        if folded[j] == target:
            start = toks[j].start
            if start > 0 and text[start - 1] == " ":
                start -= 1  # vi "mọi người đều đến": the space before "đều" goes too
            return [Span(start, toks[j].end, "")]
    return []


def _insert_before(ins: InsertBefore, toks, folded, last) -> Span | None:
    """zh "有些参观者在网上购票" → "所有参观者都在网上购票": 都 goes before the predicate, found as the first
    listed word (or word start) after the noun; None when the clause has none."""
    for j in range(last + 2, len(toks)):
        if folded[j] in _STOP:
            return None
        if folded[j] in ins.words or (ins.regex and ins.regex.match(toks[j].text)):
            return Span(toks[j].start, toks[j].start, ins.text)
    return None


@register
class Quantifier(LogicOp):
    name = "logic.quantifier"
    description = "swap one quantifier: weaken all->some (entailment kept) or strengthen some->all (contradiction kept)"
    Params = QuantifierParams
    label_map = LABEL_MAPS["weaken"]  # the default direction; instances carry their own
    resource_kind = "quantifiers"

    def __init__(self, params=None, **kwargs):
        super().__init__(params, **kwargs)
        self.label_map = LABEL_MAPS[self.params.direction]

    def edit(self, text, *, example, rng):
        lang = example.lang
        found = _candidates(text, lang)
        if found is None:
            return None
        excluded, matches = found
        toks = tokens(text, lang)
        folded = folded_tokens(text, lang)
        doc = quantifier_rules(lang)
        lead = next((i for i, t in enumerate(toks) if t.is_word), 0)
        for first, last, rule in matches[self.params.direction]:
            if first in excluded or not _context_ok(rule, folded, toks, lang, first, last):
                continue
            if first - lead > doc.max_start or _temporal(folded, first, last, doc):
                continue  # not in subject determiner position, or a frequency adverbial
            spans = _render(rule, text, toks, folded, lang, first, last)
            if spans:
                return spans
        return None


def _temporal(folded, first, last, doc) -> bool:
    """Whether the quantifier phrase quantifies over times ("every year", "jedes Jahr", "siku zote", "ทุกวัน")."""
    words = folded[first:min(last + 2, len(folded))]
    return any(w in doc.time_nouns or any(w.endswith(t) and len(t) > 1 for t in doc.time_nouns)
               for w in words)


# Memoised by hypothesis: everything up to the choice of direction is the same for weaken and strengthen, which
# both run over every hypothesis.
@functools.lru_cache(maxsize=TEXT_MEMO)
def _candidates(text: str, lang: str):
    """(excluded token indices, {direction: matches}) when text holds exactly one quantifier in a context
    where the monotonicity table holds, else None."""
    doc = quantifier_rules(lang)
    rules = negation_rules(lang)
    if doc is None or rules is None or not text.strip() or common_blockers(text, lang, rules):
        return None
    toks = tokens(text, lang)
    folded = folded_tokens(text, lang)
    if cue_indices(toks, folded, lang) or has_any_seq(folded, doc.all_blockers):
        return None  # negation or a downward-entailing/subordinate context would reverse monotonicity
    excluded = set()
    for first, last in seq_spans(folded, doc.all_excluded):
        excluded.update(range(first, last + 1))
    # Count every quantifier (either direction, plus the listed others): with two, scopes interact.
    # Overlapping matches ("barabara zote" and "zote") are one quantifier.
    matches = {direction: tuple(_all_matches(doc.rules(direction), folded, toks, lang)) for direction in DIRECTIONS}
    spans = []
    for direction in DIRECTIONS:
        for first, last, _ in matches[direction]:
            if first not in excluded:
                spans.append((first, last))
    for first, last in seq_spans(folded, doc.quantifiers):
        if first not in excluded:
            spans.append((first, last))
    groups = 0
    end = -1
    for first, last in sorted(spans):
        if first > end:
            groups += 1
        end = max(end, last)
    if groups != 1:
        return None
    return frozenset(excluded), matches
