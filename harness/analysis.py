"""Turns per-model predictions into metric cells (model x lang x op) and aggregates, with shared bootstrap replicates.

Every cell resamples its own ids in every replicate (a stratified bootstrap), driven by one matrix of uniforms
shared by all cells and models: differences between models are paired, cells with the same ids get the same
resample, and an aggregate's replicate always holds every one of its cells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from harness import metrics as M
from harness.attackset import op_info
from harness.collect import LangPredictions
from perturb.schema import parallel_key

LEVELS = ("lang", "op", "family", "overall")


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
    """Point estimates with CIs (JSON-ready rows) plus the replicates compare.py needs (kept in memory only).

    ``reps[stat]`` is (models x cells x B), indexed by ``models`` and ``keys`` ((lang, op) pairs); it is
    NaN where a model lacks the cell or the cell has fewer than ``min_n`` ids.
    """

    cells: list[dict]
    aggregates: list[dict]
    models: list[str]
    keys: list[tuple[str, str]]
    n_ids: np.ndarray  # per key
    reps: dict[str, np.ndarray]
    n_boot: int
    seed: int
    level: float
    min_n: int

    def cell_reps(self, model: str, key: tuple[str, str], stat: str = "delta") -> np.ndarray:
        return self.reps[stat][self.models.index(model), self.keys.index(key)]


def _universe(runs: Sequence[ModelRun]) -> dict[str, int]:
    base = runs[0].predictions
    for run in runs[1:]:
        if sorted(run.predictions) != sorted(base):
            raise ValueError(f"{run.name}: languages differ from {runs[0].name}'s; models must see the same set")
        for lang, lp in run.predictions.items():
            if lp.ids != base[lang].ids:
                raise ValueError(f"{run.name}: ids of {lang} differ from {runs[0].name}'s; "
                                 "models must see the same set")
    keys = sorted({parallel_key(i) for lp in base.values() for i in lp.ids})
    return {k: n for n, k in enumerate(keys)}


def analyse(
    runs: Sequence[ModelRun], *, manifest: Mapping, n_boot: int = 1000, seed: int = 12345, level: float = 0.95,
    min_n: int = M.DEFAULT_MIN_N,
) -> Analysis:
    """Metrics for every (model, lang, op) with bootstrap CIs, and per-lang/op/family/overall aggregates.

    Cells with fewer than ``min_n`` ids keep their point estimates and counts but get no interval, no test,
    and stay out of the aggregates.
    """
    if not runs:
        raise ValueError("nothing to analyse")
    if n_boot < 2:
        raise ValueError(f"n_boot must be at least 2, got {n_boot}")
    where = _universe(runs)
    # float32 uniforms: floor(u * n) resolves ids well past any XNLI size, at half the memory.
    u = M.uniforms(n_boot, len(where), seed).astype(np.float32)
    base = runs[0].predictions
    keys = [(lang, op) for lang in sorted(base) for op in sorted({o for r in runs for o in r.predictions[lang].ops})]
    models = [r.name for r in runs]
    reps = {s: np.full((len(runs), len(keys), n_boot), np.nan) for s in M.STATS}
    cells, n_ids, lang_clean = [], np.zeros(len(keys), dtype=np.int64), defaultdict(dict)
    for lang in sorted(base):
        order = np.argsort([where[parallel_key(i)] for i in base[lang].ids], kind="stable")
        counts_cache: dict[bytes, np.ndarray] = {}
        _clean_rows(runs, lang, order, u, level, lang_clean)
        for j, (klang, op) in enumerate(keys):
            if klang != lang:
                continue
            rows, n = _cell(runs, lang, op, j, order, u, reps, counts_cache, manifest, level, min_n)
            n_ids[j] = n
            cells += rows
    aggregates = _aggregate(cells, models, keys, reps, lang_clean, level)
    return Analysis(cells=cells, aggregates=aggregates, models=models, keys=keys, n_ids=n_ids, reps=reps,
                    n_boot=n_boot, seed=seed, level=level, min_n=min_n)


#: Resampling counts are built at most this many (replicate, id) entries at a time (64 MB of float64), so a
#: large ``n_boot`` never materialises a B x N matrix at once.
CHUNK_ELEMS = 8_000_000


def _resampled_sums(pos: np.ndarray, mat: np.ndarray, u: np.ndarray, cache: dict) -> np.ndarray:
    """(B x columns) sums of ``mat``'s rows over each replicate's own-id resample of the ids ``pos``.

    One count matrix is kept while consecutive cells share their ids (usually every op of a language); when it
    would be too large, the replicates are done in chunks instead.
    """
    b, n = u.shape[0], pos.size
    key = pos.tobytes()
    if key in cache:
        return cache[key] @ mat
    rows = max(1, CHUNK_ELEMS // max(1, n))
    if rows >= b:
        cache.clear()
        cache[key] = M.resample_counts(u, n)
        return cache[key] @ mat
    out = np.empty((b, mat.shape[1]))
    for start in range(0, b, rows):
        out[start:start + rows] = M.resample_counts(u[start:start + rows], n) @ mat
    return out


def _clean_rows(runs, lang, order, u, level, lang_clean) -> None:
    ones = np.ones((order.size, 1))
    for run in runs:
        lp = run.predictions[lang]
        cc = (lp.pred == lp.gold).astype(np.float64)[order]
        s = _resampled_sums(np.arange(order.size), np.hstack([cc[:, None], ones]), u, {})
        lang_clean[run.name][lang] = (float(cc.mean()) if cc.size else float("nan"), M._div(s[:, 0], s[:, 1]),
                                      int(cc.size))


def _cell(runs, lang, op, j, order, u, reps, cache, manifest, level, min_n) -> tuple[list[dict], int]:
    info = op_info(dict(manifest), op)
    rows, mats, ms, n = [], [], [], 0
    for m, run in enumerate(runs):
        lp = run.predictions[lang]
        if op not in lp.ops:
            continue
        o = lp.ops[op]
        cd = M.cell_data(lp.pred, lp.gold, o.index, o.pred, o.gold, o.orig_gold)
        n = cd.n_ids
        row = {
            "model": run.name, "schedule": run.schedule, "seed": run.seed, "lang": lang, "op": op,
            "family": info["family"], "label_effect": info["label_effect"],
            "n_ids": n, "n_variants": cd.n_variants, "label_changed": int(np.sum(o.gold != o.orig_gold)),
            "too_small": n < min_n, **M.point(cd),
        }
        rows.append(row)
        if n >= min_n:
            cell_pos = order[cd.mask[order]]  # the cell's own ids, in universe order (shared resamples)
            if mats and not np.array_equal(cell_pos, pos):
                raise ValueError(f"{lang} {op}: {run.name} has variants for other ids than {rows[0]['model']}")
            pos = cell_pos
            mat, names = M.id_matrix(cd, pos)
            mats.append(mat)
            ms.append(m)
    for row in rows:
        row.update({s + "_ci": None for s in M.STATS})
    if mats:
        # One product for every model of the cell: they share the resample, so their differences are paired.
        sums = _resampled_sums(pos, np.hstack(mats), u, cache)
        for i, (m, row) in enumerate(zip(ms, (r for r in rows if not r["too_small"]))):
            per = M.split_replicates(sums, names, i)
            cis = M.percentile_cis(np.stack([per[s] for s in M.STATS]), level)
            for s, ci in zip(M.STATS, cis):
                reps[s][m, j] = per[s]
                row[s + "_ci"] = [float(ci[0]), float(ci[1])]
    return rows, n


def _members(cells, models, keys) -> dict[tuple[str, str, str], list[int]]:
    """(model, level, key) -> indices into ``keys`` of the cells an aggregate averages (enough ids only)."""
    out = defaultdict(list)
    kidx = {k: j for j, k in enumerate(keys)}
    for c in cells:
        if c["too_small"]:
            continue
        j = kidx[(c["lang"], c["op"])]
        for level, key in (("lang", c["lang"]), ("op", c["op"]), ("family", c["family"]), ("overall", "all")):
            out[(c["model"], level, key)].append(j)
    return out


def _agg_values(mc: list[dict], reps, m: int, js: list[int], n: np.ndarray, level: float) -> dict:
    """Each stat's unweighted and n-weighted (``_w``) mean over the cells ``js`` of model ``m``, with CIs."""
    vals = np.array([[c[s] for c in mc] for s in M.STATS], dtype=np.float64)  # stats x cells
    r = np.stack([reps[s][m, js] for s in M.STATS])  # stats x cells x B
    cis = M.percentile_cis(np.vstack([M.nanmean(r, 1), M.nanmean(r, 1, n)]), level)
    out, k = {}, len(M.STATS)
    for i, (s, u, w) in enumerate(zip(M.STATS, M.nanmean(vals, 1), M.nanmean(vals, 1, n))):
        out[s], out[s + "_w"] = float(u), float(w)
        out[s + "_ci"], out[s + "_w_ci"] = [float(x) for x in cis[i]], [float(x) for x in cis[k + i]]
    return out


def _aggregate(cells, models, keys, reps, lang_clean, level) -> list[dict]:
    """Unweighted (each cell equal) and n-weighted (``*_w``, each id equal) means over eligible cells."""
    out = []
    point = {(c["model"], c["lang"], c["op"]): c for c in cells}
    small = defaultdict(int)
    for c in cells:
        if c["too_small"]:
            for lvl, key in (("lang", c["lang"]), ("op", c["op"]), ("family", c["family"]), ("overall", "all")):
                small[(c["model"], lvl, key)] += 1
    first = {c["model"]: c for c in cells}
    members = _members(cells, models, keys)
    for (model, lvl, key), js in sorted(members.items(), key=lambda kv: (models.index(kv[0][0]),
                                                                           LEVELS.index(kv[0][1]), kv[0][2])):
        m = models.index(model)
        mc = [point[(model, *keys[j])] for j in js]
        n = np.array([c["n_ids"] for c in mc], dtype=np.float64)
        row = {"model": model, "schedule": first[model]["schedule"], "seed": first[model]["seed"], "level": lvl,
               "key": key, "n_cells": len(js), "n_cells_too_small": small.get((model, lvl, key), 0),
               "n_ids": int(n.sum())}
        row.update(_agg_values(mc, reps, m, js, n, level))
        if lvl == "lang":
            acc, r, n_clean = lang_clean[model][key]
            row.update(acc_clean_all=acc, acc_clean_all_ci=list(M.percentile_ci(r, level)), n_clean=n_clean)
        out.append(row)
    seen = {(r["model"], r["key"]) for r in out if r["level"] == "lang"}
    for model, per_lang in lang_clean.items():  # a language with no eligible cell still has a clean accuracy
        for lang, (acc, r, n_clean) in sorted(per_lang.items()):
            if (model, lang) not in seen:
                out.append({"model": model, "level": "lang", "key": lang, "n_cells": 0, "n_clean": n_clean,
                            "n_cells_too_small": small.get((model, "lang", lang), 0), "acc_clean_all": acc,
                            "acc_clean_all_ci": list(M.percentile_ci(r, level))})
    return out
