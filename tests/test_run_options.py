"""Run options are validated once: the library names the Python argument, the CLI names the flag, nothing is
silently replaced (a batch budget of 0 is not "the default", a negative sample size does not drop ids)."""
from __future__ import annotations

import pytest

from harness.cli import main
from harness.errors import OptionError
from harness.runner import RunOptions


@pytest.mark.parametrize("kwargs,name", [
    ({"batch_tokens": 0}, "batch_tokens"), ({"max_per_lang": -1}, "max_per_lang"), ({"max_per_lang": 0}, "max_per_lang"),
    ({"n_boot": 0}, "n_boot"), ({"min_n": 0}, "min_n"), ({"alpha": 1.5}, "alpha"), ({"correction": "bonferroni"},
                                                                                     "correction"),
])
def test_library_refuses_bad_values_by_argument_name(kwargs, name):
    with pytest.raises(OptionError, match=rf"^{name}: ") as e:
        RunOptions(**kwargs)
    assert e.value.name == name


@pytest.mark.parametrize("argv,flag", [
    (["--batch-tokens", "0"], "--batch-tokens"), (["--max-per-lang", "-1"], "--max-per-lang"),
    (["--bootstrap", "0"], "--bootstrap"), (["--min-n", "0"], "--min-n"), (["--alpha", "2"], "--alpha"),
])
def test_cli_names_the_flag(tmp_path, capsys, argv, flag):
    rc = main(["score", "--attacks", str(tmp_path), "--model", "m=x", "--out", str(tmp_path / "o"), *argv])
    err = capsys.readouterr().err
    assert rc == 2 and f"error: {flag}: " in err and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()


def test_evaluate_takes_the_same_options():
    import inspect

    from harness.api import evaluate

    params = inspect.signature(evaluate).parameters
    for name in ("alpha", "correction", "min_n", "verify", "n_boot", "max_per_lang"):
        assert name in params, name


def test_evaluate_compares_two_schedules_as_the_cli_does(sample_data, tmp_path):
    """harness.evaluate with two schedules and no compare= makes the one comparison `xstress score` makes."""
    import harness
    from harness.predictor import DummyPredictor
    from perturb.engine import generate
    from perturb.recipe import single_op_recipe

    atk = tmp_path / "atk"
    generate(task="xnli", data=sample_data / "xnli", langs="en,de", recipe=single_op_recipe(["char.swap"]), out=atk)
    doc = harness.evaluate(model={"a": DummyPredictor("xnli", seed=1), "b": DummyPredictor("xnli", seed=2)},
                           attacks=atk, schedules={"a": "sequential", "b": "interleaved"}, n_boot=50, min_n=5)
    assert [(c["a"], c["b"]) for c in doc["comparisons"]] == [("sequential", "interleaved")]
