"""`xstress score`: score checkpoints on an attack set and write results.json, summary.md, results.csv, heatmaps."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    from harness.commands import add_no_verify

    p = subparsers.add_parser(
        "score",
        help="score checkpoints on an attack set (degradation per language and perturbation, with CIs)",
        description="Score fine-tuned checkpoints on an attack set written by `xstress perturb`. Give models on "
        "the command line (--attacks, --model, --schedule) or an experiment YAML (--experiment).",
    )
    src = p.add_argument_group("what to score")
    src.add_argument("--experiment", metavar="FILE", help="experiment YAML {task, attacks, models, comparisons}")
    src.add_argument("--attacks", metavar="DIR", help="attack set directory (has manifest.json)")
    src.add_argument("--model", action="append", default=[], metavar="[NAME=]PATH",
                     help="checkpoint directory (or hub id when online); repeatable")
    src.add_argument("--schedule", action="append", default=[], metavar="NAME=SCHEDULE",
                     help="training schedule of model NAME (e.g. seq1=sequential); repeatable")
    src.add_argument("--seed", action="append", default=[], metavar="NAME=SEED", help="training seed of model NAME")
    src.add_argument("--compare", action="append", default=[], metavar="A:B",
                     help="compare group A with group B (schedules or model names). Default with exactly two "
                     "schedules: the first-named against the second")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    m = p.add_argument_group("loading")
    m.add_argument("--label-order", metavar="L1,L2,L3",
                   help="names of the model's output ids 0..n-1, for checkpoints with generic LABEL_k names")
    m.add_argument("--allow-pickle", action="store_true",
                   help="allow pytorch_model.bin (loaded with torch.load(weights_only=True)); default: safetensors only")
    m.add_argument("--device", help="cpu, cuda, cuda:1 … (default: cuda if available)")
    m.add_argument("--template", help="XCOPA first segment (default: '{premise} What was the {question}?')")
    m.add_argument("--xcopa-question", choices=("majority", "as-is"), default="majority",
                   help="XCOPA: score each item with its question (cause/effect) as the majority over the 11 "
                   "languages of the official files (default), or as stored in the attack set")
    s = p.add_argument_group("scoring")
    s.add_argument("--batch-tokens", type=int, default=None, metavar="N",
                   help="max padded tokens per batch (default 16384)")
    s.add_argument("--cache", metavar="PATH",
                   help="SQLite prediction cache ('none' to disable; default $XSTRESS_CACHE or "
                   "~/.cache/xstress/predictions.sqlite)")
    s.add_argument("--max-per-lang", type=int, metavar="N", help="score a seeded sample of N ids per language")
    s.add_argument("--sample-seed", type=int, default=0, help="seed of --max-per-lang's choice (default 0)")
    s.add_argument("--langs", help="comma-separated languages (default: all in the attack set)")
    s.add_argument("--ops", help="comma-separated perturbations (default: all)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_no_verify(s, "results.json and summary.md then say it was not verified")
    st = p.add_argument_group("statistics")
    st.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples (default 1000)")
    st.add_argument("--bootstrap-seed", type=int, default=12345, help="bootstrap seed (default 12345)")
    st.add_argument("--alpha", type=float, default=0.05, help="significance level after correction (default 0.05)")
    st.add_argument("--correction", choices=("holm", "bh"), default="holm",
                    help="multiple-comparison correction: holm (family-wise error) or bh (Benjamini–Hochberg false "
                    "discovery rate); default holm")
    st.add_argument("--min-n", type=int, default=20, metavar="N",
                    help="fewest ids a cell needs for an interval and a test (default 20)")
    p.set_defaults(func=run)


def _pairs(values, flag):
    from harness.errors import ExperimentError

    out = {}
    for v in values:
        if "=" not in v:
            raise ExperimentError(f"{flag} {v!r}: expected NAME=VALUE")
        k, val = v.split("=", 1)
        out[k] = val
    return out


def build_experiment(args):
    """The Experiment from --experiment or from --attacks/--model/--schedule/--seed/--compare."""
    from harness.errors import ExperimentError
    from harness.experiment import Experiment, ModelSpec, load_experiment, parse_model_arg, validate

    if args.experiment:
        if args.attacks or args.model or args.schedule or args.seed:
            raise ExperimentError("--experiment replaces --attacks/--model/--schedule/--seed; give one or the other")
        exp = load_experiment(args.experiment)
    else:
        if not args.attacks or not args.model:
            raise ExperimentError("give --experiment FILE, or --attacks DIR with at least one --model [NAME=]PATH")
        schedules, seeds = _pairs(args.schedule, "--schedule"), _pairs(args.seed, "--seed")
        models = []
        for text in args.model:
            name, path = parse_model_arg(text)
            models.append(ModelSpec(name=name, path=path, schedule=schedules.pop(name, None),
                                    seed=int(seeds.pop(name)) if name in seeds else None))
        for flag, left in (("--schedule", schedules), ("--seed", seeds)):
            if left:
                raise ExperimentError(f"{flag} names unknown model(s) {sorted(left)}; models: {[m.name for m in models]}")
        exp = Experiment(task=None, attacks=args.attacks, models=models)
        validate(exp)
    if args.compare:
        exp.comparisons = []
        for c in args.compare:
            if ":" not in c:
                raise ExperimentError(f"--compare {c!r}: expected A:B")
            a, b = c.split(":", 1)
            exp.comparisons.append((a, b))
    return exp  # with no comparison named, run_experiment compares exactly two schedules (as harness.evaluate)


def options_from_args(args):
    """RunOptions from the flags; an invalid value is one error naming its flag."""
    from harness.errors import OptionError
    from perturb.errors import UsageError

    try:
        return _options(args)
    except OptionError as e:  # the library names the argument; the CLI names the flag
        raise UsageError(_FLAGS.get(e.name, "--" + e.name.replace("_", "-")), e.message) from None


_FLAGS = {"n_boot": "--bootstrap", "boot_seed": "--bootstrap-seed"}


def _options(args):
    from harness.cache import default_cache_path
    from harness.labels import parse_label_order
    from harness.models import DEFAULT_XCOPA_TEMPLATE
    from harness.runner import RunOptions
    from harness.scoring import DEFAULT_BATCH_TOKENS

    cache = args.cache if args.cache is not None else str(default_cache_path())
    split = lambda s: tuple(x.strip() for x in s.split(",") if x.strip()) if s else None  # noqa: E731
    return RunOptions(
        label_order=parse_label_order(args.label_order),
        allow_pickle=args.allow_pickle,
        device=args.device,
        template=args.template or DEFAULT_XCOPA_TEMPLATE,
        batch_tokens=DEFAULT_BATCH_TOKENS if args.batch_tokens is None else args.batch_tokens,
        cache=None if cache.lower() == "none" else cache,
        max_per_lang=args.max_per_lang,
        sample_seed=args.sample_seed,
        langs=split(args.langs),
        ops=split(args.ops),
        n_boot=args.bootstrap,
        boot_seed=args.bootstrap_seed,
        alpha=args.alpha,
        correction=args.correction,
        min_n=args.min_n,
        progress=False if args.no_progress else None,
        predictions_dir=args.out,
        xcopa_question=args.xcopa_question,
        verify=not args.no_verify,
        data_parallel=True,
    )


def run(args) -> int:
    from harness.report import format_table, lang_table, render, significance_line
    from harness.results import write_results
    from harness.runner import run_experiment

    exp = build_experiment(args)
    opts = options_from_args(args)
    if opts.progress is False or not sys.stderr.isatty():
        # transformers' own "Loading weights" bars would clutter logs the same way.
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    doc = run_experiment(exp, opts)
    if doc is None:  # another rank of a torchrun launch: rank 0 writes
        return 0
    path = write_results(doc, args.out)
    files = render(doc, args.out)
    print(format_table(lang_table(doc)))
    for comp in doc["comparisons"]:
        print(significance_line(comp))  # the same line summary.md states
    print(f"wrote {path}, {files['summary']}, {files['csv']} and {len(files['heatmaps'])} heatmap(s)")
    print(f"per-example predictions: {', '.join(m['predictions'] for m in doc['models'] if m.get('predictions'))} "
          f"(in {args.out})")
    return 0
