"""Checkpoint loading: label maps from config, safetensors-only by default, clear errors for broken directories."""
import json
import os
import shutil

import numpy as np
import pytest
from tinymodels import make_xcopa_set, make_xnli_set, tiny_models  # noqa: F401

from harness.attackset import read_attack_set
from harness.errors import CheckpointError
from harness.models import LoadOptions, load_model


@pytest.fixture(scope="module")
def xnli_rows(tmp_path_factory, tiny_models):  # noqa: F811
    root = make_xnli_set(tmp_path_factory.mktemp("as") / "xnli", langs=("en", "de"), n=12)
    return read_attack_set(root).clean("de")


def _copy(src, tmp_path, name="ck"):
    dst = tmp_path / name
    shutil.copytree(src, dst)
    return dst


def _edit_config(path, **changes):
    cfg = json.loads((path / "config.json").read_text())
    cfg.update(changes)
    (path / "config.json").write_text(json.dumps(cfg))


def test_tiny_tokenizer_is_real(tiny_models):  # noqa: F811
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_models.tokenizer))
    ids = tok("Der Mann spielt Gitarre auf der Straße.", "那个男人在街上弹吉他。")["input_ids"]
    assert len(tok) > 400 and len(set(ids)) > 10
    assert tok.unk_token_id not in ids[1:4]


def test_xnli_probabilities(tiny_models, xnli_rows):  # noqa: F811
    p = load_model(tiny_models.classifier, task="xnli", options=LoadOptions(device="cpu"))
    probs = p.predict(xnli_rows)
    assert probs.shape == (len(xnli_rows), 3)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert p.precision == "fp32" and len(p.fingerprint) == 64


def test_reordered_id2label_reorders_columns(tiny_models, xnli_rows, tmp_path):  # noqa: F811
    base = load_model(tiny_models.classifier, task="xnli").predict(xnli_rows)
    ck = _copy(tiny_models.classifier, tmp_path)
    # Same weights, but output 0 now *means* contradiction, 1 entailment, 2 neutral.
    _edit_config(ck, id2label={"0": "contradiction", "1": "entailment", "2": "neutral"},
                 label2id={"contradiction": 0, "entailment": 1, "neutral": 2})
    probs = load_model(ck, task="xnli").predict(xnli_rows)
    np.testing.assert_allclose(probs, base[:, [1, 2, 0]], atol=1e-6)


def test_generic_labels_need_order(tiny_models, xnli_rows, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    _edit_config(ck, id2label={"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"},
                 label2id={"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2})
    with pytest.raises(CheckpointError, match=f"{ck}: .*generic"):
        load_model(ck, task="xnli")
    p = load_model(ck, task="xnli", options=LoadOptions(label_order=("entailment", "neutral", "contradiction")))
    base = load_model(tiny_models.classifier, task="xnli").predict(xnli_rows)
    np.testing.assert_allclose(p.predict(xnli_rows), base, atol=1e-6)


def test_wrong_num_labels(tiny_models, tmp_path):  # noqa: F811
    from harness.demo_models import build_classifier

    ck = build_classifier(tmp_path / "two", tokenizer_dir=tiny_models.tokenizer, id2label={0: "entailment", 1: "neutral"})
    with pytest.raises(CheckpointError, match=r"two: the model has 2 output labels"):
        load_model(ck, task="xnli")


def _to_pickle(ck, payload=None):
    import torch
    from safetensors.torch import load_file

    sd = load_file(str(ck / "model.safetensors"))
    if payload is not None:
        sd["evil"] = payload
    torch.save(sd, ck / "pytorch_model.bin")
    (ck / "model.safetensors").unlink()


def test_pickle_refused_by_default(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    _to_pickle(ck)
    with pytest.raises(CheckpointError, match=r"pickle.*--allow-pickle"):
        load_model(ck, task="xnli")


def test_pickle_allowed_loads_same_weights(tiny_models, xnli_rows, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    _to_pickle(ck)
    p = load_model(ck, task="xnli", options=LoadOptions(allow_pickle=True))
    base = load_model(tiny_models.classifier, task="xnli").predict(xnli_rows)
    np.testing.assert_allclose(p.predict(xnli_rows), base, atol=1e-6)


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_pickle_code_never_runs(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    marker = tmp_path / "pwned"
    _to_pickle(ck, payload=_Evil(marker))
    with pytest.raises(CheckpointError, match=r"objects other than tensors; refused by torch.load\(weights_only=True\)"):
        load_model(ck, task="xnli", options=LoadOptions(allow_pickle=True))
    assert not marker.exists()  # weights_only=True refused the payload


def test_corrupt_safetensors(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    f = ck / "model.safetensors"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    with pytest.raises(CheckpointError, match=r"model.safetensors: corrupt"):
        load_model(ck, task="xnli")
    f.write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match=r"corrupt"):
        load_model(ck, task="xnli")


def test_missing_config_and_weights(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    (ck / "config.json").unlink()
    with pytest.raises(CheckpointError, match="missing config.json"):
        load_model(ck, task="xnli")
    ck2 = _copy(tiny_models.classifier, tmp_path, "ck2")
    (ck2 / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="no model weights"):
        load_model(ck2, task="xnli")


def test_tokenizer_bigger_than_embedding(tiny_models, tmp_path):  # noqa: F811
    from transformers import AutoTokenizer

    ck = _copy(tiny_models.classifier, tmp_path)
    tok = AutoTokenizer.from_pretrained(str(ck))
    tok.add_tokens([f"neu{i}" for i in range(50)])
    tok.save_pretrained(str(ck))
    with pytest.raises(CheckpointError, match=r"tokenizer has \d+ tokens but the model's embedding has \d+ rows"):
        load_model(ck, task="xnli")


def test_remote_code_never_trusted(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    _edit_config(ck, model_type="evil-model", auto_map={"AutoConfig": "evil.EvilConfig"})
    (ck / "evil.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w')\n")
    with pytest.raises(CheckpointError, match="config.json"):
        load_model(ck, task="xnli")
    assert not (tmp_path / "ran").exists()


def test_hub_id_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(CheckpointError, match=r"no-such-org/xlmr-seq: .*offline"):
        load_model("no-such-org/xlmr-seq", task="xnli")
    with pytest.raises(CheckpointError, match="no such checkpoint directory"):
        load_model("./not/here/", task="xnli")


def test_xcopa_multiple_choice(tiny_models, tmp_path):  # noqa: F811
    rows = read_attack_set(make_xcopa_set(tmp_path / "xc", n=8)).clean("et")
    p = load_model(tiny_models.multiple_choice, task="xcopa")
    probs = p.predict(rows)
    assert probs.shape == (8, 2)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    first, second = p.pairs(rows[:1])[0][0]
    assert first == f"{rows[0].fields['premise']} What was the {rows[0].fields['question']}?"
    # A classifier checkpoint has no multiple-choice head: refuse instead of using a random one.
    with pytest.raises(CheckpointError, match="is it a xcopa checkpoint"):
        load_model(tiny_models.classifier, task="xcopa")
    with pytest.raises(CheckpointError):
        load_model(tiny_models.multiple_choice, task="xnli")
