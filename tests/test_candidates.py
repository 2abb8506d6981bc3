"""Candidate enumeration (perturb.candidates), checked for every label-preserving registered op on the sample data:
deterministic, each candidate a valid edit of the original text, grapheme clusters kept where the op keeps them."""
from __future__ import annotations

import unicodedata

import pytest

from perturb import registry
from perturb.candidates import Candidate, compose, overlaps
from perturb.loaders import load
from perturb.ops.char._common import broken_clusters

from test_contract import make_op

PRESERVING = [n for n in registry.names() if make_op(registry.get(n)).label_map is None]
# Languages per test: enough scripts to exercise clusters (Devanagari, Thai, Arabic, Han, Tamil) and stay fast.
LANGS = {"xnli": ("en", "hi", "th", "ar", "zh", "ru"), "xcopa": ("ta", "vi", "ht")}


@pytest.fixture(scope="module")
def samples(sample_data):
    return {task: load(task=task, data=sample_data / task, split="test", langs=list(LANGS[task]))
            for task in LANGS}


def test_search_space_is_the_label_preserving_ops():
    assert {n.split(".")[0] for n in PRESERVING} == {"char", "lex", "logic"}
    assert {n for n in PRESERVING if n.startswith("logic.")} == {"logic.distract", "logic.double_negation"}
    assert all(n in PRESERVING for n in registry.names() if n.split(".")[0] in ("char", "lex"))


@pytest.mark.parametrize("name", PRESERVING)
def test_candidates_contract(name, samples):
    op = make_op(registry.get(name))
    seen = 0
    for task, by_lang in samples.items():
        for lang, examples in by_lang.items():
            for ex in examples[:6]:
                for field in op.allowed_fields(task):
                    cands = op.candidate_edits(ex, field, "k")
                    assert cands == op.candidate_edits(ex, field, "k"), "not deterministic"
                    seen += len(cands)
                    _check(op, ex, field, cands)
    if name not in ("lex.codeswitch",):  # the contract lexicons cover few sample words
        assert seen > 0, f"{name} offered no candidate on the sample"


def _check(op, ex, field, cands):
    text = ex.fields[field]
    keys = [c.key() for c in cands]
    assert len(keys) == len(set(keys)), "duplicate candidates"
    for c in cands:
        assert isinstance(c, Candidate) and c.op == op.name and c.field == field and c.edits
        new, edits = compose(text, field, [c])
        assert new != text and isinstance(new, str)
        assert all(text[e.start:e.end] == e.before for e in edits)
        if unicodedata.is_normalized("NFC", text) and op.family == "char" and op.name != "char.script":
            assert unicodedata.is_normalized("NFC", new), (op.name, new)
        if op.family == "char":
            assert broken_clusters(text, new, edits) == 0, (op.name, text, new)


def test_candidates_compose_at_different_words(samples):
    op = make_op(registry.get("char.keyboard"))
    ex = samples["xnli"]["en"][0]
    cands = op.candidate_edits(ex, "hypothesis", "k")
    picked = []
    for c in cands:
        if not any(overlaps(c, p) for p in picked):
            picked.append(c)
    assert len(picked) >= 2
    new, edits = compose(ex.fields["hypothesis"], "hypothesis", picked)
    assert len(edits) == sum(len(c.edits) for c in picked)


def test_unsupported_field_or_language_gives_nothing(samples):
    op = make_op(registry.get("logic.distract"))
    ex = samples["xcopa"]["vi"][0]
    assert op.candidate_edits(ex, "premise", "k") == []
    ex = samples["xnli"]["en"][0]
    assert len(op.candidate_edits(ex, "hypothesis", "k")) == 1  # the whole-field variant


def test_textattack_adapter_can_propose_single_edits():
    from perturb.textattack_adapter import XstressEdits

    cols = {"premise": "वह घर गया।", "hypothesis": "बच्चे स्कूल नहीं गए क्योंकि बारिश हो रही थी।"}
    e = XstressEdits("char.keyboard", lang="hi")
    single = e.propose_single(cols)
    assert len(single) > len(e.propose(cols)) and single == XstressEdits("char.keyboard", lang="hi").propose_single(cols)
    for new, edits in single:
        assert new["premise"] == cols["premise"] and len(edits) == 1
        col, start, end, before, after = edits[0]
        assert cols[col][start:end] == before and new[col] == cols[col][:start] + after + cols[col][end:]
