#!/usr/bin/env python
"""Attack benchmark against TextAttack itself (issue #14): TextAttack's `Attack` (GreedyWordSwapWIR) and
`xstress attack` (greedy), same model, search, candidates, budget and XNLI test examples, on the CPU.

    python benchmarks/attack_textattack.py                  # 15 languages x 8 pairs, budget 100, 3 repeats
    python benchmarks/attack_textattack.py --quick          # 15 x 2 pairs, 1 repeat
    python benchmarks/attack_textattack.py --per-lang 8 --wrappers hf,dynamic --repeats 3 --hf-repeats 3
                                                            # the RESULTS.md run (trained small model)
    python benchmarks/attack_textattack.py --repeats 5 --hf-repeats 5 --model benchmarks/.cache/demo/cls
                                                            # the tiny demo classifier instead

- Model: --model DIR, else a small XLM-R (hidden 256, 4 layers) trained on XNLI dev (benchmarks/trained_model.py,
  built on first use in about 15 minutes; 38 % on XNLI test, its predictions follow the text), saved with
  safetensors; xstress loads it with transformers 5, TextAttack with transformers 4 in benchmarks/.peers-venv.
- Search: greedy word importance by deletion (TextAttack `wir_method="delete"`, what xstress's greedy ranks by),
  only words with candidates ranked (TextAttack: a pre-transformation constraint), untargeted goal, budget per
  example with the clean query counted, at most round(0.2 x hypothesis words) words edited (MaxWordsPerturbed),
  hypothesis only (InputColumnModification).
- Transformation: `char.keyboard`'s candidate single edits, exported from xstress's own search space
  (benchmarks/ta_export.py) and looked up by a TextAttack `Transformation` (benchmarks/_peer_textattack.py): the
  adapter's candidates without importing xstress, which needs transformers 5.
- TextAttack runs with its stock `HuggingFaceModelWrapper` (pads every batch to the tokenizer's
  model_max_length) and, to separate search from padding, with a wrapper that pads to the batch's longest.
Runs alternate repeat by repeat (the stock wrapper only in the first --hf-repeats); the ratios are of the medians. Writes benchmarks/results/attack-textattack-cpu
[-quick].json and its block in benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repo root on sys.path
from common import (
    command_line,
    data_root,
    environment,
    loadavg,
    stamp,
    update_results_md,
    write_result,
)

OPS = ("char.keyboard",)
MAX_SHARE = 0.2
SEED = 13


def run_xstress(examples, predictor, budget: int):
    """(seconds, results) of one `xstress attack` greedy run (lockstep) with a fresh cacheless scorer."""
    from harness.attack.constraints import Constraints
    from harness.attack.run import AttackSpec, attack
    from harness.scoring import Scorer

    spec = AttackSpec(search="greedy", seed=SEED, constraints=Constraints(budget=budget, ops=OPS,
                                                                          max_share=MAX_SHARE))
    t0 = time.perf_counter()
    res = attack(examples, predictor, task="xnli", spec=spec, score=Scorer(predictor, max_batch=256,
                                                                          progress=False).score)
    return time.perf_counter() - t0, res


def run_textattack(worker, records_path: Path, model: Path, budget: int, wrapper: str, tmp: Path):
    out = tmp / f"ta-{wrapper}.json"
    reply = worker.ask({"cmd": "ta_attack", "input": str(records_path), "output": str(out), "model": str(model),
                        "budget": budget, "wrapper": wrapper})
    if not reply.get("ok"):
        raise RuntimeError(f"TextAttack run failed: {reply.get('error')}")
    return reply["seconds"], json.loads(out.read_text(encoding="utf-8")), reply.get("versions")


def check_same_ids(worker, model: Path, predictor, examples) -> None:
    """Both sides must feed the model the same token ids (transformers 4 and 5 load the same tokenizer files)."""
    pairs = [[ex.fields["premise"], ex.fields["hypothesis"]] for ex in examples]
    reply = worker.ask({"cmd": "ta_encode", "model": str(model), "pairs": pairs})
    if not reply.get("ok"):
        raise RuntimeError(f"TextAttack side cannot tokenize: {reply.get('error')}")
    ours = predictor.tokenizer([a for a, _ in pairs], [b for _, b in pairs], truncation=True)["input_ids"]
    bad = [ex.id for ex, a, b in zip(examples, ours, reply["ids"]) if list(a) != list(b)]
    if bad:
        raise RuntimeError(f"transformers 4 and 5 tokenize {len(bad)} pairs differently, e.g. {bad[0]}")


def xs_summary(res) -> dict:
    st = ["skipped" if r.outcome.skipped else "success" if r.outcome.success else "failed" for r in res]
    return _summary(st, [r.outcome.queries for r in res])


def ta_summary(res) -> dict:
    return _summary([r["status"] for r in res], [r["queries"] for r in res])


def _summary(status, queries) -> dict:
    attacked = [s for s in status if s != "skipped"]
    succ = sum(s == "success" for s in attacked)
    return {"attacked": len(attacked), "skipped": len(status) - len(attacked), "successes": succ,
            "success_rate": succ / len(attacked) if attacked else None, "queries": sum(queries),
            "status": status, "per_example_queries": list(queries)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--data")
    ap.add_argument("--per-lang", type=int)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--wrappers", default="hf,dynamic", help="TextAttack model wrappers: hf (stock), dynamic")
    ap.add_argument("--model", help="a saved XNLI classifier directory instead of benchmarks/trained_model.py's")
    ap.add_argument("--tag", default="", help="suffix of the result's name (results/attack-textattack-cpu-TAG.json)")
    ap.add_argument("--hf-repeats", type=int, default=1,
                    help="repeats of the stock wrapper (it pads every input to 512 tokens: slow on a CPU)")
    args = ap.parse_args(argv)
    per_lang = args.per_lang or (2 if args.quick else 8)
    repeats = args.repeats or (1 if args.quick else 3)
    wrappers = [w for w in args.wrappers.split(",") if w]
    data = data_root(args.data)
    from harness.models import load_model

    import peers
    import scoring
    import ta_export
    from trained_model import trained_model

    examples = scoring.pick_examples(data, per_lang)
    model = Path(args.model).resolve() if args.model else trained_model(data)
    predictor = load_model(model, task="xnli")
    if list(predictor.perm) != [0, 1, 2]:
        raise RuntimeError(f"{model}: label order {predictor.perm} is not XNLI's; the exported gold would not match")
    env = peers.ensure_env()
    if not env.get("python"):
        raise SystemExit(f"the peers' environment is unavailable: {env.get('error')}")
    records = ta_export.export(examples, OPS, max_share=MAX_SHARE, seed=SEED)
    with tempfile.TemporaryDirectory(prefix="xstress-bench-ta-") as tmpdir:
        tmp = Path(tmpdir)
        rec_path = tmp / "records.json"
        rec_path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        warm_path = tmp / "warm.json"
        warm_path.write_text(json.dumps(records[:3], ensure_ascii=False), encoding="utf-8")
        worker = peers.PeerWorker(env["python"])
        try:
            check_same_ids(worker, model, predictor, examples)
            times = {"xstress": [], **{f"textattack-{w}": [] for w in wrappers}}
            outs: dict = {}
            # Warm-ups: imports, model loads, segmenters and torch threads, outside every timed run.
            run_xstress(examples, predictor, args.budget)
            for w in wrappers:
                run_textattack(worker, warm_path, model, args.budget, w, tmp)
            versions = None
            for r in range(repeats):
                for w in wrappers:
                    if w == "hf" and r >= args.hf_repeats:
                        continue
                    s, res, versions = run_textattack(worker, rec_path, model, args.budget, w, tmp)
                    times[f"textattack-{w}"].append(s)
                    outs[f"textattack-{w}"] = res
                    print(f"[repeat {r}] textattack-{w}: {s:.1f} s", flush=True)
                s, res = run_xstress(examples, predictor, args.budget)
                times["xstress"].append(s)
                outs["xstress"] = res
                print(f"[repeat {r}] xstress: {s:.1f} s", flush=True)
        finally:
            worker.close()
    return report(args, examples, records, per_lang, repeats, times, outs, versions)


def report(args, examples, records, per_lang, repeats, times, outs, versions) -> int:
    med = {k: statistics.median(v) for k, v in times.items()}
    xs = xs_summary(outs["xstress"])
    runs = {"xstress": {"seconds": times["xstress"], "median_seconds": med["xstress"], **xs}}
    for k in times:
        if k == "xstress":
            continue
        ta = ta_summary(outs[k])
        agree = sum(a == b for a, b in zip(ta["status"], xs["status"]))
        runs[k] = {"seconds": times[k], "median_seconds": med[k], **ta, "same_status_as_xstress": agree,
                   "speedup_of_xstress": med[k] / med["xstress"]}
    payload = {"command": command_line(), "when": stamp(), "environment": environment(), "loadavg": loadavg(),
               "peers_versions": versions, "examples": len(examples), "per_lang": per_lang, "budget": args.budget,
               "repeats": repeats, "ops": list(OPS), "max_share": MAX_SHARE, "search": "greedy (WIR delete)",
               "candidates": sum(len(p["cands"]) for r in records for p in r["positions"]),
               "conflicting_pairs": sum(len(r["conflicts"]) for r in records), "runs": runs,
               "ids": [ex.id for ex in examples], "model": model_note(args.model)}
    name = "attack-textattack-cpu" + ("-quick" if args.quick else "") + (f"-{args.tag}" if args.tag else "")
    write_result(name, payload)
    text = markdown(payload)
    update_results_md(name, text)
    print(text)
    return 0


def model_note(model: str | None) -> str:
    if model:
        if "demo" in Path(model).parts:
            return ("harness.demo_models' tiny XLM-R classifier (hidden 32, 2 layers, untrained: a wide init makes "
                    f"its predictions depend on the text; {model})")
        return str(model)
    import trained_model as tm

    return f"small XLM-R (hidden 256, 4 layers) trained {tm.STEPS} steps of batch {tm.BATCH} on XNLI dev"


def markdown(p: dict) -> str:
    rows = []
    for k, r in p["runs"].items():
        label = {"xstress": "`xstress attack` greedy (lockstep)",
                 "textattack-hf": "TextAttack `Attack`, stock `HuggingFaceModelWrapper`",
                 "textattack-dynamic": "TextAttack `Attack`, wrapper padding to the batch's longest"}.get(k, k)
        ratio = "1" if k == "xstress" else f"{r['speedup_of_xstress']:.1f}×"
        same = "" if k == "xstress" else f"{r['same_status_as_xstress']} / {p['examples']}"
        rows.append(f"| {label} | {r['median_seconds']:.1f} ({', '.join(f'{s:.1f}' for s in r['seconds'])}) | "
                    f"{r['successes']} / {r['attacked']} = {r['success_rate']:.3f} | {r['skipped']} | "
                    f"{r['queries']} | {ratio} | {same} |")
    return (f"## Attack: TextAttack vs `xstress attack` ({p['when']}, `{p['command']}`)\n\n"
            f"{p['examples']} XNLI test pairs ({p['per_lang']} per language, 15 languages), greedy word importance "
            f"(deletion) over `char.keyboard`'s {p['candidates']} candidate edits, budget {p['budget']} queries per "
            f"example, at most {p['max_share']:.0%} of hypothesis words edited, {p['model']}, CPU ({p['environment']['machine']['cores']} cores, shared). Medians of {p['repeats']} "
            "alternating repeats; TextAttack "
            f"{(p['peers_versions'] or {}).get('textattack')} with transformers "
            f"{(p['peers_versions'] or {}).get('transformers')} in benchmarks/.peers-venv.\n\n"
            "| run | wall s: median (repeats) | success rate | skipped | queries | xstress speed-up | same outcome "
            "as xstress |\n|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
