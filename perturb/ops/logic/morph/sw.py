"""Swahili morphology for negation.yaml `morph: sw_verb`: past -li- and future -ta- verbs with the negative subject
prefix, and back."""
from __future__ import annotations

from ....core import Span
from .base import Cand, with_case


# Swahili: subject prefixes and their negative forms.
def _tables(rule):
    pos = dict(rule.subject_prefixes)  # affirmative → negative prefix
    return pos, {v: k for k, v in pos.items()}


def _local(rule, text, toks, folded, lang):
    """Swahili past -li-/future -ta- verbs: negative subject prefix, -li- → -ku-."""
    pos, _ = _tables(rule)
    exclude = rule.exclude
    prefixes = sorted(pos, key=len, reverse=True)
    out = []
    for j, t in enumerate(toks):
        if not t.is_word or t.text[:1].isupper() and j > 0:
            continue
        low = folded[j]
        if low in exclude or not low.isalpha():
            continue
        for p in prefixes:
            if not low.startswith(p):
                continue
            rest = low[len(p):]
            mono = rule.monosyllabic
            for tense, neg in (("li", "ku"), ("ta", "ta")):
                if rest.startswith(tense):
                    stem = rest[len(tense):]
                    # A verb stem ends in -a (Bantu verbs; loans in -i/-u are skipped) and is not a relative form;
                    # it starts with a consonant unless it is a listed vowel-initial verb ("kitaifa" is ki-taifa,
                    # "national", not ki-ta-ifa: the re-audit found "hakitaifa").
                    vowel_ok = stem[:1] not in "aeiou" or stem in rule.vowel_stems
                    if len(stem) >= 3 and stem.endswith("a") and vowel_ok and not rule.relative.match(stem):
                        if tense == "li" and stem.startswith("ku") and stem[2:] in mono:
                            stem = stem[2:]  # "alikuwa" → "hakuwa": monosyllabic verbs lose ku in the negative
                        new = pos[p] + neg + stem
                        new = with_case(new, t.text) if j == 0 else new
                        out.append(Cand(j, [Span(t.start, t.end, new)]))
                        break
            else:
                continue
            break
    return out


def _denegate(rule, text, toks, folded, i, lang):
    """Swahili negative past (neg prefix + ku) / future (neg prefix + ta) → affirmative."""
    _, neg = _tables(rule)
    low = folded[i]
    for p in sorted(neg, key=len, reverse=True):
        if not low.startswith(p):
            continue
        rest = low[len(p):]
        mono = rule.monosyllabic
        for tense, aff in (("ku", "li"), ("ta", "ta")):
            if not rest.startswith(tense):
                continue
            stem = rest[len(tense):]
            if tense == "ku" and stem in mono:
                stem = "ku" + stem  # "hakuwa" → "alikuwa"
            if len(stem) >= 3 and stem.endswith("a") and not rule.relative.match(stem):
                new = neg[p] + aff + stem
                return [Span(toks[i].start, toks[i].end, with_case(new, toks[i].text))]
    return None


LOCAL = {"sw_verb": _local}
DENEGATE = {"sw_verb": _denegate}
