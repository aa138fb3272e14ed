"""Tests for qskew.metrics._classification at low false-positive rates: resolves_fpr, the
UnreliableMetricWarning of tpr_at_fpr and classification_metrics, and tpr_at_fpr_interval."""

import warnings

import numpy as np
import pytest

from qskew import UnreliableMetricWarning
from qskew.metrics import (
    classification_metrics,
    resolves_fpr,
    tpr_at_fpr,
    tpr_at_fpr_interval,
)
from qskew.metrics import _classification

LOW_KEYS = ["tpr_at_fpr_0.1%_low", "tpr_at_fpr_0.1%_high", "tpr_at_fpr_1%_low",
            "tpr_at_fpr_1%_high"]


def _problem(n_neg, n_pos, seed=0, decimals=None):
    """Shuffled labels with normal scores, positives shifted up; ``decimals`` rounds the
    scores so that many tie, within and across the classes."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n_neg, int), np.ones(n_pos, int)]
    score = np.r_[rng.normal(0, 1, n_neg), rng.normal(1.5, 1, n_pos)]
    if decimals is not None:
        score = np.round(score, decimals)
    order = rng.permutation(len(y))
    return y[order], score[order]


def _naive_values(y, score, fpr, n_resamples, seed):
    """tpr_at_fpr on each resample, built as arrays and read off sklearn's ROC curve, with
    the very indices the bootstrap draws."""
    neg, pos = score[y == 0], score[y == 1]
    rng = np.random.default_rng(seed)
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableMetricWarning)
        for neg_idx, pos_idx in _classification._stratified_resamples(
                rng, len(neg), len(pos), n_resamples):
            assert neg_idx.shape[1] == len(neg) and pos_idx.shape[1] == len(pos)
            for row_neg, row_pos in zip(neg_idx, pos_idx):
                labels = np.r_[np.zeros(len(neg), int), np.ones(len(pos), int)]
                values.append(tpr_at_fpr(labels, np.r_[neg[row_neg], pos[row_pos]], fpr))
    return np.array(values)


# -- the closed form and the bootstrap --------------------------------------


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("fpr", [0.0, 0.001, 0.02, 0.05, 0.3, 0.99, 1.0])
def test_closed_form_equals_tpr_at_fpr_on_every_resample_with_ties(monkeypatch, seed, fpr):
    # One decimal: scores tie across the classes, and resamples repeat rows on top. A small
    # chunk splits the 30 resamples into several draws.
    monkeypatch.setattr(_classification, "_CHUNK_SCORES", 200)
    y, score = _problem(60, 15, seed, decimals=1)
    values = _classification._bootstrap_values(y == 1, score, fpr, 30, seed)
    np.testing.assert_array_equal(values, _naive_values(y, score, fpr, 30, seed))


def test_closed_form_by_hand_with_ties():
    # k false positives allowed: the share of positives strictly above the (k+1)-th largest
    # negative. Sorted: negatives 0.9, 0.7, 0.7, 0.2; positives 0.95, 0.9, 0.8, 0.7.
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    score = np.array([0.9, 0.95, 0.7, 0.9, 0.7, 0.8, 0.2, 0.7])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableMetricWarning)
        assert tpr_at_fpr(y, score, 0.0) == 0.25   # only 0.95 beats 0.9
        assert tpr_at_fpr(y, score, 0.25) == 0.75  # 0.95, 0.9, 0.8 beat the tied 0.7
        assert tpr_at_fpr(y, score, 0.5) == 0.75   # the 3rd largest is still 0.7
        assert tpr_at_fpr(y, score, 0.75) == 1.0   # 4th largest 0.2
        assert tpr_at_fpr(y, score, 1.0) == 1.0    # every threshold allowed


@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_interval_is_the_percentile_of_the_naive_loop(seed, confidence):
    y, score = _problem(150, 20, seed, decimals=2)
    low, high = tpr_at_fpr_interval(y, score, 0.01, confidence=confidence, n_resamples=200,
                                    random_state=seed)
    tail = 50 * (1 - confidence)
    expected = np.percentile(_naive_values(y, score, 0.01, 200, seed), [tail, 100 - tail])
    assert (low, high) == tuple(expected)
    assert isinstance(low, float) and isinstance(high, float)


def test_interval_contains_the_point_estimate():
    y, score = _problem(2000, 200, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 2,000 negatives resolve FPR 1 %
        point = tpr_at_fpr(y, score, 0.01)
    low, high = tpr_at_fpr_interval(y, score, 0.01)
    assert 0.0 < low < point < high < 1.0


def test_interval_is_deterministic_per_random_state():
    y, score = _problem(400, 30, 4)
    first = tpr_at_fpr_interval(y, score, 0.01, n_resamples=300, random_state=7)
    assert tpr_at_fpr_interval(y, score, 0.01, n_resamples=300, random_state=7) == first
    others = {tpr_at_fpr_interval(y, score, 0.01, n_resamples=300, random_state=seed)
              for seed in range(8, 12)}
    assert others != {first}


def test_interval_with_pos_label():
    y, score = _problem(300, 30, 5)
    names = np.array(["normal", "attack"])[y]
    assert tpr_at_fpr_interval(names, score, 0.01, pos_label="attack") == (
        tpr_at_fpr_interval(y, score, 0.01))


@pytest.mark.parametrize("y, score, fpr, expected", [
    ([0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.9], 0.0, (1.0, 1.0)),  # separated
    ([0, 0, 0, 1, 1], [0.8, 0.9, 0.7, 0.1, 0.2], 0.0, (0.0, 0.0)),  # inverted
    ([0, 0, 0, 1, 1], [0.8, 0.9, 0.7, 0.1, 0.2], 1.0, (1.0, 1.0)),  # every threshold
    ([0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5], 0.0, (0.0, 0.0)),  # all tied: no threshold helps
])
def test_interval_where_every_resample_agrees(y, score, fpr, expected):
    assert tpr_at_fpr_interval(y, score, fpr, n_resamples=50) == expected


# -- resolves_fpr and the warnings -------------------------------------------


@pytest.mark.parametrize("n_negatives, fpr, expected", [
    (380, 0.001, False), (9_999, 0.001, False), (10_000, 0.001, True),
    (999, 0.01, False), (1_000, 0.01, True), (np.int64(20_000), np.float64(0.001), True),
    (3_333, 0.003, False), (3_334, 0.003, True), (9, 1.0, False), (10, 1.0, True),
    (0, 0.0, True), (5, 0.0, True),
])
def test_resolves_fpr(n_negatives, fpr, expected):
    assert resolves_fpr(n_negatives, fpr) is expected


def test_min_negatives_per_fpr_is_the_documented_rule():
    assert _classification.MIN_NEGATIVES_PER_FPR == 10
    assert _classification.LOW_FPRS == (0.001, 0.01)


def test_tpr_at_fpr_warns_with_counts_and_the_fix():
    y, score = _problem(380, 20, 6)
    with pytest.warns(UnreliableMetricWarning) as record:
        value = tpr_at_fpr(y, score, 0.001)
    assert len(record) == 1
    assert record[0].filename == __file__  # stacklevel: the caller's line
    assert str(record[0].message).startswith(
        "tpr_at_fpr at FPR 0.1 % is unresolved: 380 negatives were scored, at least 10,000 "
        "are needed (10 / fpr). Score more held-out negatives")
    assert "report a higher FPR" in str(record[0].message)
    assert "tpr_at_fpr_interval" in str(record[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreliableMetricWarning)
        assert value == classification_metrics(y, score)["tpr_at_fpr_0.1%"]


@pytest.mark.parametrize("n_neg, fpr", [(1_000, 0.01), (999, 0.0), (20, 0.5)])
def test_tpr_at_fpr_is_silent_when_resolved(n_neg, fpr):
    y, score = _problem(n_neg, 10, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tpr_at_fpr(y, score, fpr)


def test_tpr_at_fpr_warns_one_negative_short():
    with pytest.warns(UnreliableMetricWarning, match=r"FPR 1 % .* 999 negatives.* 1,000 are"):
        tpr_at_fpr(*_problem(999, 10, 7), 0.01)


def test_classification_metrics_on_20000_negatives_gives_nan_intervals_and_no_warning():
    y, score = _problem(20_000, 100, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = classification_metrics(y, score)
    assert all(np.isnan(scores[key]) for key in LOW_KEYS)
    assert scores["tpr_at_fpr_0.1%"] == tpr_at_fpr(y, score, 0.001)


def test_classification_metrics_on_380_negatives_warns_once_per_rate():
    y, score = _problem(380, 20, 9)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        scores = classification_metrics(y, score)
    assert [w.category for w in record] == [UnreliableMetricWarning] * 2  # none from inside
    assert all(w.filename == __file__ for w in record)
    for message, fpr, name, needed, percent in zip(
            record, (0.001, 0.01), ("tpr_at_fpr_0.1%", "tpr_at_fpr_1%"), ("10,000", "1,000"),
            ("0.1 %", "1 %")):
        low, high = tpr_at_fpr_interval(y, score, fpr)
        assert (scores[f"{name}_low"], scores[f"{name}_high"]) == (low, high)
        assert str(message.message).startswith(
            f"{name} = {scores[name]:.2f} is unresolved: 380 negatives, at least {needed} are "
            f"needed for FPR {percent}; 95 % bootstrap interval [{low:.2f}, {high:.2f}] "
            f"({name}_low, {name}_high). Score more held-out negatives")


def test_classification_metrics_between_the_two_rules():
    # 2,000 negatives resolve FPR 1 % but not 0.1 %: one warning, one NaN interval.
    y, score = _problem(2_000, 50, 10)
    with pytest.warns(UnreliableMetricWarning, match=r"^tpr_at_fpr_0\.1% = .* 2,000 negatives"
                      ) as record:
        scores = classification_metrics(y, score)
    assert len(record) == 1
    assert np.isnan(scores["tpr_at_fpr_1%_low"]) and np.isnan(scores["tpr_at_fpr_1%_high"])
    assert not np.isnan(scores["tpr_at_fpr_0.1%_low"])


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    ({"fpr": -0.1}, r"fpr must be a false-positive rate in \[0, 1\]; got -0\.1\. Pass a "
                    r"fraction, e\.g\. 0\.01"),
    ({"fpr": 1.5}, r"fpr must be .*; got 1\.5\."),
    ({"fpr": np.nan}, r"fpr must be .*; got nan\."),
    ({"fpr": "1%"}, r"fpr must be .*; got '1%'\."),
    ({"confidence": 0}, r"confidence must lie strictly between 0 and 1; got 0\. .*0\.95"),
    ({"confidence": 1.0}, r"confidence must lie strictly between 0 and 1; got 1\.0\."),
    ({"confidence": 95}, r"confidence must lie .*; got 95\."),
    ({"n_resamples": 0}, r"n_resamples must be a positive integer; got 0\. Pass e\.g\. 1000"),
    ({"n_resamples": 2.5}, r"n_resamples must be a positive integer; got 2\.5\."),
    ({"n_resamples": True}, r"n_resamples must be a positive integer; got True\."),
    ({"y_true": [1, 1, 1, 1]}, r"both classes in y_true; got only positives"),
    ({"y_true": [0, 0, 0, 0], "pos_label": 1}, r"both classes in y_true; got only negatives"),
    ({"y_true": [0, 1, 1]}, r"1-D and of equal length; got shapes \(3,\) and \(4,\)"),
    ({"y_score": [0.1, np.nan, 0.3, 0.4]}, r"y_score contains 1 NaN .* first at index 1"),
], ids=["fpr<0", "fpr>1", "fpr nan", "fpr str", "confidence 0", "confidence 1",
        "confidence 95", "n_resamples 0", "n_resamples float", "n_resamples bool", "one class",
        "no positive", "length mismatch", "NaN score"])
def test_interval_errors(kwargs, match):
    arguments = {"y_true": [0, 1, 0, 1], "y_score": [0.1, 0.2, 0.3, 0.4], "fpr": 0.01,
                 **kwargs}
    with pytest.raises(ValueError, match=match):
        tpr_at_fpr_interval(arguments.pop("y_true"), arguments.pop("y_score"),
                            arguments.pop("fpr"), **arguments)


@pytest.mark.parametrize("n_negatives, fpr, match", [
    (-1, 0.01, r"n_negatives must be a non-negative integer count; got -1\. Pass the number"),
    (2.5, 0.01, r"n_negatives must be a non-negative integer count; got 2\.5\."),
    (True, 0.01, r"n_negatives must be .*; got True\."),
    (100, 2.0, r"fpr must be a false-positive rate in \[0, 1\]; got 2\.0\."),
])
def test_resolves_fpr_errors(n_negatives, fpr, match):
    with pytest.raises(ValueError, match=match):
        resolves_fpr(n_negatives, fpr)


@pytest.mark.parametrize("fpr", [-0.01, 1.01])
def test_tpr_at_fpr_checks_fpr(fpr):
    with pytest.raises(ValueError, match=rf"fpr must be .*; got {fpr}\."):
        tpr_at_fpr([0, 1], [0.2, 0.8], fpr)
