"""Derive one independent RNG per (seed, op, params, example id, variant) by hashing, never from global state."""
from __future__ import annotations

import hashlib
import random

# The C generator under random.Random (its seed() is what random.Random.seed ends in for an int).
_C = random.Random.__mro__[1]


class _SeededRandom(random.Random):
    """What a _LazyRandom becomes once seeded: a plain `random.Random` (no per-call overhead)."""


class _LazyRandom(random.Random):
    """A `random.Random` seeded on first use: most (op, example) pairs of a recipe are decided without
    randomness (not applicable, or a deterministic logic rule), and seeding costs more than the rule.

    Every entry point that reads the generator's state seeds it (with the same C call `random.Random(n)`
    makes, so the stream is exactly that of `random.Random(n)`: tests compare them) and turns the object
    into a _SeededRandom, whose methods are random.Random's own. (The previous wrapper forwarded every
    call through __getattr__, which cost more than the draws.)"""

    def __init__(self, seed: int):  # deliberately no super().__init__(): that would seed now
        self._seed = seed
        self.gauss_next = None

    # Each calls the C method directly: callers such as sample() bind `self.getrandbits` once, before the
    # first draw, so this method keeps being called after the object has turned into a _SeededRandom.
    def random(self):
        _seeded(self)
        return _C.random(self)

    def getrandbits(self, k):
        _seeded(self)
        return _C.getrandbits(self, k)

    def randbytes(self, n):
        _seeded(self)
        return random.Random.randbytes(self, n)

    def getstate(self):
        _seeded(self)
        return random.Random.getstate(self)

    def setstate(self, state):
        self.__class__ = _SeededRandom
        random.Random.setstate(self, state)

    def seed(self, a=None, version=2):
        self.__class__ = _SeededRandom
        random.Random.seed(self, a, version)


def _seeded(r: random.Random) -> None:
    # A function, not a method: it is also reached through methods bound before the class changed.
    if type(r) is _LazyRandom:
        _C.seed(r, r._seed)
        r.__class__ = _SeededRandom


def derive_rng(seed: int, op_key: str, example_id: str, variant: int) -> random.Random:
    """A `random.Random` whose stream depends only on its arguments, so output is independent of
    processing order, sharding and worker count (and of PYTHONHASHSEED: we hash with blake2b)."""
    material = f"{seed}\x1f{op_key}\x1f{example_id}\x1f{variant}".encode("utf-8")
    digest = hashlib.blake2b(material, digest_size=16).digest()
    # random.Random(int) seeding is specified and stable across CPython versions.
    return _LazyRandom(int.from_bytes(digest, "big"))
