"""Scoring engine: unique inputs packed into flat arrays, cache reuse, length-sorted token-budget batches, commit per batch."""

from __future__ import annotations

import hashlib
import sys
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.cache import PredictionCache
from harness.labels import task_labels
from harness.predictor import canonical_fields

DEFAULT_BATCH_TOKENS = 16384
DEFAULT_MAX_BATCH = 256


class InputTable:
    """Unique model inputs of one chunk, columnar: token ids (int32) and type ids in flat buffers with offsets.

    Sequence ``j`` (one per choice) of input ``s`` is ``tokens[offsets[s*c+j]:offsets[s*c+j+1]]``. Per-row Python
    tuples of token ids cost ~35 KB a row at a million rows; these buffers cost 4 bytes a token. Protocol
    predictors score Python objects, so for them the table keeps the example itself instead of tokens.
    """

    def __init__(self, choices: int = 1):
        self.choices = choices
        self.keys: list[str] = []
        self._slot: dict[str, int] = {}
        self._tokens = array("i")
        self._types = array("b")
        self._offsets = array("q", [0])
        self._lengths = array("i")
        self.objects: list = []

    def __len__(self) -> int:
        return len(self.keys)

    def slot_of(self, key: str) -> int:
        return self._slot[key]

    def add(self, key: str, seqs: Sequence[tuple[Sequence[int], Sequence[int]]] | None = None, *,
            obj: Any = None, length: int | None = None) -> int:
        """The slot of ``key``, adding the input (``seqs``: one (ids, types) per choice, or ``obj``) if new."""
        slot = self._slot.get(key)
        if slot is not None:
            return slot
        slot = len(self.keys)
        self._slot[key] = slot
        self.keys.append(key)
        if seqs is not None:
            for ids, types in seqs:
                self._tokens.extend(ids)
                self._types.extend(types)
                self._offsets.append(len(self._tokens))
            self._lengths.append(max(len(ids) for ids, _ in seqs))
        else:
            self.objects.append(obj)
            self._lengths.append(length if length is not None else 1)
        return slot

    @property
    def lengths(self) -> np.ndarray:
        return np.frombuffer(self._lengths, dtype=np.int32) if len(self._lengths) else np.zeros(0, np.int32)

    def sequence(self, slot: int, choice: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Token ids and type ids (None when the model has none) of one choice of one input."""
        i = slot * self.choices + choice
        a, b = self._offsets[i], self._offsets[i + 1]
        tok = np.frombuffer(self._tokens, dtype=np.int32, count=b - a, offset=4 * a) if b > a else np.zeros(0, np.int32)
        typ = None
        if len(self._types):
            typ = np.frombuffer(self._types, dtype=np.int8, count=b - a, offset=a) if b > a else np.zeros(0, np.int8)
        return tok, typ

    def nbytes(self) -> int:
        return sum(a.itemsize * len(a) for a in (self._tokens, self._types, self._offsets, self._lengths))


@dataclass
class Batch:
    """Slots of one forward pass into an :class:`InputTable`."""

    table: InputTable
    slots: list[int]

    def __len__(self) -> int:
        return len(self.slots)


class _ProtocolBackend:
    """Adapts any ``Predictor`` (only ``predict``) to the engine: identity = canonical fields, batches by count."""

    choices = 1

    def __init__(self, predictor):
        self.predictor = predictor
        self.task = predictor.task
        fp = getattr(predictor, "fingerprint", None)
        self.namespace = f"{fp}|{self.task}" if fp else None

    def add_inputs(self, table: InputTable, examples: Sequence[Any]) -> np.ndarray:
        slots = np.empty(len(examples), dtype=np.int32)
        for n, ex in enumerate(examples):
            ident = canonical_fields(self.task, ex)
            # A rough token count (only used to order and size batches).
            slots[n] = table.add(hash_input(ident), obj=ex, length=max(1, len(ident) // 4))
        return slots

    def forward(self, batch: Batch):
        out = np.asarray(self.predictor.predict([batch.table.objects[s] for s in batch.slots]), dtype=np.float64)
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
    return predictor if hasattr(predictor, "forward") and hasattr(predictor, "add_inputs") else _ProtocolBackend(predictor)


def hash_input(ident) -> str:
    """sha256 of the exact model input's repr (token id tuples, or canonical fields for protocol predictors).

    The repr of the same tuples 0.2.0 hashed, so prediction caches written before keep hitting.
    """
    return hashlib.sha256(repr(ident).encode("utf-8")).hexdigest()


PAD_MIN_ROWS = 16


def plan_batches(lengths: Sequence[int], rows: Sequence[int], *, batch_tokens: int, max_batch: int,
                 max_pad: float | None = None, min_rows: int = PAD_MIN_ROWS) -> list[list[int]]:
    """Indices grouped so that padded_len x rows_per_example x batch_size <= batch_tokens (at least one each).

    Longest first: the biggest padded batch runs first, so an out-of-memory shows up in seconds, not at the end.
    With ``max_pad``, a batch that holds ``min_rows`` inputs also closes before padding would exceed that share
    of its tokens (below that size a CPU forward costs more per token than the padding it saves: padding.py).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.lexsort((np.arange(len(lengths)), -lengths)).tolist()
    lengths, rows = lengths.tolist(), np.asarray(rows, dtype=np.int64).tolist()
    batches, cur, width, real = [], [], 0, 0
    for i in order:
        w = max(width, lengths[i])
        n = len(cur) + 1
        if cur and (w * rows[i] * n > batch_tokens or len(cur) >= max_batch
                    or (max_pad is not None and len(cur) >= min_rows and w * n - real - lengths[i] > max_pad * w * n)):
            batches.append(cur)
            cur, w, real = [], lengths[i], 0
        cur.append(i)
        width = w
        real += lengths[i]
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
        world=None,
        max_pad: float | None | str = "backend",
        pad_min_rows: int = PAD_MIN_ROWS,
    ):
        if batch_tokens < 1 or max_batch < 1:
            raise ValueError("batch_tokens and max_batch must be positive")
        self.backend = backend_for(predictor)
        self.cache = cache if getattr(self.backend, "namespace", None) else None
        self.batch_tokens = batch_tokens
        self.max_batch = max_batch
        # The padding share at which a batch closes early (plan_batches); "backend": what the backend asks for
        # (HF models on a CPU: see HFPredictor.max_pad), None: batches fill to batch_tokens/max_batch.
        self.max_pad = getattr(self.backend, "max_pad", None) if max_pad == "backend" else max_pad
        self.pad_min_rows = pad_min_rows
        self.progress = progress
        self.desc = desc or getattr(predictor, "name", "scoring")
        self.stats = ScoreStats()
        self.labels = task_labels(predictor.task)
        # A harness.parallel.World of several ranks: score_table is then a collective call (every rank, same table).
        self.world = world if world is not None and world.size > 1 else None

    def new_table(self) -> InputTable:
        return InputTable(getattr(self.backend, "choices", 1))

    def encode(self, table: InputTable, examples: Sequence[Any]) -> np.ndarray:
        """Add ``examples`` to ``table`` (duplicates share a slot) and return each example's slot."""
        t0 = time.perf_counter()
        slots = self.backend.add_inputs(table, examples)
        self.stats.requested += len(slots)
        self.stats.seconds += time.perf_counter() - t0
        return slots

    def score(self, examples: Sequence[Any]) -> np.ndarray:
        """Probabilities in the dataset's label order, one row per example (duplicates scored once)."""
        table = self.new_table()
        slots = self.encode(table, examples)
        bar = self._bar(len(table))
        try:
            probs, _ = self.score_table(table, on_batch=bar.update if bar is not None else None)
        finally:
            if bar is not None:
                bar.close()
        if not len(slots):
            return np.zeros((0, len(self.labels)))
        return self.to_dataset_order(probs[slots])

    def to_dataset_order(self, probs: np.ndarray) -> np.ndarray:
        # Cached values are float32 too, so a resumed run returns exactly what was stored.
        return self.backend.to_dataset_order(np.asarray(probs, dtype=np.float64))

    def score_table(self, table: InputTable, *,
                    on_batch: Callable[[int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities (float32, model output order) of every input in ``table``, and which came from the cache.

        Each batch is committed to the cache before the next starts, so a kill loses at most one batch. With a
        world of several ranks, every rank passes the same table: rank 0's cache lookup decides what is scored,
        every rank plans the same batches and runs a contiguous slice of them (so each input meets the model in
        the batch it would meet in one process), commits them to the cache, and every rank returns the whole.
        """
        t0 = time.perf_counter()
        n = len(table)
        self.stats.unique += n
        try:
            probs, cached = self._lookup(table)
            todo = np.flatnonzero(~cached)
            batches = [todo[b].tolist() for b in plan_batches(table.lengths[todo], np.full(len(todo), table.choices),
                                                              batch_tokens=self.batch_tokens, max_batch=self.max_batch,
                                                              max_pad=self.max_pad, min_rows=self.pad_min_rows)]
            if self.world is None:
                for slots in batches:
                    probs[slots] = self._forward(table, slots)
                    if on_batch is not None:
                        on_batch(len(slots))
            else:
                from harness import parallel

                mine = [(slots, self._forward(table, slots)) for slots in parallel.my_slice(batches, self.world)]
                for part in parallel.gather(mine, self.world):
                    for slots, out in part:
                        probs[slots] = out
                        if on_batch is not None:
                            on_batch(len(slots))
        finally:
            self.stats.seconds += time.perf_counter() - t0
        return probs, cached

    def _lookup(self, table: InputTable) -> tuple[np.ndarray, np.ndarray]:
        """Zeros and the cache's hits; with several ranks, rank 0's view (another job may write the cache
        meanwhile, so ranks looking up on their own could disagree on what is left to score)."""
        n = len(table)
        probs = np.zeros((n, len(self.labels)), dtype=np.float32)
        cached = np.zeros(n, dtype=bool)
        main = self.world is None or self.world.main
        if main and self.cache is not None and n:
            for key, p in self.cache.get_many(self.backend.namespace, table.keys).items():
                slot = table.slot_of(key)
                probs[slot] = p
                cached[slot] = True
        if self.world is not None and self.cache is not None:
            from harness import parallel

            probs, cached = parallel.gather((probs, cached) if main else None, self.world)[0]
        self.stats.cache_hits += int(cached.sum())
        return probs, cached

    def _forward(self, table: InputTable, slots: list[int]) -> np.ndarray:
        """One forward pass, committed to the cache before it is returned."""
        out = np.asarray(self.backend.forward(Batch(table, slots)), dtype=np.float32)
        if self.cache is not None:
            self.cache.put_batch(self.backend.namespace, [table.keys[s] for s in slots], out)
        self.stats.forward_passes += 1
        self.stats.scored_inputs += len(slots)
        self.stats.batch_sizes.append(len(slots))
        return out

    def _bar(self, total: int):
        enabled = self.progress if self.progress is not None else sys.stderr.isatty()
        if not enabled or total == 0:
            return None
        from tqdm import tqdm

        return tqdm(total=total, desc=self.desc, unit="ex", file=sys.stderr, dynamic_ncols=True, leave=False)
