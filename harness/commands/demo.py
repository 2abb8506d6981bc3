"""`xstress demo`: offline end to end on data/ — build untrained tiny models, perturb, score, compare, report."""

from __future__ import annotations

import sys
from pathlib import Path

from perturb.schema import TASKS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="offline end-to-end demo on the bundled sample (UNTRAINED tiny models; the numbers mean nothing)",
        description="Runs the whole pipeline offline: builds two untrained tiny XLM-R models labelled as a "
        "'sequential' and an 'interleaved' schedule, perturbs the sample data in data/, scores both, compares "
        "them and writes the report. It shows the workflow and the output files, not real results.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--task", choices=(*TASKS, "both"), default="xnli", help="task (default xnli)")
    p.add_argument("--data", metavar="DIR", help="sample data root (default: the sample shipped with xstress, "
                   "data/ in a checkout)")
    p.add_argument("--recipe", default="default", help="perturbation recipe (default: default)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _data_root(arg: str | None) -> Path:
    from harness.errors import HarnessError

    from perturb.sample import sample_data_dir

    if not arg:
        return sample_data_dir()
    root = Path(arg)
    if not root.is_dir():
        raise HarnessError(f"{root}: sample data not found; pass --data DIR (a folder holding xnli/ and xcopa/)")
    return root


def run(args) -> int:
    from transformers.utils import logging as hf_logging

    from harness import demo_models
    from harness.experiment import Experiment, ModelSpec
    from harness.report import format_table, lang_table, render
    from harness.results import write_results
    from harness.runner import RunOptions, run_experiment
    from perturb.engine import generate

    hf_logging.disable_progress_bar()
    out = Path(args.out)
    data = _data_root(args.data)
    tasks = TASKS if args.task == "both" else (args.task,)
    models = out / "models"
    tok = models / "tokenizer"
    if not (tok / "tokenizer.json").is_file():
        demo_models.build_tokenizer(tok)
    for task in tasks:
        print(f"[demo] {task}: building untrained tiny models in {models}", file=sys.stderr)
        specs = []
        for seed, schedule in ((1, "sequential"), (2, "interleaved")):
            name = f"{task}-{schedule}-UNTRAINED"
            path = models / name
            if not (path / "model.safetensors").is_file():
                if task == "xnli":
                    demo_models.build_classifier(path, tokenizer_dir=tok, seed=seed)
                else:
                    demo_models.build_multiple_choice(path, tokenizer_dir=tok, seed=seed)
            specs.append(ModelSpec(name=name, path=str(path), schedule=schedule, seed=seed))
        attacks = out / "attacks" / task
        print(f"[demo] {task}: perturbing {data / task} -> {attacks}", file=sys.stderr)
        generate(task=task, data=data / task, split="test", recipe=args.recipe, seed=13, out=attacks, overwrite=True)
        exp = Experiment(task=task, attacks=str(attacks), models=specs, comparisons=[("sequential", "interleaved")])
        # The sample has 18 ids per language, under the default minimum of 20 ids a cell needs for an interval:
        # the demo lowers it to 5 so that its tables show numbers (a real run keeps 20).
        opts = RunOptions(cache=str(out / "cache.sqlite"), device="cpu", n_boot=1000, min_n=5,
                          progress=False if args.no_progress else None)
        print(f"[demo] {task}: scoring {len(specs)} models", file=sys.stderr)
        doc = run_experiment(exp, opts)
        report_dir = out / "report" / task
        write_results(doc, report_dir)
        files = render(doc, report_dir)
        print(f"\n{task} (untrained demo models: clean accuracy is chance level, Δ is noise)")
        print(format_table(lang_table(doc)))
        print(f"wrote {report_dir / 'results.json'}, {files['summary']}, {files['csv']}, "
              f"{len(files['heatmaps'])} heatmap(s)")
    return 0
