"""`xstress export --to hf` round trip: `datasets.load_from_disk` (offline) gives back the attack set's examples,
labels and ids, with the hub datasets' features (XNLI ClassLabel in HF order; XCOPA as cambridgeltl/xcopa)."""
from __future__ import annotations

import pytest

datasets = pytest.importorskip("datasets", reason="the hf export needs HF `datasets` (pip install datasets)")

from harness.export import export_attack_set  # noqa: E402
from perturb.schema import parse_id  # noqa: E402
from test_export import expected, tree, xcopa_attacks, xnli_attacks  # noqa: E402,F401  (shared fixtures)


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


def test_xnli_round_trip_with_load_from_disk(xnli_attacks, tmp_path):
    out = tmp_path / "hf"
    doc = export_attack_set(attacks=xnli_attacks, to="hf", out=out)
    exp = expected(xnli_attacks)
    assert {(c["path"].split("/")[0], c["path"].split("/")[1]) for c in doc["details"]["configs"]} == set(exp)
    for (lang, name), rows in exp.items():
        dd = datasets.load_from_disk(str(out / lang / name))
        assert isinstance(dd, datasets.DatasetDict) and list(dd) == ["test"]
        ds = dd["test"]
        label = ds.features["label"]
        assert isinstance(label, datasets.ClassLabel)
        assert label.names == ["entailment", "neutral", "contradiction"]  # HF order, as facebook/xnli
        assert list(ds.features) == ["premise", "hypothesis", "label", "id", "variant"]
        assert [({"premise": r["premise"], "hypothesis": r["hypothesis"]}, label.int2str(r["label"]),
                 r["id"], r["variant"]) for r in ds] == \
               [(r["fields"], r["label"], r["id"], r["variant"]) for r in rows]
        if name != "clean":
            assert f"|op:{'char.keyboard' if name == 'kb.k2' else name}|" in ds.info.description


def test_xcopa_round_trip_with_load_from_disk(xcopa_attacks, tmp_path):
    out = tmp_path / "hf"
    export_attack_set(attacks=xcopa_attacks, to="hf", out=out)
    for (lang, name), rows in expected(xcopa_attacks).items():
        ds = datasets.load_from_disk(str(out / lang / name))["test"]
        f = ds.features
        assert list(f) == ["premise", "choice1", "choice2", "question", "label", "idx", "changed", "id", "variant"]
        assert (f["label"].dtype, f["idx"].dtype, f["changed"].dtype) == ("int32", "int32", "bool")
        fields = ("premise", "choice1", "choice2", "question")
        assert [({k: r[k] for k in fields}, r["label"], r["idx"], r["id"], r["variant"]) for r in ds] == \
               [(r["fields"], r["label"], parse_id(r["id"]).index, r["id"], r["variant"]) for r in rows]


def test_hf_bytes_are_deterministic(xcopa_attacks, tmp_path):
    export_attack_set(attacks=xcopa_attacks, to="hf", out=tmp_path / "a", langs=["et"])
    export_attack_set(attacks=xcopa_attacks, to="hf", out=tmp_path / "b", langs=["et"])
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
