"""Attack-set integrity: any changed byte, row or file is caught by every reader; hostile sets, concurrent runs and
full disks fail cleanly."""
from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.cli import main
from perturb import integrity
from perturb.attackset import dump_manifest, merge_shards, read_attack_set
from perturb.engine import generate
from perturb.errors import InputError, UsageError
from tinymodels import tiny_models  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
LANGS = "en,hi,th,zh"
OPS = "char.swap,logic.negate,lex.translit"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, sample_data):
    out = tmp_path_factory.mktemp("integrity") / "set"
    generate(task="xnli", data=sample_data / "xnli", langs=LANGS, recipe="default", seed=5, out=out)
    return out


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _data_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.jsonl"))


def test_a_fresh_set_verifies_and_records_every_file(pristine):
    aset = read_attack_set(pristine)
    files = aset.manifest["integrity"]["files"]
    assert set(files) == {p.relative_to(pristine).as_posix() for p in _data_files(pristine)}
    for rel, rec in files.items():
        assert rec["rows"] == len((pristine / rel).read_bytes().splitlines())
    assert aset.verified and len(aset.content_hash) == 16


# --- tampering: a fuzz over real attack sets ---------------------------------------------------------------

def _mutate(root: Path, how: str, rnd: random.Random) -> Path:
    """Apply one kind of tampering; return the file the error must name."""
    files = _data_files(root)
    path = rnd.choice([p for p in files if p.stat().st_size])
    data = bytearray(path.read_bytes())
    lines = data.splitlines(keepends=True)
    if how == "byte":
        i = rnd.randrange(len(data))
        data[i] = (data[i] + rnd.randrange(1, 256)) % 256
        path.write_bytes(bytes(data))
    elif how == "drop_row":
        del lines[rnd.randrange(len(lines))]
        path.write_bytes(b"".join(lines))
    elif how == "add_row":
        lines.insert(rnd.randrange(len(lines) + 1), lines[rnd.randrange(len(lines))])
        path.write_bytes(b"".join(lines))
    elif how == "truncate":
        path.write_bytes(bytes(data[: rnd.randrange(len(data))]))
    elif how == "label":
        row = json.loads(lines[0])
        row["label"] = {"contradiction": "entailment"}.get(row["label"], "contradiction")
        lines[0] = (json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(", ", ": ")) + "\n").encode()
        path.write_bytes(b"".join(lines))
    elif how == "delete_file":
        path.unlink()
    elif how == "extra_file":
        path = path.parent / "char.extra.jsonl"
        path.write_bytes(lines[0])
    elif how == "manifest_counts":
        m = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        op = sorted(m["counts"])[0]
        lang = sorted(m["counts"][op])[0]
        m["counts"][op][lang]["applied"] += 1
        path = root / "manifest.json"
        path.write_text(dump_manifest(m), encoding="utf-8")
    elif how == "manifest_table":
        m = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        rel = sorted(m["integrity"]["files"])[0]
        m["integrity"]["files"][rel]["rows"] += 1
        path = root / "manifest.json"
        path.write_text(dump_manifest(m), encoding="utf-8")
    return path


KINDS = ["byte", "drop_row", "add_row", "truncate", "label", "delete_file", "extra_file", "manifest_counts",
         "manifest_table"]


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(KINDS), seed=st.integers(0, 2**32))
def test_any_tampering_is_caught_naming_the_file(pristine, tmp_path_factory, how, seed):
    root = _copy(pristine, tmp_path_factory.mktemp("t") / "set")
    culprit = _mutate(root, how, random.Random(seed))
    with pytest.raises(InputError) as e:
        read_attack_set(root)
    assert str(culprit.relative_to(root)) in str(e.value) or culprit.name in str(e.value), str(e.value)
    read_attack_set(root, verify=False)  # --no-verify still opens it (the caller records that it did not check)


def test_every_reader_refuses_a_changed_set(pristine, tmp_path, capsys):
    root = _copy(pristine, tmp_path / "set")
    path = root / "xnli" / "hi" / "char.swap.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # the last row lost, as by an interrupted scp
    for argv in (["export", "--attacks", str(root), "--to", "csv", "--out", str(tmp_path / "exp")],
                 ["merge", str(root), "--out", str(tmp_path / "merged")],
                 ["score", "--attacks", str(root), "--model", "m=none", "--out", str(tmp_path / "scores"),
                  "--cache", "none", "--no-progress"],
                 ["audit", "sample", "--attacks", str(root), "--per", "1", "--seed", "1", "--out",
                  str(tmp_path / "sheet")],
                 ["ls", str(root)]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "char.swap.jsonl" in err and "rows" in err, err
    assert not (tmp_path / "exp").exists() and not (tmp_path / "merged").exists()
    assert not (tmp_path / "scores" / "results.json").exists() and not list(tmp_path.glob("sheet*"))
    import harness

    with pytest.raises(InputError, match="char.swap.jsonl"):
        harness.evaluate(model={"m": "none"}, attacks=root)


def test_verification_is_streamed_and_names_the_cost(pristine):
    # Verification reads each file once in 1 MiB blocks: the cost is one sha256 pass over the set.
    total = sum(p.stat().st_size for p in _data_files(pristine))
    assert total > 0
    read_attack_set(pristine)


# --- hostile attack-set directories -------------------------------------------------------------------------

def _resign(root: Path, edit=None) -> None:
    m = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if edit:
        edit(m)
    integrity.record(root, m)
    (root / "manifest.json").write_text(dump_manifest(m), encoding="utf-8")


def test_symlink_out_of_the_set_is_refused(pristine, tmp_path):
    root = _copy(pristine, tmp_path / "set")
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"x": 1}\n', encoding="utf-8")
    target = root / "xnli" / "en" / "char.swap.jsonl"
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(InputError, match="symbolic link"):
        read_attack_set(root)
    with pytest.raises(InputError, match="symbolic link"):
        list(read_attack_set(root, verify=False).rows("en", "char.swap"))


def test_manifest_paths_outside_the_set_are_refused(pristine, tmp_path):
    for bad in ("../outside.jsonl", "/etc/passwd", "xnli/../../x.jsonl", "xnli\\en\\clean.jsonl"):
        root = _copy(pristine, tmp_path / f"set{abs(hash(bad))}")

        def add(m, bad=bad):
            m["integrity"] = {"files": {bad: {"sha256": "0" * 64, "rows": 1}}}

        m = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        add(m)
        m["integrity"]["content_hash"] = integrity.content_hash(m["integrity"]["files"])
        m["integrity"]["manifest_sha256"] = integrity.manifest_hash(m)
        (root / "manifest.json").write_text(dump_manifest(m), encoding="utf-8")
        with pytest.raises(InputError, match="unsafe path"):
            read_attack_set(root)


def test_names_with_dotdot_in_the_reader_are_refused(pristine):
    aset = read_attack_set(pristine)
    with pytest.raises(InputError, match="unsafe path"):
        list(aset.rows("..", "manifest"))


def test_huge_line_is_refused_without_reading_it_whole(pristine, tmp_path, monkeypatch):
    root = _copy(pristine, tmp_path / "set")
    monkeypatch.setattr(integrity, "MAX_LINE_BYTES", 4096)
    path = root / "xnli" / "en" / "char.swap.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"id": "' + b"x" * 10_000 + b'"}\n')
    _resign(root)  # a consistent manifest: only the line length gives it away
    aset = read_attack_set(root)
    with pytest.raises(InputError, match="longer than 4096 bytes"):
        list(aset.rows("en", "char.swap"))


def test_huge_manifest_is_refused(pristine, tmp_path, monkeypatch):
    import perturb.attackset as A

    root = _copy(pristine, tmp_path / "set")
    monkeypatch.setattr(A, "MAX_MANIFEST_BYTES", 100)
    with pytest.raises(InputError, match="larger than"):
        read_attack_set(root)


def test_a_set_without_file_hashes_says_how_to_proceed(pristine, tmp_path):
    root = _copy(pristine, tmp_path / "set")
    m = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    del m["integrity"]
    (root / "manifest.json").write_text(dump_manifest(m), encoding="utf-8")
    with pytest.raises(InputError, match="records no file hashes.*--no-verify"):
        read_attack_set(root)
    assert not read_attack_set(root, verify=False).verified


# --- merge re-signs the joined set ---------------------------------------------------------------------------

def test_merged_shards_verify_and_equal_a_single_run(sample_data, tmp_path, pristine):
    parts = []
    for i in (1, 2):
        parts.append(tmp_path / f"p{i}")
        generate(task="xnli", data=sample_data / "xnli", langs=LANGS, recipe="default", seed=5, out=parts[-1],
                 shard=f"{i}/2")
    merged = merge_shards(parts, tmp_path / "m")
    assert merged["integrity"] == json.loads((pristine / "manifest.json").read_text())["integrity"]
    read_attack_set(tmp_path / "m")


# --- concurrent runs -----------------------------------------------------------------------------------------

def test_two_runs_with_the_same_out_one_wins_nothing_mixed(sample_data, tmp_path):
    out = tmp_path / "same"
    cmd = [sys.executable, "-m", "harness.cli", "perturb", "--task", "xnli", "--data", str(sample_data / "xnli"),
           "--langs", LANGS, "--ops", OPS, "--out", str(out), "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen(cmd + ["--seed", str(s)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for s in (1, 2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    codes = sorted(rc for rc, _ in results)
    assert codes == [0, 2], results
    loser = next(err for rc, err in results if rc == 2)
    assert "being written by another xstress run" in loser or "already exists" in loser, loser
    aset = read_attack_set(out)  # the winner's set, whole: every file verifies against its one manifest
    assert aset.manifest["seed"] in (1, 2)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".same.")]


def test_a_second_run_fails_at_once_while_the_first_holds_the_lock(sample_data, tmp_path):
    from perturb.attackset import atomic_dir

    with atomic_dir(tmp_path / "busy"):
        with pytest.raises(UsageError, match="being written by another xstress run"):
            generate(task="xnli", data=sample_data / "xnli", langs="en", recipe="default", out=tmp_path / "busy")
    assert not (tmp_path / "busy").exists() or not any((tmp_path / "busy").iterdir())


# --- a full disk ---------------------------------------------------------------------------------------------

def test_perturb_on_a_full_disk_leaves_nothing_and_says_so(sample_data, tmp_path, monkeypatch, capsys):
    import perturb.engine as E

    real = E.perturbed_line
    calls = {"n": 0}

    def full(*a, **k):
        calls["n"] += 1
        if calls["n"] > 25:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "o" / "xnli" / "en"))
        return real(*a, **k)

    monkeypatch.setattr(E, "perturbed_line", full)
    rc = main(["perturb", "--task", "xnli", "--data", str(sample_data / "xnli"), "--langs", "en",
               "--ops", OPS, "--out", str(tmp_path / "o"), "--quiet", "--workers", "1"])
    err = capsys.readouterr().err
    assert rc == 2 and "No space left on device" in err and "Traceback" not in err, err
    assert err.count("\n") == 1
    assert not (tmp_path / "o").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".o.")]


def test_export_on_a_full_disk_leaves_nothing(pristine, tmp_path, monkeypatch, capsys):
    import harness.export.csvfmt as fmt

    real = fmt.write_text
    calls = {"n": 0}

    def full(path, text):
        calls["n"] += 1
        if calls["n"] > 2:  # two files written, the third hits the full disk
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, text)

    monkeypatch.setattr(fmt, "write_text", full)
    rc = main(["export", "--attacks", str(pristine), "--to", "csv", "--out", str(tmp_path / "e")])
    err = capsys.readouterr().err
    assert calls["n"] == 3 and rc == 2 and "No space left on device" in err and "Traceback" not in err, err
    assert not (tmp_path / "e").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".e.")]


def test_no_verify_is_explicit_and_recorded(pristine, tmp_path):
    root = _copy(pristine, tmp_path / "set")
    path = root / "xnli" / "en" / "char.swap.jsonl"
    text = path.read_text(encoding="utf-8")
    at = text.index('"hypothesis": "') + len('"hypothesis": "')  # a changed character of a field, not of a key
    path.write_text(text[:at] + "#" + text[at + 1:], encoding="utf-8")
    assert main(["export", "--attacks", str(root), "--to", "csv", "--out", str(tmp_path / "e")]) == 2
    assert main(["export", "--attacks", str(root), "--to", "csv", "--out", str(tmp_path / "e"), "--no-verify",
                 "--quiet"]) == 0
    doc = json.loads((tmp_path / "e" / "export.json").read_text(encoding="utf-8"))
    assert doc["attack_set"]["verified"] is False
    assert doc["attack_set"]["content_hash"] == json.loads(
        (root / "manifest.json").read_text(encoding="utf-8"))["integrity"]["content_hash"]


# --- results carry their inputs' identity --------------------------------------------------------------------

def test_results_cite_the_set_and_refuse_hand_edits(pristine, tmp_path, tiny_models, capsys):
    out = tmp_path / "scores"
    base = ["score", "--attacks", str(pristine), "--model", f"m={tiny_models.classifier}", "--cache", "none",
            "--device", "cpu", "--no-progress", "--langs", "en", "--ops", "char.swap", "--bootstrap", "50"]
    assert main(base + ["--out", str(out)]) == 0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    content = json.loads((pristine / "manifest.json").read_text(encoding="utf-8"))["integrity"]["content_hash"]
    assert doc["attack_set"]["content_hash"] == content and doc["attack_set"]["verified"] is True
    assert f"|set:{content[:16]}|" in doc["signature"] and doc["models"][0]["fingerprint"]
    assert "files verified against the manifest" in (out / "summary.md").read_text(encoding="utf-8")
    assert main(["report", "--results", str(out), "--out", str(tmp_path / "rep")]) == 0
    # A hand edit of any number is refused by `xstress report`.
    doc["cells"][0]["delta"] = 0.5
    (out / "results.json").write_text(json.dumps(doc), encoding="utf-8")
    capsys.readouterr()
    assert main(["report", "--results", str(out), "--out", str(tmp_path / "rep2")]) == 2
    assert "was changed after xstress wrote it" in capsys.readouterr().err
    # --no-verify is recorded in the results and the summary.
    assert main(base + ["--out", str(tmp_path / "nv"), "--no-verify"]) == 0
    nv = json.loads((tmp_path / "nv" / "results.json").read_text(encoding="utf-8"))
    assert nv["attack_set"]["verified"] is False and "(unverified)" in nv["signature"]
    assert "NOT verified (--no-verify)" in (tmp_path / "nv" / "summary.md").read_text(encoding="utf-8")


def test_score_on_a_full_disk_keeps_committed_batches_and_resumes(pristine, tmp_path, tiny_models, monkeypatch,
                                                                 capsys):
    """ENOSPC while scoring: one line, no results or partial predictions in --out; the cache keeps every batch
    committed before the failure, and the rerun scores only the rest."""
    import harness.cache as C

    real = C.PredictionCache.put_batch
    calls = {"n": 0}

    def full(self, ns, keys, probs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.path))
        return real(self, ns, keys, probs)

    cache = tmp_path / "cache.sqlite"
    argv = ["score", "--attacks", str(pristine), "--model", f"m={tiny_models.classifier}", "--cache", str(cache),
            "--device", "cpu", "--no-progress", "--langs", "en,hi", "--bootstrap", "50", "--batch-tokens", "64",
            "--out", str(tmp_path / "o")]
    monkeypatch.setattr(C.PredictionCache, "put_batch", full)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err and err.count("\n") == 1, err
    out = tmp_path / "o"
    assert not (out / "results.json").exists()
    assert not [p for p in out.rglob("*") if p.is_file()], list(out.rglob("*"))  # no partial files
    with C.PredictionCache(cache) as c:
        kept = c.count()
    assert kept > 0  # the three batches committed before the failure
    monkeypatch.setattr(C.PredictionCache, "put_batch", real)
    assert main(argv) == 0
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["models"][0]["scoring"]["cache_hits"] == kept


def test_fetch_on_a_full_disk_leaves_nothing(tmp_path, monkeypatch, capsys):
    from test_fetch import xnli_zip

    archive = tmp_path / "XNLI-1.0.zip"
    xnli_zip(archive)
    real_write = Path.write_text
    written = {"n": 0}

    def full_write(self, *a, **k):  # the unpacking of XNLI's TSVs writes through Path.write_text
        if str(self).startswith(str(tmp_path)):
            written["n"] += 1
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", full_write)
    rc = main(["fetch", "xnli", "--out", str(tmp_path / "data"), "--data", str(archive), "--sha256",
               hashlib_sha(archive)])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert written["n"] >= 1 and rc == 2 and "No space left on device" in err and "Traceback" not in err, err
    data = tmp_path / "data"
    leftovers = [p for p in data.rglob("*") if p.is_file()] if data.exists() else []
    assert not leftovers and not [p for p in tmp_path.iterdir() if p.name.startswith(".data")], leftovers


def hashlib_sha(path):
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
