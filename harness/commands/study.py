"""`xstress study`: the whole study in one command — train both schedules x seeds, perturb, score, compare."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "study", help="train two schedules x seeds, perturb, score and compare them, in one command",
        description="Reads a study YAML {schedules: {name: training config}, seeds, perturb, score}, trains every "
        "schedule with every seed (`xstress train`), perturbs the evaluation data (`xstress perturb`), scores all "
        "checkpoints and compares the two schedules with CIs (`xstress score`). Rerun to resume.")
    p.add_argument("--config", required=True, metavar="FILE", help="study YAML (see examples/study/)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from transformers.utils import logging as hf_logging

    from harness.train.study import load_study, run_study

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    run_study(load_study(args.config), args.out, progress=False if args.no_progress else None,
              log=lambda m: print(m, file=sys.stderr))
    return 0
