"""Metrics against hand-computed tables; bootstrap reproducibility; Holm; Welch."""
import math

import numpy as np
import pytest

from harness import metrics as M

# 4 ids. Clean: gold 0 1 2 0, pred 0 1 0 0 -> correct 1 1 0 1.
CLEAN_PRED = [0, 1, 0, 0]
CLEAN_GOLD = [0, 1, 2, 0]
# Variants: id0 has k=2 (one right, one wrong+flipped), id1 wrong+flipped, id2 right+flipped, id3 none.
VAR_INDEX = [0, 0, 1, 2]
VAR_PRED = [0, 1, 2, 2]
VAR_GOLD = [0, 0, 1, 2]

EXPECTED = {
    "acc_clean": 2 / 3,          # ids 0,1,2 only: the same ids as the perturbed side
    "acc_pert": (0.5 + 0 + 1) / 3,
    "delta": 0.5 - 2 / 3,
    "rel_delta": (0.5 - 2 / 3) / (2 / 3),
    "flip_rate": (0.5 + 1 + 1) / 3,
    "attack_success": (1 + 1) / 2,    # of originally-correct ids 0 and 1, each has a wrong variant
    "attack_success_variants": (0.5 + 1) / 2,  # half of id0's variants, all of id1's
    "worst_of_k": 1 / 3,              # only id2 has all variants right
}


def _cell():
    return M.cell_data(CLEAN_PRED, CLEAN_GOLD, VAR_INDEX, VAR_PRED, VAR_GOLD)


def test_hand_computed_table():
    cd = _cell()
    assert cd.n_ids == 3 and cd.n_variants == 4
    got = M.point(cd)
    for k, v in EXPECTED.items():
        assert got[k] == pytest.approx(v), k


def test_label_changing_op_scored_against_new_gold():
    # Negation turns entailment (0) into contradiction (2): predicting 2 on the variant is correct.
    cd = M.cell_data([0, 1], [0, 1], [0, 1], [2, 1], [2, 1])
    p = M.point(cd)
    assert p["acc_pert"] == 1.0 and p["delta"] == 0.0
    assert p["flip_rate"] == 0.5  # the prediction did change vs clean, as it should


def test_accuracy_and_empty():
    assert M.accuracy([1, 2, 3], [1, 2, 0]) == pytest.approx(2 / 3)
    assert math.isnan(M.accuracy([], []))
    cd = M.cell_data([0, 1], [0, 1], [], [], [])
    assert math.isnan(M.point(cd)["delta"])


def test_replicates_with_unit_weights_equal_point():
    cd = _cell()
    reps = M.replicates(cd, np.ones((5, 4)))
    pt = M.point(cd)
    for k in M.STATS:
        np.testing.assert_allclose(reps[k], pt[k])


def test_bootstrap_seeded_and_paired():
    w1 = M.bootstrap_weights(50, 200, seed=7)
    w2 = M.bootstrap_weights(50, 200, seed=7)
    np.testing.assert_array_equal(w1, w2)
    assert not np.array_equal(w1, M.bootstrap_weights(50, 200, seed=8))
    assert (w1.sum(1) == 50).all()  # every resample draws exactly the cell's own number of ids
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 50)
    clean = np.where(rng.random(50) < 0.8, gold, (gold + 1) % 3)
    pert = np.where(rng.random(50) < 0.7, gold, (gold + 2) % 3)
    cd = M.cell_data(clean, gold, np.arange(50), pert, gold)
    reps = M.replicates(cd, w1)
    lo, hi = M.percentile_ci(reps["delta"])
    assert lo <= M.point(cd)["delta"] <= hi
    # Paired: each replicate's delta is exactly its own acc_pert - acc_clean.
    np.testing.assert_allclose(reps["delta"], reps["acc_pert"] - reps["acc_clean"])


def test_holm():
    adj = M.holm([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adj, [0.03, 0.06, 0.06, 0.02])
    adj = M.holm([0.2, float("nan"), 0.01])
    np.testing.assert_allclose(adj, [0.2, np.nan, 0.02])
    assert M.holm([0.9, 0.8]).max() <= 1.0


def test_welch_and_mean_sd():
    from scipy.stats import ttest_ind

    a, b = [0.1, 0.12, 0.09], [0.2, 0.25, 0.22]
    assert M.welch_p(a, b) == pytest.approx(ttest_ind(a, b, equal_var=False).pvalue)
    assert math.isnan(M.welch_p([0.1], b))
    m, sd = M.mean_sd(a)
    assert m == pytest.approx(np.mean(a)) and sd == pytest.approx(np.std(a, ddof=1))
