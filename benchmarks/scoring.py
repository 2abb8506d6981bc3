#!/usr/bin/env python
"""Scoring benchmark (CPU): xstress's Scorer vs a naive Hugging Face loop, same inputs, same model.

    python benchmarks/scoring.py           # 1,500 XNLI test pairs (100 per language), 3 interleaved repeats
    python benchmarks/scoring.py --quick   # 120 pairs, 2 repeats (< 60 s)

The model is a *random-weight* XLM-R sequence classifier of a small shape (hidden 256, 4 layers, 4 heads,
FFN 1024) with a SentencePiece tokenizer trained here on XNLI *dev* text (15 languages, 32k pieces), so the
token lengths look like a real multilingual tokenizer's; both are built once into benchmarks/.cache/.
Nothing is downloaded. The model is loaded through `harness.models.load_model`, as `xstress score` does.

Compared, on the same pairs and model object:
- naive: the usual HF loop: tokenizer(..., padding="max_length", max_length=128, truncation=True) in the
  file's order, batches of 32, fp32, torch.no_grad();
- xstress: `harness.scoring.Scorer` (length-sorted token-budget batches, dynamic padding, inference_mode,
  duplicate inputs once), without a cache, and with a fresh SQLite prediction cache (committed per batch).

Writes benchmarks/results/scoring-cpu.json (or scoring-cpu-quick.json) and updates benchmarks/RESULTS.md.
The GPU counterpart is benchmarks/gpu.sh.
"""
from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repo root on sys.path
from common import (BENCH_DIR, command_line, data_root, environment, fmt_rate, loadavg, stamp, summary,
                    update_results_md, write_result)

CACHE = BENCH_DIR / ".cache"
GOAL_GPU_SPEEDUP = 25.0
NAIVE_MAX_LEN = 128
NAIVE_BATCH = 32
SMALL = dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024)


def xnli_dev_corpus(data: Path, per_lang: int | None = None) -> list[str]:
    from perturb.loaders import load

    lines = []
    for exs in load(task="xnli", data=str(data / "xnli"), split="dev", langs="all").values():
        for ex in exs[:per_lang]:
            lines.append(ex.fields["premise"])
            lines.append(ex.fields["hypothesis"])
    return lines


def build_tokenizer(data: Path, *, vocab_size: int = 32000) -> Path:
    """A SentencePiece unigram model trained on XNLI dev (all 15 languages), saved as an XLM-R tokenizer."""
    out = CACHE / f"xnli-dev-spm{vocab_size}"
    if (out / "tokenizer_config.json").exists():
        return out
    import sentencepiece as spm
    from transformers import XLMRobertaTokenizer

    print(f"[scoring] training a {vocab_size}-piece SentencePiece tokenizer on XNLI dev (once)", file=sys.stderr)
    lines = xnli_dev_corpus(data)
    random.Random(0).shuffle(lines)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, vocab_size=vocab_size, model_type="unigram",
        character_coverage=0.9995, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, hard_vocab_limit=False,
        num_threads=2, minloglevel=2, input_sentence_size=200000, shuffle_input_sentence=True)
    raw = out / "_spm"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "sentencepiece.bpe.model").write_bytes(model.getvalue())
    tok = XLMRobertaTokenizer.from_pretrained(str(raw), model_max_length=512)
    tok.save_pretrained(str(out))
    for f in raw.iterdir():
        f.unlink()
    raw.rmdir()
    return out


def build_model(tok_dir: Path, shape: dict, *, name: str, seed: int = 0) -> Path:
    """A random-weight XLMRobertaForSequenceClassification of `shape`, saved (safetensors) with the tokenizer."""
    out = CACHE / f"model-{name}"
    if (out / "model.safetensors").exists():
        return out
    import torch
    from transformers import AutoTokenizer, XLMRobertaConfig, XLMRobertaForSequenceClassification

    tok = AutoTokenizer.from_pretrained(str(tok_dir))
    labels = ("entailment", "neutral", "contradiction")
    cfg = XLMRobertaConfig(vocab_size=len(tok), max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                           bos_token_id=0, eos_token_id=2, num_labels=3, id2label=dict(enumerate(labels)),
                           label2id={v: i for i, v in enumerate(labels)}, **shape)
    torch.manual_seed(seed)
    model = XLMRobertaForSequenceClassification(cfg).eval()
    model.save_pretrained(str(out), safe_serialization=True)
    tok.save_pretrained(str(out))
    (out / "README.md").write_text("# Random-weight XLM-R for benchmarks (scores mean nothing)\n", encoding="utf-8")
    return out


def pick_examples(data: Path, per_lang: int, seed: int = 0) -> list:
    """per_lang XNLI test pairs from each of the 15 languages (a seeded sample), in file order per language."""
    from perturb.loaders import load

    out = []
    rng = random.Random(seed)
    for lang, exs in load(task="xnli", data=str(data / "xnli"), split="test", langs="all").items():
        idx = sorted(rng.sample(range(len(exs)), min(per_lang, len(exs))))
        out.extend(exs[i] for i in idx)
    return out


def naive_loop(model, tokenizer, examples, *, max_length=NAIVE_MAX_LEN, batch=NAIVE_BATCH, device="cpu",
               dtype=None):
    """The baseline: fixed padding, fixed batch size, original order, no dedup."""
    import numpy as np
    import torch

    outs = []
    with torch.no_grad():
        for i in range(0, len(examples), batch):
            chunk = examples[i:i + batch]
            enc = tokenizer([e.fields["premise"] for e in chunk], [e.fields["hypothesis"] for e in chunk],
                            padding="max_length", truncation=True, max_length=max_length, return_tensors="pt")
            enc = {k: v.to(device) for k, v in enc.items()}
            logits = model(**enc).logits
            outs.append(logits.float().softmax(-1).cpu().numpy())
    return np.concatenate(outs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--data")
    ap.add_argument("--per-lang", type=int, help="pairs per language (default 100, quick 8)")
    ap.add_argument("--repeats", type=int, help="default 3, quick 2")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's default)")
    ap.add_argument("--out-name")
    args = ap.parse_args(argv)
    per_lang = args.per_lang or (8 if args.quick else 100)
    repeats = args.repeats or (2 if args.quick else 3)
    name = args.out_name or ("scoring-cpu-quick" if args.quick else "scoring-cpu")
    data = data_root(args.data)

    import numpy as np
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from harness.cache import PredictionCache
    from harness.models import LoadOptions, load_model
    from harness.scoring import DEFAULT_BATCH_TOKENS, DEFAULT_MAX_BATCH, InputTable, Scorer, plan_batches

    env0 = environment()  # before the timing, so its load average is the start's
    tok_dir = build_tokenizer(data)
    model_dir = build_model(tok_dir, SMALL, name="small-h256-l4")
    pred = load_model(str(model_dir), task="xnli", options=LoadOptions(device="cpu"), name="small-random")
    examples = pick_examples(data, per_lang)
    n = len(examples)

    table = InputTable(pred.choices)
    slots = pred.add_inputs(table, examples)  # before reading lengths: the property is a view of what is there
    lengths = table.lengths[slots].tolist()
    batches = plan_batches(lengths, [1] * n, batch_tokens=DEFAULT_BATCH_TOKENS, max_batch=DEFAULT_MAX_BATCH,
                           max_pad=pred.max_pad)
    padded_ours = sum(max(lengths[i] for i in b) * len(b) for b in batches)
    tokens = {"real_tokens": sum(lengths), "mean_len": statistics.mean(lengths), "max_len": max(lengths),
              "over_128": sum(x > NAIVE_MAX_LEN for x in lengths),
              "padded_tokens_naive": n * NAIVE_MAX_LEN, "padded_tokens_ours": padded_ours,
              "batches_ours": len(batches)}

    # Warm-up (allocator, kernels) outside the timing.
    naive_loop(pred.model, pred.tokenizer, examples[:64])
    Scorer(pred, cache=None, progress=False).score(examples[:64])

    times: dict[str, list[float]] = {"naive": [], "xstress": [], "xstress+sqlite-cache": [],
                                     "xstress rerun from cache": []}
    probs = {}
    for rep in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        probs["naive"] = naive_loop(pred.model, pred.tokenizer, examples)
        times["naive"].append(time.perf_counter() - t0)
        gc.collect()
        t0 = time.perf_counter()
        probs["xstress"] = Scorer(pred, cache=None, progress=False).score(examples)
        times["xstress"].append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as tmp:
            cache = PredictionCache(Path(tmp) / "p.sqlite")
            t0 = time.perf_counter()
            Scorer(pred, cache=cache, progress=False).score(examples)
            times["xstress+sqlite-cache"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            s = Scorer(pred, cache=cache, progress=False)
            s.score(examples)
            times["xstress rerun from cache"].append(time.perf_counter() - t0)
            if s.stats.scored_inputs != 0:
                print("[scoring] warning: the rerun recomputed inputs", file=sys.stderr)
            close = getattr(cache, "close", None)
            if close:
                close()
        print(f"[scoring] rep {rep + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
              file=sys.stderr, flush=True)

    short = np.array([x <= NAIVE_MAX_LEN for x in lengths])
    # The naive loop returns the model's label order; the Scorer returns the dataset's (here the same order).
    diff = np.abs(probs["naive"][short] - probs["xstress"][short])
    agree = float((probs["naive"][short].argmax(1) == probs["xstress"][short].argmax(1)).mean())
    ratio = [a / b for a, b in zip(times["naive"], times["xstress"])]
    res = {
        "name": name, "command": command_line(), "date": stamp(), "quick": args.quick,
        "environment": env0,
        "model": {"kind": "random-weight XLMRobertaForSequenceClassification", **SMALL,
                  "vocab": len(pred.tokenizer), "params": sum(p.numel() for p in pred.model.parameters()),
                  "precision": pred.precision, "device": "cpu", "torch_threads": torch.get_num_threads()},
        "tokenizer": f"SentencePiece unigram, {len(pred.tokenizer)} pieces, trained on XNLI dev (15 languages)",
        "inputs": {"pairs": n, "per_lang": per_lang, "source": "XNLI test, seeded sample per language", **tokens},
        "naive": {"max_length": NAIVE_MAX_LEN, "batch": NAIVE_BATCH, "dtype": "fp32", "order": "original"},
        "xstress": {"batch_tokens": DEFAULT_BATCH_TOKENS, "max_batch": DEFAULT_MAX_BATCH},
        "seconds": {k: summary(v) for k, v in times.items()},
        "pairs_per_s": {k: n / statistics.median(v) for k, v in times.items()},
        "speedup_vs_naive": {"median_of_per_repeat_ratios": statistics.median(ratio), "per_repeat": ratio,
                             "with_sqlite_cache": statistics.median(
                                 a / b for a, b in zip(times["naive"], times["xstress+sqlite-cache"]))},
        "agreement_on_inputs_le_128_tokens": {"max_abs_prob_diff": float(diff.max()) if diff.size else None,
                                              "argmax_agreement": agree},
        "loadavg_end": loadavg(),
    }
    path = write_result(name, res)
    env = res["environment"]
    sp = res["speedup_vs_naive"]
    md = [f"## Scoring on CPU ({'quick' if args.quick else 'full'}) — {res['date']}", "",
          f"Command: `{res['command']}`  ",
          f"Machine: {env['machine']['cpu']}, {env['machine']['cores']} cores (torch threads "
          f"{res['model']['torch_threads']}), {env['machine']['os']}; torch {env['versions'].get('torch')}, "
          f"transformers {env['versions'].get('transformers')}, git {str(env['git'].get('commit'))[:10]}.  ",
          f"Load average {env['loadavg_start']} → {res['loadavg_end']} (shared machine: noisy; ratios are "
          f"per repeat, same run).  ",
          f"Model: random-weight XLM-R classifier, hidden {SMALL['hidden_size']}, {SMALL['num_hidden_layers']} "
          f"layers, {res['model']['params'] / 1e6:.1f} M parameters, fp32; tokenizer: {res['tokenizer']}.  ",
          f"Inputs: {n} XNLI test pairs ({per_lang} per language), mean {tokens['mean_len']:.1f} tokens, "
          f"{tokens['over_128']} longer than 128; padded tokens naive {tokens['padded_tokens_naive']:,} vs "
          f"xstress {tokens['padded_tokens_ours']:,}.  ",
          f"JSON: `benchmarks/results/{name}.json`", "",
          "| runner | seconds (median) | pairs/s |", "|---|---|---|"]
    for k, v in res["seconds"].items():
        md.append(f"| {k} | {v['median']:.2f} | {fmt_rate(res['pairs_per_s'][k])} |")
    md += ["", f"Speed-up of the Scorer over the naive loop: **{sp['median_of_per_repeat_ratios']:.2f}×** "
               f"(per repeat {', '.join(f'{x:.2f}' for x in sp['per_repeat'])}); with the SQLite cache "
               f"{sp['with_sqlite_cache']:.2f}×. Same predictions: argmax agreement "
               f"{res['agreement_on_inputs_le_128_tokens']['argmax_agreement']:.4f}, max |Δp| "
               f"{res['agreement_on_inputs_le_128_tokens']['max_abs_prob_diff']:.2e} (inputs ≤ 128 tokens).",
           "The CPU figure is context only: the goal (≥ 25× naive, ≥ 60 % of the bf16 FLOP bound) is for XLM-R "
           "large on a GPU (benchmarks/gpu.sh)."]
    update_results_md(name, "\n".join(md))
    print(f"wrote {path}: speed-up {sp['median_of_per_repeat_ratios']:.2f}x", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
