"""Compares two groups of models (e.g. sequential vs interleaved schedules) cell by cell, with Holm correction."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness import metrics as M
from harness.analysis import Analysis, ModelRun
from harness.errors import ExperimentError


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
    analysis: Analysis,
    runs: Sequence[ModelRun],
    *,
    a: str,
    b: str,
    alpha: float = 0.05,
    metric: str = "delta",
) -> dict:
    """Difference of ``metric`` (default Δ) between groups ``a`` and ``b`` in every (lang, op) cell.

    One model per group: the paired bootstrap over ids is the test. Several seeds per group: each group's
    mean ± sd, Welch's t-test across seeds (the primary test: seed-to-seed variation is usually larger than
    item resampling noise), and the pooled bootstrap (group means per resample) as a second opinion. Holm's
    correction runs over all cells of this comparison; ``significant`` uses the Holm-adjusted p.
    """
    ma, mb = group_members(runs, a), group_members(runs, b)
    overlap = set(ma) & set(mb)
    if overlap:
        raise ExperimentError(f"comparison {a} vs {b}: models in both groups: {sorted(overlap)}")
    primary = "welch" if len(ma) >= 2 and len(mb) >= 2 else "bootstrap"
    point = {(c["model"], c["lang"], c["op"]): c[metric] for c in analysis.cells}
    keys = sorted({(c["lang"], c["op"]) for c in analysis.cells if c["model"] in ma + mb})
    rows = []
    for lang, op in keys:
        have_a = [m for m in ma if (m, lang, op) in point]
        have_b = [m for m in mb if (m, lang, op) in point]
        if not have_a or not have_b:
            continue
        va = [point[(m, lang, op)] for m in have_a]
        vb = [point[(m, lang, op)] for m in have_b]
        mean_a, sd_a = M.mean_sd(va)
        mean_b, sd_b = M.mean_sd(vb)
        ra = np.mean([analysis.replicates[m][(lang, op)][metric] for m in have_a], axis=0)
        rb = np.mean([analysis.replicates[m][(lang, op)][metric] for m in have_b], axis=0)
        diff = mean_a - mean_b
        p_boot = M.bootstrap_p(diff, ra - rb)
        p_welch = M.welch_p(va, vb)
        rows.append({
            "lang": lang, "op": op, "n_a": len(have_a), "n_b": len(have_b),
            "a_mean": mean_a, "a_sd": sd_a, "b_mean": mean_b, "b_sd": sd_b,
            "diff": diff, "diff_ci": list(M.percentile_ci(ra - rb, analysis.level)),
            "p_bootstrap": p_boot, "p_welch": p_welch,
            "p": p_welch if primary == "welch" else p_boot,
        })
    adjusted = M.holm([r["p"] for r in rows])
    for r, q in zip(rows, adjusted):
        r["p_holm"] = float(q)
        r["significant"] = bool(not np.isnan(q) and q < alpha)
    return {
        "a": a, "b": b, "metric": metric, "models_a": ma, "models_b": mb, "primary_test": primary,
        "alpha": alpha, "correction": "holm", "n_tests": int(np.sum(~np.isnan(adjusted))) if rows else 0,
        "cells": rows,
    }
