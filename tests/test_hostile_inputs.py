"""Hostile input files and bad flags through the `xstress` CLI: one clear error, a non-zero exit, no output.

The corpus lives in tests/fixtures/hostile/ (written by its make_corpus.py; committed byte for byte, see its
.gitattributes); the few large files are made here at run time. Each hostile file is the *second* language
of a run, so the first language's files are already written into the temporary directory when the error
comes: the test proves that nothing of them survives.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "fixtures" / "hostile"
SAMPLE = HERE.parent / "data"
LINE = re.compile(r"^xstress (?P<cmd>\w+): error: (?P<where>.+?): (?P<msg>.+)$")


def _xnli_dir(tmp_path: Path, name: str, content: bytes, *, layout: str = "tsv") -> Path:
    """A data directory: valid sample English first, then `content` as German in the given layout."""
    data = tmp_path / "data"
    (data / "test").mkdir(parents=True)
    (data / "test" / "en.tsv").write_bytes((SAMPLE / "xnli" / "test" / "en.tsv").read_bytes())
    target = {"tsv": data / "test" / "de.tsv", "hf": data / "test" / "de.jsonl"}[layout]
    target.write_bytes(content)
    return data


def _xcopa_dir(tmp_path: Path, content: bytes) -> Path:
    data = tmp_path / "data"
    (data / "et").mkdir(parents=True)
    (data / "et" / "test.jsonl").write_bytes((SAMPLE / "xcopa" / "et" / "test.jsonl").read_bytes())
    (data / "id").mkdir()
    (data / "id" / "test.jsonl").write_bytes(content)
    return data


def run_cli(capsys, args) -> tuple[int, list[str], str]:
    rc = main(args)
    cap = capsys.readouterr()
    return rc, cap.err.splitlines(), cap.out


def assert_one_error(rc, err, *, where: str, needle: str, cmd: str = "perturb"):
    assert rc != 0, "a hostile input must fail the run"
    assert len(err) == 1, f"expected exactly one stderr line, got {err}"
    m = LINE.match(err[0])
    assert m and m["cmd"] == cmd, err[0]
    assert m["where"] == where, f"error names {m['where']!r}, expected {where!r}"
    assert needle in m["msg"], f"{needle!r} not in {m['msg']!r}"


def assert_no_output(out: Path):
    assert not out.exists(), f"{out} was left behind"
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert not leftovers, f"temporary output left behind: {leftovers}"


# (fixture file, task/layout, line the error must name (None: the whole file), text the message must hold)
CASES = [
    ("wrong_columns.tsv", "tsv", 4, "expected 3 tab-separated columns, found 2"),
    ("bad_label.tsv", "tsv", 3, "bad label 'maybe'"),
    ("bad_header.tsv", "tsv", 1, "is not premise<TAB>hypothesis<TAB>label"),
    ("non_utf8.tsv", "tsv", 5, "not valid UTF-8"),
    ("utf16.tsv", "tsv", 1, "not valid UTF-8"),
    ("empty.tsv", "tsv", None, "empty file"),
    ("header_only.tsv", "tsv", None, "holds no examples"),
    ("blank_line.tsv", "tsv", 4, "empty line"),
    ("control_nul.tsv", "tsv", 3, "unexpected control character U+0000"),
    ("control_esc.tsv", "tsv", 4, "unexpected control character U+001B"),
    ("control_c1.tsv", "tsv", 5, "unexpected control character U+0085"),
    ("control_vt.tsv", "tsv", 3, "unexpected control character U+000B"),
    ("bare_cr.tsv", "tsv", 3, "unexpected control character U+000D"),
    ("hf_bad_label.jsonl", "hf", 3, "bad label '2'"),
    ("xcopa_duplicate_idx.jsonl", "xcopa", 3, "duplicate idx 1 (first on line 2)"),
    ("xcopa_lone_surrogate.jsonl", "xcopa", 2, "lone surrogate"),
    ("xcopa_float_label.jsonl", "xcopa", 2, "bad label 1.0"),
    ("xcopa_duplicate_key.jsonl", "xcopa", 2, "key 'premise' appears twice"),
    ("xcopa_not_json.jsonl", "xcopa", 2, "not valid JSON"),
    ("xcopa_array.jsonl", "xcopa", 2, "expected a JSON object"),
    ("xcopa_bad_question.jsonl", "xcopa", 2, "bad question 'why'"),
]


def _generated(name: str) -> bytes:
    row = "a\tb\tneutral\n"
    head = "premise\thypothesis\tlabel\n" + row
    if name == "huge_field.tsv":  # one character over the loader's limit
        return (head + "p\t" + "x" * 20_001 + "\tneutral\n").encode()
    if name == "past_csv_limit.tsv":  # past csv's own field_size_limit (131,072): csv.Error, not a traceback
        return (head + "p\t" + "y" * 200_000 + "\tneutral\n").encode()
    if name == "huge_field.jsonl":
        ok = json.dumps({"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": 0, "idx": 0})
        big = json.dumps({"premise": "z" * 150_000, "choice1": "a", "choice2": "b", "question": "cause",
                          "label": 0, "idx": 1})
        return (ok + "\n" + big + "\n").encode()
    if name == "deep_nesting.jsonl":  # json's recursion limit: RecursionError, not a traceback
        ok = json.dumps({"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": 0, "idx": 0})
        return (ok + "\n" + "[" * 100_000 + "]" * 100_000 + "\n").encode()
    raise KeyError(name)


GENERATED = [
    ("huge_field.tsv", "tsv", 3, "field of 20001 characters exceeds the limit of 20000"),
    ("past_csv_limit.tsv", "tsv", 3, "field larger than field limit"),
    ("huge_field.jsonl", "xcopa", 2, "exceeds the limit of 20000"),
    ("deep_nesting.jsonl", "xcopa", 2, "nested too deeply"),
]


@pytest.mark.parametrize("name, layout, line, needle", CASES + GENERATED, ids=[c[0] for c in CASES + GENERATED])
def test_hostile_file_one_error_no_output(tmp_path, capsys, name, layout, line, needle):
    content = (CORPUS / name).read_bytes() if (CORPUS / name).is_file() else _generated(name)
    if layout == "xcopa":
        data = _xcopa_dir(tmp_path, content)
        bad, task, langs = data / "id" / "test.jsonl", "xcopa", "et,id"
    else:
        data = _xnli_dir(tmp_path, name, content, layout=layout)
        bad = data / "test" / ("de.jsonl" if layout == "hf" else "de.tsv")
        task, langs = "xnli", "en,de"
    out = tmp_path / "atk"
    rc, err, stdout = run_cli(capsys, ["perturb", "--task", task, "--data", str(data), "--langs", langs,
                                       "--ops", "char.swap", "--out", str(out), "--quiet"])
    where = f"{bad}:{line}" if line is not None else str(bad)
    assert_one_error(rc, err, where=where, needle=needle)
    assert rc == 2 and stdout == ""
    assert_no_output(out)


def test_corpus_files_are_the_ones_the_generator_writes():
    # Guards against an editor or a git eol setting rewriting the bytes (BOM, CRLF, NUL, bare CR).
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name, data in mod.FILES.items():
        assert (CORPUS / name).read_bytes() == data, f"{name} differs from make_corpus.py's bytes"
    assert {n for n, *_ in CASES} <= set(mod.FILES)


# --- accepted and normalised: BOM, CRLF, XTREME's own layout -------------------------------------------------

def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _without_source_hash(manifest: bytes) -> dict:
    m = json.loads(manifest)
    m["integrity"].pop("manifest_sha256")  # a hash over the source hashes; the data files' hashes must agree
    for src in m["sources"].values():
        src.pop("sha256")
        src.pop("file")
        src.pop("format")
    for per_lang in m["counts"].values():
        for c in per_lang.values():
            c["signature"] = c["signature"].rsplit("@", 1)[0]
    return m


def _perturb(capsys, task, data, split, langs, out, *extra):
    rc, err, _ = run_cli(capsys, ["perturb", "--task", task, "--data", str(data), "--split", split, "--langs", langs,
                                  "--ops", "char.swap,char.delete", "--out", str(out), "--quiet", *extra])
    assert rc == 0 and not err, err
    return _tree(out)


@pytest.mark.parametrize("variant, layout", [
    ("ok_bom_crlf.tsv", "canonical"),        # BOM + CRLF in the canonical layout
    ("ok_xtreme_crlf.tsv", "xtreme"),         # XTREME's download file: no header, CRLF
])
def test_bom_and_crlf_give_the_same_attack_set(tmp_path, capsys, variant, layout):
    ref_data = tmp_path / "ref"
    (ref_data / "dev").mkdir(parents=True)
    (ref_data / "dev" / "de.tsv").write_bytes((CORPUS / "ok_lf.tsv").read_bytes())
    var_data = tmp_path / "var"
    target = var_data / "dev" / "de.tsv" if layout == "canonical" else var_data / "dev-de.tsv"
    target.parent.mkdir(parents=True)
    target.write_bytes((CORPUS / variant).read_bytes())
    ref = _perturb(capsys, "xnli", ref_data, "dev", "de", tmp_path / "o1")
    got = _perturb(capsys, "xnli", var_data, "dev", "de", tmp_path / "o2")
    assert set(got) == set(ref)
    for rel in ref:
        if rel == "manifest.json":
            assert _without_source_hash(got[rel]) == _without_source_hash(ref[rel])
        else:
            assert got[rel] == ref[rel], f"{rel} differs between LF and {variant}"
    clean = [json.loads(l) for l in got["xnli/de/clean.jsonl"].decode().splitlines()]
    assert len(clean) == 4 and all("\r" not in v and "\ufeff" not in v for r in clean for v in r["fields"].values())


def test_xcopa_bom_and_crlf_give_the_same_attack_set(tmp_path, capsys):
    trees = []
    for i, name in enumerate(("ok_xcopa_lf.jsonl", "ok_xcopa_bom_crlf.jsonl")):
        data = tmp_path / f"d{i}"
        (data / "et").mkdir(parents=True)
        (data / "et" / "test.jsonl").write_bytes((CORPUS / name).read_bytes())
        trees.append(_perturb(capsys, "xcopa", data, "test", "et", tmp_path / f"o{i}"))
    assert trees[0].keys() == trees[1].keys()
    for rel in trees[0]:
        if rel != "manifest.json":
            assert trees[0][rel] == trees[1][rel], rel


def test_labels_file_with_crlf_for_xtreme_test_file(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    rows = (CORPUS / "ok_xtreme_crlf.tsv").read_bytes().decode().splitlines()
    (data / "test-de.tsv").write_bytes("".join(r.rsplit("\t", 1)[0] + "\r\n" for r in rows).encode())
    tree = _perturb(capsys, "xnli", data, "test", "de", tmp_path / "o", "--labels", str(CORPUS / "labels_ok.txt"))
    labels = [json.loads(l)["label"] for l in tree["xnli/de/clean.jsonl"].decode().splitlines()]
    assert labels == ["neutral", "contradiction", "entailment", "entailment"]


def test_labels_never_silently_override_or_vanish(tmp_path, capsys):
    # A file with its own gold labels plus --labels: refusing is the only answer that cannot be silently wrong.
    data = _xnli_dir(tmp_path, "x", (CORPUS / "ok_lf.tsv").read_bytes())
    labels = CORPUS / "labels_ok.txt"
    out = tmp_path / "o"
    rc, err, _ = run_cli(capsys, ["perturb", "--task", "xnli", "--data", str(data), "--langs", "de", "--ops",
                                  "char.swap", "--labels", str(labels), "--out", str(out), "--quiet"])
    assert_one_error(rc, err, where=f"{data / 'test' / 'de.tsv'}:1", needle="has its own label column")
    assert_no_output(out)
    xc = _xcopa_dir(tmp_path / "x", (CORPUS / "ok_xcopa_lf.jsonl").read_bytes())
    rc, err, _ = run_cli(capsys, ["perturb", "--task", "xcopa", "--data", str(xc), "--langs", "id", "--ops",
                                  "char.swap", "--labels", str(labels), "--out", str(out), "--quiet"])
    assert_one_error(rc, err, where=str(xc / "id" / "test.jsonl"), needle="carry their own labels")
    assert_no_output(out)


# --- bad flags ----------------------------------------------------------------------------------------------

RECIPES = {
    "rate_high": "perturbations:\n  - {op: char.swap, params: {rate: 1.5}}\n",
    "rate_negative": "perturbations:\n  - {op: char.swap, params: {rate: -0.1}}\n",
    "rate_nan": "perturbations:\n  - {op: char.swap, params: {rate: .nan}}\n",
    "rate_bool": "perturbations:\n  - {op: char.swap, params: {rate: true}}\n",
    "empty": "perturbations: []\n",
    "bad_yaml": "perturbations: [\n  - {op: char.swap\n",
    "dotdot_name": "perturbations:\n  - {op: char.swap, as: '..'}\n",
    "hidden_name": "perturbations:\n  - {op: char.swap, as: .hidden}\n",
    "nul_name": 'perturbations:\n  - {op: char.swap, as: "a\\0b"}\n',
    "fields_string": "perturbations:\n  - {op: char.swap, fields: {xnli: premise}}\n",
}

FLAGS = [
    (["--ops", "char.swp"], "--ops", "Did you mean 'char.swap'"),
    (["--ops", "swap"], "--ops", "Did you mean 'char.swap'"),
    (["--ops", ""], "--ops", "no perturbation given"),
    (["--ops", " , "], "--ops", "no perturbation given"),
    (["--langs", "de,xx"], "--langs", "unknown language 'xx' (not in xnli)"),
    (["--langs", ""], "--langs", "no language given"),
    (["--shard", "3/2"], "--shard", "need 1 <= i <= n"),
    (["--shard", "0/2"], "--shard", "need 1 <= i <= n"),
    (["--shard", "1/0"], "--shard", "need 1 <= i <= n"),
    (["--shard", "half"], "--shard", "expected i/n"),
    (["--seed", "-1"], "--seed", "must be >= 0"),
    (["--workers", "0"], "--workers", "expected 'auto' or an integer >= 1"),
    (["--recipe", "nosuch"], "--recipe", "unknown recipe 'nosuch'"),
    (["--recipe", "rate_high"], "--recipe", "rate must be a number in [0, 1], got 1.5"),
    (["--recipe", "rate_negative"], "--recipe", "rate must be a number in [0, 1], got -0.1"),
    (["--recipe", "rate_nan"], "--recipe", "rate must be a number in [0, 1], got nan"),
    (["--recipe", "rate_bool"], "--recipe", "rate must be a number in [0, 1], got True"),
    (["--recipe", "empty"], "--recipe", "lists no perturbations"),
    (["--recipe", "bad_yaml"], "--recipe", "not valid YAML"),
    (["--recipe", "dotdot_name"], "--recipe", "bad output name '..'"),
    (["--recipe", "hidden_name"], "--recipe", "bad output name '.hidden'"),
    (["--recipe", "nul_name"], "--recipe", "bad output name"),
    (["--recipe", "fields_string"], "--recipe", "must be a list"),
    (["--data", "/nonexistent/xnli"], "--data", "does not exist"),
    (["--labels", "/nonexistent/labels.txt"], "/nonexistent/labels.txt", "file not found"),
]


@pytest.mark.parametrize("extra, flag, needle", FLAGS, ids=[" ".join(f[0]) or "empty" for f in FLAGS])
def test_bad_flag_one_error_no_output(tmp_path, capsys, extra, flag, needle):
    extra = list(extra)
    if extra[0] == "--recipe" and extra[1] in RECIPES:
        path = tmp_path / f"{extra[1]}.yaml"
        path.write_text(RECIPES[extra[1]], encoding="utf-8")
        extra[1] = str(path)
    args = ["perturb", "--task", "xnli", "--data", str(SAMPLE / "xnli"), "--langs", "de", "--out",
            str(tmp_path / "o"), "--quiet"]
    # later flags win in argparse, so a bad --data/--langs replaces the good one
    if "--recipe" not in extra and "--ops" not in extra:
        extra += ["--ops", "char.swap"]
    rc, err, _ = run_cli(capsys, args + extra)
    assert rc == 2 and len(err) == 1, err
    assert err[0].startswith("xstress perturb: error: ") and needle in err[0], err[0]
    assert flag in err[0][:err[0].index(needle)], f"the error does not name {flag}: {err[0]}"
    assert_no_output(tmp_path / "o")


def test_score_with_a_missing_attack_set_is_one_line(tmp_path, capsys):
    rc, err, _ = run_cli(capsys, ["score", "--attacks", str(tmp_path / "nope"), "--model", f"m={tmp_path}",
                                  "--out", str(tmp_path / "r"), "--cache", "none"])
    assert rc == 2 and len(err) == 1 and err[0].startswith("xstress score: error: "), err
    assert not (tmp_path / "r").exists()


def test_failed_run_leaves_an_existing_empty_out_dir_alone(tmp_path, capsys):
    # A job script that made the directory beforehand finds it as it was (and still empty) after a failure.
    data = _xnli_dir(tmp_path, "x", (CORPUS / "bad_label.tsv").read_bytes())
    out = tmp_path / "atk"
    out.mkdir()
    rc, err, _ = run_cli(capsys, ["perturb", "--task", "xnli", "--data", str(data), "--langs", "en,de", "--ops",
                                  "char.swap", "--out", str(out), "--quiet"])
    assert rc == 2 and len(err) == 1
    assert out.is_dir() and not any(out.iterdir())
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".atk.")]
    (data / "test" / "de.tsv").write_bytes((CORPUS / "ok_lf.tsv").read_bytes())
    rc, err, _ = run_cli(capsys, ["perturb", "--task", "xnli", "--data", str(data), "--langs", "en,de", "--ops",
                                  "char.swap", "--out", str(out), "--quiet"])
    assert rc == 0 and (out / "manifest.json").is_file()


def test_out_that_is_a_file_is_refused_even_with_overwrite(tmp_path, capsys):
    out = tmp_path / "atk"
    out.write_text("precious")
    rc, err, _ = run_cli(capsys, ["perturb", "--task", "xnli", "--data", str(SAMPLE / "xnli"), "--langs", "de",
                                  "--ops", "char.swap", "--out", str(out), "--quiet", "--overwrite"])
    assert rc == 2 and len(err) == 1 and "is not a directory" in err[0], err
    assert out.read_text() == "precious"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".atk.")]


def test_real_files_as_xtreme_crlf_downloads_read_the_same(real_data, tmp_path):
    # XTREME ships CRLF files without a header (test files without labels); the real Greek and Chinese files
    # carry U+001D and U+0008 inside sentences. Rewritten that way they must load to the very same examples.
    from perturb.loaders import load

    for lang in ("el", "zh"):
        canonical = load(task="xnli", data=real_data / "xnli", split="test", langs=lang)[lang]
        lines = (real_data / "xnli" / "test" / f"{lang}.tsv").read_bytes().decode("utf-8").split("\n")[1:]
        rows = [line.split("\t") for line in lines if line]
        (tmp_path / f"test-{lang}.tsv").write_bytes(
            b"\xef\xbb\xbf" + "".join(f"{p}\t{h}\r\n" for p, h, _ in rows).encode("utf-8"))
        (tmp_path / "labels.txt").write_text("".join(f"{l}\r\n" for _, _, l in rows), encoding="utf-8")
        xtreme = load(task="xnli", data=tmp_path, split="test", langs=lang, labels=tmp_path / "labels.txt")[lang]
        assert xtreme == canonical
        control = {"el": "\x1d", "zh": "\x08"}[lang]
        assert any(control in e.fields["premise"] + e.fields["hypothesis"] for e in xtreme)
