"""Hostile checkpoint directories: each is refused with one clear error naming the checkpoint, and nothing in a
pickle (or remote code) is ever executed. Extends tests/test_harness_models.py (truncated safetensors,
missing config/weights, pickle refused, weights_only, a tokenizer bigger than the embedding, remote config code)
with the cases below."""
import json
import os
import shutil
import struct

import pytest
from tinymodels import make_xnli_set, tiny_models  # noqa: F401

from harness.attackset import read_attack_set
from harness.cli import main
from harness.errors import CheckpointError
from harness.models import LoadOptions, load_model


def _copy(src, tmp_path, name="ck"):
    dst = tmp_path / name
    shutil.copytree(src, dst)
    return dst


def _config(path, **changes):
    cfg = json.loads((path / "config.json").read_text())
    cfg.update(changes)
    (path / "config.json").write_text(json.dumps(cfg))


def _refused(ck, match, **options):
    with pytest.raises(CheckpointError, match=match) as err:
        load_model(ck, task="xnli", options=LoadOptions(**options))
    assert str(err.value).startswith(str(ck)), f"the error does not name the checkpoint first: {err.value}"
    assert "\n" not in str(err.value)
    return err.value


class _Evil:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# --- labels -------------------------------------------------------------------------------------------------

def test_num_labels_in_config_differs_from_the_weights(tiny_models, tmp_path):  # noqa: F811
    from harness.demo_models import build_classifier

    ck = build_classifier(tmp_path / "two", tokenizer_dir=tiny_models.tokenizer,
                          id2label={0: "entailment", 1: "neutral"})
    _config(ck, id2label={"0": "entailment", "1": "neutral", "2": "contradiction"},
            label2id={"entailment": 0, "neutral": 1, "contradiction": 2})
    _refused(ck, r"describes 3 labels but the classifier in the weights has 2 outputs")


@pytest.mark.parametrize("id2label, label2id, match", [
    # label2id names a dataset label that id2label puts elsewhere: which one is the truth?
    ({"0": "entailment", "1": "neutral", "2": "contradiction"}, {"entailment": 0, "neutral": 2, "contradiction": 1},
     r"ambiguous labels: config.label2id maps 'neutral' to output 2, but that output is 'contradiction'"),
    # two names for one label (XNLI-1.0's "contradictory" is an alias of "contradiction")
    ({"0": "contradiction", "1": "neutral", "2": "contradictory"}, None,
     r"duplicate label name\(s\) \['contradiction'\]"),
])
def test_ambiguous_label_maps_are_refused(tiny_models, tmp_path, id2label, label2id, match):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    _config(ck, id2label=id2label, label2id=label2id or {v: int(k) for k, v in id2label.items()})
    _refused(ck, match)


def test_label_order_contradicting_label2id_is_refused(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    _config(ck, id2label={"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"},
            label2id={"entailment": 0, "neutral": 1, "contradiction": 2})
    _refused(ck, r"ambiguous labels.*by --label-order", label_order=("contradiction", "neutral", "entailment"))
    load_model(ck, task="xnli", options=LoadOptions(label_order=("entailment", "neutral", "contradiction")))


def test_named_id2label_with_generic_label2id_is_accepted(tiny_models, tmp_path):  # noqa: F811
    # Common in published checkpoints (label2id left at LABEL_k): not ambiguous, id2label is the only name source.
    ck = _copy(tiny_models.classifier, tmp_path)
    _config(ck, id2label={"0": "contradiction", "1": "neutral", "2": "entailment"},
            label2id={"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2})
    assert load_model(ck, task="xnli").perm.tolist() == [2, 1, 0]


# --- tokenizer against the model ----------------------------------------------------------------------------

def test_tokenizer_of_another_vocabulary_is_refused(tiny_models, tmp_path):  # noqa: F811
    from harness import demo_models

    other = tmp_path / "other-tok"
    demo_models.build_tokenizer(other, vocab_size=300, seed=1)
    ck = _copy(tiny_models.classifier, tmp_path)
    for f in other.iterdir():
        shutil.copy(f, ck / f.name)
    _refused(ck, r"tokenizer has \d+ tokens but the model's embedding has \d+ rows")


def test_missing_tokenizer_files_are_refused(tiny_models, tmp_path):  # noqa: F811
    # transformers 5 would silently build a 5-token default tokenizer: every input would be <unk>.
    ck = _copy(tiny_models.classifier, tmp_path)
    for f in list(ck.iterdir()):
        if f.name.startswith(("tokenizer", "special_tokens", "sentencepiece")):
            f.unlink()
    _refused(ck, r"tokenizer has 5 tokens but the model's embedding has \d+ rows.*tokenizer files missing")


def test_pad_id_mismatch_is_refused(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    _config(ck, pad_token_id=0)
    _refused(ck, r"the tokenizer pads with id 1 but config.json's pad_token_id is 0")


def test_embedding_padded_to_a_multiple_of_8_is_accepted(tiny_models, tmp_path, monkeypatch):  # noqa: F811
    import torch
    from transformers import AutoTokenizer, XLMRobertaForSequenceClassification

    from harness.demo_models import tiny_config
    from perturb.schema import XNLI_LABELS as NLI_LABELS

    tok = AutoTokenizer.from_pretrained(str(tiny_models.tokenizer))
    rows = (len(tok) // 8 + 1) * 8
    assert rows > len(tok)
    torch.manual_seed(0)
    model = XLMRobertaForSequenceClassification(tiny_config(rows, num_labels=3, id2label=dict(enumerate(NLI_LABELS)),
                                                            label2id={n: i for i, n in enumerate(NLI_LABELS)}))
    ck = tmp_path / "padded"
    model.save_pretrained(str(ck))
    tok.save_pretrained(str(ck))
    assert load_model(ck, task="xnli").fingerprint


# --- weights files --------------------------------------------------------------------------------------------

def test_safetensors_header_claiming_a_huge_size(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    (ck / "model.safetensors").write_bytes(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(CheckpointError, match=r"model.safetensors: corrupt or unreadable safetensors"):
        load_model(ck, task="xnli")


@pytest.mark.parametrize("index, match", [
    (b"\xff\xfe not json", r"unreadable shard index"),
    (b'{"weight_map": ["model-1.safetensors"]}', r"unreadable shard index"),
    (b'[1, 2]', r"unreadable shard index"),
    (b'{"weight_map": {"a": "/etc/hostname"}}', r"outside the checkpoint directory"),
    (b'{"weight_map": {"a": "../ck/model-1.safetensors"}}', r"outside the checkpoint directory"),
])
def test_hostile_shard_index(tiny_models, tmp_path, index, match):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    (ck / "model.safetensors").rename(ck / "model-1.safetensors")
    (ck / "model.safetensors.index.json").write_bytes(index)
    with pytest.raises(CheckpointError, match=match):
        load_model(ck, task="xnli")


def test_pickle_never_runs_without_allow_pickle(tiny_models, tmp_path):  # noqa: F811
    import torch

    ck = _copy(tiny_models.classifier, tmp_path)
    marker = tmp_path / "pwned"
    torch.save({"x": _Evil(marker)}, ck / "pytorch_model.bin")
    # Next to safetensors, the pickle is never opened ...
    load_model(ck, task="xnli")
    assert not marker.exists()
    # ... and alone it is refused before anything reads it.
    (ck / "model.safetensors").unlink()
    _refused(ck, r"only pickle weights.*--allow-pickle")
    assert not marker.exists()


def test_tokenizer_remote_code_never_runs(tiny_models, tmp_path):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    cfg = json.loads((ck / "tokenizer_config.json").read_text())
    cfg["auto_map"] = {"AutoTokenizer": ["evil.EvilTokenizer", None]}
    (ck / "tokenizer_config.json").write_text(json.dumps(cfg))
    marker = tmp_path / "ran"
    (ck / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    try:
        load_model(ck, task="xnli")
    except CheckpointError:
        pass  # refusing is fine too; running the code is not
    assert not marker.exists()


@pytest.mark.parametrize("content", [b"[1, 2]", b"\xff\xfe\x00", b'{"model_type": "xlm-roberta"'])
def test_unreadable_config(tiny_models, tmp_path, content):  # noqa: F811
    ck = _copy(tiny_models.classifier, tmp_path)
    (ck / "config.json").write_bytes(content)
    _refused(ck, r"unreadable config.json")


# --- through the CLI: one line, exit 2, nothing written -----------------------------------------------------------

def test_score_refuses_hostile_checkpoints_in_one_line(tiny_models, tmp_path, capsys):  # noqa: F811
    import torch

    attacks = make_xnli_set(tmp_path / "as", langs=("en",), n=6)
    pickled = _copy(tiny_models.classifier, tmp_path, "pickled")
    marker = tmp_path / "pwned"
    torch.save({"x": _Evil(marker)}, pickled / "pytorch_model.bin")
    (pickled / "model.safetensors").unlink()
    ambiguous = _copy(tiny_models.classifier, tmp_path, "ambiguous")
    _config(ambiguous, label2id={"entailment": 2, "neutral": 1, "contradiction": 0})
    for ck, needle in ((pickled, "only pickle weights"), (ambiguous, "ambiguous labels")):
        out = tmp_path / f"results-{ck.name}"
        rc = main(["score", "--attacks", str(attacks), "--model", f"m={ck}", "--out", str(out), "--cache", "none",
                   "--no-progress"])
        err = capsys.readouterr().err.splitlines()
        assert rc == 2 and len(err) == 1, err
        assert err[0].startswith(f"xstress score: error: {ck}:") and needle in err[0], err[0]
        assert not out.exists()
    assert not marker.exists()
    assert read_attack_set(attacks).langs == ["en"]
