#!/usr/bin/env python
"""Peak memory of `xstress score` (CPU, tiny model): flat in the size of the attack set and in the number of models.

    python benchmarks/memory_scoring.py --attacks /tmp/scoring-xnli                    # flat + models + baseline
    python benchmarks/memory_scoring.py --attacks /tmp/scoring-xnli --sections full    # all rows, 1 model (long)

Make the attack set once (XNLI test x `default`, 15 languages, 1.1M rows):
    xstress perturb --task xnli --data ../shared/data/xnli --split test --langs all --recipe default --out DIR

Every measurement is `xstress score` (harness.cli.main) in a fresh process: peak RSS (`ru_maxrss`) when
scoring is done (collection, encoding, scoring, predictions files) and at the end (after the analysis and
the report), wall time, and rows per second of the scoring phase. The model is the tiny untrained XLM-R of
harness/demo_models.py (built into benchmarks/.cache/), so model memory is small and what grows is the
harness's own.

Sections:
- flat: the chosen languages as they are (1x) and with every perturbed row replicated 10x as extra variants
  of the same ids, each replica's premise marked (" ·r") so that all of them are distinct model inputs; the
  clean rows and ids stay as they are (the analysis resamples ids, so its memory does not change). Flat means
  the 10x run peaks within 1.2x of the 1x run.
- models: the 1x selection with 1 and with 4 models in one run.
- baseline: the same 1x selection scored by another git revision (default: the 0.2.0 scorer), for the per-row
  rate and memory before this change.
- full: every language and row of the set with 1 model (on 2 busy cores this takes a quarter of an hour).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repo root on sys.path
from common import BENCH_DIR, REPO, command_line, environment, loadavg, stamp, update_results_md, write_result

CACHE = BENCH_DIR / ".cache"
GOAL_FULL_MIB = 2048
GOAL_FLAT = 1.2
BASELINE_REF = "aae8ea3"  # the 0.2.0 scorer: one scorer call over the whole set

# Runs `xstress score` in this process and reports peak RSS before the analysis and at the end.
_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import harness.runner as R
import harness.collect as C
from harness.cli import main
if sys.argv[2] != "-":
    C.CHUNK_ROWS = int(sys.argv[2])  # a smaller dedup window shows that memory is bounded by it
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
mark = {}
_analyse = R.analyse
def analyse(*a, **k):
    mark["scored_s"] = time.perf_counter() - t0
    mark["peak_scored_mib"] = peak()
    return _analyse(*a, **k)
R.analyse = analyse
t0 = time.perf_counter()
rc = main(sys.argv[3:])
mark.update(rc=rc, wall_s=time.perf_counter() - t0, peak_end_mib=peak())
print("RESULT " + json.dumps(mark))
"""


def tiny_models(n: int) -> list[Path]:
    from harness.demo_models import build_classifier

    out = []
    for seed in range(n):
        d = CACHE / f"tiny-xnli-classifier-{seed}"
        if not (d / "model.safetensors").exists():
            build_classifier(d, seed=seed)
        out.append(d)
    return out


def replicate(src: Path, dst: Path, langs: list[str], times: int) -> Path:
    """A copy of ``src`` for ``langs`` whose perturbed rows appear ``times`` times as distinct variants."""
    manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    task = manifest["task"]
    manifest["sources"] = {k: v for k, v in manifest["sources"].items() if k in langs}
    for op, per_lang in manifest["counts"].items():
        manifest["counts"][op] = {k: dict(v) for k, v in per_lang.items() if k in langs}
        for c in manifest["counts"][op].values():
            c["variants"] = c.get("variants", 0) * times
    for lang in langs:
        (dst / task / lang).mkdir(parents=True, exist_ok=True)
        for f in sorted((src / task / lang).glob("*.jsonl")):
            with open(f, encoding="utf-8") as r, open(dst / task / lang / f.name, "w", encoding="utf-8") as w:
                if f.name == "clean.jsonl":
                    w.write(r.read())
                    continue
                lines = r.readlines()
                for k in range(times):
                    for line in lines:
                        row = json.loads(line)
                        if k:
                            row["variant"] = row.get("variant", 0) + 1000 * k
                            row["fields"]["premise"] += f" ·{k}"
                        w.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    (dst / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return dst


def score(src: Path, attacks: Path, models: list[Path], out: Path, extra: list[str], chunk_rows: int | None = None) -> dict:
    argv = ["score", "--attacks", str(attacks), "--out", str(out), "--cache", "none", "--no-progress"]
    for i, m in enumerate(models):
        argv += ["--model", f"m{i}={m}"]
    env = {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    t0 = time.perf_counter()
    chunk = str(chunk_rows) if chunk_rows else "-"
    p = subprocess.run([sys.executable, "-c", _CHILD, str(src), chunk, *argv, *extra], capture_output=True, text=True,
                       env=env, cwd=str(src))
    line = [x for x in p.stdout.splitlines() if x.startswith("RESULT ")]
    if p.returncode != 0 or not line:
        raise SystemExit(f"score failed ({p.returncode}):\n{p.stderr[-3000:]}")
    res = json.loads(line[-1][len("RESULT "):])
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    st = doc["models"][0]["scoring"]
    res.update(process_s=round(time.perf_counter() - t0, 1), rows=st["requested"], unique=st["unique"], chunk_rows=chunk_rows,
               rows_per_s=round(st["requested"] / res["scored_s"], 1), loadavg=loadavg())
    for k in ("peak_scored_mib", "peak_end_mib", "wall_s", "scored_s"):
        res[k] = round(res[k], 1)
    print(f"[memory] {out.name}: {res}", file=sys.stderr)
    return res


def baseline_tree(ref: str, tmp: Path) -> Path:
    dst = tmp / f"src-{ref}"
    dst.mkdir()
    arch = subprocess.run(["git", "-C", str(REPO), "archive", ref], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dst)], input=arch, check=True)
    return dst


def run(args) -> dict:
    attacks = Path(args.attacks)
    langs = args.langs.split(",")
    sel = ["--langs", args.langs] + (["--max-per-lang", str(args.max_per_lang)] if args.max_per_lang else [])
    models = tiny_models(4)
    res: dict = {"attacks": str(attacks), "langs": langs, "max_per_lang": args.max_per_lang}
    with tempfile.TemporaryDirectory(prefix="xstress-mem-") as t:
        tmp = Path(t)
        if "flat" in args.sections:
            x10 = replicate(attacks, tmp / "x10", langs, 10)
            res["flat"] = {"x1": score(REPO, attacks, models[:1], tmp / "flat-x1", sel, args.chunk_rows),
                           "x10": score(REPO, x10, models[:1], tmp / "flat-x10", sel, args.chunk_rows)}
            res["flat"]["ratio_scored"] = round(res["flat"]["x10"]["peak_scored_mib"] / res["flat"]["x1"]["peak_scored_mib"], 3)
            res["flat"]["ratio_end"] = round(res["flat"]["x10"]["peak_end_mib"] / res["flat"]["x1"]["peak_end_mib"], 3)
        if "models" in args.sections:
            res["models"] = {"1": score(REPO, attacks, models[:1], tmp / "m1", sel),
                             "4": score(REPO, attacks, models, tmp / "m4", sel)}
        if "baseline" in args.sections:
            old = baseline_tree(args.baseline_ref, tmp)
            res["baseline"] = {"ref": args.baseline_ref,
                               "before": score(old, attacks, models[:1], tmp / "base-old", sel),
                               "after": score(REPO, attacks, models[:1], tmp / "base-new", sel)}
        if "full" in args.sections:
            res["full"] = score(REPO, attacks, models[:1], tmp / "full", [])
    return res


def markdown(res: dict, env: dict) -> str:
    md = [f"## Scoring memory (CPU, tiny model) — {stamp()}", "",
          f"Command: `{res['command']}`; machine: {env['machine']['cpu']}, {env['machine']['cores']} cores, "
          f"{env['machine']['ram_gib']} GiB RAM, load average at start {env.get('loadavg_start')}. "
          f"Selection for flat/models/baseline: languages {','.join(res['langs'])}"
          + (f", --max-per-lang {res['max_per_lang']}" if res["max_per_lang"] else "") + ".", "",
          "| run | rows | unique inputs | peak RSS scored (MiB) | peak RSS end (MiB) | scoring s | rows/s |",
          "|---|---:|---:|---:|---:|---:|---:|"]

    def row(name, r):
        md.append(f"| {name} | {r['rows']:,} | {r['unique']:,} | {r['peak_scored_mib']:.0f} | {r['peak_end_mib']:.0f} "
                  f"| {r['scored_s']:.1f} | {r['rows_per_s']:,.0f} |")

    if "full" in res:
        row("full set, 1 model", res["full"])
    if "flat" in res:
        ch = f", chunk {res['flat']['x1']['chunk_rows']:,} rows" if res["flat"]["x1"].get("chunk_rows") else ""
        row(f"1x, 1 model{ch}", res["flat"]["x1"])
        row(f"10x perturbed rows, 1 model{ch}", res["flat"]["x10"])
    if "models" in res:
        row("1x, 1 model (models)", res["models"]["1"])
        row("1x, 4 models", res["models"]["4"])
    if "baseline" in res:
        row(f"1x, 1 model, before ({res['baseline']['ref']})", res["baseline"]["before"])
        row("1x, 1 model, after", res["baseline"]["after"])
    md.append("")
    if "full" in res:
        ok = res["full"]["peak_end_mib"] <= GOAL_FULL_MIB
        md.append(f"- Full set peak {res['full']['peak_end_mib']:.0f} MiB: goal ≤ {GOAL_FULL_MIB} MiB "
                  f"{'met' if ok else 'MISSED'}.")
    if "flat" in res:
        f = res["flat"]
        md.append(f"- 10x / 1x peak: {f['ratio_scored']}x when scored, {f['ratio_end']}x at the end: goal ≤ {GOAL_FLAT}x "
                  f"{'met' if max(f['ratio_scored'], f['ratio_end']) <= GOAL_FLAT else 'MISSED'}.")
    if "models" in res:
        m = res["models"]
        md.append(f"- 4 models / 1 model peak: {m['4']['peak_end_mib'] / m['1']['peak_end_mib']:.3f}x.")
    if "baseline" in res:
        b = res["baseline"]
        md.append(f"- Per-row rate after / before: {b['after']['rows_per_s'] / b['before']['rows_per_s']:.2f}x; "
                  f"peak {b['before']['peak_end_mib']:.0f} -> {b['after']['peak_end_mib']:.0f} MiB.")
    return "\n".join(md)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attacks", required=True, help="attack set directory (XNLI test x default)")
    ap.add_argument("--sections", default="flat,models,baseline", help="flat,models,baseline,full")
    ap.add_argument("--langs", default="de", help="languages of the flat/models/baseline runs (default de)")
    ap.add_argument("--max-per-lang", type=int, default=1000, help="ids per language in those runs (0: all)")
    ap.add_argument("--baseline-ref", default=BASELINE_REF, help="git revision to compare with")
    ap.add_argument("--chunk-rows", type=int, default=None,
                    help="flat section: harness.collect.CHUNK_ROWS for both runs (default: the harness's own)")
    ap.add_argument("--name", default="scoring-memory", help="results/<name>.json and the RESULTS.md block")
    args = ap.parse_args()
    args.sections = set(args.sections.split(","))
    args.max_per_lang = args.max_per_lang or None
    res = run(args)
    res["command"] = command_line()
    env = environment()
    path = write_result(args.name, {"environment": env, **res})
    update_results_md(args.name, markdown(res, env))
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
