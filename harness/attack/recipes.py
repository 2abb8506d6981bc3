"""Named search spaces beyond the op list: `bumblebee` (Tan & Joty 2021), English matrix sentences whose words may be
replaced by their MUSE translations into the other XNLI languages, searched against the model."""

from __future__ import annotations

import dataclasses

from perturb.example import XNLI_LANGS

RECIPES = ("bumblebee",)


class Labelled:
    """An op whose candidates carry another name (lex.codeswitch>de): one op instance per embedded language."""

    def __init__(self, op, label: str):
        self.op, self.name, self.label_map, self.tasks = op, label, op.label_map, op.tasks

    def candidate_edits(self, example, field, rng_key=""):
        return [dataclasses.replace(c, op=self.name) for c in self.op.candidate_edits(example, field, rng_key)]


def bumblebee(task: str, lexicon_dir: str | None) -> tuple[list, str]:
    """lex.codeswitch with `to` = each XNLI language that lexicon_dir has a MUSE file for, and the lexicons' id."""
    from harness.errors import OptionError
    from perturb import registry
    from perturb.ops.lex import _muse as muse

    if task != "xnli":
        raise OptionError("recipe", "bumblebee attacks XNLI (English matrix sentences)")
    if not lexicon_dir:
        raise OptionError("lexicon_dir", "the bumblebee recipe needs --lexicon-dir (MUSE en-<lang>.txt files)")
    found = muse.files(lexicon_dir)
    langs = [x for x in XNLI_LANGS if x != "en" and x in found and muse.supports_lang(x)]
    if not langs:
        raise OptionError("lexicon_dir", f"{lexicon_dir} holds no MUSE file for an XNLI language")
    cls = registry.get("lex.codeswitch")
    ops = []
    for to in langs:
        ops.append(Labelled(cls(rate=0.3, to=to).bind(lexicon_dir=lexicon_dir), f"lex.codeswitch>{to}"))
    ident = "+".join(muse.identity(found[x], x) for x in langs)
    return ops, ident


def check_english(examples) -> None:
    from harness.errors import OptionError

    other = sorted({e.lang for e in examples if e.lang != "en"})
    if other:
        raise OptionError("recipe", f"bumblebee mixes English matrix sentences only; got {', '.join(other)} "
                                    "(give --langs en)")
