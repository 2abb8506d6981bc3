"""Per-language goldens of the logic family: hand-checked input → output pairs for every op and mode."""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from perturb import registry
from perturb.core import DROPPED
from perturb.example import XNLI_LANGS, Example
from perturb.loaders import load
from perturb.rng import derive_rng

GOLDENS = Path(__file__).parent / "goldens" / "logic"
OPS = [
    ("logic.negate", "-"), ("logic.negate", "mode=local"), ("logic.denegate", "-"),
    ("logic.double_negation", "-"), ("logic.double_negation", "mode=mixed"),
    ("logic.distract", "-"), ("logic.distract", "kind=negation"),
    ("logic.quantifier", "-"), ("logic.quantifier", "direction=strengthen"), ("logic.number", "-"),
]


def read_golden(lang):
    with open(GOLDENS / f"{lang}.tsv", encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows, f"no goldens for {lang}"
    return rows


def parse_params(text):
    if text == "-":
        return {}
    return dict(item.split("=", 1) for item in text.split(";"))


@pytest.fixture(scope="module")
def sample(sample_data):
    return load(task="xnli", data=sample_data / "xnli", split="test", langs="all")


@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_goldens(lang, sample):
    failures = []
    for k, row in enumerate(read_golden(lang)):
        premise = row["premise"]
        if premise.startswith("#"):
            premise = sample[lang][int(premise[1:])].fields["premise"]
        elif premise == "-":
            premise = ""
        ex = Example(f"xnli/golden/{lang}/{k:06d}", "xnli", lang,
                     {"premise": premise, "hypothesis": row["hypothesis"]}, row["label"])
        op = registry.get(row["op"])(**parse_params(row["params"]))
        res = op.apply(ex, derive_rng(13, row["op"], ex.id, 0), fields=("hypothesis",))
        if res is None:
            got, label = "N/A", "-"
        elif res is DROPPED:
            got, label = "DROPPED", "-"
        else:
            got, label = res.example.fields["hypothesis"], res.example.label
        if (got, label) != (row["result"], row["new_label"]):
            failures.append(f"{row['op']} {row['params']} {row['hypothesis']!r}: expected "
                            f"{row['result']!r}/{row['new_label']}, got {got!r}/{label}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_goldens_cover_every_op_and_mode(lang):
    seen = defaultdict(set)
    for row in read_golden(lang):
        kind = "applied" if row["result"] not in ("N/A", "DROPPED") else row["result"]
        seen[(row["op"], row["params"])].add(kind)
    for op in OPS:
        assert "applied" in seen[op], f"{lang}: no applied golden for {op}"
        if op[0] != "logic.distract":  # distractors apply to every non-empty hypothesis but a question
            assert seen[op] & {"N/A", "DROPPED"}, f"{lang}: no not-applicable/dropped golden for {op}"
