"""Hypothesis properties of every char op over mixed-script text: no crash, whole clusters, NFC kept, edits exact, rate bound."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perturb import registry, segment
from perturb.core import Perturbed, n_to_touch
from perturb.example import XNLI_LANGS, Example
from perturb.ops.char._common import broken_clusters

CHAR_OPS = [n for n in registry.names() if n.startswith("char.")]

# Pieces that break naive character-level code: Devanagari conjuncts, reph and nukta; Thai tone marks,
# SARA AM and leading vowels; Arabic and Urdu with harakat; Tamil vowel signs and pulli; Hangul (precomposed
# and conjoining jamo); emoji ZWJ, flag and skin-tone sequences; Hebrew with points; decomposed Latin;
# Vietnamese stacked marks; Greek with tonos; CJK; digits and punctuation.
ATOMS = [
    "क्षमा", "प्रधानमंत्री", "हिन्दी", "कर्म", "ज़रूरी", "माँ", "स्त्री", "क्",
    "ที่นี่", "น้ำ", "ผู้หญิง", "กำลัง", "เด็กๆ", "ไม่",
    "كَتَبَ", "مُدَرِّسٌ", "أيضاً", "لا", "الْعَرَبِيَّة",
    "پاکستان", "ہیں", "کِتاب",
    "தமிழ்", "கொடுக்க", "பள்ளி", "ஸ்ரீ",
    "한국어", "\u1112\u1161\u11ab", "\u1100\u1161",
    "👩\u200d👩\u200d👧", "🏳️\u200d🌈", "👍🏽", "🇩🇪", "❤️",
    "שָׁלוֹם", "עברית",
    "e\u0301te\u0301", "café", "naïve", "İstanbul", "ışık",
    "Tiếng", "Việt", "người", "đường",
    "Ελλάδα", "ήταν", "Ещё", "ёлка", "ѝ",
    "中文", "头发", "銀行", "我们",
    "1998", "3.14", "U2", "AI",
    "\u200b", "\u2060", "\u202e", "\u0301", "\u093f", "\u0e48",
]
SEPARATORS = [" ", " ", " ", "", ", ", ". ", "\u00a0", "\n", "-", "'"]

text_strategy = st.lists(
    st.one_of(
        st.sampled_from(ATOMS),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn")), max_size=6),
    ),
    min_size=1, max_size=10,
).flatmap(lambda parts: st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts))
          .map(lambda seps: "".join(p + s for p, s in zip(parts, seps))))

# Every language each op claims, for XNLI or XCOPA.
CASES = [(name, lang) for name in CHAR_OPS
         for lang in sorted(registry.get(name).languages("xnli") | registry.get(name).languages("xcopa"))]


def _example(lang: str, text: str, other: str) -> tuple[Example, tuple[str, ...]]:
    if lang in XNLI_LANGS:
        return Example("prop/1", "xnli", lang, {"premise": other, "hypothesis": text}, "neutral"), ("hypothesis",)
    return (Example("prop/1", "xcopa", lang, {"premise": text, "choice1": other, "choice2": text,
                                               "question": "cause"}, 0), ("premise", "choice2"))


@pytest.mark.parametrize("name", CHAR_OPS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), text=text_strategy, other=text_strategy, rate=st.sampled_from([0.1, 0.5, 1.0]),
       seed=st.integers(0, 2**32))
def test_char_op_properties(name, data, text, other, rate, seed):
    import random

    lang = data.draw(st.sampled_from([lang for n, lang in CASES if n == name]), label="lang")
    op = registry.get(name)(rate=rate)
    ex, fields = _example(lang, text, other)
    res = op.apply(ex, random.Random(seed), fields=fields)
    if res is None:
        return
    assert isinstance(res, Perturbed)
    new = res.example
    assert new.label == ex.label and res.orig_label == ex.label  # label preserved
    for field, old in ex.fields.items():
        cur = new.fields[field]
        edits = sorted((e for e in res.edits if e.field == field), key=lambda e: e.start)
        if field not in fields:
            assert not edits and cur == old, f"non-target field {field} changed"
            continue
        # The edits rebuild the new text exactly, so everything outside them is byte-identical.
        rebuilt, pos = [], 0
        for e in edits:
            assert e.start >= pos and old[e.start:e.end] == e.before != e.after
            rebuilt += [old[pos:e.start], e.after]
            pos = e.end
        assert "".join(rebuilt) + old[pos:] == cur
        assert broken_clusters(old, cur, edits) == 0, (old, cur, edits)
        if unicodedata.is_normalized("NFC", old):
            assert unicodedata.is_normalized("NFC", cur)
        # Rate bound: edits lie inside eligible words, and at most n_to_touch(rate, n_eligible) are touched.
        cands = op.candidates(old, lang)
        spans = [(c[0].start, c[0].end) for c in cands]
        touched = set()
        for e in edits:
            inside = [i for i, (s, t) in enumerate(spans) if s <= e.start and e.end <= t]
            assert inside, f"edit {e} outside every eligible word"
            touched.add(inside[0])
        assert len(touched) <= n_to_touch(rate, len(cands))


@pytest.mark.parametrize("name", CHAR_OPS)
@settings(max_examples=15, deadline=None)
@given(text=text_strategy, seed=st.integers(0, 2**32))
def test_same_rng_same_output(name, text, seed):
    import random

    lang = sorted(registry.get(name).languages("xnli"))[0]
    op = registry.get(name)(rate=0.5)
    ex, fields = _example(lang, text, "")
    assert op.apply(ex, random.Random(seed), fields=fields) == op.apply(ex, random.Random(seed), fields=fields)


def test_atoms_are_whole_clusters_of_their_script():
    # The strategy's pieces really are the hard cases: e.g. a conjunct is one cluster.
    assert segment.graphemes("क्षमा") == ["क्ष", "मा"]
    assert segment.graphemes("👩\u200d👩\u200d👧") == ["👩\u200d👩\u200d👧"]
    assert segment.graphemes("น้ำ") == ["น้ำ"]
