"""Tests for qskew.metrics: classification_metrics."""

import numpy as np
import pytest
from sklearn import metrics as skm

from qskew.metrics import classification_metrics

KEYS = {"pr_auc", "roc_auc", "precision", "recall", "f1", "mcc", "balanced_accuracy"}
ALL_KEYS = KEYS | {"g_mean", "tpr_at_fpr_0.1%", "tpr_at_fpr_1%", "fpr_at_tpr_95%", "brier", "ece"}


def _sklearn_scores(y_true, y_score, y_pred, pos_label=1):
    is_pos = np.asarray(y_true) == pos_label
    return {
        "pr_auc": skm.average_precision_score(is_pos, y_score),
        "roc_auc": skm.roc_auc_score(is_pos, y_score),
        "precision": skm.precision_score(y_true, y_pred, pos_label=pos_label),
        "recall": skm.recall_score(y_true, y_pred, pos_label=pos_label),
        "f1": skm.f1_score(y_true, y_pred, pos_label=pos_label),
        "mcc": skm.matthews_corrcoef(y_true, y_pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
    }


def _assert_scores_equal(actual, expected):
    assert set(actual) == ALL_KEYS
    for key in KEYS:
        assert actual[key] == pytest.approx(expected[key], abs=1e-12), key


@pytest.fixture(params=[0, 1, 2])
def random_problem(request):
    """Skewed labels (~15 % positive) and noisy scores in [0, 1] that favour them."""
    rng = np.random.RandomState(request.param)
    y_true = (rng.uniform(size=200) < 0.15).astype(int)
    y_true[:2] = [0, 1]  # both classes for every seed
    y_proba = np.clip(0.3 * y_true + rng.uniform(size=200) * 0.7, 0.0, 1.0)
    return y_true, y_proba, rng


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
    }
    _assert_scores_equal(scores, expected)


def test_matches_sklearn_with_given_predictions(random_problem):
    y_true, y_proba, rng = random_problem
    y_pred = (rng.uniform(size=len(y_true)) < 0.3).astype(int)
    scores = classification_metrics(y_true, y_proba, y_pred=y_pred)
    _assert_scores_equal(scores, _sklearn_scores(y_true, y_proba, y_pred))


def test_matches_sklearn_with_default_threshold_on_probabilities(random_problem):
    y_true, y_proba, _ = random_problem
    scores = classification_metrics(y_true, y_proba)
    _assert_scores_equal(scores, _sklearn_scores(y_true, y_proba, (y_proba > 0.5).astype(int)))


def test_matches_sklearn_with_default_threshold_on_margins(random_problem):
    y_true, y_proba, _ = random_problem
    margins = 4 * (y_proba - 0.6)  # decision values: outside [0, 1], threshold 0
    scores = classification_metrics(y_true, margins)
    _assert_scores_equal(scores, _sklearn_scores(y_true, margins, (margins > 0).astype(int)))
    # Ranking metrics depend only on the order of the scores.
    probability_scores = classification_metrics(y_true, y_proba)
    assert scores["pr_auc"] == pytest.approx(probability_scores["pr_auc"])
    assert scores["roc_auc"] == pytest.approx(probability_scores["roc_auc"])


@pytest.mark.parametrize("y_pred_given", [False, True])
def test_string_labels_with_pos_label(random_problem, y_pred_given):
    y_true, y_proba, _ = random_problem
    names = np.array(["benign", "malignant"])
    y_pred = (y_proba > 0.4).astype(int)
    kwargs = {"y_pred": names[y_pred]} if y_pred_given else {}
    scores = classification_metrics(names[y_true], y_proba, pos_label="malignant", **kwargs)
    numeric = classification_metrics(y_true, y_proba, **({"y_pred": y_pred} if y_pred_given
                                                         else {}))
    _assert_scores_equal(scores, numeric)


def test_pos_label_zero_scores_the_other_class(random_problem):
    y_true, y_proba, _ = random_problem
    flipped = classification_metrics(1 - y_true, y_proba, pos_label=0)
    _assert_scores_equal(flipped, classification_metrics(y_true, y_proba))


def test_boolean_labels(random_problem):
    y_true, y_proba, _ = random_problem
    _assert_scores_equal(classification_metrics(y_true.astype(bool), y_proba),
                         classification_metrics(y_true, y_proba))


def test_perfect_and_inverted_scores():
    y_true = np.array([0, 0, 0, 1, 1])
    perfect = classification_metrics(y_true, [0.1, 0.2, 0.3, 0.8, 0.9])
    assert {key: perfect[key] for key in KEYS} == {key: 1.0 for key in KEYS}
    inverted = classification_metrics(y_true, [0.9, 0.8, 0.7, 0.2, 0.1])
    assert inverted["roc_auc"] == 0.0 and inverted["recall"] == 0.0
    assert inverted["precision"] == 0.0  # zero_division=0, not a warning
    assert inverted["mcc"] == pytest.approx(-1.0)


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
    ],
    ids=["one class", "three classes", "length mismatch", "2-D proba", "2-D labels",
         "y_pred length", "string labels, default pos_label", "unknown pos_label"],
)
def test_errors(y_true, y_score, kwargs, match):
    with pytest.raises(ValueError, match=match):
        classification_metrics(y_true, y_score, **kwargs)
