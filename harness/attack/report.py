"""The attack's report: results.json (one versioned document), summary.md and the success-vs-budget PNG."""

from __future__ import annotations

import json
from pathlib import Path

from perturb.fsutil import atomic_write_text

SCHEMA = "xstress-attack/1"


def write_results(doc: dict, out: Path) -> Path:
    path = Path(out) / "results.json"
    atomic_write_text(path, json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def _pct(s: dict | None) -> str:
    if not s or s.get("value") is None:
        return "–"
    if s.get("lo") is None:
        return f"{100 * s['value']:.1f}"
    return f"{100 * s['value']:.1f} [{100 * s['lo']:.1f}, {100 * s['hi']:.1f}]"


def _num(v) -> str:
    return "–" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)


def table(metrics: dict) -> list[str]:
    """The per-language table (percentages with their bootstrap CIs)."""
    lines = ["| lang | n | clean acc | acc under attack | success rate | mean queries | median queries | "
             "words edited (mean, successes) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for lang, m in metrics.items():
        share = "–" if m["share_mean"] is None else f"{100 * m['share_mean']:.1f}%"
        lines.append(f"| {lang} | {m['n']} | {_pct(m['acc_clean'])} | {_pct(m['acc_attack'])} | "
                     f"{_pct(m['success_rate'])} | {_num(m['queries_mean'])} | {_num(m['queries_median'])} | {share} |")
    return lines


def summary(doc: dict) -> str:
    a = doc["attack"]
    lines = [f"# xstress attack: {a['search']} on {doc['model']['name']}", "",
             f"Signature: `{doc['signature']}`", "",
             f"Task {doc['task']}, budget {a['constraints']['budget']} queries per example, at most "
             f"{100 * a['constraints']['max_share']:g}% of the words of {', '.join(a['fields'])} edited, ops: "
             f"{', '.join(a['ops'])}.", "",
             "Accuracy under attack: share of examples still predicted correctly after the search (clean "
             "mistakes count as wrong). Success rate: share of the correctly predicted examples the search "
             f"broke. Intervals: {doc['bootstrap']['level']:.0%} percentile bootstrap over examples "
             f"({doc['bootstrap']['n']} resamples, seed {doc['bootstrap']['seed']}).", ""]
    lines += table(doc["metrics"])
    lines += ["", f"Success vs budget: `{doc['files']['curve']}` (exact, from each example's first successful "
              "query).", "", f"Attack set: `{doc['files']['attack_set']}` (score it on another model with "
              "`xstress score --attacks`).", ""]
    return "\n".join(lines)


def plot(metrics: dict, path: Path, title: str) -> Path:
    """Success rate vs budget, one line per language (and all), with the CI band of "all"."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for lang, m in metrics.items():
        xs = [c["budget"] for c in m["curve"]]
        ys = [c["success_rate"]["value"] for c in m["curve"]]
        if all(y is None for y in ys):
            continue
        ys = [float("nan") if y is None else 100 * y for y in ys]
        if lang == "all":
            lo = [100 * (c["success_rate"]["lo"] or 0) for c in m["curve"]]
            hi = [100 * (c["success_rate"]["hi"] or 0) for c in m["curve"]]
            ax.fill_between(xs, lo, hi, color="black", alpha=0.15)
            ax.plot(xs, ys, color="black", linewidth=2.2, label="all")
        else:
            ax.plot(xs, ys, linewidth=1, marker=".", label=lang)
    ax.set_xscale("log")
    ax.set_xlabel("query budget per example")
    ax.set_ylabel("attack success rate (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
