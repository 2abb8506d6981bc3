"""Write the lex-family goldens: the sample data's first rows per language, fixed seed -> exact output of every lex op.

Run from the repository root:

    .venv/bin/python tests/goldens/lex/make_goldens.py        # rewrite every <run>.json

tests/test_lex_goldens.py recomputes every file with `compute` and compares. Inputs are the first N_ROWS XNLI
hypotheses of data/xnli (XCOPA-only languages: the first XCOPA premises), with their real ids, so lex.codeswitch
finds the parallel English rows of the sample data. lex.codeswitch reads the hand-written lexicons of
tests/fixtures/lex/muse; lex.mlm runs with the model-free echo stand-in (the tiny real LM is tested end to end
in tests/test_lex_mlm.py), so its golden pins the selection logic, not a model.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
COMMAND = "python tests/goldens/lex/make_goldens.py"
SEED = 13
N_ROWS = 6
# Golden name -> (op, params): defaults for every op, plus the codeswitch pivot through English into French.
RUNS = {
    "lex.codeswitch": ("lex.codeswitch", {}),
    "lex.codeswitch@to=fr": ("lex.codeswitch", {"to": "fr"}),
    "lex.inflect": ("lex.inflect", {}),
    "lex.mlm@echo": ("lex.mlm", {}),
    "lex.translit": ("lex.translit", {}),
}


def _setup_path():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def make_op(name: str, params: dict):
    """The op with its test resources: fixture lexicons and sample English (codeswitch), the echo LM (mlm)."""
    _setup_path()
    from perturb import registry
    from perturb.loaders import load
    from perturb.ops.lex._mlm import EchoFiller

    op = registry.get(name)(**params)
    if name == "lex.codeswitch":
        op = op.bind(lexicon_dir=REPO / "tests" / "fixtures" / "lex" / "muse")
        for task in ("xnli", "xcopa"):
            english = load(task=task, data=REPO / "data" / task, split="test", langs=["en"])["en"]
            op = op.with_parallel(task, english, "sample-en")
    elif name == "lex.mlm":
        op = op.bind(mlm=EchoFiller())
    return op


def inputs():
    """{lang: [(example, field)]}: XNLI hypotheses, or XCOPA premises for languages XNLI lacks."""
    _setup_path()
    from perturb.loaders import load

    out = {}
    for lang, exs in load(task="xnli", data=REPO / "data" / "xnli", split="test", langs="all").items():
        out[lang] = [(ex, "hypothesis") for ex in exs[:N_ROWS]]
    for lang, exs in load(task="xcopa", data=REPO / "data" / "xcopa", split="test", langs="all").items():
        if lang not in out:
            out[lang] = [(ex, "premise") for ex in exs[:N_ROWS]]
    return dict(sorted(out.items()))


def compute(run: str) -> dict:
    _setup_path()
    from perturb.core import Perturbed
    from perturb.rng import derive_rng
    from perturb.recipe import Planned

    name, params = RUNS[run]
    op = make_op(name, params)
    key = Planned(name, op, 1, None).op_key()
    cases = {}
    for lang, rows in inputs().items():
        if lang not in op.languages(rows[0][0].task):
            continue
        out = []
        for ex, field in rows:
            res = op.apply(ex, derive_rng(SEED, key, ex.id, 0), fields=[field])
            edits = [[e.start, e.end, e.before, e.after] for e in res.edits] if isinstance(res, Perturbed) else []
            out.append({"id": ex.id, "input": ex.fields[field],
                        "output": res.example.fields[field] if isinstance(res, Perturbed) else None,
                        "edits": edits})
        cases[lang] = out
    return {"command": COMMAND, "op": name, "params": params, "seed": SEED, "cases": cases}


def main() -> None:
    for run in RUNS:
        doc = compute(run)
        (HERE / f"{run}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                          encoding="utf-8")
        print(f"wrote {run}.json ({len(doc['cases'])} languages)")


if __name__ == "__main__":
    main()
