"""`harness.evaluate`: the keyword-only Python entry point that scores models on an attack set and returns results."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from harness.errors import ExperimentError


def evaluate(*, model: Any | Mapping[str, Any], attacks: str | os.PathLike,
             schedules: Mapping[str, str] | None = None, seeds: Mapping[str, int] | None = None,
             compare: Sequence[tuple[str, str]] = (), out: str | os.PathLike | None = None,
             label_order: Sequence[str] | None = None, allow_pickle: bool = False, device: str | None = None,
             cache: str | os.PathLike | None = None, max_per_lang: int | None = None,
             langs: Sequence[str] | None = None, ops: Sequence[str] | None = None,
             n_boot: int = 1000, boot_seed: int = 12345, progress: bool = False, verify: bool = True,
             alpha: float = 0.05, correction: str = "holm", min_n: int = 20) -> dict:
    """Score one model (a checkpoint path or a `Predictor`) or several (`{name: path_or_predictor}`) on the
    attack set at `attacks` and return the results document that `xstress score` writes as results.json.
    With `out`, results.json, results.csv, summary.md, the heatmaps and predictions/<model>.jsonl are written
    there too. The attack set's files are checked against its manifest first; `verify=False` skips that, and the
    results record it.

    >>> import tempfile, perturb, harness
    >>> from perturb.recipe import single_op_recipe
    >>> from harness.predictor import DummyPredictor
    >>> tmp = tempfile.mkdtemp()
    >>> _ = perturb.generate(task="xnli", data="data/xnli", langs="de", recipe=single_op_recipe(["char.swap"]),
    ...                      out=f"{tmp}/attacks")
    >>> doc = harness.evaluate(model=DummyPredictor("xnli", seed=1), attacks=f"{tmp}/attacks", n_boot=200)
    >>> doc["task"], [m["name"] for m in doc["models"]]
    ('xnli', ['dummy'])
    >>> sorted({(c["lang"], c["op"]) for c in doc["cells"]})
    [('de', 'char.swap')]
    """
    from harness.experiment import Experiment, ModelSpec
    from harness.runner import RunOptions, run_experiment

    models = model if isinstance(model, Mapping) else {_default_name(model): model}
    if not models:
        raise ExperimentError("evaluate: give at least one model")
    specs = []
    for name, m in models.items():
        is_path = isinstance(m, (str, os.PathLike))
        specs.append(ModelSpec(name=name, path=str(m) if is_path else None, predictor=None if is_path else m,
                               schedule=(schedules or {}).get(name), seed=(seeds or {}).get(name)))
    for a, b in compare:
        if not isinstance(a, str) or not isinstance(b, str):
            raise ExperimentError(f"evaluate: compare takes (group_a, group_b) name pairs, got {(a, b)!r}")
    exp = Experiment(task=None, attacks=str(attacks), models=specs, comparisons=list(compare))
    opts = RunOptions(label_order=tuple(label_order) if label_order else None, allow_pickle=allow_pickle,
                      device=device, cache=str(cache) if cache else None, max_per_lang=max_per_lang,
                      langs=tuple(langs) if langs else None, ops=tuple(ops) if ops else None,
                      n_boot=n_boot, boot_seed=boot_seed, progress=progress,
                      predictions_dir=str(out) if out is not None else None, verify=verify, alpha=alpha,
                      correction=correction, min_n=min_n)
    doc = run_experiment(exp, opts)
    if out is not None:
        from harness.report import render
        from harness.results import write_results

        write_results(doc, out)
        render(doc, out)
    return doc


def _default_name(model) -> str:
    if isinstance(model, (str, os.PathLike)):
        return Path(str(model).rstrip("/")).name or str(model)
    return getattr(model, "name", None) or type(model).__name__
