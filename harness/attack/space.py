"""An example's search space: the candidates of every allowed op, grouped by the word (position) they edit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from perturb import registry, segment
from perturb.candidates import Candidate, compose, overlaps
from perturb.example import DEFAULT_TARGET_FIELDS, TASK_FIELDS, Example
from perturb.ops.char._common import broken_clusters


@dataclass(frozen=True)
class Position:
    """The candidates that edit one word of one field (`word` = its index), or one whole-field rewrite
    (`word` = -1: logic.distract / logic.double_negation, which the word-importance ranking tries last)."""

    field: str
    word: int
    start: int
    end: int
    cands: tuple[Candidate, ...]


class Space:
    """An example's editable fields and their word count, and its positions: the candidates, built on first use
    (the costly part of an attack's own work), so an example whose clean input the model already gets wrong, or
    that runs out of budget before its search starts, never pays for them."""

    def __init__(self, example: Example, fields: tuple[str, ...], n_words: int, ops=(), rng_key: str = ""):
        self.example, self.fields, self.n_words = example, fields, n_words  # n_words: the edited share's denominator
        self._ops, self._rng_key = ops, rng_key

    @cached_property
    def positions(self) -> tuple[Position, ...]:
        return _positions(self.example, self._ops, self.fields, self._rng_key)


def default_ops() -> tuple[str, ...]:
    """Every registered label-preserving op that needs no external resource (lexicons, a masked LM)."""
    out = []
    for name in registry.names():
        cls = registry.get(name)
        if cls.label_map is None and not cls.requires and cls().label_map is None:
            out.append(name)
    return tuple(out)


def resolve_fields(task: str, fields) -> tuple[str, ...]:
    """The editable fields: the task's defaults, or the given ones (text fields of the task only)."""
    from harness.errors import OptionError

    if not fields:
        return DEFAULT_TARGET_FIELDS[task]
    allowed = [f for f in TASK_FIELDS[task] if f != "question"]
    bad = [f for f in fields if f not in allowed]
    if bad:
        raise OptionError("fields", f"{', '.join(bad)} not a text field of {task}; choose from {', '.join(allowed)}")
    return tuple(f for f in allowed if f in fields)


def build_space(example: Example, ops, fields: tuple[str, ...], rng_key: str) -> Space:
    """The space of `ops` (instances) in `fields`; its candidates are made when `positions` is first read."""
    return Space(example, fields, sum(len(segment.words(example.fields[f], example.lang)) for f in fields), ops,
                 rng_key)


def _positions(example: Example, ops, fields: tuple[str, ...], rng_key: str) -> tuple[Position, ...]:
    """Candidates of `ops` in `fields`, grouped per word in text order, whole-field rewrites last."""
    positions = []
    for field in fields:
        text = example.fields[field]
        words = segment.words(text, example.lang)
        by_word: dict[int, list[Candidate]] = {}
        for op in ops:
            for c in op.candidate_edits(example, field, rng_key):
                by_word.setdefault(_word_of(c, words), []).append(c)
        for w in sorted(k for k in by_word if k >= 0):
            positions.append(Position(field, w, words[w].start, words[w].end, tuple(by_word[w])))
        if -1 in by_word:
            positions.append(Position(field, -1, 0, len(text), tuple(by_word[-1])))
    word_level = [p for p in positions if p.word >= 0]
    return tuple(word_level + [p for p in positions if p.word < 0])


def _word_of(c: Candidate, words) -> int:
    """Index of the word whose span holds the candidate's region (an insertion may sit at its edges), or -1."""
    for i, w in enumerate(words):
        if w.start <= c.start and c.end <= w.end:
            return i
    return -1


def extend(space: Space, state: tuple[Candidate, ...], cand: Candidate, max_words: int) -> tuple | None:
    """`state` with `cand` added, or None when they overlap, or it would edit more than max_words positions."""
    if cand in state or any(overlaps(cand, c) for c in state) or len(state) + 1 > max_words:
        return None
    return tuple(sorted(state + (cand,), key=lambda c: (space.fields.index(c.field), c.start, c.end)))


def variant(space: Space, state: tuple[Candidate, ...]) -> tuple[Example, list] | None:
    """The example with the state's edits applied and its edits (None when the composition breaks a cluster)."""
    ex = space.example
    new_fields, edits = {}, []
    for field in space.fields:
        mine = [c for c in state if c.field == field]
        if not mine:
            continue
        text, field_edits = compose(ex.fields[field], field, mine)
        if len(mine) > 1 and broken_clusters(ex.fields[field], text, field_edits):
            return None  # two edits that are fine alone fuse across a word boundary (no-space scripts)
        new_fields[field] = text
        edits.extend(field_edits)
    return ex.replace(fields=new_fields), edits


def deleted(space: Space, pos: Position) -> Example:
    """The example with the word at `pos` removed (leave-one-out importance), with one adjacent space."""
    text = space.example.fields[pos.field]
    start, end = pos.start, pos.end
    if end < len(text) and text[end] == " ":
        end += 1
    elif start > 0 and text[start - 1] == " ":
        start -= 1
    return space.example.replace(fields={pos.field: text[:start] + text[end:]})
