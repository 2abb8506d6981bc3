"""German morphology for negation.yaml `morph: de_nicht` and `de_kein`: "nicht" before the final predicate word,
and the one indefinite article turned into "kein"."""
from __future__ import annotations

import regex

from ....core import Span
from .base import COMMAS, Cand, last_word, with_case


def _local(rule, text, toks, folded, lang):
    """German: copula/auxiliary (V2), then ``nicht`` before the final lowercase predicate word."""
    aux = rule.aux
    blockers = rule.block_between
    j = last_word(toks)
    if j is None:
        return []
    for k in range(j):
        if folded[k] in aux:
            break
    else:
        return []
    if k == 0 or k >= j - 0:
        return []
    last = toks[j]
    if not last.text[:1].islower() or not last.text.isalpha():
        return []
    if folded[j] in rule.last_not:
        return []
    # A degree adverb or an inflected attributive word just before the last word belongs to it ("sehr
    # dunkle Haut", "ewig dankbar"): "nicht" would have to go before that word, so skip.
    before = toks[j - 1]
    if folded[j - 1] in rule.before_last_not:
        return []
    if before.text[:1].islower() and rule.attributive.fullmatch(before.text):
        return []
    if any(folded[m] in blockers for m in range(k + 1, j)):
        return []
    if not _middle_field_ok(rule, toks, folded, k, j, lang):
        return []
    return [Cand(k, [Span(last.start, last.start, "nicht ")])]


# A separable verb's zu-infinitive written as one word ("vorzunehmen", "anzurufen").
_ZU_INFINITIVE = regex.compile(
    r"(?:ab|an|auf|aus|bei|dar|durch|ein|fest|fort|her|hin|los|mit|nach|um|vor|weg|weiter|wieder|zurück|zusammen)"
    r"zu[a-zäöüß]{2,}(?:en|ern|eln)")


def _kein(rule, text, toks, folded, lang):
    """German: the one indefinite article of the sentence → "kein" ("hat einen Bruder" → "hat keinen Bruder",
    "ist eine gute Idee" → "ist keine gute Idee"): "nicht ... ein" is not how German negates an indefinite.
    Not after a preposition or a focus word ("in einer Bank", "nur ein"), not before "paar"/"bisschen" (a
    quantity, not an article), and only when a noun (capitalised) follows within three words."""
    table = rule.map
    hits = [m for m, f in enumerate(folded) if f in table or f in rule.others]
    if len(hits) != 1 or folded[hits[0]] not in table:
        return []
    m = hits[0]
    if m == 0 or folded[m - 1] in rule.prev_not:
        return []  # a sentence-initial indefinite is often generic ("Eine Karte kostet 12 Euro")
    if any(f == "zu" or _ZU_INFINITIVE.fullmatch(f) for f in folded[m + 1:]):
        return []  # inside a zu-infinitive ("versuchte, eine Antwort zu geben"): "keine" would negate it alone
    after = toks[m + 1:m + 4]
    if not after or folded[m + 1] in rule.next_not:
        return []
    for t in after:
        if not t.is_word:
            return []
        if t.text[:1].isupper():
            break
        if not rule.attributive.fullmatch(t.text):
            return []  # only inflected adjectives stand between the article and its noun
    else:
        return []
    t = toks[m]
    return [Cand(m, [Span(t.start, t.end, with_case(table[folded[m]], t.text))])]


def _middle_field_ok(rule, toks, folded, k: int, j: int, lang: str) -> bool:
    """Whether "nicht" may go right before the final predicate word: the words between the finite verb (k) and
    that word (j) must all stand before "nicht". A prepositional phrase there may be a complement that
    "nicht" precedes ("nicht in Betracht gezogen", "nicht nach Hause gegangen"), and a bare noun needs "kein"
    ("kein Geld gespart", "keine Probleme geben"), so either makes the sentence not applicable. A noun counts
    as definite when a determiner or pronoun stands between it and the previous noun."""
    middle = rule.block_middle
    determiners = rule.determiners
    free = rule.middle_ok
    seen_det = False
    for m in range(k + 1, j):
        t = toks[m]
        if not t.is_word:
            if t.text in COMMAS:
                return False
            continue
        f = folded[m]
        if f in middle:
            return False
        if f in determiners:
            seen_det = True
        elif t.text[:1].isupper():
            if not seen_det:
                return False  # a bare noun or a name: "kein", or an order we cannot check
            seen_det = False
        elif not seen_det and f not in free:
            return False  # a predicative or manner word: "nicht" goes before it
    return True


LOCAL = {"de_nicht": _local, "de_kein": _kein}
DENEGATE = {}
