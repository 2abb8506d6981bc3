"""Scoring engine: token-budget batches, dedup, cache reuse, and resume after SIGKILL with nothing recomputed."""
import os
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
from harness.models import CPU_MAX_PAD, load_model
from harness.predictor import DummyPredictor
from harness.scoring import Scorer, plan_batches

REPO = Path(__file__).resolve().parent.parent


def test_plan_batches_respects_budget():
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 120, size=300).tolist()
    rows = [2] * 300
    batches = plan_batches(lengths, rows, batch_tokens=1000, max_batch=16)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(300))
    for b in batches:
        width = max(lengths[i] for i in b)
        assert len(b) <= 16
        assert len(b) == 1 or width * 2 * len(b) <= 1000
    firsts = [lengths[b[0]] for b in batches]
    assert firsts == sorted(firsts, reverse=True)  # longest first
    # An input longer than the budget still gets its own batch instead of being lost.
    assert plan_batches([50, 5], [1, 1], batch_tokens=10, max_batch=8) == [[0], [1]]


def test_plan_batches_max_pad_closes_a_batch_before_padding_passes_the_share():
    rng = np.random.default_rng(1)
    lengths = rng.integers(3, 120, size=300).tolist()
    rows = [1] * 300
    full = plan_batches(lengths, rows, batch_tokens=4000, max_batch=64)
    capped = plan_batches(lengths, rows, batch_tokens=4000, max_batch=64, max_pad=0.1, min_rows=1)
    assert sorted(i for b in capped for i in b) == list(range(300))

    def padded(bs):
        return sum(max(lengths[i] for i in b) * len(b) for b in bs)

    for b in capped:
        width = max(lengths[i] for i in b)
        assert len(b) <= 64 and (len(b) == 1 or width * len(b) <= 4000)
        assert len(b) == 1 or width * len(b) - sum(lengths[i] for i in b) <= 0.1 * width * len(b)
    assert padded(capped) < padded(full)
    # A small mixed-length set (an attack round): the long input no longer pads the short ones.
    assert plan_batches([120, 30, 28, 25], [1] * 4, batch_tokens=16384, max_batch=256) == [[0, 1, 2, 3]]
    assert plan_batches([120, 30, 28, 25], [1] * 4, batch_tokens=16384, max_batch=256, max_pad=0.1,
                        min_rows=1) == [[0], [1, 2, 3]]
    # Below min_rows a batch is not closed for padding (a CPU forward of a few inputs costs more per token).
    assert plan_batches([120, 30, 28, 25], [1] * 4, batch_tokens=16384, max_batch=256, max_pad=0.1,
                        min_rows=2) == [[0, 1], [2, 3]]
    assert plan_batches([120, 30, 28, 25], [1] * 4, batch_tokens=16384, max_batch=256, max_pad=0.1) == [[0, 1, 2, 3]]


def test_scorer_takes_the_backends_padding_rule(tiny_models):  # noqa: F811
    pred = load_model(tiny_models.classifier, task="xnli")
    assert pred.device == "cpu" and Scorer(pred).max_pad == CPU_MAX_PAD > 0  # CPU: padded tokens cost, batch size does not
    assert Scorer(pred, max_pad=None).max_pad is None
    assert Scorer(DummyPredictor("xnli", seed=3)).max_pad is None  # no token lengths to weigh


def _rows(n, dup=1):
    return [{"fields": {"premise": f"p{i % (n // dup)}", "hypothesis": "h"}} for i in range(n)]


def test_dedup_and_cache_with_protocol_predictor(tmp_path):
    pred = DummyPredictor("xnli", seed=3)
    rows = _rows(40, dup=4)  # 10 distinct inputs, each 4 times
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        s = Scorer(pred, cache=cache, batch_tokens=8, max_batch=4)
        first = s.score(rows)
        assert (s.stats.unique, s.stats.scored_inputs, s.stats.cache_hits) == (10, 10, 0)
        np.testing.assert_allclose(first[0], first[10])
        s2 = Scorer(pred, cache=cache)
        again = s2.score(rows)
        assert (s2.stats.scored_inputs, s2.stats.cache_hits, s2.stats.forward_passes) == (0, 10, 0)
        np.testing.assert_array_equal(first, again)
    # Without a fingerprint a predictor's outputs cannot be keyed safely: nothing is cached.
    p = DummyPredictor("xnli", fn=lambda ex: "neutral")
    with PredictionCache(tmp_path / "c2.sqlite") as cache:
        Scorer(p, cache=cache).score(rows)
        assert cache.count() == 0


def test_hf_scores_do_not_depend_on_batching(tiny_models, tmp_path):  # noqa: F811
    aset = read_attack_set(make_xnli_set(tmp_path / "as", langs=("en",), n=24))
    rows = aset.clean("en") + list(aset.rows("en", "char.swap"))
    p = load_model(tiny_models.classifier, task="xnli")
    big = Scorer(p, batch_tokens=100_000).score(rows)
    small = Scorer(p, batch_tokens=64, max_batch=3)
    out = small.score(rows)
    assert small.stats.forward_passes > 10
    np.testing.assert_allclose(out, big, atol=1e-5)
    assert (out.argmax(1) == big.argmax(1)).all()


_CHILD = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{repo!r}, {tests!r}]
    from harness.attackset import read_attack_set
    from harness.cache import PredictionCache
    from harness.collect import collect_predictions
    from harness.models import CPU_MAX_PAD, load_model
    from harness.scoring import Scorer
    p = load_model({model!r}, task="xnli")
    slow = p.forward
    def forward(batch):
        time.sleep(0.03)  # make the run long enough to be killed in the middle
        return slow(batch)
    p.forward = forward
    s = Scorer(p, cache=PredictionCache({cache!r}), batch_tokens=256, max_batch=8, progress=False)
    collect_predictions(s, read_attack_set({attacks!r}))
    print("finished", flush=True)
""")


def test_resume_after_sigkill(tiny_models, tmp_path):  # noqa: F811
    attacks = make_xnli_set(tmp_path / "as", langs=("en", "de", "fr"), n=40, k=2)
    cache_path = tmp_path / "cache.sqlite"
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(repo=str(REPO), tests=str(REPO / "tests"), model=str(tiny_models.classifier),
                                    cache=str(cache_path), attacks=str(attacks)))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    committed = 0
    deadline = time.time() + 60
    try:
        while time.time() < deadline and child.poll() is None:
            if cache_path.exists():
                try:
                    with sqlite3.connect(cache_path, timeout=5) as db:
                        committed = db.execute("SELECT COUNT(*) FROM predictions").fetchone()[0]
                except sqlite3.OperationalError:
                    committed = 0  # schema not created yet
            if committed >= 40:
                break
            time.sleep(0.02)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()[-2000:]

    p = load_model(tiny_models.classifier, task="xnli")
    aset = read_attack_set(attacks)
    with PredictionCache(cache_path) as cache:
        ns = p.namespace
        before = cache.counters(ns)
        stored = cache.count(ns)
        assert 40 <= stored == before["scored_inputs"]  # every committed batch is complete and counted

        resumed = Scorer(p, cache=cache, batch_tokens=256, max_batch=8)
        got = collect_predictions(resumed, aset)
        total = resumed.stats.unique
        assert stored < total
        assert resumed.stats.cache_hits == stored  # nothing lost
        assert resumed.stats.scored_inputs == total - stored  # nothing recomputed
        assert cache.counters(ns)["scored_inputs"] == total  # across both processes: each input scored once

    fresh = collect_predictions(Scorer(p, cache=None), aset)
    for lang in fresh:
        assert (got[lang].pred == fresh[lang].pred).all()
        for op in fresh[lang].ops:
            assert (got[lang].ops[op].pred == fresh[lang].ops[op].pred).all()
