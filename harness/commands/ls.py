"""`xstress ls`: list perturbations (family, label effect, languages) and recipes, or what an attack set holds."""
from __future__ import annotations

import json

from perturb.schema import TASKS


def register(sub):
    p = sub.add_parser("ls", help="list perturbations, their languages and label effects, or an attack set's content",
                       description="Without ATTACK_SET: every perturbation with its label effect and languages, and "
                       "the built-in recipes. With ATTACK_SET (a directory written by `xstress perturb`): its "
                       "sources, perturbations, per-language counts and signatures.")
    p.add_argument("attack_set", nargs="?", metavar="ATTACK_SET", help="an attack set directory to describe")
    p.add_argument("--task", choices=TASKS, help="only languages for this task")
    p.add_argument("--recipe", help="also list this recipe's entries with their params and label effects")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _label_effect_text(effect) -> str:
    if effect == "preserve":
        return "preserve"
    return ", ".join(f"{k}→{'DROP' if v is None else v}" for k, v in effect.items())


def run(args) -> int:
    if args.attack_set is not None:
        if args.task or args.recipe:
            from perturb.errors import UsageError

            raise UsageError("--task" if args.task else "--recipe", "does not combine with an ATTACK_SET argument")
        return show_attack_set(args.attack_set, as_json=args.json)
    from perturb import registry
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
    print("rules, label maps and known failure modes of the logic ops: docs/logic-rules.md (in the source "
          "tree); of every op: its module docstring and the README's perturbation section")
    return 0


def attack_set_doc(path) -> dict:
    """What an attack set holds: sources, and per perturbation its op, params, k, languages, counts, signatures."""
    from perturb.attackset import STATUS_OK, TASK_NOT_APPLICABLE, read_attack_set

    m = read_attack_set(path).manifest
    perts = []
    for name, spec in m["perturbations"].items():
        per_lang = m["counts"][name]
        by_status = {}
        for lang, c in sorted(per_lang.items()):
            by_status.setdefault(c["status"], []).append(lang)
        totals = {k: sum(c[k] for c in per_lang.values()) for k in ("variants", "applied", "not_applicable", "dropped")}
        perts.append({"name": name, "op": spec["op"], "params": spec["params"], "k": spec["k"],
                      "fields": spec["fields"], "label_effect": spec["label_effect"],
                      "languages": by_status.get(STATUS_OK, []),
                      "unsupported": [l for st, ls in by_status.items() if st not in (STATUS_OK, TASK_NOT_APPLICABLE)
                                      for l in ls],
                      "task_not_applicable": bool(per_lang) and set(by_status) == {TASK_NOT_APPLICABLE},
                      "reasons": {l: c["reason"] for l, c in sorted(per_lang.items()) if c.get("reason")},
                      "candidates": totals["variants"], "applied": totals["applied"],
                      "not_applicable": totals["not_applicable"], "dropped": totals["dropped"],
                      "signatures": {l: c["signature"] for l, c in sorted(per_lang.items())}})
    return {"path": str(path), "task": m["task"], "split": m["split"], "seed": m["seed"], "recipe": m["recipe"],
            "xstress_version": m["xstress_version"], "shard": m.get("shard"),
            "sources": {l: {"rows": s["rows"], "file": s["file"], "sha256": s["sha256"]}
                        for l, s in sorted(m["sources"].items())},
            "perturbations": perts}


def _unsupported_text(p: dict) -> str:
    from harness.commands.perturb import unsupported_text

    return unsupported_text({l: {"reason": p["reasons"].get(l, "")} for l in p["unsupported"]}, p["unsupported"])


def show_attack_set(path, *, as_json: bool) -> int:
    doc = attack_set_doc(path)
    if as_json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    shard = f", shard {doc['shard']}" if doc["shard"] else ""
    print(f"{doc['path']}: {doc['task']} {doc['split']}, recipe {doc['recipe']}, seed {doc['seed']}, "
          f"xstress {doc['xstress_version']}{shard}")
    print(f"languages ({len(doc['sources'])}): "
          + ", ".join(f"{l} {s['rows']} rows (sha256 {s['sha256'][:8]})" for l, s in doc["sources"].items()))
    for p in doc["perturbations"]:
        params = ", ".join(f"{k}={v}" for k, v in p["params"].items())
        print(f"\n{p['name']}  {p['op']}({params}) k={p['k']}  label: {_label_effect_text(p['label_effect'])}")
        if p["task_not_applicable"]:
            print(f"  not for {doc['task']}: no rows")
            continue
        print(f"  languages: {' '.join(p['languages']) or '-'}"
              + (f"   unsupported: {_unsupported_text(p)}" if p["unsupported"] else ""))
        print(f"  candidates {p['candidates']}: applied {p['applied']}, n/a {p['not_applicable']}, "
              f"dropped {p['dropped']}")
        for lang in p["languages"]:
            print(f"  {p['signatures'][lang]}")
    return 0
