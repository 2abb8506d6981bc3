"""Regressions from the 2026-12-03 audit: every logic.number / logic.quantifier item judged wrong is now declined.

The audit (label_ok / text_ok verdicts on a random sample of the 0.2.0 default recipe) lives next to the real
data: $XSTRESS_AUDIT, else <XSTRESS_DATA>/../audit/2026-12-03. Each item judged label_ok=no or text_ok=no is
regenerated from its source XNLI test example with the recipe's params, under many RNG streams, and every
outcome must be "not applicable" or "dropped" (the op declines). Skipped when the data or the audit is absent;
a failure under XSTRESS_REQUIRE_DATA=1.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from perturb import registry
from perturb.core import DROPPED
from perturb.loaders import load
from perturb.rng import derive_rng

AUDIT_NAME = "2026-12-03"
SEED = 82195  # the audited run's seed
# The audited recipe entries (perturb/recipes/default.yaml) and their params.
ENTRIES = {
    "logic.number": ("logic.number", {}),
    "logic.quantifier": ("logic.quantifier", {"direction": "weaken"}),
    "logic.quantifier.strengthen": ("logic.quantifier", {"direction": "strengthen"}),
}


def _audit_dir(real_data: Path) -> Path | None:
    env = os.environ.get("XSTRESS_AUDIT")
    root = Path(env) if env else real_data.parent / "audit" / AUDIT_NAME
    return root if (root / "key.jsonl").is_file() and (root / "verdicts").is_dir() else None


def _failed_items(root: Path) -> list[dict]:
    """Key rows of these ops whose verdict was label_ok=no or text_ok=no, with the verdict attached."""
    verdicts = {}
    for path in sorted((root / "verdicts").glob("group-*.tsv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row and row[0].isdigit():
                    verdicts[int(row[0])] = row[1:]
    out = []
    with open(root / "key.jsonl", encoding="utf-8") as f:
        for line in f:
            key = json.loads(line)
            verdict = verdicts.get(key["n"])
            if key["op"] in ENTRIES and verdict and "no" in verdict[:2]:
                out.append({**key, "verdict": verdict})
    return out


@pytest.fixture(scope="module")
def audit(real_data):
    root = _audit_dir(real_data)
    if root is None:
        msg = (f"audit {AUDIT_NAME} not found: set XSTRESS_AUDIT, or put it at <XSTRESS_DATA>/../audit/"
               f"{AUDIT_NAME}")
        if os.environ.get("XSTRESS_REQUIRE_DATA") == "1":
            pytest.fail(msg + " — XSTRESS_REQUIRE_DATA=1 requires it")
        pytest.skip(msg)
    items = _failed_items(root)
    langs = sorted({item["lang"] for item in items} | {"zh"})
    data = load(task="xnli", data=real_data / "xnli", split="test", langs=langs)
    by_id = {ex.id: ex for exs in data.values() for ex in exs}
    return items, by_id


def test_audit_has_failed_items_of_these_ops(audit):
    items, _ = audit
    ops = {item["op"] for item in items}
    # The audit found wrong labels for logic.number and bad text for both quantifier directions.
    assert {"logic.number", "logic.quantifier", "logic.quantifier.strengthen"} <= ops
    assert len(items) >= 30


def test_every_failed_item_is_now_declined(audit):
    items, by_id = audit
    wrong = []
    for item in items:
        ex = by_id[item["id"]]
        name, params = ENTRIES[item["op"]]
        op = registry.get(name)(**params)
        for k in range(20):
            rng = derive_rng(SEED + k, item["op"], ex.id, item["variant"])
            res = op.apply(ex, rng, fields=("hypothesis",))
            if res is not None and res is not DROPPED:
                wrong.append(f"item {item['n']} {item['op']} {ex.id} ({'/'.join(item['verdict'][:2])}): "
                             f"{res.example.fields['hypothesis']!r} -> {res.example.label}")
                break
    assert not wrong, "\n".join(wrong)


def test_right_audited_items_still_apply(audit):
    """Not everything is declined: items judged right that the new rules still pin down keep their output."""
    _, by_id = audit
    # "100 barrels of gunpowder" in zh (audit item 462): the premise states the same count of the same thing.
    ex = by_id["xnli/test/zh/002133"]
    op = registry.get("logic.number")()
    res = op.apply(ex, derive_rng(SEED, "logic.number", ex.id, 0), fields=("hypothesis",))
    assert res is not None and res is not DROPPED
    assert res.example.label == "contradiction"
    assert "桶火药" in res.example.fields["hypothesis"] and "100桶" not in res.example.fields["hypothesis"]
