"""Paired comparison of two groups of attacked models (e.g. two training schedules) on accuracy under attack:
the difference of group means on the same ids, a multi-bootstrap CI (ids and seeds resampled together, as
MultiBERTs), a paired sign-flip test per language (exact where the lattice is small), Holm-corrected."""

from __future__ import annotations

import math

import numpy as np

from harness.metrics import bootstrap_weights, holm, percentile_ci
from harness.significance import seed_resample, signflip_exact_p, signflip_mc_p


def robust_correct(attack_set) -> dict[str, dict[str, int]]:
    """{lang: {id: 1 if still predicted correctly after the attack, else 0}} from a set `xstress attack` wrote."""
    from harness.attackset import read_attack_set

    aset = read_attack_set(attack_set)
    (name,) = aset.manifest["perturbations"]
    return {lang: {r.id: int(not r.attack["skipped"] and not r.attack["success"])
                   for r in aset.rows(lang, name)} for lang in aset.langs}


def compare(models: dict[str, dict], groups: dict[str, str], a: str, b: str, *, n_boot: int = 1000,
            seed: int = 12345, level: float = 0.95, alpha: float = 0.05, n_perm: int = 9999) -> dict:
    """Group `a` minus group `b` (models named by `groups[name]`, or by their own name) per language and overall."""
    ga = [m for m in models if groups.get(m, m) == a or m == a]
    gb = [m for m in models if groups.get(m, m) == b or m == b]
    if not ga or not gb or set(ga) & set(gb):
        raise ValueError(f"cannot compare {a!r} with {b!r}: groups {sorted(set(groups.values()) | set(models))}")
    langs = sorted(set.intersection(*(set(models[m]) for m in ga + gb)))
    rng = np.random.default_rng(seed)
    cells = {lang: _cell(models, ga, gb, [lang], n_boot, seed, level, rng, n_perm) for lang in langs}
    adjusted = holm([c["p"] for c in cells.values()])
    for c, p in zip(cells.values(), adjusted):
        c["p_holm"] = float(p)
        c["significant"] = bool(p < alpha)
    overall = _cell(models, ga, gb, langs, n_boot, seed, level, rng, n_perm)
    return {"a": a, "b": b, "models_a": ga, "models_b": gb, "alpha": alpha, "correction": "holm",
            "by_lang": cells, "overall": overall}


def _cell(models, ga, gb, langs, n_boot, seed, level, rng, n_perm) -> dict:
    ids = [(lang, i) for lang in langs for i in sorted(set.intersection(*(set(models[m][lang]) for m in ga + gb)))]
    ca = np.array([[models[m][lang][i] for lang, i in ids] for m in ga], dtype=float)
    cb = np.array([[models[m][lang][i] for lang, i in ids] for m in gb], dtype=float)
    n = len(ids)
    if n == 0:
        return {"n": 0, "acc_a": None, "acc_b": None, "diff": None, "lo": None, "hi": None, "p": float("nan")}
    e = ca.mean(0) - cb.mean(0)
    w = bootstrap_weights(n, n_boot, seed)
    sa, sb = seed_resample(len(ga), n_boot, rng), seed_resample(len(gb), n_boot, rng)
    reps = np.einsum("rn,rn->r", w, (sa @ ca) / sa.sum(1, keepdims=True) - (sb @ cb) / sb.sum(1, keepdims=True))
    lo, hi = percentile_ci(reps / n, level)
    k = np.full(n, len(ga) * len(gb) // math.gcd(len(ga), len(gb)))
    p = signflip_exact_p(e, k)
    if p is None:
        p = float(signflip_mc_p(e[:, None], n_perm=n_perm, seed=seed)[0])
    return {"n": n, "acc_a": float(ca.mean()), "acc_b": float(cb.mean()), "diff": float(e.mean()),
            "lo": lo, "hi": hi, "p": float(p)}


def markdown(comp: dict, level: float) -> str:
    """The comparison as a table (percentage points, CI, raw and Holm-adjusted p)."""
    lines = [f"# Accuracy under attack: {comp['a']} ({', '.join(comp['models_a'])}) vs {comp['b']} "
             f"({', '.join(comp['models_b'])})", "",
             f"Difference of group means on the same ids ({comp['a']} − {comp['b']}, pp), {level:.0%} "
             "multi-bootstrap CI (ids and seeds), paired sign-flip test, Holm over languages at "
             f"α = {comp['alpha']}.", "", f"| lang | n | {comp['a']} % | {comp['b']} % | Δ pp [CI] | p | p (Holm) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    rows = list(comp["by_lang"].items()) + [("all", comp["overall"])]
    for lang, c in rows:
        if not c["n"]:
            continue
        mark = " *" if c.get("significant") else ""
        lines.append(f"| {lang} | {c['n']} | {100 * c['acc_a']:.1f} | {100 * c['acc_b']:.1f} | "
                     f"{100 * c['diff']:+.1f} [{100 * c['lo']:+.1f}, {100 * c['hi']:+.1f}]{mark} | {c['p']:.3g} | "
                     f"{c.get('p_holm', float('nan')):.3g} |")
    return "\n".join(lines) + "\n"
