"""perturb.fsutil and perturb.checkpoint: the one sha256, atomic write, weight-file rule and model fingerprint."""
from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from perturb.checkpoint import CheckpointFilesError, fingerprint, weight_files
from perturb.fsutil import atomic_write_text, files_sha256, sha256_file
from tinymodels import tiny_models  # noqa: F401


def test_sha256_streams_big_files(tmp_path):
    p = tmp_path / "f"
    data = os.urandom((1 << 20) * 2 + 17)  # crosses block boundaries
    p.write_bytes(data)
    assert sha256_file(p) == hashlib.sha256(data).hexdigest()
    q = tmp_path / "g"
    q.write_bytes(b"")
    want = hashlib.sha256(b"f\0" + hashlib.sha256(data).hexdigest().encode() + b"\ng\0"
                          + hashlib.sha256(b"").hexdigest().encode() + b"\n").hexdigest()
    assert files_sha256([p, q]) == want != files_sha256([q, p])


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    p = tmp_path / "lock.json"
    atomic_write_text(p, "old\r\n")
    assert p.read_bytes() == b"old\r\n"  # line ends as given
    atomic_write_text(p, "new\n")
    assert p.read_text() == "new\n"

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(p, "half")
    assert p.read_text() == "new\n" and [x.name for x in tmp_path.iterdir()] == ["lock.json"]


def test_weight_files_are_safetensors_unless_pickle_is_allowed(tmp_path, tiny_models):  # noqa: F811
    ck = tmp_path / "ck"
    shutil.copytree(tiny_models.classifier, ck)
    files, safe = weight_files(ck)
    assert safe and [f.name for f in files] == ["model.safetensors"]
    (ck / "model.safetensors").rename(ck / "pytorch_model.bin")
    with pytest.raises(CheckpointFilesError, match="only pickle weights .*--allow-pickle"):
        weight_files(ck)
    assert weight_files(ck, allow_pickle=True) == ([ck / "pytorch_model.bin"], False)


def test_one_fingerprint_for_harness_and_lex_mlm(tmp_path, tiny_models):  # noqa: F811
    """harness.models.fingerprint is perturb.checkpoint.fingerprint; lex.mlm's 8-digit id is its prefix (so
    _mlm.model_fingerprint can call it without changing a signature). A tokenizer change changes it."""
    from harness.models import fingerprint as harness_fingerprint
    from perturb.ops.lex._mlm import model_fingerprint

    mlm = tmp_path / "mlm"
    shutil.copytree(tiny_models.mlm, mlm)
    weights = sorted(mlm.glob("*.safetensors"))
    fp = fingerprint(mlm, weights)
    assert harness_fingerprint(mlm, weights) == fp and model_fingerprint(mlm) == fp[:8]
    tok = next(mlm / n for n in ("tokenizer.json", "tokenizer_config.json") if (mlm / n).is_file())
    tok.write_bytes(tok.read_bytes() + b" ")
    assert fingerprint(mlm, weights) != fp
