"""`xstress train`: train XLM-R on a sequential or interleaved schedule of tasks; the result scores as it is."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train a checkpoint with a sequential or interleaved intermediate-task schedule",
        description="Train a shared XLM-R encoder with one head per task on local data, following the config's "
        "schedule (sequential: task after task, then the target; interleaved: one task per step drawn by "
        "jiant's samplers). Writes OUT/model (the target checkpoint `xstress score` reads), training.json, "
        "dev_curve.jsonl/png and experiment.yaml. Rerun the same command to resume after a kill. Several GPUs: "
        "`accelerate launch -m harness.cli train ...` or `torchrun --nproc_per_node N -m harness.cli train ...`.")
    p.add_argument("--config", required=True, metavar="FILE", help="schedule YAML (see the README)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (rerun with the same DIR to resume)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from transformers.utils import logging as hf_logging

    from harness.train import load_config, train

    hf_logging.set_verbosity_error()
    if args.no_progress or not sys.stderr.isatty():
        hf_logging.disable_progress_bar()  # transformers' own bars (saving shards) only in a terminal
    cfg = load_config(args.config)
    doc = train(cfg, args.out, progress=False if args.no_progress else None,
                log=lambda m: print(m, file=sys.stderr))
    if doc:
        best = doc.get("best")
        extra = f"; best zero-shot dev mean {best['mean']:.3f} at step {best['step']}" if best else ""
        print(f"trained {doc['schedule']} (seed {doc['seed']}), {doc['steps']} steps{extra}: {args.out}/model "
              f"(score it with `xstress score --model NAME={args.out}/model ...`)")
    return 0
