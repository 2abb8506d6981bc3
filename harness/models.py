"""Loads a fine-tuned HF checkpoint safely (safetensors, explicit label map, no remote code) as a scorer backend."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.errors import CheckpointError
from harness.labels import label_permutation, normalise_name, task_labels
from harness.predictor import fields_of
from perturb.schema import XCOPA_QUESTIONS

# XTREME-R's XCOPA input: the question word stays English ("cause"/"effect") in every language.
DEFAULT_XCOPA_TEMPLATE = "{premise} What was the {question}?"

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


@dataclass(frozen=True)
class LoadOptions:
    """How to load a checkpoint; grouped so the CLI and the experiment file share one definition."""

    label_order: tuple[str, ...] | None = None
    allow_pickle: bool = False
    device: str | None = None  # None: cuda if available, else cpu
    template: str = DEFAULT_XCOPA_TEMPLATE
    max_length: int | None = None


def _offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def resolve_source(source: str | os.PathLike, *, allow_pickle: bool = False) -> Path:
    """A local directory as is; a hub id downloaded to the HF cache when online; anything else a clear error."""
    path = Path(source).expanduser()
    if path.exists():
        if not path.is_dir():
            raise CheckpointError(f"{source}: a checkpoint must be a directory (config.json + weights + tokenizer)")
        return path
    text = str(source)
    if not _HUB_ID.match(text):
        raise CheckpointError(f"{source}: no such checkpoint directory")
    if _offline():
        raise CheckpointError(
            f"{source}: no such local directory, and it cannot be fetched as a hub id because the hub is offline "
            "(HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set). Pass a local checkpoint directory."
        )
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.model", "*.txt"] + (["*.bin"] if allow_pickle else [])
    try:
        return Path(snapshot_download(repo_id=text, allow_patterns=patterns))
    except Exception as e:  # network, auth, missing repo: all mean "not available here"
        raise CheckpointError(
            f"{source}: no such local directory, and downloading it from the hub failed "
            f"({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}). Offline? Pass a local directory."
        ) from None


def weight_files(path: Path, *, allow_pickle: bool) -> tuple[list[Path], bool]:
    """The weight files to load and whether they are safetensors; pickle only when explicitly allowed."""
    from perturb.checkpoint import CheckpointFilesError, weight_files as _weight_files

    try:
        return _weight_files(path, allow_pickle=allow_pickle)
    except CheckpointFilesError as e:
        raise CheckpointError(str(e)) from None


def fingerprint(path: Path, files: Sequence[Path]) -> str:
    """sha256 of config.json, the tokenizer files and the weight files (perturb.checkpoint.fingerprint)."""
    from perturb.checkpoint import fingerprint as _fingerprint

    return _fingerprint(path, files)


def _check_safetensors(files: Sequence[Path]) -> None:
    from safetensors import safe_open

    for f in files:
        try:
            with safe_open(str(f), framework="pt") as st:
                keys = list(st.keys())
                if keys:  # reading one tensor catches a file cut short after its header
                    st.get_slice(keys[-1])[...]
        except Exception as e:
            raise CheckpointError(f"{f}: corrupt or unreadable safetensors file ({type(e).__name__}: {e})") from None


def _classifier_rows(files: Sequence[Path]) -> int | None:
    """Output rows of the sequence-classification head stored in safetensors files (None when not found)."""
    from safetensors import safe_open

    for f in files:
        with safe_open(str(f), framework="pt") as st:
            for key in st.keys():
                if key.endswith(("classifier.out_proj.weight", "classifier.weight")):
                    return st.get_slice(key).get_shape()[0]
    return None


def _check_label2id(config, names_by_id: dict, source: str, label: str) -> None:
    """config.label2id must not contradict the names the label permutation is built from: when it names a
    dataset label (not a generic LABEL_k), that id must carry the same name, or the map is ambiguous."""
    label2id = getattr(config, "label2id", None) or {}
    known = set(task_labels("xnli"))
    for name, i in label2id.items():
        norm = normalise_name(name)
        if norm not in known:
            continue
        try:
            other = names_by_id.get(int(i))
        except (TypeError, ValueError):
            other = None
        if other is None or normalise_name(other) != norm:
            raise CheckpointError(
                f"{label}: ambiguous labels: config.label2id maps {name!r} to output {i}, but that output is "
                f"{other!r} by {source}; fix config.json"
            )


def _max_length(config, tokenizer, requested: int | None) -> int:
    limit = getattr(config, "max_position_embeddings", 512) or 512
    if "roberta" in config.model_type or config.model_type == "camembert":
        # RoBERTa-style positions start after padding_idx, so two slots are unusable.
        limit -= (getattr(config, "pad_token_id", 1) or 1) + 1
    tmax = getattr(tokenizer, "model_max_length", None)
    if isinstance(tmax, int) and 0 < tmax < limit:
        limit = tmax
    return min(requested, limit) if requested else limit


def load_model(source: str | os.PathLike, *, task: str, options: LoadOptions | None = None, name: str | None = None):
    """Load ``source`` (local directory or, online, a hub id) for ``task`` and return an :class:`HFPredictor`."""
    options = options or LoadOptions()
    task_labels(task)
    path = resolve_source(source, allow_pickle=options.allow_pickle)
    label = str(source)
    if not (path / "config.json").is_file():
        raise CheckpointError(f"{label}: missing config.json")
    files, safe = weight_files(path, allow_pickle=options.allow_pickle)
    if safe:
        _check_safetensors(files)

    import torch
    from transformers import AutoConfig, AutoModelForMultipleChoice, AutoModelForSequenceClassification

    try:
        config = AutoConfig.from_pretrained(str(path), trust_remote_code=False, local_files_only=True)
    except Exception as e:
        raise CheckpointError(f"{label}: unreadable config.json ({type(e).__name__}: {e})") from None
    if task == "xnli":
        perm = _nli_label_permutation(config, files if safe else None, options, label)
        auto = AutoModelForSequenceClassification
    else:
        perm = (0, 1)  # multiple choice: one logit per choice, already in choice order
        auto = AutoModelForMultipleChoice
    tokenizer = _load_tokenizer(path, config, label)
    model = _load_weights(auto, path, config, safe=safe, task=task, label=label)
    device = options.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device).eval()
    return HFPredictor(
        model=model,
        tokenizer=tokenizer,
        task=task,
        perm=perm,
        fingerprint=fingerprint(path, files),
        device=device,
        template=options.template,
        max_length=_max_length(config, tokenizer, options.max_length),
        name=name or path.name,
        path=str(path),
    )


def _nli_label_permutation(config, safetensors: Sequence[Path] | None, options: LoadOptions, label: str):
    """The model-to-dataset label order of an NLI checkpoint, after checking config and weights agree on it."""
    perm = label_permutation(
        getattr(config, "id2label", None), task="xnli", label_order=options.label_order, checkpoint=label
    )
    if options.label_order is not None:
        _check_label2id(config, dict(enumerate(options.label_order)), "--label-order", label)
    else:
        id2label = getattr(config, "id2label", None) or {}
        _check_label2id(config, {int(k): v for k, v in id2label.items()}, "config.id2label", label)
    rows = _classifier_rows(safetensors) if safetensors is not None else None
    if rows is not None and rows != config.num_labels:
        raise CheckpointError(
            f"{label}: config.json describes {config.num_labels} labels but the classifier in the weights has "
            f"{rows} outputs; config and weights do not belong together"
        )
    return perm


def _load_tokenizer(path: Path, config, label: str):
    """The checkpoint's tokenizer, refused when it does not belong to the model (vocabulary or padding)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), trust_remote_code=False, local_files_only=True)
    except Exception as e:
        raise CheckpointError(f"{label}: cannot load the tokenizer ({type(e).__name__}: {e})") from None
    n_tok, n_emb = len(tokenizer), config.vocab_size
    # Fewer tokens than embedding rows is fine only as padding (rows up to a multiple of 8, e.g. mDeBERTa's
    # 250,102 tokens in 251,000 rows). Anything else is another model's tokenizer, or a directory without
    # tokenizer files, for which transformers silently builds a near-empty default one.
    padded = n_tok < n_emb and n_emb % 8 == 0 and n_emb - n_tok < 1024
    if n_tok != n_emb and not padded:
        raise CheckpointError(
            f"{label}: tokenizer has {n_tok} tokens but the model's embedding has {n_emb} rows; "
            "tokenizer and weights do not belong together (are the tokenizer files missing?)"
        )
    tok_pad, cfg_pad = tokenizer.pad_token_id, getattr(config, "pad_token_id", None)
    if tok_pad is not None and cfg_pad is not None and tok_pad != cfg_pad:
        raise CheckpointError(
            f"{label}: the tokenizer pads with id {tok_pad} but config.json's pad_token_id is {cfg_pad}; "
            "tokenizer and model do not belong together"
        )
    return tokenizer


def _load_weights(auto, path: Path, config, *, safe: bool, task: str, label: str):
    """The model with the checkpoint's weights in fp32; refused when any weight of the task's head is missing."""
    import torch

    try:
        model, info = auto.from_pretrained(
            str(path),
            config=config,
            use_safetensors=safe,
            weights_only=True,  # the pickle path (only with allow_pickle) goes through torch.load(weights_only=True)
            trust_remote_code=False,
            local_files_only=True,
            output_loading_info=True,
            dtype=torch.float32,
        )
    except CheckpointError:
        raise
    except Exception as e:
        if "weights only load failed" in str(e).lower():
            # torch's own message suggests weights_only=False, which is exactly what must not be done here.
            raise CheckpointError(
                f"{label}: the pickle weights contain objects other than tensors; refused by "
                "torch.load(weights_only=True). Convert the checkpoint to safetensors where you trust its origin."
            ) from None
        raise CheckpointError(f"{label}: cannot load weights ({type(e).__name__}: {str(e).splitlines()[0]})") from None
    missing = [k for k in info.get("missing_keys", []) if "position_ids" not in k]
    if missing or info.get("mismatched_keys"):
        # A missing head means transformers initialised it randomly: scores would be noise, so refuse.
        raise CheckpointError(
            f"{label}: weights do not fit a {auto.__name__.removeprefix('AutoModelFor')} model for {task} "
            f"(missing: {missing[:5]}, mismatched: {list(info.get('mismatched_keys') or [])[:5]}); is it a {task} checkpoint?"
        )
    return model


CPU_MAX_PAD = 0.02


class HFPredictor:
    """An HF model + tokenizer as a scorer backend: encode to token ids, forward a padded batch, map labels."""

    def __init__(self, *, model, tokenizer, task, perm, fingerprint, device, template, max_length, name, path=None):
        self.model = model
        self.tokenizer = tokenizer
        self.task = task
        self.labels = task_labels(task)
        self.perm = np.asarray(perm)
        self.fingerprint = fingerprint
        self.device = str(device)
        self.template = template
        self.max_length = max_length
        self.name = name
        self.path = path
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self._types = "token_type_ids" in getattr(tokenizer, "model_input_names", ())
        self._types = self._types and getattr(model.config, "type_vocab_size", 1) > 1
        # bf16 autocast on CUDA (fast, accurate enough for argmax); fp32 on CPU where bf16 is slow and lossy.
        self.precision = "bf16" if self.device.startswith("cuda") else "fp32"
        # Batch planning (harness.scoring.plan_batches): on a CPU a forward costs per padded token whatever the
        # batch size (from about 16 inputs up), so a batch of 16 or more closes before 2 % of it would be padding.
        # Measured on 2 cores with the trained small XLM-R (benchmarks/padding.py, RESULTS.md "Padding on a
        # CPU"). On a GPU a small batch costs nearly what a full one does, so batches fill to the token budget.
        self.max_pad = None if self.device.startswith("cuda") else CPU_MAX_PAD

    @property
    def namespace(self) -> str:
        """Cache namespace: outputs depend on the weights and on the precision they ran in."""
        return f"{self.fingerprint}|{self.precision}|{self.task}"

    def describe(self) -> dict:
        return {"fingerprint": self.fingerprint, "precision": self.precision, "device": self.device,
                "max_length": self.max_length, "label_perm": self.perm.tolist(), "template": self.template}

    # -- scorer backend interface -------------------------------------------------------------------------
    def pairs(self, examples: Sequence[Any]) -> list[list[tuple[str, str]]]:
        """The text pairs the model sees for each example (one pair for XNLI, one per choice for XCOPA)."""
        out = []
        for ex in examples:
            f = fields_of(ex)
            if self.task == "xnli":
                out.append([(f["premise"], f["hypothesis"])])
            else:
                q = f["question"]
                if q not in XCOPA_QUESTIONS:
                    raise ValueError(f"xcopa question must be 'cause' or 'effect', got {q!r}")
                first = self.template.format(premise=f["premise"], question=q)
                out.append([(first, f["choice1"]), (first, f["choice2"])])
        return out

    @property
    def choices(self) -> int:
        """Sequences per input: one pair for XNLI, one per choice for XCOPA."""
        return 1 if self.task == "xnli" else 2

    def add_inputs(self, table, examples: Sequence[Any]) -> np.ndarray:
        """Tokenize ``examples`` into ``table`` (an :class:`harness.scoring.InputTable`); each example's slot.

        The cache key hashes the same ((ids), (types)) tuples as before, so existing caches keep hitting; the
        tuples live only while one call's examples are keyed (callers pass a few thousand at a time).
        """
        from harness.scoring import hash_input

        pairs = self.pairs(examples)
        slots = np.empty(len(pairs), dtype=np.int32)
        if not pairs:
            return slots
        flat = [p for ps in pairs for p in ps]
        enc = self.tokenizer(
            [a for a, _ in flat], [b for _, b in flat], truncation=True, max_length=self.max_length,
            return_token_type_ids=self._types, return_attention_mask=False,
        )
        ids = enc["input_ids"]
        types = enc["token_type_ids"] if self._types else None
        c = self.choices
        for n in range(len(pairs)):
            seqs = tuple((tuple(ids[j]), tuple(types[j]) if types is not None else ()) for j in range(n * c, n * c + c))
            slots[n] = table.add(hash_input(seqs), seqs)
        return slots

    def forward(self, batch) -> np.ndarray:
        """Probabilities in the model's output order for a :class:`harness.scoring.Batch`, padded to its longest."""
        import torch

        table, slots = batch.table, batch.slots
        n, c = len(slots), table.choices
        width = int(table.lengths[slots].max())
        ids = np.full((n, c, width), self.pad_id, dtype=np.int64)
        mask = np.zeros((n, c, width), dtype=np.int64)
        types = np.zeros((n, c, width), dtype=np.int64) if self._types else None
        for i, s in enumerate(slots):
            for j in range(c):
                tok, typ = table.sequence(s, j)
                ids[i, j, : len(tok)] = tok
                mask[i, j, : len(tok)] = 1
                if types is not None and typ is not None:
                    types[i, j, : len(typ)] = typ
        if self.task == "xnli":  # sequence classification takes (batch, length)
            ids, mask = ids[:, 0], mask[:, 0]
            types = types[:, 0] if types is not None else None
        kw = {"input_ids": torch.from_numpy(ids).to(self.device), "attention_mask": torch.from_numpy(mask).to(self.device)}
        if types is not None:
            kw["token_type_ids"] = torch.from_numpy(types).to(self.device)
        with torch.inference_mode():
            if self.device.startswith("cuda"):
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    logits = self.model(**kw).logits
            else:
                logits = self.model(**kw).logits
            return logits.float().softmax(-1).cpu().numpy()

    def to_dataset_order(self, probs: np.ndarray) -> np.ndarray:
        return probs[:, self.perm]

    def predict(self, examples: Sequence[Any]) -> np.ndarray:
        """Protocol entry point: score without a cache (see :class:`harness.scoring.Scorer` for the cached path)."""
        from harness.scoring import Scorer

        return Scorer(self, cache=None, progress=False).score(examples)
