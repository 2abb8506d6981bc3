"""The text a logic negation engine (perturb.ops.logic._neg) makes of a hypothesis, for the audit-pattern tests."""
from __future__ import annotations

from perturb.core import DROPPED, apply_spans


def edit(fn, text, lang, *args):
    """The new text a negation engine gives, or None when it declines (not applicable or dropped)."""
    spans = fn(text, lang, *args)
    if spans is None or spans is DROPPED:
        return None
    return apply_spans(text, "hypothesis", spans)[0]
