"""lex.mlm end to end with a tiny random XLM-R masked LM built in the test (SentencePiece trained here, safetensors),
the whole-word filter, resource errors, byte-identical output across workers, and torch staying unloaded elsewhere."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from harness.cli import main
from perturb import registry
from perturb.errors import UsageError
from perturb.example import Example
from perturb.ops.lex import _common as lc
from perturb.recipe import load_recipe
from perturb.rng import derive_rng

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny_mlm(tmp_path_factory) -> Path:
    from harness import demo_models  # the harness's builder: SentencePiece + tiny XLMRobertaForMaskedLM

    return demo_models.build_mlm(tmp_path_factory.mktemp("tiny-mlm") / "mlm", seed=0)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def perturb_args(sample_data, out, *extra, langs="en,de,zh"):
    return ["perturb", "--task", "xnli", "--data", str(sample_data / "xnli"), "--langs", langs, "--recipe", "mlm",
            "--out", str(out), "--quiet", *extra]


def test_runs_end_to_end_with_a_tiny_local_mlm(tiny_mlm, tmp_path, sample_data):
    out = tmp_path / "atk"
    assert main(perturb_args(sample_data, out, "--mlm", str(tiny_mlm))) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = m["counts"]["lex.mlm"]
    fingerprint = m["perturbations"]["lex.mlm"]["params"]["mlm"]
    assert regex.fullmatch(r"[0-9a-f]{8}@cpu", fingerprint)
    for lang in ("en", "de", "zh"):
        c = counts[lang]
        assert c["status"] == "ok" and c["applied"] > 0, lang
        assert f"|mlm:{fingerprint}|" in c["signature"] and str(tiny_mlm) not in c["signature"]
        for line in (out / "xnli" / lang / "lex.mlm.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for e in row["edits"]:
                word = e["after"].strip()
                # a whole word of the original's script, never the original, never a function word
                assert regex.fullmatch(r"[\p{L}\p{M}]+", word), e
                assert lc.script_of(word) == lc.script_of(e["before"]), e
                assert lc.key(word) != lc.key(e["before"]) and not lc.is_stopword(word, lang), e


def test_workers_give_identical_bytes(tiny_mlm, tmp_path, sample_data):
    assert main(perturb_args(sample_data, tmp_path / "one", "--mlm", str(tiny_mlm), langs="en,th")) == 0
    assert main(perturb_args(sample_data, tmp_path / "two", "--mlm", str(tiny_mlm), "--workers", "2",
                             langs="en,th")) == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_missing_or_unsafe_model_is_a_clear_error(tmp_path, sample_data, capsys):
    with pytest.raises(UsageError, match=r"--mlm: recipe mlm uses lex\.mlm, which needs a local masked-LM directory"):
        load_recipe("mlm")
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text("{}", encoding="utf-8")
    (pickled / "pytorch_model.bin").write_bytes(b"\x80\x04not really")
    assert main(perturb_args(sample_data, tmp_path / "o", "--mlm", str(pickled))) == 2
    err = capsys.readouterr().err
    assert "--mlm:" in err and "safetensors only" in err
    assert main(perturb_args(sample_data, tmp_path / "o", "--mlm", str(tmp_path / "nope"))) == 2
    assert "is not a directory" in capsys.readouterr().err


class FixedFiller:
    """Returns the same candidate list for every query, to test the filter in isolation."""

    fingerprint = "fixed"

    def __init__(self, candidates):
        self.candidates = candidates
        self.batches = []

    def predict(self, queries, lang):
        self.batches.append(len(queries))
        return [list(self.candidates) for _ in queries]


def run(filler, text, lang="en", rate=1.0, top=5, seed=0):
    op = registry.get("lex.mlm")(rate=rate, top=top).bind(mlm=filler)
    ex = Example(f"xnli/test/{lang}/000000", "xnli", lang, {"premise": "P.", "hypothesis": text}, "neutral")
    return op.apply(ex, derive_rng(seed, op.name, ex.id, 0), fields=["hypothesis"])


def test_only_whole_words_that_are_not_function_words_are_used():
    filler = FixedFiller([("ing", False), ("the", True), ("not", True), ("unbeliev", True), ("42", True),
                          ("house", True), ("House", True), ("дом", True), ("garden", True)])
    res = run(filler, "My home is old.", top=1)
    # "ing" continues a word, "the"/"not" are stop words, "unbeliev" is no word, "дом" is another script.
    afters = {e.before: e.after for e in res.edits}
    assert afters == {"home": "house", "old": "house"}
    assert run(FixedFiller([("ing", False), ("the", True)]), "My home is old.") is None


def test_words_without_candidates_are_replaced_by_the_next_ones_in_at_most_three_batches():
    from perturb.core import n_to_touch

    text = "Tall trees grow slowly near the old river bank."
    filler = FixedFiller([])
    assert run(filler, text, rate=0.2) is None
    n = n_to_touch(0.2, len(lc.content_words(text, "en")))
    assert n >= 1 and filler.batches == [n, n, n]  # three tries of n words each, then it gives up


def test_capital_of_the_original_is_kept():
    res = run(FixedFiller([("garden", True)]), "Gardens grow.", rate=0.5)
    assert res.example.fields["hypothesis"] in ("Garden grow.", "Gardens garden.")


def test_other_lex_ops_never_import_torch():
    code = (
        "import sys\n"
        "from perturb.loaders import load\n"
        "from perturb.api import apply\n"
        "from perturb.recipe import single_op_recipe\n"
        "exs = [e for lang, v in load(task='xnli', data='data/xnli', langs='de,hi,zh').items() for e in v[:3]]\n"
        "recipe = single_op_recipe(['lex.codeswitch', 'lex.translit', 'lex.inflect'],\n"
        "                          resources={'lexicon_dir': 'tests/fixtures/lex/muse'})\n"
        "n = sum(1 for _ in apply(exs, recipe=recipe, seed=1))\n"
        "print(n, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO).stdout
    n, torch_loaded, tf_loaded = out.split()
    assert int(n) > 0 and torch_loaded == "False" and tf_loaded == "False"
