"""The TextAttack adapter: xstress char ops as TextAttack transformations.

Everywhere: the TextAttack-free half (candidates, determinism, grapheme-correct edits, word alignment against
TextAttack's own word splitting) and the error a user gets without TextAttack. Where TextAttack is installed: a
subprocess (TextAttack fetches NLTK data when imported, so it gets a stub NLTK corpus and a primed cache instead
of the network) wraps ops as Transformations and runs a greedy attack with them.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import regex

from perturb import textattack_adapter as ta
from perturb.textattack_adapter import XstressEdits, align

REPO = Path(__file__).resolve().parent.parent
HI = {"premise": "आदमी सड़क पर गिटार बजा रहा है।", "hypothesis": "बच्चे स्कूल नहीं गए क्योंकि बारिश हो रही थी।"}
TH = {"text": "เด็กๆ ไม่ได้ไปโรงเรียนเพราะฝนตก"}


def textattack_words(s: str) -> list[str]:
    # TextAttack 0.3.x shared/utils/strings.py words_from_text for non-CJK text: `[\w'\-_*@...]+` runs, with
    # Python's \w, which has no combining marks, so Hindi words break at vowel signs.
    out = []
    for word in " ".join(s.split()).split():
        word = word.strip("'-_*@")
        out.extend(w.strip("'-_*@") for w in re.findall(r"[\w'\-_*@]+", word))
    return [w for w in out if w]


def clusters(s: str) -> list[str]:
    return regex.findall(r"\X", s)


def test_candidates_are_grapheme_correct_deterministic_and_distinct():
    e = XstressEdits("char.swap", lang="hi", candidates=6)
    cands = e.propose(HI)
    assert cands and cands == XstressEdits("char.swap", lang="hi", candidates=6).propose(HI)
    assert len({c["hypothesis"] for c, _ in cands}) == len(cands)
    for new, edits in cands:
        assert new["premise"] == HI["premise"]  # like `xstress perturb`: XNLI edits the hypothesis
        assert sorted(clusters(new["hypothesis"])) == sorted(clusters(HI["hypothesis"]))  # clusters moved whole
        for col, start, end, before, after in edits:
            assert HI[col][start:end] == before
            assert new[col] == HI[col][:start] + after + HI[col][end:]


def test_single_column_thai_and_xcopa_only_languages():
    th = XstressEdits("char.keyboard", lang="th", candidates=3).propose(TH)
    assert th and all(set(new) == {"text"} and new["text"] != TH["text"] for new, _ in th)
    et = XstressEdits("char.keyboard", lang="et", candidates=3)
    assert et.task == "xcopa"  # Estonian is an XCOPA language: the columns become premise/choice1/choice2
    assert et.propose({"text": "Pagar tõusis enne päikesetõusu."})
    both = XstressEdits("char.swap", lang="de", candidates=8, columns=["premise"])
    cols = {"premise": "Der Mann spielt Gitarre auf der Straße.", "hypothesis": "Die Kinder gingen nicht."}
    assert all(new["hypothesis"] == cols["hypothesis"] for new, _ in both.propose(cols))


def _adaptable_ops():
    from perturb import registry

    return [c.name for c in registry.all_ops() if c.family in ("char", "lex") and c.label_effect() == "preserve"]


@pytest.mark.parametrize("name", _adaptable_ops())
def test_every_char_and_lex_op_can_be_adapted(name):
    # Contract over the registry: each label-preserving char/lex op proposes exact, reconstructible edits for a
    # language it supports (spaced-script languages first: their segmenter is already loaded), or, when it
    # needs an external resource, says which.
    from perturb import registry
    from perturb.loaders import load

    cls = registry.get(name)
    prefer = ["de", "hi", "ar", "ru", "el", "fr", "en", "bg", "es", "tr", "vi", "sw", "ur", "th", "zh"]
    lang = next((l for l in prefer if l in cls.languages("xnli")), None)
    if lang is None:
        pytest.skip(f"{name} supports no XNLI language")
    if getattr(cls, "requires", None):
        with pytest.raises(ValueError, match="pass resources="):
            XstressEdits(name, lang=lang)
        return
    # (the first supported language whose six sample rows give the op something to edit: lex.inflect's case
    # swaps find nothing in some languages' rows)
    found = 0
    for lang in [l for l in prefer if l in cls.languages("xnli")]:
        e = XstressEdits(name, lang=lang, candidates=4)
        examples = load(task="xnli", data=REPO / "data" / "xnli", langs=lang)[lang][:6]
        for ex in examples:
            cols = dict(ex.fields)
            for new, edits in e.propose(cols):
                found += 1
                for col in cols:
                    text, pos = cols[col], 0
                    pieces = []
                    for c, start, end, before, after in sorted(x for x in edits if x[0] == col):
                        assert text[start:end] == before
                        pieces += [text[pos:start], after]
                        pos = end
                    assert new[col] == "".join(pieces) + text[pos:]
        if found:
            break
    assert found, f"{name} proposed nothing for six examples of any language it supports"


def test_ops_with_resources_get_them():
    # From English into German: codeswitch needs no parallel sentence there (it has none for other sources here).
    e = XstressEdits("lex.codeswitch", lang="en", params={"to": "de"}, candidates=4,
                     resources={"lexicon_dir": REPO / "tests" / "fixtures" / "lex" / "muse"})
    cols = {"premise": "The man plays.", "hypothesis": "The children did not go to school because it rained."}
    assert e.propose(cols)


def test_refusals():
    with pytest.raises(ValueError, match="only char and lex ops"):
        XstressEdits("logic.negate", lang="en")
    with pytest.raises(ValueError, match="does not support language 'xx'"):
        XstressEdits("char.swap", lang="xx")
    with pytest.raises(ValueError, match="at most 2"):
        XstressEdits("char.swap", lang="de").propose({"a": "x y", "b": "y z", "c": "z w"})
    with pytest.raises(Exception, match="unknown perturbation"):
        XstressEdits("char.swpa", lang="de")


def test_alignment_with_textattack_words_in_hindi():
    # TextAttack sees "स्कूल" as pieces; the adapter still finds the word(s) the swap touched.
    text = "\n".join(HI.values())
    e = XstressEdits("char.swap", lang="hi", candidates=6)
    off = len(HI["premise"]) + 1
    for new, edits in e.propose(HI):
        new_text = "\n".join(new.values())
        old_w, new_w = textattack_words(text), textattack_words(new_text)
        got = align(old_w, text, new_w, [(off + s, off + t) for _, s, t, _, _ in edits])
        assert got is not None
        touched, modified, o2n = got
        (_, s, t, _, _), = edits
        start, end = off + s, off + t
        # every touched word overlaps or abuts the edit; untouched words keep their index mapping
        spans = ta._spans(old_w, text)
        assert all(spans[i][0] <= end and start <= spans[i][1] for i in touched if i not in
                   {i for i in range(len(old_w)) if o2n[i] < 0 or old_w[i] != new_w[o2n[i]]})
        assert all(new_w[o2n[i]] == old_w[i] for i in range(len(old_w)) if i not in touched)
        assert modified and all(0 <= j < len(new_w) for j in modified)


def test_alignment_counts_inserted_and_removed_words():
    old = "a bc d"
    # an invisible character splits "bc" into two TextAttack words
    touched, modified, o2n = align(["a", "bc", "d"], old, ["a", "b", "c", "d"], [(3, 3)])
    assert touched == {1} and modified == {1, 2} and o2n == [0, 1, 3]
    assert align(["a"], "a", ["a"], [(5, 6)]) is None  # an edit no word can own is refused


def test_without_textattack_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setattr(ta, "_CLASS", None)
    for mod in ("textattack", "textattack.shared", "textattack.transformations"):
        monkeypatch.setitem(sys.modules, mod, None)  # makes the import fail as if not installed
    with pytest.raises(ImportError, match=r"xstress\[textattack\]"):
        ta.transformation("char.swap", lang="de")


def test_importing_the_adapter_does_not_import_textattack():
    code = "import sys, perturb.textattack_adapter; print('textattack' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["False", "False"]


# -- with TextAttack ---------------------------------------------------------------------------------------------

ATTACK_SCRIPT = textwrap.dedent(r"""
    import json, sys
    from collections import OrderedDict
    import numpy as np
    import textattack
    from textattack.constraints.pre_transformation import RepeatModification
    from textattack.goal_functions import UntargetedClassification
    from textattack.models.wrappers import ModelWrapper
    from textattack.search_methods import GreedySearch
    from textattack.shared import AttackedText
    from perturb.textattack_adapter import transformation

    premise, hypothesis = sys.argv[1], sys.argv[2]

    class Brittle(ModelWrapper):
        # "entailment" (0) exactly while the hypothesis is untouched: any edit flips it.
        model = None
        def __call__(self, inputs):
            return np.array([[0.9, 0.1] if tuple(x)[1] == hypothesis else [0.2, 0.8] for x in inputs])

    t = transformation("char.swap", lang="hi", candidates=4)
    cur = AttackedText(OrderedDict(premise=premise, hypothesis=hypothesis))
    cands = t(cur)
    report = {"repr": repr(t), "n": len(cands), "texts": [c.text for c in cands],
              "newly": [sorted(c.attack_attrs["newly_modified_indices"]) for c in cands],
              "words_old": cur.words, "words_new": [c.words for c in cands]}
    # Nothing may be proposed outside the allowed indices.
    report["restricted"] = len(t(cur, indices_to_modify=[0]))
    attack = textattack.Attack(UntargetedClassification(Brittle()), [RepeatModification()], t, GreedySearch())
    result = attack.attack(OrderedDict(premise=premise, hypothesis=hypothesis), 0)
    report["result"] = type(result).__name__
    report["perturbed"] = result.perturbed_result.attacked_text.text
    print("REPORT" + json.dumps(report, ensure_ascii=False))
""")


@pytest.mark.skipif(importlib.util.find_spec("textattack") is None,
                    reason="TextAttack not installed (optional extra: pip install 'xstress[textattack]', in an "
                           "environment with transformers<5); the TextAttack-free half of the adapter was tested")
def test_greedy_attack_with_an_xstress_transformation(tmp_path):
    # TextAttack downloads NLTK data on import and needs the stopword list; give it a stub and a primed cache.
    nltk = tmp_path / "nltk_data" / "corpora" / "stopwords"
    nltk.mkdir(parents=True)
    (nltk / "english").write_text("a\nthe\n", encoding="utf-8")
    cache = tmp_path / "ta-cache"
    cache.mkdir()
    (cache / "post_install_check_3").touch()
    env = {**os.environ, "NLTK_DATA": str(tmp_path / "nltk_data"), "TA_CACHE_DIR": str(cache),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", ATTACK_SCRIPT, HI["premise"], HI["hypothesis"]], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("REPORT")), None)
    assert line, proc.stderr[-3000:]
    report = json.loads(line[len("REPORT"):])
    expected = XstressEdits("char.swap", lang="hi", candidates=4).propose(HI)
    assert report["texts"] == ["\n".join(new.values()) for new, _ in expected]
    assert all(report["newly"]) and "char.swap" in report["repr"]
    assert report["restricted"] < report["n"]
    assert report["result"] == "SuccessfulAttackResult"
    premise, hypothesis = report["perturbed"].split("\n")
    assert premise == HI["premise"] and hypothesis != HI["hypothesis"]
    assert sorted(clusters(hypothesis)) == sorted(clusters(HI["hypothesis"]))
