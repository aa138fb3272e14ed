"""Tests for qskew.ensemble._stacking: QuantumStackingClassifier."""

import pickle
import warnings
from itertools import combinations

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    make_scorer,
    precision_score,
    recall_score,
)
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_val_predict,
    cross_validate,
    train_test_split,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import LinearSVC
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

from qskew import QNNClassifier, QuantumKernel, QuantumKernelSVC, QuantumStackingClassifier
from qskew.ensemble._stacking import FUSIONS

ANGLES = (0.0, np.pi)
METHODS = {"labels": "predict", "proba": "predict_proba", "margins": "decision_function",
           "proba+agreement": "predict_proba"}


# -- helpers ----------------------------------------------------------------


def _skewed(n_samples=120, seed=0, n_classes=2):
    """~20 % minority (binary) or 60/25/15 % (3 classes), 2 features in [0, pi]."""
    weights = [0.8] if n_classes == 2 else [0.6, 0.25]
    X, y = make_classification(n_samples=n_samples, n_features=2, n_informative=2,
                               n_redundant=0, n_clusters_per_class=1, n_classes=n_classes,
                               weights=weights, class_sep=1.0, random_state=seed)
    return MinMaxScaler(ANGLES).fit_transform(X), y


def _qsvc():
    return QuantumKernelSVC(feature_map="angle", reps=1, class_weight="balanced")


def _qnn():
    return QNNClassifier(n_layers=1, max_epochs=10, learning_rate=0.1, class_weight="balanced",
                         validation_fraction=None)


def _fast_members():
    return [("qsvc", _qsvc()), ("lr", LogisticRegression())]


def _quiet_fit(estimator, *args, **kwargs):
    """Fit, ignoring the ConvergenceWarning of deliberately short QNN training."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


def _fold_seed(random_state):
    """The StratifiedKFold seed the stack draws first from its random_state."""
    return check_random_state(random_state).randint(2**31 - 1)


def _oof(estimator, X, y, cv, random_state, method):
    folds = StratifiedKFold(cv, shuffle=True, random_state=_fold_seed(random_state))
    return cross_val_predict(clone(estimator), X, y, cv=folds, method=method)


# Every fit and prediction of a SpyClassifier: (tag, method, fitted ids, seen ids, output).
CALLS = []


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression on ``X[:, columns]`` that logs the row ids (``X[:, 0]``) it sees."""

    def __init__(self, tag="spy", columns=(1,)):
        self.tag = tag
        self.columns = columns

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        self.classes_ = np.unique(y)
        self.fit_ids_ = frozenset(X[:, 0].astype(int).tolist())
        self.model_ = LogisticRegression().fit(X[:, list(self.columns)], y)
        CALLS.append((self.tag, "fit", self.fit_ids_, X[:, 0].astype(int), None))
        return self

    def _logged(self, method, X):
        X = np.asarray(X, dtype=float)
        output = getattr(self.model_, method)(X[:, list(self.columns)])
        CALLS.append((self.tag, method, self.fit_ids_, X[:, 0].astype(int), output))
        return output

    def predict(self, X):
        return self._logged("predict", X)

    def predict_proba(self, X):
        return self._logged("predict_proba", X)

    def decision_function(self, X):
        return self._logged("decision_function", X)


class SpyFinal(ClassifierMixin, BaseEstimator):
    """Meta-learner that keeps a copy of what it was fitted on."""

    def fit(self, X, y):
        self.X_seen_, self.y_seen_ = np.array(X, copy=True), np.array(y, copy=True)
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class SpySMOTE(SMOTE):
    """SMOTE that logs how many rows each fit_resample call receives."""

    seen = []

    def _fit_resample(self, X, y):
        SpySMOTE.seen.append(len(X))
        return super()._fit_resample(X, y)


@pytest.fixture
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


def _spy_data(n_samples=90, seed=0, n_classes=2):
    """Row ids in column 0, then two noisy informative features."""
    X, y = make_classification(n_samples=n_samples, n_features=2, n_informative=2,
                               n_redundant=0, n_clusters_per_class=1, n_classes=n_classes,
                               class_sep=0.8, flip_y=0.05, random_state=seed)
    return np.column_stack([np.arange(n_samples), X]), y


def _spy_stack(fusion, **kwargs):
    members = [("a", SpyClassifier("a", (1,))), ("b", SpyClassifier("b", (2,)))]
    return QuantumStackingClassifier(members, SpyFinal(), fusion=fusion, random_state=0,
                                     **kwargs)


def _logged_oof(calls, tag, method, n_samples):
    """The out-of-fold outputs of member ``tag`` reassembled from the log, by row id."""
    rows = [(ids, out) for t, m, fitted, ids, out in calls
            if t == tag and m == method and len(fitted) < n_samples]
    first = np.asarray(rows[0][1])
    assembled = np.full((n_samples,) + first.shape[1:], np.nan, dtype=first.dtype)
    for ids, out in rows:
        assembled[ids] = out
    return assembled


# -- out-of-fold meta-features ----------------------------------------------


@pytest.mark.parametrize("fusion", ["proba", "labels", "margins"])
def test_no_meta_feature_comes_from_a_model_that_saw_its_row(calls, fusion):
    X, y = _spy_data()
    n = len(X)
    stack = _spy_stack(fusion, cv=5).fit(X, y)
    method = METHODS[fusion]
    for tag in ("a", "b"):
        fits = [fitted for t, m, fitted, _, _ in calls if t == tag and m == "fit"]
        assert len(fits) == 5 + 1  # one per fold, then the refit on all rows
        assert fits[-1] == frozenset(range(n))
        predictions = [(fitted, ids) for t, m, fitted, ids, _ in calls
                       if t == tag and m == method]
        assert predictions, "each member predicts its held-out fold"
        for fitted, ids in predictions:
            assert fitted.isdisjoint(ids.tolist())
        # Every row is predicted exactly once, out of fold.
        predicted = np.concatenate([ids for _, ids in predictions])
        assert np.array_equal(np.sort(predicted), np.arange(n))
    # The meta-learner sees the training labels and nothing predicted in-sample.
    assert np.array_equal(stack.final_estimator_.y_seen_, y)


def test_meta_learner_receives_exactly_the_cross_val_predict_outputs(calls):
    X, y = _spy_data()
    stack = _spy_stack("proba", cv=4).fit(X, y)
    # What the log shows each fold's model predicting for its held-out rows ...
    logged = np.column_stack([_logged_oof(calls, tag, "predict_proba", len(X))[:, 1]
                              for tag in ("a", "b")])
    assert np.array_equal(stack.final_estimator_.X_seen_, logged)
    # ... is cross_val_predict with the stack's folds (seeded from its random_state).
    expected = np.column_stack([
        _oof(SpyClassifier(tag, (col,)), X, y, 4, 0, "predict_proba")[:, 1]
        for tag, col in (("a", 1), ("b", 2))
    ])
    assert np.array_equal(stack.final_estimator_.X_seen_, expected)


def test_test_rows_are_never_fitted_on(calls):
    X, y = _spy_data(n_samples=120)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.25, stratify=y,
                                                   random_state=0)
    stack = _spy_stack("proba").fit(X_train, y_train)
    calls.clear()
    stack.predict_proba(X_test)
    stack.predict(X_test)
    train_ids, test_ids = set(X_train[:, 0].astype(int)), X_test[:, 0].astype(int).tolist()
    assert all(m != "fit" for _, m, _, _, _ in calls)
    # Test rows are scored by the members refitted on all training rows only.
    for _, _, fitted, ids, _ in calls:
        assert fitted == train_ids and fitted.isdisjoint(test_ids)


# -- fusions ----------------------------------------------------------------


def _fused(calls, fusion, X, y, **kwargs):
    calls.clear()
    stack = _spy_stack(fusion, **kwargs).fit(X, y)
    return stack, stack.final_estimator_.X_seen_


def test_fusions_give_different_meta_features(calls):
    X, y = _spy_data()
    names, matrices = {}, {}
    for fusion in FUSIONS:
        stack, matrices[fusion] = _fused(calls, fusion, X, y)
        names[fusion] = stack.meta_feature_names_
        assert matrices[fusion].shape == (len(X), len(names[fusion]))
    assert names == {
        "labels": ["a_label", "b_label"],
        "proba": ["a_proba", "b_proba"],
        "margins": ["a_margin", "b_margin"],
        "proba+agreement": ["a_proba", "b_proba", "|a-b|", "a==b"],
    }
    for f1, f2 in combinations(FUSIONS, 2):
        m1, m2 = matrices[f1], matrices[f2]
        assert m1.shape != m2.shape or not np.allclose(m1, m2), (f1, f2)
    assert set(np.unique(matrices["labels"])) == {0.0, 1.0}
    assert matrices["proba"].min() >= 0 and matrices["proba"].max() <= 1
    assert matrices["margins"].min() < 0 and matrices["margins"].max() > 1
    # Labels, probabilities and margins of the same out-of-fold models agree.
    assert np.array_equal(matrices["labels"] == 1, matrices["proba"] > 0.5)
    assert np.array_equal(matrices["labels"] == 1, matrices["margins"] > 0)


def test_binary_proba_uses_the_positive_column_only(calls):
    X, y = _spy_data()
    _, meta = _fused(calls, "proba", X, y)
    for k, tag in enumerate(("a", "b")):
        proba = _logged_oof(calls, tag, "predict_proba", len(X))
        assert np.array_equal(meta[:, k], proba[:, 1])


def test_agreement_features_by_hand(calls):
    X, y = _spy_data()
    stack, meta = _fused(calls, "proba+agreement", X, y)
    pa = _logged_oof(calls, "a", "predict_proba", len(X))
    pb = _logged_oof(calls, "b", "predict_proba", len(X))
    label_a, label_b = (pa[:, 1] > pa[:, 0]), (pb[:, 1] > pb[:, 0])
    assert np.array_equal(meta[:, 0], pa[:, 1])
    assert np.array_equal(meta[:, 1], pb[:, 1])
    assert np.allclose(meta[:, 2], np.abs(pa[:, 1] - pb[:, 1]), atol=1e-15)
    assert np.array_equal(meta[:, 3], (label_a == label_b).astype(float))
    assert 0 < meta[:, 3].sum() < len(X), "the members must disagree somewhere for the test"
    # predict applies the same fusion to the refitted members' outputs.
    X_new = X[:7]
    qa = stack.named_estimators_["a"].predict_proba(X_new)[:, 1]
    qb = stack.named_estimators_["b"].predict_proba(X_new)[:, 1]
    expected = np.column_stack([qa, qb, np.abs(qa - qb), ((qa > 0.5) == (qb > 0.5))])
    assert np.allclose(stack._meta(X_new), expected, atol=1e-15)


def test_passthrough_appends_raw_features(calls):
    X, y = _spy_data()
    stack, meta = _fused(calls, "proba", X, y, passthrough=True)
    assert stack.meta_feature_names_ == ["a_proba", "b_proba", "x0", "x1", "x2"]
    assert np.array_equal(meta[:, 2:], X)
    _, without = _fused(calls, "proba", X, y)
    assert np.array_equal(meta[:, :2], without)


def test_multiclass_meta_feature_shapes(calls):
    X, y = _spy_data(n_samples=120, n_classes=3)
    labels = np.array(["cat", "dog", "eel"])[y]
    expected_names = {
        "labels": [f"{m}_label_{c}" for m in "ab" for c in ("cat", "dog", "eel")],
        "proba": [f"{m}_proba_{c}" for m in "ab" for c in ("cat", "dog", "eel")],
        "margins": [f"{m}_margin_{c}" for m in "ab" for c in ("cat", "dog", "eel")],
        "proba+agreement": [f"{m}_proba_{c}" for m in "ab" for c in ("cat", "dog", "eel")]
        + ["|a-b|", "a==b"],
    }
    for fusion in FUSIONS:
        stack, meta = _fused(calls, fusion, X, labels)
        assert stack.meta_feature_names_ == expected_names[fusion]
        assert meta.shape == (len(X), len(expected_names[fusion]))
        assert stack.predict_proba(X).shape == (len(X), 3)
        assert set(stack.predict(X)) <= set(stack.classes_)
        if fusion == "labels":  # one-hot: exactly one 1 per member
            assert np.array_equal(meta.reshape(len(X), 2, 3).sum(axis=2), np.ones((len(X), 2)))
        if fusion == "proba+agreement":
            pa = _logged_oof(calls, "a", "predict_proba", len(X))
            pb = _logged_oof(calls, "b", "predict_proba", len(X))
            # Half the L1 distance: total variation between the two distributions.
            assert np.allclose(meta[:, 6], 0.5 * np.abs(pa - pb).sum(axis=1), atol=1e-15)
            assert np.array_equal(meta[:, 7], pa.argmax(1) == pb.argmax(1))
    assert list(stack.classes_) == ["cat", "dog", "eel"]


def test_multiclass_with_a_quantum_member():
    X, y = _skewed(90, n_classes=3)
    for fusion in ("proba", "margins"):
        stack = QuantumStackingClassifier(_fast_members(), fusion=fusion, cv=3,
                                          random_state=0).fit(X, y)
        assert len(stack.meta_feature_names_) == 6
        proba = stack.predict_proba(X)
        assert proba.shape == (90, 3) and np.allclose(proba.sum(axis=1), 1.0)
        assert accuracy_score(y, stack.predict(X)) > 0.7


# -- quantum state reuse ----------------------------------------------------


@pytest.mark.parametrize("fusion", ["proba", "margins"])
def test_each_rows_state_is_prepared_once(fusion):
    X, y = _skewed(60)
    assert len(np.unique(X, axis=0)) == len(X)
    QuantumKernel.clear_cache()
    stack = QuantumStackingClassifier(_fast_members(), fusion=fusion, cv=5, random_state=0)
    stack.fit(X, y)
    info = QuantumKernel.cache_info()
    # 5 folds (fit and predict) plus the refit and its calibration: N misses, the rest hits.
    assert info["misses"] == len(X)
    assert info["hits"] > 5 * len(X)
    stack.predict_proba(X)
    assert QuantumKernel.cache_info()["misses"] == len(X)


# -- cost estimate and backend ----------------------------------------------


def test_estimate_cost_counts_what_fit_and_two_predictions_run(simulated):
    X, y = _skewed(40)
    X_new = _skewed(30, seed=1)[0][:6]
    members = [("qsvc", _qsvc()), ("qnn", QNNClassifier(n_layers=1, max_epochs=2, patience=5)),
               ("lr", LogisticRegression())]
    stack = QuantumStackingClassifier(members, cv=4, random_state=0)
    _quiet_fit(stack, X, y)
    stack.predict_proba(X_new)
    stack.predict(X_new)
    assert simulated == simulated.of(stack.estimate_cost(40, 6, predict_calls=2))


def test_estimate_cost_is_an_upper_bound_after_a_fitted_step(simulated):
    X, y = _skewed(40)
    members = [("qsvc", make_pipeline(MinMaxScaler(ANGLES), _qsvc()))]
    stack = QuantumStackingClassifier(members, cv=4, random_state=0).fit(X, y)
    stack.predict(X[:6])
    estimate = stack.estimate_cost(40, 6)["state_preparations"]
    assert 40 + 6 < simulated["state_preparations"] <= estimate == 4 * 40 + 40 + 6


def test_estimate_cost_of_circuit_mode_members(simulated):
    X, y = _skewed(24)
    members = [("qnn", QNNClassifier(n_layers=1, max_epochs=1, patience=5,
                                     validation_fraction=None))]
    stack = QuantumStackingClassifier(members, cv=3, random_state=0, backend="default.qubit",
                                      shots=20)
    _quiet_fit(stack, X, y)
    stack.predict(X[:4])
    estimate = stack.estimate_cost(24, 4, n_features=2)
    assert simulated == simulated.of(estimate) and estimate["mode"] == "sampled"


def test_backend_settings_reach_quantum_members_only():
    X, y = _skewed(30)
    members = [("qsvc", make_pipeline(MinMaxScaler(ANGLES), _qsvc())),
               ("lr", LogisticRegression())]
    stack = QuantumStackingClassifier(members, cv=2, random_state=0, backend="default.mixed",
                                      shots=64, backend_options={"readout_prob": None})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stack.fit(X, y)
    qsvc = stack.named_estimators_["qsvc"][-1]
    assert (qsvc.backend, qsvc.shots, qsvc.backend_options) == ("default.mixed", 64,
                                                                {"readout_prob": None})
    assert qsvc.kernel_.n_circuits_executed > 0 and qsvc.kernel_.n_states_prepared == 0
    assert members[0][1][-1].shots is None  # the given members are left as they were
    assert "backend" not in stack.named_estimators_["lr"].get_params()


def test_no_backend_keeps_each_members_own():
    X, y = _skewed(30)
    members = [("a", QuantumKernelSVC(feature_map="angle", backend="default.qubit")),
               ("b", _qsvc())]
    stack = QuantumStackingClassifier(members, cv=2, random_state=0).fit(X, y)
    assert [m.backend for m in stack.estimators_] == ["default.qubit", "lightning.qubit"]


# -- estimator API ----------------------------------------------------------


@pytest.fixture(scope="module")
def skewed_split():
    X, y = _skewed(160, seed=1)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def fitted(skewed_split):
    """QSVC, QNN and a logistic regression fused by the default Random Forest."""
    X_train, _, y_train, _ = skewed_split
    members = [("qsvc", _qsvc()), ("qnn", _qnn()), ("lr", LogisticRegression())]
    return _quiet_fit(QuantumStackingClassifier(members, cv=3, random_state=0),
                      X_train, y_train)


def test_predict_and_predict_proba(fitted, skewed_split):
    _, X_test, _, y_test = skewed_split
    proba = fitted.predict_proba(X_test)
    assert np.array_equal(fitted.classes_, [0, 1])
    assert proba.shape == (len(X_test), 2)
    assert np.allclose(proba.sum(axis=1), 1.0) and proba.min() >= 0
    # The meta-learner predicts the most probable class.
    assert np.array_equal(fitted.predict(X_test), fitted.classes_[proba.argmax(axis=1)])
    assert balanced_accuracy_score(y_test, fitted.predict(X_test)) > 0.7
    assert fitted.n_features_in_ == 2
    assert list(fitted.named_estimators_) == ["qsvc", "qnn", "lr"]
    assert fitted.estimators_ == list(fitted.named_estimators_.values())


def test_string_labels():
    X, y = _skewed(60)
    names = np.array(["benign", "attack"])[y]
    stack = QuantumStackingClassifier(_fast_members(), cv=3, random_state=0).fit(X, names)
    assert list(stack.classes_) == ["attack", "benign"]
    assert set(stack.predict(X)) <= {"attack", "benign"}


def test_members_given_are_not_fitted(fitted):
    for _, member in fitted.estimators:
        with pytest.raises(NotFittedError):
            check_is_fitted(member)


def test_clone_refits_to_the_same_model(fitted, skewed_split):
    X_train, X_test, y_train, _ = skewed_split
    twin = clone(fitted)
    assert twin.get_params(deep=False).keys() == fitted.get_params(deep=False).keys()
    assert all(a is not b for (_, a), (_, b) in zip(twin.estimators, fitted.estimators))
    with pytest.raises(NotFittedError):
        twin.predict(X_test)
    _quiet_fit(twin, X_train, y_train)
    assert np.array_equal(twin.predict_proba(X_test), fitted.predict_proba(X_test))


def test_same_seed_same_model_with_quantum_members_in_pipelines(skewed_split):
    # The stack seeds members nested in pipelines too: the QNN's weights and the
    # QSVC's calibration folds must not change between two fits.
    X_train, X_test, y_train, _ = skewed_split

    def stack():
        return QuantumStackingClassifier(
            [("qsvc", make_pipeline(MinMaxScaler(ANGLES), _qsvc())),
             ("qnn", make_pipeline(MinMaxScaler(ANGLES), _qnn()))], cv=3, random_state=0)

    first = _quiet_fit(stack(), X_train, y_train).predict_proba(X_test)
    assert np.array_equal(_quiet_fit(stack(), X_train, y_train).predict_proba(X_test), first)


def test_pickle_round_trip_predicts_identically(fitted, skewed_split):
    _, X_test, _, _ = skewed_split
    loaded = pickle.loads(pickle.dumps(fitted))
    QuantumKernel.clear_cache()  # the loaded model prepares its own states
    assert np.array_equal(loaded.predict(X_test), fitted.predict(X_test))
    assert np.array_equal(loaded.predict_proba(X_test), fitted.predict_proba(X_test))
    assert loaded.meta_feature_names_ == fitted.meta_feature_names_


def test_grid_search_over_fusion():
    X, y = _skewed(90)
    search = GridSearchCV(
        QuantumStackingClassifier(_fast_members(), cv=3, random_state=0),
        {"fusion": list(FUSIONS)}, scoring="average_precision", cv=3, error_score="raise",
    ).fit(X, y)
    assert search.best_params_["fusion"] in FUSIONS
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.fusion == search.best_params_["fusion"]


def test_inside_imblearn_pipeline_with_smote():
    X, y = _skewed(90)
    pipe = make_imblearn_pipeline(
        SMOTE(random_state=0), QuantumStackingClassifier(_fast_members(), cv=3, random_state=0))
    pipe.fit(X, y)
    stack = pipe[-1]
    # The stack was fitted on the resampled (balanced) rows.
    assert stack.estimators_[1].n_features_in_ == 2
    assert stack.final_estimator_.n_features_in_ == 2
    assert pipe.predict_proba(X).shape == (90, 2)
    assert balanced_accuracy_score(y, pipe.predict(X)) > 0.7


def test_resampling_happens_inside_training_folds_only():
    X, y = _skewed(90)
    SpySMOTE.seen.clear()
    pipe = make_imblearn_pipeline(
        SpySMOTE(random_state=0),
        QuantumStackingClassifier(_fast_members(), cv=3, random_state=0))
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(pipe, X, y, cv=folds, scoring="average_precision")
    train_sizes = sorted(len(train) for train, _ in folds.split(X, y))
    # One resampling per outer training fold, never on the held-out rows.
    assert sorted(SpySMOTE.seen) == train_sizes
    assert all(seen < len(X) for seen in SpySMOTE.seen)
    assert np.all(np.isfinite(result["test_score"]))


# -- diagnostics ------------------------------------------------------------


def test_oof_scores_and_diagnostics_match_a_recomputation(fitted, skewed_split):
    X_train, _, y_train, _ = skewed_split
    oof = {}
    for (name, _), member in zip(fitted.estimators, fitted.estimators_):
        # The refitted member carries the seed its out-of-fold clones had.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            oof[name] = _oof(member, X_train, y_train, 3, 0, "predict_proba")
    labels = {name: fitted.classes_[proba.argmax(axis=1)] for name, proba in oof.items()}
    for name, proba in oof.items():
        assert fitted.oof_scores_[name] == pytest.approx({
            "accuracy": accuracy_score(y_train, labels[name]),
            "balanced_accuracy": balanced_accuracy_score(y_train, labels[name]),
            "pr_auc": average_precision_score(y_train, proba[:, 1]),
        }, abs=1e-12)
    # Quantum members only: the logistic regression does not count.
    differ = labels["qsvc"] != labels["qnn"]
    diagnostics = fitted.diagnostics_
    assert diagnostics["disagreement_rate"] == pytest.approx(differ.mean())
    assert diagnostics["n_disagreements"] == differ.sum()
    assert diagnostics["n_disagreements"] == round(diagnostics["disagreement_rate"]
                                                   * len(y_train))
    assert 0 < diagnostics["n_disagreements"] < len(y_train), "members must disagree somewhere"
    assert diagnostics["accuracy_on_disagreements"] == pytest.approx({
        name: np.mean(labels[name][differ] == y_train[differ]) for name in ("qsvc", "qnn")})
    # Two members, two labels: on every disputed row exactly one of them is right.
    assert sum(diagnostics["accuracy_on_disagreements"].values()) == pytest.approx(1.0)


def test_diagnostics_over_three_quantum_members():
    X, y = _skewed(60)
    members = [("qsvc", _qsvc()), ("zz", QuantumKernelSVC(reps=1, C=0.1)), ("qnn", _qnn())]
    stack = _quiet_fit(QuantumStackingClassifier(members, cv=3, fusion="labels",
                                                 random_state=0), X, y)
    diagnostics = stack.diagnostics_
    assert 0.0 <= diagnostics["disagreement_rate"] <= 1.0
    assert 0 <= diagnostics["n_disagreements"] <= len(y)
    # Rows where any pair differs are at least as many as the mean pair's share.
    assert diagnostics["n_disagreements"] >= diagnostics["disagreement_rate"] * len(y) - 1e-9
    assert set(diagnostics["accuracy_on_disagreements"]) == {"qsvc", "zz", "qnn"}
    for value in diagnostics["accuracy_on_disagreements"].values():
        assert value is None or 0.0 <= value <= 1.0
    # With fusion="labels" there are no scores to rank: no PR-AUC.
    for scores in stack.oof_scores_.values():
        assert set(scores) == {"accuracy", "balanced_accuracy"}
        assert 0.0 <= scores["accuracy"] <= 1.0 and 0.0 <= scores["balanced_accuracy"] <= 1.0


def test_quantum_members_are_found_inside_pipelines():
    X, y = _skewed(60)
    members = [("qsvc", make_pipeline(MinMaxScaler(ANGLES), _qsvc())),
               ("qnn", make_pipeline(MinMaxScaler(ANGLES), _qnn()))]
    stack = _quiet_fit(QuantumStackingClassifier(members, cv=3, random_state=0), X, y)
    assert stack.diagnostics_["disagreement_rate"] is not None
    assert set(stack.diagnostics_["accuracy_on_disagreements"]) == {"qsvc", "qnn"}


@pytest.mark.parametrize(
    "members",
    [[("lr", LogisticRegression()), ("nb", GaussianNB())],
     [("qsvc", _qsvc()), ("lr", LogisticRegression())]],
    ids=["classical only", "one quantum member"],
)
def test_no_disagreement_rate_with_fewer_than_two_quantum_members(members):
    X, y = _skewed(60)
    stack = QuantumStackingClassifier(members, cv=3, random_state=0).fit(X, y)
    assert stack.diagnostics_ == {"disagreement_rate": None, "n_disagreements": 0,
                                  "accuracy_on_disagreements": {}}
    assert set(stack.oof_scores_) == {name for name, _ in members}
    for scores in stack.oof_scores_.values():
        assert set(scores) == {"accuracy", "balanced_accuracy", "pr_auc"}
        assert all(0.0 <= value <= 1.0 for value in scores.values())


# -- evidence: the stack fixes each member's blind spot ---------------------


def _two_region_problem(seed, n_samples=800):
    """Positive where x0 or x1 is near pi (~18 %), 2 % label noise, split 50/50.

    A model of x0 alone misses the positives of the x1 region and vice versa.
    """
    rng = np.random.RandomState(seed)
    X = rng.uniform(*ANGLES, size=(n_samples, 2))
    y = ((X[:, 0] > 0.92 * np.pi) | (X[:, 1] > 0.92 * np.pi)).astype(int)
    flip = rng.uniform(size=n_samples) < 0.02
    y[flip] = 1 - y[flip]
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)


def _on_column(column, estimator):
    return make_pipeline(ColumnTransformer([(f"x{column}", "passthrough", [column])]),
                         estimator)


# Held-out PR-AUC measured here (QSVC on x0, logistic regression on x1, forest stack):
# seed 0: 0.662 / 0.668 / 0.885; seed 1: 0.652 / 0.636 / 0.940;
# seed 2: 0.660 / 0.590 / 0.942 (seeds 3, 4: margins 0.27, 0.25). An OR of two regions is
# an interaction a learned meta-learner can find and a convex combination (the default super
# learner: 0.677 / 0.671 / 0.616 here) cannot: the MQE random forest is the option for it.
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forest_stack_beats_each_member_on_held_out_pr_auc(seed):
    X_train, X_test, y_train, y_test = _two_region_problem(seed)
    members = [("qsvc_x0", _on_column(0, _qsvc())),
               ("lr_x1", _on_column(1, LogisticRegression()))]
    stack = QuantumStackingClassifier(members, final_estimator="forest",
                                      random_state=seed).fit(X_train, y_train)
    member_scores = {name: average_precision_score(y_test, est.predict_proba(X_test)[:, 1])
                     for name, est in stack.named_estimators_.items()}
    stack_score = average_precision_score(y_test, stack.predict_proba(X_test)[:, 1])
    assert stack_score > max(member_scores.values()) + 0.15, (stack_score, member_scores)


# -- decision thresholds tuned on validation folds --------------------------


def _recall_at_precision(y_true, y_pred, min_precision=0.6):
    """Minority recall, or 0 where the precision falls below ``min_precision``."""
    if precision_score(y_true, y_pred, zero_division=0) < min_precision:
        return 0.0
    return recall_score(y_true, y_pred)


@pytest.mark.parametrize(
    "estimator, scoring",
    [
        (QuantumStackingClassifier(_fast_members(), cv=3, random_state=0), "balanced_accuracy"),
        (QuantumKernelSVC(feature_map="angle", reps=1, random_state=0),
         make_scorer(_recall_at_precision)),
    ],
    ids=["stack, balanced accuracy", "QSVC, recall at precision 0.6"],
)
def test_tuned_threshold(estimator, scoring, skewed_split):
    X_train, X_test, y_train, _ = skewed_split
    tuned = TunedThresholdClassifierCV(estimator, scoring=scoring, cv=3, random_state=0,
                                       store_cv_results=True).fit(X_train, y_train)
    assert 0.0 < tuned.best_threshold_ < 1.0
    assert tuned.best_score_ == pytest.approx(np.max(tuned.cv_results_["scores"]))
    assert tuned.best_score_ > 0.5
    # Predictions are the refitted model's probabilities cut at the tuned threshold.
    proba = tuned.estimator_.predict_proba(X_test)[:, 1]
    expected = tuned.classes_[(proba >= tuned.best_threshold_).astype(int)]
    assert np.array_equal(tuned.predict(X_test), expected)


# -- default members --------------------------------------------------------


def test_default_members_fit_a_tiny_dataset():
    X, y = make_blobs(n_samples=40, centers=[(-2, -2), (2, 2)], n_features=2,
                      cluster_std=1.0, random_state=0)
    X = MinMaxScaler(ANGLES).fit_transform(X)
    stack = _quiet_fit(QuantumStackingClassifier(random_state=0), X, y)
    assert [type(est) for est in stack.estimators_] == [QuantumKernelSVC, QNNClassifier]
    assert all(est.class_weight == "balanced" for est in stack.estimators_)
    assert stack.estimators_[0].bandwidth == "auto" and stack.estimators_[0].C == "auto"
    assert stack.meta_feature_names_ == ["qsvc_proba", "qnn_proba"]
    assert stack.meta_learner_.startswith("super learner")  # fusion="proba": the default
    assert sum(stack.weights_.values()) == pytest.approx(1.0)
    assert stack.diagnostics_["disagreement_rate"] is not None
    assert accuracy_score(y, stack.predict(X)) > 0.8


# -- bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [
        ({"estimators": [("svm", LinearSVC())]},
         r"estimator 'svm' \(LinearSVC\) has no predict_proba, which fusion='proba' needs; "
         r"use fusion in \['labels', 'margins'\]"),
        ({"estimators": [("svm", LinearSVC())], "fusion": "proba+agreement"},
         r"'svm' \(LinearSVC\) has no predict_proba, which fusion='proba\+agreement' needs"),
        ({"estimators": [("nb", GaussianNB())], "fusion": "margins"},
         r"estimator 'nb' \(GaussianNB\) has no decision_function, which fusion='margins' "
         r"needs; use fusion in \['labels', 'proba', 'proba\+agreement'\]"),
        ({"estimators": [("lr", LogisticRegression()), ("lr", GaussianNB())]},
         r"estimator names must be unique; got \['lr', 'lr'\]"),
        ({"estimators": []}, r"estimators is empty; give at least one \(name, estimator\)"),
        ({"estimators": [LogisticRegression()]},
         r"estimators must be a list of \(name, estimator\) pairs"),
        ({"estimators": [("lr", LogisticRegression()), ("lr", LinearSVC())]},
         r"names must be unique.*; estimator 'lr' \(LinearSVC\) has no predict_proba"),
    ],
    ids=["no predict_proba", "no predict_proba for agreement", "no decision_function",
         "duplicate names", "empty", "not pairs", "problems reported together"],
)
def test_bad_members(params, match):
    X, y = _skewed(40)
    with pytest.raises(ValueError, match=match):
        QuantumStackingClassifier(**params).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"fusion": "votes"}, r"The 'fusion' parameter of QuantumStackingClassifier must be"),
        ({"cv": 1}, r"The 'cv' parameter of QuantumStackingClassifier must be"),
        ({"final_estimator": object()}, r"The 'final_estimator' parameter"),
        ({"estimators": ("lr", LogisticRegression())}, r"The 'estimators' parameter"),
    ],
    ids=["unknown fusion", "cv=1", "final without fit", "tuple of estimators"],
)
def test_invalid_parameters(params, match):
    X, y = _skewed(40)
    with pytest.raises(InvalidParameterError, match=match):
        QuantumStackingClassifier(**params).fit(X, y)


def _labels_with_positives(n_positive, n_samples=40):
    y = np.zeros(n_samples, dtype=int)
    y[:n_positive] = 1
    return y


@pytest.mark.parametrize(
    "X, y, cv, match",
    [
        (_skewed(40)[0], np.zeros(40, int), 5,
         r"needs samples of at least two classes; got 1 class: \[0\]"),
        (_skewed(40)[0], _labels_with_positives(3), 5,
         r"class 1 has 3 samples but cv=5 stratified folds need at least 5 per class; "
         r"lower cv \(e\.g\. cv=3\) or provide more minority rows"),
        (_skewed(40)[0], np.where(_labels_with_positives(1), "fraud", "normal"), 2,
         r"class 'fraud' has 1 samples but cv=2.*provide at least 2 rows of every class\.$"),
        (np.where(np.eye(40, 2) == 1, np.nan, 0.5), _skewed(40)[1], 5,
         r"Input X contains NaN \(2 non-finite value\(s\), first at row 0, column 0\); "
         r"QuantumStackingClassifier needs finite features"),
        (np.full((40, 2), np.inf), _skewed(40)[1], 5, r"Input X contains infinity"),
        (np.ones(40), _skewed(40)[1], 5, r"X must be 2-D"),
    ],
    ids=["single class", "too few minority rows for cv", "one minority row", "NaN",
         "infinity", "1-D X"],
)
def test_bad_training_data(X, y, cv, match):
    stack = QuantumStackingClassifier(_fast_members(), cv=cv, random_state=0)
    with pytest.raises(ValueError, match=match):
        stack.fit(X, y)


def test_bad_prediction_input(fitted):
    with pytest.raises(ValueError, match=r"X has 3 features, but QuantumStackingClassifier "
                                         r"is expecting 2 features"):
        fitted.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"Input X contains NaN"):
        fitted.predict_proba(np.array([[0.1, np.nan]]))


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_not_fitted(method):
    with pytest.raises(NotFittedError, match="QuantumStackingClassifier instance is not fitted"):
        getattr(QuantumStackingClassifier(_fast_members()), method)(np.zeros((2, 2)))


def test_with_backend_scores_the_fitted_quantum_members_elsewhere(simulated):
    X, y = _skewed(30)
    members = [("qsvc", make_pipeline(MinMaxScaler(ANGLES), _qsvc())),
               ("qnn", QNNClassifier(n_layers=1, max_epochs=3, validation_fraction=None)),
               ("lr", LogisticRegression())]
    stack = _quiet_fit(QuantumStackingClassifier(members, cv=2, random_state=0), X, y)
    moved = stack.with_backend("default.qubit", shots=20000)
    qsvc, qnn = moved.named_estimators_["qsvc"][-1], moved.named_estimators_["qnn"]
    assert (qsvc.kernel_.backend, qsvc.kernel_.shots) == ("default.qubit", 20000)
    assert (qnn.module_.qnn.backend, qnn.module_.qnn.shots) == ("default.qubit", 20000)
    assert moved.named_estimators_["lr"] is not stack.named_estimators_["lr"]  # a copy
    assert stack.named_estimators_["qsvc"][-1].kernel_.shots is None  # left as it was
    np.testing.assert_allclose(moved.predict_proba(X), stack.predict_proba(X), atol=0.1)
    assert simulated["shots"] > 0
