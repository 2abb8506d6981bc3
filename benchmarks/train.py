"""Benchmark: optimiser steps per second of `xstress train` (one task) against HF `Trainer`, same model and data.

    python benchmarks/train.py [--steps 60] [--repeats 3] [--batch 16]

Both train the same freshly built XLM-R (hidden 256, 4 layers: big enough that the model, not Python, is most of a
step on a CPU) on English XNLI dev from $XSTRESS_DATA (the embedded sample when it is absent), with the same global
batch, learning rate, max length and AdamW, no evaluation and no checkpoints inside the timed window. The two
alternate, `--repeats` times each, in one process; the figure is the ratio of the medians. The goal: the
scheduler (task draw, cursor, per-step bookkeeping) costs < 5 % of a step.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402


SHAPES = {"tiny": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
          "base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)}


def _base(root: Path, shape: str) -> Path:
    import torch
    from transformers import AutoTokenizer, XLMRobertaForSequenceClassification

    from harness import demo_models

    demo_models.build_tokenizer(root / "tok")
    tok = AutoTokenizer.from_pretrained(str(root / "tok"))
    torch.manual_seed(0)
    cfg = demo_models.tiny_config(len(tok), **SHAPES[shape], initializer_range=0.02, num_labels=3,
                                  id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
                                  label2id={"entailment": 0, "neutral": 1, "contradiction": 2})
    out = root / "base"
    XLMRobertaForSequenceClassification(cfg).save_pretrained(str(out), safe_serialization=True)
    tok.save_pretrained(str(out))
    return out


def _xstress(base: Path, data: Path, split: str, steps: int, batch: int, out: Path) -> float:
    from harness.train.config import parse_config
    from harness.train.run import train

    cfg = parse_config({
        "model": str(base), "seed": 1, "batch_size": batch, "max_length": 128, "lr": 2e-5, "warmup": 0.0,
        "save_every": 10**9, "dropout": 0.1,
        "tasks": {"nli": {"type": "classification", "data": str(data), "format": "xnli", "split": split,
                          "langs": ["en"]}},
        "schedule": {"kind": "sequential", "order": [], "steps": {}, "target": {"task": "nli", "steps": steps}},
    }, base=Path("."), src="benchmark")
    t0 = time.perf_counter()
    train(cfg, out, progress=False, log=lambda m: None)
    return time.perf_counter() - t0


def _hf(base: Path, data: Path, split: str, steps: int, batch: int, out: Path) -> float:
    import datasets
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments)

    from perturb.loaders import load

    tok = AutoTokenizer.from_pretrained(str(base))
    exs = load(task="xnli", data=data, split=split, langs=["en"])["en"]
    names = ["entailment", "neutral", "contradiction"]
    enc = tok([e.fields["premise"] for e in exs], [e.fields["hypothesis"] for e in exs], truncation=True,
              max_length=128)
    ds = datasets.Dataset.from_dict({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                                     "labels": [names.index(e.label) for e in exs]})
    t0 = time.perf_counter()
    model = AutoModelForSequenceClassification.from_pretrained(str(base), use_safetensors=True)
    args = TrainingArguments(output_dir=str(out), per_device_train_batch_size=batch, max_steps=steps,
                             learning_rate=2e-5, warmup_steps=0, weight_decay=0.01, save_strategy="no",
                             report_to=[], logging_strategy="no", disable_tqdm=True, dataloader_num_workers=0,
                             seed=1, use_cpu=not _cuda(), bf16=_cuda())
    Trainer(model=model, args=args, train_dataset=ds, data_collator=DataCollatorWithPadding(tok)).train()
    return time.perf_counter() - t0


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--shape", choices=tuple(SHAPES), default="tiny",
                    help="tiny (hidden 256, 4 layers; CPU) or base (XLM-R base shapes; for a GPU)")
    args = ap.parse_args()
    try:
        data, split = common.data_root() / "xnli", "dev"
    except SystemExit:
        data, split = Path(__file__).resolve().parents[1] / "data" / "xnli", "test"
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = _base(root, args.shape)
        # Each measurement includes loading the model and the data; a short warm-up run of each first.
        _xstress(base, data, split, 2, args.batch, root / "warm-x")
        _hf(base, data, split, 2, args.batch, root / "warm-h")
        xs, hs = [], []
        for i in range(args.repeats):
            xs.append(_xstress(base, data, split, args.steps, args.batch, root / f"x{i}"))
            hs.append(_hf(base, data, split, args.steps, args.batch, root / f"h{i}"))
    x, h = common.summary(xs), common.summary(hs)
    payload = {"command": common.command_line(), "date": common.today(), "environment": common.environment(),
               "data": f"{data} ({split}, en)", "steps": args.steps, "batch": args.batch,
               "xstress_train_seconds": x, "hf_trainer_seconds": h,
               "xstress_steps_per_second": args.steps / x["median"], "hf_steps_per_second": args.steps / h["median"],
               "xstress_over_hf_time": x["median"] / h["median"]}
    payload["shape"] = args.shape
    payload["device"] = "cuda" if _cuda() else "cpu"
    path = common.write_result("train" if args.shape == "tiny" else f"train-{args.shape}-{payload['device']}", payload)
    text = (f"### `xstress train` vs HF Trainer ({common.today()})\n\n`{payload['command']}`\n\n"
            f"One classification task, {args.steps} steps of batch {args.batch}, XLM-R shape {args.shape} "
            f"({SHAPES[args.shape]['hidden_size']} hidden, {SHAPES[args.shape]['num_hidden_layers']} layers), "
            f"{payload['device']}: xstress {payload['xstress_steps_per_second']:.2f} steps/s, HF Trainer "
            f"{payload['hf_steps_per_second']:.2f} steps/s (medians of {args.repeats}, alternating, each including "
            f"model and data loading): xstress takes {payload['xstress_over_hf_time']:.2f}x the Trainer's time.\n")
    common.update_results_md("train" if args.shape == "tiny" else f"train-{args.shape}-{payload['device']}", text)
    print(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
