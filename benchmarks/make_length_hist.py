#!/usr/bin/env python
"""Regenerate benchmarks/data/xnli_test_pair_lengths.json, the token-length distribution gpu.sh feeds its
random-weight models (the GPU box has neither the data nor the hub).

Lengths are those of every XNLI test pair (15 languages x 5010, premise + hypothesis with XLM-R's special
tokens) under the 32k SentencePiece tokenizer that scoring.py trains on XNLI dev, then scaled so that the mean
is 47 tokens, the mean length of XNLI pairs under the real XLM-R tokenizer (250k pieces, which cuts text into
fewer pieces than a 32k vocabulary). Only a histogram of lengths is stored: no text.

    python benchmarks/make_length_hist.py
"""
from __future__ import annotations

import json
import random
import statistics
import sys
from collections import Counter

import common  # noqa: F401
from common import BENCH_DIR, data_root

TARGET_MEAN = 47.0


def main() -> int:
    from perturb.loaders import load
    from transformers import AutoTokenizer

    from scoring import build_tokenizer

    data = data_root()
    tok = AutoTokenizer.from_pretrained(str(build_tokenizer(data)))
    lengths = []
    for lang, exs in load(task="xnli", data=str(data / "xnli"), split="test", langs="all").items():
        enc = tok([e.fields["premise"] for e in exs], [e.fields["hypothesis"] for e in exs], truncation=True,
                  max_length=512)
        lengths.extend(len(x) for x in enc["input_ids"])
    raw_mean = statistics.mean(lengths)
    scale = TARGET_MEAN / raw_mean
    rng = random.Random(0)  # dithered rounding: plain rounding of scaled integers leaves comb-like spikes
    scaled = [max(8, min(512, int(x * scale + rng.random()))) for x in lengths]
    hist = Counter(scaled)
    out = {
        "what": "token lengths of XNLI test pairs (15 languages x 5010), histogram {length: count}",
        "how": f"32k SentencePiece trained on XNLI dev; raw mean {raw_mean:.2f}, scaled by {scale:.4f} (dithered rounding) to mean "
               f"{TARGET_MEAN} (XLM-R's mean on XNLI pairs), clipped to [8, 512]",
        "pairs": len(scaled), "mean": statistics.mean(scaled), "median": statistics.median(scaled),
        "p95": sorted(scaled)[int(0.95 * len(scaled))], "max": max(scaled),
        "hist": {str(k): hist[k] for k in sorted(hist)},
    }
    path = BENCH_DIR / "data" / "xnli_test_pair_lengths.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {path}: mean {out['mean']:.1f}, p95 {out['p95']}, max {out['max']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
