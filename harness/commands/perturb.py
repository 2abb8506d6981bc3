"""`xstress perturb`: generate a signed attack set from XNLI/XCOPA files with a recipe."""
from __future__ import annotations

import sys
import time

from perturb.schema import TASKS


def register(sub):
    p = sub.add_parser("perturb", help="generate an attack set (perturbed XNLI/XCOPA) with a recipe")
    p.add_argument("--task", required=True, choices=TASKS)
    p.add_argument("--data", required=True, help="data directory (canonical, XTREME, XNLI-1.0, HF jsonl or "
                                                 "XCOPA layout) or a single file")
    p.add_argument("--split", default="test", choices=("dev", "val", "test"),
                   help="dev/val are the same split (XCOPA calls it val)")
    p.add_argument("--langs", default="all", help="'all' or a comma list such as de,fr")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--recipe", default="default", help="built-in recipe name or a YAML file (default: default)")
    g.add_argument("--ops", help="comma list of perturbations with default params, instead of a recipe")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--out", required=True, help="output directory (must not exist unless --overwrite)")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--workers", default="auto", metavar="N|auto",
                   help="processes (default auto: one per available core); the output is byte-identical for any value")
    p.add_argument("--shard", help="i/n: only part i of n of each language (merge parts with `xstress merge`)")
    p.add_argument("--labels", help="file with one label per line, for XTREME test files without labels")
    p.add_argument("--lexicon-dir", metavar="DIR",
                   help="MUSE bilingual lexicons (en-<lang>.txt) for lex.codeswitch, e.g. ../shared/data/muse")
    p.add_argument("--mlm", metavar="DIR", help="a local masked-LM directory (e.g. xlm-roberta-base, safetensors) "
                                                "for lex.mlm")
    p.add_argument("--xcopa-question", choices=("majority", "as-is"), default="majority",
                   help="XCOPA: each item's question (cause/effect) as the majority over the 11 languages of the "
                   "official files (default; they disagree, e.g. Thai is 'effect' on every row), or as-is in the file")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=run)


def run(args) -> int:
    from perturb.engine import generate
    from perturb.errors import UsageError
    from perturb.recipe import load_recipe, single_op_recipe

    workers = _workers(args.workers)
    if args.seed < 0:
        raise UsageError("--seed", f"must be >= 0, got {args.seed}")
    resources = {k: v for k, v in (("lexicon_dir", args.lexicon_dir), ("mlm", args.mlm)) if v is not None}
    if args.ops is not None:  # `--ops ""` is a mistake, not a request for the default recipe
        names = [o.strip() for o in args.ops.split(",") if o.strip()]
        if not names:
            raise UsageError("--ops", "no perturbation given; expected a comma list such as char.swap,logic.negate")
        recipe = single_op_recipe(names, resources=resources)
        _check_ops_apply(recipe, args.task)
    else:
        recipe = load_recipe(args.recipe, resources=resources)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit="ex", desc="perturb", file=sys.stderr, dynamic_ncols=True)

    def progress(lang, n):
        bar.set_description(f"perturb {lang}")
        bar.update(n)

    t0 = time.perf_counter()
    try:
        manifest = generate(task=args.task, data=args.data, split=args.split, langs=args.langs, recipe=recipe,
                            seed=args.seed, out=args.out, workers=workers, shard=args.shard,
                            labels=args.labels, overwrite=args.overwrite, progress=progress if bar is not None else None,
                            xcopa_question=args.xcopa_question)
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        print(summary(manifest, args.out, time.perf_counter() - t0))
    return 0


def _workers(text: str) -> int:
    from perturb.engine import resolve_workers
    from perturb.errors import UsageError

    try:
        return resolve_workers(text if text == "auto" else int(text))
    except ValueError:
        raise UsageError("--workers", f"expected 'auto' or an integer >= 1, got {text!r}") from None


def _check_ops_apply(recipe, task: str) -> None:
    """Ops named with --ops must all be meant for the task (a recipe may mix tasks; its others are reported n/a)."""
    from perturb.attackset import task_scope
    from perturb.errors import UsageError

    wrong = [e.op for e in recipe.entries if task not in e.op.tasks]
    if wrong:
        raise UsageError("--ops", f"{', '.join(op.name for op in wrong)} "
                         f"{'does' if len(wrong) == 1 else 'do'} not apply to {task} "
                         f"({'; '.join(f'{op.name}: {task_scope(op)}' for op in wrong)})")


def unsupported_text(per_lang: dict, unsupported: list[str]) -> str:
    """The unsupported languages, each group that has a stated reason followed by it in parentheses."""
    if not unsupported:
        return "-"
    by_reason: dict[str, list[str]] = {}
    for lang in unsupported:
        by_reason.setdefault(per_lang[lang].get("reason", ""), []).append(lang)
    return "; ".join(" ".join(langs) + (f" ({reason})" if reason else "") for reason, langs in by_reason.items())


def summary(manifest: dict, out, seconds: float) -> str:
    """One screen: per perturbation, languages done, candidates (examples x k) and what became of them."""
    from perturb import registry
    from perturb.attackset import STATUS_OK, TASK_NOT_APPLICABLE, task_scope

    langs = sorted(manifest["sources"])
    rows = sum(s["rows"] for s in manifest["sources"].values())
    lines = [f"wrote {out}: {manifest['task']} {manifest['split']}, {len(langs)} languages, {rows} source rows, "
             f"recipe {manifest['recipe']}, seed {manifest['seed']} ({seconds:.1f} s)"]
    w = max([len("perturbation")] + [len(n) for n in manifest["counts"]]) + 2
    lines.append(f"{'perturbation':<{w}}{'langs':>6}{'candidates':>12}{'applied':>10}{'n/a':>9}{'dropped':>9}"
                 "  unsupported languages")
    for name, per_lang in manifest["counts"].items():
        ok = [l for l, c in per_lang.items() if c["status"] == STATUS_OK]
        if per_lang and all(c["status"] == TASK_NOT_APPLICABLE for c in per_lang.values()):
            op = registry.get(manifest["perturbations"][name]["op"])
            lines.append(f"{name:<{w}}{'-':>6}  not for {manifest['task']} ({task_scope(op)})")
            continue
        unsupported = [l for l, c in per_lang.items() if c["status"] != STATUS_OK]
        tot = {k: sum(c[k] for c in per_lang.values()) for k in ("variants", "applied", "not_applicable", "dropped")}
        lines.append(f"{name:<{w}}{len(ok):>6}{tot['variants']:>12}{tot['applied']:>10}{tot['not_applicable']:>9}"
                     f"{tot['dropped']:>9}  {unsupported_text(per_lang, unsupported)}")
    lines.append("candidates = examples x k; each is applied (written), n/a (nothing to change) or dropped "
                 "(label undetermined)")
    q = {lang: s["question"] for lang, s in manifest["sources"].items() if "question" in s}
    if q:
        modes = sorted({v["qfix"] for v in q.values()})
        changed = ", ".join(f"{lang} {v['changed']}" for lang, v in sorted(q.items()) if v["changed"]) or "none"
        lines.append(f"xcopa question: {'/'.join(modes)} (items changed per language: {changed})")
    lines.append(f"signatures and per-language counts: {out}/manifest.json")
    return "\n".join(lines)
