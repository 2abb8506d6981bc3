"""Per-language morphology behind the `morph:` rules of negation.yaml: one module per language, found by name.

Each module exports `LOCAL` (morph name -> function adding a negation: `(rule, text, toks, folded, lang) ->
list[Cand]`) and `DENEGATE` (morph name -> function removing the cue at token i: `(rule, text, toks, folded,
i, lang) -> list[Span] | None`); a rule naming a morph no module exports is an error when negation.yaml is
loaded. `en` and `fr` add the word shapes the template frame needs to find the first word (`CONTRACTION`,
`ELISION`).
"""
from __future__ import annotations

from types import MappingProxyType

from . import ar, de, en, fr, sw, th, tr, zh

MODULES = MappingProxyType({"ar": ar, "de": de, "en": en, "fr": fr, "sw": sw, "th": th, "tr": tr, "zh": zh})
LOCAL = MappingProxyType({name: fn for module in MODULES.values() for name, fn in module.LOCAL.items()})
DENEGATE = MappingProxyType({name: fn for module in MODULES.values() for name, fn in module.DENEGATE.items()})


def contraction(lang: str):
    """The language's contraction shape (a first chunk that is a word and a clitic), or None."""
    return getattr(MODULES.get(lang), "CONTRACTION", None)


def elision(lang: str):
    """The language's elided-first-word shape (the clitic and its apostrophe, then the word), or None."""
    return getattr(MODULES.get(lang), "ELISION", None)
