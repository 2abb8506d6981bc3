"""Signatures: one type formats and parses them (parse(format(s)) == s), and every built-in recipe entry's
signature, as the engine writes it, parses back to the fields it was built from, in the documented order."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perturb.signature import Signature, format_value, model, perturbation, scores

# Any text, mixed scripts included; keys cannot hold ':' or '|', values cannot hold '|'.
_keys = st.text(st.characters(blacklist_characters=":|", blacklist_categories=("Cs",)), min_size=1, max_size=12)
_values = st.text(st.characters(blacklist_characters="|", blacklist_categories=("Cs",)), max_size=24)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_keys, _values), max_size=12))
def test_parse_inverts_format(fields):
    s = Signature(tuple(fields))
    assert Signature.parse(s.format()) == s
    assert Signature.parse(str(s)) == s


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False), st.booleans(),
                 st.lists(st.text(max_size=5), max_size=4).map(tuple)))
def test_format_value_never_writes_the_separator(value):
    assert "|" not in format_value(value)
    Signature.of([("key", value)])  # always a valid field


@pytest.mark.parametrize("fields", [(("", "x"),), (("a:b", "x"),), (("a|b", "x"),), (("a", "x|y"),)])
def test_bad_fields_are_refused(fields):
    with pytest.raises(ValueError):
        Signature(fields)


@pytest.mark.parametrize("text", ["nocolon", "a:1||b:2", ":value"])
def test_parse_names_the_bad_field(text):
    with pytest.raises(ValueError, match="not key:value"):
        Signature.parse(text)


def test_field_orders():
    # One order for every kind: the tool version first, then the kind's own fields (results and model
    # signatures put it last before 0.4.0).
    p = perturbation(version="0.3.0", op="char.swap", params=[("rate", 0.1), ("keep_edges", True)],
                     resources=[("lexicon", "en-de@1a2b3c4d")], k=2, seed=13, fields=("premise", "hypothesis"),
                     src="xnli-test-de@0123abcd", qfix="majority")
    assert p.format() == ("xstress:0.3.0|op:char.swap|rate:0.1|keep_edges:yes|lexicon:en-de@1a2b3c4d|k:2|seed:13|"
                          "fields:premise+hypothesis|src:xnli-test-de@0123abcd|qfix:majority")
    assert perturbation(version="v", op="o", params=[], resources=[], k=1, seed=0, fields=["premise"],
                        src="s").keys() == ["xstress", "op", "k", "seed", "fields", "src"]
    s = scores(task="xnli", attacks="abcd1234", set_id="0123456789abcdef", models=2, boot=1000, boot_seed=0,
               level=0.95, sample="all", qfix=None, version="0.3.0")
    assert s.format() == ("xstress:0.3.0|task:xnli|attacks:abcd1234|set:0123456789abcdef|models:2|boot:1000|"
                          "bseed:0|ci:0.95|sample:all")
    assert model(fingerprint="5e6f7a8b9c0d", precision="fp32", version="0.3.0").format() == \
        "xstress:0.3.0|model:5e6f7a8b9c0d|prec:fp32"


def _entries():
    from perturb.recipe import builtin_recipes

    from test_contract import _load_builtin

    return [(recipe, e) for recipe in builtin_recipes() for e in _load_builtin(recipe).entries]


@pytest.mark.parametrize("task", ["xnli", "xcopa"])
def test_every_builtin_recipe_entry_round_trips(task):
    entries = _entries()
    assert entries
    for recipe, entry in entries:
        if task not in entry.op.tasks:
            continue
        for lang in sorted(entry.op.languages(task))[:3]:
            s = entry.signature(version="0.0.0", seed=13, task=task, src=f"{task}-test-{lang}@0123abcd", lang=lang,
                                qfix="majority" if task == "xcopa" else None)
            text = s.format()
            back = Signature.parse(text)
            assert back == s and back.format() == text, f"{recipe}: {entry.name} ({lang})"
            assert back.get("op") == entry.op.name and back.get("seed") == "13", f"{recipe}: {entry.name}"
            assert back.keys()[:2] == ["xstress", "op"] and back.keys()[-1] == ("qfix" if task == "xcopa" else "src")
            # Params then resources, each once, by name, between op and k.
            named = [k for k, _ in entry.op.params.describe()] + [k for k, _ in entry.op.resource_parts(task, lang)]
            assert back.keys()[2:2 + len(named)] == named, f"{recipe}: {entry.name}"
