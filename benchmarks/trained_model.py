"""A small XLM-R classifier trained a little on XNLI dev (all 15 languages), for benchmarks whose outcome depends on
the model (the attack comparison: a random-weight model's success rate says little).

The base is benchmarks/scoring.py's random-weight small XLM-R (hidden 256, 4 layers) with its XNLI-dev SentencePiece
tokenizer; a plain AdamW loop then runs STEPS steps of batch 16 (pairs cut to 64 tokens) drawn from XNLI dev, all 15 languages (the test split
stays unseen). Built once into benchmarks/.cache/ (saved with save_pretrained + safetensors, so transformers 4 and 5 both load it).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import common
from common import BENCH_DIR

STEPS = 80
MAX_LENGTH = 64
CACHE = BENCH_DIR / ".cache"


def trained_model(data: Path, *, steps: int = STEPS, batch: int = 16, log=print) -> Path:
    """The directory of the trained model (built on first use)."""
    out = CACHE / f"model-small-xnli-trained{steps}"
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
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 20) * max(0.0, 1 - s / steps))
    model.train()
    for step in range(steps):
        chunk = rng.sample(pairs, batch)
        enc = tok([a for a, _, _ in chunk], [b for _, b, _ in chunk], truncation=True, max_length=MAX_LENGTH,
                  padding=True, return_tensors="pt")
        loss = model(**enc, labels=torch.tensor([y for _, _, y in chunk])).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 10 == 0 or step == steps - 1:
            log(f"[trained_model] step {step + 1}/{steps} loss {loss.item():.3f}")
    model.eval()
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    tok.save_pretrained(str(tmp))
    (tmp / "README.md").write_text(
        f"# Small XLM-R (hidden 256, 4 layers) trained {steps} steps (batch {batch}) on XNLI dev, for benchmarks\n\n"
        "Not a useful NLI model: trained only so its predictions depend on the text.\n", encoding="utf-8")
    tmp.rename(out)
    return out


if __name__ == "__main__":
    print(trained_model(common.data_root()))
