"""What the negation engine and the per-language morphology modules share: a candidate edit and word helpers."""
from __future__ import annotations

from ....core import Span

# Clause punctuation: a comma, colon or dash before the verb or a second clause after it blocks an edit.
COMMAS = frozenset({",", "،", "、", "，", ";", "؛", ":", "—", "–"})


class Cand:
    """One place local negation could edit: the token index that orders candidates, and the spans."""

    __slots__ = ("index", "spans")

    def __init__(self, index: int, spans: list[Span]):
        self.index = index
        self.spans = spans


def with_case(repl: str, original: str) -> str:
    """repl with original's capital first letter (a sentence-initial word keeps its capital)."""
    if original[:1].isupper() and repl[:1].islower():
        return repl[:1].upper() + repl[1:]
    return repl


def last_word(toks) -> int | None:
    """Index of the last word token, or None."""
    for j in range(len(toks) - 1, -1, -1):
        if toks[j].is_word:
            return j
    return None
