"""`xstress study`: the whole study in one command — train both schedules x seeds, perturb, score, compare."""
from __future__ import annotations

from harness.commands import add_config_flags, quiet_transformers


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "study", help="train two schedules x seeds, perturb, score and compare them, in one command",
        description="Reads a study YAML {schedules: {name: training config}, seeds, perturb, score}, trains every "
        "schedule with every seed (`xstress train`), perturbs the evaluation data (`xstress perturb`), scores all "
        "checkpoints and compares the two schedules with CIs (`xstress score`). Rerun to resume.")
    add_config_flags(p, config="study YAML (see examples/study/)", out="output directory", progress="no progress bars")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from harness.train.study import load_study, run_study

    quiet_transformers(bars=False)
    run_study(load_study(args.config), args.out, progress=False if args.no_progress else None,
              log=lambda m: print(m, file=sys.stderr))
    return 0
