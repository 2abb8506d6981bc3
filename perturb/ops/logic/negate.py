"""`logic.negate`: negate the XNLI hypothesis with a per-language frame or the language's own negation marker.

Rules and known failure modes of both modes are documented in `perturb.ops._logic_rules`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...core import Params, xnli_label_map
from ...registry import register
from ._neg import local_negate, template_negate
from ._rules import FLIP_MAP, STRICT_FLIP_MAP, LogicOp

MODES = ("template", "local")


@dataclass(frozen=True)
class NegateParams(Params):
    """mode: "template" puts an "it is not true that" frame before the sentence (word order untouched);
    "local" puts the negation marker at the finite verb or copula where the language's rules find one."""

    mode: str = "template"

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")


@register
class Negate(LogicOp):
    name = "logic.negate"
    description = "negate the hypothesis (template frame or local verb negation); entailment <-> contradiction"
    Params = NegateParams
    label_map = xnli_label_map(FLIP_MAP)  # the template default; instances carry their own
    resource_key = "template"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Local negation drops contradiction -> entailment (STRICT_FLIP_MAP: a pragmatic contradiction's
        # negation is not entailed); the template frame keeps it. `xstress ls --recipe` shows each entry's map.
        if self.params.mode == "local":
            self.label_map = xnli_label_map(STRICT_FLIP_MAP)

    def edit(self, text, *, example, rng):
        if self.params.mode == "template":
            return template_negate(text, example.lang, example.fields.get("premise", ""))
        return local_negate(text, example.lang)
