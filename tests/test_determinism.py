"""Determinism: the same seed and params give byte-identical attack sets across runs, worker counts, shard splits,
language order and Python hash seeds — for every registered op at once (k=2 variants each), on both tasks.

tests/test_cli.py checks the default recipe with 2 workers, 3 shards and two hash seeds on a few languages; here
every op in the registry runs (ops needing a resource get their contract instance, as in test_contract.py), the
work is cut into chunks of 3 examples so that 3 worker processes really return results out of order, and a
fresh interpreter with another PYTHONHASHSEED reproduces the bytes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from perturb import engine, registry
from perturb.attackset import merge_shards
from perturb.recipe import Planned, Recipe
from test_contract import make_op

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data"
# The subprocess re-runs a few languages (regex, jieba and pythainlp segmenters; spaCy is C code keyed by
# nothing Python hashes) to keep a cold interpreter cheap.
SUBPROCESS_LANGS = {"xnli": "ar,zh", "xcopa": "th"}


def all_ops_recipe() -> Recipe:
    return Recipe("all-ops", "every registered op", tuple(Planned(n, make_op(registry.get(n)), 2, None)
                                                         for n in registry.names()))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def subset(t: dict[str, bytes], task: str, langs: str) -> dict[str, bytes]:
    """The files of some languages, and the manifest cut down to them, to compare a run over fewer languages."""
    keep = set(langs.split(","))
    out = {k: v for k, v in t.items() if k != "manifest.json" and k.split("/")[1] in keep}
    m = json.loads(t["manifest.json"])
    m["sources"] = {l: v for l, v in m["sources"].items() if l in keep}
    m["counts"] = {op: {l: c for l, c in per.items() if l in keep} for op, per in m["counts"].items()}
    m["integrity"] = {rel: h for rel, h in m["integrity"]["files"].items() if rel.split("/")[1] in keep}
    out["manifest.json"] = json.dumps(m, sort_keys=True).encode()
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("det-ref")
    recipe = all_ops_recipe()
    out = {}
    for task in ("xnli", "xcopa"):
        engine.generate(task=task, data=SAMPLE / task, langs="all", recipe=recipe, seed=13, out=root / task)
        out[task] = tree(root / task)
        assert len(out[task]) > 20
    return out


@pytest.mark.parametrize("task", ["xnli", "xcopa"])
def test_same_bytes_again_with_workers_shards_and_language_order(task, reference, tmp_path, monkeypatch):
    ref = reference[task]
    rows = sum(v.count(b"\n") for k, v in ref.items() if k.endswith(".jsonl") and not k.endswith("clean.jsonl"))
    assert rows > 100, "the recipe must actually perturb something"
    recipe = all_ops_recipe()
    langs = "all"
    # 3 workers, chunks of 3 examples: results arrive from different processes in any order
    monkeypatch.setattr(engine, "CHUNK", 3)
    engine.generate(task=task, data=SAMPLE / task, langs=langs, recipe=recipe, seed=13, out=tmp_path / "w3",
                    workers=3)
    assert tree(tmp_path / "w3") == ref
    # 3 shards (one with 2 workers), merged in a scrambled order
    for i in (1, 2, 3):
        engine.generate(task=task, data=SAMPLE / task, langs=langs, recipe=recipe, seed=13, out=tmp_path / f"s{i}",
                        shard=f"{i}/3", workers=2 if i == 2 else 1)
    merge_shards([tmp_path / "s2", tmp_path / "s3", tmp_path / "s1"], tmp_path / "merged")
    assert tree(tmp_path / "merged") == ref
    # run again, with the languages listed in reverse order
    from perturb.example import XCOPA_LANGS, XNLI_LANGS

    backwards = ",".join(reversed(XNLI_LANGS if task == "xnli" else XCOPA_LANGS))
    engine.generate(task=task, data=SAMPLE / task, langs=backwards, recipe=recipe, seed=13, out=tmp_path / "rev")
    assert tree(tmp_path / "rev") == ref


def test_seed_changes_the_bytes(reference, tmp_path):
    engine.generate(task="xnli", data=SAMPLE / "xnli", langs="all", recipe=all_ops_recipe(), seed=14,
                    out=tmp_path / "o")
    other = tree(tmp_path / "o")
    changed = [k for k in reference["xnli"] if k.endswith(".jsonl") and other[k] != reference["xnli"][k]]
    assert len(changed) > 10, "a different seed must give different variants"


_CHILD = textwrap.dedent("""
    import sys
    sys.path[:0] = [{repo!r}, {tests!r}]
    from perturb import engine
    from test_determinism import all_ops_recipe
    for task, langs in {langs!r}.items():
        engine.generate(task=task, data={sample!r} + "/" + task, langs=langs, recipe=all_ops_recipe(), seed=13,
                        out={out!r} + "/" + task)
""")


def test_other_hash_seed_same_bytes(reference, tmp_path):
    # A fresh interpreter whose str hashes (set and dict-of-set order) differ from this process's.
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(repo=str(REPO), tests=str(REPO / "tests"), langs=SUBPROCESS_LANGS,
                                    sample=str(SAMPLE), out=str(tmp_path / "h")))
    seed = "2718" if os.environ.get("PYTHONHASHSEED") != "2718" else "3141"
    env = dict(os.environ, PYTHONHASHSEED=seed)
    proc = subprocess.run([sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for task, langs in SUBPROCESS_LANGS.items():
        assert subset(tree(tmp_path / "h" / task), task, langs) == subset(reference[task], task, langs)
