#!/usr/bin/env bash
# GPU scoring benchmark in one call, inside 10 minutes: random-weight XLM-R base and large, naive fp32 HF loop
# vs xstress's Scorer (bf16, token budgets), FLOP bound against the card's dense bf16 peak; one JSON file.
#
#   bash benchmarks/gpu.sh                 # writes benchmarks/results/scoring-gpu.json (+ $OUT/ if set)
#   PAIRS=20000 BUDGET_S=300 bash benchmarks/gpu.sh
#   TRAIN=1 bash benchmarks/gpu.sh         # then also xstress train vs HF Trainer, XLM-R base shapes (second call)
#   ATTACK=1 bash benchmarks/gpu.sh        # then also xstress attack lockstep vs per-example, base and large shapes
#
# Needs python with a CUDA torch, transformers and numpy. It tries, in order: $PYTHON; this repo's .venv;
# python3 on PATH; then a venv (benchmarks/.gpu-venv, sharing the system's site-packages so an installed
# CUDA torch is reused) where it pip-installs what is missing (torch only if no torch at all). No hub access
# is needed: models come from configs, inputs are synthetic ids with XNLI's length distribution.
set -uo pipefail
cd "$(dirname "$0")/.."

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
PAIRS="${PAIRS:-30000}"
BUDGET_S="${BUDGET_S:-420}"       # stop starting new measurements after this (the whole run stays < 10 min)
RESULT=benchmarks/results/scoring-gpu.json
CHECK='import torch, transformers, numpy; assert torch.cuda.is_available(), "no CUDA"; print(torch.__version__, transformers.__version__, torch.cuda.get_device_name(0))'

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available"

pick=""
for py in "${PYTHON:-}" .venv/bin/python python3 python; do
    [ -n "$py" ] || continue
    command -v "$py" >/dev/null 2>&1 || [ -x "$py" ] || continue
    if "$py" -c "$CHECK" 2>/dev/null; then pick="$py"; break; fi
done

if [ -z "$pick" ]; then
    base=$(command -v python3 || command -v python)
    echo "no ready interpreter; building benchmarks/.gpu-venv from $base" >&2
    [ -x benchmarks/.gpu-venv/bin/python ] || "$base" -m venv --system-site-packages benchmarks/.gpu-venv
    gp=benchmarks/.gpu-venv/bin/python
    if ! "$gp" -c 'import torch' 2>/dev/null; then
        "$gp" -m pip install -q torch || echo "pip could not install torch" >&2
    fi
    "$gp" -m pip install -q "transformers>=4.40" numpy safetensors sentencepiece || echo "pip install failed (offline?)" >&2
    if "$gp" -c "$CHECK"; then pick="$gp"; fi
fi

if [ -z "$pick" ]; then
    mkdir -p benchmarks/results
    printf '{"name": "scoring-gpu", "error": "no python with CUDA torch + transformers + numpy could be found or installed"}\n' > "$RESULT"
    echo "gpu.sh: no usable python (see above)" >&2
    [ -n "${OUT:-}" ] && cp "$RESULT" "$OUT/" 2>/dev/null
    exit 1
fi

echo "using $pick" >&2
timeout 570 "$pick" benchmarks/gpu_scoring.py --pairs "$PAIRS" --budget-s "$BUDGET_S" --out "$RESULT"
rc=$?
# Training: `xstress train` (one task) against HF Trainer, XLM-R base shapes, bf16, side by side. Opt in with
# TRAIN=1 (it needs xstress itself, accelerate and datasets importable; a second call keeps within 10 minutes).
# Attack: `xstress attack`'s lockstep search vs one example at a time, XLM-R base and large shapes, on the repo's
# data/ sample (no real data on the machine). Opt in with ATTACK=1 (needs xstress importable).
if [ "${ATTACK:-0}" = 1 ]; then
    if "$pick" -c 'import harness.attack, perturb' 2>/dev/null; then
        for shape in xlmr-base xlmr-large; do
            timeout 270 "$pick" benchmarks/attack.py --sample --shape "$shape" || rc=$?
        done
        [ -n "${OUT:-}" ] && cp benchmarks/results/attack-gpu-*.json "$OUT/" 2>/dev/null
    else
        echo "ATTACK=1: xstress not importable with $pick; skipped" >&2
    fi
fi
if [ "${TRAIN:-0}" = 1 ]; then
    if "$pick" -c 'import accelerate, datasets, harness.train' 2>/dev/null; then
        timeout 540 "$pick" benchmarks/train.py --shape base --steps 100 --repeats 3 --batch 32 || rc=$?
    else
        echo "TRAIN=1: xstress, accelerate or datasets not importable with $pick; skipped" >&2
    fi
fi
if [ -n "${OUT:-}" ]; then
    cp "$RESULT" "$OUT/" 2>/dev/null
    cp benchmarks/RESULTS.md "$OUT/" 2>/dev/null
fi
exit $rc
