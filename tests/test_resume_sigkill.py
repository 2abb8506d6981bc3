"""Crash-resume: a scoring run SIGKILLed at several random points resumes to the same results as an uninterrupted
run, with nothing lost and no committed prediction ever computed twice.

tests/test_harness_scoring.py kills one run once. Here one test kills the same run again and again at seeded
random points (right at the start, mid-batch, around a commit), each time resuming from whatever the previous
victims committed. Starting a fresh interpreter per trial would cost seconds of torch imports each, so a
"zygote" process imports torch and loads the tiny model once (single-threaded, so forking it is safe) and forks
one scoring child per trial; the test SIGKILLs the child and the zygote reaps it and reports how it died.
"""
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from tinymodels import make_xnli_set, tiny_models  # noqa: F401

from harness.attackset import read_attack_set
from harness.cache import PredictionCache
from harness.collect import collect_predictions
from harness.models import LoadOptions, load_model
from harness.scoring import Scorer

REPO = Path(__file__).resolve().parent.parent

_ZYGOTE = textwrap.dedent("""
    import os, sys, time, traceback
    sys.path[:0] = [{repo!r}, {tests!r}]
    import torch
    torch.set_num_threads(1)  # no worker threads: the process can be forked safely
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    from harness.attackset import read_attack_set
    from harness.cache import PredictionCache
    from harness.collect import collect_predictions
    from harness.models import LoadOptions, load_model
    from harness.scoring import Scorer

    p = load_model({model!r}, task="xnli", options=LoadOptions(device="cpu"))
    aset = read_attack_set({attacks!r})
    slow = p.forward
    def forward(batch):
        time.sleep(0.01)  # long enough a run to land kills inside it
        return slow(batch)
    p.forward = forward
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                with PredictionCache({cache!r}) as cache:
                    collect_predictions(Scorer(p, cache=cache, batch_tokens=256, max_batch=8, progress=False), aset)
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        print("pid", pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print("status", status, flush=True)
""")


def _committed(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM predictions").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


@pytest.fixture
def one_torch_thread():
    # On a small shared CPU, OpenMP's spinning threads make tiny-model forwards cost 10-30x more CPU.
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_random_sigkills_then_resume_gives_identical_results(tiny_models, tmp_path, one_torch_thread):  # noqa: F811
    attacks = make_xnli_set(tmp_path / "as", langs=("en", "de"), n=36, k=2)
    aset = read_attack_set(attacks)
    p = load_model(tiny_models.classifier, task="xnli", options=LoadOptions(device="cpu"))
    reference_scorer = Scorer(p, cache=None, batch_tokens=256, max_batch=8)
    reference = collect_predictions(reference_scorer, aset)
    unique = reference_scorer.stats.unique
    assert unique > 150

    cache_path = tmp_path / "cache.sqlite"
    script = tmp_path / "zygote.py"
    script.write_text(_ZYGOTE.format(repo=str(REPO), tests=str(REPO / "tests"), model=str(tiny_models.classifier),
                                     attacks=str(attacks), cache=str(cache_path)))
    zygote = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    rng = random.Random(1234)
    # Kill points: at once (before the cache exists), then after seeded random numbers of committed inputs,
    # each plus a random delay so the kill lands anywhere in a batch: in forward, in the sleep, in a commit.
    targets = [0] + sorted(rng.sample(range(10, int(unique * 0.8)), 4))
    history = []
    try:
        assert zygote.stdout.readline().strip() == "ready", zygote.stderr.read()[-3000:]
        for target in targets:
            zygote.stdin.write("go\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline().split()[1])
            before = _committed(cache_path)
            deadline = time.time() + 60
            while target and _committed(cache_path) < target and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.03))
            os.kill(pid, signal.SIGKILL)
            status = int(zygote.stdout.readline().split()[1])
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            after = _committed(cache_path)
            history.append((target, before, after, killed))
            assert killed or (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and after == unique), \
                (history, zygote.stderr.read()[-3000:] if not killed else "")
            assert after >= before, f"a kill lost committed predictions: {history}"
    finally:
        if zygote.poll() is None:
            zygote.stdin.close()
            try:
                zygote.wait(timeout=30)
            except subprocess.TimeoutExpired:
                zygote.kill()
                zygote.wait()
    killed_mid_run = [h for h in history if h[3] and 0 < h[2] < unique]
    assert len(killed_mid_run) >= 3, f"kills did not land inside the run: {history}"

    with PredictionCache(cache_path) as cache:
        ns = p.namespace
        stored = cache.count(ns)
        counters = cache.counters(ns)
        assert stored == counters["scored_inputs"] <= unique  # every committed batch complete and counted once
        resumed = Scorer(p, cache=cache, batch_tokens=256, max_batch=8)
        got = collect_predictions(resumed, aset)
        assert resumed.stats.cache_hits == stored  # nothing lost
        assert resumed.stats.scored_inputs == unique - stored  # nothing recomputed
        assert cache.counters(ns)["scored_inputs"] == unique  # across all processes, each input scored once
        for key, blob in cache._db.execute("SELECT key, probs FROM predictions WHERE ns = ?", (ns,)):
            row = np.frombuffer(blob, dtype=np.float32)
            assert row.shape == (3,) and abs(float(row.sum()) - 1) < 1e-4, key
        assert cache._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The probabilities themselves: all from the cache now, equal to a fresh computation up to float
        # rounding (batch composition differs between the killed runs and this one).
        rows = [r for lang in aset.langs for r in aset.clean(lang) +
                [x for op in aset.perturbations(lang) for x in aset.rows(lang, op)]]
        cached = Scorer(p, cache=cache)
        np.testing.assert_allclose(cached.score(rows), Scorer(p, cache=None).score(rows), atol=1e-5)
        assert cached.stats.scored_inputs == 0

    for lang, ref in reference.items():
        assert got[lang].ids == ref.ids
        assert (got[lang].pred == ref.pred).all() and (got[lang].gold == ref.gold).all()
        assert set(got[lang].ops) == set(ref.ops)
        for op, r in ref.ops.items():
            g = got[lang].ops[op]
            for field in ("index", "variant", "pred", "gold", "orig_gold"):
                assert (getattr(g, field) == getattr(r, field)).all(), (lang, op, field)
