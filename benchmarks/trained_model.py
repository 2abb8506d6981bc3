"""A small XLM-R classifier trained a little on XNLI dev (all 15 languages), for benchmarks whose outcome depends on
the model (the attack comparison: a random-weight model's success rate says little).

The base is benchmarks/scoring.py's random-weight small XLM-R (hidden 256, 4 layers) with its XNLI-dev SentencePiece
tokenizer; a plain AdamW loop then runs STEPS steps of batch BATCH (pairs cut to 64 tokens) drawn from XNLI dev, all 15
languages (the test split stays unseen). 80 steps of batch 16 (the first version) left it predicting one class; the
defaults now train long enough (about 15 minutes on 2 idle cores) that its predictions follow the text, and the
accuracy and class spread on 50 XNLI test pairs per language (scored by xstress's own loader and Scorer) are
written to the model's README. Built once into benchmarks/.cache/, one directory per steps, batch and learning
rate (saved with save_pretrained + safetensors, so transformers 4 and 5 both load it).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import common
from common import BENCH_DIR

STEPS = 1200
BATCH = 32
LR = 5e-4
MAX_LENGTH = 64
CACHE = BENCH_DIR / ".cache"


def trained_model(data: Path, *, steps: int = STEPS, batch: int = BATCH, lr: float = LR, log=print) -> Path:
    """The directory of the trained model (built on first use)."""
    out = CACHE / f"model-small-xnli-trained{steps}-b{batch}-lr{lr:g}"
    if (out / "model.safetensors").exists():
        return out
    import random

    import scoring
    import torch
    from transformers import AutoTokenizer, XLMRobertaForSequenceClassification

    from perturb.example import XNLI_LABELS
    from perturb.loaders import load

    base = scoring.build_model(scoring.build_tokenizer(data), scoring.SMALL, name="small-xnli")
    tok = AutoTokenizer.from_pretrained(str(base))
    model = XLMRobertaForSequenceClassification.from_pretrained(str(base))
    pairs = [(ex.fields["premise"], ex.fields["hypothesis"], XNLI_LABELS.index(ex.label))
             for exs in load(task="xnli", data=str(data / "xnli"), split="dev", langs="all").values() for ex in exs]
    rng = random.Random(0)
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 50) * max(0.0, 1 - s / steps))
    model.train()
    hits = seen = 0
    for step in range(steps):
        chunk = rng.sample(pairs, batch)
        enc = tok([a for a, _, _ in chunk], [b for _, b, _ in chunk], truncation=True, max_length=MAX_LENGTH,
                  padding=True, return_tensors="pt")
        gold = torch.tensor([y for _, _, y in chunk])
        res = model(**enc, labels=gold)
        loss = res.loss
        hits += int((res.logits.argmax(-1) == gold).sum())
        seen += len(chunk)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 50 == 0 or step == steps - 1:
            log(f"[trained_model] step {step + 1}/{steps} loss {loss.item():.3f} train acc (last 50 steps) "
                f"{hits / max(seen, 1):.3f}")
            hits = seen = 0
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    tok.save_pretrained(str(tmp))
    acc, spread = held_out(tmp, data)
    log(f"[trained_model] XNLI test, 50 pairs per language: accuracy {acc:.3f}, predicted classes {spread}")
    (tmp / "README.md").write_text(
        f"# Small XLM-R (hidden 256, 4 layers) trained {steps} steps (batch {batch}, lr {lr}) on XNLI dev, "
        "for benchmarks\n\n"
        "Not a useful NLI model: trained only so its predictions depend on the text.\n\n"
        f"XNLI test, the first 50 pairs per language (750): accuracy {acc:.3f}; predicted classes {spread}.\n",
        encoding="utf-8")
    tmp.rename(out)
    return out


def held_out(model_dir: Path, data: Path, per_lang: int = 50) -> tuple[float, dict]:
    """Accuracy and predicted-class counts on the first per_lang XNLI test pairs of each language, scored the way
    the benchmarks score (harness.models.load_model + Scorer)."""
    import collections

    from harness.models import load_model
    from harness.scoring import Scorer
    from perturb.example import XNLI_LABELS
    from perturb.loaders import load

    exs = [ex for exs in load(task="xnli", data=str(data / "xnli"), split="test", langs="all").values()
           for ex in exs[:per_lang]]
    preds = Scorer(load_model(model_dir, task="xnli"), progress=False).score(exs).argmax(-1).tolist()
    acc = sum(XNLI_LABELS[p] == e.label for p, e in zip(preds, exs)) / len(exs)
    return acc, dict(sorted(collections.Counter(XNLI_LABELS[p] for p in preds).items()))


if __name__ == "__main__":
    print(trained_model(common.data_root()))
