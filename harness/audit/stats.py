"""Wilson score intervals and the verdict vocabulary shared by the sheet writer and the tally."""
from __future__ import annotations

import math

# The answers a reviewer may give (the 2026-12-03 audit's vocabulary). Rates exclude orig_wrong and unsure.
LABEL_VALUES = ("yes", "no", "orig_wrong", "unsure")
TEXT_VALUES = ("yes", "no", "unsure")

# What the README calls good rates: label right for every op, and text acceptable for label-changing ones
# (a logic edit that reads badly is a different test; a typo op's text is meant to be noisy).
TARGET_LABEL = {"map": 0.90, "preserve": 0.95}
TARGET_TEXT = {"map": 0.90}

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials (None when n == 0).

    Wilson rather than the normal approximation: audits have few items per cell and rates near 100 %,
    where the normal interval leaves [0, 1] or collapses to a point."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(k: int, n: int) -> dict:
    """``{"k", "n", "rate", "ci"}`` for k of n (rate and ci None when n == 0)."""
    ci = wilson(k, n)
    return {"k": k, "n": n, "rate": k / n if n else None, "ci": list(ci) if ci else None}
