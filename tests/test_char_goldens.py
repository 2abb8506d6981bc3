"""Per-language goldens of the char family: fixed inputs and seed must give exactly the stored outputs."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from perturb import registry

GOLDENS = Path(__file__).resolve().parent / "goldens" / "char"


def _maker():
    spec = importlib.util.spec_from_file_location("char_make_goldens", GOLDENS / "make_goldens.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKER = _maker()


@pytest.fixture(scope="module")
def inputs():
    return json.loads((GOLDENS / "inputs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("run", sorted(MAKER.RUNS))
def test_golden_matches(run, inputs):
    stored = json.loads((GOLDENS / f"{run}.json").read_text(encoding="utf-8"))
    fresh = MAKER.compute(run, inputs)
    assert stored["command"] == MAKER.COMMAND
    for lang in stored["cases"]:
        assert fresh["cases"].get(lang) == stored["cases"][lang], (
            f"{run}/{lang} changed; if intended, regenerate with `{MAKER.COMMAND}` and review the diff")
    assert fresh == stored


def test_goldens_cover_every_char_op_and_language(inputs):
    """Each char op has a golden, and it holds every language the op supports that has inputs."""
    runs_by_op = {}
    for run, (op, _) in MAKER.RUNS.items():
        runs_by_op.setdefault(op, []).append(run)
    char_ops = [n for n in registry.names() if n.startswith("char.")]
    assert sorted(runs_by_op) == char_ops
    for op_name in char_ops:
        cls = registry.get(op_name)
        claimed = (cls.languages("xnli") | cls.languages("xcopa")) & set(inputs)
        stored = json.loads((GOLDENS / f"{op_name}.json").read_text(encoding="utf-8"))
        assert set(stored["cases"]) == claimed, op_name
        applied = {lang for lang, rows in stored["cases"].items() if any(r["output"] for r in rows)}
        assert applied == claimed, f"{op_name} applies to no golden input of {sorted(claimed - applied)}"
