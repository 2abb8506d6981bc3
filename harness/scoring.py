"""Scoring engine: dedup identical inputs, reuse cached ones, length-sorted token-budget batches, commit per batch."""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.cache import PredictionCache
from harness.labels import task_labels
from harness.predictor import canonical_fields

DEFAULT_BATCH_TOKENS = 16384
DEFAULT_MAX_BATCH = 256


class _ProtocolBackend:
    """Adapts any ``Predictor`` (only ``predict``) to the engine: identity = canonical fields, batches by count."""

    def __init__(self, predictor):
        self.predictor = predictor
        self.task = predictor.task
        fp = getattr(predictor, "fingerprint", None)
        self.namespace = f"{fp}|{self.task}" if fp else None

    def encode(self, examples):
        return [(canonical_fields(self.task, ex), ex) for ex in examples]

    @staticmethod
    def identity(encoded) -> str:
        return encoded[0]

    @staticmethod
    def length(encoded) -> int:
        return max(1, len(encoded[0]) // 4)  # a rough token count: only used to order and size batches

    @staticmethod
    def rows(encoded) -> int:
        return 1

    def forward(self, batch):
        out = np.asarray(self.predictor.predict([e[1] for e in batch]), dtype=np.float64)
        want = (len(batch), len(task_labels(self.task)))
        if out.shape != want:
            raise ValueError(f"{type(self.predictor).__name__}.predict returned shape {out.shape}, expected {want} "
                             f"(probabilities in the {self.task} label order {task_labels(self.task)})")
        return out

    @staticmethod
    def to_dataset_order(probs):
        return probs


def backend_for(predictor):
    """HF predictors are backends already; anything else implementing ``predict`` gets wrapped."""
    return predictor if hasattr(predictor, "forward") and hasattr(predictor, "encode") else _ProtocolBackend(predictor)


def input_key(backend, encoded) -> str:
    """sha256 of the exact model input (token ids, or canonical fields for protocol predictors)."""
    ident = backend.identity(encoded) if hasattr(backend, "identity") else encoded
    return hashlib.sha256(repr(ident).encode("utf-8")).hexdigest()


def plan_batches(lengths: Sequence[int], rows: Sequence[int], *, batch_tokens: int, max_batch: int) -> list[list[int]]:
    """Indices grouped so that padded_len x rows_per_example x batch_size <= batch_tokens (at least one each).

    Longest first: the biggest padded batch runs first, so an out-of-memory shows up in seconds, not at the end.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches, cur, width = [], [], 0
    for i in order:
        w = max(width, lengths[i])
        if cur and (w * rows[i] * (len(cur) + 1) > batch_tokens or len(cur) >= max_batch):
            batches.append(cur)
            cur, w = [], lengths[i]
        cur.append(i)
        width = w
    if cur:
        batches.append(cur)
    return batches


@dataclass
class ScoreStats:
    """What a scorer did; ``scored_inputs``/``forward_passes`` prove what was (not) recomputed."""

    requested: int = 0
    unique: int = 0
    cache_hits: int = 0
    scored_inputs: int = 0
    forward_passes: int = 0
    seconds: float = 0.0
    batch_sizes: list[int] = field(default_factory=list)


class Scorer:
    """Scores examples with a predictor, caching per model namespace; safe to kill and rerun at any point."""

    def __init__(
        self,
        predictor,
        *,
        cache: PredictionCache | None = None,
        batch_tokens: int = DEFAULT_BATCH_TOKENS,
        max_batch: int = DEFAULT_MAX_BATCH,
        progress: bool | None = None,
        desc: str | None = None,
    ):
        if batch_tokens < 1 or max_batch < 1:
            raise ValueError("batch_tokens and max_batch must be positive")
        self.backend = backend_for(predictor)
        self.cache = cache if getattr(self.backend, "namespace", None) else None
        self.batch_tokens = batch_tokens
        self.max_batch = max_batch
        self.progress = progress
        self.desc = desc or getattr(predictor, "name", "scoring")
        self.stats = ScoreStats()
        self.labels = task_labels(predictor.task)

    def score(self, examples: Sequence[Any]) -> np.ndarray:
        """Probabilities in the dataset's label order, one row per example (duplicates scored once)."""
        t0 = time.perf_counter()
        b = self.backend
        encoded = b.encode(examples)
        keys = [input_key(b, e) for e in encoded]
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        self.stats.requested += len(keys)
        self.stats.unique += len(first)

        probs: dict[str, np.ndarray] = {}
        if self.cache is not None:
            probs = self.cache.get_many(b.namespace, list(first))
            self.stats.cache_hits += len(probs)
        todo = [k for k in first if k not in probs]
        lengths = [b.length(encoded[first[k]]) for k in todo]
        rows = [b.rows(encoded[first[k]]) for k in todo]
        batches = plan_batches(lengths, rows, batch_tokens=self.batch_tokens, max_batch=self.max_batch)

        bar = self._bar(len(todo))
        try:
            for batch in batches:
                bkeys = [todo[i] for i in batch]
                out = np.asarray(b.forward([encoded[first[k]] for k in bkeys]), dtype=np.float32)
                if self.cache is not None:
                    self.cache.put_batch(b.namespace, bkeys, out)  # committed before the next batch starts
                for k, p in zip(bkeys, out):
                    probs[k] = p
                self.stats.forward_passes += 1
                self.stats.scored_inputs += len(bkeys)
                self.stats.batch_sizes.append(len(bkeys))
                if bar is not None:
                    bar.update(len(bkeys))
        finally:
            if bar is not None:
                bar.close()
        self.stats.seconds += time.perf_counter() - t0
        if not keys:
            return np.zeros((0, len(self.labels)))
        # Cached values are float32 too, so a resumed run returns exactly what was stored.
        raw = np.stack([probs[k] for k in keys]).astype(np.float64)
        return b.to_dataset_order(raw)

    def _bar(self, total: int):
        enabled = self.progress if self.progress is not None else sys.stderr.isatty()
        if not enabled or total == 0:
            return None
        from tqdm import tqdm

        return tqdm(total=total, desc=self.desc, unit="ex", file=sys.stderr, dynamic_ncols=True, leave=False)
