"""`xstress export`: write an attack set as XTREME, XNLI-1.0, HF datasets, lm-eval or CSV files."""
from __future__ import annotations


def register(sub):
    from harness.commands import add_no_verify

    from harness.export import FORMATS

    formats = "; ".join(f"{name}: {desc}" for name, (_, desc) in FORMATS.items())
    p = sub.add_parser("export", help="write an attack set in a format other tools read (xtreme, xnli1, hf, "
                                      "lm-eval, csv)",
                       description=f"Formats — {formats}.")
    p.add_argument("--attacks", required=True, metavar="DIR", help="attack set directory (from `xstress perturb`)")
    p.add_argument("--to", required=True, choices=tuple(FORMATS), help="output format")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (must not exist unless --overwrite)")
    p.add_argument("--langs", help="comma list of languages (default: all in the attack set)")
    p.add_argument("--ops", help="comma list of perturbations; 'clean' names the source examples "
                                 "(default: clean and every perturbation)")
    p.add_argument("--overwrite", action="store_true")
    add_no_verify(p, "export.json records that it was not verified")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=run)


def _list(spec):
    return [s.strip() for s in spec.split(",") if s.strip()] if spec else None


def run(args) -> int:
    from harness.export import export_attack_set

    doc = export_attack_set(attacks=args.attacks, to=args.to, out=args.out, langs=_list(args.langs),
                            ops=_list(args.ops), overwrite=args.overwrite,
                            verify=not args.no_verify)
    if not args.quiet:
        n_rows = sum(t["rows"] for t in doc["tables"])
        langs = sorted({t["lang"] for t in doc["tables"]})
        names = sorted({t["name"] for t in doc["tables"]})
        print(f"wrote {args.out} ({args.to}): {len(doc['files'])} files, {n_rows} rows, "
              f"{len(langs)} languages, {len(names)} sets ({', '.join(names)})")
        hint = {
            "xtreme": f"XTREME-R: --data_dir {args.out}/<name>/xnli-labelled (XNLI) or copy <name>/xcopa to "
                      "download/xcopa; XTREME evaluate.py: --label_folder <name>/labels",
            "xnli1": f"data dir for XNLI-1.0 readers: {args.out}/<name> (holds XNLI-1.0/xnli.<split>.tsv)",
            "hf": f"datasets.load_from_disk('{args.out}/<lang>/<name>')",
            "lm-eval": f"lm_eval --include_path {args.out}/tasks --tasks "
                       + ",".join(doc.get("details", {}).get("groups", [])[:3]),
            "csv": f"{args.out}/<lang>/<name>.csv",
        }[args.to]
        print(f"use: {hint}; provenance and file hashes: {args.out}/export.json")
        incomplete = doc.get("details", {}).get("incomplete")
        if incomplete:
            from harness.export.xtreme import XTREME_LANGS

            task = doc["attack_set"]["task"]
            # The fewest languages first: a one-language op is the surprise worth showing on screen.
            shown = sorted(incomplete.items(), key=lambda kv: (len(kv[1]["languages"]), kv[0]))[:3]
            print(f"note: {len(incomplete)} of {len({t['name'] for t in doc['tables']})} folders lack some of the "
                  f"{len(XTREME_LANGS[task])} {task} languages XTREME's scripts read ("
                  + "; ".join(f"{n} has {', '.join(v['languages'])}" for n, v in shown)
                  + ("; ..." if len(incomplete) > len(shown) else "")
                  + f"): run them on those languages only; all are listed in {args.out}/README.md")
    return 0
