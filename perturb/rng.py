"""Derive one independent RNG per (seed, op, params, example id, variant) by hashing, never from global state."""
from __future__ import annotations

import hashlib
import random


class _LazyRandom:
    """A `random.Random` created on first use: most (op, example) pairs of a recipe are decided without
    randomness (not applicable, or a deterministic logic rule), and seeding costs more than the rule."""

    __slots__ = ("_seed", "_rng")

    def __init__(self, seed: int):
        self._seed = seed
        self._rng = None

    def __getattr__(self, name):
        rng = object.__getattribute__(self, "_rng")
        if rng is None:
            rng = random.Random(object.__getattribute__(self, "_seed"))
            self._rng = rng
        return getattr(rng, name)


def derive_rng(seed: int, op_key: str, example_id: str, variant: int) -> random.Random:
    """A `random.Random` whose stream depends only on its arguments, so output is independent of
    processing order, sharding and worker count (and of PYTHONHASHSEED: we hash with blake2b)."""
    material = f"{seed}\x1f{op_key}\x1f{example_id}\x1f{variant}".encode("utf-8")
    digest = hashlib.blake2b(material, digest_size=16).digest()
    # random.Random(int) seeding is specified and stable across CPython versions.
    return _LazyRandom(int.from_bytes(digest, "big"))  # type: ignore[return-value]
