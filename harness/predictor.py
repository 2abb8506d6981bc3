"""The model boundary: the ``Predictor`` protocol, example field access, and a deterministic dummy for tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from harness.labels import task_labels


@runtime_checkable
class Predictor(Protocol):
    """Anything that scores examples of one task.

    ``predict`` returns an array of shape ``(len(examples), n_labels)`` with probabilities in the dataset's
    label order (:data:`harness.labels.TASK_LABELS`). When scoring an attack set, ``examples`` are its rows
    (:class:`perturb.rows.AttackRow`: read ``.fields``, as on a ``perturb`` ``Example``). An optional
    ``fingerprint`` attribute (a string that changes whenever outputs could change) lets the scorer cache
    predictions; without it nothing is cached.
    """

    task: str

    def predict(self, examples: Sequence[Any]) -> np.ndarray: ...


def fields_of(example: Any) -> Mapping[str, str]:
    """The text fields of an attack-set row (:class:`perturb.rows.AttackRow`) or ``perturb`` ``Example`` (both
    attribute ``fields``), or of a mapping with a ``"fields"`` key (a caller's own row)."""
    if isinstance(example, Mapping):
        return example["fields"]
    return example.fields


def canonical_fields(task: str, example: Any) -> str:
    """A canonical string of the model-visible content of an example (used as identity for dedup/caching)."""
    return json.dumps([task, dict(fields_of(example))], sort_keys=True, ensure_ascii=False)


class DummyPredictor:
    """A predictor for tests: ``fn(example) -> label or probability vector``, or seeded pseudo-random output.

    Without ``fn`` the output is a deterministic function of (seed, fields), so a perturbed input usually gets
    a different prediction than its clean original, like a real but useless model.
    """

    def __init__(self, task: str, fn: Callable[[Any], Any] | None = None, *, seed: int = 0, name: str = "dummy"):
        self.task = task
        self.labels = task_labels(task)
        self.fn = fn
        self.seed = seed
        self.name = name
        self.fingerprint = None if fn is not None else f"dummy:{task}:{seed}"
        self.calls = 0

    def _one(self, ex) -> np.ndarray:
        n = len(self.labels)
        if self.fn is None:
            h = hashlib.sha256(f"{self.seed}|{canonical_fields(self.task, ex)}".encode()).digest()
            v = np.frombuffer(h[: 4 * n], dtype=np.uint32).astype(np.float64) + 1.0
            return v / v.sum()
        out = self.fn(ex)
        if isinstance(out, (str, int, np.integer)) and not isinstance(out, bool):
            p = np.zeros(n)
            p[self.labels.index(out)] = 1.0
            return p
        p = np.asarray(out, dtype=np.float64)
        if p.shape != (n,):
            raise ValueError(f"dummy fn returned shape {p.shape}, expected ({n},)")
        return p

    def predict(self, examples: Sequence[Any]) -> np.ndarray:
        self.calls += 1
        if not examples:
            return np.zeros((0, len(self.labels)))
        return np.stack([self._one(e) for e in examples])
