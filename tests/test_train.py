"""`xstress train`: config validation, jiant's samplers, deterministic schedules, exact resume after SIGKILL,
2-process gloo DDP, and a checkpoint that `xstress score` reads as it is."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from harness.train.config import TrainConfigError, load_config
from harness.train.sampler import DataCursor, TaskSampler, task_probabilities
from tinymodels import tiny_models  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


def _config(tmp: Path, base: Path, *, kind="interleaved", seed=3, steps=6, target_steps=4, **extra) -> Path:
    doc = {
        "model": str(base), "seed": seed, "batch_size": 4, "max_length": 48, "lr": 0.002, "save_every": 2,
        "dropout": extra.pop("dropout", None),
        "tasks": {
            "copa": {"type": "multiple_choice", "data": str(DATA / "xcopa"), "format": "xcopa", "split": "test",
                     "langs": ["en"]},
            "qa": {"type": "qa", "data": str(DATA / "qa" / "train.jsonl"), "format": "jsonl"},
            "nli": {"type": "classification", "data": str(DATA / "xnli"), "format": "xnli", "split": "test",
                    "langs": ["en"]},
        },
        "eval": {"task": "xnli", "data": str(DATA / "xnli"), "split": "test", "langs": ["de", "zh"],
                 "max_per_lang": 6, "every": 4},
    }
    if kind == "sequential":
        doc["schedule"] = {"kind": "sequential", "order": ["qa", "copa"], "steps": {"qa": steps // 2, "copa": steps // 2},
                           "target": {"task": "nli", "steps": target_steps}}
    else:
        doc["schedule"] = {"kind": "interleaved", "order": ["copa", "qa"], "sampler": "proportional",
                           "steps": steps, "target": {"task": "nli", "steps": target_steps, "placement": "after"}}
    doc.update(extra)
    path = tmp / f"{kind}-{seed}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _run(cfg: Path, out: Path, *, launcher=(), timeout=300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    cmd = [*(launcher or [sys.executable]), "-m", "harness.cli", "train", "--config", str(cfg), "--out", str(out),
           "--no-progress"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=out.parent)


def _weights(model_dir: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(model_dir / "model.safetensors"))


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# --- config and data errors ----------------------------------------------------------------------------------

def test_unknown_key_and_wrong_type_name_the_file_and_key(tmp_path, tiny_models):
    cfg = _config(tmp_path, tiny_models.classifier)
    doc = yaml.safe_load(cfg.read_text())
    doc["tasks"]["qa"]["colums"] = {}
    cfg.write_text(yaml.safe_dump(doc))
    with pytest.raises(TrainConfigError, match=rf"{cfg.name}: tasks.qa: unknown key\(s\) colums"):
        load_config(cfg)
    doc["tasks"]["qa"].pop("colums")
    doc["batch_size"] = "four"
    cfg.write_text(yaml.safe_dump(doc))
    with pytest.raises(TrainConfigError, match=r"batch_size: expected int"):
        load_config(cfg)
    doc["batch_size"] = 4
    doc["schedule"]["target"]["task"] = "qa"
    cfg.write_text(yaml.safe_dump(doc))
    with pytest.raises(TrainConfigError, match=r"target must be classification or multiple choice"):
        load_config(cfg)


def test_bad_data_row_is_a_file_line_error(tmp_path, tiny_models):
    bad = tmp_path / "qa.jsonl"
    lines = (DATA / "qa" / "train.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    bad.write_text(lines[0] + "{not json\n", encoding="utf-8")
    doc = yaml.safe_load(_config(tmp_path, tiny_models.classifier).read_text())
    doc["tasks"]["qa"]["data"] = str(bad)
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    proc = _run(cfg, tmp_path / "o")
    assert proc.returncode == 2 and f"{bad}:2: not valid JSON" in proc.stderr, proc.stderr[-2000:]


# --- samplers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sampler,kw,expected", [
    ("proportional", {}, {"a": 0.1, "b": 0.3, "c": 0.6}),
    ("temperature", {"temperature": 2.0}, None),
    ("temperature", {"temperature": 1.0, "cap": 200}, {"a": 100 / 500, "b": 200 / 500, "c": 200 / 500}),
    ("uniform", {}, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}),
    ("fixed", {"fixed": {"a": 2, "b": 1, "c": 1}}, {"a": 0.5, "b": 0.25, "c": 0.25}),
])
def test_samplers_draw_in_the_promised_proportions(sampler, kw, expected):
    from scipy.stats import chisquare

    sizes = {"a": 100, "b": 300, "c": 600}
    p = task_probabilities(sizes, sampler, **kw)
    if expected is None:  # p ∝ n^(1/T)
        w = {t: n ** 0.5 for t, n in sizes.items()}
        expected = {t: v / sum(w.values()) for t, v in w.items()}
    assert p == pytest.approx(expected)
    s = TaskSampler(p, seed=11)
    draws = [s.draw() for _ in range(6000)]
    observed = [draws.count(t) for t in p]
    assert chisquare(observed, [6000 * p[t] for t in p]).pvalue > 0.001, observed


def test_sampler_and_cursor_resume_where_they_stopped():
    p = task_probabilities({"a": 5, "b": 9}, "proportional")
    s1, s2 = TaskSampler(p, 4), TaskSampler(p, 4)
    [s1.draw() for _ in range(17)]
    state = s1.state()
    s2.restore(json.loads(json.dumps(state)))
    assert [s1.draw() for _ in range(50)] == [s2.draw() for _ in range(50)]
    c1, c2 = DataCursor(7, 1, "t"), DataCursor(7, 1, "t")
    first = c1.next_indices(5) + c1.next_indices(5)
    assert sorted(first[:7]) == list(range(7))  # one whole epoch before any repeat
    c2.restore(c1.state())
    assert c1.next_indices(9) == c2.next_indices(9)


# --- training ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_models):
    root = tmp_path_factory.mktemp("train")
    runs = {}
    for kind, seed in (("interleaved", 3), ("interleaved", 3), ("sequential", 3)):
        out = root / f"{kind}-{seed}-{len(runs)}"
        proc = _run(_config(root, tiny_models.classifier, kind=kind, seed=seed), out)
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs[out.name] = out
    return root, runs


def test_schedules_are_deterministic_and_differ(trained):
    _, runs = trained
    a, b, seq = (runs[k] for k in sorted(runs, key=lambda k: int(k.rsplit("-", 1)[1])))
    assert _same(_weights(a / "final"), _weights(b / "final")), "same config and seed must give the same weights"
    assert not _same(_weights(a / "final"), _weights(seq / "final"))
    doc = json.loads((a / "training.json").read_text())
    assert doc["steps"] == 10 and set(doc["draws"]) == {"copa", "qa", "nli"} and doc["draws"]["nli"] == 4
    assert doc["dev_curve"] and doc["best"] and doc["data"]["qa"]["files"]
    seqdoc = json.loads((seq / "training.json").read_text())
    assert [p["name"] for p in seqdoc["phases"]] == ["qa", "copa", "nli"]
    assert (a / "dev_curve.png").is_file() and (a / "experiment.yaml").is_file()


def test_resume_after_sigkill_gives_the_same_weights(trained, tiny_models):
    root, runs = trained
    reference = next(v for k, v in runs.items() if k.startswith("interleaved") and k.endswith("-0"))
    cfg = _config(root, tiny_models.classifier, kind="interleaved", seed=3)
    out = root / "killed"
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "train", "--config", str(cfg), "--out", str(out),
                             "--no-progress"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = out / "checkpoints" / "last" / "state.json"
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if state.is_file() and json.loads(state.read_text())["global_step"] >= 4:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = _run(cfg, out)
    assert done.returncode == 0 and "resuming at step" in done.stderr, done.stderr[-2000:]
    assert _same(_weights(out / "final"), _weights(reference / "final"))
    assert json.loads((out / "training.json").read_text())["draws"] == \
        json.loads((reference / "training.json").read_text())["draws"]


def test_two_process_gloo_run_equals_one_process(tmp_path, tiny_models):
    # Dropout off: a 2-process run (each rank half of the global batch, gradients averaged by DDP) does the same
    # maths as one process on the whole batch, up to float summation order: the same task draws, the same
    # global-batch losses, and weights equal to float noise. Attention key biases are left out of the weight
    # check: their gradient is exactly zero in exact arithmetic (softmax ignores a shift), so Adam turns
    # summation noise into full-size steps there.
    cfg = _config(tmp_path, tiny_models.classifier, kind="interleaved", seed=5, steps=2, target_steps=1,
                  dropout=0.0)
    one = _run(cfg, tmp_path / "one")
    assert one.returncode == 0, one.stderr[-3000:]
    two = _run(cfg, tmp_path / "two", launcher=(sys.executable, "-m", "torch.distributed.run", "--nproc_per_node",
                                                "2", "--master_port", str(29500 + os.getpid() % 1000)))
    assert two.returncode == 0, two.stderr[-3000:]
    docs = [json.loads((tmp_path / d / "training.json").read_text()) for d in ("one", "two")]
    assert docs[1]["processes"] == 2 and docs[0]["draws"] == docs[1]["draws"]
    losses = [[json.loads(line) for line in (tmp_path / d / "losses.jsonl").read_text().splitlines()]
              for d in ("one", "two")]
    assert [r[:2] for r in losses[0]] == [r[:2] for r in losses[1]]
    np.testing.assert_allclose([r[2] for r in losses[0]], [r[2] for r in losses[1]], rtol=1e-4)
    a, b = _weights(tmp_path / "one" / "final"), _weights(tmp_path / "two" / "final")
    assert a.keys() == b.keys()
    for k in a:
        if not k.endswith("attention.self.key.bias"):
            np.testing.assert_allclose(a[k], b[k], rtol=0, atol=5e-4, err_msg=k)


def test_the_checkpoint_scores_as_it_is(trained, tmp_path):
    from harness.cli import main
    from perturb.engine import generate

    _, runs = trained
    attacks = tmp_path / "atk"
    generate(task="xnli", data=DATA / "xnli", langs="en,de", recipe="default", out=attacks)
    models = sorted(runs.values())
    argv = ["score", "--attacks", str(attacks), "--out", str(tmp_path / "scores"), "--cache", "none",
            "--device", "cpu", "--no-progress"]
    for m in models:
        argv += ["--model", f"{m.name}={m / 'model'}"]
    assert main(argv) == 0
    assert (tmp_path / "scores" / "results.json").is_file()


@pytest.mark.parametrize("path", sorted((REPO / "examples").rglob("*.yaml")), ids=lambda p: p.name)
def test_example_configs_are_valid(path):
    from harness.train.study import load_study

    if path.name == "study.yaml":
        study = load_study(path)
        for cfg in study.schedules.values():
            load_config(cfg)
    else:
        cfg = load_config(path)
        assert cfg.schedule.target in cfg.tasks


def test_study_trains_perturbs_scores_and_compares(tmp_path, tiny_models):
    # The whole loop with nothing hand-made in between: 2 schedules x 2 seeds, perturb, score, compare.
    for kind in ("sequential", "interleaved"):
        doc = yaml.safe_load(_config(tmp_path, tiny_models.classifier, kind=kind, steps=2, target_steps=2)
                             .read_text())
        doc.pop("eval")
        (tmp_path / f"{kind}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    (tmp_path / "study.yaml").write_text(yaml.safe_dump({
        "schedules": {"sequential": "sequential.yaml", "interleaved": "interleaved.yaml"}, "seeds": [1, 2],
        "perturb": {"task": "xnli", "data": str(DATA / "xnli"), "langs": "en,de,zh", "recipe": "default"},
        "score": {"device": "cpu", "bootstrap": 200}}), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "study", "--config", str(tmp_path / "study.yaml"),
                           "--out", str(tmp_path / "out"), "--no-progress"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp_path / "out" / "report" / "results.json").read_text())
    models = {m["name"] for m in results["models"]} if isinstance(results["models"], list) else set(results["models"])
    assert models == {"sequential-s1", "sequential-s2", "interleaved-s1", "interleaved-s2"}
    assert results["comparisons"], "the two schedules are compared"
    assert (tmp_path / "out" / "report" / "summary.md").is_file()
