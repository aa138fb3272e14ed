"""Tests for qskew.metrics._alignment: kernel-target alignment."""

import numpy as np
import pytest

from qskew import QuantumKernel
from qskew.metrics import kernel_target_alignment

RNG = np.random.default_rng(3)
X = RNG.uniform(0, np.pi, size=(6, 3))


# -- kernel-target alignment ---------------------------------------------------


@pytest.mark.parametrize("balanced", [False, True])
def test_alignment_of_ideal_binary_kernel_is_one(balanced):
    y = np.array([0, 0, 0, 1, 0, 1, 0])
    t = np.where(y == 1, 1.0, -1.0)
    K = np.outer(t, t)
    if balanced:
        w = len(y) / (2 * np.bincount(y)[y])
        K = K * np.outer(w, w)
    assert kernel_target_alignment(K, y, balanced=balanced) == pytest.approx(1.0)
    assert kernel_target_alignment(-K, y, balanced=balanced) == pytest.approx(-1.0)


def test_alignment_of_ideal_multiclass_kernel_is_one():
    y = np.array(["a", "b", "c", "a", "b", "a"])
    K = np.where(y[:, None] == y[None, :], 1.0, -0.5)
    assert kernel_target_alignment(K, y) == pytest.approx(1.0)


def test_alignment_small_case_by_hand():
    # y = [0, 0, 1]: T = [[1, 1, -1], [1, 1, -1], [-1, -1, 1]], |T|_F = 3.
    K = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])
    y = np.array([0, 0, 1])
    # <K, T> = 3 + 2 * 0.5 = 4, |K|_F = sqrt(3.5)
    assert kernel_target_alignment(K, y) == pytest.approx(4 / (3 * np.sqrt(3.5)))
    # Balanced: w = 3 / (2 * [2, 2, 1]) = [0.75, 0.75, 1.5]; <K, T∘ww> = 3.375 + 2 * 0.5 * 0.5625,
    # |T∘ww|_F = sqrt(4 * 0.5625^2 + 4 * 1.125^2 + 2.25^2) = 3.375.
    expected = (3.375 + 0.5625) / (3.375 * np.sqrt(3.5))
    assert kernel_target_alignment(K, y, balanced=True) == pytest.approx(expected)


def test_alignment_of_zero_kernel_is_zero():
    assert kernel_target_alignment(np.zeros((3, 3)), [0, 1, 1]) == 0.0


def test_alignment_of_quantum_kernel_is_in_range():
    y = np.array([0, 0, 0, 1, 1, 0])
    value = kernel_target_alignment(QuantumKernel()(X), y, balanced=True)
    assert -1.0 <= value <= 1.0


@pytest.mark.parametrize(
    "K, y, match",
    [
        (np.ones((2, 3)), [0, 1], r"square Gram matrix; got shape \(2, 3\). Pass"),
        (np.ones(3), [0, 1, 1], r"square Gram matrix; got shape \(3,\)"),
        (np.eye(3), [0, 1], r"one label per row of K \(3\); got shape \(2,\). Pass"),
        (np.eye(3), [[0], [1], [1]], r"one label per row of K \(3\); got shape \(3, 1\)"),
        (np.eye(3), [1, 1, 1], r"at least two classes; got only \[1\]. Use"),
    ],
    ids=["non-square", "1-D", "wrong length", "column labels", "one class"],
)
def test_alignment_bad_input_raises(K, y, match):
    with pytest.raises(ValueError, match=match):
        kernel_target_alignment(K, y)


def test_kernel_diagnostics_of_known_spectra():
    import warnings

    from qskew.metrics import kernel_diagnostics

    n = 8
    with pytest.warns(UserWarning, match="concentrated.*variance 0 around 0.*Lower the "
                                         "bandwidth"):
        identity = kernel_diagnostics(np.eye(n))
    assert identity["effective_dimension"] == pytest.approx(n)
    assert identity["top_eigenvalue_share"] == pytest.approx(1 / n)
    with pytest.warns(UserWarning, match="around 1.*Raise the bandwidth"):
        ones = kernel_diagnostics(np.ones((n, n)))
    assert ones["effective_dimension"] == pytest.approx(1.0)
    assert ones["top_eigenvalue_share"] == pytest.approx(1.0)
    # 0.5 I + 0.5 J: eigenvalues 0.5 + 0.5 n once and 0.5 (n - 1) times
    K = 0.5 * np.eye(n) + 0.5
    eig = np.r_[0.5 + 0.5 * n, np.full(n - 1, 0.5)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed = kernel_diagnostics(K)
    assert mixed["effective_dimension"] == pytest.approx(eig.sum() ** 2 / (eig**2).sum())
    y = np.r_[np.zeros(5, int), np.ones(3, int)]
    X = np.r_[np.zeros(5), np.ones(3)][:, None] + np.random.default_rng(0).normal(0, .3, (8, 1))
    K = np.exp(-np.subtract.outer(X[:, 0], X[:, 0]) ** 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not concentrated: no warning
        d = kernel_diagnostics(K, y)
    assert d["alignment"] == pytest.approx(kernel_target_alignment(K, y))
    assert d["balanced_alignment"] == pytest.approx(kernel_target_alignment(K, y, balanced=True))
    assert d["off_diagonal_variance"] == pytest.approx(K[~np.eye(8, dtype=bool)].var())
    with pytest.raises(ValueError, match="square Gram matrix of at least 2 rows"):
        kernel_diagnostics(np.ones((3, 2)))


def test_a_wide_fidelity_kernel_on_many_qubits_is_diagnosed_as_concentrated():
    from qskew import QuantumKernel
    from qskew.metrics import kernel_diagnostics

    X = np.random.default_rng(0).uniform(0, np.pi, (30, 12))
    with pytest.warns(UserWarning, match="concentrated"):
        wide = kernel_diagnostics(QuantumKernel(feature_map="zz", reps=2)(X))
    narrow = kernel_diagnostics(QuantumKernel(feature_map="zz", reps=2, bandwidth=0.05)(X))
    assert wide["off_diagonal_variance"] < 1e-4 < narrow["off_diagonal_variance"]
    assert narrow["effective_dimension"] < wide["effective_dimension"]
