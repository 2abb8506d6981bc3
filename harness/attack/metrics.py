"""Attack metrics as pure functions of the per-example records: accuracy under attack, success rate, queries,
edited share, and success-vs-budget curves per language, with seeded bootstrap CIs (harness.metrics resampling).

Curves are exact, not re-run: every search asks its queries in a fixed order and only ever cuts a round to the
budget, so a run with budget b asks exactly the first b queries of a run with a larger budget, and an example
is broken at budget b iff its first wrong prediction came at query number <= b.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.metrics import bootstrap_weights, percentile_ci


def budgets(budget: int) -> list[int]:
    """The curve's budgets: 1, 2, 5, 10, 20, 50, … below `budget`, and `budget`."""
    out, k = [], 0
    while True:
        b = (1, 2, 5)[k % 3] * 10 ** (k // 3)
        if b >= budget:
            return out + [budget]
        out.append(b)
        k += 1


def columns(rows: Sequence) -> dict[str, np.ndarray]:
    """Per-example arrays from adversarial rows' `attack` records (perturb.rows.AttackRow)."""
    a = [r.attack for r in rows]
    first = np.array([x["first_success"] if x["first_success"] is not None else np.inf for x in a], dtype=float)
    return {
        "first": first,
        "skipped": np.array([x["skipped"] for x in a], dtype=bool),
        "success": np.array([x["success"] for x in a], dtype=bool),
        "queries": np.array([x["queries"] for x in a], dtype=float),
        "share": np.array([x["words_edited"] / x["words"] if x["words"] else 0.0 for x in a], dtype=float),
    }


def _ratio(w: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w @ num.astype(float)) / (w @ den.astype(float))


def summarise(cols: dict, *, budget: int, n_boot: int, seed: int, level: float) -> dict:
    """Point values and CIs of one group of examples (a language, or all)."""
    n = len(cols["first"])
    attacked = ~cols["skipped"]
    ok = cols["success"]
    w = bootstrap_weights(n, n_boot, seed) if n else np.zeros((n_boot, 0))
    ones = np.ones(n, dtype=bool)
    out = {"n": int(n), "attacked": int(attacked.sum()), "succeeded": int(ok.sum()),
           "acc_clean": _stat(w, attacked, ones, level),
           "acc_attack": _stat(w, attacked & ~ok, ones, level),
           "success_rate": _stat(w, ok, attacked, level),
           "queries_mean": float(cols["queries"][attacked].mean()) if attacked.any() else None,
           "queries_median": float(np.median(cols["queries"][attacked])) if attacked.any() else None,
           "share_mean": float(cols["share"][ok].mean()) if ok.any() else None}
    out["curve"] = [{"budget": b, "success_rate": _stat(w, attacked & (cols["first"] <= b), attacked, level),
                     "acc_attack": _stat(w, attacked & (cols["first"] > b), ones, level)} for b in budgets(budget)]
    return out


def _stat(w: np.ndarray, num: np.ndarray, den: np.ndarray, level: float) -> dict:
    """{value, lo, hi} of sum(num)/sum(den) and its bootstrap percentile interval (None when den is empty)."""
    if not den.any():
        return {"value": None, "lo": None, "hi": None}
    lo, hi = percentile_ci(_ratio(w, num, den), level)
    return {"value": float(num.sum() / den.sum()), "lo": lo, "hi": hi}


def by_language(rows_by_lang: dict[str, list], *, budget: int, n_boot: int, seed: int, level: float) -> dict:
    """{lang: summary, ..., "all": summary over every language}."""
    out = {}
    every = []
    for lang in sorted(rows_by_lang):
        every.extend(rows_by_lang[lang])
        out[lang] = summarise(columns(rows_by_lang[lang]), budget=budget, n_boot=n_boot, seed=seed, level=level)
    out["all"] = summarise(columns(every), budget=budget, n_boot=n_boot, seed=seed, level=level)
    return out
