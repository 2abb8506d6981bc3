"""The generation engine: streaming, per-language worker units, progress events and clean failure in parallel runs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perturb.engine import generate
from perturb.errors import InputError

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "xnli"
LANGS = "de,hi,th,zh,ar"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.jsonl"))}


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_reports_each_language_start_and_every_example(tmp_path, workers):
    events = []
    generate(task="xnli", data=SAMPLE, langs=LANGS, recipe="default", out=tmp_path / "o", workers=workers,
             progress=lambda lang, n: events.append((lang, n)))
    for lang in LANGS.split(","):
        mine = [n for lg, n in events if lg == lang]
        assert mine[0] == 0  # the start event comes first
        assert sum(mine) == 18  # every example of the sample file, once


@pytest.mark.parametrize("langs", [LANGS, "hi"])  # many languages: whole files; one language: slices of it
def test_parallel_units_write_the_same_bytes(tmp_path, langs):
    one = generate(task="xnli", data=SAMPLE, langs=langs, out=tmp_path / "w1", workers=1)
    three = generate(task="xnli", data=SAMPLE, langs=langs, out=tmp_path / "w3", workers=3)
    assert one == three
    assert _files(tmp_path / "w1") == _files(tmp_path / "w3")
    assert not list((tmp_path / "w3").rglob(".*part*"))  # the part files were joined and removed


def test_bad_row_in_a_late_file_aborts_a_parallel_run_and_leaves_nothing(tmp_path):
    # With whole files, workers start before the parent has checked every file: an error found by the
    # check must still stop the run and leave no output.
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    zh = data / "test" / "zh.tsv"
    lines = zh.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[7] = "only one column\n"
    zh.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=r"zh\.tsv:8"):
        generate(task="xnli", data=data, langs=LANGS, out=tmp_path / "o", workers=2)
    assert not (tmp_path / "o").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".o.")]


def test_written_rows_are_canonical_json(tmp_path):
    # The engine formats rows by hand (attackset.perturbed_line / clean_line) for speed; every line must be
    # exactly what canonical_line (json.dumps, sorted keys) gives for the same object, and what the typed row
    # read back from it writes.
    from perturb.attackset import canonical_line
    from perturb.rows import AttackRow

    root = Path(__file__).resolve().parent.parent / "data"
    generate(task="xnli", data=root / "xnli", out=tmp_path / "x")
    generate(task="xcopa", data=root / "xcopa", out=tmp_path / "c")
    n = 0
    for path in sorted(tmp_path.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            assert canonical_line(json.loads(line)) == line, path
            assert canonical_line(AttackRow.from_json(json.loads(line), path, 1).to_json()) == line, path
            n += 1
    assert n > 1000


_odd_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ['"', "\\", "\x08\x1c\x1d", "\u2028\u2029", "😀e\u0301", "\t\n\r", ""])


@settings(max_examples=300, deadline=None)
@given(premise=_odd_text, hypothesis=_odd_text, before=_odd_text, after=_odd_text, variant=st.integers(0, 9),
       label=st.sampled_from(["entailment", "neutral", "contradiction"]),
       orig=st.sampled_from(["entailment", "neutral", "contradiction", None]))
def test_hand_formatted_rows_equal_json_dumps(premise, hypothesis, before, after, variant, label, orig):
    from perturb.attackset import canonical_line, clean_line, perturbed_line
    from perturb.core import Edit, Perturbed
    from perturb.example import Example
    from perturb.rows import AttackRow

    ex = Example("xnli/test/de/000001", "xnli", "de", {"premise": premise, "hypothesis": hypothesis}, label)
    edits = (Edit("hypothesis", 0, len(before), before, after), Edit("premise", 1, 2, "x", after))
    row = AttackRow.of_result("char.swap", Perturbed(ex, orig, edits, variant))
    line = perturbed_line("char.swap", ex, orig, variant, edits)
    assert line == canonical_line(row.to_json())
    assert clean_line(ex) == canonical_line(AttackRow.of_example(ex).to_json()) == canonical_line(ex.to_json())
    if orig is not None:  # what the writer wrote reads back as the same row
        assert AttackRow.from_json(json.loads(line), "x.jsonl", 1) == row
    assert AttackRow.from_json(json.loads(clean_line(ex)), "clean.jsonl", 1) == AttackRow.of_example(ex)
    copa = Example("xcopa/test/et/000003", "xcopa", "et", {"premise": premise, "choice1": before,
                                                            "choice2": after, "question": "cause"}, 1)
    copa_row = AttackRow.of_result("x", Perturbed(copa, 0, (), variant))
    assert perturbed_line("x", copa, 0, variant, ()) == canonical_line(copa_row.to_json())
    assert AttackRow.from_json(json.loads(perturbed_line("x", copa, 0, variant, ())), "x.jsonl", 1) == copa_row
    assert clean_line(copa) == canonical_line(AttackRow.of_example(copa).to_json())
