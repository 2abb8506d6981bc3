"""Tests of a difference between two groups of models: exact and Monte Carlo paired sign-flip tests, the
multi-bootstrap over seeds and ids, and the number of permutations a family of tests needs."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

#: Exact sign-flip distributions up to this many lattice points; larger ones fall back to Monte Carlo.
MAX_LATTICE = 4_000_000


def permutations_needed(n_tests: int, alpha: float, *, margin: float = 10.0) -> int:
    """Monte Carlo permutations so that the floor 1/(B+1), times ``n_tests`` (Holm/Bonferroni at its
    strictest), is ``margin`` times below ``alpha``; rounded up to a multiple of 1,000, minus one."""
    need = math.ceil(margin * max(1, n_tests) / alpha)
    return max(999, math.ceil(need / 1000) * 1000 - 1)


def can_reach(n_tests: int, alpha: float, floor: float) -> bool:
    """Whether a p at ``floor`` survives Holm/Bonferroni over ``n_tests`` tests at level ``alpha``."""
    return floor * max(1, n_tests) < alpha


def _lattice(e: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, int] | None:
    """``e`` as integers on the lattice 1/L (L = lcm of the ids' variant counts ``k``), or None if too large."""
    ks = np.unique(k[k > 0]).astype(np.int64)
    lcm = 1
    for x in ks:
        lcm = lcm * int(x) // math.gcd(lcm, int(x))
    v = np.rint(np.abs(e) * lcm).astype(np.int64)
    if not np.allclose(v, np.abs(e) * lcm, atol=1e-6) or 2 * int(v.sum()) + 1 > MAX_LATTICE:
        return None
    return v, lcm


def signflip_exact_p(e: np.ndarray, k: np.ndarray) -> float | None:
    """Exact two-sided p of the paired sign-flip (permutation) test that the mean of ``e`` is zero.

    ``e[i]`` is model A's minus model B's per-id value; under the null each id's two models are exchangeable,
    so the sum of ``e`` is as likely as the sum with any signs flipped. The values are multiples of 1/k (k
    variants per id), so the null distribution is a convolution of binomials on an integer lattice and the
    p-value is exact (no resampling floor). For binary outcomes this is the exact McNemar test on the
    discordant pairs. None when the lattice would be too large (the caller then uses Monte Carlo).
    """
    e = np.asarray(e, dtype=np.float64)
    lat = _lattice(e, np.asarray(k))
    if lat is None:
        return None
    v, lcm = lat
    obs = abs(int(np.rint(e.sum() * lcm)))
    vals, counts = np.unique(v[v > 0], return_counts=True)
    if vals.size == 0:
        return 1.0
    from scipy.signal import fftconvolve
    from scipy.stats import binom

    pmf = np.ones(1)
    for val, c in zip(vals, counts):
        part = np.zeros(2 * int(val) * int(c) + 1)
        part[:: 2 * int(val)] = binom.pmf(np.arange(c + 1), c, 0.5)
        pmf = np.convolve(pmf, part) if pmf.size * part.size < 2e7 else fftconvolve(pmf, part)
    pmf = np.clip(pmf, 0.0, None)
    centre = (pmf.size - 1) // 2
    s = np.arange(pmf.size) - centre
    p = float(pmf[np.abs(s) >= obs].sum() / pmf.sum())
    return min(1.0, p)


def signflip_mc_p(contrib: np.ndarray, *, n_perm: int, seed: int, chunk_elems: int = 2_000_000) -> np.ndarray:
    """Monte Carlo two-sided p for each column of ``contrib`` (units x tests): its sum vs sign-flipped sums.

    One draw of signs per unit is shared by all tests (so their p-values are computed on the same
    permutations); p = (1 + #{|flipped| >= |observed|}) / (1 + n_perm), never below 1/(n_perm + 1).
    Signs are drawn in chunks, so memory stays at about ``chunk_elems`` floats whatever ``n_perm``.
    """
    contrib = np.asarray(contrib, dtype=np.float64)
    n_units, n_tests = contrib.shape
    obs = np.abs(contrib.sum(axis=0))
    tol = 1e-9 * np.maximum(1.0, obs)
    hits = np.zeros(n_tests, dtype=np.int64)
    rng = np.random.default_rng(seed)
    rows = max(1, chunk_elems // max(1, n_units))
    done = 0
    while done < n_perm:
        r = min(rows, n_perm - done)
        signs = np.where(rng.random((r, n_units)) < 0.5, -1.0, 1.0)
        hits += np.sum(np.abs(signs @ contrib) >= obs - tol, axis=0)
        done += r
    return (1.0 + hits) / (1.0 + n_perm)


def seed_resample(n_models: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot x n_models) how often each seed is drawn in each replicate (resampled with replacement)."""
    if n_models == 1:
        return np.ones((n_boot, 1))
    draws = rng.integers(0, n_models, size=(n_boot, n_models))
    return np.stack([np.bincount(d, minlength=n_models) for d in draws]).astype(np.float64)


def group_replicates(reps: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Multi-bootstrap replicates of a group mean: ``reps`` (models x B, already id-resampled) and ``seeds``
    (B x models, from :func:`seed_resample`).

    The resampled seeds' mean is pulled from the replicate's all-seed mean by sqrt(n/(n-1)), so the seed part
    of the variance is the unbiased s²/n instead of the plain bootstrap's (n-1)/n of it (which matters with the
    3-5 seeds usual here).
    """
    n = reps.shape[0]
    full = reps.mean(axis=0)
    if n == 1:
        return full
    drawn = np.einsum("bm,mb->b", seeds, reps) / n
    return full + math.sqrt(n / (n - 1)) * (drawn - full)


def fraction_str(p: float, floor: float | None) -> str:
    """A p-value for display: "< 1/N" at a resampling floor, "< 0.0001" for tiny exact values."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    if floor is not None and p <= floor * (1 + 1e-9):
        return f"< 1/{Fraction(floor).limit_denominator(10**9).denominator}"
    if p < 1e-4:
        return "< 0.0001"
    return f"{p:.2g}" if p < 0.01 else f"{p:.3f}"
