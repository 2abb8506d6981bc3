"""Derive one independent RNG per (seed, op, params, example id, variant) by hashing, never from global state."""
from __future__ import annotations

import hashlib
import random


def derive_rng(seed: int, op_key: str, example_id: str, variant: int) -> random.Random:
    """A `random.Random` whose stream depends only on its arguments, so output is independent of
    processing order, sharding and worker count (and of PYTHONHASHSEED: we hash with blake2b)."""
    material = f"{seed}\x1f{op_key}\x1f{example_id}\x1f{variant}".encode("utf-8")
    digest = hashlib.blake2b(material, digest_size=16).digest()
    # random.Random(int) seeding is specified and stable across CPython versions.
    return random.Random(int.from_bytes(digest, "big"))
