"""Tests for qskew.metrics._fidelity.knn_precision_recall: k-NN precision and recall
(Kynkäänniemi et al., 2019) by hand, invariants and errors."""

import numpy as np
import pandas as pd
import pytest

from qskew.metrics import knn_precision_recall

# One column, so standardising is a single scale factor that leaves every "inside a ball"
# decision as it is: the hand computation below can stay in the original units.
REAL = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
SYNTHETIC = np.array([[0.5], [1.5], [2.5], [5.0]])


def test_hand_computation_k1():
    # Real balls (radius = gap to the nearest other real row, 1 for every row):
    # [-1, 1] u [0, 2] u [1, 3] u [9, 11] u [10, 12] = [-1, 3] u [9, 12].
    # Synthetic rows inside: 0.5, 1.5, 2.5, not 5 -> precision 3/4.
    # Synthetic balls: 0.5 +- 1, 1.5 +- 1, 2.5 +- 1, 5 +- 2.5 -> [-0.5, 7.5].
    # Real rows inside: 0, 1, 2, not 10 or 11 -> recall 3/5.
    assert knn_precision_recall(REAL, SYNTHETIC, k=1) == (0.75, 0.6)


def test_hand_computation_k2():
    # Radius = distance to the 2nd nearest other row. Real: 0 -> 2, 1 -> 1, 2 -> 2,
    # 10 -> 8, 11 -> 9: the outliers' wide balls cover [-2, 20], so precision 4/4 (the
    # paper's caveat about outliers). Synthetic: 0.5 -> 2, 1.5 -> 1, 2.5 -> 2, 5 -> 3.5,
    # union [-1.5, 8.5]: recall 3/5 again.
    assert knn_precision_recall(REAL, SYNTHETIC, k=2) == (1.0, 0.6)


def test_boundary_counts_as_inside():
    # Real rows 0, 2, 4: every radius (k=1) is exactly 2. Synthetic 6 lies on the
    # boundary of 4's ball, 6.5 outside every ball. Synthetic balls (k=1): 6 and 6.5 have
    # radius 0.5, so they cover no real row.
    real = np.array([[0.0], [2.0], [4.0]])
    synthetic = np.array([[6.0], [6.5]])
    assert knn_precision_recall(real, synthetic, k=1) == (0.5, 0.0)


def test_identical_sets_score_one():
    real = np.random.default_rng(0).normal(size=(40, 3))
    assert knn_precision_recall(real, real.copy()) == (1.0, 1.0)


def test_identical_sets_with_duplicate_rows_score_one():
    # Four copies of one row: their 3rd neighbour is a copy, radius exactly 0. The copy in
    # the other set must still count as inside (distance exactly 0, not ~1e-8).
    rng = np.random.default_rng(1)
    real = np.vstack([np.full((4, 3), 0.1234567), rng.normal(size=(10, 3)) * 1e3])
    assert knn_precision_recall(real, real.copy()) == (1.0, 1.0)


def test_disjoint_far_apart_sets_score_zero():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(30, 4))
    assert knn_precision_recall(real, rng.normal(size=(30, 4)) + 100.0) == (0.0, 0.0)


def test_collapsed_synthetic_set_has_high_precision_low_recall():
    # Every synthetic row is a copy of one real row (mode collapse): each looks real, but
    # the synthetic balls have radius 0 and cover only that one real row.
    real = np.random.default_rng(3).normal(size=(50, 3))
    precision, recall = knn_precision_recall(real, np.repeat(real[:1], 40, axis=0))
    assert precision == 1.0
    assert recall == 1 / 50


def test_features_are_standardised_on_the_real_rows():
    # Column 1 varies 1000x more than column 0; without standardising, it alone would
    # set the distances. Scaling a column of both sets by the same factor changes nothing.
    rng = np.random.default_rng(4)
    real = rng.normal(size=(60, 2)) * [1.0, 1000.0]
    synthetic = rng.normal(size=(50, 2)) * [1.0, 1000.0] + [0.5, 0.0]
    scores = knn_precision_recall(real, synthetic)
    assert knn_precision_recall(real * [1.0, 1e-3], synthetic * [1.0, 1e-3]) == scores
    assert knn_precision_recall(real * [7.0, 1.0], synthetic * [7.0, 1.0]) == scores


def test_in_unit_interval_and_order_of_sets_matters():
    rng = np.random.default_rng(5)
    real, synthetic = rng.normal(size=(80, 3)), rng.normal(size=(30, 3)) * 0.3
    precision, recall = knn_precision_recall(real, synthetic)
    assert 0 <= recall < precision <= 1  # a narrow sample: looks real, covers little


def test_dataframes_are_accepted():
    real = pd.DataFrame(REAL, columns=["amount"])
    assert knn_precision_recall(real, pd.DataFrame(SYNTHETIC, columns=["amount"]),
                                k=1) == (0.75, 0.6)
    assert knn_precision_recall(real, SYNTHETIC, k=1) == (0.75, 0.6)


@pytest.mark.parametrize(
    "real, synthetic, k, match",
    [
        (REAL, SYNTHETIC, 0, r"k must be a positive integer .*got 0"),
        (REAL, SYNTHETIC, 2.5, r"k must be a positive integer .*got 2\.5"),
        (REAL, SYNTHETIC, True, r"k must be a positive integer .*got True"),
        (REAL, SYNTHETIC, 4, r"k=4 needs more than 4 rows in each set .*got 5 real and 4 "
                             r"synthetic rows\. Lower k"),
        (REAL[:3], SYNTHETIC, 3, r"got 3 real and 4 synthetic rows"),
        (np.zeros((5, 2)), np.zeros((5, 3)), 1, r"same columns; got 2 and 3 columns"),
        (REAL, np.array([[0.0], [np.nan], [1.0]]), 1, r"synthetic contains NaN"),
        (pd.DataFrame({"a": ["x", "y", "z"]}), SYNTHETIC, 1,
         r"real must be numeric for knn_precision_recall"),
    ],
)
def test_errors(real, synthetic, k, match):
    with pytest.raises(ValueError, match=match):
        knn_precision_recall(real, synthetic, k=k)
