"""Degradation metrics as pure numpy functions: paired per-id statistics, seeded bootstrap CIs, Holm correction.

Every metric is a ratio of sums over ids, so one matrix of bootstrap weights (replicate x id) gives all of them
for every cell at once, and the same resample is shared by clean and perturbed sides (paired) and by the models
being compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STATS = ("acc_clean", "acc_pert", "delta", "rel_delta", "flip_rate", "attack_success", "worst_of_k")


def accuracy(pred: Sequence[int], gold: Sequence[int]) -> float:
    """Share of ``pred == gold`` (NaN for no examples)."""
    pred, gold = np.asarray(pred), np.asarray(gold)
    return float(np.mean(pred == gold)) if pred.size else float("nan")


@dataclass(frozen=True)
class CellData:
    """Per-id arrays for one (model, language, perturbation) cell, indexed like the language's clean ids.

    ``mask`` marks ids with at least one variant; only those enter any statistic, so clean and perturbed
    accuracy are always measured on the same ids. Variant-level values are averaged within an id first, so
    every id weighs the same whatever its number of variants (and the bootstrap resamples ids, not variants).
    """

    mask: np.ndarray  # bool: id has >= 1 variant
    clean_correct: np.ndarray  # 0/1
    pert_acc: np.ndarray  # mean over the id's variants of (pred == gold after perturbation)
    flip: np.ndarray  # mean over variants of (pred != the id's clean pred)
    worst: np.ndarray  # 1 if every variant of the id is correct (worst-of-k)
    n_variants: int

    @property
    def n_ids(self) -> int:
        return int(self.mask.sum())


def cell_data(clean_pred, clean_gold, var_index, var_pred, var_gold) -> CellData:
    """Build a :class:`CellData`.

    ``var_index[v]`` is the position (in the clean arrays) of variant ``v``'s id; ``var_gold`` is the gold label
    *after* the perturbation, so a label-changing op (negation) is scored against its new label.
    """
    clean_pred, clean_gold = np.asarray(clean_pred), np.asarray(clean_gold)
    idx = np.asarray(var_index, dtype=np.int64)
    var_pred, var_gold = np.asarray(var_pred), np.asarray(var_gold)
    n = clean_pred.shape[0]
    if not (idx.shape == var_pred.shape == var_gold.shape):
        raise ValueError("var_index, var_pred and var_gold must have the same length")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError("var_index out of range of the clean ids")
    k = np.bincount(idx, minlength=n).astype(np.float64)
    mask = k > 0
    safe_k = np.where(mask, k, 1.0)
    correct = (var_pred == var_gold).astype(np.float64)
    flipped = (var_pred != clean_pred[idx]).astype(np.float64) if idx.size else np.zeros(0)
    n_correct = np.bincount(idx, weights=correct, minlength=n)
    return CellData(
        mask=mask,
        clean_correct=(clean_pred == clean_gold).astype(np.float64),
        pert_acc=n_correct / safe_k,
        flip=np.bincount(idx, weights=flipped, minlength=n) / safe_k,
        worst=(mask & (n_correct == k)).astype(np.float64),
        n_variants=int(idx.size),
    )


def _sums(cd: CellData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    m = cd.mask.astype(np.float64)
    cc = cd.clean_correct * m
    return {
        "acc_clean": (cc, m),
        "acc_pert": (cd.pert_acc * m, m),
        "flip_rate": (cd.flip * m, m),
        # Of the ids the model got right before the attack, the share of their variants it now gets wrong.
        "attack_success": (cc * (1.0 - cd.pert_acc), cc),
        "worst_of_k": (cd.worst * m, m),
    }


def _div(a, b):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def _finish(r: dict) -> dict:
    r["delta"] = r["acc_pert"] - r["acc_clean"]
    r["rel_delta"] = _div(r["delta"], r["acc_clean"])
    return r


def point(cd: CellData) -> dict[str, float]:
    """Point estimates of :data:`STATS` for one cell."""
    r = {k: _div(np.sum(a), np.sum(b)) for k, (a, b) in _sums(cd).items()}
    return {k: float(v) for k, v in _finish(r).items()}


def replicates(cd: CellData, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Bootstrap replicates of :data:`STATS`; ``weights`` is (replicates x ids), e.g. from :func:`bootstrap_weights`."""
    return _finish({k: _div(weights @ a, weights @ b) for k, (a, b) in _sums(cd).items()})


def bootstrap_weights(n: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot x n) resampling counts: row r says how often each id appears in resample r (seeded, reproducible)."""
    rng = np.random.default_rng(seed)
    w = np.empty((n_boot, n), dtype=np.float64)
    for r in range(n_boot):
        w[r] = np.bincount(rng.integers(0, n, size=n), minlength=n) if n else 0
    return w


def percentile_ci(reps: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates, ignoring NaN replicates (a resample with no eligible id)."""
    reps = np.asarray(reps, dtype=np.float64)
    reps = reps[~np.isnan(reps)]
    if reps.size == 0:
        return (float("nan"), float("nan"))
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(reps, [a, 1.0 - a])
    return (float(lo), float(hi))


def bootstrap_p(observed: float, reps: np.ndarray) -> float:
    """Two-sided p-value for "no difference" from paired-bootstrap replicates of a difference.

    The replicates are centred on the observed value to simulate the null (sacrebleu's paired bootstrap does
    the same); p = (1 + #{|rep - observed| >= |observed|}) / (1 + B), never exactly 0.
    """
    reps = np.asarray(reps, dtype=np.float64)
    reps = reps[~np.isnan(reps)]
    if reps.size == 0 or np.isnan(observed):
        return float("nan")
    extreme = np.sum(np.abs(reps - observed) >= abs(observed) - 1e-12)
    return float((1 + extreme) / (1 + reps.size))


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values (NaN stays NaN and does not count as a test)."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; NaN sd for a single value)."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return (float("nan"), float("nan"))
    return (float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else float("nan"))


def welch_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Welch's t-test p-value across seeds (NaN with fewer than two values per side or no variance)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size < 2 or b.size < 2 or (np.var(a) == 0 and np.var(b) == 0):
        return float("nan")
    from scipy.stats import ttest_ind

    return float(ttest_ind(a, b, equal_var=False).pvalue)
