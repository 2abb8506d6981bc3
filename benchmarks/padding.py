#!/usr/bin/env python
"""Padding on a CPU: scoring and attack time against the share of padding at which a batch closes early.

    python benchmarks/padding.py              # trained small XLM-R, 1,500 XNLI test pairs + the attack benchmark's run
    python benchmarks/padding.py --quick      # 300 pairs, 1 repeat

Why: on a CPU a forward costs per padded token whatever the batch size (from about 16 inputs up), so splitting a
batch costs little and padding costs everything; `HFPredictor.max_pad` (harness/models.py) and
`scoring.PAD_MIN_ROWS` are picked from this sweep. Each repeat runs every setting once, in turn (alternating, so
a load change on the shared machine hits all of them): plain `Scorer.score` of 1,500 XNLI test pairs (100 per
language; --quick: 20), and `xstress attack` (greedy over
`char.keyboard`, budget 100) on attack.py's 120 pairs. Writes benchmarks/results/padding-cpu.json and its block
of benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import statistics
import time

import common  # noqa: F401 - puts the repo root on sys.path
from common import command_line, data_root, environment, loadavg, stamp, update_results_md, write_result

# (padding share, min_rows): the share at which a batch closes early, once it holds min_rows inputs.
SETTINGS = ((None, 0), (0.1, 16), (0.05, 16), (0.02, 16), (0.01, 16), (0.0, 16), (0.02, 1), (0.02, 32))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--data")
    ap.add_argument("--repeats", type=int)
    args = ap.parse_args(argv)
    data = data_root(args.data)
    repeats = args.repeats or (1 if args.quick else 3)

    import attack as bench
    from trained_model import trained_model

    from harness.attack.constraints import Constraints
    from harness.attack.run import AttackSpec, attack
    from harness.models import CPU_MAX_PAD, load_model
    from harness.scoring import PAD_MIN_ROWS, Scorer

    pred = load_model(trained_model(data), task="xnli", name="trained-small")
    plain = bench.pick(data, 20 if args.quick else 100)
    examples = bench.pick(data, 3 if args.quick else 8)
    spec = AttackSpec(search="greedy", constraints=Constraints(budget=100, ops=("char.keyboard",)))
    env0, load0 = environment(), loadavg()
    attack(examples, pred, task="xnli", spec=spec, score=Scorer(pred, max_batch=256, progress=False).score)  # warm-up
    lengths = token_lengths(pred, plain)
    rows: dict = {key(*st): {"score": [], "attack": [], "batches": None, "padded_share": padded_share(lengths, *st)}
                  for st in SETTINGS}
    for _ in range(repeats):
        for share, min_rows in SETTINGS:
            row = rows[key(share, min_rows)]
            s = Scorer(pred, progress=False, max_pad=share, pad_min_rows=min_rows)
            t0 = time.perf_counter()
            s.score(plain)
            row["score"].append(time.perf_counter() - t0)
            row["batches"] = s.stats.forward_passes
            t0 = time.perf_counter()
            attack(examples, pred, task="xnli", spec=spec,
                   score=Scorer(pred, max_batch=256, progress=False, max_pad=share, pad_min_rows=min_rows).score)
            row["attack"].append(time.perf_counter() - t0)
    for row in rows.values():
        row["score_median"] = statistics.median(row["score"])
        row["attack_median"] = statistics.median(row["attack"])
    payload = {"command": command_line(), "when": stamp(), "environment": env0, "loadavg": load0,
               "pairs": len(plain), "attack_pairs": len(examples), "repeats": repeats,
               "chosen": key(CPU_MAX_PAD, PAD_MIN_ROWS), "model": "benchmarks/trained_model.py's small XLM-R",
               "rows": rows}
    write_result("padding-cpu" + ("-quick" if args.quick else ""), payload)
    base = rows[key(None, 0)]
    lines = []
    for k, row in rows.items():
        label = "none (fill to the token budget)" if k == key(None, 0) else k
        mark = " ← chosen" if k == key(CPU_MAX_PAD, PAD_MIN_ROWS) else ""
        lines.append(f"| {label}{mark} | {row['batches']} | {100 * row['padded_share']:.1f} % | "
                     f"{row['score_median']:.2f} ({base['score_median'] / row['score_median']:.2f}×) | "
                     f"{row['attack_median']:.2f} ({base['attack_median'] / row['attack_median']:.2f}×) |")
    text = (f"## Padding on a CPU ({stamp()}, `{command_line()}`)\n\n"
            f"Trained small XLM-R (benchmarks/trained_model.py), {env0['machine']['cores']} cores, load average at "
            f"start {load0}. Plain scoring of {len(plain)} XNLI test pairs; `xstress attack` greedy over "
            f"`char.keyboard`, budget 100, on {len(examples)} pairs. Medians of {repeats} alternating repeats "
            "(seconds, and speed-up over no early close).\n\n"
            "| a batch of at least N inputs closes at padding share | batches (plain) | padding (plain) "
            "| plain scoring s | attack s |\n"
            "|---|---:|---:|---:|---:|\n" + "\n".join(lines) + "\n")
    update_results_md("padding-cpu" + ("-quick" if args.quick else ""), text)
    print(text)
    return 0


def key(share, min_rows) -> str:
    return "None" if share is None else f"{share} (N = {min_rows})"


def token_lengths(pred, examples):
    """Each example's token count as the scorer sees it."""
    from harness.scoring import InputTable

    table = InputTable(pred.choices)
    slots = pred.add_inputs(table, examples)  # before reading lengths: the property is a view of what is there
    return table.lengths[slots]


def padded_share(lengths, share, min_rows) -> float:
    """Share of padded tokens in the batches the scorer plans for inputs of these lengths (none cached)."""
    from harness.scoring import DEFAULT_BATCH_TOKENS, DEFAULT_MAX_BATCH, plan_batches

    batches = plan_batches(lengths, [1] * len(lengths), batch_tokens=DEFAULT_BATCH_TOKENS,
                           max_batch=DEFAULT_MAX_BATCH, max_pad=share, min_rows=min_rows)
    padded = sum(int(lengths[b].max()) * len(b) for b in batches)
    return 1 - int(lengths.sum()) / padded


if __name__ == "__main__":
    raise SystemExit(main())
