"""One `xstress attack` run end to end: inputs, model, lockstep search through the cached scorer, attack set, report."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from harness import parallel

from . import inputs, metrics, output, report
from . import space as sp
from .constraints import signature
from .run import AttackSpec, attack, by_language, search_ops


@dataclass
class JobOptions:
    """Where the examples come from and how to score (the *what* of the search is the AttackSpec)."""

    task: str | None = None
    data: str | None = None
    attacks: str | None = None
    split: str = "test"
    langs: str = "all"
    max_per_lang: int | None = None
    sample_seed: int = 0
    cache: str | None = None
    batch_tokens: int = 16384
    n_boot: int = 1000
    boot_seed: int = 12345
    level: float = 0.95
    verify: bool = True
    overwrite: bool = False
    progress: bool = False


def load_examples(opts: JobOptions):
    """(task, split, {lang: examples}, {lang: source record})."""
    from harness.errors import OptionError

    if bool(opts.data) == bool(opts.attacks):
        raise OptionError("data", "give exactly one of --data DIR or --attacks DIR")
    if opts.attacks:
        task, split, ex, src = inputs.from_attack_set(opts.attacks, opts.langs, verify=opts.verify)
        if opts.task and opts.task != task:
            raise OptionError("task", f"--task {opts.task} but the attack set {opts.attacks} is {task}")
    else:
        if not opts.task:
            raise OptionError("task", "--data needs --task xnli|xcopa")
        task, split = opts.task, opts.split
        ex, src = inputs.from_data(task, opts.data, split, opts.langs)
        from perturb.loaders import split_name

        split = split_name(task, split)
    ex = inputs.sample(ex, opts.max_per_lang, opts.sample_seed)
    for lang in src:  # the set holds the attacked rows: a sample says so, with the file's own row count kept
        src[lang] = dict(src[lang], file_rows=src[lang].get("rows"), rows=len(ex[lang]))
        if opts.max_per_lang is not None:
            src[lang]["sample"] = {"max_per_lang": opts.max_per_lang, "seed": opts.sample_seed}
    return task, split, ex, src


def model_id(predictor) -> str:
    fp = getattr(predictor, "fingerprint", None)
    return str(fp)[:16] if fp else type(predictor).__name__


def run_job(predictor, model_name: str, spec: AttackSpec, opts: JobOptions, out: Path) -> dict:
    """Attack, write OUT/attackset (an xstress attack set), OUT/results.json, summary.md, success_vs_budget.png.
    Under torchrun each rank searches a slice; rank 0 writes and returns the document, the others return None."""
    from harness.cache import PredictionCache
    from harness.scoring import Scorer

    _check_out(Path(out) / "attackset", opts.overwrite)  # before the search, not after it
    task, split, examples, sources = load_examples(opts)
    c = spec.constraints
    op_list, resource_id = search_ops(task, spec)
    ops = tuple(op.name for op in op_list)
    fields = sp.resolve_fields(task, c.fields)
    allowed, sim_id = _similarity(c)
    recipe = [("recipe", spec.recipe), ("lexicon", resource_id)] if spec.recipe else []
    sig = signature([("attack", spec.search)] + ([("beam", spec.beam)] if spec.search == "beam" else []) + recipe
                    + [("model", model_id(predictor)), ("seed", spec.seed)]
                    + c.parts(fields=fields, ops=ops, similarity_id=sim_id)
                    + ([("sample", f"{opts.max_per_lang}@{opts.sample_seed}")] if opts.max_per_lang else []))
    w = parallel.world()
    cache = PredictionCache(opts.cache) if opts.cache else None
    try:
        scorer = Scorer(predictor, cache=cache, batch_tokens=opts.batch_tokens, progress=False)
        mine = attack(parallel.my_slice(by_language(examples), w), predictor, task=task, spec=spec,
                      score=scorer.score, allowed=allowed, on_round=_round_note if opts.progress else None)
    finally:
        if cache is not None:
            cache.close()
    parts = parallel.gather((mine, scorer.stats), w)
    if not w.main:
        parallel.finish(w)
        return None  # rank 0 writes the output
    results = [a for part, _ in parts for a in part]
    parallel.add_counts(scorer.stats, [st for _, st in parts[1:]])
    info = {"search": spec.search, "beam": spec.beam, "seed": spec.seed, "recipe": spec.recipe,
            "fields": list(fields), "ops": list(ops),
            "model": {"name": model_name, "id": model_id(predictor)},
            "constraints": {"budget": c.budget, "max_share": c.max_share, "similarity": sim_id,
                            "min_similarity": c.min_similarity},
            "params": {"budget": c.budget, "max_share": c.max_share, "beam": spec.beam}}
    try:
        manifest = output.write(Path(out) / "attackset", results, task=task, split=split, sources=sources,
                                signature=sig, attack_info=info, overwrite=opts.overwrite)
        return _report(out, manifest, results, scorer, predictor, model_name, sig, spec, opts, task)
    finally:
        parallel.finish(w)


def _check_out(path: Path, overwrite: bool) -> None:
    from perturb.errors import UsageError

    if path.exists() and not overwrite and (not path.is_dir() or any(path.iterdir())):
        raise UsageError("--out", f"{path} already exists; choose a new directory or pass --overwrite")


def _report(out, manifest, results, scorer, predictor, model_name, sig, spec, opts, task) -> dict:
    rows_by_lang: dict[str, list] = {}
    name = output.op_name(spec.search)
    for a in results:
        rows_by_lang.setdefault(a.example.lang, []).append(output.row(name, a))
    m = metrics.by_language(rows_by_lang, budget=spec.constraints.budget, n_boot=opts.n_boot, seed=opts.boot_seed,
                            level=opts.level)
    st = scorer.stats
    doc = {"schema": report.SCHEMA, "signature": sig, "task": task, "attack": manifest["attack"],
           "model": {"name": model_name, **(predictor.describe() if hasattr(predictor, "describe") else
                                            {"fingerprint": getattr(predictor, "fingerprint", None)})},
           "attack_set": {"path": "attackset", "content_hash": manifest["integrity"]["content_hash"][:16]},
           "scoring": {"requested": st.requested, "unique": st.unique, "cache_hits": st.cache_hits,
                       "scored_inputs": st.scored_inputs, "forward_passes": st.forward_passes},
           "bootstrap": {"n": opts.n_boot, "seed": opts.boot_seed, "level": opts.level},
           "files": {"attack_set": "attackset", "curve": "success_vs_budget.png", "summary": "summary.md"},
           "metrics": m}
    out = Path(out)
    report.write_results(doc, out)
    report.plot(m, out / "success_vs_budget.png", f"{spec.search} on {model_name} ({task}), budget "
                f"{spec.constraints.budget}")
    from perturb.fsutil import atomic_write_text

    atomic_write_text(out / "summary.md", report.summary(doc))
    return doc


def _similarity(c):
    if not c.similarity:
        return None, None
    from .similarity import Encoder

    enc = Encoder(c.similarity)
    return enc.allowed(c.min_similarity), enc.fingerprint[:16]


def _round_note(r) -> None:
    print(f"round {r.number}: {r.active} example(s) searching, {r.asked} input(s) asked", file=sys.stderr, flush=True)
