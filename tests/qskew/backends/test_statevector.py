"""Tests for qskew.backends._statevector: the batched engine equals PennyLane's default.qubit."""

import numpy as np
import pennylane as qml
import pytest
import torch

from circuits import ENTANGLEMENTS, get_feature_map
from qskew.backends._statevector import _DIAGONAL, batched_states, simulate_states

RNG = np.random.default_rng(7)
X = RNG.uniform(-np.pi, np.pi, size=(5, 3))


def reference_states(qfunc, X, wires, wire_order=None):
    """States from a default.qubit QNode with parameter broadcasting."""
    dev = qml.device("default.qubit", wires=wire_order or wires)

    @qml.qnode(dev)
    def circuit(x):
        qfunc(x, wires)
        return qml.state()

    return np.asarray(circuit(X))


def mixed_circuit(x, wires):
    """Dense, diagonal, permutation and >3-wire gates on unsorted, non-adjacent wires."""
    w = wires
    for i in range(4):
        qml.RY(x[..., i], wires=w[i])
    qml.Hadamard(w[2])
    qml.CNOT(wires=[w[3], w[1]])
    qml.CZ(wires=[w[2], w[0]])
    qml.Toffoli(wires=[w[3], w[0], w[2]])
    qml.MultiRZ(x[..., 0] * x[..., 1], wires=[w[2], w[0]])
    qml.CRX(x[..., 2], wires=[w[1], w[3]])
    qml.IsingXX(x[..., 3], wires=[w[0], w[2]])
    qml.SWAP(wires=[w[3], w[0]])
    qml.CSWAP(wires=[w[2], w[3], w[1]])
    qml.Rot(x[..., 0], 0.2, x[..., 1], wires=w[2])
    qml.PauliX(w[1])
    qml.CCZ(wires=[w[3], w[1], w[0]])
    qml.CRZ(0.7, wires=[w[3], w[1]])
    qml.ControlledPhaseShift(x[..., 2], wires=[w[2], w[0]])
    qml.MultiControlledX(wires=[w[0], w[1], w[2], w[3]])
    qml.MultiRZ(0.4, wires=[w[3], w[0], w[1], w[2]])


@pytest.mark.parametrize("name", ["angle", "zz", "iqp"])
@pytest.mark.parametrize("entanglement", ENTANGLEMENTS)
def test_feature_map_states_equal_default_qubit(name, entanglement):
    U = get_feature_map(name, reps=2, entanglement=entanglement, rotation="Z")
    expected = reference_states(U, X, [0, 1, 2])
    states = batched_states(U, X, [0, 1, 2])
    assert states.shape == (5, 8) and states.dtype == np.complex128
    np.testing.assert_allclose(states, expected, atol=1e-12, rtol=0)


@pytest.mark.parametrize("rotation", ["X", "Y"])
def test_angle_rotations_equal_default_qubit(rotation):
    U = get_feature_map("angle", reps=2, rotation=rotation)
    np.testing.assert_allclose(batched_states(U, X, [0, 1, 2]),
                               reference_states(U, X, [0, 1, 2]), atol=1e-12, rtol=0)


@pytest.mark.parametrize(
    "wires, wire_order",
    [([0, 1, 2, 3], None), ([3, 1, 0, 2], None), (["a", "b", "c", "d"], ["d", "b", "a", "c"])],
    ids=["sorted", "unsorted wires", "labels, other state order"],
)
def test_mixed_circuit_equals_default_qubit(wires, wire_order):
    x = RNG.uniform(0, np.pi, size=(4, 4))
    order = wire_order or wires
    tape = qml.tape.make_qscript(mixed_circuit)(x, wires)
    states = simulate_states(tape.operations, order, len(x))
    expected = reference_states(mixed_circuit, x, wires, wire_order=order)
    np.testing.assert_allclose(states, expected, atol=1e-12, rtol=0)
    np.testing.assert_allclose(np.linalg.norm(states, axis=1), 1.0, atol=1e-12)


def test_unbroadcast_circuit_fills_every_row():
    ops = [qml.Hadamard(0), qml.CNOT(wires=[0, 2]), qml.RX(0.3, wires=1)]
    states = simulate_states(ops, [0, 1, 2], 3)
    dev = qml.device("default.qubit", wires=3)
    expected = qml.execute([qml.tape.QuantumScript(ops, [qml.state()])], dev)[0]
    np.testing.assert_allclose(states, np.tile(expected, (3, 1)), atol=1e-12, rtol=0)


def _diagonal_op(name):
    wires = [2, 0, 1]
    cls = getattr(qml, name)
    if name == "DiagonalQubitUnitary":
        return cls(np.exp(1j * np.arange(4.0)), wires=[2, 0])
    n_wires = cls.num_wires if isinstance(cls.num_wires, int) else 2
    params = [0.37] * cls.num_params
    return cls(*params, wires=wires[:n_wires])


@pytest.mark.parametrize("name", sorted(_DIAGONAL))
def test_every_diagonal_gate_equals_default_qubit(name):
    op = _diagonal_op(name)
    prep = [qml.Hadamard(0), qml.RY(0.3, 1), qml.RX(1.1, 2), qml.CNOT([0, 1])]
    states = simulate_states(prep + [op], [0, 1, 2], 1)
    dev = qml.device("default.qubit", wires=3)
    expected = qml.execute([qml.tape.QuantumScript(prep + [op], [qml.state()])], dev)[0]
    np.testing.assert_allclose(states[0], expected, atol=1e-12, rtol=0)


def test_complex64_close_to_complex128():
    U = get_feature_map("zz", reps=2, entanglement="full")
    states = batched_states(U, X, [0, 1, 2], dtype=np.complex64)
    assert states.dtype == np.complex64
    np.testing.assert_allclose(states, batched_states(U, X, [0, 1, 2]), atol=1e-6, rtol=0)


@pytest.mark.parametrize("name", ["angle", "zz", "iqp"])
def test_torch_input_gives_torch_states_with_backprop_gradients(name):
    U = get_feature_map(name, reps=2, entanglement="circular")
    readout = torch.arange(8, dtype=torch.float64)

    x = torch.tensor(X, requires_grad=True)
    states = batched_states(U, x, [0, 1, 2])
    assert isinstance(states, torch.Tensor) and states.dtype == torch.complex128
    np.testing.assert_allclose(states.detach().numpy(), batched_states(U, X, [0, 1, 2]),
                               atol=1e-12, rtol=0)
    ((states.abs() ** 2) @ readout).sum().backward()

    @qml.qnode(qml.device("default.qubit", wires=3), interface="torch", diff_method="backprop")
    def probs(inputs):
        U(inputs, [0, 1, 2])
        return qml.probs()

    x_ref = torch.tensor(X, requires_grad=True)
    (probs(x_ref) @ readout).sum().backward()
    assert x.grad.abs().max() > 0.1  # the gradient is not trivially zero
    torch.testing.assert_close(x.grad, x_ref.grad, atol=1e-10, rtol=0)


def test_torch_gradient_equals_finite_differences():
    U = get_feature_map("zz", reps=1)
    x0 = np.array([[0.3, -0.8]])

    def overlap(x):  # |<0|U(x)|0>|^2, a smooth scalar
        return batched_states(U, x, [0, 1])[:, 0].abs() ** 2

    x = torch.tensor(x0, requires_grad=True)
    overlap(x).sum().backward()
    eps = 1e-6
    fd = []
    for j in range(2):
        step = np.zeros_like(x0)
        step[0, j] = eps
        up, down = overlap(torch.tensor(x0 + step)), overlap(torch.tensor(x0 - step))
        fd.append(float((up - down)[0]) / (2 * eps))
    np.testing.assert_allclose(x.grad.numpy()[0], fd, atol=1e-7)


def test_torch_complex64():
    U = get_feature_map("iqp", reps=2)
    states = batched_states(U, torch.tensor(X), [0, 1, 2], dtype=np.complex64)
    assert states.dtype == torch.complex64
    np.testing.assert_allclose(states.numpy(), batched_states(U, X, [0, 1, 2]), atol=1e-6, rtol=0)
