"""Candidate enumeration for model-in-the-loop search: the deterministic single edits an op could make in a field.

An op's sampling path (`apply`, what `xstress perturb` writes) never calls anything here, so its bytes do not
change. A *candidate* is one edit an op could make at one word (or, for a whole-field op such as
logic.distract, once per field), recorded as edit spans against the original text, so that a search can
compose candidates at different words and the result is still a set of the op's own edits.

How each op enumerates (all deterministic in (rng_key, op, example id, field)):
- char ops (`WordOp`): every eligible word, through the op's own per-word edit (`touch`) under PER_WORD derived
  generators; distinct results are kept.
- ops with an explicit per-word option list (lex.inflect, lex.translit) list their options word by word.
- any other op: its own `edit_field`, with the rate lowered so exactly one unit is touched, under derived
  generators (3 per word of the field, at most MAX_SAMPLED); a deterministic whole-field op gives one candidate.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Iterable, Sequence

from .core import DROPPED, Edit, Span, apply_spans
from .rng import derive_rng

PER_WORD = 4          # generator draws per eligible word for ops that pick a typo at random inside a word
SAMPLES_PER_WORD = 3  # draws per word of the field for ops enumerated through their sampling path
MAX_SAMPLED = 96
ONE_UNIT_RATE = 1e-9  # n_to_touch rounds any positive rate up to one unit


@dataclass(frozen=True)
class Candidate:
    """One single edit of one op in one field: its edit spans against the original field text.

    `start`/`end` is the region of the original field the edits cover; two candidates compose when their
    regions (in the same field) do not overlap."""

    op: str
    field: str
    start: int
    end: int
    edits: tuple[Edit, ...]

    def key(self) -> tuple:
        return (self.field, self.start, self.end, tuple((e.start, e.end, e.after) for e in self.edits))


def derive(rng_key: str, op: str, example_id: str, field: str, j: int):
    """The generator of draw j of `op` on one field: a function of its arguments only."""
    return derive_rng(0, f"candidates\x1f{rng_key}\x1f{op}", f"{example_id}\x1f{field}", j)


def from_spans(op: str, field: str, text: str, spans: Sequence[Span] | None) -> Candidate | None:
    """The candidate the spans make (None when they change nothing)."""
    if not spans or spans is DROPPED:
        return None
    _, edits = apply_spans(text, field, spans)
    if not edits:
        return None
    return Candidate(op, field, min(e.start for e in edits), max(e.end for e in edits), tuple(edits))


def unique(cands: Iterable[Candidate | None]) -> list[Candidate]:
    """Candidates without None and duplicates, in first-seen order."""
    out, seen = [], set()
    for c in cands:
        if c is None or c.key() in seen:
            continue
        seen.add(c.key())
        out.append(c)
    return out


def one_unit(op):
    """A copy of `op` that touches exactly one unit per field (rate ops), or `op` itself (no rate)."""
    if not any(f.name == "rate" for f in dataclasses.fields(op.params)):
        return op
    new = copy.copy(op)  # keeps bound resources (lexicons, parallel text, a masked LM)
    new.params = dataclasses.replace(op.params, rate=ONE_UNIT_RATE)
    return new


def sampled(op, example, field: str, rng_key: str, name: str) -> list[Candidate]:
    """Candidates from the op's own `edit_field` at one unit per draw (the generic enumeration)."""
    from . import segment

    text = example.fields[field]
    single = one_unit(op)
    tries = 1
    if single is not op:
        tries = min(MAX_SAMPLED, SAMPLES_PER_WORD * max(1, len(segment.words(text, example.lang))))
    out = []
    for j in range(tries):
        spans = single.edit_field(text, field=field, example=example, rng=derive(rng_key, name, example.id, field, j))
        out.append(from_spans(name, field, text, spans))
    return unique(out)


def per_word(words: Sequence, edit, example, field: str, rng_key: str, name: str, draws: int = PER_WORD):
    """Candidates from a per-word edit function `edit(word, rng) -> spans`, `draws` draws per word."""
    text = example.fields[field]
    out = []
    for i, w in enumerate(words):
        rng = derive(rng_key, name, example.id, field, i)  # one generator per word, drawn from `draws` times
        for _ in range(draws):
            out.append(from_spans(name, field, text, edit(w, rng)))
    return unique(out)


def compose(text: str, field: str, cands: Sequence[Candidate]) -> tuple[str, list[Edit]]:
    """The field text with the candidates' edits applied together (regions must not overlap)."""
    spans = [Span(e.start, e.end, e.after) for c in cands for e in c.edits]
    return apply_spans(text, field, spans)


def overlaps(a: Candidate, b: Candidate) -> bool:
    """Whether two candidates touch the same region of the same field (they cannot be composed)."""
    if a.field != b.field:
        return False
    if a.start == a.end or b.start == b.end:  # insertions: only the same point, or strictly inside the other
        return a.start < b.end and b.start < a.end or a.start == b.start
    return a.start < b.end and b.start < a.end
