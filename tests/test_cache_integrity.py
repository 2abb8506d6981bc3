"""The prediction cache under stress: corrupt or foreign files are refused clearly; two runs sharing one cache
(two terminals, torchrun ranks) give the results of one run, with no corruption and no lost rows."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from harness.cache import PredictionCache
from harness.cli import main
from harness.errors import HarnessError
from perturb.engine import generate
from perturb.recipe import single_op_recipe
from tinymodels import tiny_models  # noqa: F401

REPO = Path(__file__).resolve().parents[1]


def _filled(path: Path, n: int = 2000) -> None:
    with PredictionCache(path) as c:
        for i in range(0, n, 100):
            c.put_batch("m", [f"k{j}" for j in range(i, i + 100)], np.random.default_rng(i).random((100, 3)))


def test_truncated_cache_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "c.sqlite"
    _filled(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(HarnessError, match=r"c\.sqlite: not a usable xstress prediction cache") as e:
        c = PredictionCache(path)
        c.get_many("m", [f"k{j}" for j in range(2000)])
    assert "--cache" in str(e.value)


def test_foreign_and_garbage_files_are_refused(tmp_path):
    foreign = tmp_path / "foreign.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE predictions (id INTEGER, value TEXT)")
    db.commit()
    db.close()
    with pytest.raises(HarnessError, match=r"table 'predictions' has columns \['id', 'value'\]"):
        PredictionCache(foreign)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(os.urandom(8192))
    with pytest.raises(HarnessError, match="not a usable xstress prediction cache"):
        PredictionCache(garbage)


def test_score_with_a_corrupt_cache_is_one_line(tmp_path, tiny_models, sample_data, capsys):
    atk = tmp_path / "atk"
    generate(task="xnli", data=sample_data / "xnli", langs="en", recipe=single_op_recipe(["char.swap"]), out=atk)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    rc = main(["score", "--attacks", str(atk), "--model", f"m={tiny_models.classifier}", "--out",
               str(tmp_path / "o"), "--cache", str(bad), "--device", "cpu", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "bad.sqlite: not a usable xstress prediction cache" in err and "Traceback" not in err, err
    assert err.strip().count("\n") == 0


def test_two_runs_sharing_a_cache_equal_one_run(tmp_path, tiny_models, sample_data):
    atk = tmp_path / "atk"
    generate(task="xnli", data=sample_data / "xnli", langs="en,de,zh",
             recipe=single_op_recipe(["char.swap", "char.keyboard", "logic.negate"]), out=atk)
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    cache = tmp_path / "shared.sqlite"

    def cmd(out, cache_arg):
        return [sys.executable, "-m", "harness.cli", "score", "--attacks", str(atk), "--model",
                f"m={tiny_models.classifier}", "--out", str(out), "--cache", cache_arg, "--device", "cpu",
                "--no-progress", "--batch-tokens", "256"]

    procs = [subprocess.Popen(cmd(tmp_path / f"r{i}", str(cache)), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in (1, 2)]
    for p in procs:
        assert p.wait(timeout=600) == 0, p.stderr.read()[-2000:]
    alone = subprocess.run(cmd(tmp_path / "alone", "none"), env=env, capture_output=True, text=True, timeout=600)
    assert alone.returncode == 0, alone.stderr[-2000:]

    def cells(d):
        doc = json.loads((d / "results.json").read_text())
        return [{k: v for k, v in c.items() if k != "model"} for c in doc["cells"]]

    assert cells(tmp_path / "r1") == cells(tmp_path / "alone") == cells(tmp_path / "r2")
    with PredictionCache(cache) as c:
        n_rows = c.count()
        db_ok = c._db.execute("PRAGMA integrity_check").fetchone()[0]
    unique = json.loads((tmp_path / "alone" / "results.json").read_text())["models"][0]["scoring"]["unique"]
    assert db_ok == "ok" and n_rows == unique  # every distinct input once: nothing lost, nothing doubled
