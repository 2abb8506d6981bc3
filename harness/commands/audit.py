"""`xstress audit`: draw a review sheet from an attack set (`sample`) and tally filled sheets into validity.json."""
from __future__ import annotations


def register(sub) -> None:
    from harness.commands import add_no_verify

    p = sub.add_parser("audit", help="audit an attack set's validity: draw a review sheet, tally the verdicts",
                       description="Human validity audit of an attack set. `sample` draws a random sample into a "
                       "review sheet (HTML to fill in offline, CSV, markdown); `tally` reads filled sheets and writes "
                       "validity.json beside the manifest, which `xstress score` shows next to each Δ.")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    s = actions.add_parser("sample", help="draw N items per perturbation x language into a review sheet")
    s.add_argument("--attacks", required=True, metavar="DIR", help="attack set directory (has manifest.json)")
    s.add_argument("--per", required=True, type=int, metavar="N",
                   help="items per perturbation x language (all rows where a file has fewer)")
    s.add_argument("--out", required=True, metavar="SHEET",
                   help="writes SHEET.html, SHEET.csv, SHEET.md, SHEET.key.jsonl and SHEET.meta.json")
    s.add_argument("--seed", type=int, help="sample seed (default: drawn fresh from the OS, printed and recorded)")
    s.add_argument("--ops", help="comma list of perturbations or patterns such as logic.* (default: all)")
    s.add_argument("--langs", help="comma list of languages (default: all); with the same --seed, a subset draws "
                                   "the same items for the languages it keeps")
    s.add_argument("--overwrite", action="store_true", help="replace an existing sheet of that name")
    add_no_verify(s)
    s.set_defaults(func=run_sample)
    t = actions.add_parser("tally", help="validity per perturbation x language from filled sheets (Wilson 95 %% CI)")
    t.add_argument("sheets", nargs="+", metavar="SHEET.csv", help="filled sheet CSVs (all sheets of the audit)")
    t.add_argument("--attacks", required=True, metavar="DIR", help="the attack set the sheets were drawn from")
    add_no_verify(t)
    t.set_defaults(func=run_tally)


def _list(text):
    return [x.strip() for x in text.split(",") if x.strip()] if text else None


def run_sample(args) -> int:
    from harness.attackset import read_attack_set
    from harness.audit.sample import draw, fresh_seed
    from harness.audit.sheet import write_sheet
    from perturb.errors import UsageError

    if args.seed is not None and args.seed < 0:
        raise UsageError("--seed", f"must be >= 0, got {args.seed}")
    seed = fresh_seed() if args.seed is None else args.seed
    attacks = read_attack_set(args.attacks, verify=not args.no_verify)
    ops, langs = _list(args.ops), _list(args.langs)
    items = draw(attacks, per=args.per, seed=seed, ops=ops, langs=langs)
    if not items:
        raise UsageError("--ops", "no perturbed rows to sample in the chosen perturbations and languages")
    paths = write_sheet(attacks, items, args.out, seed=seed, per=args.per, ops=ops, langs=langs,
                        overwrite=args.overwrite)
    strata = {(it.op, it.lang) for it in items}
    print(f"sample seed {seed}: {len(items)} items from {len(strata)} perturbation x language cells "
          f"({args.per} per cell)")
    print(f"wrote {paths['.html']} (fill in offline, export CSV), {paths['.csv']}, {paths['.md']}, "
          f"{paths['.key.jsonl']}, {paths['.meta.json']}")
    return 0


def run_tally(args) -> int:
    from harness.attackset import read_attack_set
    from harness.audit.tally import run_tally as tally, write_validity
    from harness.audit.validity import tally_table
    from harness.report import format_table

    attacks = read_attack_set(args.attacks, verify=not args.no_verify)
    doc = tally(attacks, args.sheets)
    if doc["all"] is None:
        from perturb.errors import InputError

        raise InputError(args.sheets[0], None, "no item is judged yet (label_ok and text_ok are empty everywhere)")
    print(format_table(tally_table(doc)))
    path = write_validity(attacks.path, doc)
    left = f"; {doc['unjudged']} item(s) not judged yet, left out" if doc["unjudged"] else ""
    print(f"wrote {path}: {doc['all']['items']} judged items from {len(doc['sheets'])} sheet(s){left}")
    return 0
