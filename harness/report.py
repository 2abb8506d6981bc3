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

CSV_FIELDS = (
    ["model", "schedule", "seed", "lang", "op", "family", "label_effect", "n_ids", "n_variants", "label_changed"]
    + [f"{s}{suf}" for s in STATS for suf in ("", "_lo", "_hi")]
)


def _nan(x):
    return float("nan") if x is None else x


def _pp(x, digits: int = 1) -> str:
    """A proportion as percentage points; '–' for missing."""
    x = _nan(x)
    return "–" if isinstance(x, float) and math.isnan(x) else f"{100 * x:+.{digits}f}"


def _pct(x, digits: int = 1) -> str:
    x = _nan(x)
    return "–" if isinstance(x, float) and math.isnan(x) else f"{100 * x:.{digits}f}"


def _ci(ci) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f"[{100 * ci[0]:+.1f}, {100 * ci[1]:+.1f}]"


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s)


def groups_of(doc) -> dict[str, list[str]]:
    """Heatmap groups: schedules when models have them, otherwise one group per model."""
    g: dict[str, list[str]] = defaultdict(list)
    for m in doc["models"]:
        g[m.get("schedule") or m["name"]].append(m["name"])
    return dict(g)


def write_csv(doc, path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for c in doc["cells"]:
            row = dict(c)
            for s in STATS:
                ci = c.get(s + "_ci") or [None, None]
                row[s + "_lo"], row[s + "_hi"] = ci
            w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in CSV_FIELDS})
    return path


def _group_matrix(doc, members: list[str], value: str = "delta"):
    langs = sorted({c["lang"] for c in doc["cells"]})
    ops = sorted({c["op"] for c in doc["cells"]})
    acc = defaultdict(list)
    for c in doc["cells"]:
        if c["model"] in members and c.get(value) is not None:
            acc[(c["lang"], c["op"])].append(c[value])
    mat = [[(sum(acc[(l, o)]) / len(acc[(l, o)])) if acc[(l, o)] else float("nan") for o in ops] for l in langs]
    return langs, ops, mat


def _heatmap(mat, langs, ops, title: str, path: Path, *, marks=None, label="Δ accuracy (pp)") -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt
    import numpy as np

    a = np.array(mat, dtype=float) * 100
    finite = a[np.isfinite(a)]
    lim = max(1.0, float(np.max(np.abs(finite)))) if finite.size else 1.0
    fig, ax = plt.subplots(figsize=(max(5.5, 0.75 * len(ops) + 2.5), max(3.0, 0.42 * len(langs) + 1.6)))
    im = ax.imshow(np.ma.masked_invalid(a), cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(len(ops)), ops, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(langs)), langs, fontsize=8)
    for i in range(len(langs)):
        for j in range(len(ops)):
            if np.isfinite(a[i, j]):
                star = "*" if marks and marks.get((langs[i], ops[j])) else ""
                ax.text(j, i, f"{a[i, j]:.1f}{star}", ha="center", va="center", fontsize=6.5,
                        color="white" if abs(a[i, j]) > 0.6 * lim else "black")
    fig.colorbar(im, ax=ax, label=label)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_heatmaps(doc, out: Path) -> list[Path]:
    paths = []
    if not doc["cells"]:
        return paths
    for group, members in groups_of(doc).items():
        langs, ops, mat = _group_matrix(doc, members)
        n = f" (mean of {len(members)} models)" if len(members) > 1 else ""
        paths.append(_heatmap(mat, langs, ops, f"Δ accuracy, {group}{n}", out / f"heatmap_delta_{_slug(group)}.png"))
    for comp in doc.get("comparisons", []):
        cells = comp["cells"]
        if not cells:
            continue
        langs = sorted({c["lang"] for c in cells})
        ops = sorted({c["op"] for c in cells})
        val = {(c["lang"], c["op"]): c["diff"] for c in cells}
        mat = [[_nan(val.get((l, o))) for o in ops] for l in langs]
        marks = {(c["lang"], c["op"]): c["significant"] for c in cells}
        title = (f"Δ({comp['a']}) − Δ({comp['b']})\n* = significant after Holm "
                 f"(α={comp['alpha']}, {comp['primary_test']})")
        paths.append(_heatmap(mat, langs, ops, title, out / f"heatmap_diff_{_slug(comp['a'])}_vs_{_slug(comp['b'])}.png",
                              marks=marks, label="difference of Δ (pp)"))
    return paths


def lang_table(doc) -> list[list[str]]:
    """Rows: language, then per group its clean accuracy and mean Δ over perturbations."""
    groups = groups_of(doc)
    agg = defaultdict(dict)
    for a in doc["aggregates"]:
        if a["level"] == "lang":
            agg[a["model"]][a["key"]] = a
    langs = sorted({a["key"] for a in doc["aggregates"] if a["level"] == "lang"})
    header = ["lang"] + [f"{g} {k}" for g in groups for k in ("clean", "Δ")]
    rows = [header]
    for lang in langs:
        row = [lang]
        for g, members in groups.items():
            cl = [agg[m][lang].get("acc_clean_all") for m in members if lang in agg[m]]
            de = [agg[m][lang].get("delta") for m in members if lang in agg[m]]
            cl = [x for x in cl if x is not None]
            de = [x for x in de if x is not None]
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


def write_summary(doc, path: Path, images: list[Path]) -> Path:
    from harness.results import question_note

    a = doc["attack_set"]
    env = doc["environment"]
    lines = [
        f"# xstress results — {doc['task']}",
        "",
        f"Signature: `{doc['signature']}`",
        "",
        f"Attack set: `{a['path']}` (seed {a.get('seed')}, recipe {a.get('recipe')}, manifest sha256 "
        f"`{a['manifest_sha256'][:12]}`). Bootstrap: {doc['config']['bootstrap']['n']} resamples of ids, seed "
        f"{doc['config']['bootstrap']['seed']}, {int(100 * doc['config']['bootstrap']['level'])}% percentile CIs.",
        f"Environment: Python {env.get('python')}, torch {env.get('torch')}, transformers {env.get('transformers')}, "
        f"device {env.get('device')}.",
        *question_note(doc),
        "",
        "Δ = accuracy on perturbed variants − accuracy on the same ids' clean originals, in percentage points "
        "(label-changing perturbations are scored against their new gold label).",
        "",
        "## Models",
        "",
    ]
    mrows = [["model", "schedule", "seed", "fingerprint", "precision", "scored / unique / cached"]]
    for m in doc["models"]:
        s = m.get("scoring", {})
        mrows.append([m["name"], str(m.get("schedule") or ""), str(m.get("seed") if m.get("seed") is not None else ""),
                      f"`{(m.get('fingerprint') or '')[:12]}`", str(m.get("precision", "")),
                      f"{s.get('scored_inputs', '')} / {s.get('unique', '')} / {s.get('cache_hits', '')}"])
    lines += [_md_table(mrows), "", "## Per language (mean over perturbations)", "", _md_table(lang_table(doc)), ""]

    overall = [r for r in doc["aggregates"] if r["level"] == "overall"]
    if overall:
        lines += ["## Overall (average over languages)", ""]
        orows = [["model", "Δ", "95% CI", "flip rate", "attack success", "worst-of-k"]]
        for r in overall:
            orows.append([r["model"], _pp(r["delta"]), _ci(r["delta_ci"]), _pct(r["flip_rate"]),
                          _pct(r["attack_success"]), _pct(r["worst_of_k"])])
        lines += [_md_table(orows), ""]

    ops = [r for r in doc["aggregates"] if r["level"] == "op"]
    if ops:
        lines += ["## Per perturbation (average over languages)", ""]
        prow = [["model", "perturbation", "Δ", "95% CI", "flip rate", "attack success"]]
        for r in ops:
            prow.append([r["model"], r["key"], _pp(r["delta"]), _ci(r["delta_ci"]), _pct(r["flip_rate"]),
                         _pct(r["attack_success"])])
        lines += [_md_table(prow), ""]
    lines += validity_lines(doc)  # audited validity next to each perturbation's Δ, if the attack set has one

    for comp in doc.get("comparisons", []):
        sig = [c for c in comp["cells"] if c["significant"]]
        lines += [
            f"## {comp['a']} vs {comp['b']}",
            "",
            f"Difference of Δ ({comp['a']} − {comp['b']}); groups {comp['models_a']} vs {comp['models_b']}; test: "
            f"{comp['primary_test']}, Holm-corrected over {comp['n_tests']} cells at α = {comp['alpha']}. "
            f"Significant cells: {len(sig)}.",
            "",
        ]
        if sig:
            srows = [["lang", "perturbation", "diff", "95% CI", "p (Holm)"]]
            for c in sig:
                srows.append([c["lang"], c["op"], _pp(c["diff"]), _ci(c["diff_ci"]), f"{c['p_holm']:.3g}"])
            lines += [_md_table(srows), ""]
    if images:
        lines += ["## Heatmaps", ""] + [f"![{p.stem}]({p.name})" for p in images] + [""]
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
