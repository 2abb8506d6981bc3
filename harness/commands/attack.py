"""`xstress attack`: model-in-the-loop adversarial search (greedy / beam / random) under a query budget."""

from __future__ import annotations


def register(subparsers) -> None:
    from harness.attack.constraints import SEARCHES
    from harness.commands import add_no_verify

    p = subparsers.add_parser(
        "attack", help="search for adversarial variants against a model (query budget, batched across examples)",
        description="Search the label-preserving ops' candidate edits for variants a model gets wrong. Writes "
        "OUT/attackset (an attack set: score it on other models with `xstress score`), OUT/results.json, "
        "OUT/summary.md and OUT/success_vs_budget.png.")
    src = p.add_argument_group("what to attack")
    src.add_argument("--data", metavar="DIR", help="data directory or file (any layout `xstress perturb` reads)")
    src.add_argument("--attacks", metavar="DIR", help="an attack set: its clean rows are attacked")
    src.add_argument("--task", choices=("xnli", "xcopa"), help="needed with --data")
    src.add_argument("--split", choices=("dev", "val", "test"), default="test", help="with --data (default test)")
    src.add_argument("--langs", default="all", help="'all' or a comma list such as de,fr")
    src.add_argument("--max-per-lang", type=int, metavar="N", help="attack a seeded sample of N ids per language")
    src.add_argument("--sample-seed", type=int, default=0, help="seed of --max-per-lang's choice (default 0)")
    add_no_verify(src, "with --attacks; results.json records it")
    p.add_argument("--model", required=True, action="append", metavar="[NAME=]DIR",
                   help="the checkpoint attacked; repeatable (each model is attacked on its own, into OUT/NAME/)")
    p.add_argument("--schedule", action="append", default=[], metavar="NAME=SCHEDULE",
                   help="training schedule of model NAME, to compare groups of models (repeatable)")
    p.add_argument("--compare", action="append", default=[], metavar="A:B",
                   help="compare accuracy under attack of group A with group B (schedules or model names); "
                   "default with exactly two schedules (or two models): the first-named against the second")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--overwrite", action="store_true", help="replace OUT/attackset if it exists")
    s = p.add_argument_group("search")
    s.add_argument("--search", choices=SEARCHES, default="greedy", help="greedy word-importance (default), beam, "
                   "or the random baseline at the same budget")
    s.add_argument("--beam", type=int, default=4, metavar="B", help="beam width of --search beam (default 4)")
    s.add_argument("--budget", type=int, default=200, metavar="N", help="model queries per example (default 200)")
    s.add_argument("--max-share", type=float, default=0.2, metavar="F",
                   help="most of the editable words that may be edited (default 0.2)")
    s.add_argument("--ops", help="comma list of label-preserving ops (default: all that need no external resource)")
    s.add_argument("--recipe", choices=("bumblebee",), help="a named search space instead of --ops: bumblebee "
                   "(Tan & Joty 2021) replaces words of English examples by their MUSE translations into the "
                   "other XNLI languages; needs --lexicon-dir")
    s.add_argument("--lexicon-dir", metavar="DIR", help="MUSE lexicons (en-<lang>.txt), for --recipe bumblebee")
    s.add_argument("--fields", help="comma list of editable fields (default: xnli hypothesis; xcopa premise, "
                   "choice1, choice2)")
    s.add_argument("--similarity", metavar="DIR", help="local sentence encoder (e.g. LaBSE): variants below "
                   "--min-similarity to the original are never queried (off by default)")
    s.add_argument("--min-similarity", type=float, default=0.8, help="cosine threshold (default 0.8)")
    s.add_argument("--seed", type=int, default=13, help="seed of candidate draws and the random search (default 13)")
    m = p.add_argument_group("loading and scoring")
    m.add_argument("--label-order", metavar="L1,L2,L3", help="names of the model's output ids, for LABEL_k configs")
    m.add_argument("--allow-pickle", action="store_true", help="allow pytorch_model.bin (weights_only=True)")
    m.add_argument("--device", help="cpu, cuda, cuda:1 … (default: cuda if available)")
    m.add_argument("--batch-tokens", type=int, default=16384, metavar="N", help="max padded tokens per batch")
    m.add_argument("--cache", metavar="PATH", help="SQLite prediction cache ('none' to disable; default "
                   "$XSTRESS_CACHE or ~/.cache/xstress/predictions.sqlite): a killed attack resumes from it")
    st = p.add_argument_group("statistics")
    st.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples (default 1000)")
    st.add_argument("--bootstrap-seed", type=int, default=12345, help="bootstrap seed (default 12345)")
    p.add_argument("--no-progress", action="store_true", help="no per-round progress lines")
    p.set_defaults(func=run)


_FLAGS = {"n_boot": "--bootstrap", "boot_seed": "--bootstrap-seed", "data": "--data"}


def _split(s):
    return tuple(x.strip() for x in s.split(",") if x.strip()) if s else None


def _build(args):
    import sys

    from harness.attack.constraints import Constraints
    from harness.attack.job import JobOptions
    from harness.attack.run import AttackSpec
    from harness.cache import default_cache_path

    c = Constraints(max_share=args.max_share, fields=_split(args.fields), ops=_split(args.ops), budget=args.budget,
                    similarity=args.similarity, min_similarity=args.min_similarity)
    spec = AttackSpec(search=args.search, beam=args.beam, seed=args.seed, constraints=c, recipe=args.recipe,
                      lexicon_dir=args.lexicon_dir)
    cache = args.cache if args.cache is not None else str(default_cache_path())
    from harness.errors import OptionError

    if args.max_per_lang is not None and args.max_per_lang < 1:
        raise OptionError("max_per_lang", f"must be a positive integer, got {args.max_per_lang}")
    if args.bootstrap < 1:
        raise OptionError("n_boot", f"must be a positive integer, got {args.bootstrap}")
    opts = JobOptions(task=args.task, data=args.data, attacks=args.attacks, split=args.split, langs=args.langs,
                      max_per_lang=args.max_per_lang, sample_seed=args.sample_seed,
                      cache=None if cache.lower() == "none" else cache, batch_tokens=args.batch_tokens,
                      n_boot=args.bootstrap, boot_seed=args.bootstrap_seed, verify=not args.no_verify,
                      overwrite=args.overwrite, progress=not args.no_progress and sys.stderr.isatty())
    return spec, opts


def run(args) -> int:
    from pathlib import Path

    from harness.attack.report import table
    from harness.errors import OptionError
    from harness.experiment import parse_model_arg
    from perturb.errors import UsageError

    try:
        spec, opts = _build(args)
        if args.batch_tokens < 1:
            raise OptionError("batch_tokens", f"must be a positive integer, got {args.batch_tokens}")
    except OptionError as e:  # the library names the argument; the CLI names the flag
        raise UsageError(_FLAGS.get(e.name, "--" + e.name.replace("_", "-")), e.message) from None
    task = args.task or _task_of(args)
    models = [parse_model_arg(t) for t in args.model]
    if len({n for n, _ in models}) != len(models):
        raise UsageError("--model", "two models have the same name; name them NAME=DIR")
    groups, pairs = _plan(args, [n for n, _ in models])  # refused before any search
    out = Path(args.out)
    docs = {}
    for name, path in models:
        doc = _attack_one(args, name, path, task, spec, opts, out if len(models) == 1 else out / name)
        if doc is not None:  # None: another rank of a torchrun launch (rank 0 reports)
            docs[name] = doc
            print("\n".join(([f"{name}:"] if len(models) > 1 else []) + table(doc["metrics"])))
    if not docs:
        return 0
    _compare(groups, pairs, docs, out, opts)
    print(f"wrote {args.out}: attackset, results.json, summary.md and success_vs_budget.png"
          + (" per model" if len(models) > 1 else ""))
    return 0


def _attack_one(args, name, path, task, spec, opts, out):
    from harness import parallel
    from harness.attack.job import run_job
    from harness.errors import OptionError
    from harness.labels import parse_label_order
    from harness.models import LoadOptions, load_model
    from perturb.errors import UsageError

    w = parallel.world()
    predictor = load_model(path, task=task, name=name, options=LoadOptions(
        label_order=parse_label_order(args.label_order), allow_pickle=args.allow_pickle,
        device=parallel.device_for(w, args.device)))
    try:
        return run_job(predictor, name, spec, opts, out)
    except OptionError as e:
        raise UsageError(_FLAGS.get(e.name, "--" + e.name.replace("_", "-")), e.message) from None


def _plan(args, names: list[str]) -> tuple[dict, list[tuple[str, str]]]:
    """The models' groups (--schedule) and the group pairs to compare (--compare, or the default pair)."""
    from harness.commands.score import _pairs
    from perturb.errors import UsageError

    groups = _pairs(args.schedule, "--schedule")
    unknown = sorted(set(groups) - set(names))
    if unknown:
        raise UsageError("--schedule", f"names unknown model(s) {unknown}; models: {names}")
    known = set(names) | set(groups.values())
    pairs = []
    for c in args.compare:
        a, _, b = c.partition(":")
        if not a or not b or a not in known or b not in known or a == b:
            raise UsageError("--compare", f"{c!r}: expected A:B with two different groups among {sorted(known)}")
        pairs.append((a, b))
    if not pairs:
        named = list(dict.fromkeys(groups[m] for m in names if m in groups)) if groups else list(names)
        pairs = [tuple(named)] if len(named) == 2 else []
    return groups, pairs


def _compare(groups: dict, pairs: list, docs: dict, out, opts) -> None:
    """The paired group comparisons into OUT/comparison.json and OUT/comparison.md."""
    import json

    from harness.attack.compare import compare, markdown, robust_correct
    from perturb.fsutil import atomic_write_text

    if not pairs or len(docs) < 2:
        return
    correct = {m: robust_correct(out / m / "attackset") for m in docs}
    comps = [compare(correct, groups, a, b, n_boot=opts.n_boot, seed=opts.boot_seed, level=opts.level)
             for a, b in pairs]
    atomic_write_text(out / "comparison.json", json.dumps(comps, indent=1, sort_keys=True) + "\n")
    atomic_write_text(out / "comparison.md", "\n".join(markdown(c, opts.level) for c in comps))
    for c in comps:
        o = c["overall"]
        print(f"{c['a']} − {c['b']} accuracy under attack: {100 * o['diff']:+.1f} pp "
              f"[{100 * o['lo']:+.1f}, {100 * o['hi']:+.1f}], p = {o['p']:.3g} ({o['n']} ids)")


def _task_of(args) -> str:
    from harness.attackset import read_attack_set
    from perturb.errors import UsageError

    if not args.attacks:
        raise UsageError("--task", "--data needs --task xnli|xcopa")
    return read_attack_set(args.attacks, verify=False).task
