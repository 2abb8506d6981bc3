"""derive_rng: its lazily seeded generator gives exactly random.Random(n)'s stream, whatever is called first."""
from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perturb.rng import derive_rng

CALLS = {
    "random": lambda r: r.random(),
    "sample": lambda r: r.sample(range(40), 5),
    "sample_all": lambda r: r.sample(range(3), 3),
    "choice": lambda r: r.choice("abcdefg"),
    "shuffle": lambda r: (lambda xs: (r.shuffle(xs), xs)[1])(list(range(9))),
    "randrange": lambda r: r.randrange(1000),
    "randint": lambda r: r.randint(-5, 5),
    "uniform": lambda r: r.uniform(1, 2),
    "gauss": lambda r: r.gauss(0, 1),
    "choices": lambda r: r.choices("abc", k=4),
    "randbytes": lambda r: r.randbytes(5),
    "getrandbits": lambda r: r.getrandbits(70),
    "getstate": lambda r: r.getstate(),
}


def _reference(seed, op_key, example_id, variant) -> random.Random:
    material = f"{seed}\x1f{op_key}\x1f{example_id}\x1f{variant}".encode("utf-8")
    return random.Random(int.from_bytes(hashlib.blake2b(material, digest_size=16).digest(), "big"))


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), example_id=st.text(max_size=20), variant=st.integers(0, 5),
       calls=st.lists(st.sampled_from(sorted(CALLS)), min_size=1, max_size=6))
def test_stream_is_random_Random_of_the_hash(seed, example_id, variant, calls):
    ours, ref = derive_rng(seed, "char.swap|rate:0.1", example_id, variant), _reference(
        seed, "char.swap|rate:0.1", example_id, variant)
    for name in calls:
        assert CALLS[name](ours) == CALLS[name](ref), name
    assert ours.getstate() == ref.getstate()


def test_inputs_separate_streams():
    draws = {derive_rng(s, k, i, v).random() for s in (1, 2) for k in ("a", "b") for i in ("x", "y") for v in (0, 1)}
    assert len(draws) == 16


@pytest.mark.parametrize("first", ["setstate", "seed"])
def test_reseeding_before_first_draw(first):
    r = derive_rng(1, "op", "id", 0)
    if first == "setstate":
        r.setstate(random.Random(7).getstate())
    else:
        r.seed(7)
    assert r.random() == random.Random(7).random()
