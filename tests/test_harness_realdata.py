"""End to end on the real XNLI test: all 15 languages, three tiny checkpoints per schedule, compared with CIs."""
from __future__ import annotations

import json

import yaml

from harness import demo_models
from harness.cli import main
from perturb.engine import generate


def test_score_and_report_real_xnli_three_seeds_per_schedule(tmp_path, real_data):
    attacks = tmp_path / "attacks"
    # One 50th of each language (100 pairs); the default recipe, whatever ops it holds.
    generate(task="xnli", data=real_data / "xnli", split="test", langs="all", recipe="default", seed=13,
             out=attacks, shard=(1, 50))
    tok = demo_models.build_tokenizer(tmp_path / "tok")
    models = []
    for i, schedule in enumerate(["sequential"] * 3 + ["interleaved"] * 3):
        path = demo_models.build_classifier(tmp_path / f"m{i}", seed=i, tokenizer_dir=tmp_path / "tok")
        models.append({"name": f"{schedule[:3]}{i}", "path": str(path), "schedule": schedule, "seed": i})
    exp = tmp_path / "exp.yaml"
    exp.write_text(yaml.safe_dump({"task": "xnli", "attacks": str(attacks), "models": models,
                                   "comparisons": [{"a": "sequential", "b": "interleaved"}]}), encoding="utf-8")
    out = tmp_path / "results"
    assert main(["score", "--experiment", str(exp), "--out", str(out), "--max-per-lang", "12",
                 "--cache", str(tmp_path / "cache.sqlite"), "--no-progress", "--bootstrap", "200"]) == 0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    text = json.dumps(doc)
    for lang in ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"):
        assert f'"{lang}"' in text
    assert (out / "summary.md").read_text(encoding="utf-8").count("|") > 50
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert any("diff" in p for p in pngs) and len(pngs) >= 3
    assert all((out / p).stat().st_size > 1000 for p in pngs)
    assert "Welch" in (out / "summary.md").read_text(encoding="utf-8") or "welch" in text.lower()
    assert main(["report", "--results", str(out)]) == 0
