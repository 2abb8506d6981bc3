"""`xstress train`: train XLM-R on a sequential or interleaved schedule of tasks; the result scores as it is."""
from __future__ import annotations

from harness.commands import add_config_flags, quiet_transformers


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train a checkpoint with a sequential or interleaved intermediate-task schedule",
        description="Train a shared XLM-R encoder with one head per task on local data, following the config's "
        "schedule (sequential: task after task, then the target; interleaved: one task per step drawn by "
        "jiant's samplers). Writes OUT/model (the target checkpoint `xstress score` reads), training.json, "
        "dev_curve.jsonl/png and experiment.yaml. Rerun the same command to resume after a kill. Several GPUs: "
        "`accelerate launch -m harness.cli train ...` or `torchrun --nproc_per_node N -m harness.cli train ...`.")
    add_config_flags(p, config="schedule YAML (see the README)",
                     out="output directory (rerun with the same DIR to resume)", progress="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from harness.train import load_config, train

    quiet_transformers(bars=not args.no_progress and sys.stderr.isatty())  # its bars only in a terminal
    cfg = load_config(args.config)
    doc = train(cfg, args.out, progress=False if args.no_progress else None,
                log=lambda m: print(m, file=sys.stderr))
    if doc:
        best = doc.get("best")
        extra = f"; best zero-shot dev mean {best['mean']:.3f} at step {best['step']}" if best else ""
        print(f"trained {doc['schedule']} (seed {doc['seed']}), {doc['steps']} steps{extra}: {args.out}/model "
              f"(score it with `xstress score --model NAME={args.out}/model ...`)")
    return 0
