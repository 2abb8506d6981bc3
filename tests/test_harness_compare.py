"""Schedule comparison on constructed predictions: bootstrap with one model per group, Welch with seeds, Holm."""
import numpy as np
import pytest

from harness import metrics as M
from harness.analysis import ModelRun, analyse
from harness.collect import LangPredictions, OpPredictions
from harness.compare import compare
from harness.errors import ExperimentError

N = 200
MANIFEST = {"perturbations": {"char.swap": {"family": "char", "label_effect": "preserve"},
                              "lex.syn": {"family": "lex", "label_effect": "preserve"}}}


def _lang(lang, wrong_by_op, clean_wrong=()):
    """All clean predictions right except `clean_wrong`; op variants wrong on the given ids."""
    gold = np.arange(N) % 3
    pred = gold.copy()
    pred[list(clean_wrong)] = (gold[list(clean_wrong)] + 1) % 3
    lp = LangPredictions(ids=[f"xnli/test/{lang}/{i:06d}" for i in range(N)], gold=gold, pred=pred)
    for op, wrong in wrong_by_op.items():
        vp = gold.copy()
        vp[list(wrong)] = (gold[list(wrong)] + 1) % 3
        lp.ops[op] = OpPredictions(index=np.arange(N), variant=np.zeros(N, int), pred=vp, gold=gold, orig_gold=gold)
    return lp


def _run(name, schedule, de_swap_wrong, de_syn_wrong=(), seed=None):
    return ModelRun(name=name, schedule=schedule, seed=seed, predictions={
        "de": _lang("de", {"char.swap": de_swap_wrong, "lex.syn": de_syn_wrong}),
        "en": _lang("en", {"char.swap": (), "lex.syn": ()}),
    })


def test_one_model_per_group_permutation_and_holm():
    runs = [_run("seq", "sequential", range(100), de_syn_wrong=range(3)), _run("int", "interleaved", ())]
    an = analyse(runs, manifest=MANIFEST, n_boot=500, seed=1)
    cmp = compare(an, runs, a="sequential", b="interleaved")
    assert cmp["primary_test"] == "permutation" and cmp["models_a"] == ["seq"]
    cells = {(c["lang"], c["op"]): c for c in cmp["cells"]}
    assert set(cells) == {("de", "char.swap"), ("de", "lex.syn"), ("en", "char.swap"), ("en", "lex.syn")}
    big = cells[("de", "char.swap")]
    assert big["diff"] == pytest.approx(-0.5)
    assert big["diff_ci"][0] <= -0.5 <= big["diff_ci"][1] and big["diff_ci"][1] < 0
    # 100 discordant ids, all one way: the exact sign-flip p is 2 * 2**-100 (no resampling floor).
    assert big["significant"] and big["p"] == pytest.approx(2 * 2.0**-100, rel=1e-6)
    assert big["p_method"] == "exact sign-flip" and big["p_floor"] is None
    small = cells[("de", "lex.syn")]
    # 3 discordant ids, all one way: exact p = 2 * 2**-3, however the bootstrap might look.
    assert small["diff"] == pytest.approx(-0.015) and small["p"] == pytest.approx(0.25) and not small["significant"]
    np.testing.assert_allclose([c["p_holm"] for c in cmp["cells"]], M.holm([c["p"] for c in cmp["cells"]]))
    # The CI comes from the same own-id resamples for both models (paired).
    reps = an.cell_reps("seq", ("de", "char.swap")) - an.cell_reps("int", ("de", "char.swap"))
    assert list(M.percentile_ci(reps)) == big["diff_ci"]
    prim = {(t["scope"], t["key"]): t for t in cmp["primary"]}
    assert set(prim) == {("family", "char"), ("family", "lex"), ("lang", "de"), ("lang", "en")}
    assert prim[("family", "char")]["diff"] == pytest.approx(-0.25) and prim[("family", "char")]["significant"]
    assert prim[("lang", "en")]["p"] == 1.0 and cmp["n_primary_tests"] == 4


def test_several_seeds_multibootstrap_with_welch_secondary():
    a_wrong, b_wrong = (60, 70, 80), (10, 12, 14)
    runs = [_run(f"seq{s}", "sequential", range(w), seed=s) for s, w in enumerate(a_wrong)]
    runs += [_run(f"int{s}", "interleaved", range(w), seed=s) for s, w in enumerate(b_wrong)]
    an = analyse(runs, manifest=MANIFEST, n_boot=300, seed=2)
    cmp = compare(an, runs, a="sequential", b="interleaved")
    assert cmp["primary_test"] == "multi-bootstrap" and cmp["secondary_test"] == "welch"
    c = next(c for c in cmp["cells"] if (c["lang"], c["op"]) == ("de", "char.swap"))
    da, db = [-w / N for w in a_wrong], [-w / N for w in b_wrong]
    assert c["a_mean"] == pytest.approx(np.mean(da)) and c["a_sd"] == pytest.approx(np.std(da, ddof=1))
    assert c["b_mean"] == pytest.approx(np.mean(db))
    assert c["p_welch"] == pytest.approx(M.welch_p(da, db)) and c["p_welch"] < 0.01
    assert c["p"] < 1e-3 and c["significant"] and c["p_method"].startswith("multi-bootstrap SE")
    # Cells with identical Δ in every seed are tested (p = 1), not silently dropped from the family.
    assert cmp["n_tests"] == 4
    same = next(c for c in cmp["cells"] if (c["lang"], c["op"]) == ("en", "lex.syn"))
    assert same["p"] == 1.0 and same["p_welch"] == 1.0


def test_unknown_group():
    runs = [_run("seq", "sequential", ()), _run("int", "interleaved", ())]
    an = analyse(runs, manifest=MANIFEST, n_boot=10, seed=1)
    with pytest.raises(ExperimentError, match="'joint' matches no schedule"):
        compare(an, runs, a="joint", b="interleaved")
