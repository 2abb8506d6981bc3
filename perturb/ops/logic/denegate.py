"""`logic.denegate`: remove the single negation of the XNLI hypothesis (a template frame or a negation marker).

Rules and known failure modes are documented in `perturb.ops._logic_rules`.
"""
from __future__ import annotations

from ...core import xnli_label_map
from ...registry import register
from ._neg import denegate
from ._rules import STRICT_FLIP_MAP, LogicOp


@register
class Denegate(LogicOp):
    name = "logic.denegate"
    description = ("remove the hypothesis's only negation (ambiguous cases skipped); entailment -> contradiction, "
                   "contradiction dropped")
    label_map = xnli_label_map(STRICT_FLIP_MAP)
    resource_key = "template"  # frame removal works wherever the frame exists; cue rules are extra

    def edit(self, text, *, example, rng):
        return denegate(text, example.lang)
