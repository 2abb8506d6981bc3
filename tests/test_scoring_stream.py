"""Streaming scoring: chunked collection equals one pass, predictions files give back results.json's metrics,
shared per-row columns across models, progress with counts, and the predictions file format."""
import json

import numpy as np
import pytest
from tinymodels import make_xnli_set, tiny_models  # noqa: F401

from harness import collect
from harness.analysis import ModelRun, analyse
from harness.attackset import read_attack_set
from harness.cache import PredictionCache
from harness.collect import Progress, collect_predictions
from harness.experiment import Experiment, ModelSpec
from harness.predictions import PredictionsWriter, predictions_path, read_predictions
from harness.predictor import DummyPredictor
from harness.results import _clean
from harness.runner import RunOptions, run_experiment
from harness.scoring import InputTable, Scorer


def _arrays(preds):
    out = {}
    for lang, lp in preds.items():
        out[(lang, None)] = (list(lp.ids), lp.gold.tolist(), lp.pred.tolist())
        for op, o in lp.ops.items():
            out[(lang, op)] = tuple(getattr(o, k).tolist() for k in ("index", "variant", "pred", "gold", "orig_gold"))
    return out


def test_small_chunks_give_the_same_predictions(tmp_path, monkeypatch):
    aset = read_attack_set(make_xnli_set(tmp_path / "as", langs=("en", "de"), n=30, k=2))
    whole = collect_predictions(Scorer(DummyPredictor("xnli", seed=2)), aset)
    monkeypatch.setattr(collect, "CHUNK_ROWS", 7)
    monkeypatch.setattr(collect, "ENCODE_ROWS", 3)
    s = Scorer(DummyPredictor("xnli", seed=2))
    chunked = collect_predictions(s, aset)
    assert _arrays(chunked) == _arrays(whole)
    assert s.stats.requested == sum(len(lp.ids) + sum(len(o.pred) for o in lp.ops.values()) for lp in whole.values())
    assert whole["en"].pred.dtype == np.int8 and whole["en"].ops["char.swap"].index.dtype == np.int32


def test_resume_from_cache_recomputes_nothing_across_chunks(tmp_path, monkeypatch, tiny_models):  # noqa: F811
    from harness.models import load_model

    aset = read_attack_set(make_xnli_set(tmp_path / "as", langs=("en", "de"), n=25, k=2))
    monkeypatch.setattr(collect, "CHUNK_ROWS", 40)
    p = load_model(tiny_models.classifier, task="xnli")
    with PredictionCache(tmp_path / "c.sqlite") as cache:
        first = Scorer(p, cache=cache, batch_tokens=256)
        a = collect_predictions(first, aset)
        again = Scorer(p, cache=cache)
        b = collect_predictions(again, aset)
    assert first.stats.scored_inputs > 0
    assert (again.stats.scored_inputs, again.stats.forward_passes) == (0, 0)
    assert _arrays(a) == _arrays(b)


def test_input_table_packs_unique_inputs_flat():
    t = InputTable(choices=2)
    assert t.add("k1", (([5, 6, 7], [0, 0, 1]), ([5, 8], [0, 1]))) == 0
    assert t.add("k2", (([1], [0]), ([2, 3, 4, 9], [0, 0, 1, 1]))) == 1
    assert t.add("k1", (([0], [0]), ([0], [0]))) == 0  # a known key is not stored again
    assert len(t) == 2 and t.lengths.tolist() == [3, 4]
    tok, typ = t.sequence(1, 1)
    assert tok.dtype == np.int32 and tok.tolist() == [2, 3, 4, 9] and typ.tolist() == [0, 0, 1, 1]
    assert t.nbytes() < 200


def _experiment(attacks, names=("a", "b")):
    models = [ModelSpec(name=n, path=None, predictor=DummyPredictor("xnli", seed=i, name=n),
                        schedule="s1" if i % 2 == 0 else "s2") for i, n in enumerate(names)]
    return Experiment(task=None, attacks=str(attacks), models=models, comparisons=[("s1", "s2")])


def test_predictions_files_give_back_every_metric_of_results(tmp_path):
    attacks = make_xnli_set(tmp_path / "as", langs=("en", "de", "fr"), n=30, k=2)
    opts = RunOptions(n_boot=200, predictions_dir=str(tmp_path / "out"), progress=False)
    doc = run_experiment(_experiment(attacks), opts)
    runs = []
    for m in doc["models"]:
        path = tmp_path / "out" / m["predictions"]
        assert path == predictions_path(tmp_path / "out", m["name"])
        runs.append(ModelRun(name=m["name"], predictions=read_predictions(path, "xnli"), schedule=m["schedule"],
                             seed=m["seed"]))
    again = analyse(runs, manifest=read_attack_set(attacks).manifest, n_boot=200, seed=opts.boot_seed,
                    level=opts.level)
    assert _clean(again.cells) == doc["cells"]
    assert _clean(again.aggregates) == doc["aggregates"]
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == doc["models"][-1]["scoring"]["requested"]
    assert set(rows[0]) == {"id", "variant", "lang", "op", "gold", "orig_gold", "prediction", "probabilities",
                            "from_cache"}
    clean = [r for r in rows if r["op"] is None]
    assert clean and all(r["variant"] is None for r in clean)
    r = next(r for r in rows if r["op"] == "logic.negate")
    assert r["prediction"] == ("entailment", "neutral", "contradiction")[int(np.argmax(r["probabilities"]))]
    assert abs(sum(r["probabilities"]) - 1) < 1e-5
    assert not list((tmp_path / "out" / "predictions").glob(".*partial*"))  # written atomically


def test_predictions_file_is_left_untouched_by_a_failed_run(tmp_path):
    path = tmp_path / "predictions" / "m.jsonl"
    path.parent.mkdir()
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with PredictionsWriter(path, "xnli") as w:
            w._f.write("partial\n")
            raise RuntimeError("killed")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert list(path.parent.iterdir()) == [path]


def test_models_share_the_per_row_columns(tmp_path):
    attacks = make_xnli_set(tmp_path / "as", langs=("en",), n=20, k=2)
    runner_opts = RunOptions(n_boot=50, progress=False)
    from harness import runner

    captured = {}
    real = runner.analyse

    def spy(runs, **kw):
        captured["runs"] = runs
        return real(runs, **kw)

    runner.analyse = spy
    try:
        run_experiment(_experiment(attacks, names=("a", "b", "c")), runner_opts)
    finally:
        runner.analyse = real
    a, c = (r.predictions["en"].ops["char.swap"] for r in (captured["runs"][0], captured["runs"][2]))
    assert a.index is c.index and a.gold is c.gold and a.variant is c.variant
    assert a.pred is not c.pred


def test_progress_reports_counts_for_encoding_and_scoring(tmp_path):
    aset = read_attack_set(make_xnli_set(tmp_path / "as", langs=("en", "de"), n=12, k=1))
    seen = {"rows": 0, "scored": 0, "langs": set()}

    def rows(lang, n):
        seen["rows"] += n
        seen["langs"].add(lang)

    def scored(lang, n, total):
        seen["scored"] += n
        assert 0 < n <= total

    s = Scorer(DummyPredictor("xnli", seed=1))
    collect_predictions(s, aset, progress=Progress(rows=rows, scored=scored))
    assert seen["rows"] == s.stats.requested and seen["scored"] == s.stats.scored_inputs > 0
    assert seen["langs"] == {"en", "de"}


def test_progress_bar_with_unknown_total_does_not_crash(tmp_path, capsys):
    # --max-per-lang leaves the total unknown (tqdm total=None): no truth test of the bar may happen.
    attacks = make_xnli_set(tmp_path / "as", langs=("en",), n=12, k=1)
    doc = run_experiment(_experiment(attacks), RunOptions(n_boot=20, progress=True, max_per_lang=5))
    assert doc["cells"]
    assert "analysing" in capsys.readouterr().err


def test_score_in_a_terminal_shows_progress_and_writes_predictions(tmp_path, tiny_models):  # noqa: F811
    """`xstress score` with stderr a real pseudo-terminal: progress bars draw (no tqdm truth-test crash)."""
    import os
    import subprocess
    import sys
    import threading
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    attacks = make_xnli_set(tmp_path / "as", langs=("en", "de"), n=12, k=1)
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    # A pty without a size reads as 0 columns, where tqdm draws an empty bar: give it a real terminal's size.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    for extra in ([], ["--max-per-lang", "5"]):
        out = tmp_path / f"out{len(extra)}"
        p = subprocess.run([sys.executable, "-m", "harness.cli", "score", "--attacks", str(attacks), "--model",
                            f"m={tiny_models.classifier}", "--out", str(out), "--cache", "none", "--bootstrap", "20",
                            *extra], stdout=subprocess.PIPE, stderr=slave, cwd=str(repo),
                           env={**os.environ, "PYTHONPATH": str(repo)}, timeout=300)
        assert p.returncode == 0, b"".join(chunks).decode(errors="replace")[-2000:]
        assert (out / "predictions" / "m.jsonl").is_file()
    os.close(slave)
    reader.join(timeout=5)
    err = b"".join(chunks).decode(errors="replace")
    assert "row/s" in err and " scoring " in err and "analysing" in err and "Traceback" not in err
