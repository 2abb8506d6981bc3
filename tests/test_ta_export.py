"""benchmarks/ta_export.py: the candidate table TextAttack searches in the attack benchmark is exactly `xstress
attack`'s search space (same candidates per word, same texts when applied alone or composed), and survives JSON."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import ta_export

from harness.attack import space as sp
from perturb import registry, segment
from perturb.candidates import compose
from perturb.loaders import load
from perturb.sample import sample_data_dir


def sample_examples(per_lang: int = 2):
    by_lang = load(task="xnli", data=str(sample_data_dir() / "xnli"), split="test", langs="all")
    return [ex for lang in sorted(by_lang) for ex in by_lang[lang][:per_lang]]


def test_export_is_xstress_attacks_search_space_and_round_trips_through_json():
    exs = sample_examples()
    assert len({ex.lang for ex in exs}) >= 10  # scripts with and without spaces, combining marks
    recs = json.loads(json.dumps(ta_export.export(exs, ("char.keyboard",), max_share=0.2, seed=13),
                                 ensure_ascii=False))
    op = registry.get("char.keyboard")()
    n = 0
    for ex, rec in zip(exs, recs):
        hyp = ex.fields["hypothesis"]
        assert rec["id"] == ex.id and rec["hypothesis"] == hyp
        assert rec["words"]["hypothesis"] == [[w.start, w.end] for w in segment.words(hyp, ex.lang)]
        # Every candidate, applied through the table, is one of the op's own candidate edits, and all of them are
        # there (the op's edits of words, deduplicated per word as the search space keeps them).
        table = {ta_export.apply_record(rec, {p: k}) for p, pos in enumerate(rec["positions"])
                 for k in range(len(pos["cands"]))}
        own = {compose(hyp, "hypothesis", [c])[0] for c in op.candidate_edits(ex, "hypothesis", "seed:13")}
        assert table == own
        n += len(table)
        # Two candidates at different words compose to the text xstress's own variant() builds.
        space = sp.build_space(ex, [op], ("hypothesis",), "seed:13")
        if len(space.positions) >= 2:
            a, b = space.positions[0].cands[-1], space.positions[-1].cands[0]
            made = sp.variant(space, sp.extend(space, (a,), b, 2))
            chosen = {0: len(space.positions[0].cands) - 1, len(space.positions) - 1: 0}
            assert made is not None and ta_export.apply_record(rec, chosen) == made[0].fields["hypothesis"]
    assert n > 50


def test_a_candidate_that_does_not_round_trip_is_caught():
    ex = sample_examples(1)[0]
    (space, max_words), = ta_export.build_spaces([ex], ("char.keyboard",), max_share=0.2, seed=13)
    rec = ta_export.export_record(space, max_words)
    rec["positions"][0]["cands"][0] += "x"
    try:
        ta_export.check_record(space, rec)
    except AssertionError as e:
        assert "does not round-trip" in str(e)
    else:
        raise AssertionError("a corrupted candidate passed the check")
