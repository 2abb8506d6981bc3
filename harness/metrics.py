"""Degradation metrics as pure numpy functions: per-id statistics of a cell, own-id bootstrap replicates, CIs.

Every metric is a ratio of sums over a cell's ids, so one matrix of resampling counts (replicate x id) gives
all of them at once, and the same resample is shared by the clean and perturbed sides (paired) and by every
model (so differences between models are paired too). All values are fractions in [0, 1] (Δ in [-1, 1]);
reports multiply by 100 and say "pp" (percentage points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STATS = ("acc_clean", "acc_pert", "delta", "rel_delta", "flip_rate", "attack_success", "attack_success_variants",
         "worst_of_k", "follow_rate")

#: Cells with fewer ids get counts only: no interval, no test (a 1- or 2-id "finding" is noise).
DEFAULT_MIN_N = 20


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
    changed: np.ndarray  # number of the id's variants whose gold label the op changed
    follow: np.ndarray  # of those, how many the model predicted as the new gold label
    k: np.ndarray  # variants per id (0 outside the mask)
    n_variants: int

    @property
    def n_ids(self) -> int:
        return int(self.mask.sum())


def cell_data(clean_pred, clean_gold, var_index, var_pred, var_gold, var_orig_gold=None) -> CellData:
    """Build a :class:`CellData`.

    ``var_index[v]`` is the position (in the clean arrays) of variant ``v``'s id; ``var_gold`` is the gold label
    *after* the perturbation, so a label-changing op (negation) is scored against its new label;
    ``var_orig_gold`` (default: ``var_gold``) is the label before it, to tell which variants changed label.
    """
    clean_pred, clean_gold = np.asarray(clean_pred), np.asarray(clean_gold)
    idx = np.asarray(var_index, dtype=np.int64)
    var_pred, var_gold = np.asarray(var_pred), np.asarray(var_gold)
    orig = var_gold if var_orig_gold is None else np.asarray(var_orig_gold)
    n = clean_pred.shape[0]
    if not (idx.shape == var_pred.shape == var_gold.shape == orig.shape):
        raise ValueError("var_index, var_pred, var_gold and var_orig_gold must have the same length")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError("var_index out of range of the clean ids")
    k = np.bincount(idx, minlength=n).astype(np.float64)
    mask = k > 0
    safe_k = np.where(mask, k, 1.0)
    correct = (var_pred == var_gold).astype(np.float64)
    flipped = (var_pred != clean_pred[idx]).astype(np.float64) if idx.size else np.zeros(0)
    changed = (var_gold != orig).astype(np.float64)
    n_correct = np.bincount(idx, weights=correct, minlength=n)
    return CellData(
        mask=mask,
        clean_correct=(clean_pred == clean_gold).astype(np.float64),
        pert_acc=n_correct / safe_k,
        flip=np.bincount(idx, weights=flipped, minlength=n) / safe_k,
        worst=(mask & (n_correct == k)).astype(np.float64),
        changed=np.bincount(idx, weights=changed, minlength=n),
        follow=np.bincount(idx, weights=changed * correct, minlength=n),
        k=k,
        n_variants=int(idx.size),
    )


def _sums(cd: CellData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(numerator, denominator) per id for each ratio statistic; Δ and relative Δ follow from them."""
    m = cd.mask.astype(np.float64)
    cc = cd.clean_correct * m
    return {
        "acc_clean": (cc, m),
        "acc_pert": (cd.pert_acc * m, m),
        "flip_rate": (cd.flip * m, m),
        # Per example: of the ids right before the attack, the share with at least one variant now wrong.
        "attack_success": (cc * (1.0 - cd.worst), cc),
        # Per variant: of those ids, the share of their variants now wrong (equal to the above when k = 1).
        "attack_success_variants": (cc * (1.0 - cd.pert_acc), cc),
        "worst_of_k": (cd.worst * m, m),
        # Label-changing ops: of the variants whose label changed, the share predicted as the new label.
        "follow_rate": (cd.follow * m, cd.changed * m),
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


def id_matrix(cd: CellData, pos: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """(ids) x (numerator, denominator per ratio statistic) matrix, and the statistics' names.

    Rows are the ids at positions ``pos`` (default: the ids in the mask, in clean order).
    """
    pos = np.flatnonzero(cd.mask) if pos is None else pos
    sums = _sums(cd)
    cols = [v[pos] for pair in sums.values() for v in pair]
    return (np.stack(cols, axis=1) if cols else np.zeros((0, 0))), list(sums)


def replicates_from(counts: np.ndarray, mat: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
    """Bootstrap replicates of :data:`STATS` from resampling ``counts`` (B x ids) and an :func:`id_matrix`."""
    return split_replicates(counts @ mat, names, 0)


def split_replicates(sums: np.ndarray, names: list[str], i: int) -> dict[str, np.ndarray]:
    """The :data:`STATS` replicates of the ``i``-th :func:`id_matrix` in resampled column sums (B x columns)."""
    base = 2 * len(names) * i
    return _finish({k: _div(sums[:, base + 2 * j], sums[:, base + 2 * j + 1]) for j, k in enumerate(names)})


def replicates(cd: CellData, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Bootstrap replicates of :data:`STATS`; ``weights`` is (replicates x all clean ids of the language)."""
    mat, names = id_matrix(cd)
    return replicates_from(np.asarray(weights)[:, cd.mask], mat, names)


def uniforms(n_boot: int, n: int, seed: int) -> np.ndarray:
    """(n_boot x n) uniforms that drive every resample of a run (seeded, reproducible)."""
    return np.random.default_rng(seed).random((n_boot, n))


def resample_counts(u: np.ndarray, n: int) -> np.ndarray:
    """(B x n) counts of a bootstrap of ``n`` ids: replicate r draws id floor(u[r, j] * n) for j < n.

    Each cell resamples exactly its own ``n`` ids (never a random number of them), and two cells with the same
    ids get the same resample from the same ``u``, so cells stay coupled the way their ids are.
    """
    b = u.shape[0]
    if n == 0:
        return np.zeros((b, 0))
    if u.shape[1] < n:
        raise ValueError(f"need {n} uniforms per replicate, have {u.shape[1]}")
    idx = np.minimum((u[:, :n] * n).astype(np.int64), n - 1) + (np.arange(b) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)


def bootstrap_weights(n: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot x n) resampling counts of ``n`` ids (seeded, reproducible)."""
    return resample_counts(uniforms(n_boot, n, seed), n)


def percentile_ci(reps: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates, ignoring NaN replicates (a resample with no eligible id)."""
    reps = np.asarray(reps, dtype=np.float64)
    reps = reps[~np.isnan(reps)]
    if reps.size == 0:
        return (float("nan"), float("nan"))
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(reps, [a, 1.0 - a])
    return (float(lo), float(hi))


def nanmean(a: np.ndarray, axis: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Mean over ``axis`` ignoring NaN (all-NaN gives NaN, silently), optionally weighted along ``axis``."""
    a = np.asarray(a, dtype=np.float64)
    ok = ~np.isnan(a)
    w = ok.astype(np.float64)
    if weights is not None:
        shape = [1] * a.ndim
        shape[axis] = -1
        w = w * np.reshape(weights, shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(np.where(ok, a, 0.0) * w, axis=axis) / np.sum(w, axis=axis)


def percentile_cis(reps: np.ndarray, level: float = 0.95) -> np.ndarray:
    """:func:`percentile_ci` of each row of ``reps`` (rows x B) at once: (rows x 2)."""
    reps = np.asarray(reps, dtype=np.float64)
    out = np.full((reps.shape[0], 2), np.nan)
    clean = ~np.isnan(reps).any(axis=1)
    a = (1.0 - level) / 2.0
    if clean.any():
        out[clean] = np.quantile(reps[clean], [a, 1.0 - a], axis=1).T
    for i in np.flatnonzero(~clean):
        out[i] = percentile_ci(reps[i], level)
    return out


def _adjusted(pvalues: Sequence[float], step) -> np.ndarray:
    """p-values adjusted by `step` (ascending p-values -> their adjusted values); NaN stays NaN, not a test."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    out[order] = step(p[order])
    return out


def _holm_step(ps: np.ndarray) -> np.ndarray:
    m, adj, running = ps.size, np.empty_like(ps), 0.0
    for rank in range(m):
        running = max(running, min(1.0, (m - rank) * ps[rank]))
        adj[rank] = running
    return adj


def _bh_step(ps: np.ndarray) -> np.ndarray:
    m, adj, running = ps.size, np.empty_like(ps), 1.0
    for rank in range(m - 1, -1, -1):
        running = min(running, m * ps[rank] / (rank + 1))
        adj[rank] = running
    return adj


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error); NaN stays NaN and does not count as a test."""
    return _adjusted(pvalues, _holm_step)


def bh(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate); NaN stays NaN and does not count."""
    return _adjusted(pvalues, _bh_step)


CORRECTIONS = {"holm": holm, "bh": bh}


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; NaN sd for a single value)."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return (float("nan"), float("nan"))
    return (float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else float("nan"))


def tolerance(*arrays) -> float:
    """What counts as zero for a spread of these values: float rounding relative to their scale."""
    scale = max([1.0] + [float(np.max(np.abs(a))) for a in arrays if np.size(a)])
    return 1e-9 * scale


def welch_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Welch's t-test across seeds, two-sided (NaN with fewer than two values on a side).

    Variances within float rounding of zero count as zero: then identical means give p = 1 and different
    means p = 0 (a perfectly reproducible difference), never a NaN that would leave the correction's family.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size < 2 or b.size < 2:
        return float("nan")
    tol = tolerance(a, b)
    va, vb = (v if np.sqrt(v) > tol else 0.0 for v in (a.var(ddof=1), b.var(ddof=1)))
    diff = float(a.mean() - b.mean())
    se2 = va / a.size + vb / b.size
    if se2 == 0.0:
        return 1.0 if abs(diff) <= tol else 0.0
    from scipy.stats import t as student_t

    df = se2**2 / ((va / a.size) ** 2 / (a.size - 1) + (vb / b.size) ** 2 / (b.size - 1))
    return float(min(1.0, 2.0 * student_t.sf(abs(diff) / np.sqrt(se2), df)))


def multiboot_p(diff: float, reps: np.ndarray, a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided p of "no difference" from multi-bootstrap replicates ``reps`` of a difference of group means.

    The statistic is diff / SE, with SE the replicates' spread (no resampling floor). Its reference is a
    t distribution whose degrees of freedom come from Satterthwaite's formula for the seed part of the variance
    (each group's s²/n from its per-seed values ``a`` and ``b``): when seeds disagree, a few seeds give few
    degrees of freedom (as in Welch's test); when ids dominate, it tends to the normal. A spread within rounding
    of zero means every resample gives the same difference: p = 1 if it is zero, else p = 0.
    """
    reps = np.asarray(reps, dtype=np.float64)
    reps = reps[~np.isnan(reps)]
    if reps.size < 2 or np.isnan(diff):
        return float("nan")
    se = float(reps.std(ddof=1))
    tol = tolerance(reps, [diff])
    if se <= tol:
        return 1.0 if abs(diff) <= tol else 0.0
    parts = [(np.var(v, ddof=1) / len(v), len(v) - 1) for v in (np.asarray(a, float), np.asarray(b, float))
             if len(v) >= 2]
    denom = sum(v**2 / df for v, df in parts)
    from scipy.stats import t as student_t

    df = se**4 / denom if denom > 0 else np.inf
    return float(min(1.0, 2.0 * student_t.sf(abs(diff) / se, df)))
