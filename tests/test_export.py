"""`xstress export` round trips: write each format, read it back the way the target tool reads it, compare.

XTREME: XTREME-R's XnliProcessor reading (transformers DataProcessor._read_tsv: csv, tab, quotechar=None,
utf-8-sig, universal newlines), XTREME's evaluate.py label reader, XTREME-R's xcopa_data.py JSON-lines reading;
XNLI-1.0: csv.DictReader by column name and by index (transformers' XnliProcessor uses columns 0, 1, 6, 7);
CSV: csv.DictReader. Each must give back exactly the attack set's examples and labels, in order; xstress's own
loaders must read the files too. hf and lm-eval have their own test files (test_export_hf.py,
test_export_lm_eval.py), which reuse the attack sets built here.
"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.export import export_attack_set
from harness.export.common import EXPORT_MANIFEST, sha256_file
from perturb import integrity
from perturb.attackset import dump_manifest, read_attack_set
from perturb.engine import generate
from perturb.example import XNLI_LANGS as XNLI_LANGS_ALL
from perturb.recipe import single_op_recipe
from perturb.example import TASK_FIELDS
from perturb.errors import UsageError
from perturb.schema import parse_id

REPO = Path(__file__).resolve().parent.parent
# Spaced scripts only (Arabic, Devanagari, Latin, Tamil): one segmenter (spaCy) to load keeps the fixtures fast.
XNLI_LANGS = "ar,de,hi"
XCOPA_LANGS = "et,qu,ta"
# Three kinds of entry: label-preserving k=1, k=2 variants (ids repeat), a label-changing op.
XNLI_RECIPE = """name: export-test
perturbations:
  - op: char.swap
    params: {rate: 0.1}
  - op: char.keyboard
    as: kb.k2
    k: 2
  - op: logic.negate
"""
XCOPA_RECIPE = """name: export-test
perturbations:
  - op: char.swap
  - op: char.keyboard
    as: kb.k2
    k: 2
"""


def build_attacks(root: Path, task: str) -> Path:
    recipe = root / f"{task}-recipe.yaml"
    recipe.write_text(XNLI_RECIPE if task == "xnli" else XCOPA_RECIPE, encoding="utf-8")
    out = root / f"{task}-attacks"
    generate(task=task, data=REPO / "data" / task, langs=XNLI_LANGS if task == "xnli" else XCOPA_LANGS,
             recipe=str(recipe), seed=13, out=out)
    return out


def expected(attacks: Path) -> dict[tuple[str, str], list[dict]]:
    """{(lang, name): rows} straight from the attack set; name 'clean' = the source examples (variant 0)."""
    aset = read_attack_set(attacks)
    out = {}
    for lang in aset.langs:
        out[(lang, "clean")] = [{"id": r.id, "variant": 0, "fields": dict(r.fields), "label": r.label}
                                for r in aset.clean(lang)]
        for name in aset.perturbations(lang):
            out[(lang, name)] = [{"id": r.id, "variant": r.variant, "fields": dict(r.fields),
                                  "label": r.label} for r in aset.rows(lang, name)]
    return out


def shared_attacks(tmp_path_factory, task: str) -> Path:
    """Build once per test process: test_export_hf.py and test_export_lm_eval.py reuse the same sets."""
    root = tmp_path_factory.getbasetemp() / f"export-{task}"
    out = root / f"{task}-attacks"
    if not (out / "manifest.json").is_file():
        root.mkdir(exist_ok=True)
        build_attacks(root, task)
    return out


@pytest.fixture(scope="session")
def xnli_attacks(tmp_path_factory) -> Path:
    return shared_attacks(tmp_path_factory, "xnli")


@pytest.fixture(scope="session")
def xcopa_attacks(tmp_path_factory) -> Path:
    return shared_attacks(tmp_path_factory, "xcopa")


def test_fixture_attack_sets_cover_the_interesting_cases(xnli_attacks, xcopa_attacks):
    exp = expected(xnli_attacks)
    m = read_attack_set(xnli_attacks).manifest
    assert set(exp) == {(l, "clean") for l in m["sources"]} | {
        (l, n) for n, per in m["counts"].items() for l, c in per.items() if c["status"] == "ok"}
    negated = exp[("de", "logic.negate")]
    clean = {r["id"]: r for r in exp[("de", "clean")]}
    assert any(r["label"] != clean[r["id"]]["label"] for r in negated)  # labels really change
    assert {r["variant"] for r in exp[("de", "kb.k2")]} == {0, 1}
    assert {r["variant"] for r in expected(xcopa_attacks)[("et", "kb.k2")]} == {0, 1}


# -- XTREME ----------------------------------------------------------------------------------------------------

def xtreme_r_read_tsv(path: Path) -> list[list[str]]:
    # transformers' DataProcessor._read_tsv, which XTREME-R's XnliProcessor calls.
    with open(path, "r", encoding="utf-8-sig") as f:
        return list(csv.reader(f, delimiter="\t", quotechar=None))


def xtreme_r_xnli_examples(data_dir: Path, lang: str, split: str = "test") -> list[tuple[str, str, str]]:
    # XTREME-R third_party/processors/xnli.py XnliProcessor.get_examples: a test file without a third column
    # gets the placeholder label "neutral".
    out = []
    for line in xtreme_r_read_tsv(data_dir / f"{split}-{lang}.tsv"):
        label = "neutral" if split == "test" and len(line) != 3 else line[2].strip()
        out.append((line[0], line[1], label))
    return out


def test_xtreme_xnli_round_trip(xnli_attacks, tmp_path):
    out = tmp_path / "xt"
    doc = export_attack_set(attacks=xnli_attacks, to="xtreme", out=out)
    exp = expected(xnli_attacks)
    assert {(t["lang"], t["name"]) for t in doc["tables"]} == set(exp)
    for (lang, name), rows in exp.items():
        base = out / name
        want = [(r["fields"]["premise"], r["fields"]["hypothesis"], r["label"]) for r in rows]
        # The XTREME test file withholds labels, like XTREME's own; XTREME-R's reader fills in "neutral".
        unlabelled = xtreme_r_xnli_examples(base / "xnli", lang)
        assert [u[:2] for u in unlabelled] == [w[:2] for w in want]
        assert all(len(line) == 2 for line in xtreme_r_read_tsv(base / "xnli" / f"test-{lang}.tsv"))
        assert xtreme_r_xnli_examples(base / "xnli-labelled", lang) == want
        # XTREME evaluate.py read_label: [l.strip() for l in f]
        with open(base / "labels" / "xnli" / f"test-{lang}.tsv") as f:
            assert [l.strip() for l in f] == [w[2] for w in want]
        ids = (base / "ids" / "xnli" / f"test-{lang}.tsv").read_text(encoding="utf-8").splitlines()
        assert ids == [f"{r['id']}\t{r['variant']}" for r in rows]
        raw = (base / "xnli-labelled" / f"test-{lang}.tsv").read_bytes()
        assert raw.count(b"\r\n") == len(rows) == raw.count(b"\n")  # no header, CRLF, as XTREME writes
        assert not raw.startswith(b"\xef\xbb\xbf")


def test_xtreme_xnli_reads_back_with_xstress_loaders(xnli_attacks, tmp_path):
    from perturb.loaders import load

    out = tmp_path / "xt"
    export_attack_set(attacks=xnli_attacks, to="xtreme", out=out, ops=["clean", "logic.negate"])
    aset = read_attack_set(xnli_attacks)
    # The clean export is the source set again: same ids, fields and labels.
    back = load(task="xnli", data=out / "clean" / "xnli-labelled", langs=XNLI_LANGS)
    for lang, examples in back.items():
        assert [e.to_json() for e in examples] == [r.to_json() for r in aset.clean(lang)]
    # The unlabelled file plus the labels file, as `xstress perturb --labels` takes them.
    neg = load(task="xnli", data=out / "logic.negate" / "xnli", langs="de",
               labels=out / "logic.negate" / "labels" / "xnli" / "test-de.tsv")["de"]
    rows = list(aset.rows("de", "logic.negate"))
    assert [(dict(e.fields), e.label) for e in neg] == [(dict(r.fields), r.label) for r in rows]


def test_xtreme_xcopa_round_trip(xcopa_attacks, tmp_path):
    out = tmp_path / "xt"
    export_attack_set(attacks=xcopa_attacks, to="xtreme", out=out)
    for (lang, name), rows in expected(xcopa_attacks).items():
        path = out / name / "xcopa" / f"test-{lang}.jsonl"
        # XTREME-R third_party/xcopa_data/xcopa_data.py _generate_examples: json.loads per line, keyed by idx.
        with open(path, encoding="utf-8") as f:
            back = [json.loads(line) for line in f]
        assert [list(b) for b in back] == [["premise", "choice1", "choice2", "question", "label", "idx",
                                            "changed"]] * len(rows)
        assert [({k: b[k] for k in ("premise", "choice1", "choice2", "question")}, b["label"]) for b in back] == \
               [(r["fields"], r["label"]) for r in rows]
        idx = [b["idx"] for b in back]
        assert len(set(idx)) == len(idx)  # the HF builder would refuse duplicate keys
        if name in ("clean", "char.swap"):
            assert idx == [parse_id(r["id"]).index for r in rows]
        assert path.read_bytes().count(b"\r\n") == len(rows)  # CRLF, like the XCOPA release


def test_xtreme_xcopa_clean_reads_back_with_xstress_loader(xcopa_attacks, tmp_path):
    from perturb.loaders import load

    out = tmp_path / "xt"
    export_attack_set(attacks=xcopa_attacks, to="xtreme", out=out, ops=["clean"])
    aset = read_attack_set(xcopa_attacks)
    back = load(task="xcopa", data=out / "clean" / "xcopa", langs=XCOPA_LANGS)
    for lang, examples in back.items():
        assert [e.to_json() for e in examples] == [r.to_json() for r in aset.clean(lang)]


# -- XNLI-1.0 --------------------------------------------------------------------------------------------------

def test_xnli1_round_trip_by_name_and_by_index(xnli_attacks, tmp_path):
    out = tmp_path / "x1"
    export_attack_set(attacks=xnli_attacks, to="xnli1", out=out)
    exp = expected(xnli_attacks)
    for name in {n for _, n in exp}:
        path = out / name / "XNLI-1.0" / "xnli.test.tsv"
        with open(path, encoding="utf-8", newline="") as f:
            by_name = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        with open(path, encoding="utf-8") as f:
            by_index = [line.rstrip("\n").split("\t") for line in f][1:]
        want = [(lang, r["label"], r["fields"]["premise"], r["fields"]["hypothesis"], f"{r['id']}#{r['variant']}")
                for (lang, n), rows in sorted(exp.items()) if n == name for r in rows]
        assert [(d["language"], d["gold_label"], d["sentence1"], d["sentence2"], d["pairID"]) for d in by_name] == want
        assert [(c[0], c[1], c[6], c[7]) for c in by_index] == [w[:4] for w in want]
        assert all(len(c) == 19 for c in by_index)


def test_xnli1_reads_back_with_xstress_loader(xnli_attacks, tmp_path):
    from perturb.loaders import load

    out = tmp_path / "x1"
    export_attack_set(attacks=xnli_attacks, to="xnli1", out=out, ops=["clean"])
    aset = read_attack_set(xnli_attacks)
    back = load(task="xnli", data=out / "clean" / "XNLI-1.0", langs=XNLI_LANGS)
    for lang, examples in back.items():
        assert [e.to_json() for e in examples] == [r.to_json() for r in aset.clean(lang)]


def test_xnli1_refuses_xcopa(xcopa_attacks, tmp_path):
    with pytest.raises(UsageError, match="xnli1 is XNLI's own format"):
        export_attack_set(attacks=xcopa_attacks, to="xnli1", out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


# -- CSV -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("task", ["xnli", "xcopa"])
def test_csv_round_trip(task, xnli_attacks, xcopa_attacks, tmp_path):
    attacks = xnli_attacks if task == "xnli" else xcopa_attacks
    out = tmp_path / "csv"
    export_attack_set(attacks=attacks, to="csv", out=out)
    for (lang, name), rows in expected(attacks).items():
        with open(out / lang / f"{name}.csv", encoding="utf-8", newline="") as f:
            back = list(csv.DictReader(f))
        fields = list(TASK_FIELDS[task])
        assert list(back[0]) == fields + ["label", "id", "variant"]
        label = (lambda v: v) if task == "xnli" else int
        assert [({k: b[k] for k in fields}, label(b["label"]), b["id"], int(b["variant"])) for b in back] == \
               [(r["fields"], r["label"], r["id"], r["variant"]) for r in rows]


# -- what every format shares ----------------------------------------------------------------------------------

def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["xtreme", "xnli1", "csv"])
def test_bytes_are_deterministic_and_manifest_hashes_every_file(fmt, xnli_attacks, tmp_path):
    a = export_attack_set(attacks=xnli_attacks, to=fmt, out=tmp_path / "a")
    export_attack_set(attacks=xnli_attacks, to=fmt, out=tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert a["files"] == {rel: sha256_file(tmp_path / "a" / rel) for rel in tree(tmp_path / "a")
                          if rel != EXPORT_MANIFEST}
    sig = a["signatures"]["char.swap"]["de"]
    assert sig.startswith("xstress:") and "|op:char.swap|" in sig
    assert json.loads((tmp_path / "a" / EXPORT_MANIFEST).read_text(encoding="utf-8")) == a


def test_selection_and_errors(xnli_attacks, tmp_path):
    doc = export_attack_set(attacks=xnli_attacks, to="csv", out=tmp_path / "sel", langs=["hi"], ops=["kb.k2"])
    assert [(t["lang"], t["name"]) for t in doc["tables"]] == [("hi", "kb.k2")]
    with pytest.raises(UsageError, match="not in the attack set"):
        export_attack_set(attacks=xnli_attacks, to="csv", out=tmp_path / "x", ops=["char.nope"])
    with pytest.raises(UsageError, match="not in the attack set"):
        export_attack_set(attacks=xnli_attacks, to="csv", out=tmp_path / "x", langs=["fr"])
    with pytest.raises(UsageError, match="unknown format"):
        export_attack_set(attacks=xnli_attacks, to="parquet", out=tmp_path / "x")
    with pytest.raises(UsageError, match="already exists"):
        export_attack_set(attacks=xnli_attacks, to="csv", out=tmp_path / "sel")
    export_attack_set(attacks=xnli_attacks, to="csv", out=tmp_path / "sel", overwrite=True)
    assert not (tmp_path / "x").exists()


def test_a_row_the_format_cannot_hold_fails_cleanly(xnli_attacks, tmp_path):
    # A tab inside a field cannot be written to unquoted TSV; the export fails naming the row, leaving nothing.
    bad = tmp_path / "bad"
    shutil.copytree(xnli_attacks, bad)
    path = bad / "xnli" / "hi" / "char.swap.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = json.loads(lines[3])
    row["fields"]["hypothesis"] += "\tx"
    lines[3] = json.dumps(row, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    # Re-sign the set, as if an op had written that row: the export itself must refuse it (not verification).
    manifest = json.loads((bad / "manifest.json").read_text(encoding="utf-8"))
    (bad / "manifest.json").write_text(dump_manifest(integrity.record(bad, manifest)), encoding="utf-8")
    with pytest.raises(UsageError, match=r"xnli/test/hi/000003 .*holds a tab"):
        export_attack_set(attacks=bad, to="xtreme", out=tmp_path / "out")
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.partial*"))
    export_attack_set(attacks=bad, to="csv", out=tmp_path / "out")  # quoted CSV holds it
    with open(tmp_path / "out" / "hi" / "char.swap.csv", encoding="utf-8", newline="") as f:
        assert list(csv.DictReader(f))[3]["hypothesis"].endswith("\tx")


def test_cli(xnli_attacks, tmp_path, capsys):
    assert main(["export", "--attacks", str(xnli_attacks), "--to", "xtreme", "--out", str(tmp_path / "o"),
                 "--langs", "de,hi", "--ops", "clean,char.swap"]) == 0
    said = capsys.readouterr().out
    assert "wrote" in said and "4 sets" not in said and "xnli-labelled" in said
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["README.md", "char.swap", "clean", "export.json"]
    assert "note: 2 of 2 folders lack some of the 15 xnli languages XTREME's scripts read (char.swap has de, hi; " \
        "clean has de, hi): run them on those languages only" in said
    assert main(["export", "--attacks", str(xnli_attacks), "--to", "csv", "--out", str(tmp_path / "p"),
                 "--ops", "nope"]) == 2
    assert "--ops: perturbation(s) nope not in the attack set" in capsys.readouterr().err
    assert main(["export", "--attacks", str(tmp_path), "--to", "csv", "--out", str(tmp_path / "q")]) == 2
    assert "not an attack set" in capsys.readouterr().err


# -- other splits and real data ----------------------------------------------------------------------------------

def test_dev_and_val_splits_keep_each_tools_names(tmp_path):
    from perturb.recipe import single_op_recipe

    (tmp_path / "xnli").mkdir()
    shutil.copytree(REPO / "data" / "xnli" / "test", tmp_path / "xnli" / "dev")
    generate(task="xnli", data=tmp_path / "xnli", split="dev", langs="de", recipe=single_op_recipe(["char.swap"]),
             out=tmp_path / "atk-x")
    (tmp_path / "xcopa" / "et").mkdir(parents=True)
    shutil.copy(REPO / "data" / "xcopa" / "et" / "test.jsonl", tmp_path / "xcopa" / "et" / "val.jsonl")
    generate(task="xcopa", data=tmp_path / "xcopa", split="val", langs="et", recipe=single_op_recipe(["char.swap"]),
             out=tmp_path / "atk-c")
    export_attack_set(attacks=tmp_path / "atk-x", to="xtreme", out=tmp_path / "xt")
    dev = xtreme_r_xnli_examples(tmp_path / "xt" / "char.swap" / "xnli", "de", split="dev")  # XTREME dev: labelled
    assert [d[2] for d in dev] == [r["label"] for r in expected(tmp_path / "atk-x")[("de", "char.swap")]]
    assert not (tmp_path / "xt" / "char.swap" / "xnli-labelled").exists()
    export_attack_set(attacks=tmp_path / "atk-c", to="xtreme", out=tmp_path / "xc")
    assert (tmp_path / "xc" / "clean" / "xcopa" / "val-et.jsonl").is_file()
    export_attack_set(attacks=tmp_path / "atk-x", to="xnli1", out=tmp_path / "x1")
    assert (tmp_path / "x1" / "clean" / "XNLI-1.0" / "xnli.dev.tsv").is_file()
    lm = export_attack_set(attacks=tmp_path / "atk-c", to="lm-eval", out=tmp_path / "lm")
    cfg = (tmp_path / "lm" / "tasks" / "clean" / "xstress_xcopa_et_clean.yaml").read_text(encoding="utf-8")
    assert "validation_split: validation" in cfg and "test_split" not in cfg and lm["details"]["tasks"]


def test_real_greek_test_set_with_control_characters_round_trips(real_data, tmp_path):
    # The real Greek test file holds U+001D inside sentences (str.splitlines() breaks there); every format
    # must carry it through. The attack set is written by hand (clean only) to keep this test fast.
    from perturb.attackset import SCHEMA_VERSION, canonical_line, dump_manifest
    from perturb.loaders import load

    examples = load(task="xnli", data=real_data / "xnli", langs="el")["el"]
    assert any("\x1d" in e.fields["premise"] + e.fields["hypothesis"] for e in examples)
    atk = tmp_path / "atk"
    (atk / "xnli" / "el").mkdir(parents=True)
    (atk / "xnli" / "el" / "clean.jsonl").write_text("".join(canonical_line(e.to_json()) for e in examples),
                                                      encoding="utf-8")
    (atk / "manifest.json").write_text(dump_manifest(integrity.record(atk, {
        "schema": SCHEMA_VERSION, "xstress_version": "test", "task": "xnli", "split": "test", "seed": 13,
        "recipe": "none", "sources": {"el": {"file": "test/el.tsv", "format": "tsv", "sha256": "0" * 64,
                                             "rows": len(examples)}},
        "perturbations": {}, "counts": {}})), encoding="utf-8")
    want = [e.to_json() for e in examples]
    export_attack_set(attacks=atk, to="xtreme", out=tmp_path / "xt")
    assert [e.to_json() for e in load(task="xnli", data=tmp_path / "xt" / "clean" / "xnli-labelled",
                                      langs="el")["el"]] == want
    assert xtreme_r_xnli_examples(tmp_path / "xt" / "clean" / "xnli-labelled", "el") == [
        (e.fields["premise"], e.fields["hypothesis"], e.label) for e in examples]
    export_attack_set(attacks=atk, to="xnli1", out=tmp_path / "x1")
    assert [e.to_json() for e in load(task="xnli", data=tmp_path / "x1" / "clean" / "XNLI-1.0",
                                      langs="el")["el"]] == want
    export_attack_set(attacks=atk, to="csv", out=tmp_path / "csv")
    with open(tmp_path / "csv" / "el" / "clean.csv", encoding="utf-8", newline="") as f:
        assert [(d["premise"], d["hypothesis"], d["label"]) for d in csv.DictReader(f)] == [
            (e.fields["premise"], e.fields["hypothesis"], e.label) for e in examples]


def test_hf_without_datasets_says_what_to_install(xnli_attacks, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(UsageError, match=r"xstress\[hf\]"):
        export_attack_set(attacks=xnli_attacks, to="hf", out=tmp_path / "hf")
    assert not (tmp_path / "hf").exists()


def test_xtreme_export_names_folders_without_every_language(tmp_path):
    """char.script is zh only: XTREME's loaders would look for the other 14 files; the export says so."""
    atk = tmp_path / "atk"
    generate(task="xnli", data=REPO / "data" / "xnli", langs=list(XNLI_LANGS_ALL), recipe=single_op_recipe(
        ["char.script", "char.delete"]), out=atk)
    doc = export_attack_set(attacks=atk, to="xtreme", out=tmp_path / "xt")
    assert doc["details"]["incomplete"] == {"char.script": {"languages": ["zh"],
                                                            "missing": [l for l in XNLI_LANGS_ALL if l != "zh"]}}
    readme = (tmp_path / "xt" / "README.md").read_text(encoding="utf-8")
    assert "- `char.script/`: zh (missing: ar, bg, de," in readme and "char.delete" not in readme
    assert doc["files"]["README.md"] and sorted(p.name for p in (tmp_path / "xt" / "char.script" / "xnli").iterdir()) \
        == ["test-zh.tsv"]
    # A complete export has no such note; an export cut with --langs has one for every folder.
    assert "incomplete" not in export_attack_set(attacks=atk, to="xtreme", out=tmp_path / "c",
                                                 ops=["clean", "char.delete"]).get("details", {})
    assert not (tmp_path / "c" / "README.md").exists()
    cut = export_attack_set(attacks=atk, to="xtreme", out=tmp_path / "d", langs=["de"], ops=["clean"])
    assert cut["details"]["incomplete"]["clean"]["languages"] == ["de"]
