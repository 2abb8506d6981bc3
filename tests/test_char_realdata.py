"""Real XNLI/XCOPA: every char op perturbs every language it claims and never breaks a grapheme cluster."""
from __future__ import annotations

import unicodedata

import pytest

from perturb import registry
from perturb.core import Perturbed
from perturb.loaders import load
from perturb.ops.char._common import broken_clusters
from perturb.recipe import Planned
from perturb.rng import derive_rng

CHAR_OPS = [n for n in registry.names() if n.startswith("char.")]
# The scripts where peers break clusters get 300 rows; the rest 100, to keep the suite fast.
FOCUS = {("xnli", "hi"), ("xnli", "th"), ("xnli", "ur"), ("xnli", "ar"), ("xcopa", "ta"), ("xcopa", "th")}
ROWS, FOCUS_ROWS = 100, 300


@pytest.fixture(scope="module")
def real(real_data):
    return {
        "xnli": load(task="xnli", data=real_data / "xnli", split="test", langs="all"),
        "xcopa": load(task="xcopa", data=real_data / "xcopa", split="test", langs="all"),
    }


@pytest.mark.parametrize("name", CHAR_OPS)
def test_real_data_applies_everywhere_without_broken_clusters(name, real):
    op = registry.get(name)()
    key = Planned(name, op, 1, None).op_key()
    applied, broken, not_nfc = {}, {}, []
    for task in ("xnli", "xcopa"):
        fields = op.default_fields(task)
        langs = sorted(op.languages(task) & set(real[task]))
        assert langs, f"{name} claims no {task} language with data"
        for lang in langs:
            n = FOCUS_ROWS if (task, lang) in FOCUS else ROWS
            applied[task, lang] = broken[task, lang] = 0
            for ex in real[task][lang][:n]:
                res = op.apply(ex, derive_rng(13, key, ex.id, 0), fields=fields)
                if not isinstance(res, Perturbed):
                    continue
                applied[task, lang] += 1
                for field in fields:
                    old, new = ex.fields[field], res.example.fields[field]
                    broken[task, lang] += broken_clusters(old, new, [e for e in res.edits if e.field == field])
                    if unicodedata.is_normalized("NFC", old) and not unicodedata.is_normalized("NFC", new):
                        not_nfc.append(ex.id)
    assert not [k for k, v in applied.items() if v == 0], f"{name} perturbed no row of {applied}"
    assert sum(broken.values()) == 0, {k: v for k, v in broken.items() if v}
    assert not not_nfc
