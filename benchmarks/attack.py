#!/usr/bin/env python
"""Attack benchmark (CPU): `xstress attack`'s lockstep search against the same search run one example at a time.

    python benchmarks/attack.py            # 15 languages x 8 XNLI test pairs, budget 100, greedy over char.keyboard
    python benchmarks/attack.py --quick    # 15 x 3 pairs, budget 40
    python benchmarks/attack.py --shape xlmr-base --sample   # on a GPU (gpu.sh ATTACK=1): XLM-R base shapes,
                                                              # the repo's data/ sample (no real data needed)

Same model, same search (greedy word importance), same transformation (char.keyboard's candidates), same budget,
same examples. Compared:
- per-example: the search run for one example at a time, its queries scored in batches of at most 32 (the
  structure of TextAttack's `Attack.attack`, whose `model_batch_size` is 32), the same loop written with xstress
  parts; TextAttack itself (it needs transformers < 5, so its own environment) is run by attack_textattack.py;
- lockstep: `harness.attack.run.attack`: every example's queries of a round in one scoring call.
The success rates must be equal (both searches are deterministic and ask the same queries); the ratio of wall
times is what batching across examples buys. Query throughput: the lockstep run's queries per second against
plain scoring (`Scorer.score`) of exactly the inputs the attack asked, in one call.

The model is benchmarks/scoring.py's random-weight small XLM-R (hidden 256, 4 layers) with its XNLI-dev
SentencePiece tokenizer (built once into benchmarks/.cache/); --quick uses harness.demo_models' tiny model;
--trained the same small shape trained on XNLI dev (benchmarks/trained_model.py), whose predictions follow the text.
Writes benchmarks/results/attack-cpu[-quick|-trained].json and its block of benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repo root on sys.path
from common import command_line, data_root, environment, loadavg, stamp, update_results_md, write_result

SHAPES = {
    "small": {"hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 1024},
    "xlmr-base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
    "xlmr-large": {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
                   "intermediate_size": 4096},
}


def model_dir(shape: str, data: Path | None) -> Path:
    """The benchmark's random-weight classifier: the demo's tiny one, or `shape` with a tokenizer trained on
    XNLI dev (real data) or the demo's tokenizer (with --sample: no real data on the machine)."""
    from harness import demo_models

    root = Path(tempfile.mkdtemp(prefix="xstress-bench-attack-"))
    if shape == "tiny" or data is None:
        demo_models.build_tokenizer(root / "tok")
        if shape == "tiny":
            return demo_models.build_classifier(root / "cls", tokenizer_dir=root / "tok", seed=0)
        tok = root / "tok"
    else:
        import scoring

        tok = scoring.build_tokenizer(data)
    import scoring

    return scoring.build_model(tok, SHAPES[shape], name=f"{shape}-{'sample' if data is None else 'xnli'}")


def pick(data: Path | None, per_lang: int) -> list:
    """per_lang XNLI test pairs per language from the real data, or from the repo's data/ sample."""
    import scoring

    if data is not None:
        return scoring.pick_examples(data, per_lang)
    from perturb.loaders import load
    from perturb.sample import sample_data_dir

    by_lang = load(task="xnli", data=str(sample_data_dir() / "xnli"), split="test", langs="all")
    return [ex for lang in sorted(by_lang) for ex in by_lang[lang][:per_lang]]


def run_once(examples, predictor, spec, *, lockstep: bool):
    """(seconds, results, asked inputs) of one attack run with a fresh, cacheless scorer."""
    from harness.attack.run import attack
    from harness.scoring import Scorer

    asked: list = []

    def make_score(max_batch):
        scorer = Scorer(predictor, max_batch=max_batch, progress=False)

        def score(exs):
            asked.extend(exs)
            return scorer.score(exs)
        return score

    t0 = time.perf_counter()
    if lockstep:
        res = attack(examples, predictor, task="xnli", spec=spec, score=make_score(256))
    else:
        res = [r for ex in examples for r in attack([ex], predictor, task="xnli", spec=spec, score=make_score(32))]
    return time.perf_counter() - t0, res, asked


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--data")
    ap.add_argument("--shape", choices=("tiny", *SHAPES), help="model shape (default: tiny with --quick, else small)")
    ap.add_argument("--sample", action="store_true", help="the repo's data/ sample instead of the real data")
    ap.add_argument("--trained", action="store_true",
                    help="benchmarks/trained_model.py's small XLM-R trained on XNLI dev (built on first use, ~15 min) "
                         "instead of random weights")
    ap.add_argument("--repeats", type=int, default=1, help="alternating repeats of the three timed runs (medians)")
    args = ap.parse_args(argv)
    if args.trained and (args.sample or args.quick or args.shape not in (None, "small")):
        ap.error("--trained is the small shape on the real data (no --quick, --sample or other --shape)")
    args.shape = args.shape or ("tiny" if args.quick else "small")
    data = None if args.sample else data_root(args.data)
    from harness.attack.constraints import Constraints
    from harness.attack.run import AttackSpec
    from harness.models import load_model
    from harness.scoring import Scorer

    per_lang, budget = (3, 40) if args.quick else (8, 100)
    examples = pick(data, per_lang)
    if args.trained:
        from trained_model import trained_model

        predictor = load_model(trained_model(data), task="xnli")
    else:
        predictor = load_model(model_dir(args.shape, data), task="xnli")
    spec = AttackSpec(search="greedy", constraints=Constraints(budget=budget, ops=("char.keyboard",)))
    # Warm-up on all examples: segmenters, layouts, torch threads and the per-text memos, so that neither timed
    # run pays a one-off cost the other does not.
    run_once(examples, predictor, spec, lockstep=True)
    times: dict[str, list[float]] = {"loop": [], "lockstep": [], "plain": []}
    for _ in range(args.repeats):  # alternating, so that a load change on the shared machine hits all three
        t, r_loop, _ = run_once(examples, predictor, spec, lockstep=False)
        times["loop"].append(t)
        t, r_lock, asked = run_once(examples, predictor, spec, lockstep=True)
        times["lockstep"].append(t)
        t0 = time.perf_counter()
        Scorer(predictor, progress=False).score(asked)
        times["plain"].append(time.perf_counter() - t0)
    return report(args, examples, budget, r_loop, r_lock, asked, times)


def model_words(args) -> str:
    if args.trained:
        import trained_model as tm

        return f"small XLM-R (hidden 256, 4 layers) trained {tm.STEPS} steps of batch {tm.BATCH} on XNLI dev"
    return f"random-weight XLM-R ({args.shape})"


def _rate(res) -> float:
    attacked = [r for r in res if not r.outcome.skipped]
    return sum(r.outcome.success for r in attacked) / len(attacked) if attacked else float("nan")


def report(args, examples, budget, r_loop, r_lock, asked, times) -> int:
    import statistics

    t_loop, t_lock, t_plain = (statistics.median(times[k]) for k in ("loop", "lockstep", "plain"))
    ratios = [p / lk for p, lk in zip(times["plain"], times["lockstep"])]
    queries = sum(r.outcome.queries for r in r_lock)
    same = [(r.outcome.success, r.outcome.queries) for r in r_loop] == [(r.outcome.success, r.outcome.queries)
                                                                        for r in r_lock]
    payload = {"command": command_line(), "when": stamp(), "environment": environment(), "loadavg": loadavg(),
               "examples": len(examples), "budget": budget, "search": "greedy", "ops": ["char.keyboard"],
               "per_example": {"seconds": t_loop, "success_rate": _rate(r_loop)},
               "lockstep": {"seconds": t_lock, "success_rate": _rate(r_lock), "queries": queries,
                            "scored_inputs": len(asked)},
               "plain_scoring": {"seconds": t_plain, "inputs": len(asked)},
               "same_outcomes": same, "speedup": t_loop / t_lock, "throughput_vs_plain": t_plain / t_lock,
               "repeats": times, "throughput_per_repeat": ratios, "model": model_words(args)}
    import torch

    where = "gpu" if torch.cuda.is_available() else "cpu"
    name = (f"attack-{where}" + ("-quick" if args.quick else "") + ("-trained" if args.trained else "")
            + ("" if args.shape in ("tiny", "small") else f"-{args.shape}") + ("-sample" if args.sample else ""))
    write_result(name, payload)
    text = (f"## Attack: lockstep vs per-example ({stamp()}, `{command_line()}`)\n\n"
            f"{len(examples)} XNLI test pairs (15 languages), greedy word importance over `char.keyboard`, budget "
            f"{budget}, {model_words(args)} on {where.upper()}"
            f"{', data/ sample' if args.sample else ''}; wall times are medians of {args.repeats} alternating "
            "repeat(s).\n\n"
            "| run | wall s | success rate | queries |\n|---|---:|---:|---:|\n"
            f"| per-example loop (batches ≤ 32, TextAttack's structure) | {t_loop:.1f} | {_rate(r_loop):.3f} | "
            f"{sum(r.outcome.queries for r in r_loop)} |\n"
            f"| `xstress attack` lockstep | {t_lock:.1f} | {_rate(r_lock):.3f} | {queries} |\n"
            f"| plain `Scorer.score` of the same {len(asked)} inputs | {t_plain:.1f} | | |\n\n"
            f"Speed-up {t_loop / t_lock:.2f}× (the ≥ 10× goal is against TextAttack: attack_textattack.py); query "
            f"throughput {100 * t_plain / t_lock:.0f} % of plain scoring (goal ≥ 80 %; per repeat "
            f"{', '.join(f'{100 * r:.0f}' for r in ratios)} %); identical per-example "
            f"outcomes: {'yes' if same else 'no'}"
            + ("" if same else " (near-tied probabilities can flip under the float noise of different batch shapes)")
            + ".\n")
    update_results_md(name, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
