"""QSVC linear in the rows: Nyström landmarks and the fidelity kernel's explicit feature map."""

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from qskew import QuantumKernel, QuantumKernelSVC
from qskew.backends import MemoryBudgetError, set_memory_budget
from qskew.kernels._approximate import explicit_features, landmark_indices, nystroem_map

RNG = np.random.default_rng(5)
X = RNG.uniform(0, np.pi, size=(120, 3))
Y = (np.sin(2 * X).sum(axis=1) > 1.0).astype(int)
X_NEW = RNG.uniform(0, np.pi, size=(25, 3))


def test_landmarks_share_the_classes_evenly_and_keep_a_small_minority_whole():
    codes = np.array([0] * 950 + [1] * 50)
    picked = landmark_indices(codes, 200, np.random.default_rng(0))
    assert np.bincount(codes[picked]).tolist() == [150, 50]
    assert len(np.unique(picked)) == 200
    picked = landmark_indices(codes, 60, np.random.default_rng(0))
    assert np.bincount(codes[picked]).tolist() == [30, 30]
    three = np.array([0] * 10 + [1] * 3 + [2] * 40)
    assert np.bincount(three[landmark_indices(three, 20, np.random.default_rng(1))]).tolist() \
        == [9, 3, 8]  # the remainder goes to the first open class
    assert len(landmark_indices(codes, 5000, np.random.default_rng(0))) == 1000


def test_nystroem_features_reproduce_the_kernel_when_every_row_is_a_landmark():
    kernel = QuantumKernel(bandwidth=0.5)
    K = kernel(X[:40])
    F = K @ nystroem_map(K)
    np.testing.assert_allclose(F @ F.T, K, atol=1e-8)
    duplicated = kernel(np.vstack([X[:10], X[:10]]))  # singular: duplicates are dropped
    W = nystroem_map(duplicated)
    assert W.shape == (20, 10)
    np.testing.assert_allclose((duplicated @ W) @ (duplicated @ W).T, duplicated, atol=1e-8)


@pytest.mark.parametrize("feature_map", ["zz", "iqp", "angle"])
def test_explicit_features_are_the_fidelity_kernel_exactly(feature_map):
    kernel = QuantumKernel(feature_map=feature_map, bandwidth=0.7)
    F = explicit_features(kernel.states(X[:30]))
    assert F.shape == (30, 4**3)
    np.testing.assert_allclose(F @ F.T, kernel(X[:30]), atol=1e-12)
    F_new = explicit_features(kernel.states(X_NEW))
    np.testing.assert_allclose(F_new @ F.T, kernel(X_NEW, X[:30]), atol=1e-12)


def test_explicit_svc_is_the_linear_svm_on_the_feature_map():
    clf = QuantumKernelSVC(approximation="explicit", bandwidth=0.5, C=2.0,
                           class_weight="balanced", random_state=0).fit(X, Y)
    kernel = QuantumKernel(bandwidth=0.5)
    reference = LinearSVC(C=2.0, class_weight="balanced", dual=False).fit(
        explicit_features(kernel.states(X)), Y)
    np.testing.assert_allclose(clf.decision_function(X_NEW), reference.decision_function(
        explicit_features(kernel.states(X_NEW))), atol=1e-8)
    assert not hasattr(clf, "svc_")


def test_nystroem_svc_with_all_rows_as_landmarks_spans_the_exact_kernel():
    clf = QuantumKernelSVC(approximation="nystroem", n_components=500, bandwidth=0.5,
                           random_state=0).fit(X, Y)
    assert len(clf.landmarks_) == len(X)
    F = clf._features(X_NEW)
    np.testing.assert_allclose(F @ clf._features(X).T,
                               QuantumKernel(bandwidth=0.5)(X_NEW, X), atol=1e-6)


def test_nystroem_landmarks_hold_the_minority_and_predictions_agree_with_probabilities():
    skewed = np.where(np.arange(len(Y)) < 12, 1, 0)
    clf = QuantumKernelSVC(approximation="nystroem", n_components=30, random_state=0,
                           class_weight="balanced").fit(X, skewed)
    minority = (clf.landmarks_[:, None, :] == X[skewed == 1][None]).all(-1).any(1).sum()
    assert minority == 12
    proba = clf.predict_proba(X_NEW)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X_NEW), clf.classes_[proba.argmax(axis=1)])
    again = QuantumKernelSVC(approximation="nystroem", n_components=30, random_state=0,
                             class_weight="balanced").fit(X, skewed)
    np.testing.assert_array_equal(again.landmarks_, clf.landmarks_)
    np.testing.assert_allclose(again.decision_function(X_NEW), clf.decision_function(X_NEW))


def test_multiclass_approximations():
    y3 = np.digitize(X[:, 0], [1.0, 2.1])
    for approximation in ("nystroem", "explicit"):
        clf = QuantumKernelSVC(approximation=approximation, n_components=40,
                               random_state=0).fit(X, y3)
        proba = clf.predict_proba(X_NEW)
        assert proba.shape == (len(X_NEW), 3)
        np.testing.assert_array_equal(clf.predict(X_NEW), proba.argmax(axis=1))


def test_nystroem_costs_are_what_fit_prepares():
    QuantumKernel.clear_cache()
    clf = QuantumKernelSVC(approximation="nystroem", n_components=30, random_state=0)
    clf.fit(X, Y)
    clf.predict(X_NEW)
    cost = clf.estimate_cost(len(X), len(X_NEW))
    assert cost["state_preparations"] == clf.kernel_.n_states_prepared == len(X) + len(X_NEW)
    noisy = QuantumKernelSVC(approximation="nystroem", n_components=30, backend="default.mixed",
                             shots=100)
    # K(L, L) upper triangle, then every training row against the landmarks.
    assert noisy.estimate_cost(120)["circuits"] == 30 * 29 // 2 + 120 * 30


def test_nystroem_scores_on_another_backend():
    clf = QuantumKernelSVC(approximation="nystroem", n_components=20, feature_map="angle",
                           reps=1, random_state=0).fit(X, Y)
    sampled = clf.with_backend("default.qubit", shots=20_000)
    agree = (sampled.predict(X_NEW) == clf.predict(X_NEW)).mean()
    assert agree >= 0.9


def test_explicit_refusals_say_why():
    with pytest.raises(ValueError, match="kind='fidelity'.*nystroem"):
        QuantumKernelSVC(approximation="explicit", kind="projected").fit(X, Y)
    with pytest.raises(ValueError, match="4\\^n features.*9 qubits"):
        QuantumKernelSVC(approximation="explicit").fit(
            RNG.uniform(0, 1, size=(10, 9)), np.arange(10) % 2)
    fitted = QuantumKernelSVC(approximation="explicit", random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="no device returns"):
        fitted.with_backend("default.qubit", shots=100)
    set_memory_budget(10_000)
    try:
        with pytest.raises(MemoryBudgetError, match="explicit feature map of 120 rows"):
            QuantumKernelSVC(approximation="explicit").fit(X, Y)
    finally:
        set_memory_budget(None)


def test_auto_bandwidth_with_an_approximation_searches_a_sample(monkeypatch):
    import qskew.kernels._svc as svc_module

    monkeypatch.setattr(svc_module, "BANDWIDTH_ROWS", 60)
    clf = QuantumKernelSVC(approximation="nystroem", n_components=20, bandwidth="auto",
                           random_state=0).fit(X, Y)
    assert clf.bandwidth_ in svc_module.BANDWIDTH_GRID
    cost = QuantumKernelSVC(approximation="nystroem", n_components=20,
                            bandwidth="auto").estimate_cost(120)
    assert cost["state_preparations"] == 60 * len(svc_module.BANDWIDTH_GRID) + 120
