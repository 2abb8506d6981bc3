"""Logic family on data: coverage goals on the real XNLI test, and the counts the engine writes to the manifest."""
from __future__ import annotations

import json

import pytest

from perturb import registry
from perturb.core import apply_spans
from perturb.engine import generate
from perturb.example import XNLI_LANGS
from perturb.loaders import load
from perturb.ops.logic import _neg as _logic_neg
from perturb.ops.logic import _rules as _logic_rules
from perturb.recipe import parse_recipe

# The recipe entries proposed for the default recipe (one output name per op and mode).
LOGIC_RECIPE = {
    "name": "logic",
    "perturbations": [
        {"op": "logic.negate"},
        {"op": "logic.negate", "as": "logic.negate.local", "params": {"mode": "local"}},
        {"op": "logic.denegate"},
        {"op": "logic.double_negation"},
        {"op": "logic.double_negation", "as": "logic.double_negation.mixed", "params": {"mode": "mixed"}},
        {"op": "logic.distract"},
        {"op": "logic.distract", "as": "logic.distract.negation", "params": {"kind": "negation"}},
        {"op": "logic.quantifier"},
        {"op": "logic.quantifier", "as": "logic.quantifier.strengthen", "params": {"direction": "strengthen"}},
        {"op": "logic.number"},
    ],
}


@pytest.fixture(scope="module")
def xnli_test(real_data):
    return load(task="xnli", data=real_data / "xnli", split="test", langs="all")


@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_template_negation_and_distractor_coverage(lang, xnli_test):
    """Template negation applies to >= 95 % of the hypotheses of every language (it skips questions and
    multi-sentence hypotheses), distractors to all but questions; every template negation is undone by
    denegation."""
    examples = xnli_test[lang]
    distract = registry.get("logic.distract")()
    negated = 0
    for ex in examples:
        text = ex.fields["hypothesis"]
        if not _logic_rules.is_question(text, lang):
            assert distract.edit(text, example=ex, rng=None), f"{lang}: distractor skipped {text!r}"
        spans = _logic_neg.template_negate(text, lang, ex.fields["premise"])
        if not spans:
            continue
        negated += 1
        new, _ = apply_spans(text, "hypothesis", spans)
        back = _logic_neg.template_strip(new, lang)
        assert back and apply_spans(new, "hypothesis", back)[0] == text
    assert negated / len(examples) >= 0.95, f"{lang}: template negation covers {negated}/{len(examples)}"


def test_manifest_counts_every_logic_op_per_language(sample_data, tmp_path):
    """The engine's manifest carries applied / not applicable / dropped for every op and language, and each
    entry's label effect is the one its params choose."""
    recipe = parse_recipe(LOGIC_RECIPE, where="test", default_name="logic")
    manifest = generate(task="xnli", data=sample_data / "xnli", split="test", langs="all", recipe=recipe,
                        seed=13, out=tmp_path / "set")
    assert json.loads((tmp_path / "set" / "manifest.json").read_text(encoding="utf-8"))["counts"]
    for entry in recipe.entries:
        counts = manifest["counts"][entry.name]
        for lang in XNLI_LANGS:
            c = counts[lang]
            assert c["status"] == "ok"
            assert c["applied"] + c["not_applicable"] + c["dropped"] == c["examples"] == 18
    assert manifest["counts"]["logic.distract"]["en"]["applied"] == 18
    effects = {name: p["label_effect"] for name, p in manifest["perturbations"].items()}
    assert effects["logic.quantifier"] == {"entailment": "entailment", "neutral": None, "contradiction": None}
    assert effects["logic.quantifier.strengthen"] == {"entailment": None, "neutral": None,
                                                      "contradiction": "contradiction"}
    assert effects["logic.double_negation"] == "preserve"
    assert effects["logic.negate.local"]["entailment"] == "contradiction"
