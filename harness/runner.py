"""Runs an experiment end to end: load each model, score the attack set (cached), analyse, compare, build results."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from harness.analysis import ModelRun, analyse
from harness.attackset import read_attack_set
from harness.collect import collect_predictions
from harness.compare import compare
from harness.errors import ExperimentError
from harness.experiment import Experiment, validate
from harness.models import DEFAULT_XCOPA_TEMPLATE, LoadOptions, load_model
from harness.scoring import DEFAULT_BATCH_TOKENS, DEFAULT_MAX_BATCH, Scorer

log = logging.getLogger("xstress.harness")


@dataclass
class RunOptions:
    """Everything about *how* to run, separate from *what* (the Experiment)."""

    label_order: tuple[str, ...] | None = None  # default for models that do not set their own
    allow_pickle: bool = False
    device: str | None = None
    template: str = DEFAULT_XCOPA_TEMPLATE
    batch_tokens: int = DEFAULT_BATCH_TOKENS
    max_batch: int = DEFAULT_MAX_BATCH
    cache: str | None = None  # path of the SQLite cache; None disables caching
    max_per_lang: int | None = None
    sample_seed: int = 0
    langs: tuple[str, ...] | None = None
    ops: tuple[str, ...] | None = None
    n_boot: int = 1000
    boot_seed: int = 12345
    level: float = 0.95
    alpha: float = 0.05
    progress: bool | None = None


def run_experiment(exp: Experiment, opts: RunOptions) -> dict:
    """Score every model of ``exp`` and return the results document (see :mod:`harness.results`)."""
    from harness.cache import PredictionCache
    from harness.results import build_document

    validate(exp)
    aset = read_attack_set(exp.attacks)
    if exp.task is not None and exp.task != aset.task:
        raise ExperimentError(f"experiment task is {exp.task} but the attack set {exp.attacks} is {aset.task}")
    task = aset.task
    cache = PredictionCache(opts.cache) if opts.cache else None
    runs: list[ModelRun] = []
    try:
        for spec in exp.models:
            if spec.predictor is not None:
                predictor = spec.predictor
            else:
                predictor = load_model(
                    spec.path, task=task, name=spec.name,
                    options=LoadOptions(label_order=spec.label_order or opts.label_order,
                                        allow_pickle=opts.allow_pickle, device=opts.device, template=opts.template),
                )
            scorer = Scorer(predictor, cache=cache, batch_tokens=opts.batch_tokens, max_batch=opts.max_batch,
                            progress=opts.progress, desc=spec.name)
            preds = collect_predictions(scorer, aset, langs=opts.langs, ops=opts.ops,
                                        max_per_lang=opts.max_per_lang, sample_seed=opts.sample_seed)
            st = scorer.stats
            info = {
                "path": spec.path,
                **(predictor.describe() if hasattr(predictor, "describe") else
                   {"fingerprint": getattr(predictor, "fingerprint", None), "predictor": type(predictor).__name__}),
                "scoring": {
                    "requested": st.requested, "unique": st.unique, "cache_hits": st.cache_hits,
                    "scored_inputs": st.scored_inputs, "forward_passes": st.forward_passes,
                    "seconds": round(st.seconds, 3),
                    "examples_per_s": round(st.requested / st.seconds, 1) if st.seconds > 0 else None,
                },
            }
            log.info("%s: %d inputs, %d unique, %d cached, %d scored in %.1fs", spec.name, st.requested, st.unique,
                     st.cache_hits, st.scored_inputs, st.seconds)
            runs.append(ModelRun(name=spec.name, predictions=preds, schedule=spec.schedule, seed=spec.seed, info=info))
            # Free the model before loading the next one: several XLM-R-large copies do not fit together.
            del predictor, scorer
    finally:
        if cache is not None:
            cache.close()

    analysis = analyse(runs, manifest=aset.manifest, n_boot=opts.n_boot, seed=opts.boot_seed, level=opts.level)
    comparisons = [compare(analysis, runs, a=a, b=b, alpha=opts.alpha) for a, b in exp.comparisons]
    return build_document(exp=exp, opts=opts, attack_set=aset, runs=runs, analysis=analysis, comparisons=comparisons)
