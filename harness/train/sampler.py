"""Task sampling (jiant's proportional / temperature / uniform / fixed) and resumable, seeded data cursors."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def task_probabilities(sizes: Mapping[str, int], sampler: str, *, temperature: float = 1.0,
                       cap: int | None = None, fixed: Mapping[str, float] | None = None) -> dict[str, float]:
    """p(task) for one step, exactly as documented in the README:

    - proportional: p ∝ n;  - temperature: p ∝ min(n, cap)^(1/T) (cap: none when omitted);
    - uniform: p = 1/k;     - fixed: the given weights, normalised.
    """
    names = list(sizes)
    if sampler == "proportional":
        w = np.array([sizes[t] for t in names], dtype=np.float64)
    elif sampler == "temperature":
        n = np.array([min(sizes[t], cap) if cap else sizes[t] for t in names], dtype=np.float64)
        w = n ** (1.0 / temperature)
    elif sampler == "uniform":
        w = np.ones(len(names))
    elif sampler == "fixed":
        w = np.array([float((fixed or {})[t]) for t in names])
    else:
        raise ValueError(f"unknown sampler {sampler!r}")
    if not w.sum() > 0:
        raise ValueError(f"{sampler} sampler: all task weights are 0 ({dict(sizes)})")
    w = w / w.sum()
    return {t: float(p) for t, p in zip(names, w)}


class TaskSampler:
    """Draws one task per optimiser step from a seeded generator whose state is saved in checkpoints, so every
    rank (same seed, same state) draws the same task at every step, and a resumed run draws what it would have."""

    def __init__(self, probabilities: Mapping[str, float], seed: int):
        self.names = list(probabilities)
        self.p = np.array([probabilities[t] for t in self.names])
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def draw(self) -> str:
        if len(self.names) == 1:
            return self.names[0]
        return self.names[int(self.rng.choice(len(self.names), p=self.p))]

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def restore(self, state: dict) -> None:
        self.rng.bit_generator.state = state


class DataCursor:
    """Batches of one task's examples: a seeded permutation per epoch, walked in order; (epoch, offset) is the
    whole state, so a resumed run continues with the very next batch."""

    def __init__(self, n: int, seed: int, task: str):
        if n < 1:
            raise ValueError(f"task {task!r} has no examples")
        self.n, self.seed, self.task = n, seed, task
        self.epoch, self.offset = 0, 0
        self._perm_epoch, self._perm = -1, np.arange(0)

    def _permutation(self) -> np.ndarray:
        if self._perm_epoch != self.epoch:
            key = [self.seed, self.epoch, *self.task.encode("utf-8")]
            self._perm = np.random.Generator(np.random.PCG64(key)).permutation(self.n)
            self._perm_epoch = self.epoch
        return self._perm

    def next_indices(self, size: int) -> list[int]:
        """The next `size` example indices (crossing into the next epoch's permutation when one runs out)."""
        out: list[int] = []
        while len(out) < size:
            perm = self._permutation()
            take = min(size - len(out), self.n - self.offset)
            out.extend(int(i) for i in perm[self.offset:self.offset + take])
            self.offset += take
            if self.offset == self.n:
                self.epoch, self.offset = self.epoch + 1, 0
        return out

    def state(self) -> dict:
        return {"epoch": self.epoch, "offset": self.offset}

    def restore(self, state: Mapping[str, int]) -> None:
        self.epoch, self.offset = int(state["epoch"]), int(state["offset"])


def rank_slice(indices: Sequence[int], rank: int, world: int) -> list[int]:
    """This rank's share of a global batch (strided, so every rank gets the same count when world divides it)."""
    return list(indices[rank::world])
