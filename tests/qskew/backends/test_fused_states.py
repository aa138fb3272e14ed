"""Tests for the fused numpy path of qskew.backends._statevector.

Every state is checked against an independent reference: PennyLane's
``default.qubit`` (``qml.state()``) or the gate-by-gate engine
(``simulate_states(..., fuse=False)``). The ``tiny`` settings shrink the
path's size thresholds so that 4-6 qubits exercise what otherwise only runs
at 11+ qubits: factorised phase tables (with terms that straddle the split),
segmented Walsh-Hadamard transforms, matrix products split into pieces and
blocks of one row.
"""

import numpy as np
import pennylane as qml
import pytest
import torch

from circuits import ENTANGLEMENTS, generator_circuit, get_feature_map, make_qnn_qfunc
from qskew.backends import _fused, _statevector
from qskew.backends._statevector import _DIAGONAL, batched_states, simulate_states

RNG = np.random.default_rng(11)


@pytest.fixture(params=["default", "tiny"])
def settings(request, monkeypatch):
    """The engine as shipped, and with every size threshold at its smallest."""
    if request.param == "tiny":
        for name, value in [("_DIRECT_WIRES", 1), ("_COUPLED_WIRES", 1), ("_SEGMENT_WIRES", 2),
                            ("_WHT_WIRES", 2), ("_CHUNK_BYTES", 1), ("_SERIAL_MNK", 1)]:
            monkeypatch.setattr(_fused, name, value)
    return request.param


def qnode_states(qfunc, X, wires):
    """``qml.state()`` of a default.qubit QNode, one row at a time (no broadcasting)."""
    dev = qml.device("default.qubit", wires=wires)

    @qml.qnode(dev)
    def circuit(x):
        qfunc(x, wires)
        return qml.state()

    return np.stack([np.asarray(circuit(x)) for x in X])


def states_of(qfunc, X, wires, **options):
    tape = qml.tape.make_qscript(qfunc)(X, wires)
    return simulate_states(tape.operations, wires, len(X), **options)


def mixed_circuit(x, wires):
    """Hadamards on some wires, every kind of diagonal gate, dense and permutation gates,
    a 4-wire MultiRZ and a CCZ (terms across the factorisation's split), unsorted wires."""
    w = wires
    for i in (0, 2, 4):
        qml.Hadamard(w[i])
    qml.RX(x[..., 1], wires=w[1])
    qml.RZ(x[..., 0], wires=w[0])
    qml.CZ(wires=[w[4], w[0]])
    qml.PhaseShift(x[..., 2], wires=w[2])
    qml.MultiRZ(x[..., 0] * x[..., 3], wires=[w[3], w[0], w[4], w[1]])
    qml.S(w[3])
    qml.T(w[1])
    qml.Hadamard(w[3])
    qml.CNOT(wires=[w[1], w[3]])
    qml.CCZ(wires=[w[4], w[1], w[2]])
    qml.CRZ(x[..., 3], wires=[w[0], w[4]])
    qml.ControlledPhaseShift(0.7, wires=[w[3], w[2]])
    qml.IsingZZ(x[..., 1], wires=[w[2], w[0]])
    qml.DiagonalQubitUnitary(np.exp(1j * np.arange(4.0)), wires=[w[1], w[3]])
    qml.Rot(x[..., 0], 0.2, x[..., 1], wires=w[4])
    qml.CRX(x[..., 2], wires=[w[1], w[3]])
    qml.IsingXX(0.3, wires=[w[0], w[2]])
    qml.SWAP(wires=[w[4], w[1]])
    for wire in w:
        qml.Hadamard(wire)
    qml.U1(0.4, wires=w[0])
    qml.PauliZ(w[1])
    qml.Identity(w[2])


# -- feature maps ----------------------------------------------------------------

@pytest.mark.parametrize("reps", [1, 2, 3])
@pytest.mark.parametrize("entanglement", ENTANGLEMENTS)
@pytest.mark.parametrize("name", ["zz", "iqp", "angle"])
def test_feature_map_states_equal_default_qubit(name, entanglement, reps, settings):
    U = get_feature_map(name, reps=reps, entanglement=entanglement, rotation="Z")
    X = RNG.uniform(-np.pi, np.pi, size=(3, 4))
    states = batched_states(U, X, [0, 1, 2, 3])
    assert states.shape == (3, 16) and states.dtype == np.complex128
    np.testing.assert_allclose(states, qnode_states(U, X, [0, 1, 2, 3]), atol=1e-12, rtol=0)


@pytest.mark.parametrize("rotation", ["X", "Y"])
def test_angle_rotations_equal_default_qubit(rotation, settings):
    U = get_feature_map("angle", reps=2, rotation=rotation)
    X = RNG.uniform(-np.pi, np.pi, size=(3, 3))
    np.testing.assert_allclose(batched_states(U, X, [0, 1, 2]),
                               qnode_states(U, X, [0, 1, 2]), atol=1e-12, rtol=0)


@pytest.mark.parametrize("entanglement", ENTANGLEMENTS)
@pytest.mark.parametrize("name", ["zz", "iqp"])
def test_factorised_phases_at_12_qubits_equal_gate_by_gate(name, entanglement):
    # 12 > _DIRECT_WIRES: the shipped thresholds factorise each phase layer.
    U = get_feature_map(name, reps=2, entanglement=entanglement)
    X = RNG.uniform(0, np.pi, size=(2, 12))
    wires = list(range(12))
    np.testing.assert_allclose(states_of(U, X, wires), states_of(U, X, wires, fuse=False),
                               atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", ["zz", "iqp", "angle"])
def test_complex64_within_1e6_of_complex128(name, settings):
    U = get_feature_map(name, reps=2, entanglement="full", rotation="Z")
    X = RNG.uniform(-np.pi, np.pi, size=(3, 5))
    states = batched_states(U, X, list(range(5)), dtype=np.complex64)
    assert states.dtype == np.complex64
    np.testing.assert_allclose(states, qnode_states(U, X, list(range(5))), atol=1e-6, rtol=0)


def test_single_row_and_unbroadcast_circuit(settings):
    U = get_feature_map("zz", reps=2, entanglement="circular")
    wires = [0, 1, 2, 3]
    x = RNG.uniform(0, np.pi, size=4)
    expected = qnode_states(U, x[None], wires)
    np.testing.assert_allclose(batched_states(U, x[None], wires), expected, atol=1e-12, rtol=0)
    # Unbroadcast gates fill every requested row.
    ops = qml.tape.make_qscript(U)(x, wires).operations
    np.testing.assert_allclose(simulate_states(ops, wires, 3), np.repeat(expected, 3, axis=0),
                               atol=1e-12, rtol=0)


def test_empty_batch_and_empty_circuit():
    assert simulate_states([qml.Hadamard(0), qml.RZ(0.3, 0)], [0], 0).shape == (0, 2)
    np.testing.assert_array_equal(simulate_states([], [0, 1], 2), [[1, 0, 0, 0]] * 2)


# -- other circuits ------------------------------------------------------------------

@pytest.mark.parametrize(
    "wires, wire_order",
    [([0, 1, 2, 3, 4], None), ([3, 1, 4, 0, 2], None),
     (["a", "b", "c", "d", "e"], ["d", "b", "e", "a", "c"])],
    ids=["sorted", "unsorted wires", "labels, other state order"],
)
def test_mixed_circuit_equals_default_qubit(wires, wire_order, settings):
    x = RNG.uniform(0, np.pi, size=(3, 4))
    order = wire_order or wires
    tape = qml.tape.make_qscript(mixed_circuit)(x, wires)
    states = simulate_states(tape.operations, order, len(x))
    dev = qml.device("default.qubit", wires=order)
    expected = [qml.execute([qml.tape.QuantumScript(
        qml.tape.make_qscript(mixed_circuit)(row, wires).operations, [qml.state()])], dev)[0]
        for row in x]
    np.testing.assert_allclose(states, np.stack(expected), atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", sorted(_DIAGONAL))
def test_every_diagonal_gate_equals_gate_by_gate(name, settings):
    cls = getattr(qml, name)
    if name == "DiagonalQubitUnitary":
        op = cls(np.exp(1j * np.arange(8.0)), wires=[2, 0, 1])
    else:
        n_wires = cls.num_wires if isinstance(cls.num_wires, int) else 3
        op = cls(*[np.array([0.37, -1.2])] * cls.num_params, wires=[2, 0, 1][:n_wires])
    ops = [qml.Hadamard(0), qml.RY(0.3, 1), qml.Hadamard(2), qml.CNOT([0, 1]), op]
    np.testing.assert_allclose(simulate_states(ops, [0, 1, 2], 2),
                               simulate_states(ops, [0, 1, 2], 2, fuse=False), atol=1e-12, rtol=0)


def test_diagonal_gate_off_unit_modulus_is_applied_as_it_is():
    # PennyLane accepts |d| = 1 + 1e-10; the phase path needs |d| = 1 to 1e-12.
    diag = np.exp(1j * np.arange(4.0)) * (1 + 1e-10)
    ops = [qml.Hadamard(0), qml.Hadamard(1), qml.DiagonalQubitUnitary(diag, wires=[0, 1])]
    assert [step.kind for step in _fused._schedule(ops, qml.wires.Wires([0, 1]))] == [
        "hadamard", "op"]
    np.testing.assert_allclose(simulate_states(ops, [0, 1], 1)[0], diag / 2, atol=1e-15, rtol=0)


@pytest.mark.parametrize("ansatz", ["strong", "hardware_efficient"])
def test_qnn_circuits_equal_gate_by_gate(ansatz, settings):
    qfunc, shapes = make_qnn_qfunc(4, n_layers=2, ansatz=ansatz, feature_map="zz")
    weights = RNG.normal(size=shapes["weights"])
    x = RNG.uniform(0, np.pi, size=(3, 4))
    ops = qml.tape.make_qscript(qfunc)(x, weights).operations
    np.testing.assert_allclose(simulate_states(ops, range(4), 3),
                               simulate_states(ops, range(4), 3, fuse=False), atol=1e-12, rtol=0)


def test_generator_circuit_equals_gate_by_gate(settings):
    noise, weights = RNG.normal(size=(3, 4)), RNG.normal(size=(2, 4, 2))
    ops = qml.tape.make_qscript(generator_circuit)(noise, weights, wires=range(4)).operations
    np.testing.assert_allclose(simulate_states(ops, range(4), 3),
                               simulate_states(ops, range(4), 3, fuse=False), atol=1e-12, rtol=0)


def test_torch_states_never_take_the_fused_path(monkeypatch):
    def fail(*args):
        raise AssertionError("torch states went through the fused numpy path")

    monkeypatch.setattr(_fused, "simulate_fused", fail)
    U = get_feature_map("zz", reps=2)
    x = torch.tensor(RNG.uniform(0, np.pi, size=(2, 3)), requires_grad=True)
    states = batched_states(U, x, [0, 1, 2])
    (states.abs() ** 2)[:, 0].sum().backward()
    assert x.grad is not None


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_phase_layer_applies_to_any_layout_of_the_states(layout):
    ops = [qml.RZ(np.array([0.3, -0.4]), 0), qml.IsingZZ(np.array([1.1, 0.2]), [0, 2])]
    step, = _fused._schedule(ops, qml.wires.Wires([0, 1, 2]))
    _fused._prepare([step], qml.wires.Wires([0, 1, 2]), np.complex128)
    psi = RNG.normal(size=(2, 8)) + 1j * RNG.normal(size=(2, 8))
    hadamards = [qml.Hadamard(w) for w in range(3)]
    phases = simulate_states(hadamards + ops, [0, 1, 2], 2, fuse=False) * 8**0.5
    expected = phases * psi
    held = {"C": psi.copy(), "F": np.asfortranarray(psi),
            "strided": np.repeat(psi, 2, axis=1)[:, ::2]}[layout]
    result = _fused._apply_phases(held, step, slice(0, 2), 3)
    np.testing.assert_allclose(result, expected, atol=1e-12, rtol=0)


# -- how the circuit is grouped ----------------------------------------------------------

def kinds(ops, n_wires):
    return [step.kind for step in _fused._schedule(ops, qml.wires.Wires(range(n_wires)))]


def test_zz_map_becomes_one_transform_and_one_phase_layer_per_rep():
    U = get_feature_map("zz", reps=3, entanglement="full")
    ops = qml.tape.make_qscript(U)(np.zeros((2, 5)), list(range(5))).operations
    assert kinds(ops, 5) == ["hadamard", "phase"] * 3


def test_angle_z_map_groups_across_interleaved_wires():
    # H(0) RZ(0) H(1) RZ(1) ...: each H commutes past the other wires' RZ.
    U = get_feature_map("angle", reps=2, rotation="Z")
    ops = qml.tape.make_qscript(U)(np.zeros((2, 4)), list(range(4))).operations
    assert kinds(ops, 4) == ["hadamard", "phase"] * 2


@pytest.mark.parametrize("ops, expected", [
    ([qml.RZ(0.1, 0), qml.RX(0.2, 1), qml.RZ(0.3, 0)], ["phase", "op"]),
    ([qml.RZ(0.1, 0), qml.RX(0.2, 0), qml.RZ(0.3, 0)], ["phase", "op", "phase"]),
    ([qml.Hadamard(0), qml.CNOT([0, 1]), qml.Hadamard(1)], ["hadamard", "op", "hadamard"]),
    ([qml.Hadamard(0), qml.Hadamard(0)], ["hadamard", "hadamard"]),
    ([qml.CZ([0, 1]), qml.Hadamard(2), qml.IsingZZ(0.3, [1, 2])], ["phase", "hadamard", "phase"]),
], ids=["past a disjoint gate", "not past a gate on its wire", "not past a CNOT",
        "a wire twice", "not past H on its wire"])
def test_gates_move_only_past_what_they_commute_with(ops, expected):
    assert kinds(ops, 3) == expected
    np.testing.assert_allclose(simulate_states(ops, [0, 1, 2], 1),
                               simulate_states(ops, [0, 1, 2], 1, fuse=False), atol=1e-12, rtol=0)
