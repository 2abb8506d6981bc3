"""Exports `xstress attack`'s search space (words and candidate single edits per word) as JSON, so TextAttack,
running in its own environment that cannot import xstress, searches exactly the same candidates.

One record per example:
  id, lang, premise, hypothesis, gold (index in XNLI_LABELS order),
  words: {"premise": [[start, end], ...], "hypothesis": [[start, end], ...]}  (xstress's segmenter),
  positions: [{"word": w, "cands": [new word text, ...]}, ...]  (hypothesis words with candidates, text order),
  conflicts: [[[p, c], [q, d]], ...]  (pairs of candidates, by position and candidate index, whose composition
             `xstress attack` refuses because it breaks a grapheme cluster across a word boundary),
  max_words, n_words  (the edited-word cap of the constraints).
A candidate is the word's text with the candidate's edits applied: every char-op candidate edits inside one word
(an insertion may sit at its edges), so replacing that word and keeping the text between words as it is gives
exactly the text `harness.attack.space.variant` builds. `check_record` verifies that for every candidate.
"""
from __future__ import annotations

from itertools import combinations

import common  # noqa: F401 - puts the repo root on sys.path


def build_spaces(examples, ops: tuple[str, ...], *, max_share: float, seed: int):
    """xstress attack's own search spaces (same ops, fields, rng key) and edited-word caps."""
    from harness.attack import space as sp
    from harness.attack.constraints import Constraints
    from harness.attack.run import resolve_ops

    c = Constraints(max_share=max_share, ops=ops)
    op_objs = resolve_ops("xnli", ops)
    fields = sp.resolve_fields("xnli", None)
    if fields != ("hypothesis",):
        raise RuntimeError(f"the export assumes xstress attacks the XNLI hypothesis only, not {fields}")
    out = []
    for ex in examples:
        space = sp.build_space(ex, op_objs, fields, f"seed:{seed}")
        out.append((space, c.max_words(space.n_words)))
    return out


def export_record(space, max_words: int) -> dict:
    """The JSON record of one example's search space (see the module docstring)."""
    from harness.attack import space as sp
    from harness.labels import gold_index
    from perturb import segment
    from perturb.candidates import compose

    ex = space.example
    words = {f: [[w.start, w.end] for w in segment.words(ex.fields[f], ex.lang)] for f in ("premise", "hypothesis")}
    hyp = ex.fields["hypothesis"]
    positions = []
    for pos in space.positions:
        if pos.word < 0 or pos.field != "hypothesis":
            raise RuntimeError(f"{ex.id}: a whole-field or non-hypothesis position cannot be a word swap")
        cands = []
        for c in pos.cands:
            new_text, _ = compose(hyp, "hypothesis", [c])
            # The edit stays inside the word: what is left and right of it is unchanged.
            tail = len(hyp) - pos.end
            if new_text[:pos.start] != hyp[:pos.start] or new_text[len(new_text) - tail:] != hyp[pos.end:]:
                raise RuntimeError(f"{ex.id}: candidate {c} edits outside word {pos.word}")
            cands.append(new_text[pos.start:len(new_text) - tail])
        positions.append({"word": pos.word, "cands": cands})
    conflicts = []
    if max_words >= 2:
        flat = [(p, k, c) for p, pos in enumerate(space.positions) for k, c in enumerate(pos.cands)]
        for (p, k, a), (q, d, b) in combinations(flat, 2):
            if p == q:
                continue  # one word is edited once (TextAttack: RepeatModification)
            state = sp.extend(space, (a,), b, 2)
            if state is None or sp.variant(space, state) is None:
                conflicts.append([[p, k], [q, d]])
    return {"id": ex.id, "lang": ex.lang, "premise": ex.fields["premise"], "hypothesis": hyp,
            "gold": gold_index("xnli", ex.label), "words": words, "positions": positions, "conflicts": conflicts,
            "max_words": max_words, "n_words": space.n_words}


def apply_record(rec: dict, chosen: dict[int, int]) -> str:
    """The hypothesis with candidate chosen[p] applied at position p (what the TextAttack side builds)."""
    hyp, spans = rec["hypothesis"], rec["words"]["hypothesis"]
    by_word = {rec["positions"][p]["word"]: rec["positions"][p]["cands"][k] for p, k in chosen.items()}
    out, at = [], 0
    for w, (s, e) in enumerate(spans):
        out.append(hyp[at:s])
        out.append(by_word.get(w, hyp[s:e]))
        at = e
    out.append(hyp[at:])
    return "".join(out)


def check_record(space, rec: dict) -> None:
    """Every exported candidate, applied by word replacement, gives the text xstress's own variant() gives."""
    from harness.attack import space as sp

    for p, pos in enumerate(space.positions):
        for k, c in enumerate(pos.cands):
            made = sp.variant(space, (c,))
            if made is None or apply_record(rec, {p: k}) != made[0].fields["hypothesis"]:
                raise AssertionError(f"{rec['id']}: position {p} candidate {k} does not round-trip")


def export(examples, ops: tuple[str, ...], *, max_share: float, seed: int) -> list[dict]:
    recs = []
    for space, max_words in build_spaces(examples, ops, max_share=max_share, seed=seed):
        rec = export_record(space, max_words)
        check_record(space, rec)
        recs.append(rec)
    return recs
