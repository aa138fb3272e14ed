"""Trained quantum kernels: trainable feature-map layers fitted to balanced alignment."""

import pickle

import numpy as np
import pennylane as qml
import pytest

from circuits import trainable_feature_map, trainable_weights_shape
from qskew import QuantumKernel, QuantumKernelSVC
from qskew.kernels import _training
from qskew.metrics import kernel_target_alignment

RNG = np.random.default_rng(2)
X = RNG.uniform(0, np.pi, size=(80, 3))
Y = (np.cos(X[:, 0] - X[:, 1]) + 0.3 * np.sin(X[:, 2]) > 0.6).astype(int)
X_NEW = RNG.uniform(0, np.pi, size=(10, 3))


@pytest.mark.parametrize("feature_map", ["zz", "iqp", "angle"])
def test_zero_weights_are_the_plain_feature_map(feature_map):
    zeros = np.zeros(trainable_weights_shape(3, 2))
    np.testing.assert_allclose(QuantumKernel(feature_map=feature_map, weights=zeros)(X[:10]),
                               QuantumKernel(feature_map=feature_map)(X[:10]), atol=1e-13)


def test_trained_states_match_an_independent_simulator():
    weights = np.random.default_rng(0).normal(size=trainable_weights_shape(3, 2, "circular"))
    kernel = QuantumKernel(weights=weights, entanglement="circular", bandwidth=0.8)
    dev = qml.device("default.qubit", wires=3)

    @qml.qnode(dev)
    def state(x):
        trainable_feature_map(0.8 * x, [0, 1, 2], weights=weights, entanglement="circular")
        return qml.state()

    np.testing.assert_allclose(kernel.states(X[:4]), np.stack([state(x) for x in X[:4]]),
                               atol=1e-12)
    assert np.abs(kernel(X[:5]) - QuantumKernel(entanglement="circular",
                                                bandwidth=0.8)(X[:5])).max() > 1e-3


def test_weights_are_checked_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"shape \(2, 8\).*got shape \(2, 7\)"):
        QuantumKernel(weights=np.zeros((2, 7)))(X)
    with pytest.raises(ValueError, match="NaN or infinite"):
        QuantumKernel(weights=np.full((2, 8), np.nan))(X)


def test_backprop_training_raises_the_balanced_alignment():
    clf = QuantumKernelSVC(kernel_training={"steps": 25, "batch_size": 32}, bandwidth=0.7,
                           random_state=0).fit(X, Y)
    info = clf.kernel_training_
    assert info["method"] == "backprop" and len(info["history"]) == 25
    assert info["alignment_after"] > info["alignment_before"] + 0.01
    assert clf.kernel_weights_.shape == trainable_weights_shape(3, 2)
    np.testing.assert_array_equal(clf.kernel_.weights, clf.kernel_weights_)
    # The fitted kernel is the trained one: its alignment on the evaluation rows is "after".
    K = clf.kernel_(X)
    assert kernel_target_alignment(K, Y, balanced=True) > kernel_target_alignment(
        QuantumKernel(bandwidth=0.7)(X), Y, balanced=True)


def test_training_is_reproducible_and_survives_pickling_and_with_backend():
    def fit():
        return QuantumKernelSVC(kernel_training={"steps": 5}, random_state=3).fit(X, Y)

    first, second = fit(), fit()
    np.testing.assert_array_equal(first.kernel_weights_, second.kernel_weights_)
    restored = pickle.loads(pickle.dumps(first))
    np.testing.assert_allclose(restored.decision_function(X_NEW),
                               first.decision_function(X_NEW))
    sampled = first.with_backend("default.qubit", shots=50_000)
    np.testing.assert_array_equal(sampled.kernel_.weights, first.kernel_weights_)
    assert np.abs(sampled.decision_function(X_NEW) - first.decision_function(X_NEW)).max() < 0.2


def test_refit_without_training_forgets_the_weights():
    clf = QuantumKernelSVC(kernel_training={"steps": 2}, random_state=0).fit(X, Y)
    clf.set_params(kernel_training=None).fit(X, Y)
    assert not hasattr(clf, "kernel_weights_") and clf.kernel_.weights is None


def test_spsa_trains_a_sampled_kernel():
    clf = QuantumKernelSVC(kernel_training={"steps": 6, "batch_size": 16}, shots=2000,
                           random_state=0).fit(X[:40], Y[:40])
    info = clf.kernel_training_
    assert info["method"] == "spsa" and len(info["history"]) == 6
    assert np.abs(clf.kernel_weights_).max() > 0
    assert "alignment_after" not in info  # measured kernels are not re-evaluated for free
    # exact kernels can also be trained by SPSA, deterministically
    a = QuantumKernelSVC(kernel_training={"steps": 4, "method": "spsa"}, random_state=1)
    b = QuantumKernelSVC(kernel_training={"steps": 4, "method": "spsa"}, random_state=1)
    np.testing.assert_array_equal(a.fit(X, Y).kernel_weights_, b.fit(X, Y).kernel_weights_)


def test_training_options_are_checked():
    with pytest.raises(ValueError, match="among.*'steps'.*got \\['step'\\]"):
        QuantumKernelSVC(kernel_training={"step": 3}).fit(X, Y)
    with pytest.raises(ValueError, match="'batch_size'.*>= 4"):
        QuantumKernelSVC(kernel_training={"batch_size": 2}).fit(X, Y)
    with pytest.raises(ValueError, match="'backprop' differentiates exact.*spsa"):
        QuantumKernelSVC(kernel_training={"method": "backprop"}, shots=100).fit(X, Y)
    with pytest.raises(ValueError, match="learning_rate"):
        QuantumKernelSVC(kernel_training={"learning_rate": -1}).fit(X, Y)


def test_training_cost():
    n = len(X)
    backprop = QuantumKernelSVC(kernel_training={"steps": 10, "batch_size": 16})
    # steps x batch, alignment before and after, then the kept-or-not comparison (plain and
    # trained states of the training rows; the final Gram reuses the trained ones)
    assert backprop.estimate_cost(n)["state_preparations"] == 10 * 16 + 2 * n + 2 * n
    spsa = QuantumKernelSVC(kernel_training={"steps": 3, "batch_size": 8},
                            backend="default.mixed", shots=100)
    assert spsa.estimate_cost(n)["circuits"] == 2 * 3 * (8 * 7 // 2) + n * (n - 1) // 2
    assert _training.check_training("alignment") == _training.DEFAULTS


def test_trained_layers_that_do_not_win_in_cross_validation_are_not_kept(monkeypatch,
                                                                         simulated):
    def idle(kernel, X, codes, options, rng):  # "training" that changes nothing: a tie
        return np.zeros(trainable_weights_shape(3, 2)), {"method": "backprop", "history": []}

    monkeypatch.setattr(_training, "train", idle)
    clf = QuantumKernelSVC(kernel_training="alignment", bandwidth=0.5, random_state=0)
    QuantumKernel.clear_cache()
    before = simulated["state_preparations"]
    clf.fit(X, Y)
    info = clf.kernel_training_
    assert info["kept"] is False and info["cv_score_trained"] == info["cv_score_plain"]
    assert not hasattr(clf, "kernel_weights_") and clf.kernel_.weights is None
    # plain and trained states of the comparison; the final (plain) Gram reuses the plain
    assert simulated["state_preparations"] - before == 2 * len(X)


def test_kept_training_is_recorded_with_both_scores():
    clf = QuantumKernelSVC(kernel_training={"steps": 15}, bandwidth=0.7, random_state=0)
    info = clf.fit(X, Y).kernel_training_
    assert {"cv_score_plain", "cv_score_trained", "kept"} <= set(info)
    assert info["kept"] == hasattr(clf, "kernel_weights_")
