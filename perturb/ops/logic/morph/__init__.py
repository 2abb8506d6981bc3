"""Per-language morphology behind the `morph:` rules of negation.yaml: one module per language, found by name.

Each module (`ar`, `de`, `sw`, `th`, `tr`, `zh`) exports `LOCAL` (morph name -> function adding a negation:
`(rule, text, toks, folded, lang) -> list[Cand]`) and `DENEGATE` (morph name -> function removing the cue at
token i: `(rule, text, toks, folded, i, lang) -> list[Span] | None`). A rule naming a morph no module
exports is an error when negation.yaml is loaded.
"""
from __future__ import annotations

from types import MappingProxyType

from . import ar, de, sw, th, tr, zh

MODULES = MappingProxyType({"ar": ar, "de": de, "sw": sw, "th": th, "tr": tr, "zh": zh})
LOCAL = MappingProxyType({name: fn for module in MODULES.values() for name, fn in module.LOCAL.items()})
DENEGATE = MappingProxyType({name: fn for module in MODULES.values() for name, fn in module.DENEGATE.items()})
