"""The perturbation contract, checked for every registered op on the sample data of every language it claims."""
from __future__ import annotations

import unicodedata

import pytest

from perturb import registry
from perturb.core import DROPPED, Dropped, Perturbed
from perturb.engine import run_entry
from perturb.example import TASK_LANGS, XNLI_LABELS, Example
from perturb.loaders import load
from perturb.recipe import Planned
from perturb.rng import derive_rng

OPS = registry.names()


# Pairs for ops whose trigger the small sample data lacks (a subject quantifier with the right gold label), so
# that every op is seen applying under the contract, not only declining.
EXTRA_EN = [
    ("Every student in the class passed the final exam last week.", "All students passed the exam.", "entailment"),
    ("None of the children went outside today.", "Some children went outside today.", "contradiction"),
]


@pytest.fixture(scope="module")
def samples(sample_data):
    out = {
        "xnli": load(task="xnli", data=sample_data / "xnli", split="test", langs="all"),
        "xcopa": load(task="xcopa", data=sample_data / "xcopa", split="test", langs="all"),
    }
    out["xnli"]["en"] = out["xnli"]["en"] + [
        Example(f"xnli/test/en/9{i:05d}", "xnli", "en", {"premise": p, "hypothesis": h}, label)
        for i, (p, h, label) in enumerate(EXTRA_EN)]
    return out


def make_op(cls):
    # Ops that need an external resource say how to build a test instance.
    return cls.contract_instance()


def results(op, examples, seed, k=1):
    entry = Planned(op.name, op, k, None)
    return list(run_entry(entry, examples, seed))


@pytest.mark.parametrize("name", OPS)
def test_declarations(name):
    cls = registry.get(name)
    assert name.startswith(cls.family + ".")
    assert cls.description, "every op says in one line what it does"
    module = __import__(cls.__module__, fromlist=["_"])
    assert module.__doc__ and module.__doc__.strip(), f"{cls.__module__} opens with a one-sentence docstring"
    effect = cls.label_effect()
    if effect != "preserve":
        assert "xcopa" not in cls.tasks or all(isinstance(k, str) for k in effect)
    for task in ("xnli", "xcopa"):
        langs = cls.languages(task)
        assert langs <= set(TASK_LANGS[task]), f"{name} claims languages outside {task}: {langs - set(TASK_LANGS[task])}"
        if task not in cls.tasks:
            assert not langs


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("task", ["xnli", "xcopa"])
def test_contract_on_sample_data(name, task, samples):
    op = make_op(registry.get(name))
    langs = sorted(op.languages(task) & set(samples[task]))  # XCOPA's English (val only) has no sample
    if not langs:
        pytest.skip(f"{name} does not support {task}")
    check_contract(name, op, op.default_fields(task), task, langs, samples)


def _recipe_entries():
    from perturb.recipe import builtin_recipes

    return [(recipe, i) for recipe in builtin_recipes() for i in range(len(_load_builtin(recipe).entries))]


def _load_builtin(recipe: str):
    # The built-in recipes with the test stand-ins for their external resources: the tiny hand-written MUSE
    # lexicons and the echo masked LM (the same ones the ops' contract instances use).
    from pathlib import Path

    from perturb.ops.lex._mlm import EchoFiller
    from perturb.recipe import load_recipe

    lexicons = Path(__file__).parent / "fixtures" / "lex" / "muse"
    return load_recipe(recipe, resources={"lexicon_dir": lexicons, "mlm": EchoFiller()})


@pytest.mark.parametrize("recipe,i", _recipe_entries(), ids=lambda v: str(v))
@pytest.mark.parametrize("task", ["xnli", "xcopa"])
def test_contract_of_every_recipe_entry(recipe, i, task, samples, sample_data):
    # Recipes run ops with their own params (modes, rates, directions): the contract must hold for those, not
    # only for each op's defaults. A failure names the recipe entry to fix.
    entry = _load_builtin(recipe).entries[i]
    op = entry.op
    if task not in op.tasks:
        pytest.skip(f"{recipe}: {entry.name} does not run on {task}")
    if op.needs_parallel:
        english = load(task=task, data=sample_data / task, split="test", langs=["en"])["en"]
        op = op.with_parallel(task, english, "sample-en")
    langs = sorted(op.languages(task) & set(samples[task]))
    if not langs:
        pytest.skip(f"{recipe}: {entry.name} supports no {task} sample language")
    check_contract(f"recipe {recipe}: {entry.name}", op, entry.target_fields(task), task, langs, samples,
                   require_applied=entry.name not in RARE_ON_SAMPLE_DATA)


# Recipe entries whose trigger the sample data (with EXTRA_EN) does not contain; their own tests cover them.
RARE_ON_SAMPLE_DATA: dict[str, str] = {}


def check_contract(name, op, fields, task, langs, samples, require_applied=True):
    """Determinism, ids, declared label effect, exact edit spans and NFC on every sample language."""
    applied_somewhere = False
    for lang in langs:
        examples = samples[task][lang]
        first = results(op, examples, seed=7)
        assert results(op, examples, seed=7) == first, f"{name}/{lang}: same seed must give the same output"
        for ex, res in zip(examples, first):
            assert res is None or res is DROPPED or isinstance(res, Perturbed)
            if not isinstance(res, Perturbed):
                continue
            applied_somewhere = True
            new = res.example
            assert new.id == ex.id and new.lang == ex.lang and new.task == ex.task
            assert res.orig_label == ex.label
            # label effect
            label_map = getattr(op, "label_map", None)
            if label_map is None:
                assert new.label == ex.label
            else:
                assert new.label == label_map[ex.label] and new.label is not None
            # edits: only target fields, exact spans, everything else byte-identical
            assert res.edits
            for field in ex.fields:
                old, cur = ex.fields[field], new.fields[field]
                field_edits = sorted((e for e in res.edits if e.field == field), key=lambda e: e.start)
                if field not in fields:
                    assert not field_edits and cur == old, f"{name} changed non-target field {field}"
                    continue
                rebuilt, pos = [], 0
                for e in field_edits:
                    assert old[e.start:e.end] == e.before and e.before != e.after
                    assert e.start >= pos
                    rebuilt += [old[pos:e.start], e.after]
                    pos = e.end
                rebuilt.append(old[pos:])
                assert "".join(rebuilt) == cur
                if unicodedata.is_normalized("NFC", old):
                    assert unicodedata.is_normalized("NFC", cur), f"{name}/{lang}: output not NFC"
    assert applied_somewhere or not require_applied, f"{name} never applied to the {task} sample data of {langs}"


@pytest.mark.parametrize("name", OPS)
def test_variants_are_independent_of_order(name, samples):
    op = make_op(registry.get(name))
    task = "xnli" if op.languages("xnli") else "xcopa"
    lang = sorted(op.languages(task))[0]
    examples = samples[task][lang]
    forward = results(op, examples, seed=3, k=2)
    backward = results(op, examples[::-1], seed=3, k=2)
    n = len(examples)
    back_by_id = {}
    for i, ex in enumerate(examples[::-1]):
        back_by_id[ex.id] = backward[2 * i: 2 * i + 2]
    for i, ex in enumerate(examples):
        assert forward[2 * i: 2 * i + 2] == back_by_id[ex.id]
        for v, res in enumerate(forward[2 * i: 2 * i + 2]):
            if isinstance(res, Perturbed):
                assert res.variant == v
    assert n


def test_rng_is_derived_from_its_inputs_only():
    a = derive_rng(1, "char.swap|rate:0.1", "xnli/test/en/000001", 0).random()
    assert a == derive_rng(1, "char.swap|rate:0.1", "xnli/test/en/000001", 0).random()
    assert a != derive_rng(1, "char.swap|rate:0.1", "xnli/test/en/000001", 1).random()
    assert a != derive_rng(2, "char.swap|rate:0.1", "xnli/test/en/000001", 0).random()
    assert a != derive_rng(1, "char.swap|rate:0.2", "xnli/test/en/000001", 0).random()


def test_unknown_op_suggests_close_names():
    from perturb.errors import UsageError

    with pytest.raises(UsageError, match=r"Did you mean 'char\.swap'.*Available:"):
        registry.get("char.swp")


def test_label_map_values_are_labels_or_undetermined():
    for cls in registry.all_ops():
        if cls.label_map is not None:
            assert set(cls.label_map) == set(XNLI_LABELS)
            assert all(v is None or v in XNLI_LABELS for v in cls.label_map.values())
