"""A small XLM-R classifier trained a little on XNLI dev (all 15 languages), for benchmarks whose outcome depends on
the model (the attack comparison: a random-weight model's success rate says little).

The base is benchmarks/scoring.py's random-weight small XLM-R (hidden 256, 4 layers) with its XNLI-dev SentencePiece
tokenizer; `xstress train` then runs STEPS steps of batch 32 on XNLI dev (the test split stays unseen). Built once
into benchmarks/.cache/ (saved with save_pretrained + safetensors, so transformers 4 and 5 both load it).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import common  # noqa: F401 - puts the repo root on sys.path
from common import BENCH_DIR

STEPS = 400
LANGS = ["ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"]
CACHE = BENCH_DIR / ".cache"


def trained_model(data: Path, *, steps: int = STEPS) -> Path:
    """The directory of the trained model (built on first use)."""
    out = CACHE / f"model-small-xnli-trained{steps}"
    if (out / "model.safetensors").exists():
        return out
    import scoring
    from harness.train.config import parse_config
    from harness.train.run import train

    base = scoring.build_model(scoring.build_tokenizer(data), scoring.SMALL, name="small-xnli")
    print(f"[trained_model] training {base.name} for {steps} steps on XNLI dev (once)", file=sys.stderr)
    work = CACHE / f"train-run-{steps}"
    cfg = parse_config({
        "model": str(base), "seed": 1, "batch_size": 32, "max_length": 128, "lr": 2e-4, "warmup": 0.05,
        "save_every": 10**9, "dropout": 0.1,
        "tasks": {"nli": {"type": "classification", "data": str(data / "xnli"), "format": "xnli", "split": "dev",
                          "langs": LANGS}},
        "schedule": {"kind": "sequential", "order": [], "steps": {}, "target": {"task": "nli", "steps": steps}},
    }, base=Path("."), src="benchmarks/trained_model.py")
    info = train(cfg, work, progress=False, log=lambda m: None)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(work / "final", tmp)
    (tmp / "README.md").write_text(
        f"# Small XLM-R (hidden 256, 4 layers) trained {steps} steps on XNLI dev, for benchmarks only\n\n"
        f"Final training loss {info.get('final_loss')}. Not a useful NLI model; its predictions depend on the text.\n",
        encoding="utf-8")
    tmp.rename(out)
    shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    print(trained_model(common.data_root()))
