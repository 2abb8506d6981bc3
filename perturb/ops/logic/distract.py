"""`logic.distract`: append a Naik et al. (2018) tautology distractor to the XNLI hypothesis, label preserved.

Rules and known failure modes are documented in `perturb.ops._logic_rules`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...core import Params, Span
from ...registry import register
from ._rulebook import distractor_rules
from ._rules import LogicOp, final_punct_start, is_question

KINDS = ("overlap", "negation")


@dataclass(frozen=True)
class DistractParams(Params):
    """kind: "overlap" appends "and true is true" (word-overlap distractor), "negation" appends
    "and false is not true" (negation-word distractor), each in the example's language."""

    kind: str = "overlap"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")


@register
class Distract(LogicOp):
    name = "logic.distract"
    description = "append a tautology ('and true is true' / 'and false is not true') to the hypothesis"
    Params = DistractParams
    label_map = None
    resource_kind = "distractors"
    editable_fields = {"xnli": ("premise", "hypothesis")}  # a tautology changes neither side's meaning

    @classmethod
    def default_fields(cls, task):
        return ("hypothesis",) if task == "xnli" else ()

    def edit(self, text, *, example, rng):
        if not text.strip() or is_question(text, example.lang):
            return None  # "…, right, and false is not true?": a tautology joined onto a question reads as no one writes
        phrase = distractor_rules(example.lang).phrase(self.params.kind)
        pos = final_punct_start(text.rstrip())
        return [Span(pos, pos, phrase)]
