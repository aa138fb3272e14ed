"""Tests for qskew.metrics._classification: classification_metrics, tpr_at_fpr,
fpr_at_tpr and expected_calibration_error."""

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn import metrics as skm

from qskew.metrics import (
    classification_metrics,
    expected_calibration_error,
    fpr_at_tpr,
    tpr_at_fpr,
)

# The sets here are small on purpose: their low-FPR rates are unresolved, as
# test_low_fpr.py checks; the warning would only be noise in these tests.
pytestmark = pytest.mark.filterwarnings("ignore::qskew.UnreliableMetricWarning")

KEYS = {"pr_auc", "roc_auc", "precision", "recall", "f1", "mcc", "balanced_accuracy", "g_mean"}
ALL_KEYS = KEYS | {"tpr_at_fpr_0.1%", "tpr_at_fpr_0.1%_low", "tpr_at_fpr_0.1%_high",
                   "tpr_at_fpr_1%", "tpr_at_fpr_1%_low", "tpr_at_fpr_1%_high",
                   "fpr_at_tpr_95%", "brier", "ece"}

# A small hand-made ROC: 5 positives, 10 negatives. In decreasing score order
# P P N P N P N N N N P N N N N, so the ROC steps (FPR, TPR) are
# (0, .4) (.1, .4) (.1, .6) (.2, .6) (.2, .8) ... (.6, .8) (.6, 1).
ROC_TRUE = np.array([1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0])
ROC_SCORE = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1,
                      0.05, 0.01])


def _reference_scores(y_true, y_score, y_pred, pos_label=1):
    """The same metrics computed directly by scikit-learn and imbalanced-learn."""
    is_pos = np.asarray(y_true) == pos_label
    return {
        "pr_auc": skm.average_precision_score(is_pos, y_score),
        "roc_auc": skm.roc_auc_score(is_pos, y_score),
        "precision": skm.precision_score(y_true, y_pred, pos_label=pos_label),
        "recall": skm.recall_score(y_true, y_pred, pos_label=pos_label),
        "f1": skm.f1_score(y_true, y_pred, pos_label=pos_label),
        "mcc": skm.matthews_corrcoef(y_true, y_pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
        "g_mean": geometric_mean_score(y_true, y_pred),
    }


def _assert_scores_equal(actual, expected, keys=KEYS):
    assert set(actual) == ALL_KEYS
    for key in keys:
        assert actual[key] == pytest.approx(expected[key], abs=1e-12), key


def _ece_by_loop(y_true, y_prob, n_bins):
    """ECE written out bin by bin: half-open bins [k/n, (k+1)/n), the last closed."""
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    total = 0.0
    for k in range(n_bins):
        lo, hi = k / n_bins, (k + 1) / n_bins
        inside = (y_prob >= lo) & ((y_prob < hi) if k < n_bins - 1 else (y_prob <= hi))
        if inside.any():
            total += inside.sum() * abs(y_true[inside].mean() - y_prob[inside].mean())
    return total / len(y_prob)


@pytest.fixture(params=[0, 1, 2])
def random_problem(request):
    """Skewed labels (~15 % positive) and noisy scores in [0, 1] that favour them."""
    rng = np.random.RandomState(request.param)
    y_true = (rng.uniform(size=200) < 0.15).astype(int)
    y_true[:2] = [0, 1]  # both classes for every seed
    y_proba = np.clip(0.3 * y_true + rng.uniform(size=200) * 0.7, 0.0, 1.0)
    return y_true, y_proba, rng


# -- classification_metrics -------------------------------------------------


def test_hand_computed_case():
    # Ranking 0.8 (+), 0.4 (-), 0.35 (+), 0.1 (-): AP = 1/2 * 1 + 1/2 * 2/3;
    # 3 of the 4 positive/negative pairs are ordered right. Threshold 0.5
    # predicts [0, 0, 0, 1]: TP=1, FP=0, FN=1, TN=2.
    scores = classification_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    expected = {
        "pr_auc": 5 / 6,
        "roc_auc": 3 / 4,
        "precision": 1.0,
        "recall": 1 / 2,
        "f1": 2 / 3,
        "mcc": (1 * 2 - 0 * 1) / np.sqrt(1 * 2 * 2 * 3),
        "balanced_accuracy": (1 / 2 + 2 / 2) / 2,
        "g_mean": np.sqrt(1 / 2 * 2 / 2),
        # With 2 negatives no false positive is allowed: only 0.8 is above them all.
        "tpr_at_fpr_0.1%": 1 / 2,
        "tpr_at_fpr_1%": 1 / 2,
        # Unresolved, so bootstrapped. Each resample keeps 0 false positives: its TPR is 0
        # with chance 3/16 (0.4 drawn, both positives 0.35) and 1 with chance 7/16 (0.4 not
        # drawn, or both positives 0.8), so the 2.5 and 97.5 percentiles are 0 and 1.
        "tpr_at_fpr_0.1%_low": 0.0,
        "tpr_at_fpr_0.1%_high": 1.0,
        "tpr_at_fpr_1%_low": 0.0,
        "tpr_at_fpr_1%_high": 1.0,
        # Catching both positives needs threshold 0.35, which lets 0.4 through.
        "fpr_at_tpr_95%": 1 / 2,
        "brier": (0.1**2 + 0.4**2 + 0.65**2 + 0.2**2) / 4,
        # Each score alone in its bin of width 0.1: mean |y - p|.
        "ece": (0.1 + 0.4 + 0.65 + 0.2) / 4,
    }
    _assert_scores_equal(scores, expected, keys=ALL_KEYS)


def test_keys_and_order_of_the_table():
    scores = classification_metrics(ROC_TRUE, ROC_SCORE)
    assert list(scores) == ["pr_auc", "roc_auc", "precision", "recall", "f1", "mcc",
                            "balanced_accuracy", "g_mean", "tpr_at_fpr_0.1%",
                            "tpr_at_fpr_0.1%_low", "tpr_at_fpr_0.1%_high", "tpr_at_fpr_1%",
                            "tpr_at_fpr_1%_low", "tpr_at_fpr_1%_high", "fpr_at_tpr_95%",
                            "brier", "ece"]
    assert all(isinstance(value, float) for value in scores.values())


def test_low_fpr_operating_points_on_hand_made_roc():
    scores = classification_metrics(ROC_TRUE, ROC_SCORE)
    # 10 negatives: FPR 0.1 % and 1 % both allow no false positive.
    assert scores["tpr_at_fpr_0.1%"] == scores["tpr_at_fpr_1%"] == 0.4
    assert scores["fpr_at_tpr_95%"] == 0.6


def test_matches_sklearn_with_given_predictions(random_problem):
    y_true, y_proba, rng = random_problem
    y_pred = (rng.uniform(size=len(y_true)) < 0.3).astype(int)
    scores = classification_metrics(y_true, y_proba, y_pred=y_pred)
    _assert_scores_equal(scores, _reference_scores(y_true, y_proba, y_pred))


def test_matches_sklearn_with_default_threshold_on_probabilities(random_problem):
    y_true, y_proba, _ = random_problem
    scores = classification_metrics(y_true, y_proba)
    _assert_scores_equal(scores, _reference_scores(y_true, y_proba, (y_proba > 0.5).astype(int)))
    assert scores["brier"] == pytest.approx(skm.brier_score_loss(y_true, y_proba), abs=1e-15)
    assert scores["ece"] == pytest.approx(_ece_by_loop(y_true, y_proba, 10), abs=1e-12)
    assert scores["tpr_at_fpr_1%"] == tpr_at_fpr(y_true, y_proba, 0.01)
    assert scores["tpr_at_fpr_0.1%"] == tpr_at_fpr(y_true, y_proba, 0.001)
    assert scores["fpr_at_tpr_95%"] == fpr_at_tpr(y_true, y_proba, 0.95)


def test_n_bins_is_passed_to_ece(random_problem):
    y_true, y_proba, _ = random_problem
    scores = classification_metrics(y_true, y_proba, n_bins=4)
    assert scores["ece"] == pytest.approx(_ece_by_loop(y_true, y_proba, 4), abs=1e-12)
    assert scores["ece"] != classification_metrics(y_true, y_proba)["ece"]


def test_matches_sklearn_with_default_threshold_on_margins(random_problem):
    y_true, y_proba, _ = random_problem
    margins = 4 * (y_proba - 0.6)  # decision values: outside [0, 1], threshold 0
    scores = classification_metrics(y_true, margins)
    _assert_scores_equal(scores, _reference_scores(y_true, margins, (margins > 0).astype(int)))
    # Ranking metrics depend only on the order of the scores.
    probability_scores = classification_metrics(y_true, y_proba)
    for key in ("pr_auc", "roc_auc", "tpr_at_fpr_0.1%", "tpr_at_fpr_1%", "fpr_at_tpr_95%"):
        assert scores[key] == pytest.approx(probability_scores[key]), key
    # Decision values are no probabilities: no Brier score, no calibration error.
    assert np.isnan(scores["brier"]) and np.isnan(scores["ece"])


def test_decision_values_use_threshold_zero():
    # All scores below 0.5 but two above 0: the threshold must be 0, not 0.5.
    scores = classification_metrics([0, 0, 1, 1], [-2.0, -0.5, 0.2, 0.4])
    assert scores["recall"] == 1.0 and scores["precision"] == 1.0
    assert np.isnan(scores["brier"]) and np.isnan(scores["ece"])


def test_as_frame_gives_one_row_table(random_problem):
    y_true, y_proba, _ = random_problem
    frame = classification_metrics(y_true, y_proba, as_frame=True)
    scores = classification_metrics(y_true, y_proba)
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (1, len(ALL_KEYS))
    assert list(frame.columns) == list(scores)
    assert frame.iloc[0].to_dict() == pytest.approx(scores)


def test_as_frame_keeps_nan_for_decision_values(random_problem):
    y_true, y_proba, _ = random_problem
    frame = classification_metrics(y_true, y_proba - 0.5, as_frame=True)
    assert frame[["brier", "ece"]].isna().all(axis=None)


@pytest.mark.parametrize("y_pred_given", [False, True])
def test_string_labels_with_pos_label(random_problem, y_pred_given):
    y_true, y_proba, _ = random_problem
    names = np.array(["benign", "malignant"])
    y_pred = (y_proba > 0.4).astype(int)
    kwargs = {"y_pred": names[y_pred]} if y_pred_given else {}
    scores = classification_metrics(names[y_true], y_proba, pos_label="malignant", **kwargs)
    numeric = classification_metrics(y_true, y_proba, **({"y_pred": y_pred} if y_pred_given
                                                         else {}))
    _assert_scores_equal(scores, numeric, keys=ALL_KEYS)


def test_pos_label_zero_scores_the_other_class(random_problem):
    y_true, y_proba, _ = random_problem
    flipped = classification_metrics(1 - y_true, y_proba, pos_label=0)
    _assert_scores_equal(flipped, classification_metrics(y_true, y_proba), keys=ALL_KEYS)


def test_boolean_labels(random_problem):
    y_true, y_proba, _ = random_problem
    _assert_scores_equal(classification_metrics(y_true.astype(bool), y_proba),
                         classification_metrics(y_true, y_proba), keys=ALL_KEYS)


def test_perfect_and_inverted_scores():
    y_true = np.array([0, 0, 0, 1, 1])
    perfect = classification_metrics(y_true, [0.1, 0.2, 0.3, 0.8, 0.9])
    assert {key: perfect[key] for key in KEYS} == {key: 1.0 for key in KEYS}
    assert perfect["tpr_at_fpr_0.1%"] == 1.0 and perfect["fpr_at_tpr_95%"] == 0.0
    inverted = classification_metrics(y_true, [0.9, 0.8, 0.7, 0.2, 0.1])
    assert inverted["roc_auc"] == 0.0 and inverted["recall"] == 0.0
    assert inverted["precision"] == 0.0  # zero_division=0, not a warning
    assert inverted["mcc"] == pytest.approx(-1.0)
    assert inverted["g_mean"] == 0.0
    assert inverted["tpr_at_fpr_1%"] == 0.0 and inverted["fpr_at_tpr_95%"] == 1.0


@pytest.mark.parametrize(
    "y_true, y_score, kwargs, match",
    [
        ([1, 1, 1], [0.2, 0.5, 0.9], {},
         r"exactly two classes in y_true; got 1: \[1\].*stratified"),
        ([0, 1, 2], [0.2, 0.5, 0.9], {}, r"exactly two classes in y_true; got 3: \[0, 1, 2\]"),
        ([0, 1, 1], [0.2, 0.5], {}, r"1-D and of equal length; got shapes \(3,\) and \(2,\)"),
        ([0, 1], [[0.8, 0.2], [0.3, 0.7]], {}, r"got shapes \(2,\) and \(2, 2\).*\[:, 1\]"),
        ([[0, 1]], [[0.2, 0.5]], {}, r"must be 1-D"),
        ([0, 1, 1], [0.2, 0.5, 0.9], {"y_pred": [0, 1]},
         r"y_pred must have one prediction per sample.*\(3,\); got shape \(2,\)"),
        (["a", "b"], [0.2, 0.5], {}, r"pos_label 1 is not among the labels of y_true \['a', 'b'\]"),
        ([0, 1], [0.2, 0.5], {"pos_label": 2}, r"pos_label 2 is not among.*minority class"),
        ([0, 1], [0.2, 0.5], {"n_bins": 0}, r"n_bins must be a positive integer; got 0"),
    ],
    ids=["one class", "three classes", "length mismatch", "2-D proba", "2-D labels",
         "y_pred length", "string labels, default pos_label", "unknown pos_label", "n_bins=0"],
)
def test_errors(y_true, y_score, kwargs, match):
    with pytest.raises(ValueError, match=match):
        classification_metrics(y_true, y_score, **kwargs)


# -- tpr_at_fpr / fpr_at_tpr ------------------------------------------------


@pytest.mark.parametrize(
    "fpr, expected",
    [(0.0, 0.4), (0.05, 0.4), (0.1, 0.6), (0.15, 0.6), (0.2, 0.8), (0.55, 0.8), (0.6, 1.0),
     (1.0, 1.0)],
)
def test_tpr_at_fpr_hand_made_roc(fpr, expected):
    # Step reading: between two ROC points the lower TPR holds (no interpolation).
    assert tpr_at_fpr(ROC_TRUE, ROC_SCORE, fpr) == expected


@pytest.mark.parametrize(
    "tpr, expected",
    [(0.0, 0.0), (0.2, 0.0), (0.4, 0.0), (0.5, 0.1), (0.6, 0.1), (0.8, 0.2), (0.95, 0.6),
     (1.0, 0.6)],
)
def test_fpr_at_tpr_hand_made_roc(tpr, expected):
    assert fpr_at_tpr(ROC_TRUE, ROC_SCORE, tpr) == expected


def test_operating_points_with_string_pos_label():
    names = np.array(["normal", "attack"])[ROC_TRUE]
    assert tpr_at_fpr(names, ROC_SCORE, 0.1, pos_label="attack") == 0.6
    assert fpr_at_tpr(names, ROC_SCORE, 0.8, pos_label="attack") == 0.2


def test_tied_scores_count_both_rows():
    # A positive tied with a negative cannot be caught without that false positive.
    assert tpr_at_fpr([0, 1, 1], [0.5, 0.5, 0.9], 0.0) == 0.5
    assert fpr_at_tpr([0, 1, 1], [0.5, 0.5, 0.9], 1.0) == 1.0


def test_operating_points_depend_on_ranking_only():
    margins = np.log(ROC_SCORE / (1 - ROC_SCORE))  # strictly increasing transform
    for fpr in (0.0, 0.1, 0.3):
        assert tpr_at_fpr(ROC_TRUE, margins, fpr) == tpr_at_fpr(ROC_TRUE, ROC_SCORE, fpr)
    assert fpr_at_tpr(ROC_TRUE, margins, 0.95) == fpr_at_tpr(ROC_TRUE, ROC_SCORE, 0.95)


def test_operating_points_invariants(random_problem):
    y_true, y_proba, _ = random_problem
    grid = np.linspace(0, 1, 21)
    tprs = [tpr_at_fpr(y_true, y_proba, f) for f in grid]
    fprs = [fpr_at_tpr(y_true, y_proba, t) for t in grid]
    assert np.all(np.diff(tprs) >= 0) and np.all(np.diff(fprs) >= 0)
    assert tprs[-1] == 1.0 and fprs[0] == 0.0
    assert all(0.0 <= value <= 1.0 for value in tprs + fprs)
    # The two readings are consistent: the TPR reached at FPR <= f needs no more than f.
    for f, t in zip(grid, tprs):
        assert fpr_at_tpr(y_true, y_proba, t) <= f + 1e-12


@pytest.mark.parametrize("function", [tpr_at_fpr, fpr_at_tpr])
def test_operating_points_need_both_classes(function):
    with pytest.raises(ValueError, match=r"both classes.*got only"):
        function([1, 1, 1], [0.2, 0.5, 0.9], 0.5)


# -- expected_calibration_error ---------------------------------------------


def test_ece_hand_computed_with_known_bins():
    y_true = [0, 0, 1, 1, 1]
    y_prob = [0.05, 0.15, 0.15, 0.95, 1.0]
    # 10 bins: [0, .1) holds 0.05 (no positive): gap .05; [.1, .2) holds the two
    # 0.15 (one positive): gap |.5 - .15| on 2 rows; the last bin, closed, holds
    # 0.95 and 1.0 (both positive): gap |1 - .975| on 2 rows. Bins 2-8 are empty.
    expected = (1 * 0.05 + 2 * 0.35 + 2 * 0.025) / 5
    assert expected_calibration_error(y_true, y_prob) == pytest.approx(expected, abs=1e-15)
    assert expected == pytest.approx(0.16)
    # 2 bins: [0, .5) with 1 positive of 3 rows (mean p 0.35 / 3), [.5, 1] 2 of 2.
    two = (3 * abs(1 / 3 - 0.35 / 3) + 2 * abs(1 - 1.95 / 2)) / 5
    assert expected_calibration_error(y_true, y_prob, n_bins=2) == pytest.approx(two, abs=1e-15)
    # 1 bin: |share of positives - mean probability|.
    one = abs(3 / 5 - 2.3 / 5)
    assert expected_calibration_error(y_true, y_prob, n_bins=1) == pytest.approx(one, abs=1e-15)


def test_ece_probability_one_falls_in_last_bin():
    # 1.0 and 0.95 share the closed last bin: their mean 0.975 against 1 positive of 2.
    assert expected_calibration_error([1, 0], [1.0, 0.95]) == pytest.approx(0.475)
    assert expected_calibration_error([1, 1], [1.0, 1.0]) == 0.0
    assert expected_calibration_error([1], [1.0], n_bins=1) == 0.0


def test_ece_bin_edges_open_on_the_right():
    # 0.5 opens the second of two bins: it is not averaged with 0.0.
    assert expected_calibration_error([0, 1], [0.0, 0.5], n_bins=2) == pytest.approx(0.25)
    assert expected_calibration_error([0, 1], [0.0, 0.49], n_bins=2) == pytest.approx(
        abs(0.5 - 0.245))


def test_ece_perfect_calibration_within_bins_is_zero():
    # Every bin's share of positives equals its probability.
    y_true = [1, 0, 0, 0, 1, 1, 1, 0]
    y_prob = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75]
    assert expected_calibration_error(y_true, y_prob) == 0.0


def test_ece_empty_bins_are_skipped(random_problem):
    # Probabilities in two narrow bands: most of 50 bins are empty and add nothing.
    y_true, _, rng = random_problem
    y_prob = np.where(rng.uniform(size=len(y_true)) < 0.5, 0.101, 0.899)
    for n_bins in (2, 10, 50):
        value = expected_calibration_error(y_true, y_prob, n_bins=n_bins)
        assert np.isfinite(value)
        assert value == pytest.approx(_ece_by_loop(y_true, y_prob, n_bins), abs=1e-12)


@pytest.mark.parametrize("n_bins", [1, 3, 10, 15])
def test_ece_matches_loop_and_lies_in_unit_interval(random_problem, n_bins):
    y_true, y_proba, _ = random_problem
    value = expected_calibration_error(y_true, y_proba, n_bins=n_bins)
    assert value == pytest.approx(_ece_by_loop(y_true, y_proba, n_bins), abs=1e-12)
    assert 0.0 <= value <= 1.0


def test_ece_pos_label():
    y_true = np.array(["neg", "pos", "pos"])
    assert expected_calibration_error(y_true, [0.1, 0.8, 0.9], pos_label="pos") == (
        expected_calibration_error([0, 1, 1], [0.1, 0.8, 0.9]))


@pytest.mark.parametrize(
    "y_prob, kwargs, match",
    [
        ([-0.1, 0.5], {},
         r"probabilities in \[0, 1\]; got values in \[-0.1, 0.5\].*predict_proba"),
        ([0.5, 1.5], {}, r"probabilities in \[0, 1\]; got values in \[0.5, 1.5\]"),
        ([0.5, np.nan], {}, r"y_prob must not contain NaN; got 1 NaN value"),
        ([0.5, 0.7, 0.9], {}, r"one probability per sample.*got 3 for 2 labels"),
        ([0.2, 0.7], {"n_bins": 0}, r"n_bins must be a positive integer; got 0\."),
        ([0.2, 0.7], {"n_bins": -3}, r"n_bins must be a positive integer; got -3"),
        ([0.2, 0.7], {"n_bins": 2.5}, r"n_bins must be a positive integer; got 2.5"),
    ],
    ids=["below 0", "above 1", "NaN", "length mismatch", "n_bins=0", "n_bins<0", "float n_bins"],
)
def test_ece_errors(y_prob, kwargs, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error([0, 1], y_prob, **kwargs)


def test_a_subset_of_metrics_is_computed_alone_and_equals_the_full_set():
    import warnings

    from qskew import UnreliableMetricWarning

    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    score = np.clip(0.3 * y + rng.uniform(0, 0.7, 100), 0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableMetricWarning)
        full = classification_metrics(y, score)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 90 negatives resolve no low FPR: not asked, not run
        some = classification_metrics(y, score, metrics=["mcc", "pr_auc", "ece"])
    assert list(some) == ["pr_auc", "mcc", "ece"]  # the canonical order
    assert some == {name: full[name] for name in some}
    with pytest.warns(UnreliableMetricWarning, match="tpr_at_fpr_1%"):
        rate = classification_metrics(y, score, metrics=["tpr_at_fpr_1%"])
    assert rate == {key: full[key] for key in ("tpr_at_fpr_1%", "tpr_at_fpr_1%_low",
                                                "tpr_at_fpr_1%_high")}


@pytest.mark.parametrize("metrics, error, match", [
    (["pr-auc"], ValueError, r"unknown metric 'pr-auc' \(did you mean 'pr_auc'\?\)"),
    ("pr_auc", TypeError, r"metrics must be a list of metric names"),
])
def test_unknown_metrics_are_named(metrics, error, match):
    with pytest.raises(error, match=match):
        classification_metrics([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], metrics=metrics)
