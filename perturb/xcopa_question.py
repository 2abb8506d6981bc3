"""XCOPA's question fix: the cross-language majority `question` (cause/effect) of each parallel item, from a shipped table.

The official XCOPA files disagree across languages on the question of the same item (Thai is "effect" on every
row, Turkish has 301 "effect" on test where the other languages have 250), and prompts are built from it. The
table (resources/xcopa/question_majority.tsv, with its provenance) holds the majority over the 11 languages; it
is applied only to a file it identifies: every idx of the split present, each with the table's label.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources as importlib_resources

MAJORITY, AS_IS = "majority", "as-is"
MODES = (MAJORITY, AS_IS)


@functools.lru_cache(maxsize=None)
def table(split: str) -> dict[int, tuple[str, int]]:
    """idx -> (majority question, label) of the official XCOPA ``split`` (val or test); empty for others."""
    text = (importlib_resources.files("perturb") / "resources" / "xcopa" / "question_majority.tsv").read_text(
        encoding="utf-8")
    out: dict[int, tuple[str, int]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("split\t"):
            continue
        s, idx, question, label = line.split("\t")
        if s == split:
            out[int(idx)] = (question, int(label))
    return out


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"xcopa question mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def questions_for(split: str, items: Iterable[tuple[int, int]], mode: str = MAJORITY) -> dict[int, str] | None:
    """The idx -> question map to apply to a file whose (idx, label) pairs are ``items``, or None (leave as is).

    None for ``as-is``, and for any file that is not the official split (an idx missing or extra, a label that
    differs): its items are not the ones the table describes.
    """
    if check_mode(mode) == AS_IS:
        return None
    ref = table(split)
    seen = dict(items)
    if not ref or len(seen) != len(ref) or any(ref.get(i, (None, None))[1] != lab for i, lab in seen.items()):
        return None
    return {i: q for i, (q, _) in ref.items()}


def report(mode: str, fix: dict[int, str] | None, questions: Iterable[tuple[int, str]]) -> dict:
    """What the fix did to one language's file, for the manifest: {"qfix", "changed", "cause", "effect"}.

    ``qfix`` is the mode when applied, "unmatched" when the file is not the official split (nothing changed).
    """
    changed = cause = effect = 0
    for idx, q in questions:
        new = fix.get(idx, q) if fix is not None else q
        changed += new != q
        cause += new == "cause"
        effect += new == "effect"
    qfix = mode if fix is not None or mode == AS_IS else "unmatched"
    return {"qfix": qfix, "changed": changed, "cause": cause, "effect": effect}
