"""The generation engine: streaming, per-language worker units, progress events and clean failure in parallel runs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
