"""End to end through the `score`/`report` commands on tiny models: the documents and files they write."""
import argparse
import csv
import json

import pytest
from tinymodels import make_xnli_set, tiny_models  # noqa: F401

from harness.commands import report as report_cmd
from harness.commands import score as score_cmd
from harness.demo_models import build_classifier
from harness.report import CSV_FIELDS

TOP_KEYS = {"schema_version", "xstress_version", "created", "signature", "task", "attack_set", "config",
            "environment", "models", "cells", "aggregates", "comparisons", "document_sha256"}


def _cli(argv):
    parser = argparse.ArgumentParser(prog="xstress")
    sub = parser.add_subparsers(dest="command", required=True)
    score_cmd.register(sub)
    report_cmd.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(scope="module")
def scored(tmp_path_factory, tiny_models):  # noqa: F811
    root = tmp_path_factory.mktemp("e2e")
    attacks = make_xnli_set(root / "attacks", langs=("en", "de", "fr"), n=30, k=2)
    other = build_classifier(root / "int", tokenizer_dir=tiny_models.tokenizer, seed=1)
    out = root / "out"
    rc = _cli(["score", "--attacks", str(attacks), "--model", f"seq={tiny_models.classifier}", "--model",
               f"int={other}", "--schedule", "seq=sequential", "--schedule", "int=interleaved", "--out", str(out),
               "--cache", str(root / "cache.sqlite"), "--bootstrap", "200", "--no-progress"])
    assert rc == 0
    return root, out


def test_results_document(scored):
    _, out = scored
    doc = json.loads((out / "results.json").read_text())
    assert set(doc) == TOP_KEYS
    assert doc["schema_version"] == 2 and doc["task"] == "xnli"
    assert doc["signature"].startswith(f"xstress:{doc['xstress_version']}|")
    assert doc["attack_set"]["signatures"]["char.swap"]["de"].startswith("xstress:0.1.0|op:char.swap")
    assert {m["name"] for m in doc["models"]} == {"seq", "int"}
    assert all(len(m["fingerprint"]) == 64 and m["precision"] == "fp32" for m in doc["models"])
    assert {"python", "torch", "transformers", "device"} <= set(doc["environment"])
    assert len(doc["cells"]) == 2 * 3 * 2
    cell = doc["cells"][0]
    for s in ("acc_clean", "acc_pert", "delta", "rel_delta", "flip_rate", "attack_success", "worst_of_k"):
        assert s in cell and len(cell[s + "_ci"]) == 2
    neg = next(c for c in doc["cells"] if c["op"] == "logic.negate")
    assert neg["label_effect"] == "map" and neg["label_changed"] > 0 and neg["n_ids"] < 30
    assert {a["level"] for a in doc["aggregates"]} == {"lang", "op", "family", "overall"}
    (cmp,) = doc["comparisons"]  # two schedules -> compared by default
    assert (cmp["a"], cmp["b"], cmp["primary_test"]) == ("sequential", "interleaved", "permutation")
    assert len(cmp["cells"]) == 6 and all("p_holm" in c and "p_bh" in c for c in cmp["cells"])
    # 30 ids per language: cells at or above min_n are tested; the negation cells (fewer ids) carry no p.
    assert doc["config"]["min_n"] == 20
    for c in cmp["cells"]:
        assert (c["p"] is None) == (c["n_ids"] < 20) == c["too_small"]
    assert all(c["delta_ci"] is None for c in doc["cells"] if c["too_small"])


def test_csv_and_heatmaps(scored):
    _, out = scored
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == CSV_FIELDS
    assert len(rows) - 1 == 12
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["heatmap_delta_interleaved.png", "heatmap_delta_sequential.png",
                    "heatmap_diff_sequential_vs_interleaved.png"]
    for p in out.glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 1000
    summary = (out / "summary.md").read_text()
    assert "## sequential vs interleaved" in summary and "Signature:" in summary
    doc = json.loads((out / "results.json").read_text())
    (cmp,) = doc["comparisons"]
    from harness.report import significance_line

    # The CLI prints the same line (harness/commands/score.py), so the two counts cannot disagree.
    assert significance_line(cmp) in summary
    assert f"Correction: Holm at α = 0.05, separately over the {cmp['n_primary_tests']} primary tests" in summary
    assert "paired sign-flip" in summary and "-0.0" not in summary
    assert "-0.0" not in (out / "results.csv").read_text()


def test_report_rerenders(scored, capsys):
    root, out = scored
    before = (out / "results.csv").read_text()
    for p in [out / "results.csv", out / "summary.md", *out.glob("*.png")]:
        p.unlink()
    assert _cli(["report", "--results", str(out)]) == 0
    assert (out / "results.csv").read_text() == before
    assert (out / "summary.md").is_file() and len(list(out.glob("*.png"))) == 3
    assert "lang" in capsys.readouterr().out


def test_experiment_file_and_cache_reuse(scored, tiny_models, tmp_path):  # noqa: F811
    root, _ = scored
    exp = tmp_path / "exp.yaml"
    exp.write_text(f"task: xnli\nattacks: {root / 'attacks'}\nmodels:\n"
                   f"  - {{name: seq, path: {tiny_models.classifier}, schedule: sequential, seed: 1}}\n"
                   f"  - {{name: int, path: {root / 'int'}, schedule: interleaved, seed: 1}}\n"
                   "comparisons:\n  - {a: interleaved, b: sequential}\n")
    out = tmp_path / "out"
    assert _cli(["score", "--experiment", str(exp), "--out", str(out), "--cache", str(root / "cache.sqlite"),
                 "--bootstrap", "50", "--max-per-lang", "10", "--no-progress"]) == 0
    doc = json.loads((out / "results.json").read_text())
    assert all(m["scoring"]["scored_inputs"] == 0 for m in doc["models"])  # everything came from the cache
    assert doc["comparisons"][0]["a"] == "interleaved"
    assert max(c["n_ids"] for c in doc["cells"]) <= 10
    ids = {lang: None for lang in ("en", "de", "fr")}
    assert doc["config"]["max_per_lang"] == 10 and len(ids) == 3


def test_bad_experiment_is_a_clear_error(tmp_path):
    from harness.errors import ExperimentError

    exp = tmp_path / "exp.yaml"
    exp.write_text("attacks: x\nmodels: [{name: a, path: p, shedule: seq}]\n")
    with pytest.raises(ExperimentError, match=r"unknown key\(s\) \['shedule'\]"):
        _cli(["score", "--experiment", str(exp), "--out", str(tmp_path / "o")])


def test_xcopa_and_protocol_predictor(tiny_models, tmp_path):  # noqa: F811
    """XCOPA end to end with the tiny multiple-choice model next to a plain Predictor object."""
    from tinymodels import make_xcopa_set

    from harness.experiment import Experiment, ModelSpec
    from harness.predictor import DummyPredictor
    from harness.runner import RunOptions, run_experiment

    attacks = make_xcopa_set(tmp_path / "xc", n=10)
    always_first = DummyPredictor("xcopa", fn=lambda ex: 0, name="first")
    exp = Experiment(task="xcopa", attacks=str(attacks), comparisons=[("mc", "first")], models=[
        ModelSpec(name="mc", path=str(tiny_models.multiple_choice)),
        ModelSpec(name="first", predictor=always_first),
    ])
    doc = run_experiment(exp, RunOptions(cache=str(tmp_path / "c.sqlite"), n_boot=50))
    assert doc["task"] == "xcopa" and len(doc["cells"]) == 2 * 2
    first = [c for c in doc["cells"] if c["model"] == "first"]
    # Always answering choice 1: labels alternate 0/1, so clean accuracy is 50% and nothing ever flips.
    assert all(c["acc_clean"] == 0.5 and c["flip_rate"] == 0.0 and c["delta"] == 0.0 for c in first)
    assert doc["comparisons"][0]["primary_test"] == "permutation"
    with pytest.raises(Exception, match="no perturbation"):
        run_experiment(exp, RunOptions(cache=None, n_boot=10, ops=("lex.nope",)))
