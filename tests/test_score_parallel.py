"""`xstress score` under `torchrun --nproc_per_node 2` (gloo, CPU): the ranks split each chunk's forward batches and
rank 0 writes results.json, summary.md, results.csv and predictions/<model>.jsonl, the bytes one process writes;
the shared prediction cache ends with the same rows and counters, and a rerun from it recomputes nothing."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tinymodels import make_xnli_set, tiny_models  # noqa: F401  (fixture)

from harness import collect
from harness.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 40  # several chunks per language: every rank must take part in every chunk's lookup and gather

RANK = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from harness import collect
collect.CHUNK_ROWS = {chunk}
from harness.cli import main
sys.exit(main({argv!r}))
"""


def _argv(attacks: Path, model: Path, out: Path, cache: Path) -> list[str]:
    # Two names for one checkpoint: the second model is answered from the cache the first one filled.
    return ["score", "--attacks", str(attacks), "--model", f"a={model}", "--model", f"b={model}", "--out", str(out),
            "--cache", str(cache), "--batch-tokens", "256", "--min-n", "2", "--bootstrap", "50", "--no-progress"]


def _torchrun(tmp: Path, argv: list[str]) -> None:
    script = tmp / "rank.py"
    script.write_text(RANK.format(root=str(ROOT), tests=str(ROOT / "tests"), chunk=CHUNK, argv=argv))
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}", OMP_NUM_THREADS="1")
    env.pop("CUDA_VISIBLE_DEVICES", None)
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                           str(31500 + os.getpid() % 1000), str(script)], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _files(out: Path) -> dict[str, bytes]:
    """Every output file's bytes; results.json without what differs between any two runs (time, its own hash)."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    doc = json.loads(files.pop("results.json"))
    for key in ("created", "document_sha256"):
        doc.pop(key)
    for m in doc["models"]:
        for key in ("seconds", "examples_per_s"):
            m["scoring"].pop(key)
    files["results.json"] = json.dumps(doc, sort_keys=True).encode()
    return files


def _cache(path: Path) -> tuple[list, list]:
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT ns, key, probs FROM predictions ORDER BY ns, key").fetchall(),
                db.execute("SELECT * FROM counters ORDER BY ns").fetchall())


def test_two_process_torchrun_writes_the_single_process_bytes(tmp_path, monkeypatch, tiny_models):  # noqa: F811
    attacks = make_xnli_set(tmp_path / "as", langs=("en", "de"), n=30, k=2)
    monkeypatch.setattr(collect, "CHUNK_ROWS", CHUNK)
    model = tiny_models.classifier
    for cache in ("one.sqlite", "two.sqlite"):  # half the ids already cached: chunks mix hits and misses
        assert main(_argv(attacks, model, tmp_path / "warm", tmp_path / cache) + ["--max-per-lang", "15"]) == 0
    assert main(_argv(attacks, model, tmp_path / "one", tmp_path / "one.sqlite")) == 0
    _torchrun(tmp_path, _argv(attacks, model, tmp_path / "two", tmp_path / "two.sqlite"))

    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert sorted(two) == sorted(one) and "predictions/a.jsonl" in one and "summary.md" in one
    assert two == one
    rows = [json.loads(line) for line in one["predictions/a.jsonl"].decode().splitlines()]
    doc = json.loads(one["results.json"])
    scoring = {m["name"]: m["scoring"] for m in doc["models"]}
    assert scoring["a"]["forward_passes"] > 2 and scoring["b"]["scored_inputs"] == 0  # batches split, b all cached
    assert len(rows) == scoring["a"]["requested"] and 0 < sum(r["from_cache"] for r in rows) < len(rows)
    assert _cache(tmp_path / "two.sqlite") == _cache(tmp_path / "one.sqlite")

    # A rerun from the filled cache: nothing recomputed, every row from the cache, on one process as on two.
    assert main(_argv(attacks, model, tmp_path / "one-again", tmp_path / "one.sqlite")) == 0
    _torchrun(tmp_path, _argv(attacks, model, tmp_path / "two-again", tmp_path / "two.sqlite"))
    again = _files(tmp_path / "two-again")
    assert again == _files(tmp_path / "one-again")
    doc = json.loads(again["results.json"])
    assert all(m["scoring"]["forward_passes"] == 0 for m in doc["models"])
    assert all(json.loads(line)["from_cache"] for line in again["predictions/a.jsonl"].decode().splitlines())
    assert _cache(tmp_path / "two.sqlite") == _cache(tmp_path / "one.sqlite")
