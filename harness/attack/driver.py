"""Runs every example's search in lockstep: each round, the variants all active examples ask for go into ONE
scoring call (length-sorted token-budget batches, dedup, SQLite cache), so a killed attack resumes from the cache."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from harness.labels import gold_index

from . import search
from . import space as sp
from .constraints import Constraints


@dataclass
class Round:
    """Progress of one round: how many examples are still searching and how many inputs were asked."""

    number: int
    active: int
    asked: int


def make_probe(space: sp.Space, task: str, constraints: Constraints) -> search.Probe:
    gold = gold_index(task, space.example.label)
    return search.Probe(space, gold, constraints.budget, constraints.max_words(space.n_words))


def searcher(probe: search.Probe, method: str, *, beam: int, seed: int):
    if method == "greedy":
        return search.greedy(probe, 1)
    if method == "beam":
        return search.greedy(probe, beam)
    if method == "random":
        return search.random_search(probe, seed)
    raise ValueError(f"unknown search {method!r}")


def run_lockstep(gens: Sequence, score: Callable[[list], np.ndarray], *,
                 on_round: Callable[[Round], None] | None = None) -> list:
    """Drive the generators to completion; returns each one's result, in order."""
    results: list = [None] * len(gens)
    pending: dict[int, list] = {}
    for i, g in enumerate(gens):
        _advance(i, g, None, pending, results)
    n = 0
    while pending:
        order = sorted(pending)
        flat = [ex for i in order for ex in pending[i]]
        probs = score(flat) if flat else np.zeros((0, 0))
        n += 1
        if on_round is not None:
            on_round(Round(n, len(order), len(flat)))
        pos = 0
        asked, pending = pending, {}
        for i in order:
            k = len(asked[i])
            _advance(i, gens[i], probs[pos:pos + k], pending, results)
            pos += k
    return results


def _advance(i: int, gen, value, pending: dict, results: list) -> None:
    try:
        pending[i] = gen.send(value) if value is not None else next(gen)
    except StopIteration as stop:
        results[i] = stop.value
