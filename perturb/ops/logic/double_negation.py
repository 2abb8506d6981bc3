"""`logic.double_negation`: negate the XNLI hypothesis twice, which preserves its label.

Rules and known failure modes are documented in `perturb.ops._logic_rules`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...core import Params
from ...registry import register
from ._neg import local_negate, template_double, template_negate
from ._rules import LogicOp, compose

MODES = ("template", "mixed")


@dataclass(frozen=True)
class DoubleNegationParams(Params):
    """mode: "template" writes the language's "it is not false that …" frame once (`double_frame`: two stacked
    "it is not true that" frames read as no one writes), stacking the frame twice only where a language has
    none; "mixed" puts the frame around the locally negated sentence ("It is not true that the school is not
    new.")."""

    mode: str = "template"

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")


@register
class DoubleNegation(LogicOp):
    name = "logic.double_negation"
    description = "negate the hypothesis twice (frame twice, or frame around local negation); label preserved"
    Params = DoubleNegationParams
    label_map = None
    resource_key = "template"

    def edit(self, text, *, example, rng):
        lang = example.lang
        premise = example.fields.get("premise", "")
        if self.params.mode == "template":
            double = template_double(text, lang, premise)
            if double is not None:
                return double  # one "not false" frame instead of two stacked frames
            first = lambda t: template_negate(t, lang, premise)  # noqa: E731
        else:
            first = lambda t: local_negate(t, lang)  # noqa: E731
        # The second frame goes before a text that starts with the first frame (or with the locally negated
        # sentence): its first word is lowercased like any other sentence start. The first frame may only be
        # the one written just now (template_negate refuses an input that is already framed).
        template = self.params.mode == "template"
        second = lambda t: template_negate(t, lang, premise, lower_first_word=template, stacked=template)  # noqa: E731
        return compose(text, [first, second])
