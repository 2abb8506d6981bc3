"""Compares two groups of models (e.g. sequential vs interleaved schedules): a few primary tests per family and
per language, and exploratory per-cell tests, each family of tests with its own multiple-testing correction.

The test follows the design. One model per group: a paired sign-flip (permutation) test on the same ids, exact
for a cell, Monte Carlo with enough permutations for the primary family. Several seeds in a group: the
multi-bootstrap of Sellam et al. 2021 (seeds and ids resampled jointly), p from its standard error
against a t distribution whose degrees of freedom reflect the number of seeds. Welch's
t-test across seeds is a secondary figure only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from harness import metrics as M
from harness import significance as S
from harness.analysis import Analysis, ModelRun
from harness.errors import ExperimentError

#: Per-id values whose mean is the cell's metric (the permutation test flips them between the two models).
PER_ID = {
    "delta": lambda cd: cd.pert_acc - cd.clean_correct,
    "acc_pert": lambda cd: cd.pert_acc,
    "acc_clean": lambda cd: cd.clean_correct,
    "flip_rate": lambda cd: cd.flip,
    "worst_of_k": lambda cd: cd.worst,
}


def group_members(runs: Sequence[ModelRun], name: str) -> list[str]:
    """Models whose schedule is ``name``; failing that, the model called ``name`` (compare two single models)."""
    by_schedule = [r.name for r in runs if r.schedule == name]
    if by_schedule:
        return by_schedule
    by_name = [r.name for r in runs if r.name == name]
    if by_name:
        return by_name
    known = sorted({r.schedule for r in runs if r.schedule} | {r.name for r in runs})
    raise ExperimentError(f"comparison group {name!r} matches no schedule or model; known: {', '.join(known)}")


def compare(
    analysis: Analysis, runs: Sequence[ModelRun], *, a: str, b: str, alpha: float = 0.05, metric: str = "delta",
    correction: str = "holm", n_perm: int | None = None,
) -> dict:
    """Difference of ``metric`` (default Δ, a fraction) between groups ``a`` and ``b``: group A − group B.

    Primary tests: one per family and one per language, each on the unweighted mean of the metric over its
    cells (languages x perturbations with at least ``analysis.min_n`` ids). Exploratory tests: one per such
    cell. ``correction`` (``holm`` or ``bh``) decides ``significant``; both adjusted p-values are reported.
    ``n_perm`` (Monte Carlo permutations, one model per group) defaults to enough for the primary family.
    """
    if correction not in M.CORRECTIONS:
        raise ValueError(f"correction must be one of {sorted(M.CORRECTIONS)}, got {correction!r}")
    ma, mb = group_members(runs, a), group_members(runs, b)
    overlap = set(ma) & set(mb)
    if overlap:
        raise ExperimentError(f"comparison {a} vs {b}: models in both groups: {sorted(overlap)}")
    design = "permutation" if len(ma) == 1 and len(mb) == 1 and metric in PER_ID else "multi-bootstrap"
    ctx = _Context(analysis, runs, ma, mb, metric)
    tests = _tests(analysis, ctx)
    n_primary = sum(1 for t in tests if t["scope"] != "cell")
    n_perm = n_perm or S.permutations_needed(n_primary, alpha)
    _point_and_ci(ctx, tests)
    _pvalues(ctx, tests, design, n_perm)
    warnings = _warnings(design, ma, mb, n_primary, n_perm, alpha, tests)
    primary = [t for t in tests if t["scope"] != "cell"]
    cells = [t for t in tests if t["scope"] == "cell"]
    for family in (primary, cells):
        _correct(family, alpha, correction)
    for t in tests:
        del t["cells"]  # indices into this run's cell list: meaningless outside it
    return {
        "a": a, "b": b, "metric": metric, "units": "fraction (×100 = percentage points)",
        "models_a": ma, "models_b": mb, "primary_test": design, "secondary_test": "welch" if
        min(len(ma), len(mb)) >= 2 else None, "alpha": alpha, "correction": correction, "min_n": analysis.min_n,
        "n_perm": n_perm if design == "permutation" else None, "n_boot": analysis.n_boot,
        "estimand": "unweighted mean over cells (each language x perturbation cell counts once)",
        "primary": primary, "n_primary_tests": sum(t["p"] is not None for t in primary),
        "cells": cells, "n_tests": sum(t["p"] is not None for t in cells), "warnings": warnings,
    }


class _Context:
    """What every test of one comparison needs: member indices, eligible cells, replicates, point values."""

    def __init__(self, analysis: Analysis, runs, ma, mb, metric):
        self.analysis, self.runs, self.metric = analysis, {r.name: r for r in runs}, metric
        self.ia = [analysis.models.index(m) for m in ma]
        self.ib = [analysis.models.index(m) for m in mb]
        self.point = {(c["model"], c["lang"], c["op"]): c for c in analysis.cells}
        self.ma, self.mb = ma, mb


def _tests(analysis: Analysis, ctx: _Context) -> list[dict]:
    """One row per cell present in both groups, plus the primary family/language aggregates of eligible ones."""
    cells, fam_of = [], {}
    for j, (lang, op) in enumerate(analysis.keys):
        rows = [ctx.point.get((m, lang, op)) for m in ctx.ma + ctx.mb]
        if any(r is None for r in rows):
            continue
        fam_of[j] = rows[0]["family"]
        cells.append({"scope": "cell", "key": f"{lang} {op}", "lang": lang, "op": op, "family": rows[0]["family"],
                      "cells": [j], "n_cells": 1, "n_ids": int(analysis.n_ids[j]),
                      "too_small": bool(analysis.n_ids[j] < analysis.min_n)})
    ok = [c["cells"][0] for c in cells if not c["too_small"]]
    groups = defaultdict(list)
    for j in ok:
        groups[("family", fam_of[j])].append(j)
        groups[("lang", analysis.keys[j][0])].append(j)
    primary = [{"scope": scope, "key": key, "cells": js, "n_cells": len(js),
                "n_ids": int(sum(analysis.n_ids[j] for j in js)), "too_small": False}
               for (scope, key), js in sorted(groups.items())]
    return primary + cells


def _model_values(ctx: _Context, idx: list[int], js: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per model: its point metric averaged over cells ``js`` (models,), and its replicates (models x B)."""
    an = ctx.analysis
    names = [an.models[i] for i in idx]
    pts = np.array([[ctx.point[(m, *an.keys[j])][ctx.metric] for j in js] for m in names], dtype=np.float64)
    reps = an.reps[ctx.metric][np.ix_(idx, js)]  # models x cells x B
    return M.nanmean(pts, 1), M.nanmean(reps, 1)


def _point_and_ci(ctx: _Context, tests: list[dict]) -> None:
    an = ctx.analysis
    rng = np.random.default_rng([an.seed, 2021])
    seeds_a = S.seed_resample(len(ctx.ia), an.n_boot, rng)
    seeds_b = S.seed_resample(len(ctx.ib), an.n_boot, rng)
    for t in tests:
        va, ra = _model_values(ctx, ctx.ia, t["cells"])
        vb, rb = _model_values(ctx, ctx.ib, t["cells"])
        (t["a_mean"], t["a_sd"]), (t["b_mean"], t["b_sd"]) = M.mean_sd(va), M.mean_sd(vb)
        t["a_values"], t["b_values"] = [float(x) for x in va], [float(x) for x in vb]
        t["diff"] = t["a_mean"] - t["b_mean"]
        t["p_welch"] = None if t["too_small"] else _none(M.welch_p(va, vb))
        if t["too_small"]:
            t["diff_ci"], t["_reps"] = None, None
            continue
        reps = S.group_replicates(ra, seeds_a) - S.group_replicates(rb, seeds_b)
        t["diff_ci"] = list(M.percentile_ci(reps, an.level))
        t["_reps"] = reps


def _per_id(ctx: _Context, model: str, j: int):
    lang, op = ctx.analysis.keys[j]
    lp = ctx.runs[model].predictions[lang]
    o = lp.ops[op]
    cd = M.cell_data(lp.pred, lp.gold, o.index, o.pred, o.gold, o.orig_gold)
    return PER_ID[ctx.metric](cd), cd.mask, cd.k


def _pvalues(ctx: _Context, tests: list[dict], design: str, n_perm: int) -> None:
    """p per test: exact sign-flip for cells and Monte Carlo sign-flip for aggregates (one model per group),
    otherwise the multi-bootstrap's normal p."""
    for t in tests:
        reps = t.pop("_reps")
        t["p_floor"], t["p"], t["p_method"] = None, None, None
        if design == "multi-bootstrap" and reps is not None:
            t["p"] = _none(M.multiboot_p(t["diff"], reps, t["a_values"], t["b_values"]))
            t["p_method"] = "multi-bootstrap SE, t (Satterthwaite df)"
    if design != "permutation":
        return
    e_cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for t in tests:
        for j in t["cells"] if not t["too_small"] else ():
            if j not in e_cache:
                da, mask, k = _per_id(ctx, ctx.ma[0], j)
                db, _, _ = _per_id(ctx, ctx.mb[0], j)
                e_cache[j] = ((da - db)[mask], mask, k[mask])
    for t in (t for t in tests if t["scope"] == "cell" and not t["too_small"]):
        e, _, k = e_cache[t["cells"][0]]
        p = S.signflip_exact_p(e, k)
        if p is None:
            p = float(S.signflip_mc_p(e[:, None], n_perm=n_perm, seed=ctx.analysis.seed)[0])
            t["p_floor"] = 1.0 / (n_perm + 1)
        t["p"], t["p_method"] = p, "exact sign-flip" if t["p_floor"] is None else "Monte Carlo sign-flip"
    _primary_mc(ctx, [t for t in tests if t["scope"] != "cell"], e_cache, n_perm)


def _primary_mc(ctx: _Context, primary: list[dict], e_cache, n_perm: int) -> None:
    """Monte Carlo sign-flip of each aggregate: a unit is one (language, id), flipped in all its cells at once."""
    if not primary:
        return
    keys = ctx.analysis.keys
    langs = sorted({keys[j][0] for t in primary for j in t["cells"]})
    blocks = []
    for lang in langs:
        n_lang = len(ctx.runs[ctx.ma[0]].predictions[lang].ids)
        block = np.zeros((n_lang, len(primary)))
        for col, t in enumerate(primary):
            for j in (j for j in t["cells"] if keys[j][0] == lang):
                e, mask, _ = e_cache[j]
                block[mask, col] += e / (mask.sum() * len(t["cells"]))
        blocks.append(block)
    p = S.signflip_mc_p(np.vstack(blocks), n_perm=n_perm, seed=ctx.analysis.seed)
    for t, q in zip(primary, p):
        t["p"], t["p_floor"], t["p_method"] = float(q), 1.0 / (n_perm + 1), "Monte Carlo sign-flip"


def _correct(family: list[dict], alpha: float, correction: str) -> None:
    p = [np.nan if t["p"] is None else t["p"] for t in family]
    adj = {name: fn(p) for name, fn in M.CORRECTIONS.items()}
    for i, t in enumerate(family):
        t["p_holm"], t["p_bh"] = _none(adj["holm"][i]), _none(adj["bh"][i])
        t["p_adj"] = t["p_" + correction]
        t["significant"] = t["p_adj"] is not None and t["p_adj"] < alpha


def _warnings(design, ma, mb, n_primary, n_perm, alpha, tests) -> list[str]:
    out = []
    if design == "permutation" and not S.can_reach(n_primary, alpha, 1.0 / (n_perm + 1)):
        out.append(f"{n_perm} permutations cannot reach significance over {n_primary} primary tests at "
                   f"alpha={alpha} (floor 1/{n_perm + 1}); use at least {S.permutations_needed(n_primary, alpha)}")
    if design == "multi-bootstrap" and min(len(ma), len(mb)) < 3:
        out.append(f"{min(len(ma), len(mb))} seed(s) in a group: seed-to-seed variation is poorly estimated; "
                   "use 3 or more seeds per group")
    if not any(t["p"] is not None for t in tests):
        out.append("no cell has enough ids for a test")
    return out


def _none(x):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)
