"""`xstress ls`: list perturbations with family, label effect and supported languages, and built-in recipes."""
from __future__ import annotations

import json


def register(sub):
    p = sub.add_parser("ls", help="list perturbations, their languages and label effects")
    p.add_argument("--task", choices=("xnli", "xcopa"), help="only languages for this task")
    p.add_argument("--recipe", help="also list this recipe's entries with their params and label effects")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _label_effect_text(effect) -> str:
    if effect == "preserve":
        return "preserve"
    return ", ".join(f"{k}→{'DROP' if v is None else v}" for k, v in effect.items())


def run(args) -> int:
    from perturb import registry
    from perturb.example import TASKS
    from perturb.recipe import builtin_recipes

    tasks = [args.task] if args.task else list(TASKS)
    rows = []
    for cls in registry.all_ops():
        rows.append({
            "name": cls.name, "family": cls.family, "description": cls.description,
            "label_effect": cls.label_effect(),
            "languages": {t: sorted(cls.languages(t)) for t in tasks},
        })
    entries = []
    if args.recipe:
        from perturb.recipe import load_recipe

        for e in load_recipe(args.recipe).entries:
            # The instance's label effect: it can depend on params (logic.quantifier weaken/strengthen).
            entries.append({"name": e.name, "op": e.op.name, "params": e.params_json(), "k": e.k,
                            "label_effect": e.op.label_effect()})
    if args.json:
        doc = {"perturbations": rows, "recipes": builtin_recipes()}
        if args.recipe:
            doc["recipe"] = {"name": args.recipe, "entries": entries}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r['name']:<24} {r['family']:<6} {r['description']}")
        print(f"{'':<24} label: {_label_effect_text(r['label_effect'])}")
        for t in tasks:
            langs = r["languages"][t]
            print(f"{'':<24} {t}: {' '.join(langs) if langs else 'not applicable'}")
    if entries:
        print(f"\nrecipe {args.recipe}:")
        for e in entries:
            params = ", ".join(f"{k}={v}" for k, v in e["params"].items())
            print(f"  {e['name']:<30} {e['op']}({params}) k={e['k']}  label: {_label_effect_text(e['label_effect'])}")
    print(f"\nrecipes: {', '.join(builtin_recipes())}")
    return 0
