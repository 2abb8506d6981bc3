"""Runs an experiment end to end: load each model, score the attack set (cached), analyse, compare, build results."""

from __future__ import annotations

import logging
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace

import numpy as np

from harness import parallel
from harness.analysis import ModelRun, analyse
from harness.attackset import read_attack_set
from harness.collect import LangPredictions, Progress, collect_predictions
from harness.compare import compare
from harness.errors import ExperimentError
from harness.experiment import Experiment, default_comparisons, validate
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
    progress: bool | None = None  # None: progress bars when stderr is a terminal
    xcopa_question: str = "majority"  # XCOPA: cross-language majority question per item, or "as-is"
    predictions_dir: str | None = None  # write predictions/<model>.jsonl under this directory (None: not written)
    min_n: int = 20  # cells with fewer ids get counts only: no interval, no test, not in aggregates
    correction: str = "holm"  # multiple-comparison correction of the tests: "holm" or "bh" (Benjamini–Hochberg)
    verify: bool = True  # check the attack set's files against its manifest first (False: --no-verify, recorded)
    # Under torchrun / accelerate launch, split each chunk's forward batches across the ranks (harness.parallel);
    # rank 0 returns the document, the others None. Off: every process scores everything on its own.
    data_parallel: bool = False

    def __post_init__(self):
        # Refuse what would otherwise be silently changed (a batch budget of 0 becoming the default, a negative
        # sample size dropping ids): one error naming the argument.
        from harness.errors import OptionError

        def positive(name, allow_none=False):
            v = getattr(self, name)
            if (v is None and allow_none) or (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
                return
            raise OptionError(name, f"must be a positive integer, got {v!r}")

        for name in ("batch_tokens", "max_batch", "n_boot", "min_n"):
            positive(name)
        positive("max_per_lang", allow_none=True)
        if not 0 < self.alpha < 1:
            raise OptionError("alpha", f"must be in (0, 1), got {self.alpha!r}")
        if not 0 < self.level < 1:
            raise OptionError("level", f"must be in (0, 1), got {self.level!r}")
        if self.correction not in ("holm", "bh"):
            raise OptionError("correction", f"must be 'holm' or 'bh', got {self.correction!r}")


def run_experiment(exp: Experiment, opts: RunOptions) -> dict | None:
    """Score every model of ``exp`` and return the results document (see :mod:`harness.results`); None on the
    ranks other than 0 of a data-parallel launch (``opts.data_parallel``)."""
    from harness.cache import PredictionCache
    from harness.results import build_document

    validate(exp)
    aset = read_attack_set(exp.attacks, verify=opts.verify)
    if exp.task is not None and exp.task != aset.task:
        raise ExperimentError(f"experiment task is {exp.task} but the attack set {exp.attacks} is {aset.task}")
    w = parallel.world() if opts.data_parallel else parallel.World()
    if not w.main:
        opts = replace(opts, progress=False, predictions_dir=None)  # rank 0 shows and writes
    cache = PredictionCache(opts.cache) if opts.cache else None
    runs: list[ModelRun] = []
    try:
        for spec in exp.models:
            runs.append(_score_model(spec, aset, cache, opts, w, first=runs[0] if runs else None))
    finally:
        if cache is not None:
            cache.close()
    parallel.finish(w)
    if not w.main:
        return None

    with _phase(opts, f"analysing {len(runs)} model(s) ({opts.n_boot} bootstrap resamples)"):
        analysis = analyse(runs, manifest=aset.manifest, n_boot=opts.n_boot, seed=opts.boot_seed, level=opts.level,
                           min_n=opts.min_n)
        comparisons = [compare(analysis, runs, a=a, b=b, alpha=opts.alpha, correction=opts.correction)
                       for a, b in default_comparisons(exp)]
    return build_document(exp=exp, opts=opts, attack_set=aset, runs=runs, analysis=analysis, comparisons=comparisons)


def _load(spec, task: str, opts: RunOptions, w: parallel.World):
    if spec.predictor is not None:
        return spec.predictor
    return load_model(
        spec.path, task=task, name=spec.name,
        options=LoadOptions(label_order=spec.label_order or opts.label_order, allow_pickle=opts.allow_pickle,
                            device=parallel.device_for(w, opts.device), template=opts.template),
    )


def _score_model(spec, aset, cache, opts: RunOptions, w: parallel.World, *, first: ModelRun | None) -> ModelRun:
    """Load one model, stream the attack set through it (and into its predictions file), then free it."""
    from harness.predictions import PredictionsWriter, predictions_path

    predictor = _load(spec, aset.task, opts, w)
    scorer = Scorer(predictor, cache=cache, batch_tokens=opts.batch_tokens, max_batch=opts.max_batch,
                    progress=opts.progress, desc=spec.name, world=w)
    path = predictions_path(opts.predictions_dir, spec.name) if opts.predictions_dir else None
    bar = _bar(opts, spec.name, _expected_rows(aset, opts))
    questions: dict = {}
    try:
        with PredictionsWriter(path, aset.task) if path else nullcontext() as writer:
            preds = collect_predictions(scorer, aset, langs=opts.langs, ops=opts.ops, max_per_lang=opts.max_per_lang,
                                        sample_seed=opts.sample_seed, writer=writer, progress=_progress(bar, spec.name),
                                        xcopa_question=opts.xcopa_question, question_report=questions)
    finally:
        if bar is not None:
            bar.close()
    if first is not None:
        preds = {lang: _share(lp, first.predictions.get(lang)) for lang, lp in preds.items()}
    st = scorer.stats
    if w.size > 1:  # every rank read every row; the forward passes were split
        parallel.add_counts(st, parallel.gather(st, w)[1:], names=("scored_inputs", "forward_passes"))
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
    if questions:
        info["xcopa_question"] = questions
    if path is not None:
        info["predictions"] = f"{path.parent.name}/{path.name}"
    log.info("%s: %d inputs, %d unique, %d cached, %d scored in %.1fs", spec.name, st.requested, st.unique,
             st.cache_hits, st.scored_inputs, st.seconds)
    # The model goes out of scope here, before the next one loads: several XLM-R-large copies do not fit together.
    return ModelRun(name=spec.name, predictions=preds, schedule=spec.schedule, seed=spec.seed, info=info)


def _share(lp: LangPredictions, ref: LangPredictions | None) -> LangPredictions:
    """Point ``lp``'s per-row columns that equal the first model's at the first model's arrays.

    Every model reads the same rows, so only ``pred`` differs: n models cost one copy of the rest, not n.
    """
    if ref is None or lp.ids != ref.ids:
        return lp
    if np.array_equal(lp.gold, ref.gold):
        lp.gold, lp.ids = ref.gold, ref.ids
    for op, o in lp.ops.items():
        r = ref.ops.get(op)
        if r is None:
            continue
        for name in ("index", "variant", "gold", "orig_gold"):
            if np.array_equal(getattr(o, name), getattr(r, name)):
                setattr(o, name, getattr(r, name))
    return lp


def _expected_rows(aset, opts: RunOptions) -> int | None:
    """Rows the run will read, from the manifest's counts (instant, where reading the files to count lines
    would take seconds), or None when a sample makes it unknown up front. Only sizes the progress bar."""
    if opts.max_per_lang is not None:
        return None
    m = aset.manifest
    total = 0
    for lang in opts.langs or aset.langs:
        total += (m.get("sources", {}).get(lang) or {}).get("rows", 0)
        for op in aset.perturbations(lang):
            if opts.ops is None or op in opts.ops:
                c = ((m.get("counts") or {}).get(op, {}).get(lang) or {})
                # Rows written = examples the op applied to x variants per example (k).
                k = (c.get("variants") or c.get("candidates") or 0) // max(1, c.get("examples") or 1)
                total += (c.get("applied") or 0) * k
    return total or None


def _enabled(opts: RunOptions) -> bool:
    return opts.progress if opts.progress is not None else sys.stderr.isatty()


def _bar(opts: RunOptions, name: str, total: int | None):
    if not _enabled(opts):
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=name, unit="row", file=sys.stderr, dynamic_ncols=True)


def _progress(bar, name: str) -> Progress:
    """Rows read and encoded move the bar; batches scored show as ``scoring k/n`` inputs of the current chunk."""
    if bar is None:
        return Progress()
    state = {"scored": 0}

    def rows(lang, n):
        state["scored"] = 0
        bar.set_description(f"{name} {lang} encoding", refresh=False)
        bar.update(n)

    def scored(lang, n, total):
        state["scored"] += n
        bar.set_description(f"{name} {lang} scoring {state['scored']}/{total} inputs", refresh=False)
        bar.refresh()

    return Progress(rows=rows, scored=scored)


def _phase(opts: RunOptions, what: str):
    """A one-line start/finish note on stderr for a phase without its own counter (when progress is on)."""
    if not _enabled(opts):
        return nullcontext()
    return _Note(what)


class _Note:
    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        self.t0 = time.perf_counter()
        print(f"{self.what} ...", file=sys.stderr, flush=True)

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            print(f"{self.what}: done in {time.perf_counter() - self.t0:.1f} s", file=sys.stderr, flush=True)
