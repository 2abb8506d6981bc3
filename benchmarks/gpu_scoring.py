#!/usr/bin/env python
"""GPU scoring benchmark (run through benchmarks/gpu.sh): xstress's Scorer vs a naive HF loop on random-weight
XLM-R base- and large-shaped classifiers, on synthetic token ids with XNLI's length distribution.

Self-contained for a GPU box with no network: needs torch (CUDA), transformers, numpy and this checkout
(harness/ is imported from it). No hub, no data: models are built from configs with random weights, inputs
are random token ids whose lengths follow benchmarks/data/xnli_test_pair_lengths.json (mean 47 tokens).

Measured on the same inputs and the same model object:
- naive: fixed padding to 128 (longer inputs truncated), batches of 32, original order, fp32, no_grad;
- xstress: `harness.scoring.Scorer` over an `HFPredictor` (bf16 autocast on CUDA, length-sorted token-budget
  batches, dynamic padding, inference_mode), no cache, at several token budgets.
FLOP bound: 2 x (encoder parameters, embeddings excluded) x real tokens, against the card's dense bf16 peak.

    python benchmarks/gpu_scoring.py [--pairs N] [--budget-s S] [--out FILE]
    python benchmarks/gpu_scoring.py --dry-run      # tiny shapes on CPU: checks the script itself
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

SHAPES = {
    "xlmr-base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
    "xlmr-large": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096),
}
DRY_SHAPES = {
    "tiny-a": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128),
    "tiny-b": dict(hidden_size=96, num_hidden_layers=3, num_attention_heads=3, intermediate_size=192),
}
VOCAB = 250002
# Dense bf16 tensor-core peaks (no sparsity), TFLOP/s, by a substring of torch.cuda.get_device_name().
PEAKS = [("H200", 989.4), ("H100 PCIe", 756.0), ("H100", 989.4), ("H800", 989.4), ("GH200", 989.4),
         ("A100", 312.0), ("A800", 312.0), ("L40S", 362.05), ("L4", 121.0), ("A10G", 70.0), ("V100", 125.0)]
GOAL_SPEEDUP = 25.0
GOAL_BOUND = 0.60
NAIVE_LEN, NAIVE_BATCH = 128, 32


def lengths_sample(n: int, seed: int = 0) -> list[int]:
    hist = json.loads((BENCH / "data" / "xnli_test_pair_lengths.json").read_text())["hist"]
    values, weights = zip(*((int(k), v) for k, v in hist.items()))
    return random.Random(seed).choices(values, weights=weights, k=n)


def synthetic_ids(lengths: list[int], vocab: int, seed: int = 1) -> list[tuple[int, ...]]:
    """XLM-R pair layout: <s> A </s></s> B </s> (bos 0, eos 2, pad 1), random content ids."""
    rng = random.Random(seed)
    out = []
    for n in lengths:
        body = n - 4
        a = max(1, int(body * 0.6))
        b = max(1, body - a)
        ids = [0] + [rng.randrange(5, vocab) for _ in range(a)] + [2, 2] + [rng.randrange(5, vocab) for _ in range(b)] + [2]
        out.append(tuple(ids))
    return out


class _Tok:
    """Just what HFPredictor reads from a tokenizer (inputs are token ids already)."""

    pad_token_id = 1
    model_input_names = ["input_ids", "attention_mask"]


def make_predictor(model, device: str, ids: list[tuple[int, ...]]):
    from harness.models import HFPredictor

    class IdsPredictor(HFPredictor):
        """HFPredictor whose examples are indices into pre-tokenised ids (no tokenizer on this box)."""

        def add_inputs(self, table, examples):
            import numpy as np

            from harness.scoring import hash_input

            return np.array([table.add(hash_input(((ids[i], ()),)), ((ids[i], ()),)) for i in examples],
                            dtype=np.int32)

    return IdsPredictor(model=model, tokenizer=_Tok(), task="xnli", perm=(0, 1, 2), fingerprint="random",
                        device=device, template="", max_length=512, name="random")


def naive(model, ids, device: str):
    import torch

    outs = []
    with torch.no_grad():
        for i in range(0, len(ids), NAIVE_BATCH):
            chunk = ids[i:i + NAIVE_BATCH]
            x = torch.full((len(chunk), NAIVE_LEN), 1, dtype=torch.long)
            m = torch.zeros((len(chunk), NAIVE_LEN), dtype=torch.long)
            for r, t in enumerate(chunk):
                t = t[:NAIVE_LEN - 1] + (2,) if len(t) > NAIVE_LEN else t
                x[r, :len(t)] = torch.tensor(t)
                m[r, :len(t)] = 1
            logits = model(input_ids=x.to(device), attention_mask=m.to(device)).logits
            outs.append(logits.float().softmax(-1).cpu())
    return torch.cat(outs).numpy()


def peak_tflops(name: str, override: float | None) -> float | None:
    if override:
        return override
    for key, val in PEAKS:
        if key in name:
            return val
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=30000, help="inputs scored by both runners (default 30000)")
    ap.add_argument("--budgets", default="16384,65536", help="Scorer token budgets tried (default and a large one)")
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the Scorer runs (naive: --naive-repeats)")
    ap.add_argument("--naive-repeats", type=int, default=1)
    ap.add_argument("--budget-s", type=float, default=480.0, help="stop starting new measurements after this")
    ap.add_argument("--peak-tflops", type=float, help="override the dense bf16 peak of the card")
    ap.add_argument("--models", default="xlmr-base,xlmr-large")
    ap.add_argument("--dry-run", action="store_true", help="tiny models on CPU, few pairs: test the script")
    ap.add_argument("--out", default=str(BENCH / "results" / "scoring-gpu.json"))
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    import numpy as np
    import torch
    import transformers
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    from harness.scoring import DEFAULT_MAX_BATCH, Scorer, plan_batches

    device = "cuda" if torch.cuda.is_available() and not args.dry_run else "cpu"
    if device == "cpu" and not args.dry_run:
        print("no CUDA device: run with --dry-run to test the script on CPU", file=sys.stderr)
        return 2
    shapes = DRY_SHAPES if args.dry_run else {k: SHAPES[k] for k in args.models.split(",")}
    vocab = 1000 if args.dry_run else VOCAB
    n = 300 if args.dry_run else args.pairs
    torch.backends.cuda.matmul.allow_tf32 = False  # the naive loop is plain fp32, as HF's default
    torch.backends.cudnn.allow_tf32 = False
    lengths = lengths_sample(n)
    ids = synthetic_ids(lengths, vocab)
    real_tokens = sum(lengths)
    gpu_name = torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "cpu"
    peak = peak_tflops(gpu_name, args.peak_tflops)
    budgets = [int(b) for b in args.budgets.split(",")]

    res: dict = {
        "name": "scoring-gpu", "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": time.strftime("%Y-%m-%d %H:%M"), "dry_run": args.dry_run,
        "device": gpu_name, "peak_bf16_dense_tflops": peak,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "cuda": torch.version.cuda},
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "inputs": {"pairs": n, "real_tokens": real_tokens, "mean_len": statistics.mean(lengths),
                   "max_len": max(lengths), "over_128": sum(x > NAIVE_LEN for x in lengths),
                   "source": "synthetic ids, lengths drawn from benchmarks/data/xnli_test_pair_lengths.json"},
        "naive": {"max_length": NAIVE_LEN, "batch": NAIVE_BATCH, "dtype": "fp32 (TF32 off)", "order": "original"},
        "xstress": {"precision": "bf16 autocast (HFPredictor on CUDA)", "budgets": budgets,
                    "max_batch": DEFAULT_MAX_BATCH},
        "goals": {"speedup_vs_naive_large": GOAL_SPEEDUP, "share_of_bf16_bound": GOAL_BOUND},
        "models": {}, "complete": True,
    }

    def out_of_time() -> bool:
        return time.perf_counter() - t_start > args.budget_s

    for mname, shape in shapes.items():
        if out_of_time():
            res["complete"] = False
            res["models"][mname] = {"skipped": "time budget spent"}
            continue
        cfg = XLMRobertaConfig(vocab_size=vocab, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                               bos_token_id=0, eos_token_id=2, num_labels=3, **shape)
        torch.manual_seed(0)
        t0 = time.perf_counter()
        with torch.device(device):
            model = XLMRobertaForSequenceClassification(cfg)
        model.eval()
        build_s = time.perf_counter() - t0
        params = sum(p.numel() for p in model.parameters())
        emb = sum(p.numel() for n_, p in model.named_parameters() if "embeddings" in n_)
        enc_params = params - emb
        flops = 2 * enc_params * real_tokens  # the encoder forward over the real (unpadded) tokens
        pred = make_predictor(model, device, ids)
        rec: dict = {"shape": shape, "params": params, "encoder_params_no_embeddings": enc_params,
                     "build_s": build_s, "useful_flops": flops}
        # warm-up: kernels, allocator, autocast caches
        naive(model, ids[:NAIVE_BATCH * 4], device)
        Scorer(pred, cache=None, progress=False, batch_tokens=budgets[0]).score(list(range(min(2000, n))))
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()

        nt = []
        p_naive = None
        for _ in range(args.naive_repeats):
            if nt and out_of_time():
                break
            t0 = time.perf_counter()
            p_naive = naive(model, ids, device)
            nt.append(time.perf_counter() - t0)
        rec["naive_s"] = nt
        rec["naive_median_s"] = statistics.median(nt)
        rec["naive_pairs_per_s"] = n / rec["naive_median_s"]
        rec["budgets"] = {}
        for b in budgets:
            ts = []
            p_ours = None
            stats = None
            for _ in range(args.repeats):
                if ts and out_of_time():
                    res["complete"] = False
                    break
                s = Scorer(pred, cache=None, progress=False, batch_tokens=b)
                t0 = time.perf_counter()
                p_ours = s.score(list(range(n)))
                if device == "cuda":
                    torch.cuda.synchronize()
                ts.append(time.perf_counter() - t0)
                stats = s.stats
            med = statistics.median(ts)
            batches = plan_batches(lengths, [1] * n, batch_tokens=b, max_batch=DEFAULT_MAX_BATCH)
            padded = sum(max(lengths[i] for i in bt) * len(bt) for bt in batches)
            achieved = flops / med / 1e12
            short = np.array([x <= NAIVE_LEN for x in lengths])
            agree = float((p_naive[short].argmax(1) == p_ours[short].argmax(1)).mean()) if p_naive is not None else None
            rec["budgets"][str(b)] = {
                "seconds": ts, "median_s": med, "pairs_per_s": n / med,
                "speedup_vs_naive": rec["naive_median_s"] / med,
                "achieved_tflops": achieved, "share_of_bf16_bound": achieved / peak if peak else None,
                "padded_tokens": padded, "padding_overhead": padded / real_tokens - 1,
                "forward_passes": stats.forward_passes if stats else None,
                "argmax_agreement_with_naive_fp32": agree,
            }
            print(f"[gpu] {mname} budget {b}: {med:.2f} s, {n / med:,.0f} pairs/s, "
                  f"{rec['naive_median_s'] / med:.1f}x naive, {achieved:.0f} TFLOP/s"
                  f"{f' ({achieved / peak:.0%} of bound)' if peak else ''}", file=sys.stderr, flush=True)
        best = max(rec["budgets"].values(), key=lambda r: r["pairs_per_s"])
        rec["best"] = {"budget": [k for k, v in rec["budgets"].items() if v is best][0], **best}
        rec["peak_mem_gib"] = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else None
        res["models"][mname] = rec
        del model, pred
        if device == "cuda":
            torch.cuda.empty_cache()

    large = res["models"].get("xlmr-large", {})
    if "best" in large:
        res["verdict"] = {
            "speedup_vs_naive_large": large["best"]["speedup_vs_naive"],
            "speedup_goal_met": large["best"]["speedup_vs_naive"] >= GOAL_SPEEDUP,
            "share_of_bound_large": large["best"]["share_of_bf16_bound"],
            "bound_goal_met": (large["best"]["share_of_bf16_bound"] or 0) >= GOAL_BOUND,
        }
    res["wall_s"] = time.perf_counter() - t_start
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({res['wall_s']:.0f} s)", file=sys.stderr)
    if not args.dry_run:
        _update_md(res)
    return 0


def _update_md(res: dict) -> None:
    sys.path.insert(0, str(BENCH))
    from common import update_results_md

    lines = [f"## Scoring on GPU — {res['date']} ({res['device']})", "",
             f"Command: `bash benchmarks/gpu.sh` → `{res['command']}`; torch {res['versions']['torch']}, "
             f"transformers {res['versions']['transformers']}, CUDA {res['versions']['cuda']}.  ",
             f"Inputs: {res['inputs']['pairs']:,} synthetic pairs, mean {res['inputs']['mean_len']:.1f} tokens "
             f"(XNLI distribution). Peak used for the bound: {res['peak_bf16_dense_tflops']} TFLOP/s dense bf16.  ",
             "JSON: `benchmarks/results/scoring-gpu.json`", "",
             "| model | naive fp32 pairs/s | xstress bf16 pairs/s (budget) | speed-up | TFLOP/s | share of bf16 bound |",
             "|---|---|---|---|---|---|"]
    for m, r in res["models"].items():
        if "best" not in r:
            lines.append(f"| {m} | {r.get('skipped', 'n/a')} | | | | |")
            continue
        b = r["best"]
        share = f"{b['share_of_bf16_bound']:.0%}" if b["share_of_bf16_bound"] is not None else "n/a"
        lines.append(f"| {m} | {r['naive_pairs_per_s']:,.0f} | {b['pairs_per_s']:,.0f} ({b['budget']}) | "
                     f"{b['speedup_vs_naive']:.1f}× | {b['achieved_tflops']:.0f} | {share} |")
    v = res.get("verdict")
    if v:
        lines += ["", f"Goals (XLM-R large): speed-up ≥ {GOAL_SPEEDUP:.0f}×: "
                      f"**{'met' if v['speedup_goal_met'] else 'MISSED'}** ({v['speedup_vs_naive_large']:.1f}×); "
                      f"≥ {GOAL_BOUND:.0%} of the bf16 FLOP bound: **{'met' if v['bound_goal_met'] else 'MISSED'}** "
                      f"({(v['share_of_bound_large'] or 0):.0%})."]
    update_results_md("scoring-gpu", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
