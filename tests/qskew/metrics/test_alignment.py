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
