"""`xstress ls`: list perturbations with family, label effect and supported languages, and built-in recipes."""
from __future__ import annotations

import json


def register(sub):
    p = sub.add_parser("ls", help="list perturbations, their languages and label effects")
    p.add_argument("--task", choices=("xnli", "xcopa"), help="only languages for this task")
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
    if args.json:
        print(json.dumps({"perturbations": rows, "recipes": builtin_recipes()}, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r['name']:<24} {r['family']:<6} {r['description']}")
        print(f"{'':<24} label: {_label_effect_text(r['label_effect'])}")
        for t in tasks:
            langs = r["languages"][t]
            print(f"{'':<24} {t}: {' '.join(langs) if langs else 'not applicable'}")
    print(f"\nrecipes: {', '.join(builtin_recipes())}")
    return 0
