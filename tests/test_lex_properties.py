"""Property tests of the lex ops on sentences built from real sample words with numbers, punctuation, names and
other scripts mixed in: only the target field changes, the text outside the edits is byte-identical, every edit
replaces whole words, the same seed gives the same output, and the label is kept."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perturb import registry, segment
from perturb.core import Perturbed
from perturb.example import Example
from perturb.loaders import load
from perturb.rng import derive_rng
from test_contract import make_op

LEX_OPS = [n for n in registry.names() if n.startswith("lex.")]
EXTRA = ["1998", "3.14", "Maria", "Straße", "中文", "ไม่", "हिंदी", "كتاب", "ёлка", "👍🏽", ",", ".", "!", "(", ")", "«", "»"]


@lru_cache(maxsize=None)
def vocabulary(lang: str) -> tuple[str, ...]:
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "data" / "xnli"
    exs = load(task="xnli", data=data, split="test", langs=[lang])[lang]
    return tuple(sorted({t.text for ex in exs for t in segment.words(ex.fields["hypothesis"], lang)}))


@lru_cache(maxsize=None)
def op_of(name: str):
    return make_op(registry.get(name))


def langs_of(name: str) -> list[str]:
    return sorted(registry.get(name).languages("xnli"))


@pytest.mark.parametrize("name", LEX_OPS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_edits_are_whole_words_and_everything_else_is_untouched(name, data):
    lang = data.draw(st.sampled_from(langs_of(name)), label="lang")
    pieces = data.draw(st.lists(st.one_of(st.sampled_from(vocabulary(lang)), st.sampled_from(EXTRA)),
                                min_size=1, max_size=14), label="pieces")
    joiner = "" if lang in ("zh", "th") else " "
    text = unicodedata.normalize("NFC", joiner.join(pieces))
    premise = "Ein unveränderter Satz, 12 Wörter."
    ex = Example(f"xnli/test/{lang}/000007", "xnli", lang, {"premise": premise, "hypothesis": text}, "neutral")
    op = op_of(name)
    seed = data.draw(st.integers(0, 2**16), label="seed")
    first = op.apply(ex, derive_rng(seed, name, ex.id, 0), fields=["hypothesis"])
    assert op.apply(ex, derive_rng(seed, name, ex.id, 0), fields=["hypothesis"]) == first
    if first is None:
        return
    assert isinstance(first, Perturbed)
    new = first.example
    assert new.fields["premise"] == premise and new.label == ex.label == first.orig_label
    word_spans = {(t.start, t.end) for t in segment.words(text, lang)}
    rebuilt, pos = [], 0
    for e in sorted(first.edits, key=lambda e: e.start):
        assert e.field == "hypothesis" and e.start >= pos
        assert (e.start, e.end) in word_spans, f"{name} edited {e.before!r}, which is not one word"
        assert text[e.start:e.end] == e.before != e.after
        rebuilt += [text[pos:e.start], e.after]
        pos = e.end
    rebuilt.append(text[pos:])
    assert "".join(rebuilt) == new.fields["hypothesis"]
    assert unicodedata.is_normalized("NFC", new.fields["hypothesis"])
    # A space is only added where a replacement would touch a letter of another script: never doubled.
    assert new.fields["hypothesis"].count("  ") <= text.count("  ")
