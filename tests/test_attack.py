"""`xstress attack`: search against a deterministic keyword predictor (through the Predictor protocol) and a tiny
XLM-R; budget accounting, compositions of label-preserving edits, determinism, resume after SIGKILL, CLI."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from harness.attack.constraints import Constraints
from harness.attack.job import JobOptions, run_job
from harness.attack.run import AttackSpec, attack
from harness.attackset import read_attack_set
from harness.cli import main
from perturb import registry
from perturb.example import Example

from tinymodels import tiny_models  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("cat", "dog")
FILLER = ("the old man saw a {} and a {} near the green house today",
          "my sister said the {} chased the {} across our small garden",
          "yesterday a {} slept while the {} played outside in the rain",
          "every morning the {} waits for the {} by the front door")


class KeywordPredictor:
    """Entailment while both key words are intact; each one edited or gone moves 0.3 to neutral (both: a flip).
    Deterministic, through the Predictor protocol, with a fingerprint so the scorer caches it."""

    task = "xnli"
    fingerprint = "keyword-test-1"

    def __init__(self, delay: float = 0.0, log: list | None = None):
        self.delay, self.log = delay, log

    def predict(self, examples):
        if self.delay:
            time.sleep(self.delay)
        out = []
        for ex in examples:
            fields = ex["fields"] if isinstance(ex, dict) else ex.fields
            if self.log is not None:
                self.log.append(ex.id if isinstance(ex, Example) else ex["id"])
            words = fields["hypothesis"].split()
            missing = sum(k not in words for k in KEYS)
            p = 0.9 - 0.3 * missing
            out.append([p, 0.95 - p, 0.05])
        return np.array(out)


def examples(n: int = 8, lang: str = "en") -> list[Example]:
    return [Example(f"xnli/test/{lang}/{i:06d}", "xnli", lang,
                    {"premise": "Animals live here.", "hypothesis": FILLER[i % len(FILLER)].format(*KEYS)},
                    "entailment") for i in range(n)]


def spec(search: str, budget: int = 60, seed: int = 13, **kw) -> AttackSpec:
    return AttackSpec(search=search, seed=seed, beam=kw.pop("beam", 3),
                      constraints=Constraints(budget=budget, ops=("char.keyboard", "char.swap", "char.delete"), **kw))


def test_greedy_finds_flips_random_does_not_at_the_same_budget():
    # Two key words must both be edited: random compositions of <= 2 edits rarely hit both (about half of the
    # examples at this budget), the word-importance ranking finds them first.
    exs = examples(16)
    greedy = attack(exs, KeywordPredictor(), task="xnli", spec=spec("greedy", budget=40))
    rand = attack(exs, KeywordPredictor(), task="xnli", spec=spec("random", budget=40))
    beam = attack(exs, KeywordPredictor(), task="xnli", spec=spec("beam", budget=60))
    assert all(a.outcome.success for a in greedy)
    assert all(a.outcome.success for a in beam)
    assert sum(a.outcome.success for a in rand) <= 3 * len(exs) // 4
    for a in greedy:  # word importance found the two key words, and the flip edits exactly them
        text = a.example.fields["hypothesis"]
        touched = {w for e in a.edits for w in _words_at(text, e.start)}
        assert touched == set(KEYS), (text, a.edits)


def _words_at(text: str, pos: int) -> list[str]:
    out, start = [], 0
    for w in text.split(" "):
        if start <= pos <= start + len(w):
            out.append(w)
        start += len(w) + 1
    return out


@pytest.mark.parametrize("search", ["greedy", "beam", "random"])
@pytest.mark.parametrize("budget", [1, 2, 7, 30])
def test_budget_never_exceeded_and_counted_exactly(search, budget):
    log: list = []
    res = attack(examples(4), KeywordPredictor(log=log), task="xnli", spec=spec(search, budget=budget))
    for a in res:
        asked = log.count(a.example.id)
        assert a.outcome.queries == asked <= budget
        if a.outcome.first_success is not None:
            assert a.outcome.first_success <= a.outcome.queries


def test_rows_are_compositions_of_label_preserving_edits(tmp_path):
    out = tmp_path / "out"
    _job(out, "greedy", ops=None)
    aset = read_attack_set(out / "attackset")
    rows = list(aset.rows("en", "attack.greedy"))
    assert rows and any(r.edits for r in rows)
    key = "seed:13"
    for r in rows:
        ex = next(e for e in examples(6) if e.id == r.id)
        for name in r.attack["ops"]:
            assert registry.get(name)().label_map is None
        offered = {(c.field, e.start, e.end, e.after) for name in r.attack["ops"]
                   for c in registry.get(name)().candidate_edits(ex, "hypothesis", key) for e in c.edits}
        for e in r.edits:
            assert e.field == "hypothesis" and (e.field, e.start, e.end, e.after) in offered
        text = ex.fields["hypothesis"]
        for e in sorted(r.edits, key=lambda e: -e.start):
            assert text[e.start:e.end] == e.before
            text = text[:e.start] + e.after + text[e.end:]
        assert text == r.fields["hypothesis"] and r.fields["premise"] == ex.fields["premise"]
        assert r.label == r.orig_label == "entailment"
        assert r.attack["words_edited"] <= max(1, int(0.2 * r.attack["words"] + 0.5))


def _data(tmp_path: Path, n: int = 6) -> Path:
    d = tmp_path / "data"
    if not d.exists():
        (d / "test").mkdir(parents=True)
        with open(d / "test" / "en.tsv", "w", encoding="utf-8") as f:
            f.write("premise\thypothesis\tlabel\n")
            for ex in examples(n):
                f.write(f"{ex.fields['premise']}\t{ex.fields['hypothesis']}\t{ex.label}\n")
    return d


def _job(out: Path, search: str, *, ops=("char.keyboard", "char.swap", "char.delete"), cache=None, seed=13,
         predictor=None, budget=40):
    data = _data(out.parent)
    sp = AttackSpec(search=search, seed=seed, constraints=Constraints(budget=budget, ops=ops))
    return run_job(predictor or KeywordPredictor(), "kw", sp,
                   JobOptions(task="xnli", data=str(data), langs="en", cache=cache, n_boot=200), out)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_signature(tmp_path):
    a = _job(tmp_path / "a", "random")
    b = _job(tmp_path / "b", "random")
    assert _tree(tmp_path / "a" / "attackset") == _tree(tmp_path / "b" / "attackset")
    assert (tmp_path / "a" / "results.json").read_bytes() == (tmp_path / "b" / "results.json").read_bytes()
    sig = a["signature"]
    for part in ("attack:random", "model:keyword-test-1", "seed:13", "budget:40", "share:0.2", "fields:hypothesis",
                 "sim:none"):
        assert part in sig.split("|")
    c = _job(tmp_path / "c", "random", seed=14)
    assert c["signature"] != sig
    m = b["metrics"]["all"]
    assert m["n"] == 6 and len(m["curve"]) >= 3 and (tmp_path / "a" / "success_vs_budget.png").stat().st_size > 0
    assert "acc under attack" in (tmp_path / "a" / "summary.md").read_text()


def test_set_verifies_and_scores_on_another_model(tmp_path, tiny_models):  # noqa: F811
    _job(tmp_path / "o", "greedy")
    read_attack_set(tmp_path / "o" / "attackset", verify=True)
    rc = main(["score", "--attacks", str(tmp_path / "o" / "attackset"), "--model", f"other={tiny_models.classifier}",
               "--out", str(tmp_path / "s"), "--cache", "none", "--min-n", "2", "--bootstrap", "50", "--no-progress"])
    assert rc == 0
    doc = json.loads((tmp_path / "s" / "results.json").read_text())
    assert any(c["op"] == "attack.greedy" for c in doc["cells"])


SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_attack import KeywordPredictor, _job
_job(Path({out!r}), "greedy", cache={cache!r}, predictor=KeywordPredictor(delay={delay}))
"""


def _spawn(out: Path, cache: Path, delay: float):
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}", OMP_NUM_THREADS="1")
    code = SCRIPT.format(tests=str(ROOT / "tests"), out=str(out), cache=str(cache), delay=delay)
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(ROOT))


def test_sigkill_mid_attack_then_resume_gives_identical_output(tmp_path):
    from harness.cache import PredictionCache

    ref = _job(tmp_path / "ref", "greedy", cache=str(tmp_path / "ref.sqlite"))
    cache = tmp_path / "c.sqlite"
    proc = _spawn(tmp_path / "run", cache, delay=0.4)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until a few rounds are committed, then kill without warning
        if cache.exists() and PredictionCache(cache).counters("keyword-test-1|xnli")["forward_passes"] >= 2:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "run" / "attackset").exists()
    done_before = PredictionCache(cache).counters("keyword-test-1|xnli")["scored_inputs"]
    assert done_before > 0
    again = _job(tmp_path / "run", "greedy", cache=str(cache))
    assert _tree(tmp_path / "run" / "attackset") == _tree(tmp_path / "ref" / "attackset")
    assert again["metrics"] == ref["metrics"]
    assert again["scoring"]["cache_hits"] >= done_before  # nothing already scored was queried again
    assert again["scoring"]["scored_inputs"] == ref["scoring"]["scored_inputs"] - again["scoring"]["cache_hits"]


def test_xcopa_goal_is_a_wrong_choice():
    class Choice:
        task = "xcopa"
        fingerprint = None

        def predict(self, exs):  # choice1 while its word "rain" is intact
            return np.array([[0.8, 0.2] if "rain" in e.fields["choice1"].split() else [0.3, 0.7] for e in exs])

    ex = [Example("xcopa/test/en/000000", "xcopa", "en", {"premise": "The ground was wet.",
                  "choice1": "It was rain outside today.", "choice2": "The sun was out.", "question": "cause"}, 0)]
    a = attack(ex, Choice(), task="xcopa", spec=spec("greedy", budget=60))[0]
    assert a.outcome.success and a.variant.fields["choice1"] != ex[0].fields["choice1"]
    assert a.variant.fields["question"] == "cause"


def test_similarity_constraint(tmp_path, tiny_models):  # noqa: F811
    strict = attack(examples(2), KeywordPredictor(), task="xnli",
                    spec=spec("greedy", similarity=str(tiny_models.mlm), min_similarity=1.0),
                    allowed=__import__("harness.attack.similarity", fromlist=["Encoder"])
                    .Encoder(str(tiny_models.mlm)).allowed(1.0))
    assert not any(a.outcome.success or a.edits for a in strict)


def test_cli_errors_name_the_flag(tmp_path, capsys, tiny_models):  # noqa: F811
    data = _data(tmp_path)
    base = ["attack", "--task", "xnli", "--langs", "en", "--model", str(tiny_models.classifier), "--out", str(tmp_path / "o")]
    assert main(base + ["--data", str(data), "--budget", "0"]) == 2
    assert "--budget" in capsys.readouterr().err
    assert main(base + ["--data", str(data), "--ops", "logic.negate"]) == 2
    assert "changes labels" in capsys.readouterr().err
    assert main(base + ["--data", str(data), "--attacks", str(data)]) == 2
    assert "--data" in capsys.readouterr().err
    assert main(base + ["--data", str(data), "--fields", "premise,question"]) == 2
    assert "--fields" in capsys.readouterr().err
    assert main(base + ["--data", str(data), "--max-per-lang", "2", "--budget", "5", "--bootstrap", "20",
                        "--cache", "none", "--no-progress"]) == 0
    assert (tmp_path / "o" / "attackset" / "manifest.json").is_file()
    capsys.readouterr()
    assert main(base + ["--data", str(data), "--budget", "5", "--cache", "none"]) == 2  # refused before searching
    assert "--overwrite" in capsys.readouterr().err


def test_bumblebee_recipe_mixes_english_with_muse_translations(sample_data):
    from harness.predictor import DummyPredictor
    from perturb.loaders import load
    from perturb.sample import contract_lexicon_dir

    en = load(task="xnli", data=sample_data / "xnli", split="test", langs=["en"])["en"]
    sp = AttackSpec(search="greedy", recipe="bumblebee", lexicon_dir=str(contract_lexicon_dir()),
                    constraints=Constraints(budget=50, max_share=0.5))
    res = attack(en, DummyPredictor("xnli", seed=3), task="xnli", spec=sp)
    mixed = [a for a in res if a.edits]
    assert mixed, "no English example was code-mixed"
    for a in mixed:
        assert a.ops and all(op.startswith("lex.codeswitch>") and op.split(">")[1] != "en" for op in a.ops)
        assert all(e.field == "hypothesis" and e.before.strip() and e.after.strip() for e in a.edits)
    de = load(task="xnli", data=sample_data / "xnli", split="test", langs=["de"])["de"]
    with pytest.raises(ValueError, match="English"):
        attack(de, DummyPredictor("xnli"), task="xnli", spec=sp)
    with pytest.raises(ValueError, match="lexicon"):
        attack(en, DummyPredictor("xnli"), task="xnli", spec=AttackSpec(recipe="bumblebee"))


TORCHRUN = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_attack import _job
_job(Path({out!r}), "beam")
"""


def test_two_process_torchrun_gives_the_single_process_output(tmp_path):
    one = _job(tmp_path / "one", "beam")
    script = tmp_path / "rank.py"
    script.write_text(TORCHRUN.format(tests=str(ROOT / "tests"), out=str(tmp_path / "two")))
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}", OMP_NUM_THREADS="1")
    env.pop("CUDA_VISIBLE_DEVICES", None)
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                           str(30500 + os.getpid() % 1000), str(script)], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _tree(tmp_path / "two" / "attackset") == _tree(tmp_path / "one" / "attackset")
    two = json.loads((tmp_path / "two" / "results.json").read_text())
    assert two["metrics"] == json.loads(json.dumps(one["metrics"]))
    assert two["scoring"]["requested"] == one["scoring"]["requested"]


def test_metrics_and_curves_by_hand():
    from types import SimpleNamespace

    from harness.attack.metrics import budgets, columns, summarise

    assert budgets(200) == [1, 2, 5, 10, 20, 50, 100, 200] and budgets(7) == [1, 2, 5, 7] and budgets(1) == [1]

    def rec(first, skipped=False, queries=10, edited=1, words=10):
        return SimpleNamespace(attack={"first_success": first, "skipped": skipped, "success": first is not None,
                                       "queries": queries, "words_edited": edited, "words": words})

    rows = [rec(None, skipped=True, queries=1, edited=0), rec(3, queries=3), rec(8, queries=8, edited=2),
            rec(None, queries=20, edited=0)]
    m = summarise(columns(rows), budget=20, n_boot=200, seed=1, level=0.95)
    assert m["acc_clean"]["value"] == 0.75 and m["acc_attack"]["value"] == 0.25
    assert m["success_rate"]["value"] == pytest.approx(2 / 3)
    assert m["queries_mean"] == pytest.approx((3 + 8 + 20) / 3) and m["queries_median"] == 8
    assert m["share_mean"] == pytest.approx(0.15)
    curve = {c["budget"]: c["success_rate"]["value"] for c in m["curve"]}
    assert curve == {1: 0.0, 2: 0.0, 5: pytest.approx(1 / 3), 10: pytest.approx(2 / 3), 20: pytest.approx(2 / 3)}
    lo, hi = m["success_rate"]["lo"], m["success_rate"]["hi"]
    assert 0 <= lo <= m["success_rate"]["value"] <= hi <= 1


def test_group_comparison_on_robust_accuracy():
    from harness.attack.compare import compare

    ids = [f"xnli/test/de/{i:06d}" for i in range(30)]
    models = {"s1": {"de": {i: 1 for i in ids}}, "s2": {"de": {i: int(n % 2 == 0) for n, i in enumerate(ids)}},
              "i1": {"de": {i: 0 for i in ids}}, "i2": {"de": {i: 0 for i in ids}}}
    groups = {"s1": "seq", "s2": "seq", "i1": "int", "i2": "int"}
    c = compare(models, groups, "seq", "int", n_boot=300, seed=1)
    o = c["by_lang"]["de"]
    assert c["models_a"] == ["s1", "s2"] and o["n"] == 30 and o["diff"] == pytest.approx(0.75)
    assert o["lo"] <= 0.75 <= o["hi"] and o["p"] < 1e-6 and o["significant"]
    same = compare(models, groups, "i1", "i2", n_boot=100, seed=1)["overall"]
    assert same["diff"] == 0 and same["p"] == 1.0
    with pytest.raises(ValueError):
        compare(models, groups, "seq", "seq")


def test_cli_attacks_several_models_and_compares_them(tmp_path, capsys, tiny_models):  # noqa: F811
    data = _data(tmp_path)
    args = ["attack", "--task", "xnli", "--langs", "en", "--data", str(data), "--budget", "8", "--cache", "none",
            "--bootstrap", "50", "--out", str(tmp_path / "o"), "--model", f"a={tiny_models.classifier}",
            "--model", f"b={tiny_models.classifier}", "--schedule", "a=sequential", "--schedule", "b=interleaved"]
    assert main(args + ["--compare", "sequential:nope"]) == 2
    assert "--compare" in capsys.readouterr().err and not (tmp_path / "o").exists()
    assert main(args) == 0
    assert "sequential − interleaved accuracy under attack: +0.0 pp" in capsys.readouterr().out
    comp = json.loads((tmp_path / "o" / "comparison.json").read_text())
    assert comp[0]["overall"]["n"] == 6 and (tmp_path / "o" / "a" / "attackset" / "manifest.json").is_file()


def test_attack_reads_an_attack_sets_clean_rows(tmp_path, sample_data):
    assert main(["perturb", "--task", "xnli", "--data", str(sample_data / "xnli"), "--langs", "de,en", "--ops",
                 "char.swap", "--out", str(tmp_path / "p"), "--workers", "1", "--quiet"]) == 0
    from harness.predictor import DummyPredictor as Fp

    opts = JobOptions(attacks=str(tmp_path / "p"), langs="de", max_per_lang=4, n_boot=20)
    doc = run_job(Fp("xnli", seed=1), "dummy", spec("greedy", budget=10), opts, tmp_path / "o")
    src = read_attack_set(tmp_path / "o" / "attackset").manifest["sources"]["de"]
    assert src["rows"] == 4 and src["attack_set"] == read_attack_set(tmp_path / "p").content_hash
    assert doc["metrics"]["de"]["n"] == 4 and "sample:4@0" in doc["signature"]
    (tmp_path / "p" / "xnli" / "de" / "clean.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(Exception, match="rows|sha256|changed"):
        run_job(Fp("xnli", seed=1), "dummy", spec("greedy", budget=10), opts, tmp_path / "o2")


@pytest.mark.parametrize("search", ["greedy", "beam", "random"])
def test_an_examples_search_does_not_depend_on_the_others(search):
    exs = examples(6)
    together = attack(exs, KeywordPredictor(), task="xnli", spec=spec(search, budget=25))
    alone = [attack([ex], KeywordPredictor(), task="xnli", spec=spec(search, budget=25))[0] for ex in exs]
    assert [(a.outcome, a.edits) for a in together] == [(a.outcome, a.edits) for a in alone]


def test_similarity_encoder_is_recorded_in_the_signature(tmp_path, tiny_models):  # noqa: F811
    data = _data(tmp_path)
    args = ["attack", "--task", "xnli", "--langs", "en", "--data", str(data), "--budget", "6", "--cache", "none",
            "--bootstrap", "20", "--model", str(tiny_models.classifier), "--similarity", str(tiny_models.mlm),
            "--min-similarity", "0.5", "--out", str(tmp_path / "o"), "--no-progress"]
    assert main(args) == 0
    sig = json.loads((tmp_path / "o" / "results.json").read_text())["signature"]
    sim = next(p for p in sig.split("|") if p.startswith("sim:"))
    assert sim != "sim:none" and sim.endswith("@0.5")
    bad = [str(tmp_path) if a == str(tiny_models.mlm) else str(tmp_path / "o2") if a == str(tmp_path / "o") else a
           for a in args]
    assert main(bad) == 2  # not a model directory: one error, no output
    assert not (tmp_path / "o2").exists()
