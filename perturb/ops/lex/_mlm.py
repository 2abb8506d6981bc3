"""Masked-LM backends for lex.mlm: a local Hugging Face model (torch and transformers imported only when it runs) and a model-free stand-in for tests."""
from __future__ import annotations

import functools
import multiprocessing
import os
from pathlib import Path
from typing import Protocol, Sequence

from ...checkpoint import TOKENIZER_FILES, CheckpointFilesError, fingerprint, weight_files

# How many of the LM's best tokens are read per masked word to find `top` whole-word candidates. XLM-R's top
# predictions for a masked word are mostly whole words, punctuation and fragments; 200 leave enough words
# after filtering even for a tiny test model, and cost nothing next to the forward pass.
SCAN = 200


class MaskFiller(Protocol):
    """What lex.mlm needs from a masked LM."""

    fingerprint: str  # names the model in signatures, e.g. "5e6f7a8b@cpu"

    def predict(self, queries: Sequence[tuple[str, int, int]], lang: str) -> list[list[tuple[str, bool]]]:
        """For each (text, start, end) of language lang: the LM's candidates for text[start:end] masked, best
        first, as (surface, starts_a_word) pairs; starts_a_word is False for a piece that continues a word."""
        ...


def model_fingerprint(path: Path) -> str:
    """sha256 (first 8 hex digits) over the config, the tokenizer files and the safetensors weights, as the
    harness fingerprints a scored model (perturb.checkpoint.fingerprint)."""
    weights, _ = weight_files(path, pickle_remedy=_MLM_PICKLE_REMEDY)
    return fingerprint(path, weights)[:8]


# lex.mlm has no --allow-pickle: unpickling can run code, and the masked LM is read in every worker.
_MLM_PICKLE_REMEDY = "e.g. with transformers' save_pretrained(safe_serialization=True); lex.mlm loads safetensors only"


def check_model_dir(path: Path) -> None:
    """ValueError unless path looks like a local masked-LM directory we are willing to load (safetensors weights,
    by perturb.checkpoint's rule, and a tokenizer)."""
    if not path.is_dir():
        raise ValueError(f"{path} is not a directory (a local model such as a downloaded xlm-roberta-base)")
    if not (path / "config.json").is_file():
        raise ValueError(f"{path} has no config.json: not a Hugging Face model directory")
    try:
        weight_files(path, pickle_remedy=_MLM_PICKLE_REMEDY)
    except CheckpointFilesError as e:
        raise ValueError(str(e)) from None
    if not any((path / n).is_file() for n in TOKENIZER_FILES[:4]):
        raise ValueError(f"{path} has no tokenizer (tokenizer.json or a SentencePiece model)")


def device() -> str:
    # CPU unless asked: results on a GPU may differ in the last bits, so the device is part of the signature.
    return os.environ.get("XSTRESS_MLM_DEVICE", "cpu")


class HFMaskFiller:
    """A local AutoModelForMaskedLM directory; loaded on first use, once per process."""

    def __init__(self, path: os.PathLike | str):
        self.path = Path(path).expanduser().resolve()
        check_model_dir(self.path)
        self.device = device()
        self.fingerprint = f"{model_fingerprint(self.path)}@{self.device}"

    def __getstate__(self):
        # Worker processes get the path, not the loaded model; each loads its own copy on first use.
        return {"path": self.path, "device": self.device, "fingerprint": self.fingerprint}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def predict(self, queries, lang):
        if not queries:
            return []
        return _predict(str(self.path), self.device, tuple(queries))


@functools.lru_cache(maxsize=4)
def _load(path: str, dev: str):
    import torch  # lazy: only lex.mlm ever imports torch, and only when it runs
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of xstress's own output
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForMaskedLM.from_pretrained(path, local_files_only=True, use_safetensors=True)
    model.to(dev).eval()
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    sentencepiece = any(t.startswith("\u2581") for t in vocab[:2000] if t)
    pieces = []
    special = set(tokenizer.all_special_ids)
    for i, tok in enumerate(vocab):
        if i in special or tok is None:
            pieces.append(None)
        elif sentencepiece:
            pieces.append((tok[1:], True) if tok.startswith("\u2581") else (tok, False))
        else:  # WordPiece: "##" marks a continuation
            pieces.append((tok[2:], False) if tok.startswith("##") else (tok, True))
    return tokenizer, model, pieces


_THREADS_SET_IN: int | None = None


def _one_thread_in_workers(torch) -> None:
    """In a worker process of `--workers N`: one intra-op thread, set before its first forward pass.

    Workers are forked; if the parent already ran the model (a workers=1 run earlier in the same process), the
    OpenMP thread pool it started does not survive the fork and the child's first parallel region would hang.
    With one thread torch never enters a parallel region, and N workers do not start N x cores threads."""
    global _THREADS_SET_IN
    if _THREADS_SET_IN != os.getpid():
        _THREADS_SET_IN = os.getpid()
        if multiprocessing.parent_process() is not None:
            torch.set_num_threads(1)


def _predict(path: str, dev: str, queries: tuple[tuple[str, int, int], ...]):
    import torch

    _one_thread_in_workers(torch)
    tokenizer, model, pieces = _load(path, dev)
    out: list[list[tuple[str, bool]]] = [[] for _ in queries]
    # A text that already spells the mask token ("<mask>") would carry two masks: it gets no candidates.
    rows = [i for i, (text, _, _) in enumerate(queries) if tokenizer.mask_token not in text]
    if not rows:
        return out
    texts = [queries[i][0][:queries[i][1]] + tokenizer.mask_token + queries[i][0][queries[i][2]:] for i in rows]
    limit = min(int(getattr(tokenizer, "model_max_length", 512) or 512), 512)
    enc = tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=limit).to(dev)
    with torch.inference_mode():
        where = (enc["input_ids"] == tokenizer.mask_token_id).nonzero()
        # Only the masked positions go through the LM head (250k-word softmax for XLM-R): a tenth of the cost
        # of computing logits for every position.
        hidden = model.base_model(**enc).last_hidden_state[where[:, 0], where[:, 1]]
        head = getattr(model, "lm_head", None) or getattr(model, "cls", None)
        logits = head(hidden) if head is not None else model(**enc).logits[where[:, 0], where[:, 1]]
        top = torch.topk(logits.float(), k=min(SCAN, logits.shape[-1]), dim=-1).indices.tolist()
    # A text whose mask was truncated away (a very long premise) gets no candidates.
    for (row, _), ids in zip(where.tolist(), top):
        out[rows[row]] = [pieces[i] for i in ids if i < len(pieces) and pieces[i] is not None and pieces[i][0]]
    return out


class EchoFiller:
    """A model-free stand-in for tests and the op contract: it proposes the other words of the same text, last
    first, as whole words. Deterministic and instant; its output means nothing about any language model."""

    fingerprint = "echo"

    def predict(self, queries, lang):
        from ... import segment

        out = []
        for text, start, end in queries:
            words = [t.text for t in segment.words(text, lang) if (t.start, t.end) != (start, end)]
            out.append([(w, True) for w in reversed(words)][:SCAN])
        return out
