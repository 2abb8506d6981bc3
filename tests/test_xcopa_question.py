"""XCOPA's question fix: the cross-language majority question per item, in perturb and in score, and `as-is`."""
import json
from collections import Counter

import pytest
from tinymodels import tiny_models, write_attack_set  # noqa: F401

from perturb.engine import generate
from perturb.loaders import load, read_xcopa_jsonl
from perturb.recipe import single_op_recipe
from perturb.xcopa_question import questions_for, table

LANGS = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")


def _official_like(root, lang="th", split="test", question=lambda i, q: "effect", label=lambda i, lab: lab):
    """A file with the official split's idx and labels (texts made up), questions set by ``question``."""
    d = root / lang
    d.mkdir(parents=True, exist_ok=True)
    with open(d / f"{split}.jsonl", "w", encoding="utf-8") as f:
        for i, (q, lab) in sorted(table(split).items()):
            f.write(json.dumps({"premise": f"premise {i}", "choice1": "a", "choice2": "b",
                                "question": question(i, q), "label": label(i, lab), "idx": i, "changed": False}) + "\n")
    return d / f"{split}.jsonl"


def test_table_is_balanced_and_complete():
    assert sorted(table("test")) == list(range(500)) and sorted(table("val")) == list(range(100))
    assert Counter(q for q, _ in table("test").values()) == {"cause": 250, "effect": 250}
    assert table("train") == {}


def test_majority_fixes_an_official_file_and_as_is_keeps_it(tmp_path):
    path = _official_like(tmp_path)
    fixed = read_xcopa_jsonl(path, task_split="test", lang="th")
    assert Counter(e.fields["question"] for e in fixed) == {"cause": 250, "effect": 250}
    assert all(e.fields["question"] == table("test")[int(e.id[-6:])][0] for e in fixed)
    kept = read_xcopa_jsonl(path, task_split="test", lang="th", question="as-is")
    assert Counter(e.fields["question"] for e in kept) == {"effect": 500}


def test_files_that_are_not_the_official_split_are_left_alone(tmp_path, sample_data):
    # One label differs: not the items the table describes, so nothing is changed.
    path = _official_like(tmp_path, label=lambda i, lab: 1 - lab if i == 7 else lab)
    assert Counter(e.fields["question"] for e in read_xcopa_jsonl(path, task_split="test", lang="th")) == {"effect": 500}
    assert questions_for("test", [(0, 1)]) is None
    sample = load(task="xcopa", data=str(sample_data / "xcopa"), langs="th")["th"]
    raw = [json.loads(x)["question"] for x in (sample_data / "xcopa" / "th" / "test.jsonl").read_text().splitlines()]
    assert [e.fields["question"] for e in sample] == raw


def test_perturb_records_the_fix_in_manifest_and_signature(tmp_path):
    _official_like(tmp_path / "data", lang="th")
    _official_like(tmp_path / "data", lang="et", question=lambda i, q: q)
    for mode, changed in (("majority", {"th": 250, "et": 0}), ("as-is", {"th": 0, "et": 0})):
        out = tmp_path / mode
        m = generate(task="xcopa", data=tmp_path / "data", langs="th,et", recipe=single_op_recipe(["char.swap"]),
                     out=out, xcopa_question=mode)
        assert {lang: s["question"]["changed"] for lang, s in m["sources"].items()} == changed
        assert all(c["signature"].endswith(f"|qfix:{mode}") for c in m["counts"]["char.swap"].values())
        th = [json.loads(x) for x in (out / "xcopa" / "th" / "clean.jsonl").read_text(encoding="utf-8").splitlines()]
        effect = sum(r["fields"]["question"] == "effect" for r in th)
        assert effect == (250 if mode == "majority" else 500)
        swapped = [json.loads(x) for x in (out / "xcopa" / "th" / "char.swap.jsonl").read_text().splitlines()]
        assert [r["fields"]["question"] for r in swapped] == [r["fields"]["question"] for r in th][: len(swapped)]


def test_score_shows_the_template_the_majority_question(tmp_path, tiny_models):  # noqa: F811
    from harness.experiment import Experiment, ModelSpec
    from perturb.signature import Signature
    from harness.models import load_model
    from harness.runner import RunOptions, run_experiment

    ref = table("test")
    clean = {"th": [{"id": f"xcopa/test/th/{i:06d}", "label": lab, "fields": {
        "premise": f"p{i}", "choice1": "a", "choice2": "b", "question": "effect"}} for i, (_, lab) in ref.items()]}
    attacks = write_attack_set(tmp_path / "as", "xcopa", clean, {"char.swap": {"th": [
        {**r, "fields": {**r["fields"], "premise": r["fields"]["premise"] + "x"}} for r in clean["th"][:40]]}})
    p = load_model(tiny_models.multiple_choice, task="xcopa")
    seen = []
    pairs = p.pairs
    p.pairs = lambda examples: [seen.append(ps[0][0]) or ps for ps in pairs(examples)]
    for mode, effect in (("majority", 250), ("as-is", 500)):
        seen.clear()
        doc = run_experiment(Experiment(task=None, attacks=str(attacks), models=[ModelSpec(name="m", path=None, predictor=p)]),
                             RunOptions(n_boot=20, progress=False, xcopa_question=mode))
        firsts = seen[:500]  # the clean rows come first
        assert sum(s.endswith("What was the effect?") for s in firsts) == effect
        assert all(s == f"p{i} What was the {ref[i][0] if mode == 'majority' else 'effect'}?"
                   for i, s in enumerate(firsts))
        assert Signature.parse(doc["signature"]).keys().count("qfix") == 1 \
            and Signature.parse(doc["signature"]).get("qfix") == mode
        assert doc["config"]["xcopa_question"]["changed"] == {"th": 250 if mode == "majority" else 0}


@pytest.mark.parametrize("split", ["test", "val"])
def test_real_thai_and_turkish_match_the_other_languages(real_data, split):
    loaded = load(task="xcopa", data=str(real_data / "xcopa"), split=split, langs=",".join(LANGS))
    counts = {lang: Counter(e.fields["question"] for e in exs) for lang, exs in loaded.items()}
    assert counts["th"] == counts["tr"] == counts["et"] == counts["zh"]
    by_item = {lang: [e.fields["question"] for e in exs] for lang, exs in loaded.items()}
    assert all(v == by_item["et"] for v in by_item.values())  # every item asks the same question everywhere
    # As shipped, Thai asks for the effect everywhere and Turkish more often than the others.
    as_is = {lang: Counter(e.fields["question"] for e in read_xcopa_jsonl(
        real_data / "xcopa" / lang / f"{split}.jsonl", task_split=split, lang=lang, question="as-is"))
        for lang in ("th", "tr")}
    assert set(as_is["th"]) == {"effect"} and as_is["tr"]["effect"] > counts["tr"]["effect"]
