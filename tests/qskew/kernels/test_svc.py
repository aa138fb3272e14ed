"""Tests for qskew.kernels._svc: QuantumKernelSVC."""

import inspect
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score, recall_score
from sklearn.model_selection import GridSearchCV, check_cv
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from qskew import BackendNotFoundError, PSDRepairWarning, QuantumKernel, QuantumKernelSVC

FEATURE_MAPS = ("zz", "angle", "iqp")
ANGLES = (0.0, np.pi / 2)


def _blobs(n_samples, centers, n_features=3, seed=0, std=2.5):
    X, y = make_blobs(n_samples=n_samples, centers=centers, n_features=n_features,
                      cluster_std=std, random_state=seed)
    return MinMaxScaler(ANGLES).fit_transform(X), y


@pytest.fixture(scope="module")
def binary():
    """An easy two-class problem in [0, pi/2]^3, split 60 / 30."""
    X, y = _blobs(90, centers=2, seed=1, std=1.5)
    return X[:60], y[:60], X[60:], y[60:]


@pytest.fixture(scope="module")
def multiclass():
    X, y = _blobs(90, centers=3, seed=0)
    return X[:60], y[:60], X[60:], y[60:]


@pytest.fixture(scope="module")
def skewed():
    """15 positives in 160 rows; fixed seed, chosen so the plain SVM misses them."""
    X, y = make_classification(n_samples=160, n_features=3, n_informative=3, n_redundant=0,
                               weights=[0.9], class_sep=0.8, flip_y=0, random_state=3)
    X = MinMaxScaler(ANGLES).fit_transform(X)
    return X[:100], y[:100], X[100:], y[100:]


@pytest.fixture(scope="module")
def fitted(binary):
    X, y, _, _ = binary
    return QuantumKernelSVC(feature_map="zz", reps=1, random_state=0).fit(X, y)


def _kernel(**params):
    return QuantumKernel(**{"feature_map": "zz", "reps": 1, **params})


# -- fit / predict ---------------------------------------------------------


@pytest.mark.parametrize("feature_map", FEATURE_MAPS)
def test_binary_fit_predict_and_consistency(binary, feature_map):
    X, y, X_test, y_test = binary
    clf = QuantumKernelSVC(feature_map=feature_map, reps=1, random_state=0)
    assert clf.fit(X, y) is clf
    assert clf.score(X_test, y_test) >= 0.9
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.n_features_in_ == 3
    np.testing.assert_array_equal(clf.support_vectors_, X[clf.support_])
    assert clf.temperature_ > 0

    decision = clf.decision_function(X_test)
    predicted = clf.predict(X_test)
    proba = clf.predict_proba(X_test)
    assert decision.shape == predicted.shape == (len(X_test),)
    np.testing.assert_array_equal(predicted, clf.classes_[(decision > 0).astype(int)])
    assert proba.shape == (len(X_test), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], predicted)
    # Temperature scaling has no offset: P(class 1) is increasing in the margin.
    order = np.argsort(decision)
    assert np.all(np.diff(proba[order, 1]) >= 0)
    np.testing.assert_allclose(clf.predict_log_proba(X_test), np.log(proba), rtol=1e-9)


@pytest.mark.parametrize("feature_map", FEATURE_MAPS)
def test_multiclass_shapes_and_argmax_agreement(multiclass, feature_map):
    X, y, X_test, y_test = multiclass
    clf = QuantumKernelSVC(feature_map=feature_map, reps=1, random_state=0).fit(X, y)
    # A dense grid reaches the regions where one-vs-one votes tie.
    grid = np.random.RandomState(0).uniform(-0.5, 2.1, size=(3000, 3))
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    for rows in (X_test, grid):
        decision, proba, predicted = (
            clf.decision_function(rows), clf.predict_proba(rows), clf.predict(rows)
        )
        assert decision.shape == proba.shape == (len(rows), 3)
        assert predicted.shape == (len(rows),)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_array_equal(clf.classes_[decision.argmax(axis=1)], predicted)
        np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], predicted)
        # softmax(a * f) keeps each row's order of the one-vs-rest scores.
        np.testing.assert_array_equal(np.argsort(decision, axis=1), np.argsort(proba, axis=1))
    np.testing.assert_allclose(
        np.exp(clf.predict_log_proba(X_test)), clf.predict_proba(X_test), atol=1e-12
    )
    assert clf.score(X_test, y_test) >= 0.8


def test_string_labels(binary):
    X, y, X_test, _ = binary
    labels = np.array(["benign", "malignant"])
    clf = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0).fit(X, labels[y])
    np.testing.assert_array_equal(clf.classes_, labels)
    assert set(clf.predict(X_test)) <= set(labels)


# -- agreement with scikit-learn's SVC -------------------------------------


@pytest.mark.parametrize(
    "data, C, class_weight",
    [
        ("binary", 1.0, None),
        ("skewed", 0.5, "balanced"),
        ("skewed", 3.0, {0: 1.0, 1: 5.0}),
        ("multiclass", 2.0, None),
        ("multiclass", 1.0, "balanced"),
    ],
)
def test_matches_svc_on_precomputed_and_callable_kernel(request, data, C, class_weight):
    X, y, X_test, _ = request.getfixturevalue(data)
    clf = QuantumKernelSVC(feature_map="zz", reps=1, C=C, class_weight=class_weight,
                           random_state=0).fit(X, y)
    kernel = _kernel()
    # break_ties: QuantumKernelSVC predicts the argmax of its one-vs-rest scores.
    reference = SVC(kernel="precomputed", C=C, class_weight=class_weight, break_ties=True)
    reference.fit(kernel(X), y)
    K_test = kernel(X_test, X)  # every column, not only the support vectors'
    np.testing.assert_array_equal(clf.predict(X_test), reference.predict(K_test))
    np.testing.assert_allclose(
        clf.decision_function(X_test), reference.decision_function(K_test), atol=1e-10
    )
    np.testing.assert_array_equal(clf.support_, reference.support_)

    with_callable = SVC(kernel=_kernel(), C=C, class_weight=class_weight, break_ties=True)
    with_callable.fit(X, y)
    np.testing.assert_allclose(
        clf.decision_function(X_test), with_callable.decision_function(X_test), atol=1e-8
    )
    np.testing.assert_array_equal(clf.predict(X_test), with_callable.predict(X_test))


def test_fitted_kernel_carries_the_kernel_parameters():
    X, y = _blobs(30, centers=2, n_features=2, seed=2)
    clf = QuantumKernelSVC(feature_map="iqp", reps=3, entanglement="full",
                           random_state=7).fit(X, y)
    params = clf.kernel_.get_params()
    assert (params["feature_map"], params["reps"], params["entanglement"]) == ("iqp", 3, "full")
    assert params["random_state"] == 7
    np.testing.assert_allclose(clf.kernel_(X), _kernel(feature_map="iqp", reps=3,
                                                       entanglement="full")(X))


# -- imbalance: class_weight and sample_weight ------------------------------


def test_balanced_class_weight_moves_the_boundary_towards_the_majority(skewed):
    X, y, X_test, y_test = skewed
    plain = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0).fit(X, y)
    balanced = QuantumKernelSVC(feature_map="angle", reps=1, class_weight="balanced",
                                random_state=0).fit(X, y)
    assert recall_score(y_test, balanced.predict(X_test)) > recall_score(
        y_test, plain.predict(X_test)
    )
    rows = np.vstack([X, X_test])
    assert balanced.predict(rows).sum() > plain.predict(rows).sum()
    assert balanced.decision_function(rows).mean() > plain.decision_function(rows).mean()


@pytest.mark.parametrize("data", ["binary", "multiclass"])
def test_zero_sample_weight_equals_dropping_the_rows(request, data):
    X, y, X_test, _ = request.getfixturevalue(data)
    weight = np.ones(len(y))
    weight[:10] = 0.0
    weight[20:25] = 2.5
    weighted = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0)
    weighted.fit(X, y, sample_weight=weight)
    dropped = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0)
    dropped.fit(X[10:], y[10:], sample_weight=weight[10:])
    np.testing.assert_allclose(
        weighted.decision_function(X_test), dropped.decision_function(X_test), atol=1e-8
    )
    np.testing.assert_array_equal(weighted.predict(X_test), dropped.predict(X_test))
    # support_ indexes the rows passed to fit, zero-weight rows included.
    np.testing.assert_array_equal(weighted.support_, dropped.support_ + 10)
    np.testing.assert_array_equal(weighted.support_vectors_, X[weighted.support_])
    assert np.all(weight[weighted.support_] > 0)


def test_sample_weight_changes_the_fit(binary):
    X, y, X_test, _ = binary
    weight = np.where(y == 1, 10.0, 0.1)
    plain = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0).fit(X, y)
    weighted = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0)
    weighted.fit(X, y, sample_weight=weight)
    assert weighted.decision_function(X_test).mean() > plain.decision_function(X_test).mean()


# -- clone, pickle, joblib --------------------------------------------------


def test_clone_round_trip():
    clf = QuantumKernelSVC(C=3.0, class_weight="balanced", feature_map="iqp", reps=3,
                           entanglement="full", rotation="X", backend="default.qubit",
                           backend_options={"max_workers": None}, shots=None,
                           random_state=4)
    copy = clone(clf)
    assert copy is not clf
    assert copy.get_params() == clf.get_params()
    with pytest.raises(NotFittedError):
        copy.predict(np.zeros((1, 2)))


def test_clone_of_fitted_model_is_unfitted(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "classes_") and not hasattr(copy, "kernel_")


def test_pickle_round_trip_predicts_identically(fitted, binary):
    X_test = binary[2]
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.decision_function(X_test),
                                  fitted.decision_function(X_test))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), fitted.predict_proba(X_test))
    np.testing.assert_array_equal(loaded.predict(X_test), fitted.predict(X_test))


def test_scoring_the_same_rows_again_reuses_their_margins(binary, monkeypatch):
    X, y, X_test, _ = binary
    clf = QuantumKernelSVC(feature_map="angle", random_state=0).fit(X, y)
    calls, evaluate = [], QuantumKernel.__call__
    monkeypatch.setattr(QuantumKernel, "__call__",
                        lambda self, *a, **k: calls.append(len(a[0])) or evaluate(self, *a, **k))
    proba = clf.predict_proba(X_test)
    labels, margins = clf.predict(X_test), clf.decision_function(X_test)
    assert calls == [len(X_test)]  # one kernel evaluation for all three
    np.testing.assert_array_equal(labels, clf.classes_[(margins > 0).astype(int)])
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-clf.temperature_ * margins)))
    margins[:] = 0  # the caller's copy: what is kept stays intact
    np.testing.assert_array_equal(clf.predict(X_test), labels)
    clf.decision_function(X_test[:3])  # other rows: evaluated
    assert calls == [len(X_test), 3]
    moved = clf.with_backend("default.qubit")  # another kernel: nothing carried over
    assert moved._last_margins_ is not clf._last_margins_
    assert pickle.loads(pickle.dumps(clf))._last_margins_._entry is None


def test_joblib_round_trip_predicts_identically(fitted, binary, tmp_path):
    X_test = binary[2]
    path = tmp_path / "qsvc.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.decision_function(X_test),
                                  fitted.decision_function(X_test))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), fitted.predict_proba(X_test))


def test_pickle_leaves_the_state_cache_behind(binary):
    X, y, _, _ = binary
    clf = QuantumKernelSVC(feature_map="zz", reps=1, random_state=0).fit(X, y)
    before = len(pickle.dumps(clf))
    many = np.random.RandomState(1).uniform(*ANGLES, size=(2000, 3))
    clf.predict(many)  # caches ~2000 states of 8 amplitudes (~256 kB)
    after = len(pickle.dumps(clf))
    assert abs(after - before) < 200
    assert after < 50_000
    kernel = pickle.loads(pickle.dumps(clf)).kernel_
    assert not [name for name, value in vars(kernel).items()
                if getattr(value, "dtype", None) is not None and value.dtype.kind == "c"]


# -- composition: GridSearchCV, imblearn Pipeline, pandas ------------------


def test_grid_search_over_c_and_feature_map(binary):
    X, y, X_test, y_test = binary
    grid = {"C": [0.5, 2.0], "feature_map": ["angle", "zz"]}
    search = GridSearchCV(QuantumKernelSVC(reps=1, random_state=0), grid, cv=3)
    search.fit(X, y)
    assert search.best_params_["C"] in grid["C"]
    assert search.best_params_["feature_map"] in grid["feature_map"]
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.score(X_test, y_test) >= 0.9


def test_imblearn_pipeline_with_smote(skewed):
    X, y, X_test, y_test = skewed
    X_raw, X_test_raw = 10 * X - 3, 10 * X_test - 3  # the pipeline scales it back
    pipe = make_pipeline(MinMaxScaler(ANGLES), SMOTE(random_state=0),
                         QuantumKernelSVC(feature_map="angle", reps=1, random_state=0))
    pipe.fit(X_raw, y)
    qsvc = pipe[-1]
    n_majority = int(np.sum(y == 0))
    # SMOTE balanced the training rows the SVM saw: one state per distinct row.
    assert qsvc.kernel_.n_states_prepared == 2 * n_majority
    proba = pipe.predict_proba(X_test_raw)
    assert proba.shape == (len(X_test), 2)
    np.testing.assert_array_equal(pipe.predict(X_test_raw), proba.argmax(axis=1))
    assert recall_score(y_test, pipe.predict(X_test_raw)) > 0


def test_dataframe_input_sets_and_checks_feature_names(binary):
    X, y, X_test, _ = binary
    columns = ["radius", "texture", "smoothness"]
    frame = pd.DataFrame(X, columns=columns)
    clf = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0)
    clf.fit(frame, pd.Series(y, name="target"))
    np.testing.assert_array_equal(clf.feature_names_in_, columns)
    from_numpy = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0).fit(X, y)
    assert not hasattr(from_numpy, "feature_names_in_")
    test_frame = pd.DataFrame(X_test, columns=columns)
    np.testing.assert_array_equal(clf.decision_function(test_frame),
                                  from_numpy.decision_function(X_test))

    renamed = test_frame.rename(columns={"texture": "area"})
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(renamed)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        clf.predict(X_test)


# -- reproducibility ---------------------------------------------------------


def test_same_random_state_gives_identical_probabilities(skewed):
    X, y, X_test, _ = skewed

    def proba(seed):
        clf = QuantumKernelSVC(feature_map="zz", reps=1, class_weight="balanced",
                               random_state=seed).fit(X, y)
        return clf.temperature_, clf.predict_proba(X_test)

    (t0, p0), (t1, p1) = proba(11), proba(11)
    assert t0 == t1
    np.testing.assert_array_equal(p0, p1)


@pytest.mark.filterwarnings("ignore::qskew.PSDRepairWarning")
def test_shots_mode_is_seeded(binary):
    X, y, X_test, _ = binary
    X, y, X_test = X[:14], y[:14], X_test[:6]

    def run(seed):
        clf = QuantumKernelSVC(feature_map="angle", reps=1, backend="default.qubit",
                               shots=2000, random_state=seed).fit(X, y)
        return clf.decision_function(X_test), clf.predict_proba(X_test)

    (d0, p0), (d1, p1), (d2, _) = run(5), run(5), run(6)
    np.testing.assert_array_equal(d0, d1)
    np.testing.assert_array_equal(p0, p1)
    assert not np.array_equal(d0, d2)  # the seed does reach the shot sampling
    exact = QuantumKernelSVC(feature_map="angle", reps=1, random_state=5).fit(X, y)
    np.testing.assert_array_equal(np.sign(d0), np.sign(exact.decision_function(X_test)))


def test_shots_mode_kernel_is_estimated_from_circuits(binary):
    X, y = binary[0][:10], binary[1][:10]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PSDRepairWarning)
        clf = QuantumKernelSVC(feature_map="angle", reps=1, backend="default.mixed",
                               shots=2000, random_state=0).fit(X, y)
    assert clf.kernel_.n_circuits_executed == 10 * 9 // 2
    assert clf.kernel_.n_states_prepared == 0


# -- bad input ---------------------------------------------------------------


def _bad_fit_cases():
    X, y = _blobs(20, centers=2, n_features=2, seed=0)
    with_nan, with_inf = X.copy(), X.copy()
    with_nan[3, 1] = np.nan
    with_inf[5, 0] = np.inf
    wide = np.random.RandomState(0).uniform(*ANGLES, size=(20, 21))
    return [
        ("nan", {}, with_nan, y, ValueError, r"Input X contains NaN.*row 3, column 1.*Impute"),
        ("inf", {}, with_inf, y, ValueError, r"Input X contains infinity.*SimpleImputer"),
        ("1-D", {}, X[:, 0], y, ValueError, r"X must be 2-D.*1-D.*Reshape your data"),
        ("no rows", {}, X[:0], y[:0], ValueError, r"X has 0 sample\(s\).*minimum of 1"),
        ("no columns", {}, X[:, :0], y, ValueError, r"X has 0 feature\(s\)"),
        ("one class", {}, X, np.zeros(20), ValueError,
         r"at least two classes; got 1 class.*Check the labels"),
        ("21 features", {}, wide, y, ValueError,
         r"X has 21 features.*limit 20 for 'lightning.qubit'.*PCA\(n_components=8\)"),
        ("feature_map", {"feature_map": "zzz"}, X, y, InvalidParameterError,
         r"'feature_map' parameter.*Got 'zzz'"),
        ("entanglement", {"entanglement": "ring"}, X, y, InvalidParameterError,
         r"'entanglement' parameter.*Got 'ring'"),
        ("backend", {"backend": "lightning.qbit"}, X, y, BackendNotFoundError,
         r"'lightning.qbit' is not an installed.*Did you mean 'lightning.qubit'"),
        ("C=0", {"C": 0.0}, X, y, InvalidParameterError, r"'C' parameter.*\(0.0, inf\).*Got 0.0"),
        ("C<0", {"C": -1.0}, X, y, InvalidParameterError, r"'C' parameter.*Got -1.0"),
        ("reps=0", {"reps": 0}, X, y, InvalidParameterError, r"'reps' parameter.*Got 0"),
        ("shots=0", {"shots": 0}, X, y, InvalidParameterError, r"'shots' parameter.*Got 0"),
        ("class_weight", {"class_weight": "auto"}, X, y, InvalidParameterError,
         r"'class_weight' parameter.*Got 'auto'"),
    ]


@pytest.mark.parametrize(
    "params, X, y, error, match",
    [case[1:] for case in _bad_fit_cases()],
    ids=[case[0] for case in _bad_fit_cases()],
)
def test_fit_rejects_bad_input(params, X, y, error, match):
    clf = QuantumKernelSVC(**{"feature_map": "angle", "reps": 1, **params})
    with pytest.raises(error, match=match):
        clf.fit(X, y)


@pytest.mark.parametrize("params", [{"C": -1.0}, {"backend": "no.such.device"}])
def test_invalid_parameters_are_caught_as_value_errors(binary, params):
    X, y, _, _ = binary
    try:
        QuantumKernelSVC(**params).fit(X, y)
    except ValueError as exc:  # what a user's ``except ValueError`` sees
        assert type(exc) in (InvalidParameterError, BackendNotFoundError)
    else:
        pytest.fail(f"{params} was accepted")


@pytest.mark.parametrize(
    "weight, match",
    [
        (np.r_[np.ones(10), np.zeros(10)], r"positive sample_weight in every class.*\[1\]"),
        (np.r_[-np.ones(10), np.ones(10)], r"positive sample_weight in every class.*\[0\]"),
        (np.ones(19), r"sample_weight.shape == \(19,\), expected \(20,\)"),
    ],
    ids=["class zero-weighted", "class negative-weighted", "wrong length"],
)
def test_fit_rejects_bad_sample_weight(weight, match):
    X = np.random.RandomState(0).uniform(*ANGLES, size=(20, 2))
    y = np.r_[np.zeros(10), np.ones(10)].astype(int)
    with pytest.raises(ValueError, match=match):
        QuantumKernelSVC(feature_map="angle", reps=1).fit(X, y, sample_weight=weight)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((4, 2)), r"X has 2 features, but QuantumKernelSVC is expecting 3 features"
                           r".*same preprocessing"),
        (np.zeros((4, 4)), r"X has 4 features, but QuantumKernelSVC is expecting 3"),
        (np.full((2, 3), np.nan), r"Input X contains NaN"),
        (np.zeros(3), r"X must be 2-D.*Reshape your data"),
        (np.zeros((0, 3)), r"X has 0 sample\(s\)"),
    ],
    ids=["fewer features", "more features", "nan", "1-D", "empty"],
)
@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_predict_rejects_bad_input(fitted, X, match, method):
    with pytest.raises(ValueError, match=match):
        getattr(fitted, method)(X)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_not_fitted_error(method):
    with pytest.raises(NotFittedError, match="QuantumKernelSVC instance is not fitted yet.*fit"):
        getattr(QuantumKernelSVC(), method)(np.zeros((2, 2)))


def test_single_sample_class_warns_and_still_calibrates():
    X = np.random.RandomState(0).uniform(*ANGLES, size=(8, 2))
    y = np.array([0] * 7 + [1])
    clf = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0)
    with pytest.warns(UserWarning, match="a class has a single sample"):
        clf.fit(X, y)
    assert clf.temperature_ > 0
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


# -- API contract --------------------------------------------------------------


def test_behaves_as_a_classifier(binary):
    X, y, X_test, y_test = binary
    clf = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) == accuracy_score(y_test, clf.predict(X_test))
    # scikit-learn picks stratified folds for classifiers: every fold holds both classes.
    folds = check_cv(3, y, classifier=is_classifier(clf))
    assert all(len(np.unique(y[test])) == 2 for _, test in folds.split(X, y))


def test_parameter_constraints_cover_every_init_parameter():
    signature = inspect.signature(QuantumKernelSVC.__init__)
    init_params = {name for name in signature.parameters if name != "self"}
    assert set(QuantumKernelSVC._parameter_constraints) == init_params
    assert set(QuantumKernelSVC().get_params()) == init_params
    # keyword-only, as the house style requires
    assert all(
        p.kind is inspect.Parameter.KEYWORD_ONLY
        for name, p in signature.parameters.items() if name != "self"
    )


def test_init_stores_parameters_unchanged():
    options = {"max_workers": None}
    clf = QuantumKernelSVC(backend_options=options, class_weight={0: 1, 1: 3})
    assert clf.backend_options is options
    assert clf.class_weight == {0: 1, 1: 3}


@pytest.mark.parametrize("backend, shots", [("lightning.qubit", None), ("default.mixed", 50)])
def test_estimate_cost_counts_what_fit_and_two_predictions_run(simulated, backend, shots):
    rng = np.random.default_rng(5)
    X_fit = rng.uniform(0, np.pi / 2, (12, 3))
    y_fit = (X_fit[:, 0] > np.pi / 4).astype(int)
    X_new = rng.uniform(0, np.pi / 2, (5, 3))
    clf = QuantumKernelSVC(feature_map="angle", backend=backend, shots=shots, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PSDRepairWarning)
        clf.fit(X_fit, y_fit)
    clf.predict_proba(X_new)
    clf.predict(X_new)
    estimate = clf.estimate_cost(len(X_fit), len(X_new), predict_calls=2)
    if shots is None:
        assert simulated == simulated.of(estimate)
        assert simulated["state_preparations"] == len(X_fit) + len(X_new)
    else:  # an upper bound: prediction runs against the support vectors only
        n_sv = len(clf.support_)
        # predict after predict_proba on the same rows reuses their margins: one pass
        assert simulated["circuits"] == 12 * 11 // 2 + 5 * n_sv
        assert simulated["circuits"] <= estimate["circuits"]
        assert estimate["circuits"] == 12 * 11 // 2 + 5 * 12
        assert simulated["shots"] == 50 * simulated["circuits"]


def test_estimate_cost_skips_cached_states(simulated):
    X_fit = np.random.default_rng(6).uniform(0, np.pi / 2, (10, 2))
    y_fit = np.arange(10) % 2
    QuantumKernelSVC(feature_map="angle").fit(X_fit, y_fit)
    before = simulated["state_preparations"]
    QuantumKernelSVC(feature_map="angle").fit(X_fit, y_fit).predict(X_fit[:4])
    estimate = QuantumKernelSVC().estimate_cost(10, 4, cached=14)
    assert simulated["state_preparations"] - before == estimate["state_preparations"] == 0


def test_takes_every_kernel_parameter_including_dtype(binary):
    X, y, X_test, _ = binary
    # every kernel parameter but the trained weights, which the SVC fits (kernel_training)
    assert set(QuantumKernel().get_params()) - {"weights"} <= set(QuantumKernelSVC().get_params())
    single = QuantumKernelSVC(feature_map="zz", reps=1, dtype="complex64", random_state=0)
    double = QuantumKernelSVC(feature_map="zz", reps=1, random_state=0)
    single.fit(X, y)
    assert single.kernel_.dtype == "complex64"
    assert single.kernel_.states(X_test[:2]).dtype == np.complex64
    np.testing.assert_allclose(single.predict_proba(X_test),
                               double.fit(X, y).predict_proba(X_test), atol=1e-4)


def test_with_backend_scores_on_another_backend_without_refitting(simulated):
    X, y = make_classification(40, n_features=2, n_informative=2, n_redundant=0,
                               random_state=0)
    X = MinMaxScaler((0, np.pi)).fit_transform(X)
    clf = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0).fit(X, y)
    moved = clf.with_backend("default.mixed", shots=4000,
                             backend_options={"noise": {"readout": 0.02}},
                             mitigation="readout")
    assert moved.svc_ is not clf.svc_ and np.array_equal(moved.svc_.dual_coef_,
                                                         clf.svc_.dual_coef_)
    before = simulated["circuits"]
    proba = moved.predict_proba(X[:10])
    assert simulated["circuits"] - before == 10 * len(clf.support_)
    assert np.abs(proba - clf.predict_proba(X[:10])).max() < 0.1
    assert (clf.backend, clf.kernel_.shots) == ("lightning.qubit", None)
    with pytest.raises(ValueError, match="noiseless statevector simulator"):
        clf.with_backend("default.qubit", shots=10, mitigation="readout")
    with pytest.raises(NotFittedError):
        QuantumKernelSVC().with_backend("default.qubit")


def test_auto_bandwidth_is_chosen_on_the_training_rows_by_inner_cv(simulated):
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from qskew.kernels._svc import BANDWIDTH_GRID

    X, y = make_classification(80, n_features=6, n_informative=4, weights=[0.8],
                               random_state=1)
    X = MinMaxScaler((0, np.pi)).fit_transform(X)
    clf = QuantumKernelSVC(feature_map="zz", reps=2, bandwidth="auto", random_state=0).fit(X, y)
    folds = StratifiedKFold(3, shuffle=True,
                            random_state=np.random.RandomState(0).randint(2**31 - 1))
    scores = {b: cross_val_score(SVC(kernel="precomputed"),
                                 QuantumKernel(feature_map="zz", reps=2, bandwidth=b)(X), y,
                                 cv=folds, scoring="average_precision").mean()
              for b in BANDWIDTH_GRID}
    assert clf.bandwidth_ == max(scores, key=scores.get) and clf.bandwidth_ < 1.0
    assert clf.bandwidth_scores_ == pytest.approx(scores)
    assert clf.kernel_.bandwidth == clf.bandwidth_
    before = dict(simulated)
    clf2 = QuantumKernelSVC(feature_map="zz", reps=2, bandwidth="auto", random_state=0)
    QuantumKernel.clear_cache()
    clf2.fit(X, y)
    assert simulated["state_preparations"] - before["state_preparations"] == \
        clf2.estimate_cost(len(X))["state_preparations"]
    fixed = QuantumKernelSVC(feature_map="zz", reps=2, bandwidth=clf.bandwidth_,
                             random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.decision_function(X), fixed.decision_function(X))
    with pytest.raises(ValueError, match="bandwidth='auto' and C='auto' search on exact kernels"):
        QuantumKernelSVC(bandwidth="auto", backend="default.qubit", shots=100).fit(X, y)


def test_fit_records_kernel_diagnostics_and_warns_when_concentrated():
    from qskew.metrics import kernel_diagnostics

    rng = np.random.default_rng(0)
    X = rng.uniform(0, np.pi, size=(40, 3))
    y = (X[:, 0] > 1.5).astype(int)
    clf = QuantumKernelSVC(bandwidth=0.5).fit(X, y)
    expected = kernel_diagnostics(QuantumKernel(bandwidth=0.5)(X), y)
    assert clf.kernel_diagnostics_ == pytest.approx(expected)
    wide = rng.uniform(0, np.pi, size=(40, 12))
    with pytest.warns(UserWarning, match="concentrated.*Lower the bandwidth"):
        fitted = QuantumKernelSVC(reps=3).fit(wide, y)
    assert fitted.kernel_diagnostics_["concentrated"]
    nystroem = QuantumKernelSVC(approximation="nystroem", n_components=10, bandwidth=0.5,
                                random_state=0).fit(X, y)
    assert nystroem.kernel_diagnostics_ == pytest.approx(expected)
    device = QuantumKernelSVC(approximation="nystroem", n_components=5, backend="default.mixed",
                              shots=100, feature_map="angle", random_state=0).fit(X[:12], y[:12])
    assert device.kernel_diagnostics_ is None


def test_auto_c_is_searched_jointly_with_the_bandwidth_on_one_gram_per_bandwidth(simulated):
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from qskew.kernels._svc import BANDWIDTH_GRID, C_GRID

    X, y = make_classification(60, n_features=4, n_informative=2, weights=[0.75],
                               random_state=2)
    X = MinMaxScaler((0, np.pi)).fit_transform(X)
    QuantumKernel.clear_cache()
    before = dict(simulated)
    clf = QuantumKernelSVC(bandwidth="auto", C="auto", class_weight="balanced",
                           random_state=0).fit(X, y)
    assert simulated["state_preparations"] - before["state_preparations"] == \
        len(BANDWIDTH_GRID) * len(X)  # one Gram per bandwidth, whatever the C grid
    folds = StratifiedKFold(3, shuffle=True,
                            random_state=np.random.RandomState(0).randint(2**31 - 1))
    scores = {(b, C): cross_val_score(
        SVC(kernel="precomputed", C=C, class_weight="balanced"),
        QuantumKernel(bandwidth=b)(X), y, cv=folds, scoring="average_precision").mean()
        for b in BANDWIDTH_GRID for C in C_GRID}
    assert (clf.bandwidth_, clf.C_) == max(scores, key=scores.get)
    assert clf.search_scores_ == pytest.approx(scores)
    assert clf.svc_.C == clf.C_
    only_c = QuantumKernelSVC(bandwidth=0.3, C="auto", random_state=0).fit(X, y)
    assert only_c.bandwidth_ == 0.3 and set(only_c.search_scores_) == {
        (0.3, C) for C in C_GRID}


def test_projected_gamma_scale_is_sklearns_rule_on_the_bloch_coordinates():
    rng = np.random.default_rng(4)
    X = rng.uniform(0, np.pi, size=(30, 3))
    y = (X[:, 0] > 1.5).astype(int)
    clf = QuantumKernelSVC(kind="projected", bandwidth=0.4).fit(X, y)
    F = QuantumKernel(kind="projected", bandwidth=0.4).projected_features(X)
    assert clf.gamma_ == pytest.approx(2 / (9 * F.var()))
    assert clf.kernel_.gamma == clf.gamma_
    # exp(-gamma/2 |dF|^2) = exp(-|dF|^2 / (n_features var)): scikit-learn's "scale"
    from sklearn.metrics.pairwise import rbf_kernel

    np.testing.assert_allclose(clf.kernel_(X), rbf_kernel(F, gamma=1 / (9 * F.var())),
                               atol=1e-12)
    assert QuantumKernelSVC(bandwidth=0.4).fit(X, y).gamma_ == 1.0  # unused by fidelity
