"""The super learner: convex weights on out-of-fold probabilities, and the stack's default."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from qskew import QuantumKernelSVC, QuantumStackingClassifier
from qskew.ensemble import SuperLearner

RNG = np.random.default_rng(0)
Y = (RNG.uniform(size=400) < 0.2).astype(int)
SHARP = np.clip(np.where(Y == 1, 0.75, 0.25) + RNG.normal(0, 0.2, 400), 0.01, 0.99)
OTHER = np.clip(np.where(Y == 1, 0.6, 0.4) + RNG.normal(0, 0.15, 400), 0.01, 0.99)


def balanced_loss(p1, y):
    weights = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    return -np.average(np.log(np.where(y == 1, p1, 1 - p1)), weights=weights)


def test_log_loss_weights_are_the_minimiser_of_the_balanced_log_loss_on_the_simplex():
    sl = SuperLearner(loss="log_loss").fit(np.column_stack([SHARP, OTHER]), Y)
    grid = np.linspace(0, 1, 2001)
    losses = [balanced_loss(w * SHARP + (1 - w) * OTHER, Y) for w in grid]
    assert sl.mode_ == "convex"
    assert sl.weights_[0] == pytest.approx(grid[np.argmin(losses)], abs=2e-3)
    assert sl.weights_.sum() == pytest.approx(1.0) and (sl.weights_ >= 0).all()
    assert sl.loss_ == pytest.approx(min(losses), abs=1e-7)
    assert sl.loss_ <= sl.member_losses_.min()
    np.testing.assert_allclose(sl.member_losses_, [balanced_loss(SHARP, Y),
                                                   balanced_loss(OTHER, Y)])


@pytest.mark.parametrize("loss", ["roc_auc", "log_loss"])
def test_too_few_minority_rows_take_the_best_single_member(loss):
    few = Y.copy()
    few[np.flatnonzero(Y)[9:]] = 0  # 9 positives, below MIN_MINORITY = 10
    sl = SuperLearner(loss=loss).fit(np.column_stack([OTHER, SHARP]), few)
    assert sl.mode_ == "best member"
    np.testing.assert_array_equal(sl.weights_, np.eye(2)[np.argmin(sl.member_losses_)])


def auc_of(weights, P, y=Y):
    return roc_auc_score(y, P @ weights)


# Two members that each see half of the signal: their mix ranks better than either.
SIGNAL = RNG.normal(size=(400, 2))
HALVES_Y = (SIGNAL.sum(axis=1) + RNG.normal(0, 0.3, 400) > 1.2).astype(int)
HALVES = 1 / (1 + np.exp(-SIGNAL))


def test_auc_weights_are_ensemble_selection_and_never_rank_below_the_best_member():
    P, y = HALVES, HALVES_Y
    sl = SuperLearner(bags=0).fit(P, y)
    assert sl.mode_ == "convex"
    np.testing.assert_allclose(sl.member_losses_, [1 - auc_of(w, P, y) for w in np.eye(2)])
    assert sl.loss_ == pytest.approx(1 - auc_of(sl.weights_, P, y))
    assert sl.loss_ < sl.member_losses_.min()
    # Multiples of 1/steps; the best such split of the two is within one step's AUC of it.
    np.testing.assert_allclose(sl.weights_ * 20, np.round(sl.weights_ * 20), atol=1e-12)
    best_split = max(auc_of(np.array([k, 20 - k]) / 20, P, y) for k in range(21))
    assert 1 - sl.loss_ >= best_split - 0.005
    assert SuperLearner(steps=1, bags=0).fit(P, y).mode_ == "best member"


def test_bagged_selection_is_seeded_and_averages_selections():
    P, y = HALVES, HALVES_Y
    sl = SuperLearner(random_state=0).fit(P, y)
    again = SuperLearner(random_state=0).fit(P, y)
    np.testing.assert_array_equal(sl.weights_, again.weights_)
    assert sl.mode_ == "convex" and sl.weights_.sum() == pytest.approx(1.0)
    # Each selection's weights are multiples of 1/k (k <= steps): so is no average in general,
    # but every one lies between the extreme selections, here near an even split.
    assert 0.3 < sl.weights_[0] < 0.7
    assert 1 - sl.loss_ >= max(1 - sl.member_losses_) - 0.005


def test_auc_ignores_a_constant_member_and_is_blind_to_class_weights():
    flat = np.full(len(Y), 0.5)
    sl = SuperLearner().fit(np.column_stack([flat, SHARP]), Y)
    np.testing.assert_array_equal(sl.weights_, [0, 1])
    assert SuperLearner(class_weight=None, random_state=0).fit(
        np.column_stack([SHARP, OTHER]), Y).weights_.tolist() == SuperLearner(
        random_state=0).fit(np.column_stack([SHARP, OTHER]), Y).weights_.tolist()


def test_class_weight_changes_what_counts():
    # One member sure of the positives, one sure of the negatives: with 20 % positives the
    # unweighted loss leans on the second, the balanced one less so.
    positives = np.where(Y == 1, 0.9, 0.5)
    negatives = np.where(Y == 1, 0.5, 0.1)
    P = np.column_stack([positives, negatives])
    balanced = SuperLearner(loss="log_loss").fit(P, Y).weights_
    plain = SuperLearner(loss="log_loss", class_weight=None).fit(P, Y).weights_
    assert balanced[0] > plain[0] + 0.05


@pytest.mark.parametrize("loss", ["roc_auc", "log_loss"])
def test_multiclass_probabilities_are_combined_member_by_member(loss):
    y = np.repeat([0, 1, 2], 30)
    good = np.eye(3)[y] * 0.7 + 0.1
    flat = np.full((90, 3), 1 / 3)
    sl = SuperLearner(loss=loss).fit(np.hstack([flat, good]), y)
    np.testing.assert_allclose(sl.weights_, [0, 1], atol=1e-6)
    proba = sl.predict_proba(np.hstack([flat, good]))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(sl.predict(np.hstack([flat, good])), y)
    with pytest.raises(ValueError, match="not a multiple of the 3 classes"):
        SuperLearner().fit(np.ones((90, 4)), y)


def test_stack_defaults_to_the_super_learner_for_probabilities_only():
    X, y = load_breast_cancer(return_X_y=True)
    X, y = X[:200, :4], y[:200]
    members = [("lr", make_pipeline(StandardScaler(), LogisticRegression())),
               ("nb", GaussianNB())]
    stack = QuantumStackingClassifier(members, cv=3, random_state=0).fit(X, y)
    assert isinstance(stack.final_estimator_, SuperLearner)
    assert set(stack.weights_) == {"lr", "nb"}
    assert sum(stack.weights_.values()) == pytest.approx(1.0)
    margins = QuantumStackingClassifier(members, fusion="proba+agreement", cv=3,
                                        random_state=0).fit(X, y)
    assert margins.meta_learner_ == "random forest" and margins.weights_ is None
    with pytest.raises(ValueError, match="final_estimator='super'.*fusion='proba'"):
        QuantumStackingClassifier(members, fusion="labels", final_estimator="super").fit(X, y)
    calibrated = QuantumStackingClassifier(members, final_estimator=SuperLearner(
        loss="log_loss"), cv=3, random_state=0).fit(X, y)
    assert calibrated.final_estimator_.loss == "log_loss"
    assert calibrated.meta_learner_.startswith("super learner")
    with pytest.raises(ValueError, match="fusion='proba'"):
        QuantumStackingClassifier(members, fusion="labels",
                                  final_estimator=SuperLearner()).fit(X, y)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_default_stack_does_not_lose_to_its_best_member(seed):
    # A strong member, a weak one and a quantum one on scikit-learn's breast-cancer data,
    # malignant cut to ~15 %: the convex combination stays within 0.01 of the best.
    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y
    keep = np.r_[np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:60]]
    X, y = X[keep][:, :6], y[keep]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y,
                                                        random_state=seed)
    members = [
        ("lr", make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced"))),
        ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
        ("qsvc", make_pipeline(MinMaxScaler((0, np.pi)), QuantumKernelSVC(
            feature_map="angle", reps=1, bandwidth=0.5, class_weight="balanced"))),
    ]
    stack = QuantumStackingClassifier(members, random_state=seed).fit(X_train, y_train)
    scores = {name: average_precision_score(y_test, est.predict_proba(X_test)[:, 1])
              for name, est in stack.named_estimators_.items()}
    stacked = average_precision_score(y_test, stack.predict_proba(X_test)[:, 1])
    assert stacked >= max(scores.values()) - 0.01, (stacked, scores, stack.weights_)
