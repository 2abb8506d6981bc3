"""Logic family: label maps on every label, declarations, resources, and the negate/denegate round trip."""
from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perturb import registry
from perturb.core import DROPPED, Perturbed, apply_spans
from perturb.example import XNLI_LABELS, XNLI_LANGS, Example
from perturb.loaders import load
from perturb.ops.logic import _neg as _logic_neg
from perturb.ops.logic import _rules as _logic_rules
from perturb.recipe import parse_recipe

E, N, C = XNLI_LABELS

# One hypothesis per op and mode where the op applies (English; the premise is given where the op reads it).
APPLIES = {
    ("logic.negate", ()): ("", "The school is new."),
    ("logic.negate", (("mode", "local"),)): ("", "The school is new."),
    ("logic.denegate", ()): ("", "The school is not new."),
    ("logic.double_negation", ()): ("", "The school is new."),
    ("logic.double_negation", (("mode", "mixed"),)): ("", "The school is new."),
    ("logic.distract", ()): ("", "The school is new."),
    ("logic.distract", (("kind", "negation"),)): ("", "The school is new."),
    ("logic.quantifier", ()): ("", "All roads were dry."),
    ("logic.quantifier", (("direction", "strengthen"),)): ("", "Some roads were dry."),
    ("logic.number", ()): ("The council built 3 schools.", "The council built 3 schools."),
}
FLIP = {E: C, N: N, C: E}
EXPECTED_MAPS = {
    "logic.negate": FLIP,
    "logic.denegate": {E: C, N: N, C: None},  # a pragmatic contradiction's negation is not entailed: dropped
    "logic.double_negation": {E: E, N: N, C: C},
    "logic.distract": {E: E, N: N, C: C},
    ("logic.quantifier", "weaken"): {E: E, N: None, C: None},
    ("logic.quantifier", "strengthen"): {E: None, N: None, C: C},
    "logic.number": {E: C, N: None, C: None},
}
LOGIC_OPS = sorted({name for name, _ in APPLIES})


def expected_map(name, params):
    if name == "logic.negate" and dict(params).get("mode") == "local":
        return {E: C, N: N, C: None}
    if name == "logic.quantifier":
        return EXPECTED_MAPS[(name, dict(params).get("direction", "weaken"))]
    return EXPECTED_MAPS[name]


def run(op, premise, hypothesis, label, lang="en", ident="xnli/test/en/000001"):
    ex = Example(ident, "xnli", lang, {"premise": premise, "hypothesis": hypothesis}, label)
    return op.apply(ex, random.Random(5), fields=("hypothesis",))


@pytest.mark.parametrize("key", sorted(APPLIES), ids=lambda k: k[0] + "".join(f".{v}" for _, v in k[1]))
@pytest.mark.parametrize("label", XNLI_LABELS)
def test_label_map_on_every_label(key, label):
    name, params = key
    op = registry.get(name)(**dict(params))
    premise, hypothesis = APPLIES[key]
    want = expected_map(name, params)[label]
    res = run(op, premise, hypothesis, label)
    if want is None:
        assert res is DROPPED
    else:
        assert isinstance(res, Perturbed) and res.example.label == want and res.orig_label == label


@pytest.mark.parametrize("key", sorted(APPLIES), ids=lambda k: k[0] + "".join(f".{v}" for _, v in k[1]))
def test_label_effect_reports_the_real_map(key):
    """What the manifest writes (entry.op.label_effect()) is the map the instance applies."""
    name, params = key
    op = registry.get(name)(**dict(params))
    want = expected_map(name, params)
    effect = op.label_effect()
    if all(want[k] == k for k in want):
        assert effect == "preserve"
    else:
        assert effect == want
        assert op.label_map == want


def test_quantifier_class_and_recipe_label_effects():
    cls = registry.get("logic.quantifier")
    assert cls.label_effect() == {E: E, N: None, C: None}  # the class reports its default direction
    recipe = parse_recipe({"perturbations": [
        {"op": "logic.quantifier", "as": "q.weaken"},
        {"op": "logic.quantifier", "as": "q.strengthen", "params": {"direction": "strengthen"}},
    ]}, where="test", default_name="t")
    weaken, strengthen = recipe.entries
    assert weaken.op.label_effect() == {E: E, N: None, C: None}
    assert strengthen.op.label_effect() == {E: None, N: None, C: C}


@pytest.mark.parametrize("name,params", [
    ("logic.negate", {"mode": "both"}), ("logic.double_negation", {"mode": "local"}),
    ("logic.distract", {"kind": "tautology"}), ("logic.quantifier", {"direction": "up"}),
])
def test_bad_params_are_refused(name, params):
    with pytest.raises(ValueError, match="must be one of"):
        registry.get(name)(**params)


@pytest.mark.parametrize("name", LOGIC_OPS)
def test_declarations(name):
    cls = registry.get(name)
    assert cls.family == "logic" and cls.tasks == ("xnli",)
    assert cls.languages("xnli") == frozenset(XNLI_LANGS)
    assert cls.languages("xcopa") == frozenset()
    assert cls.allowed_fields("xnli")[-1] == "hypothesis"
    assert cls.default_fields("xnli") == ("hypothesis",)


@pytest.mark.parametrize("lang", XNLI_LANGS)
@pytest.mark.parametrize("kind", _logic_rules.KINDS)
def test_every_resource_has_provenance_and_loads(lang, kind):
    doc = _logic_rules.resource(lang, kind)  # checks the header and NFC, raises otherwise
    assert doc is not None, f"missing perturb/resources/logic/{lang}/{kind}.yaml"
    assert set(doc["_provenance"]) == {"source", "licence", "checked"}


def test_inserted_text_is_nfc():
    for lang in XNLI_LANGS:
        t = _logic_rules.resource(lang, "negation")["template"]
        for text in (t["frame"], t.get("fallback", ""), (t.get("elide") or {}).get("frame", "")):
            assert unicodedata.is_normalized("NFC", text)
        for kind in ("overlap", "negation"):
            assert unicodedata.is_normalized("NFC", _logic_rules.resource(lang, "distractors")[kind])


def test_not_applicable_and_ordinary_text_never_raises():
    ops = [registry.get(name)(**dict(params)) for name, params in APPLIES]
    for lang in XNLI_LANGS:
        for text in ("", " ", "?", "...", "123", "—", "a", "Ⅻ", "😀"):
            for op in ops:
                res = run(op, "3", text, E, lang=lang)
                assert res is None or res is DROPPED or isinstance(res, Perturbed)


# --- the round trip: template negation, then denegation, gives the original back ----------------------


NEGATE = registry.get("logic.negate")()
DENEGATE = registry.get("logic.denegate")()


def negate_then_denegate(text, lang, premise=""):
    """The registered ops one after the other; None when logic.negate does not apply."""
    # neutral: both ops keep it, so the round trip is about the text (denegate drops a contradiction)
    ex = Example(f"xnli/test/{lang}/000000", "xnli", lang, {"premise": premise, "hypothesis": text}, N)
    negated = NEGATE.apply(ex, random.Random(0), fields=("hypothesis",))
    if negated is None:
        return None
    back = DENEGATE.apply(negated.example, random.Random(0), fields=("hypothesis",))
    assert isinstance(back, Perturbed), f"{lang}: denegate does not apply to {negated.example.fields['hypothesis']!r}"
    assert back.example.label == N
    return back.example.fields["hypothesis"]


@pytest.fixture(scope="module")
def sample(sample_data):
    return load(task="xnli", data=sample_data / "xnli", split="test", langs="all")


@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_negate_then_denegate_round_trips_on_the_sample(lang, sample):
    n = 0
    for ex in sample[lang]:
        for text in (ex.fields["hypothesis"], ex.fields["hypothesis"].lower(), "«" + ex.fields["hypothesis"]):
            restored = negate_then_denegate(text, lang, ex.fields["premise"])
            if restored is not None:
                n += 1
                assert restored == text
    assert n >= len(sample[lang])


def test_double_template_negation_is_undone_twice(sample):
    """A stacked frame is undone twice; a language with a "not false" frame writes it once, exactly where the single
    negation writes its frame (same case change, elision and spacing)."""
    op = registry.get("logic.double_negation")()
    for lang in XNLI_LANGS:
        ex = sample[lang][15]
        res = op.apply(ex, random.Random(0), fields=("hypothesis",))
        text = res.example.fields["hypothesis"]
        cfg = _logic_rules.resource(lang, "negation")["template"]
        if cfg.get("double_frame"):
            single, _ = apply_spans(ex.fields["hypothesis"], "hypothesis",
                                    _logic_neg.template_negate(ex.fields["hypothesis"], lang))
            pairs = [(cfg["frame"], cfg["double_frame"])]
            if cfg.get("double_elide"):
                pairs.insert(0, (cfg["elide"]["frame"], cfg["double_elide"]))
            frame, double = next((f, d) for f, d in pairs if single.startswith(f))
            assert text == double + single[len(frame):], (lang, text)
            continue
        for _ in range(2):
            text, _ = apply_spans(text, "hypothesis", _logic_neg.denegate(text, lang))
        assert text == ex.fields["hypothesis"]


# Mixed-script text with the case traps: Turkish dotted I, Greek final sigma, German sharp s, titlecase
# digraphs, combining marks, RTL and CJK, ZWJ emoji.
_ALPHABET = st.sampled_from(list(
    "aAbBeEiIİıßẞǅǄǆσςΣΆάÉéñÑЖжЁёçÇşŞ" "\u0301\u0308" "المدرسةجديدة" "नया" "学校是" "ไม่จริง" "ﬁ"
    "0123456789" "  .,;:!?¿¡«»\"'’-" "\u200d" "👩‍🔬"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lang=st.sampled_from(XNLI_LANGS), text=st.text(_ALPHABET, min_size=1, max_size=40),
       premise=st.text(_ALPHABET, max_size=40))
def test_negate_then_denegate_round_trips_on_any_text(lang, text, premise):
    restored = negate_then_denegate(text, lang, premise)
    if restored is not None:
        assert restored == text
