"""Every item of lex.codeswitch and lex.inflect that the 2026-12-03 validity audit judged wrong (label or text),
regenerated from the real data: the faulty replacement can no longer be produced, whichever words the rng picks
(rate 1.0 offers every eligible word), or the op now declines the item.

The audit lives next to the data (../shared/audit/2026-12-03); XSTRESS_AUDIT names another place. Like the
other real-data tests, these skip when it is absent and fail then under XSTRESS_REQUIRE_DATA=1."""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pytest

from perturb import registry
from perturb.core import Perturbed
from perturb.loaders import load
from perturb.ops.lex import inflect as lex_inflect
from perturb.rng import derive_rng

AUDIT_NAME = "2026-12-03"


@pytest.fixture(scope="module")
def audit(real_data) -> Path:
    root = Path(os.environ.get("XSTRESS_AUDIT") or real_data.parent / "audit") / AUDIT_NAME
    if not (root / "key.jsonl").is_file():
        msg = f"validity audit not available at {root} (set XSTRESS_AUDIT to the folder holding {AUDIT_NAME}/)"
        if os.environ.get("XSTRESS_REQUIRE_DATA") == "1":
            pytest.fail(msg + " — XSTRESS_REQUIRE_DATA=1 requires it")
        pytest.skip(msg)
    return root


def audit_item(root: Path, sub: str, n: int) -> tuple[dict, str]:
    """(key line, the item's text as the reviewers saw it) of audit item n (sub: "" for XNLI, "xcopa")."""
    folder = root / sub if sub else root
    key = next(k for k in map(json.loads, (folder / "key.jsonl").read_text(encoding="utf-8").splitlines())
               if k["n"] == n)
    for md in sorted(folder.glob("group-*.md")):
        m = re.search(rf"^## item {n} .*?(?=^## item |\Z)", md.read_text(encoding="utf-8"), re.M | re.S)
        if m:
            return key, m.group()
    raise AssertionError(f"audit item {n} not found in {folder}")


@lru_cache(maxsize=None)
def _examples(data: str, task: str, lang: str):
    split = "test"
    return {ex.id: ex for ex in load(task=task, data=Path(data) / task, split=split, langs=[lang])[lang]}


def regenerate(real_data: Path, key: dict, *, rate: float = 1.0):
    """The op of the item run again on the real example, every target field, with rate `rate`."""
    task, lang = key["task"], key["lang"]
    ex = _examples(str(real_data), task, lang)[key["id"]]
    op = registry.get(key["op"])(rate=rate)
    if key["op"] == "lex.codeswitch":
        op = op.bind(lexicon_dir=real_data / "muse")
        english = list(_examples(str(real_data), task, "en").values()) if task == "xnli" else None
        op = op.with_parallel(task, english, "test-en" if english else "none")
    if not op.supports(task, lang):
        return None
    fields = ("hypothesis",) if task == "xnli" else ("premise", "choice1", "choice2")
    return op.apply(ex, derive_rng(82195, key["op"], ex.id, key["variant"]), fields=fields)


# (audit item, words whose replacement the audit faulted: none may be edited, replacements that must not appear)
XNLI_ITEMS = [
    (34, (), ("dear",)),                                   # chers -> "dear" (the sense is "expensive")
    (172, (), ("tall",)),                                  # высокие доходы -> "tall" (high incomes)
    (237, ("نيو", "برونزويك"), ("neo",)),                  # New Brunswick, a name
    (341, (), ("preta",)),                                 # no English word
    (444, ("พัก",), ("rest",)),                            # พัก "stay", not "rest"
    (435, ("thúc", "đẩy", "đồng", "cảm", "trí", "tưởng", "tượng"), ("push", "bronze", "thought")),
    (486, ("thông", "tin"), ("pine",)),                    # thông tin "information", one word
    (120, ("имаше",), ("имахме",)),                        # "there were" -> "we had"
    (247, ("ενδιαφέρθηκε",), ("ενδιαφέρεστε",)),            # 3sg past -> 2pl present
    (309, ("ستنشئ",), ("مقرين",)),                          # plural -> dual (another number of a noun is noise)
    (366, ("उन्होंने",), ("उसमें",)),                        # a pronoun swapped
]


@pytest.mark.parametrize("n, words, outputs", XNLI_ITEMS, ids=[str(i[0]) for i in XNLI_ITEMS])
def test_xnli_audit_item_is_fixed(real_data, audit, n, words, outputs):
    key, seen = audit_item(audit, "", n)
    after = re.search(r"hypothesis AFTER: +(.*)", seen).group(1)
    assert any(o in after for o in outputs), f"item {n} no longer shows the fault the audit saw"
    if key["op"] == "lex.inflect":
        # Not only this draw: no word of the hypothesis offers the faulty form at all.
        hypothesis = re.search(r"hypothesis BEFORE: +(.*)", seen).group(1)
        for w in hypothesis.split():
            assert not set(outputs) & set(lex_inflect._options(w.strip(".,|।"), key["lang"])), (n, w)
    res = regenerate(real_data, key)
    if not isinstance(res, Perturbed):
        return  # declined: nothing to translate or re-inflect any more
    for e in res.edits:
        assert e.before not in words, (n, e)
        assert not any(o in e.after.split() for o in outputs), (n, e)
    # At the audit's own rate and seed the item is fixed too (a subset of the edits above, checked the same way).
    default = regenerate(real_data, key, rate=0.3 if key["op"] == "lex.codeswitch" else 0.2)
    text = default.example.fields["hypothesis"] if isinstance(default, Perturbed) else ""
    assert not any(o in text.split() for o in outputs if o not in key["id"]), (n, text)


# XCOPA test has no English translation: lex.codeswitch can confirm no sense there and now translates nothing;
# Estonian is no longer offered by lex.inflect (its case endings carry direction: tööle -> tööst).
XCOPA_ITEMS = [(1, "lex.inflect"), (47, "lex.codeswitch"), (52, "lex.codeswitch"), (75, "lex.codeswitch"),
               (77, "lex.codeswitch")]


@pytest.mark.parametrize("n, op", XCOPA_ITEMS, ids=[str(i[0]) for i in XCOPA_ITEMS])
def test_xcopa_audit_item_is_declined(real_data, audit, n, op):
    key, _ = audit_item(audit, "xcopa", n)
    assert key["op"] == op and key["task"] == "xcopa"
    assert regenerate(real_data, key) is None
