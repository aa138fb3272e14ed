"""Tests for qskew.metrics._fidelity: fidelity table, correlation, detection, augmentation."""

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from scipy import stats
from sklearn import metrics as skm
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from qskew.metrics import augmentation_gain, synthetic_fidelity
from qskew.metrics import knn_precision_recall
from qskew.metrics._fidelity import AGGREGATE_ROW, correlation_distance, detection_auc

PER_FEATURE = ["ks_statistic", "ks_pvalue", "wasserstein"]
AGGREGATE = ["correlation_distance", "detection_auc", "detection_auc_raw", "knn_precision",
             "knn_recall"]
UTILITY = ["tstr_pr_auc", "trtr_pr_auc"]


def gaussian(seed, n=80, shift=0.0, scale=1.0, d=3):
    rng = np.random.default_rng(seed)
    cov = 0.5 * np.eye(d) + 0.5  # correlated columns
    return shift + scale * rng.multivariate_normal(np.zeros(d), cov, size=n)


@pytest.fixture(scope="module")
def table_pair():
    real, synthetic = gaussian(0), gaussian(1, n=60, shift=0.3, scale=1.5)
    return real, synthetic, synthetic_fidelity(real, synthetic, random_state=0)


# --- the fidelity table --------------------------------------------------------------------


def test_per_feature_columns_match_scipy(table_pair):
    real, synthetic, table = table_pair
    mean, std = real.mean(axis=0), real.std(axis=0)
    for j, name in enumerate(["x0", "x1", "x2"]):
        ks = stats.ks_2samp(real[:, j], synthetic[:, j])
        assert table.loc[name, "ks_statistic"] == pytest.approx(ks.statistic, abs=1e-12)
        assert table.loc[name, "ks_pvalue"] == pytest.approx(ks.pvalue, rel=1e-9)
        expected = stats.wasserstein_distance((real[:, j] - mean[j]) / std[j],
                                              (synthetic[:, j] - mean[j]) / std[j])
        assert table.loc[name, "wasserstein"] == pytest.approx(expected, abs=1e-12)


def test_table_layout(table_pair):
    _, _, table = table_pair
    assert list(table.index) == ["x0", "x1", "x2", AGGREGATE_ROW]
    assert AGGREGATE_ROW == "(all features)"
    assert table.index.name == "feature"
    assert list(table.columns) == PER_FEATURE + AGGREGATE
    # Aggregate-only scores appear on the aggregate row only.
    assert table.loc[["x0", "x1", "x2"], AGGREGATE].isna().all().all()


def test_aggregate_row(table_pair):
    real, synthetic, table = table_pair
    aggregate = table.loc[AGGREGATE_ROW]
    per_feature = table.drop(AGGREGATE_ROW)
    assert aggregate["ks_statistic"] == pytest.approx(per_feature["ks_statistic"].mean())
    assert aggregate["wasserstein"] == pytest.approx(per_feature["wasserstein"].mean())
    assert np.isnan(aggregate["ks_pvalue"])
    assert aggregate["correlation_distance"] == pytest.approx(
        correlation_distance(real, synthetic))
    assert aggregate["detection_auc"] == pytest.approx(
        detection_auc(real, synthetic, random_state=0))
    assert aggregate["detection_auc_raw"] == pytest.approx(
        detection_auc(real, synthetic, clip=False, random_state=0))
    assert (aggregate["knn_precision"], aggregate["knn_recall"]) == pytest.approx(
        knn_precision_recall(real, synthetic))


def test_identical_samples_score_zero():
    real = gaussian(2)
    table = synthetic_fidelity(real, real.copy(), random_state=0)
    per_feature = table.drop(AGGREGATE_ROW)
    np.testing.assert_allclose(per_feature["ks_statistic"], 0.0, atol=1e-12)
    np.testing.assert_allclose(per_feature["ks_pvalue"], 1.0)
    np.testing.assert_allclose(per_feature["wasserstein"], 0.0, atol=1e-12)
    assert table.loc[AGGREGATE_ROW, "correlation_distance"] == pytest.approx(0.0, abs=1e-12)
    assert correlation_distance(real, real) == pytest.approx(0.0, abs=1e-12)


def test_dataframe_column_names_index_the_table():
    real = pd.DataFrame(gaussian(3, d=2), columns=["amount", "age"])
    synthetic = pd.DataFrame(gaussian(4, d=2), columns=["amount", "age"])
    table = synthetic_fidelity(real, synthetic, random_state=0)
    assert list(table.index) == ["amount", "age", AGGREGATE_ROW]
    # A plain array takes the real table's names.
    from_array = synthetic_fidelity(real, synthetic.to_numpy(), random_state=0)
    pd.testing.assert_frame_equal(from_array, table)


def test_utility_columns_only_with_real_other():
    positives, negatives = gaussian(5, n=60, shift=1.5), gaussian(6, n=80, shift=-1.5)
    synthetic = gaussian(7, n=60, shift=1.4)
    without = synthetic_fidelity(positives, synthetic, random_state=0)
    assert not set(UTILITY) & set(without.columns)
    with_other = synthetic_fidelity(positives, synthetic, real_other=negatives,
                                    estimator=LogisticRegression(), random_state=0)
    assert list(with_other.columns) == PER_FEATURE + AGGREGATE + UTILITY
    utility = with_other.loc[AGGREGATE_ROW, UTILITY]
    assert utility.between(0, 1).all()
    # Well-separated classes: both training sets give a near-perfect ranking.
    assert (utility > 0.9).all()
    assert with_other.drop(AGGREGATE_ROW)[UTILITY].isna().all().all()


def test_same_random_state_same_table():
    real, synthetic = gaussian(8), gaussian(9)
    pd.testing.assert_frame_equal(synthetic_fidelity(real, synthetic, random_state=1),
                                  synthetic_fidelity(real, synthetic, random_state=1))


def test_constant_real_column_is_not_divided_by_zero():
    real, synthetic = gaussian(10, d=2), gaussian(11, d=2)
    real[:, 1] = 2.0
    table = synthetic_fidelity(real, synthetic, random_state=0)
    # Standard deviation 0 is replaced by 1: the distance in original units.
    assert table.loc["x1", "wasserstein"] == pytest.approx(
        stats.wasserstein_distance(real[:, 1], synthetic[:, 1]))
    assert np.isfinite(table[["ks_statistic", "wasserstein"]].to_numpy()).all()
    assert np.isfinite(table.loc[AGGREGATE_ROW, AGGREGATE].to_numpy(dtype=float)).all()


@pytest.mark.parametrize(
    "real, synthetic, match",
    [
        (np.zeros((5, 2)), np.zeros((5, 3)), r"same columns; got 2 and 3 columns"),
        (pd.DataFrame(np.zeros((5, 2)), columns=["a", "b"]),
         pd.DataFrame(np.zeros((5, 2)), columns=["b", "a"]), r"different column names"),
        (pd.DataFrame(np.zeros((5, 2)), columns=["a", "b"]),
         pd.DataFrame(np.zeros((5, 2)), columns=["a", "c"]), r"different column names"),
        (np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), np.zeros((3, 2)),
         r"real contains NaN or infinite values"),
        (np.zeros((3, 2)), np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]),
         r"synthetic contains NaN or infinite values"),
        (np.zeros((1, 2)), np.zeros((5, 2)), r"real must be a 2-D table with at least 2 rows"),
        (np.zeros((5, 2)), np.zeros((1, 2)), r"synthetic must be a 2-D table with at least 2"),
        (np.zeros((5, 0)), np.zeros((5, 0)), r"at least 2 rows and 1 column"),
    ],
)
def test_errors(real, synthetic, match):
    with pytest.raises(ValueError, match=match):
        synthetic_fidelity(real, synthetic, random_state=0)


def test_real_other_is_validated():
    with pytest.raises(ValueError, match=r"real_other contains NaN"):
        synthetic_fidelity(gaussian(0), gaussian(1), real_other=np.full((5, 3), np.nan))


# --- correlation_distance ------------------------------------------------------------------


def test_correlation_distance_hand_case():
    # corr(real) has off-diagonal 1 (x, x) and corr(synthetic) has -1 (x, -x): each
    # difference is 2, so the root-mean-square is 2.
    x = np.arange(10.0)
    assert correlation_distance(np.c_[x, x], np.c_[x, -x]) == pytest.approx(2.0)
    # Three columns: only the (0, 1) pair changes, from 1 to 0, out of 3 pairs (6 entries):
    # sqrt(2 * 1^2 / 6).
    z = np.array([1.0, -1.0] * 5)  # uncorrelated with x
    w = np.sin(np.arange(10.0))
    real = np.c_[x, x, w]
    synthetic = np.c_[x, z, w]
    diff = np.corrcoef(synthetic, rowvar=False) - np.corrcoef(real, rowvar=False)
    expected = np.sqrt((2 * diff[0, 1] ** 2 + 2 * diff[1, 2] ** 2 + 2 * diff[0, 2] ** 2) / 6)
    assert correlation_distance(real, synthetic) == pytest.approx(expected)


def test_correlation_distance_edge_cases():
    x = np.arange(6.0)
    assert correlation_distance(x[:, None], -x[:, None]) == 0.0  # one column: no pairs
    # A constant column has no correlation: it counts as 0, without NaN.
    assert correlation_distance(np.c_[x, np.ones(6)], np.c_[x, x]) == pytest.approx(1.0)
    assert 0 <= correlation_distance(gaussian(0), gaussian(1)) <= 2


# --- detection_auc -------------------------------------------------------------------------


def test_detection_auc_same_distribution_near_chance():
    auc = detection_auc(gaussian(12, n=200), gaussian(13, n=200), random_state=0)
    assert 0.3 < auc < 0.7


def test_detection_auc_shifted_distribution_near_one():
    auc = detection_auc(gaussian(14, n=100), gaussian(15, n=100, shift=6.0), random_state=0)
    assert auc > 0.97


def test_detection_auc_custom_detector_and_reproducibility():
    real, synthetic = gaussian(16, n=60), gaussian(17, n=60, shift=1.0)
    auc = detection_auc(real, synthetic, detector=LogisticRegression(), cv=3, random_state=0)
    assert 0.5 < auc <= 1
    assert auc == detection_auc(real, synthetic, detector=LogisticRegression(), cv=3,
                                random_state=0)


def interleaved():
    """Synthetic rows halfway between neighbouring real rows: SMOTE's pattern in one column.

    A held-out real row then has synthetic rows as its nearest training neighbours on both
    sides, so the detector ranks it as synthetic: the raw AUC falls well below 0.5.
    """
    real = np.arange(0.0, 40.0, 2.0)[:, None]
    return real, real[:-1] + 1.0


def test_detection_auc_below_chance_is_clipped_to_chance():
    real, synthetic = interleaved()
    raw = detection_auc(real, synthetic, detector=KNeighborsClassifier(2), clip=False,
                        random_state=0)
    assert raw < 0.4  # the artefact the clip is for
    assert detection_auc(real, synthetic, detector=KNeighborsClassifier(2),
                         random_state=0) == 0.5


def test_detection_auc_above_chance_is_not_clipped():
    real, synthetic = gaussian(14, n=60), gaussian(15, n=60, shift=1.0)
    raw = detection_auc(real, synthetic, clip=False, random_state=0)
    assert raw > 0.5
    assert detection_auc(real, synthetic, random_state=0) == raw


def test_fidelity_table_keeps_the_raw_auc_beside_the_clipped_one():
    real, synthetic = interleaved()
    table = synthetic_fidelity(real, synthetic, detector=KNeighborsClassifier(2),
                               random_state=0)
    aggregate = table.loc[AGGREGATE_ROW]
    assert aggregate["detection_auc_raw"] < 0.4
    assert aggregate["detection_auc"] == 0.5


def test_fidelity_table_without_enough_rows_for_knn_balls():
    # 3 synthetic rows: no 3rd neighbour besides a row itself, so no k-NN scores (k=3),
    # but the rest of the table is still there.
    table = synthetic_fidelity(gaussian(0, n=20), gaussian(1, n=3), random_state=0)
    aggregate = table.loc[AGGREGATE_ROW]
    assert np.isnan(aggregate["knn_precision"]) and np.isnan(aggregate["knn_recall"])
    assert np.isfinite(aggregate[["correlation_distance", "detection_auc"]].astype(float)).all()


def test_detection_auc_needs_two_rows_each():
    with pytest.raises(ValueError, match=r"at least 2 real and 2 synthetic rows; got 5 and 1"):
        detection_auc(np.zeros((5, 2)), np.zeros((1, 2)))


# --- augmentation_gain ---------------------------------------------------------------------


class SpySampler(RandomOverSampler):
    """RandomOverSampler that records the rows it is fitted on (class-level: clone-safe)."""

    seen = []

    def _fit_resample(self, X, y):
        SpySampler.seen.append((X.copy(), y.copy()))
        return super()._fit_resample(X, y)


@pytest.fixture
def split():
    X, y = make_classification(300, n_features=5, weights=[0.85], random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


def test_augmentation_gain_table(split):
    X_train, y_train, X_test, y_test = split
    table = augmentation_gain(X_train, y_train, X_test, y_test,
                              RandomOverSampler(random_state=0),
                              estimator=LogisticRegression())
    assert list(table.index) == ["real only", "real + synthetic", "gain"]
    assert list(table.columns) == ["pr_auc", "recall", "f1"]
    np.testing.assert_allclose(table.loc["gain"],
                               table.loc["real + synthetic"] - table.loc["real only"])
    # The "real only" row is the plain classifier, scored by scikit-learn.
    model = LogisticRegression().fit(X_train, y_train)
    proba, pred = model.predict_proba(X_test)[:, 1], model.predict(X_test)
    expected = [skm.average_precision_score(y_test, proba), skm.recall_score(y_test, pred),
                skm.f1_score(y_test, pred)]
    np.testing.assert_allclose(table.loc["real only"], expected)
    # Over-sampling with a linear model shifts the threshold towards the minority.
    assert table.loc["real + synthetic", "recall"] >= table.loc["real only", "recall"]


def test_augmentation_gain_fits_sampler_on_training_rows_only(split):
    X_train, y_train, X_test, y_test = split
    X_test_before, y_test_before = X_test.copy(), y_test.copy()
    SpySampler.seen.clear()
    sampler = SpySampler(random_state=0)
    augmentation_gain(X_train, y_train, X_test, y_test, sampler,
                      estimator=LogisticRegression())
    assert len(SpySampler.seen) == 1
    X_seen, y_seen = SpySampler.seen[0]
    np.testing.assert_array_equal(X_seen, X_train)
    np.testing.assert_array_equal(y_seen, y_train)
    np.testing.assert_array_equal(X_test, X_test_before)
    np.testing.assert_array_equal(y_test, y_test_before)
    assert not hasattr(sampler, "sampling_strategy_")  # a clone was fitted, not the argument


def test_augmentation_gain_pos_label(split):
    X_train, y_train, X_test, y_test = split
    labels = np.array(["normal", "fraud"])
    table = augmentation_gain(X_train, labels[y_train], X_test, labels[y_test],
                              RandomOverSampler(random_state=0),
                              estimator=LogisticRegression(), pos_label="fraud")
    numeric = augmentation_gain(X_train, y_train, X_test, y_test,
                                RandomOverSampler(random_state=0),
                                estimator=LogisticRegression())
    pd.testing.assert_frame_equal(table, numeric)
