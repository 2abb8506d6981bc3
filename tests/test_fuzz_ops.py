"""Hypothesis fuzzing of every registered op (char, lex, logic: whatever `registry.names()` holds when the suite
runs) over hostile mixed-script text, checking the perturbation contract on every result.

The text is what the loader lets through: real sample sentences of the language with hostile pieces spliced in
anywhere (inside clusters too) — every script of XNLI/XCOPA, lone and stacked combining marks, RTL text, bidi
controls and marks already present, emoji ZWJ/flag/skin-tone sequences, joiners, odd spaces, the U+0008/U+001D
the real files carry, tabs (legal in JSON lines) — plus empty, whitespace-only and very long fields, all
NFC-normalised by `perturb.loaders.normalise_text` exactly as a loaded file would be.

Invariants (each result of `op.apply(example, rng, fields=..., variant=...)`):
- the result is None, DROPPED or a Perturbed; nothing raises;
- same rng seed → equal result (the op reads no other randomness);
- id, task, lang, variant kept; orig_label is the source label; the label is the op's label map applied (or
  preserved), never None; a map value of None never yields a Perturbed;
- at least one edit; edits only in the requested fields, sorted and non-overlapping per field; each edit's
  `before` is the original slice and differs from `after`; applying the edits rebuilds the new text exactly,
  so the text outside the edits is byte-identical; fields not requested are untouched;
- NFC in → NFC out; the output holds no character the loader refuses (C0/C1 control, surrogate), so an attack
  set can always be read back;
- edits start and end on grapheme-cluster boundaries of the original and no cluster of the untouched text is
  split or merged — except that a pure insertion of invisible format characters (char.invisible's ZWJ/ZWNJ) may
  attach to the cluster before it, which is its whole point.
"""
from __future__ import annotations

import dataclasses
import os
import random
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perturb import registry
from perturb.core import DROPPED, Perturbed
from perturb.errors import InputError
from perturb.example import TASK_FIELDS, Example
from perturb.loaders import MAX_FIELD_CHARS, load, normalise_text
from test_contract import _load_builtin, make_op

OPS = registry.names()
# CI runs a fixed, modest set of examples; XSTRESS_FUZZ_EXAMPLES=N runs N fresh random ones per op.
FUZZ_EXAMPLES = int(os.environ.get("XSTRESS_FUZZ_EXAMPLES", "15"))
FUZZ_FIXED = "XSTRESS_FUZZ_EXAMPLES" not in os.environ
SAMPLE = Path(__file__).resolve().parent.parent / "data"

# Pieces that break naive text code, from every script the two tasks use and then some.
HOSTILE = [
    # Devanagari conjuncts, reph, nukta, candrabindu; a dangling virama and a lone vowel sign
    "क्षमा", "प्रधानमंत्री", "कर्म", "ज़रूरी", "माँ", "स्त्री", "क्", "\u093f", "\u094d",
    # Thai tone marks, SARA AM, leading vowels, mai yamok; Tamil vowel signs, pulli, ஸ்ரீ
    "ที่นี่", "น้ำ", "ผู้หญิง", "เด็กๆ", "ไม่", "\u0e48", "தமிழ்", "கொடுக்க", "ஸ்ரீ", "\u0bcd",
    # Arabic and Urdu with harakat, tatweel, Arabic comma, Arabic-Indic digits, ZWNJ inside a word
    "كَتَبَ", "مُدَرِّسٌ", "الْعَرَبِيَّة", "لا", "ـــ", "،", "٣٫٥", "ہم\u200cسفر", "پاکستان۔",
    # Hebrew points (an RTL script no task has), Greek tonos and question mark, Cyrillic ё/ѝ
    "שָׁלוֹם", "ήταν;", "Ελλάδα", "ёлка", "ѝ",
    # Latin: decomposed and stacked marks, Vietnamese, Turkish dotless/dotted i, ñ, ß, ligature, long s
    "e\u0301te\u0301", "Tiê\u0301ng", "người", "İstanbul", "ışık", "Ñuñoa", "Straße", "ﬁ", "ſ", "a\u0308\u0304\u0323",
    # CJK, full-width punctuation, an ideographic space, Hangul (precomposed and conjoining jamo)
    "中文", "銀行。", "，", "\u3000", "한국어", "\u1112\u1161\u11ab",
    # emoji: ZWJ family, rainbow flag, skin tone, regional-indicator flag, keycap, VS16 heart, lone modifier
    "👩\u200d👩\u200d👧", "🏳️\u200d🌈", "👍🏽", "🇩🇪", "1\ufe0f\u20e3", "❤️", "🏽", "\U0001f1e9",
    # bidi controls and marks already present (embeddings, overrides, isolates, LRM/RLM/ALM)
    "\u202e", "\u202d", "\u202c", "\u202a", "\u202b", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
    "\u200f", "\u061c", "\u202eevil\u202c",
    # invisible and odd characters: ZWSP, WJ, ZWJ, ZWNJ, soft hyphen, BOM, combining grapheme joiner, VS
    "\u200b", "\u2060", "\u200d", "\u200c", "\u00ad", "\ufeff", "\u034f", "\ufe0f",
    # spaces and separators: NBSP, thin, narrow NBSP, en quad, line/paragraph separators, tab
    "\u00a0", "\u2009", "\u202f", "\u2000", "\u2028", "\u2029", "\t", "  ",
    # the controls real XNLI files carry inside sentences (U+0008 in zh/el, U+001D in el)
    "\x08", "\x1d", "\x1c\x1e\x1f",
    # a lone combining mark, private use, noncharacter-ish, replacement char, astral letters
    "\u0301", "\ue000", "\ufffd", "𝔘𝔫𝔦", "𐌰𐌱",
    # digits, numbers and punctuation in many scripts
    "1998", "3.14", "10:45", "१२३", "๑๒๓", "U2", "?", "!", "...", "«»", "“”", "'", "’", "-", "(", ")",
]

WHITESPACE = ["", " ", "   ", "\t", "\u00a0", "\u3000", " \u2028 ", "\u200b", " \t\u00a0 "]


@lru_cache(maxsize=None)
def _sample_texts(task: str, lang: str) -> tuple[str, ...]:
    data = load(task=task, data=SAMPLE / task, split="test", langs=[lang])[lang]
    return tuple(sorted({t for ex in data for f, t in ex.fields.items() if f != "question"}))


def _cases(name: str) -> list[tuple[str, str]]:
    cls = registry.get(name)
    out = []
    for task in ("xnli", "xcopa"):
        for lang in sorted(cls.languages(task)):
            if _has_sample(task, lang):
                out.append((task, lang))
    return out


def _has_sample(task: str, lang: str) -> bool:
    return (SAMPLE / "xnli" / "test" / f"{lang}.tsv").is_file() if task == "xnli" else \
        (SAMPLE / "xcopa" / lang / "test.jsonl").is_file()


@st.composite
def hostile_text(draw, task: str, lang: str) -> str:
    """A field as a loaded file could hold it: a sample sentence (or several, or none) with hostile pieces
    spliced in at arbitrary code-point positions, or a whitespace-only / empty field."""
    kind = draw(st.sampled_from(["spliced", "spliced", "spliced", "pieces", "blank", "long"]), label="kind")
    if kind == "blank":
        return draw(st.sampled_from(WHITESPACE))
    samples = _sample_texts(task, lang)
    if kind == "pieces":
        parts = draw(st.lists(st.one_of(st.sampled_from(HOSTILE), st.sampled_from(samples),
                                        st.text(st.characters(codec="utf-8",
                                                              exclude_categories=("Cs", "Cc", "Co", "Cn")),
                                                max_size=5)),
                              min_size=1, max_size=8))
        seps = draw(st.lists(st.sampled_from([" ", "", " ", ", ", "\u00a0", "\t"]), min_size=len(parts),
                             max_size=len(parts)))
        text = "".join(p + s for p, s in zip(parts, seps))
    else:
        text = draw(st.sampled_from(samples))
        if kind == "long":
            text = " ".join([text] * draw(st.integers(5, 40)))
        for _ in range(draw(st.integers(0 if kind == "long" else 1, 5))):
            pos = draw(st.integers(0, len(text)))
            text = text[:pos] + draw(st.sampled_from(HOSTILE)) + text[pos:]
    try:
        return normalise_text(text[:MAX_FIELD_CHARS], "<fuzz>", 1)
    except InputError:  # a splice made it illegal input (cannot happen with the pieces above, but be safe)
        return ""


_GRAPHEME = regex.compile(r"\X")
_BAD = regex.compile(r"[\x00-\x07\x0a-\x1b\x7f-\x9f\ud800-\udfff]")


def _starts(text: str) -> list[int]:
    return [m.start() for m in _GRAPHEME.finditer(text)] + [len(text)]


def check_result(op, ex: Example, fields: tuple[str, ...], res, variant: int = 0) -> None:
    """Assert the perturbation contract for one result (see the module docstring)."""
    assert res is None or res is DROPPED or isinstance(res, Perturbed), f"{op.name}: returned {res!r}"
    label_map = getattr(op, "label_map", None)
    if label_map is not None and label_map.get(ex.label, "missing") is None:
        assert not isinstance(res, Perturbed), f"{op.name}: label {ex.label} maps to undetermined but got a result"
    if not isinstance(res, Perturbed):
        return
    new = res.example
    assert (new.id, new.task, new.lang) == (ex.id, ex.task, ex.lang)
    assert res.variant == variant and res.orig_label == ex.label
    assert new.label == (ex.label if label_map is None else label_map[ex.label]) and new.label is not None
    assert res.edits, f"{op.name}: a Perturbed without edits"
    assert {e.field for e in res.edits} <= set(fields), f"{op.name}: edited a field outside {fields}"
    for field, old in ex.fields.items():
        cur = new.fields[field]
        edits = [e for e in res.edits if e.field == field]
        if not edits:
            assert cur == old, f"{op.name}: {field} changed without an edit"
            continue
        assert edits == sorted(edits, key=lambda e: (e.start, e.end)), f"{op.name}: edits out of order"
        rebuilt, pos = [], 0
        for e in edits:
            assert pos <= e.start <= e.end <= len(old), f"{op.name}: overlapping or out-of-range edit {e}"
            assert old[e.start:e.end] == e.before, f"{op.name}: edit.before is not the original slice: {e}"
            assert e.before != e.after, f"{op.name}: no-op edit {e}"
            rebuilt += [old[pos:e.start], e.after]
            pos = e.end
        rebuilt.append(old[pos:])
        assert "".join(rebuilt) == cur, f"{op.name}: the edits do not rebuild the new {field}"
        if unicodedata.is_normalized("NFC", old):
            assert unicodedata.is_normalized("NFC", cur), f"{op.name}: NFC input gave non-NFC {cur!r}"
        assert not _BAD.search(cur), f"{op.name}: output holds a character the loader rejects: {cur!r}"
        _check_clusters(op.name, old, cur, edits)


def _check_clusters(name: str, old: str, new: str, edits) -> None:
    old_starts = _starts(old)
    old_set = set(old_starts)
    for e in edits:
        assert e.start in old_set and e.end in old_set, \
            f"{name}: edit {e} cuts a grapheme cluster of {old!r}"
    new_set = set(_starts(new))
    # Each untouched cluster [a, b) of the old text must be exactly a cluster of the new text at its shifted
    # place: the shift is the length change of every edit that ends at or before a (an insertion at a included).
    k, shift = 0, 0
    for a, b in zip(old_starts, old_starts[1:]):
        while k < len(edits) and edits[k].end <= a:
            shift += len(edits[k].after) - (edits[k].end - edits[k].start)
            k += 1
        if k < len(edits) and edits[k].start < b:
            continue  # inside the next edit (edits are sorted and do not overlap)
        na, nb = a + shift, b + shift
        assert new[na:nb] == old[a:b], f"{name}: lost track of cluster {old[a:b]!r}"
        assert na in new_set, f"{name}: untouched cluster {old[a:b]!r} merged with what precedes it in {new!r}"
        assert nb in new_set or _joiner_inserted_at(edits, b), \
            f"{name}: untouched cluster {old[a:b]!r} merged with what follows it in {new!r}"


_INVISIBLE_JOINERS = {"\u200c", "\u200d"}


def _joiner_inserted_at(edits, pos: int) -> bool:
    """A pure insertion of ZWJ/ZWNJ at pos attaches to the cluster before it (char.invisible's point)."""
    return any(e.start == e.end == pos and e.after and set(e.after) <= _INVISIBLE_JOINERS for e in edits)


def _example(task: str, lang: str, texts: dict[str, str], label) -> Example:
    fields = {f: texts.get(f, "") for f in TASK_FIELDS[task]}
    if task == "xcopa":
        fields["question"] = texts.get("question", "cause")
    return Example(f"{task}/test/{lang}/000007", task, lang, fields, label)


@lru_cache(maxsize=None)
def _ops(name: str) -> tuple:
    """The op as the contract test builds it, and with rate 1.0 where it has a rate (more edits per text);
    built once per op, as the engine uses one instance for all examples."""
    cls = registry.get(name)
    op = make_op(cls)
    out = [op]
    if "rate" in {f.name for f in dataclasses.fields(op.params)} and not cls.requires:
        out.append(cls(dataclasses.replace(op.params, rate=1.0)))
    # Every built-in recipe entry of this op, with the params it really runs with (modes, rates, directions).
    from perturb.recipe import builtin_recipes

    for recipe in builtin_recipes():
        out.extend(e.op for e in _load_builtin(recipe).entries
                   if e.op.name == name and e.op.params not in {o.params for o in out})
    return tuple(out)


@pytest.mark.parametrize("name", OPS)
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=FUZZ_FIXED, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_fuzz_contract(name, data):
    cases = _cases(name)
    if not cases:
        pytest.skip(f"{name} supports no language with sample data")
    task, lang = data.draw(st.sampled_from(cases), label="task/lang")
    cls = registry.get(name)
    allowed = cls.allowed_fields(task)
    fields = tuple(data.draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=len(allowed), unique=True),
                             label="fields"))
    texts = {f: data.draw(hostile_text(task, lang), label=f) for f in TASK_FIELDS[task] if f != "question"}
    if task == "xnli":
        label = data.draw(st.sampled_from(["entailment", "neutral", "contradiction"]), label="label")
    else:
        label = data.draw(st.sampled_from([0, 1]), label="label")
        texts["question"] = data.draw(st.sampled_from(["cause", "effect"]))
    ex = _example(task, lang, texts, label)
    seed = data.draw(st.integers(0, 2**64 - 1), label="seed")
    variant = data.draw(st.integers(0, 3), label="variant")
    ops = _ops(name)
    op = ops[data.draw(st.integers(0, len(ops) - 1), label="default params / rate 1.0")]
    res = op.apply(ex, random.Random(seed), fields=fields, variant=variant)
    check_result(op, ex, fields, res, variant)
    assert op.apply(ex, random.Random(seed), fields=fields, variant=variant) == res, \
        f"{name}: same rng seed, different result"


@pytest.mark.parametrize("name", OPS)
def test_blank_fields_are_not_applicable(name):
    """Empty and whitespace-only target fields: nothing to perturb, so None (never a crash or an edit of blanks)."""
    cls = registry.get(name)
    op = make_op(cls)
    for task, lang in _cases(name):
        fields = cls.allowed_fields(task)
        for blank in WHITESPACE:
            label = "neutral" if task == "xnli" else 0
            ex = _example(task, lang, {f: blank for f in fields}, label)
            res = op.apply(ex, random.Random(1), fields=fields)
            check_result(op, ex, fields, res)
            assert res is None or res is DROPPED or all(e.before.strip() or e.after.strip() for e in res.edits), \
                f"{name}/{lang}: edited a blank field {blank!r}: {res}"


@lru_cache(maxsize=None)
def _long_text(task: str, lang: str) -> str:
    # One text per language, shared by all ops, so the segmenters' memo makes it cheap after the first op.
    rng = random.Random(5)
    samples = _sample_texts(task, lang)
    parts, n = [], 0
    while n < MAX_FIELD_CHARS:
        piece = rng.choice(samples) + " " + rng.choice(HOSTILE) + " "
        parts.append(piece)
        n += len(piece)
    return normalise_text("".join(parts)[:MAX_FIELD_CHARS], "<long>", 1)


@pytest.mark.parametrize("name", OPS)
def test_field_at_the_loader_limit(name):
    """A field of MAX_FIELD_CHARS characters (the longest the loader accepts) with hostile pieces every few
    dozen characters, in the op's first language, at its highest rate: the contract holds."""
    cls = registry.get(name)
    op = max(_ops(name), key=lambda o: getattr(o.params, "rate", 0))  # the highest rate: the most edits
    for task, lang in _cases(name)[:1]:
        fields = cls.allowed_fields(task)
        text = _long_text(task, lang)
        ex = _example(task, lang, {f: text for f in fields}, "entailment" if task == "xnli" else 1)
        res = op.apply(ex, random.Random(3), fields=fields)
        check_result(op, ex, fields, res)


def test_hostile_pieces_pass_the_loader():
    # The fuzz feeds only what a file could hold: every piece is legal loader input.
    for piece in HOSTILE + WHITESPACE:
        normalise_text(piece, "<piece>", 1)


# --- op bugs the fuzz found, fixed: each case failed the contract before its fix ------------------------------

# A cluster that begins with a combining mark / joiner at the start of a field or right after whitespace
# (Unicode attaches the mark to the space; the segmenter deliberately cuts the space off, so a "word" can start
# inside a cluster). logic.negate / logic.double_negation prefixed their frame, whose trailing space then absorbed
# the mark; lex.translit replaced a word that began inside the cluster ' \u0bc2'. Both now decline such text.
FIXED_OP_BUGS = {"logic.negate", "logic.double_negation", "lex.translit"}
FIXED_CASES = [
    ("logic.negate", "xnli", "ar", {"hypothesis": "\u034fأختي غير سعيدة بعملها الجديد."}, "entailment",
     ("hypothesis",)),
    ("logic.double_negation", "xnli", "ar", {"hypothesis": "\u093fأختي غير سعيدة بعملها الجديد."}, "entailment",
     ("hypothesis",)),
    ("lex.translit", "xcopa", "ta", {"premise": "क्षमाஅந்தப் பெண் தன் குளிர் கண்ணாடியை அணிந்தாள்",
                                     "choice1": "அவன் த  ூங்கிவிட்டான்",
                                     "choice2": "क्षमाஅந்தப் பெண் தன் குளிர் கண்ணாடியை அணிந்தாள்"}, 0,
     ("premise", "choice1")),
]


@pytest.mark.parametrize("name, task, lang, texts, label, fields", [
    pytest.param(*case, id=case[0]) for case in FIXED_CASES])
def test_fixed_op_bug(name, task, lang, texts, label, fields):
    op = make_op(registry.get(name))
    ex = _example(task, lang, texts, label)
    res = op.apply(ex, random.Random(0), fields=fields)
    check_result(op, ex, fields, res)
