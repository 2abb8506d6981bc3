"""char.swap at the start of a capitalised word keeps the capital first ("Upnkuqa", never "uPnkuqa")."""
from __future__ import annotations

import random

import pytest

from perturb import registry
from perturb.example import Example
from perturb.ops.char.swap import _keep_capital


@pytest.mark.parametrize("a,b,lang,expected", [
    ("P", "u", "qu", "Up"), ("М", "о", "ru", "Ом"), ("D", "i", "de", "Id"),
    ("K", "ı", "tr", "Ik"), ("K", "i", "tr", "İk"), ("I", "s", "tr", "Sı"), ("K", "i", "en", "Ik"),
    ("a", "b", "en", "ba"),      # no capital: the plain swap
    ("S", "ß", "de", "ßS"),      # ß has no one-letter capital: the plain swap
])
def test_keep_capital(a, b, lang, expected):
    assert _keep_capital(a, b, lang) == expected


def test_swap_never_writes_a_lowercase_letter_before_a_capital():
    op = registry.get("char.swap")(rate=1.0)
    ex = Example("xcopa/t/qu/000001", "xcopa", "qu",
                 {"premise": "Punkuqa kicharqa", "choice1": "Warmiqa", "choice2": "Qharim", "question": "cause"}, 0)
    seen = set()
    for k in range(40):
        res = op.apply(ex, random.Random(k), fields=("premise",))
        if res is None:
            continue
        first = res.example.fields["premise"].split()[0]
        seen.add(first)
        assert not (first[0].islower() and first[1].isupper()), first
    assert "Upnkuqa" in seen
