"""Model directories, one rule for perturb (lex.mlm) and harness (scoring): which weights load, and the fingerprint.

Weights load from safetensors only: pickle files (pytorch_model.bin) can run code when unpickled, so they are
used only when the caller explicitly allows them, and never when safetensors exist. The fingerprint covers every
file that changes a model's outputs: config, tokenizer files and weights.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from .fsutil import files_sha256

SAFETENSORS = ("model.safetensors", "model.safetensors.index.json")
PICKLE = ("pytorch_model.bin", "pytorch_model.bin.index.json")
TOKENIZER_FILES = ("tokenizer.json", "sentencepiece.bpe.model", "spiece.model", "vocab.txt", "tokenizer_config.json",
                   "special_tokens_map.json", "added_tokens.json")


class CheckpointFilesError(ValueError):
    """A model directory whose weights cannot (or may not) be loaded; the message names the directory or file."""


PICKLE_REMEDY = "or pass --allow-pickle (loaded with torch.load(weights_only=True))"


def weight_files(path: Path, *, allow_pickle: bool = False,
                 pickle_remedy: str = PICKLE_REMEDY) -> tuple[list[Path], bool]:
    """The weight files to load (shards listed by an index expanded) and whether they are safetensors;
    `pickle_remedy` ends the error for pickle-only weights (what the caller's user can do about it)."""
    for name in SAFETENSORS:
        if (path / name).is_file():
            return _expand_index(path, path / name), True
    for name in PICKLE:
        if (path / name).is_file():
            if not allow_pickle:
                raise CheckpointFilesError(
                    f"{path}: only pickle weights ({name}) found. Pickle files can run code when loaded; convert "
                    f"the checkpoint to safetensors, {pickle_remedy}")
            return _expand_index(path, path / name), False
    raise CheckpointFilesError(f"{path}: no model weights (model.safetensors or pytorch_model.bin)")


def _expand_index(path: Path, f: Path) -> list[Path]:
    if not f.name.endswith(".index.json"):
        return [f]
    try:
        shards = sorted(set(json.loads(f.read_text(encoding="utf-8"))["weight_map"].values()))
    except (ValueError, KeyError, TypeError, AttributeError) as e:  # bad JSON or UTF-8, wrong shape
        raise CheckpointFilesError(f"{f}: unreadable shard index ({type(e).__name__}: {e})") from None
    # A shard is a file of this directory: never a path that reaches outside it.
    outside = [s for s in shards if not isinstance(s, str) or s in ("", ".", "..") or Path(s).name != s]
    if outside:
        raise CheckpointFilesError(f"{f}: shard index names files outside the checkpoint directory: {outside[:3]}")
    missing = [s for s in shards if not (path / s).is_file()]
    if missing:
        raise CheckpointFilesError(f"{path}: shard index names missing files {missing}")
    return [path / s for s in shards]


def fingerprint(path: Path, weights: Sequence[Path]) -> str:
    """Hex sha256 over config.json, the tokenizer files present and the weights (sorted), by content."""
    files = [path / "config.json"] + [path / n for n in TOKENIZER_FILES if (path / n).is_file()]
    return files_sha256(files + sorted(weights))
