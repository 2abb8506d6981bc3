"""The schedule comparison's statistics on simulated predictions: a planted effect at full XNLI size, the null's
false-positive rate, and a power table (seeds and ids needed to detect a 1-point difference of Δ).

Sections (``--sections planted,null,power``; all by default):
- planted: 15 languages x 5010 ids x 22 ops (8 char, 8 lex, 6 logic on 40% of ids), 2 groups x 3 seeds, group A
  5 points worse on every char op; default analysis (1000 resamples, min n 20) and comparison (alpha 0.05,
  Holm). Records the primary tests, wall time and peak memory.
- null: the same design without an effect (fewer ids per language, ``--null-ids``), ``--null-repeats`` times:
  the share of repeats with any significant primary test (goal: at most 5%).
- power: a 1-point difference on the char family, for seeds x ids per language; the share of repeats in which
  the char family test is significant after Holm over the 18 primary tests (lex and logic shrunk to one op each,
  which keeps 18 primary tests and the char family's 8 ops per language; 200 resamples).
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
from common import RESULTS_DIR, command_line, environment, loadavg, peak_rss_mib, stamp, update_results_md, write_result

from harness import simulate as sim
from harness.analysis import analyse
from harness.compare import compare


def _primary(cmp) -> list[dict]:
    return [{"scope": t["scope"], "key": t["key"], "diff_pp": round(100 * t["diff"], 3),
             "ci_pp": [round(100 * x, 3) for x in t["diff_ci"]], "p": t["p"], "p_holm": t["p_holm"],
             "significant": t["significant"]} for t in cmp["primary"]]


def planted() -> dict:
    d = sim.Design()
    t0 = time.perf_counter()
    runs = sim.two_groups(d, 3, effect={"char": -0.05})
    t1 = time.perf_counter()
    an = analyse(runs, manifest=d.manifest())
    t2 = time.perf_counter()
    cmp = compare(an, runs, a="A", b="B")
    t3 = time.perf_counter()
    small_with_p = sum(1 for c in cmp["cells"] if c["n_ids"] < an.min_n and c["p"] is not None)
    return {"design": {"langs": len(d.langs), "ids": d.n_ids, "ops": len(d.ops()), "seeds_per_group": 3,
                       "effect": "char -5 pp", "seed_sd_pp": 100 * d.seed_sd},
            "seconds": {"simulate": round(t1 - t0, 1), "analyse": round(t2 - t1, 1), "compare": round(t3 - t2, 1)},
            "peak_rss": peak_rss_mib(), "test": cmp["primary_test"], "correction": cmp["correction"],
            "n_primary_tests": cmp["n_primary_tests"], "n_cell_tests": cmp["n_tests"],
            "significant_primary": [f"{t['scope']} {t['key']}" for t in cmp["primary"] if t["significant"]],
            "significant_cells": sum(c["significant"] for c in cmp["cells"]), "small_cells_with_p": small_with_p,
            "primary": _primary(cmp)}


def null(repeats: int, n_ids: int) -> dict:
    d = sim.Design(n_ids=n_ids)
    hits, cell_hits, t0 = [], [], time.perf_counter()
    for r in range(repeats):
        runs = sim.two_groups(d, 3, rep=r)
        cmp = compare(analyse(runs, manifest=d.manifest(), n_boot=200, seed=r), runs, a="A", b="B")
        hits.append(any(t["significant"] for t in cmp["primary"]))
        cell_hits.append(any(c["significant"] for c in cmp["cells"]))
    return {"design": {"langs": len(d.langs), "ids": n_ids, "ops": len(d.ops()), "seeds_per_group": 3,
                       "n_boot": 200}, "repeats": repeats, "seconds": round(time.perf_counter() - t0, 1),
            "repeats_with_a_significant_primary_test": int(sum(hits)),
            "repeats_with_a_significant_cell": int(sum(cell_hits)),
            "share_not_significant": 1 - float(np.mean(hits))}


def power(repeats: int, seeds: list[int], ids: list[int]) -> list[dict]:
    rows = []
    for n_ids in ids:
        d = sim.Design(n_ids=n_ids, families={"char": 8, "lex": 1, "logic": 1})
        for n_seeds in seeds:
            found, t0 = 0, time.perf_counter()
            for r in range(repeats):
                runs = sim.two_groups(d, n_seeds, effect={"char": -0.01}, rep=r)
                cmp = compare(analyse(runs, manifest=d.manifest(), n_boot=200, seed=r), runs, a="A", b="B")
                found += next(t for t in cmp["primary"] if t["key"] == "char")["significant"]
            rows.append({"ids_per_lang": n_ids, "seeds_per_group": n_seeds, "repeats": repeats,
                         "command": command_line(),
                         "power": found / repeats, "seconds": round(time.perf_counter() - t0, 1)})
            print(rows[-1], flush=True)
    return rows


def _markdown(res: dict) -> str:
    out = [f"## comparison_stats.py — {stamp()}", "", f"`{res['command']}`; load average {res['loadavg']}.",
           *(f"Kept from an earlier run: {k} (`{c}`)." for k, c in (res.get("kept_from") or {}).items()), ""]
    if "planted" in res:
        p = res["planted"]
        out += [f"**Planted** ({p['design']['langs']} languages x {p['design']['ids']} ids x {p['design']['ops']} "
                f"ops, 3 seeds per group, char 5 points worse; {p['test']}, {p['correction']} over "
                f"{p['n_primary_tests']} primary tests): significant: {', '.join(p['significant_primary']) or 'none'}; "
                f"{p['significant_cells']}/{p['n_cell_tests']} cells; cells under min n with a p: "
                f"{p['small_cells_with_p']}. Analyse {p['seconds']['analyse']} s, compare {p['seconds']['compare']} s, "
                f"peak RSS {p['peak_rss']['self_mib']} MiB.", ""]
    if "null" in res:
        n = res["null"]
        out += [f"**Null** ({n['design']['ids']} ids per language, {n['repeats']} repeats): repeats with a "
                f"significant primary test: {n['repeats_with_a_significant_primary_test']}; not significant in "
                f"{100 * n['share_not_significant']:.0f}% (goal >= 95%); with a significant cell: "
                f"{n['repeats_with_a_significant_cell']}.", ""]
    if "power" in res:
        out += ["**Power** to detect a 1-point difference of Δ on one family (8 ops x 15 languages), Holm over "
                "18 primary tests, seed sd 0.5 points:", "", "| ids per language | seeds per group | power | repeats |",
                "|---|---|---|---|"]
        out += [f"| {r['ids_per_lang']} | {r['seeds_per_group']} | {100 * r['power']:.0f}% | {r['repeats']} |"
                for r in res["power"]]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default="planted,null,power")
    ap.add_argument("--null-repeats", type=int, default=20)
    ap.add_argument("--null-ids", type=int, default=300)
    ap.add_argument("--power-repeats", type=int, default=10)
    ap.add_argument("--power-seeds", default="1,3,5")
    ap.add_argument("--power-ids", default="500,2000,5010")
    args = ap.parse_args()
    sections = set(args.sections.split(","))
    res = {"command": command_line(), "environment": environment(), "loadavg": loadavg()}
    if "planted" in sections:
        res["planted"] = planted()
        print(res["planted"], flush=True)
    if "null" in sections:
        res["null"] = null(args.null_repeats, args.null_ids)
        print(res["null"], flush=True)
    if "power" in sections:
        res["power"] = power(args.power_repeats, [int(x) for x in args.power_seeds.split(",")],
                             [int(x) for x in args.power_ids.split(",")])
    # A run of some sections keeps the others from the latest record (each says which command made it).
    old = RESULTS_DIR / "comparison_stats.json"
    if old.exists():
        prev = json.loads(old.read_text(encoding="utf-8"))
        for key in ("planted", "null", "power"):
            if key not in res and key in prev:
                res[key] = prev[key]
                res.setdefault("kept_from", {})[key] = prev.get("kept_from", {}).get(key, prev.get("command"))
        # Power rows of other (ids, seeds) settings than this run's are kept too.
        done = {(r["ids_per_lang"], r["seeds_per_group"]) for r in res.get("power", [])}
        if "power" in sections:
            res["power"] = sorted([r for r in prev.get("power", []) if (r["ids_per_lang"], r["seeds_per_group"])
                                   not in done] + res["power"], key=lambda r: (r["ids_per_lang"], r["seeds_per_group"]))
    write_result("comparison_stats", res)
    update_results_md("comparison-stats", _markdown(res))


if __name__ == "__main__":
    main()
