"""The `xstress` CLI and the attack-set writer: layout, manifest, determinism across workers and shards, errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from perturb.attackset import read_attack_set
from tinymodels import tiny_models  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def perturb_args(data, out, *extra, task="xnli", langs="en,hi,th,zh,ar"):
    return ["perturb", "--task", task, "--data", str(data), "--langs", langs, "--out", str(out), "--quiet", *extra]


def test_ls_lists_ops_label_effects_and_recipes(capsys):
    assert main(["ls"]) == 0
    out = capsys.readouterr().out
    assert "char.swap" in out and "label: preserve" in out and "recipes: " in out and "default" in out
    assert main(["ls", "--json", "--task", "xnli"]) == 0
    doc = json.loads(capsys.readouterr().out)
    swap = next(p for p in doc["perturbations"] if p["name"] == "char.swap")
    assert "hi" in swap["languages"]["xnli"] and "et" not in swap["languages"]["xnli"]


def test_perturb_writes_layout_manifest_and_canonical_jsonl(tmp_path, sample_data):
    out = tmp_path / "atk"
    assert main(perturb_args(sample_data / "xnli", out)) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["task"] == "xnli" and m["seed"] == 13 and m["schema"] == 1 and m["xstress_version"]
    assert sorted(m["sources"]) == ["ar", "en", "hi", "th", "zh"]
    assert all(len(s["sha256"]) == 64 and s["rows"] == 18 for s in m["sources"].values())
    c = m["counts"]["char.swap"]["hi"]
    assert c["status"] == "ok" and c["examples"] == 18
    assert c["applied"] + c["not_applicable"] + c["dropped"] == c["variants"]
    assert c["signature"].startswith("xstress:") and "|op:char.swap|" in c["signature"]
    assert c["signature"].endswith("src:xnli-test-hi@" + m["sources"]["hi"]["sha256"][:8])
    clean = (out / "xnli" / "hi" / "clean.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(clean) == 18
    for line in clean + (out / "xnli" / "hi" / "char.swap.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert line == json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    rows = list(read_attack_set(out).rows("hi", "char.swap"))
    assert len(rows) == c["applied"]
    assert set(rows[0].to_json()) == {"id", "variant", "lang", "op", "fields", "label", "orig_label", "edits"}
    assert not list(tmp_path.glob(".*partial*"))


def test_workers_and_shards_give_identical_bytes(tmp_path, sample_data):
    data = sample_data / "xnli"
    assert main(perturb_args(data, tmp_path / "one", "--workers", "1")) == 0
    assert main(perturb_args(data, tmp_path / "two", "--workers", "2")) == 0
    assert main(perturb_args(data, tmp_path / "auto", "--workers", "auto")) == 0
    for i in (1, 2, 3):
        assert main(perturb_args(data, tmp_path / f"s{i}", "--shard", f"{i}/3")) == 0
    assert main(["merge", str(tmp_path / "s3"), str(tmp_path / "s1"), str(tmp_path / "s2"),
                 "--out", str(tmp_path / "merged")]) == 0
    ref = tree_bytes(tmp_path / "one")
    assert tree_bytes(tmp_path / "two") == ref
    assert tree_bytes(tmp_path / "auto") == ref
    assert tree_bytes(tmp_path / "merged") == ref


def test_merge_refuses_incomplete_or_foreign_shards(tmp_path, sample_data, capsys):
    data = sample_data / "xnli"
    main(perturb_args(data, tmp_path / "s1", "--shard", "1/2"))
    main(perturb_args(data, tmp_path / "t2", "--shard", "2/2", "--seed", "5"))
    assert main(["merge", str(tmp_path / "s1"), "--out", str(tmp_path / "m")]) == 2
    assert "need exactly the shards 1..2" in capsys.readouterr().err
    assert main(["merge", str(tmp_path / "s1"), str(tmp_path / "t2"), "--out", str(tmp_path / "m")]) == 2
    assert "different run" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_malformed_input_gives_one_error_and_no_output(tmp_path, sample_data, capsys):
    data = tmp_path / "data"
    (data / "test").mkdir(parents=True)
    for lang in ("en", "de"):
        (data / "test" / f"{lang}.tsv").write_bytes((sample_data / "xnli" / "test" / f"{lang}.tsv").read_bytes())
    # The second language is broken on line 5: the first one is already processed when it fails.
    lines = (data / "test" / "de.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].replace("\t", " ", 1)
    (data / "test" / "de.tsv").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "atk"
    assert main(perturb_args(data, out, langs="en,de")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "de.tsv:5:" in err[0] and "columns" in err[0]
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["data"]


@pytest.mark.parametrize("extra, needle", [
    (["--shard", "3/2"], "--shard: '3/2': need 1 <= i <= n"),
    (["--shard", "x"], "--shard: expected i/n"),
    (["--ops", "char.swp"], "Did you mean 'char.swap'"),
    (["--recipe", "nosuch"], "--recipe: unknown recipe 'nosuch'"),
    (["--workers", "0"], "--workers: expected 'auto' or an integer >= 1, got '0'"),
    (["--workers", "many"], "--workers: expected 'auto' or an integer >= 1, got 'many'"),
])
def test_bad_flags_are_named(tmp_path, sample_data, capsys, extra, needle):
    assert main(perturb_args(sample_data / "xnli", tmp_path / "o", *extra)) == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_unknown_language_and_existing_output(tmp_path, sample_data, capsys):
    assert main(perturb_args(sample_data / "xnli", tmp_path / "o", langs="de,xx")) == 2
    assert "unknown language 'xx' (not in xnli); choose from: ar, bg" in capsys.readouterr().err
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep").write_text("x")
    assert main(perturb_args(sample_data / "xnli", tmp_path / "o", langs="de")) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "o" / "keep").exists()
    assert main(perturb_args(sample_data / "xnli", tmp_path / "o", "--overwrite", langs="de")) == 0
    assert not (tmp_path / "o" / "keep").exists()


def test_recipe_file_with_variants_fields_and_alias(tmp_path, sample_data):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: mine\nperturbations:\n"
                      "  - {op: char.swap, params: {rate: 0.5}, k: 3, fields: [premise, hypothesis]}\n"
                      "  - {op: char.swap, as: swap-light, params: {rate: 0.05}}\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(perturb_args(sample_data / "xnli", out, "--recipe", str(recipe), langs="de")) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["recipe"] == "mine" and set(m["perturbations"]) == {"char.swap", "swap-light"}
    assert m["perturbations"]["char.swap"]["fields"] == ["premise", "hypothesis"]
    assert m["counts"]["char.swap"]["de"]["variants"] == 54
    rows = [json.loads(l) for l in (out / "xnli" / "de" / "char.swap.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["variant"] for r in rows} == {0, 1, 2}
    assert any(e["field"] == "premise" for r in rows for e in r["edits"])


def test_bad_recipe_is_named(tmp_path, sample_data, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("perturbations:\n  - {op: char.swap, params: {rate: 1.5}}\n", encoding="utf-8")
    assert main(perturb_args(sample_data / "xnli", tmp_path / "o", "--recipe", str(recipe))) == 2
    assert "perturbation #1" in (err := capsys.readouterr().err) and "rate must be a number in [0, 1]" in err


def test_output_does_not_depend_on_hash_seed(tmp_path, sample_data):
    outs = []
    for seed in ("0", "12345"):
        out = tmp_path / f"h{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "harness.cli", *perturb_args(sample_data / "xnli", out, langs="de,zh")],
                       check=True, env=env, cwd=REPO)
        outs.append(tree_bytes(out))
    assert outs[0] == outs[1]


def test_xcopa_sample(tmp_path, sample_data):
    out = tmp_path / "o"
    assert main(perturb_args(sample_data / "xcopa", out, task="xcopa", langs="all")) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(m["sources"]) == 11
    assert m["perturbations"]["char.swap"]["fields"] == ["premise", "choice1", "choice2"]


def test_real_xnli_every_language_sharded(tmp_path, real_data):
    # A tenth of each language keeps this fast; the manifest still describes the whole source file.
    out = tmp_path / "o"
    assert main(perturb_args(real_data / "xnli", out, "--shard", "1/10", langs="all")) == 0
    aset = read_attack_set(out)
    assert len(aset.langs) == 15
    for lang in aset.langs:
        assert aset.manifest["sources"][lang]["rows"] == 5010
        assert len(aset.clean(lang)) == 501
        for name in aset.perturbations(lang):
            c = aset.manifest["counts"][name][lang]
            assert c["applied"] + c["not_applicable"] + c["dropped"] == c["variants"]


def test_real_xcopa_every_language(tmp_path, real_data):
    out = tmp_path / "o"
    assert main(perturb_args(real_data / "xcopa", out, task="xcopa", langs="all")) == 0
    aset = read_attack_set(out)
    assert len(aset.langs) == 11 and all(len(aset.clean(l)) == 500 for l in aset.langs)


def test_perturb_summary_names_candidates_and_task_scope(tmp_path, sample_data, capsys):
    out = tmp_path / "x"
    recipe = tmp_path / "mixed.yaml"  # a recipe may mix tasks: its logic ops are reported, not refused, on XCOPA
    recipe.write_text("name: mixed\nperturbations: [char.swap, char.homoglyph, logic.negate, logic.number]\n")
    args = ["perturb", "--task", "xcopa", "--data", str(sample_data / "xcopa"), "--langs", "et,zh", "--out", str(out),
            "--recipe", str(recipe)]
    assert main(args) == 0
    text = capsys.readouterr().out
    header = next(line for line in text.splitlines() if line.startswith("perturbation"))
    assert "candidates" in header and "variants" not in header
    negate = next(line for line in text.splitlines() if line.startswith("logic.negate "))
    assert "not for xcopa (xnli only)" in negate and "et" not in negate and "zh" not in negate
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {c["status"] for c in m["counts"]["logic.negate"].values()} == {"task_not_applicable"}
    assert m["counts"]["char.homoglyph"]["zh"]["status"] == "unsupported"
    assert not (out / "xcopa" / "et" / "logic.negate.jsonl").exists()


def test_ops_that_do_not_apply_to_the_task_are_an_error(tmp_path, sample_data, capsys):
    import perturb
    from perturb.errors import UsageError
    from perturb.recipe import single_op_recipe

    args = ["perturb", "--task", "xcopa", "--data", str(sample_data / "xcopa"), "--langs", "et", "--out"]
    assert main([*args, str(tmp_path / "a"), "--ops", "char.swap,logic.negate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--ops: logic.negate does not apply to xcopa (logic.negate: xnli only)" in err
    assert not (tmp_path / "a").exists()
    with pytest.raises(UsageError, match="no perturbation of recipe .* applies to xcopa"):
        perturb.generate(task="xcopa", data=sample_data / "xcopa", langs="et", recipe=single_op_recipe(["logic.number"]),
                         out=tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_ls_describes_an_attack_set(tmp_path, sample_data, capsys):
    out = tmp_path / "atk"
    assert main(perturb_args(sample_data / "xnli", out, "--ops", "char.script,char.delete", langs="de,zh")) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert main(["ls", str(out)]) == 0
    text = capsys.readouterr().out
    assert "xnli test, recipe char.script+char.delete, seed 13" in text
    assert "de 18 rows" in text and "zh 18 rows" in text
    assert m["counts"]["char.delete"]["de"]["signature"] in text and m["counts"]["char.script"]["zh"]["signature"] in text
    assert "unsupported: de" in text and m["counts"]["char.script"]["de"]["signature"] not in text
    assert main(["ls", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    swap = next(p for p in doc["perturbations"] if p["name"] == "char.delete")
    assert swap["languages"] == ["de", "zh"] and swap["candidates"] == 36
    assert swap["applied"] == sum(m["counts"]["char.delete"][l]["applied"] for l in ("de", "zh"))
    assert main(["ls", str(tmp_path)]) == 2
    assert "not an attack set" in capsys.readouterr().err
    assert main(["ls", str(out), "--task", "xnli"]) == 2
    assert "--task: does not combine with an ATTACK_SET argument" in capsys.readouterr().err


def test_a_declined_language_says_why(tmp_path, sample_data, capsys):
    """char.swap declines zh (pinyin input writes whole words): the manifest and `ls` give the reason."""
    out = tmp_path / "atk"
    assert main(perturb_args(sample_data / "xnli", out, "--ops", "char.swap", langs="de,zh")) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["counts"]["char.swap"]["zh"]["status"] == "unsupported"
    assert "pinyin" in m["counts"]["char.swap"]["zh"]["reason"] and "reason" not in m["counts"]["char.swap"]["de"]
    capsys.readouterr()
    assert main(["ls", str(out)]) == 0
    assert "pinyin" in capsys.readouterr().out


def test_workers_default_to_the_available_cores(monkeypatch):
    from harness.cli import build_parser
    from perturb.engine import available_cpus, resolve_workers

    args = build_parser().parse_args(["perturb", "--task", "xnli", "--data", "d", "--out", "o"])
    assert args.workers == "auto"
    assert resolve_workers("auto") == available_cpus() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})  # e.g. `taskset -c 3`
    assert resolve_workers("auto") == 1 and resolve_workers(4) == 4
    for bad in (0, -1, "2", 1.5, True):
        with pytest.raises(ValueError, match="workers must be 'auto' or an integer >= 1"):
            resolve_workers(bad)


def test_one_phrasing_for_an_unknown_language(tmp_path, sample_data, capsys, tiny_models):  # noqa: F811
    atk = tmp_path / "atk"
    assert main(perturb_args(sample_data / "xnli", atk, "--ops", "char.swap", langs="de,hi")) == 0
    errors = {}
    assert main(perturb_args(sample_data / "xnli", tmp_path / "o", langs="de,xx")) == 2
    errors["perturb"] = capsys.readouterr().err
    assert main(["export", "--attacks", str(atk), "--to", "csv", "--out", str(tmp_path / "e"), "--langs", "xx"]) == 2
    errors["export"] = capsys.readouterr().err
    assert main(["score", "--attacks", str(atk), "--model", str(tiny_models.classifier), "--cache", "none",
                 "--device", "cpu", "--no-progress", "--out", str(tmp_path / "s"), "--langs", "xx"]) == 2
    errors["score"] = capsys.readouterr().err
    for command, err in errors.items():
        assert err.startswith(f"xstress {command}: error: --langs: unknown language 'xx' (not in "), err
        assert err.count("\n") == 1 and "choose from: " in err
    assert "choose from: ar, bg, de," in errors["perturb"] and errors["perturb"].endswith("zh, or all\n")
    assert errors["export"].endswith("(not in the attack set); choose from: de, hi\n")
    assert errors["score"].endswith("); choose from: de, hi\n")
