"""Member fits shared between stacks: the same results, each fit made once."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from qskew.ensemble import QuantumStackingClassifier, share_member_fits
from qskew.ensemble._shared import _token, fit_member, member_output, process_member_fits

FITS = []
PREDICTED = []


class CountingLR(ClassifierMixin, BaseEstimator):
    """Logistic regression that records each fit's rows."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        FITS.append(len(y))
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        PREDICTED.append(len(X))
        return self.model_.predict_proba(X)

    def decision_function(self, X):
        return self.model_.decision_function(X)


@pytest.fixture()
def data():
    return make_classification(240, n_features=5, weights=[0.85], random_state=3)


def stacks(**kwargs):
    members = [("lr", CountingLR()), ("lr2", CountingLR(C=0.1))]
    return [QuantumStackingClassifier(members, fusion=fusion, cv=3, random_state=7, **kwargs)
            for fusion in ("labels", "proba", "margins", "proba+agreement")]


def test_shared_fits_give_the_same_stacks_with_one_fit_each(data):
    X, y = data
    FITS.clear()
    alone = [stack.fit(X, y) for stack in stacks()]
    assert len(FITS) == 4 * 2 * (3 + 1)
    FITS.clear()
    with share_member_fits() as shared:
        together = [stack.fit(X, y) for stack in stacks()]
    assert len(FITS) == 2 * (3 + 1)  # the first stack's fits serve the other three
    assert (shared.misses, shared.hits) == (2 * 4, 3 * 2 * 4)
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
        assert a.oof_scores_ == b.oof_scores_


def test_different_rows_params_or_seeds_are_fitted_again(data):
    X, y = data
    with share_member_fits() as shared:
        QuantumStackingClassifier([("lr", CountingLR())], cv=3, random_state=0).fit(X, y)
        QuantumStackingClassifier([("lr", CountingLR(C=0.5))], cv=3, random_state=0).fit(X, y)
        QuantumStackingClassifier([("lr", CountingLR())], cv=3, random_state=1).fit(X, y)
        QuantumStackingClassifier([("lr", CountingLR())], cv=3, random_state=0).fit(X[1:], y[1:])
    # Only the final fit of the third stack (same rows and params as the first) is reused.
    assert (shared.misses, shared.hits) == (15, 1)


def test_parameters_are_compared_by_value():
    X, y = make_classification(60, n_features=4, random_state=0)
    with share_member_fits() as shared:
        first = fit_member(LogisticRegression(class_weight={0: 1.0, 1: 2.0}), X, y)
        assert fit_member(LogisticRegression(class_weight={0: 1.0, 1: 2.0}), X, y) is first
        assert fit_member(LogisticRegression(class_weight={0: 1.0, 1: 3.0}), X, y) is not first
    assert (shared.misses, shared.hits) == (2, 1)
    weights = np.zeros(2000)
    weights[1000] = 1.0  # a repr elides the middle of a long array; the key must not
    assert repr(weights) == repr(np.zeros(2000))
    assert _token(weights) != _token(np.zeros(2000))


def test_members_differing_only_in_verbose_share_a_fit():
    X, y = make_classification(60, n_features=4, random_state=0)
    with share_member_fits() as shared:
        first = fit_member(LogisticRegression(verbose=0), X, y)
        assert fit_member(LogisticRegression(verbose=1), X, y) is first  # bars change no fit
    assert (shared.misses, shared.hits) == (1, 1)


def test_outside_a_block_nothing_is_kept(data):
    X, y = data
    est = LogisticRegression()
    assert fit_member(est, X, y) is not fit_member(est, X, y)
    assert not hasattr(est, "coef_")  # the estimator itself is never fitted


def test_the_store_keeps_at_most_max_fits(data):
    X, y = data
    with share_member_fits(max_fits=2) as shared:
        for C in (1.0, 2.0, 3.0, 1.0):
            fit_member(LogisticRegression(C=C), X, y)
    assert (shared.misses, shared.hits) == (4, 0)  # C=1.0 was dropped before it came back


def test_nested_and_process_blocks_share_one_store(data):
    X, y = data
    with share_member_fits() as outer:
        with share_member_fits() as inner:
            assert inner is outer
    with process_member_fits() as first:
        fit_member(LogisticRegression(C=0.123), X, y)
    with process_member_fits() as second:
        assert second is first
        hits = second.hits
        fit_member(LogisticRegression(C=0.123), X, y)
        assert second.hits == hits + 1


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "64"])
def test_bad_max_fits(bad):
    with pytest.raises(ValueError, match="max_fits must be a positive integer"):
        with share_member_fits(max_fits=bad):
            pass


def test_stacks_reuse_their_members_predictions_on_the_same_rows(data):
    X, y = data
    PREDICTED.clear()
    proba, agreement = stacks()[1], stacks()[3]
    alone = [s.fit(X, y).predict_proba(X) for s in (proba, agreement)]
    n_alone = len(PREDICTED)
    PREDICTED.clear()
    with share_member_fits():
        proba, agreement = stacks()[1], stacks()[3]
        together = [s.fit(X, y).predict_proba(X) for s in (proba, agreement)]
        proba.predict(X)  # its members' probabilities of X are already known
        out = proba.estimators_[0].predict_proba(X[:5])
    # 2 members x (3 out-of-fold parts + all rows), once instead of twice (and thrice).
    assert n_alone == 2 * 2 * (3 + 1) and len(PREDICTED) == 2 * (3 + 1) + 1
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a, b)
    assert out.flags.writeable  # only the shared copies are read-only


def test_member_output_outside_a_block_just_predicts(data):
    X, y = data
    fitted = LogisticRegression().fit(X, y)
    out = member_output(fitted, "predict_proba", X)
    np.testing.assert_array_equal(out, fitted.predict_proba(X))
    with share_member_fits():  # not made by fit_member: not shared either
        assert member_output(fitted, "predict", X) is not member_output(fitted, "predict", X)


def test_the_process_store_can_be_emptied(data):
    from qskew.ensemble._shared import clear_process_member_fits

    X, y = data
    with process_member_fits() as store:
        fitted = fit_member(LogisticRegression(C=0.321), X, y)
        member_output(fitted, "predict", X)
    assert store.fits and store.outputs.info()["entries"]
    clear_process_member_fits()
    assert not store.fits and not store.keys and not store.outputs.info()["entries"]
