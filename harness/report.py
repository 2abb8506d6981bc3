"""Renders a results document: summary.md, results.csv, PNG heatmaps, and a short per-language terminal table."""

from __future__ import annotations

import csv
import math
import os
import re
from collections import defaultdict
from pathlib import Path

from harness.audit import validity_lines
from harness.metrics import STATS

#: Columns in percentage points (Δ) or percent (accuracies, rates, relative Δ): the unit is in the name.
_CSV_STATS = [(s, f"{s}_pp" if s == "delta" else f"{s}_pct") for s in STATS]
CSV_FIELDS = (
    ["model", "schedule", "seed", "lang", "op", "family", "label_effect", "n_ids", "n_variants", "label_changed",
     "too_small"]
    + [f"{name}{suf}" for _, name in _CSV_STATS for suf in ("", "_lo", "_hi")]
)


def _nan(x):
    return float("nan") if x is None else x


def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _hundred(x, digits: int) -> float:
    """100·x rounded, with -0.0 turned into 0.0 (a rounded tiny negative must not print as "-0.0")."""
    return round(100 * x, digits) + 0.0


def _pp(x, digits: int = 1) -> str:
    """A proportion difference as signed percentage points; '–' for missing, '0.0' for zero."""
    if _is_missing(x):
        return "–"
    v = _hundred(x, digits)
    return f"{v:.{digits}f}" if v == 0 else f"{v:+.{digits}f}"


def _pct(x, digits: int = 1) -> str:
    return "–" if _is_missing(x) else f"{_hundred(x, digits):.{digits}f}"


def _ci(ci) -> str:
    if not ci or _is_missing(ci[0]) or _is_missing(ci[1]):
        return ""
    return f"[{_pp(ci[0])}, {_pp(ci[1])}]"


def _mean_sd(mean, sd) -> str:
    return _pp(mean) if _is_missing(sd) else f"{_pp(mean)} ± {_pct(sd)}"


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s)


def groups_of(doc) -> dict[str, list[str]]:
    """Heatmap groups: schedules when models have them, otherwise one group per model."""
    g: dict[str, list[str]] = defaultdict(list)
    for m in doc["models"]:
        g[m.get("schedule") or m["name"]].append(m["name"])
    return dict(g)


def write_csv(doc, path: Path) -> Path:
    """One row per cell; values in percent or percentage points (see the column names), two decimals."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for c in doc["cells"]:
            row = {k: c.get(k) for k in CSV_FIELDS[:11]}
            for stat, name in _CSV_STATS:
                ci = c.get(stat + "_ci") or [None, None]
                for suf, v in (("", c.get(stat)), ("_lo", ci[0]), ("_hi", ci[1])):
                    row[name + suf] = None if _is_missing(v) else _hundred(v, 2)
            w.writerow({k: ("" if row.get(k) is None else row[k]) for k in CSV_FIELDS})
    return path


def _gap(doc, lang: str, op: str, cell) -> str:
    """Why a heatmap square is empty: unsupported language, all ids dropped, too few ids, or not scored."""
    status = ((doc["attack_set"].get("status") or {}).get(op) or {}).get(lang)
    if cell is None:
        return "unsup." if status == "unsupported" else "n/a"
    if not cell["n_ids"]:
        return "dropped"
    return f"n<{doc['config'].get('min_n', 0)}" if cell.get("too_small") else ""


def _group_matrix(doc, members: list[str], value: str = "delta"):
    langs = sorted({c["lang"] for c in doc["cells"]})
    ops = sorted({c["op"] for c in doc["cells"]})
    acc, cell = defaultdict(list), {}
    for c in doc["cells"]:
        if c["model"] in members:
            cell[(c["lang"], c["op"])] = c
            if not c.get("too_small") and not _is_missing(c.get(value)):
                acc[(c["lang"], c["op"])].append(c[value])
    mat = [[(sum(acc[(l, o)]) / len(acc[(l, o)])) if acc[(l, o)] else float("nan") for o in ops] for l in langs]
    gaps = {(l, o): _gap(doc, l, o, cell.get((l, o))) for l in langs for o in ops}
    return langs, ops, mat, gaps


GAP_NOTE = ("empty: unsup. = op unsupported for the language, dropped = every id declined, n<N = too few ids, "
            "n/a = not scored")


def _heatmap(mat, langs, ops, title: str, path: Path, *, lim: float, gaps=None, marks=None,
             label="Δ accuracy (pp)") -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt
    import numpy as np

    a = np.array(mat, dtype=float) * 100
    fig, ax = plt.subplots(figsize=(max(5.5, 0.75 * len(ops) + 2.5), max(3.0, 0.42 * len(langs) + 1.9)))
    ax.set_facecolor("#dddddd")
    im = ax.imshow(np.ma.masked_invalid(a), cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(len(ops)), ops, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(langs)), langs, fontsize=8)
    for i in range(len(langs)):
        for j in range(len(ops)):
            if np.isfinite(a[i, j]):
                star = "*" if marks and marks.get((langs[i], ops[j])) else ""
                text = f"{_hundred(a[i, j] / 100, 1):.1f}{star}"
                color = "white" if abs(a[i, j]) > 0.6 * lim else "black"
            else:
                text, color = (gaps or {}).get((langs[i], ops[j]), ""), "dimgray"
            ax.text(j, i, text, ha="center", va="center", fontsize=6.5, color=color)
    fig.colorbar(im, ax=ax, label=label)
    ax.set_title(title, fontsize=9)
    fig.text(0.01, 0.005, GAP_NOTE, fontsize=6, color="dimgray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _limit(*mats) -> float:
    """One colour limit (pp) for plots meant to be compared side by side."""
    vals = [abs(100 * x) for m in mats for row in m for x in row if not _is_missing(x)]
    return max([1.0] + vals)


def write_heatmaps(doc, out: Path) -> list[Path]:
    """Δ per group on one shared colour scale; per comparison, the difference of Δ (stars: significant cells)."""
    paths = []
    if not doc["cells"]:
        return paths
    groups = {g: _group_matrix(doc, members) + (len(members),) for g, members in groups_of(doc).items()}
    lim = _limit(*(g[2] for g in groups.values()))
    for group, (langs, ops, mat, gaps, n) in groups.items():
        mean = f" (mean of {n} models)" if n > 1 else ""
        paths.append(_heatmap(mat, langs, ops, f"Δ accuracy, {group}{mean}", out / f"heatmap_delta_{_slug(group)}.png",
                              lim=lim, gaps=gaps))
    for comp in doc.get("comparisons", []):
        cells = comp["cells"]
        if not cells:
            continue
        langs = sorted({c["lang"] for c in cells})
        ops = sorted({c["op"] for c in cells})
        val = {(c["lang"], c["op"]): c["diff"] for c in cells if not c.get("too_small")}
        mat = [[_nan(val.get((l, o))) for o in ops] for l in langs]
        gaps = {(l, o): _gap(doc, l, o, next((c for c in doc["cells"] if (c["lang"], c["op"]) == (l, o)), None))
                for l in langs for o in ops}
        marks = {(c["lang"], c["op"]): c["significant"] for c in cells}
        title = (f"Δ({comp['a']}) − Δ({comp['b']}), pp\n* = cell significant after {_corr(comp)} over "
                 f"{comp['n_tests']} cells (α={comp['alpha']}, {comp['primary_test']}; exploratory)")
        paths.append(_heatmap(mat, langs, ops, title, out / f"heatmap_diff_{_slug(comp['a'])}_vs_{_slug(comp['b'])}.png",
                              lim=_limit(mat), gaps=gaps, marks=marks, label="difference of Δ (pp)"))
    return paths


def lang_table(doc) -> list[list[str]]:
    """Rows: language, then per group its clean accuracy and mean Δ over perturbations (pp)."""
    groups = groups_of(doc)
    agg = defaultdict(dict)
    for a in doc["aggregates"]:
        if a["level"] == "lang":
            agg[a["model"]][a["key"]] = a
    langs = sorted({a["key"] for a in doc["aggregates"] if a["level"] == "lang"})
    header = ["lang"] + [f"{g} {k}" for g in groups for k in ("clean %", "Δ pp")]
    rows = [header]
    for lang in langs:
        row = [lang]
        for g, members in groups.items():
            cl = [agg[m][lang].get("acc_clean_all") for m in members if lang in agg[m]]
            de = [agg[m][lang].get("delta") for m in members if lang in agg[m]]
            cl = [x for x in cl if not _is_missing(x)]
            de = [x for x in de if not _is_missing(x)]
            row += [_pct(sum(cl) / len(cl)) if cl else "–", _pp(sum(de) / len(de)) if de else "–"]
        rows.append(row)
    return rows


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows)


def _md_table(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def _corr(comp) -> str:
    return {"holm": "Holm", "bh": "Benjamini–Hochberg"}.get(comp.get("correction"), str(comp.get("correction")))


def significance_line(comp) -> str:
    """The one-line verdict of a comparison, printed by the CLI and written in summary.md (so they agree)."""
    prim = comp.get("primary", [])
    n_p = sum(t["significant"] for t in prim)
    n_c = sum(c["significant"] for c in comp["cells"])
    return (f"{comp['a']} vs {comp['b']}: {n_p}/{comp.get('n_primary_tests', 0)} primary tests significant "
            f"(per family and per language), {n_c}/{comp['n_tests']} cells (exploratory); "
            f"{comp['primary_test']}, {_corr(comp)}, alpha={comp['alpha']}")


def _p(t) -> str:
    from harness.significance import fraction_str

    return fraction_str(t.get("p"), t.get("p_floor"))


def _test_rows(tests, comp, *, scope: bool) -> list[list[str]]:
    a, b = comp["a"], comp["b"]
    head = (["scope", "key", "cells"] if scope else ["lang", "perturbation"]) + [
        "ids", f"{a} Δ (mean ± sd)", f"{b} Δ (mean ± sd)", "diff (pp)", "95% CI", "p", f"p ({_corr(comp)})", ""]
    rows = [head]
    for t in tests:
        where = [t["scope"], t["key"], str(t["n_cells"])] if scope else [t["lang"], t["op"]]
        if t.get("too_small"):
            rows.append(where + [str(t["n_ids"]), _mean_sd(t["a_mean"], t["a_sd"]), _mean_sd(t["b_mean"], t["b_sd"]),
                                 _pp(t["diff"]), "n too small", "–", "–", ""])
            continue
        adj = t.get("p_adj")
        rows.append(where + [str(t["n_ids"]), _mean_sd(t["a_mean"], t["a_sd"]), _mean_sd(t["b_mean"], t["b_sd"]),
                             _pp(t["diff"]), _ci(t["diff_ci"]), _p(t),
                             "–" if adj is None else _p({"p": adj, "p_floor": None}),
                             "*" if t["significant"] else ""])
    return rows


def _design_text(comp) -> str:
    if comp["primary_test"] == "permutation":
        return (f"one model per group: paired sign-flip (permutation) test on the same ids — exact for a cell, "
                f"Monte Carlo with {comp['n_perm']} permutations for an aggregate (p floor 1/{comp['n_perm'] + 1})")
    second = "; Welch's t-test across seeds is in results.json as a secondary figure" \
        if comp.get("secondary_test") else ""
    return (f"multi-bootstrap (Sellam et al. 2021): seeds and ids resampled jointly, {comp['n_boot']} replicates, "
            f"p from its standard error against a t distribution (Satterthwaite degrees of freedom for the "
            f"seeds){second}")


def comparison_section(comp) -> list[str]:
    """The comparison in summary.md: verdict, design, correction and number of tests, primary and cell tables."""
    lines = [f"## {comp['a']} vs {comp['b']}", "", significance_line(comp) + ".", "",
             f"Difference of Δ ({comp['a']} − {comp['b']}) in percentage points; groups {comp['models_a']} vs "
             f"{comp['models_b']}. Test: {_design_text(comp)}. Estimand: the {comp.get('estimand', 'mean')}.",
             f"Correction: {_corr(comp)} at α = {comp['alpha']}, separately over the {comp.get('n_primary_tests', 0)} "
             f"primary tests and over the {comp['n_tests']} exploratory cell tests (cells with fewer than "
             f"{comp.get('min_n')} ids are not tested). Both Holm and Benjamini–Hochberg p are in results.json.", ""]
    lines += [f"Warning: {w}" for w in comp.get("warnings", [])] + ([""] if comp.get("warnings") else [])
    if comp.get("primary"):
        lines += ["### Primary: per family and per language", "",
                  _md_table(_test_rows(comp["primary"], comp, scope=True)), ""]
    sig = [c for c in comp["cells"] if c["significant"]]
    lines += ["### Exploratory: cells significant after correction", ""]
    lines += [_md_table(_test_rows(sig, comp, scope=False)), ""] if sig else ["None.", ""]
    lines += ["<details><summary>All cells</summary>", "", _md_table(_test_rows(comp["cells"], comp, scope=False)),
              "", "</details>", ""]
    return lines


def _header(doc) -> list[str]:
    from harness.results import question_note

    a, env, cfg = doc["attack_set"], doc["environment"], doc["config"]
    boot = cfg["bootstrap"]
    return [
        f"# xstress results — {doc['task']}", "", f"Signature: `{doc['signature']}`", "",
        f"Attack set: `{a['path']}` (seed {a.get('seed')}, recipe {a.get('recipe')}, manifest sha256 "
        f"`{a['manifest_sha256'][:12]}`, content hash `{(a.get('content_hash') or 'none')[:16]}`, "
        f"{'files verified against the manifest' if a.get('verified') else 'NOT verified (--no-verify): its files were not checked against the manifest'}). Bootstrap: {boot['n']} resamples of each cell's own ids (every cell in "
        f"every resample), seed {boot['seed']}, {int(100 * boot['level'])}% percentile CIs. Cells with fewer than "
        f"{cfg.get('min_n')} ids show their counts and \"n too small\": no interval, no test, not in any aggregate.",
        f"Environment: Python {env.get('python')}, torch {env.get('torch')}, transformers {env.get('transformers')}, "
        f"device {env.get('device')}.",
        *question_note(doc), "",
        "Units: Δ and differences of Δ in percentage points (pp); accuracies and rates in percent. results.json "
        "stores fractions (×100 = these numbers); results.csv stores pp/% as its column names say.", "",
        "Δ = accuracy on perturbed variants − accuracy on the same ids' clean originals (label-changing "
        "perturbations are scored against their new gold label). Attack success = of the ids right on clean, the "
        "share with at least one variant wrong (per example); worst-of-k = share of ids with every variant right; "
        "follows label = for label-changing ops, the share of label-changed variants predicted as the new label "
        "(there a correct answer also counts as a flip). "
        "Aggregates are unweighted means over their cells (each language × perturbation counts once); "
        "results.json also has n-weighted ones (`*_w`).", "",
    ]


def _models_table(doc) -> list[str]:
    mrows = [["model", "schedule", "seed", "fingerprint", "precision", "scored / unique / cached"]]
    for m in doc["models"]:
        s = m.get("scoring", {})
        mrows.append([m["name"], str(m.get("schedule") or ""), str(m.get("seed") if m.get("seed") is not None else ""),
                      f"`{(m.get('fingerprint') or '')[:12]}`", str(m.get("precision", "")),
                      f"{s.get('scored_inputs', '')} / {s.get('unique', '')} / {s.get('cache_hits', '')}"])
    return ["## Models", "", _md_table(mrows), ""]


def _aggregate_tables(doc) -> list[str]:
    lines = ["## Per language (mean over perturbations)", "", _md_table(lang_table(doc)), ""]
    for level, title, keycol in (("overall", "Overall (mean over all cells)", None),
                                 ("family", "Per family (mean over languages and perturbations)", "family"),
                                 ("op", "Per perturbation (mean over languages)", "perturbation")):
        rows = [r for r in doc["aggregates"] if r["level"] == level]
        if not rows:
            continue
        # Follow rate: for label-changing ops, the share of label-changed variants predicted as the new label.
        t = [["model"] + ([keycol] if keycol else []) + ["cells (too small)", "ids", "Δ pp", "95% CI",
                                                         "Δ pp, n-weighted", "flip %", "attack success %",
                                                         "follows label %"]]
        for r in rows:
            t.append([r["model"]] + ([r["key"]] if keycol else []) + [
                f"{r['n_cells']} ({r.get('n_cells_too_small', 0)})", str(r.get("n_ids", "")), _pp(r.get("delta")),
                _ci(r.get("delta_ci")), _pp(r.get("delta_w")), _pct(r.get("flip_rate")),
                _pct(r.get("attack_success")), _pct(r.get("follow_rate"))])
        lines += [f"## {title}", "", _md_table(t), ""]
    return lines


def _cells_table(doc) -> list[str]:
    """Every cell with its number of ids and each group's mean Δ (or "n too small")."""
    groups = groups_of(doc)
    by = defaultdict(dict)
    for c in doc["cells"]:
        by[(c["lang"], c["op"])][c["model"]] = c
    rows = [["lang", "perturbation", "ids", "variants"] + [f"{g} Δ pp" for g in groups]]
    for (lang, op), per in sorted(by.items()):
        any_c = next(iter(per.values()))
        row = [lang, op, str(any_c["n_ids"]), str(any_c["n_variants"])]
        for members in groups.values():
            vals = [per[m]["delta"] for m in members if m in per and not _is_missing(per[m]["delta"])]
            small = any(per[m].get("too_small") for m in members if m in per)
            row.append("n too small" if small else (_pp(sum(vals) / len(vals)) if vals else "–"))
        rows.append(row)
    return ["## Cells", "", "<details><summary>Every language × perturbation cell with its n</summary>", "",
            _md_table(rows), "", "</details>", ""]


def write_summary(doc, path: Path, images: list[Path]) -> Path:
    lines = _header(doc) + _models_table(doc) + _aggregate_tables(doc)
    lines += validity_lines(doc)  # audited validity next to each perturbation's Δ, if the attack set has one
    for comp in doc.get("comparisons", []):
        lines += comparison_section(comp)
    lines += _cells_table(doc)
    if images:
        lines += ["## Heatmaps", "", GAP_NOTE + ".", ""] + [f"![{p.stem}]({p.name})" for p in images] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def render(doc, out_dir: str | os.PathLike) -> dict[str, Path | list[Path]]:
    """Write summary.md, results.csv and heatmaps for ``doc`` into ``out_dir`` (results.json is written elsewhere)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    images = write_heatmaps(doc, out)
    return {
        "csv": write_csv(doc, out / "results.csv"),
        "summary": write_summary(doc, out / "summary.md", images),
        "heatmaps": images,
    }
