"""The statistics themselves: false positives under a true null, power for a planted effect on a full
15-language design, exactness of the sign-flip test, and the edge cases (zero variance, tiny and empty cells,
p at the resampling floor)."""
import itertools
import math
import warnings

import numpy as np
import pytest

from harness import metrics as M
from harness import significance as S
from harness import simulate as sim
from harness.analysis import analyse
from harness.collect import LangPredictions, OpPredictions
from harness.compare import compare
from harness.report import _pp, significance_line

ALPHA = 0.05


def _mc_bound(rate: float, n: int) -> float:
    """alpha plus three Monte Carlo standard errors."""
    return rate + 3 * math.sqrt(rate * (1 - rate) / n)


# ---- under a true null, no more than alpha false positives ---------------------------------------------


def test_null_exact_signflip_rate_at_most_alpha():
    rng = np.random.default_rng(0)
    n, reps = 60, 400
    rejected = 0
    for _ in range(reps):
        # Two random predictors of the same skill on the same 60 ids (Δ per id in {-1, 0, 1}).
        da = (rng.random(n) < 0.7).astype(float) - (rng.random(n) < 0.8)
        db = (rng.random(n) < 0.7).astype(float) - (rng.random(n) < 0.8)
        rejected += S.signflip_exact_p(da - db, np.ones(n)) < ALPHA
    assert rejected / reps <= _mc_bound(ALPHA, reps)


@pytest.mark.parametrize("n_seeds,seed_sd", [(1, 0.0), (3, 0.05)])
def test_null_pipeline_rate_at_most_alpha(n_seeds, seed_sd):
    """Random predictors, same skill in both groups, through analyse + compare: each test's uncorrected p.

    With 3 seeds the seed offset (5 points, shared by every cell of a model) dominates the id noise: the case
    where a normal reference for the multi-bootstrap was too liberal.
    """
    d = sim.Design(langs=("de", "en"), families={"char": 2, "lex": 2}, n_ids=80, seed_sd=seed_sd)
    ps, familywise, repeats = [], 0, 12
    for r in range(repeats):
        runs = sim.two_groups(d, n_seeds, rep=r)
        cmp = compare(analyse(runs, manifest=d.manifest(), n_boot=200, seed=r), runs, a="A", b="B", n_perm=499)
        ps += [t["p"] for t in cmp["primary"] + cmp["cells"]]
        familywise += any(t["significant"] for t in cmp["primary"])
    rate = np.mean(np.array(ps) < ALPHA)
    # Tests within a repeat are correlated; count repeats, not tests, for the Monte Carlo error.
    assert rate <= _mc_bound(ALPHA, repeats * 2)
    assert familywise <= 2


# ---- a planted effect is found at the default settings -------------------------------------------------


@pytest.fixture(scope="module")
def planted():
    """15 XNLI languages x 22 ops (8 char, 8 lex, 6 logic on 40% of ids, one op on ~6%), 2 groups x 3 seeds;
    group A is 5 points worse on every char op. Fewer ids than XNLI (5010) keep the test fast; more ids only
    make the effect easier to find (benchmarks/comparison_stats.py runs the full size)."""
    d = sim.Design(n_ids=150, coverage={"logic": 0.4, "lex.op7": 0.06})
    runs = sim.two_groups(d, 3, effect={"char": -0.05})
    an = analyse(runs, manifest=d.manifest())  # defaults: 1000 resamples, min_n 20
    return an, compare(an, runs, a="A", b="B")  # defaults: alpha 0.05, Holm


def test_planted_effect_found_after_correction(planted):
    _, cmp = planted
    prim = {(t["scope"], t["key"]): t for t in cmp["primary"]}
    assert cmp["n_primary_tests"] == 3 + 15 and cmp["primary_test"] == "multi-bootstrap"
    char = prim[("family", "char")]
    assert char["significant"] and char["p_holm"] < ALPHA and char["diff"] == pytest.approx(-0.05, abs=0.015)
    assert char["diff_ci"][0] < -0.05 < char["diff_ci"][1]
    assert not prim[("family", "lex")]["significant"] and not prim[("family", "logic")]["significant"]


def test_no_cell_below_min_n_carries_a_p(planted):
    an, cmp = planted
    small = [c for c in cmp["cells"] if c["too_small"]]
    assert small and all(c["n_ids"] < an.min_n for c in small)  # lex.op7 covers ~9 ids per language
    assert all(c["p"] is None and c["p_adj"] is None and c["diff_ci"] is None and not c["significant"]
               for c in small)
    assert cmp["n_tests"] == len(cmp["cells"]) - len(small)
    assert all(c["delta_ci"] is None for c in an.cells if c["too_small"])
    # ... and none enters an aggregate: the lex family averages 7 ops per language, not 8.
    agg = next(a for a in an.aggregates if a["level"] == "family" and a["key"] == "lex")
    assert agg["n_cells"] == 7 * 15 and agg["n_cells_too_small"] == 15


def test_summary_line_states_test_correction_and_tests(planted):
    _, cmp = planted
    line = significance_line(cmp)
    assert f"/{cmp['n_primary_tests']} primary tests" in line and "Holm" in line and "multi-bootstrap" in line


def test_stratified_aggregate_is_centred():
    """Every cell is in every resample, so the aggregate's replicates centre on its point estimate."""
    d = sim.Design(langs=("de", "fr"), families={"char": 2, "logic": 2}, n_ids=150, coverage={"logic.op1": 0.15})
    runs = sim.two_groups(d, 1)
    an = analyse(runs, manifest=d.manifest(), n_boot=400, seed=3)
    row = next(a for a in an.aggregates if a["level"] == "overall" and a["model"] == "A0")
    reps = M.nanmean(an.reps["delta"][0][[j for j, k in enumerate(an.keys)]], 0)
    assert not np.isnan(reps).any()
    assert abs(reps.mean() - row["delta"]) < 0.25 * (row["delta_ci"][1] - row["delta_ci"][0])
    assert row["delta_w"] != row["delta"]  # the n-weighted mean differs once cells differ in size


def test_chunked_replicates_give_the_same_numbers(monkeypatch):
    """A large n_boot is resampled in chunks (bounded memory) with exactly the same replicates."""
    from harness import analysis

    d = sim.Design(langs=("de", "fr"), families={"char": 1, "logic": 1}, n_ids=100)
    runs = sim.two_groups(d, 1)
    whole = analyse(runs, manifest=d.manifest(), n_boot=300, seed=5)
    monkeypatch.setattr(analysis, "CHUNK_ELEMS", 1000)  # 10 replicates of 100 ids at a time
    chunked = analyse(runs, manifest=d.manifest(), n_boot=300, seed=5)
    from harness.results import _clean  # NaN -> None, so the dicts compare

    assert _clean(chunked.cells) == _clean(whole.cells) and _clean(chunked.aggregates) == _clean(whole.aggregates)
    np.testing.assert_array_equal(chunked.reps["delta"], whole.reps["delta"])


# ---- the sign-flip test is exact ---------------------------------------------------------------------


def _brute(e):
    obs = abs(sum(e))
    sums = [abs(sum(s * x for s, x in zip(signs, e))) for signs in itertools.product((-1, 1), repeat=len(e))]
    return np.mean([s >= obs - 1e-12 for s in sums])


@pytest.mark.parametrize("e,k", [
    ([1, 1, 1, -1, 2, 0, 1, -2, 1, 1], [1] * 10),
    ([0.5, 1, -0.5, 1.5, 1, 0.5, -1, 1, 0.5, 2], [2] * 10),
    ([1 / 3, 0.5, -1, 2 / 3, 1, 0.5, 1 / 3, 1, -0.5], [3, 2, 1, 3, 1, 2, 3, 2, 2]),
])
def test_exact_signflip_equals_enumeration(e, k):
    assert S.signflip_exact_p(np.array(e, float), np.array(k)) == pytest.approx(_brute(e), rel=1e-9)


def test_exact_signflip_on_binary_outcomes_is_exact_mcnemar():
    from scipy.stats import binomtest

    # 14 ids where only A is right, 4 where only B is: McNemar's exact test is a binomial test on the 18.
    e = np.array([1.0] * 14 + [-1.0] * 4 + [0.0] * 30)
    assert S.signflip_exact_p(e, np.ones(e.size)) == pytest.approx(binomtest(14, 18).pvalue)


# ---- corrections and power --------------------------------------------------------------------------


def test_benjamini_hochberg_and_holm():
    np.testing.assert_allclose(M.bh([0.01, 0.04, 0.03, 0.005]), [0.02, 0.04, 0.04, 0.02])
    np.testing.assert_allclose(M.bh([0.2, float("nan"), 0.01]), [0.2, np.nan, 0.02])
    assert (M.bh([0.01, 0.02, 0.5]) <= M.holm([0.01, 0.02, 0.5])).all()


def test_permutations_match_the_number_of_tests():
    for m in (1, 18, 330):
        b = S.permutations_needed(m, ALPHA)
        assert S.can_reach(m, ALPHA, 1 / (b + 1)) and m / (b + 1) <= ALPHA / 10
    # The old default, 1000 resamples, could not reach significance over ~330 cells.
    assert not S.can_reach(330, ALPHA, 1 / 1001)


def test_warns_when_permutations_cannot_reach_significance():
    d = sim.Design(langs=("de", "en", "fr"), families={"char": 2, "lex": 2}, n_ids=40)
    runs = sim.two_groups(d, 1, effect={"char": -0.5})
    an = analyse(runs, manifest=d.manifest(), n_boot=100, seed=1)
    cmp = compare(an, runs, a="A", b="B", n_perm=19)
    assert any("cannot reach significance" in w for w in cmp["warnings"])
    assert compare(an, runs, a="A", b="B")["warnings"] == []
    big = next(t for t in cmp["primary"] if t["key"] == "char")
    # All 120 units move one way: the Monte Carlo p sits at its floor, 1/(B+1), and is displayed as such.
    assert big["p"] == pytest.approx(1 / 20) and big["p_floor"] == pytest.approx(1 / 20)
    assert S.fraction_str(big["p"], big["p_floor"]) == "< 1/20"


def test_correction_choice():
    d = sim.Design(langs=("de",), families={"char": 2}, n_ids=60)
    runs = sim.two_groups(d, 1, effect={"char": -0.3})
    an = analyse(runs, manifest=d.manifest(), n_boot=100, seed=1)
    cmp = compare(an, runs, a="A", b="B", correction="bh")
    assert cmp["correction"] == "bh" and all(c["p_adj"] == c["p_bh"] for c in cmp["cells"])
    with pytest.raises(ValueError, match="correction"):
        compare(an, runs, a="A", b="B", correction="bonferroni")


# ---- edge cases ---------------------------------------------------------------------------------------


def test_zero_variance_exact_and_up_to_rounding():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no scipy "precision loss" warning either
        assert M.welch_p([0.3, 0.3, 0.3], [0.3, 0.3]) == 1.0
        # The same value mathematically, one rounding step apart: still "no difference", not p = 5e-17.
        assert M.welch_p([0.1 + 0.2, 0.3, 0.3], [0.3, 0.1 + 0.2]) == 1.0
        # A perfectly reproducible difference is a difference.
        assert M.welch_p([0.3, 0.3, 0.3], [0.2, 0.2, 0.2]) == 0.0
        assert M.welch_p([0.3, 0.3 + 1e-17, 0.3], [0.2, 0.2, 0.2 - 1e-17]) == 0.0
        assert M.multiboot_p(0.0, np.full(50, 1e-18), [0.1] * 3, [0.1] * 3) == 1.0
        assert M.multiboot_p(-0.1, np.full(50, -0.1), [0.1] * 3, [0.2] * 3) == 0.0
    assert math.isnan(M.welch_p([0.1], [0.2, 0.3]))


def _tiny_lang(lang, covered):
    gold = np.arange(40) % 3
    lp = LangPredictions(ids=[f"xnli/test/{lang}/{i:06d}" for i in range(40)], gold=gold, pred=gold.copy())
    idx = np.array(covered, dtype=np.int64)
    for op, wrong in (("char.a", True), ("char.b", False)):
        vp = (gold[idx] + 1) % 3 if wrong else gold[idx]
        lp.ops[op] = OpPredictions(index=idx, variant=np.zeros(idx.size, int), pred=vp, gold=gold[idx],
                                   orig_gold=gold[idx])
    return lp


@pytest.mark.parametrize("covered", [[], [3], [3, 7]])
def test_empty_one_and_two_id_cells_have_counts_only(covered):
    from harness.analysis import ModelRun

    runs = [ModelRun(name=n, schedule=n, predictions={"de": _tiny_lang("de", covered)}) for n in ("x", "y")]
    an = analyse(runs, manifest={}, n_boot=50, seed=0)
    assert all(c["too_small"] and c["n_ids"] == len(covered) and c["delta_ci"] is None for c in an.cells)
    cmp = compare(an, runs, a="x", b="y")
    assert all(c["p"] is None and not c["significant"] for c in cmp["cells"])
    assert cmp["n_tests"] == 0 and cmp["primary"] == [] and "no cell has enough ids for a test" in cmp["warnings"]
    if not covered:
        assert all(math.isnan(c["delta"]) for c in an.cells)


def test_own_id_resample_and_coupling():
    u = M.uniforms(300, 50, seed=4)
    c5, c50 = M.resample_counts(u, 5), M.resample_counts(u, 50)
    assert (c5.sum(1) == 5).all() and (c50.sum(1) == 50).all()  # a 5-id cell draws 5 ids, always
    np.testing.assert_array_equal(c5, M.resample_counts(u, 5))
    # 3 of 5 right: the own-id bootstrap interval is [0.2, 1.0], not [0, 1].
    lo, hi = M.percentile_ci(c5 @ np.array([1, 1, 1, 0, 0.0]) / 5)
    assert lo >= 0.2 - 1e-12 and hi <= 1.0


def test_follow_rate_and_per_example_attack_success():
    # A negation changes gold 0 -> 2 on ids 0,1 and keeps 1 on id 2; the model follows on id 0 only.
    cd = M.cell_data([0, 0, 1], [0, 0, 1], [0, 1, 2], [2, 0, 1], [2, 2, 1], [0, 0, 1])
    p = M.point(cd)
    assert p["follow_rate"] == pytest.approx(1 / 2)
    # k = 2 on id 0: one variant wrong -> the example counts as attacked, half its variants do.
    cd = M.cell_data([0, 1], [0, 1], [0, 0, 1], [0, 2, 1], [0, 0, 1])
    p = M.point(cd)
    assert p["attack_success"] == pytest.approx(1 / 2) and p["attack_success_variants"] == pytest.approx(1 / 4)
    assert math.isnan(p["follow_rate"])  # no label changed


def test_no_negative_zero_in_display():
    assert _pp(-0.0) == "0.0" and _pp(-1e-6) == "0.0" and _pp(0.0123) == "+1.2" and _pp(-0.0123) == "-1.2"
    assert S.fraction_str(1 / 4000, 1 / 4000) == "< 1/4000" and S.fraction_str(0.0312, None) == "0.031"
