"""Turns per-model predictions into metric cells (model x lang x op) and aggregates, with shared bootstrap replicates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from harness import metrics as M
from harness.attackset import op_info
from harness.collect import LangPredictions, parallel_key


@dataclass
class ModelRun:
    """One scored model: identity, grouping (schedule/seed) and its predictions per language."""

    name: str
    predictions: dict[str, LangPredictions]
    schedule: str | None = None
    seed: int | None = None
    info: dict = field(default_factory=dict)


@dataclass
class Analysis:
    """Point estimates with CIs (JSON-ready rows) plus the replicates compare.py needs (kept in memory only)."""

    cells: list[dict]
    aggregates: list[dict]
    replicates: dict[str, dict[tuple[str, str], dict[str, np.ndarray]]]  # model -> (lang, op) -> stat -> (B,)
    n_boot: int
    seed: int
    level: float


def _summ(point: float, reps: np.ndarray, level: float) -> dict:
    lo, hi = M.percentile_ci(reps, level)
    return {"value": point, "ci": [lo, hi]}


def analyse(
    runs: Sequence[ModelRun], *, manifest: Mapping, n_boot: int = 1000, seed: int = 12345, level: float = 0.95
) -> Analysis:
    """Metrics for every (model, lang, op) with paired-bootstrap CIs, and per-lang/op/family/overall means.

    One weight matrix over the union of parallel ids is drawn once, so every cell, every model and every language
    sees the same resamples: differences between models are paired, and language averages keep the correlation
    between translations of the same item.
    """
    if not runs:
        raise ValueError("nothing to analyse")
    base = runs[0].predictions
    universe = sorted({parallel_key(i, lang) for lang, lp in base.items() for i in lp.ids})
    where = {k: n for n, k in enumerate(universe)}
    W = M.bootstrap_weights(len(universe), n_boot, seed)

    cells: list[dict] = []
    reps: dict[str, dict] = {}
    lang_clean: dict[str, dict[str, tuple[float, np.ndarray]]] = defaultdict(dict)
    for lang in sorted(base):
        pos = np.array([where[parallel_key(i, lang)] for i in base[lang].ids], dtype=np.int64)
        Wl = W[:, pos]
        for run in runs:
            lp = run.predictions[lang]
            if lp.ids != base[lang].ids:
                raise ValueError(f"{run.name}: ids of {lang} differ from {runs[0].name}'s; models must see the same set")
            cc = (lp.pred == lp.gold).astype(np.float64)
            lang_clean[run.name][lang] = (float(cc.mean()) if cc.size else float("nan"), M._div(Wl @ cc, Wl.sum(1)))
            for op in sorted(lp.ops):
                o = lp.ops[op]
                cd = M.cell_data(lp.pred, lp.gold, o.index, o.pred, o.gold)
                pt = M.point(cd)
                rp = M.replicates(cd, Wl)
                reps.setdefault(run.name, {})[(lang, op)] = rp
                info = op_info(dict(manifest), op)
                row = {
                    "model": run.name, "schedule": run.schedule, "seed": run.seed, "lang": lang, "op": op,
                    "family": info["family"], "label_effect": info["label_effect"],
                    "n_ids": cd.n_ids, "n_variants": cd.n_variants,
                    "label_changed": int(np.sum(o.gold != o.orig_gold)),
                }
                for s in M.STATS:
                    row[s] = pt[s]
                    row[s + "_ci"] = list(M.percentile_ci(rp[s], level))
                cells.append(row)

    aggregates = _aggregate(cells, reps, lang_clean, level)
    return Analysis(cells=cells, aggregates=aggregates, replicates=reps, n_boot=n_boot, seed=seed, level=level)


def _mean_reps(items: list[dict[str, np.ndarray]], stat: str) -> np.ndarray:
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (e.g. no correct id) stay NaN
            return np.nanmean(np.stack([r[stat] for r in items]), axis=0)


def _aggregate(cells, reps, lang_clean, level) -> list[dict]:
    out = []
    by_model = defaultdict(list)
    for c in cells:
        by_model[c["model"]].append(c)
    for model, mcells in by_model.items():
        first = mcells[0]
        groups = {
            "lang": defaultdict(list),
            "op": defaultdict(list),
            "family": defaultdict(list),
        }
        for c in mcells:
            groups["lang"][c["lang"]].append(c)
            groups["op"][c["op"]].append(c)
            groups["family"][c["family"]].append(c)
        lang_level = {}
        for level_name, g in groups.items():
            for key in sorted(g):
                members = g[key]
                row = {"model": model, "schedule": first["schedule"], "seed": first["seed"],
                       "level": level_name, "key": key, "n_cells": len(members)}
                mreps = [reps[model][(c["lang"], c["op"])] for c in members]
                agg_reps = {}
                for s in M.STATS:
                    vals = [c[s] for c in members if c[s] is not None and not np.isnan(c[s])]
                    r = _mean_reps(mreps, s)
                    agg_reps[s] = r
                    row[s] = float(np.mean(vals)) if vals else float("nan")
                    row[s + "_ci"] = list(M.percentile_ci(r, level))
                if level_name == "lang":
                    acc, r = lang_clean[model][key]
                    row["acc_clean_all"] = acc
                    row["acc_clean_all_ci"] = list(M.percentile_ci(r, level))
                    lang_level[key] = (row, agg_reps)
                out.append(row)
        # Overall = the average over languages of each language's mean over perturbations.
        if lang_level:
            row = {"model": model, "schedule": first["schedule"], "seed": first["seed"],
                   "level": "overall", "key": "avg", "n_cells": len(mcells)}
            for s in M.STATS:
                vals = [r[s] for r, _ in lang_level.values() if not np.isnan(r[s])]
                row[s] = float(np.mean(vals)) if vals else float("nan")
                row[s + "_ci"] = list(M.percentile_ci(_mean_reps([a for _, a in lang_level.values()], s), level))
            out.append(row)
    # Languages with a clean set but no perturbation still deserve a clean accuracy row.
    for model, per_lang in lang_clean.items():
        seen = {r["key"] for r in out if r["model"] == model and r["level"] == "lang"}
        for lang, (acc, r) in sorted(per_lang.items()):
            if lang not in seen:
                out.append({"model": model, "level": "lang", "key": lang, "n_cells": 0, "acc_clean_all": acc,
                            "acc_clean_all_ci": list(M.percentile_ci(r, level))})
    return out
