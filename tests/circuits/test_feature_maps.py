"""Tests for circuits._feature_maps: shapes, options, gate sequences, kernels by hand."""

import functools

import numpy as np
import pennylane as qml
import pytest

from circuits import (
    ENTANGLEMENTS,
    FEATURE_MAPS,
    angle_feature_map,
    entangling_pairs,
    get_feature_map,
    iqp_feature_map,
    overlap_circuit,
    zz_feature_map,
)

MAPS = [angle_feature_map, zz_feature_map, iqp_feature_map]

# Independent reference: gates as explicit numpy matrices (wire 0 = most significant bit).
H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)


def rz(theta):
    return np.diag([np.exp(-0.5j * theta), np.exp(0.5j * theta)])


def ry(theta):
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.array([[c, -s], [s, c]])


def zz(theta):
    """MultiRZ(theta) on two wires: exp(-i theta/2 Z⊗Z)."""
    return np.diag(np.exp(-0.5j * theta * np.array([1, -1, -1, 1])))


def ops_of(feature_map, x, wires, **options):
    return qml.tape.make_qscript(feature_map)(x, wires, **options).operations


def names(ops):
    return [op.name for op in ops]


def state(feature_map, x, n_wires, **options):
    """U(x)|0> through PennyLane's own operator matrices (no simulator)."""
    ops = ops_of(feature_map, x, list(range(n_wires)), **options)
    psi = np.zeros(2**n_wires, dtype=complex)
    psi[0] = 1
    return qml.matrix(qml.tape.QuantumScript(ops), wire_order=range(n_wires)) @ psi


def kernel(feature_map, x1, x2, n_wires, **options):
    return abs(np.vdot(state(feature_map, x2, n_wires, **options),
                       state(feature_map, x1, n_wires, **options))) ** 2


# -- shapes ---------------------------------------------------------------


@pytest.mark.parametrize("feature_map", MAPS)
@pytest.mark.parametrize(
    "x, batch",
    [
        (np.array([0.1, 0.2, 0.3]), None),
        ([0.1, 0.2, 0.3], None),
        (np.arange(12.0).reshape(4, 3) / 10, 4),
        ([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], 2),
    ],
    ids=["1-D", "list", "2-D broadcast", "nested list"],
)
def test_accepted_shapes(feature_map, x, batch):
    tape = qml.tape.make_qscript(feature_map)(x, [0, 1, 2])
    assert tape.batch_size == batch
    assert set(tape.wires) == {0, 1, 2}


@pytest.mark.parametrize("feature_map", MAPS)
@pytest.mark.parametrize(
    "x",
    [np.zeros(3), np.zeros((2, 3)), np.zeros((1, 1, 2)), 0.5, [[0.1], [0.2]]],
    ids=["too many", "batch too many", "3-D", "scalar", "batch too few"],
)
def test_bad_shape_raises(feature_map, x):
    with pytest.raises(ValueError, match=r"must have shape .* == 2; got shape"):
        ops_of(feature_map, x, [0, 1])


@pytest.mark.parametrize("feature_map", MAPS)
@pytest.mark.parametrize("reps", [0, -1, 1.0, True, "2", None])
def test_bad_reps_raises(feature_map, reps):
    with pytest.raises(ValueError, match="reps must be a positive integer; got"):
        ops_of(feature_map, [0.1, 0.2], [0, 1], reps=reps)


@pytest.mark.parametrize("feature_map", [zz_feature_map, iqp_feature_map])
def test_bad_entanglement_raises(feature_map):
    with pytest.raises(ValueError, match="entanglement must be one of .*; got 'ring'"):
        ops_of(feature_map, [0.1, 0.2], [0, 1], entanglement="ring")


@pytest.mark.parametrize("rotation", ["W", "y", None])
def test_bad_rotation_raises(rotation):
    with pytest.raises(ValueError, match="rotation must be one of .*; got"):
        ops_of(angle_feature_map, [0.1, 0.2], [0, 1], rotation=rotation)


# -- entangling pairs -----------------------------------------------------


@pytest.mark.parametrize(
    "n, entanglement, expected",
    [
        (1, "linear", []),
        (1, "circular", []),
        (1, "full", []),
        (2, "linear", [(0, 1)]),
        (2, "circular", [(0, 1)]),  # no duplicate (0, 1) closing the ring
        (2, "full", [(0, 1)]),
        (3, "linear", [(0, 1), (1, 2)]),
        (3, "circular", [(0, 1), (1, 2), (0, 2)]),
        (3, "full", [(0, 1), (0, 2), (1, 2)]),
        (4, "circular", [(0, 1), (1, 2), (2, 3), (0, 3)]),
    ],
)
def test_entangling_pairs(n, entanglement, expected):
    assert entangling_pairs(n, entanglement) == expected


@pytest.mark.parametrize("n", [2, 5, 7])
def test_full_entanglement_is_every_pair_once(n):
    pairs = entangling_pairs(n, "full")
    assert len(pairs) == n * (n - 1) // 2 == len(set(pairs))
    assert all(i < j for i, j in pairs)


def test_entangling_pairs_unknown_raises():
    with pytest.raises(ValueError, match="entanglement must be one of .*; got 'star'"):
        entangling_pairs(3, "star")


# -- registry -------------------------------------------------------------


def test_get_feature_map_binds_accepted_options_only():
    U = get_feature_map("zz", reps=1, entanglement="full", rotation="X")
    assert U.func is zz_feature_map
    assert U.keywords == {"reps": 1, "entanglement": "full"}
    assert get_feature_map("angle", reps=3, entanglement="full").keywords == {"reps": 3}
    assert set(FEATURE_MAPS) == {"angle", "zz", "iqp"}


def test_get_feature_map_unknown_name_raises():
    with pytest.raises(ValueError, match=r"feature_map must be one of \['angle', 'iqp', 'zz'\]; got 'pauli'"):
        get_feature_map("pauli")


def test_get_feature_map_misspelt_option_raises():
    with pytest.raises(TypeError, match="got \\['entanglment'\\]. Did you mean 'entanglement'"):
        get_feature_map("zz", entanglment="full")


# -- gate sequences -------------------------------------------------------


def test_zz_gate_sequence_two_wires_one_rep():
    x = np.array([0.3, 1.1])
    ops = ops_of(zz_feature_map, x, ["a", "b"], reps=1)
    assert names(ops) == ["Hadamard", "Hadamard", "RZ", "RZ", "MultiRZ"]
    assert [op.wires.tolist() for op in ops] == [["a"], ["b"], ["a"], ["b"], ["a", "b"]]
    np.testing.assert_allclose([float(op.data[0]) for op in ops[2:]],
                               [0.6, 2.2, 2 * (np.pi - 0.3) * (np.pi - 1.1)])


@pytest.mark.parametrize("entanglement", ENTANGLEMENTS)
def test_zz_gate_counts(entanglement):
    reps, n = 3, 4
    ops = ops_of(zz_feature_map, np.zeros(n), range(n), reps=reps, entanglement=entanglement)
    n_pairs = len(entangling_pairs(n, entanglement))
    assert names(ops) == (["Hadamard"] * n + ["RZ"] * n + ["MultiRZ"] * n_pairs) * reps


@pytest.mark.parametrize("rotation", ["X", "Y", "Z"])
def test_angle_gate_sequence(rotation):
    ops = ops_of(angle_feature_map, [0.1, 0.2], [0, 1], reps=2, rotation=rotation)
    layer = ["Hadamard", "RZ"] * 2 if rotation == "Z" else [f"R{rotation}"] * 2
    assert names(ops) == layer * 2


def test_iqp_is_pennylane_iqp_embedding_with_pattern():
    x = np.array([0.3, 0.5, 0.7])
    (op,) = ops_of(iqp_feature_map, x, [0, 1, 2], reps=2, entanglement="linear")
    assert op.name == "IQPEmbedding"
    decomposed = op.decomposition()
    assert names(decomposed) == (["Hadamard", "RZ"] * 3 + ["MultiRZ"] * 2) * 2
    assert [d.wires.tolist() for d in decomposed if d.name == "MultiRZ"][:2] == [[0, 1], [1, 2]]
    assert float(decomposed[-1].data[0]) == pytest.approx(0.5 * 0.7)


def test_iqp_single_wire_has_no_pairs():
    (op,) = ops_of(iqp_feature_map, [0.3], [0], reps=1)
    assert names(op.decomposition()) == ["Hadamard", "RZ"]


# -- kernels by hand ------------------------------------------------------

ANGLES = [(0.0, 0.0), (0.3, -1.2), (2.5, 0.4), (np.pi, 0.0)]


@pytest.mark.parametrize("x1, x2", ANGLES)
@pytest.mark.parametrize("rotation", ["X", "Y", "Z"])
def test_angle_one_qubit_kernel(x1, x2, rotation):
    # <0|R(x')^† R(x)|0> = cos((x - x')/2) for every axis (Z after a Hadamard).
    expected = np.cos((x1 - x2) / 2) ** 2
    assert kernel(angle_feature_map, [x1], [x2], 1, rotation=rotation) == pytest.approx(expected)


@pytest.mark.parametrize("x1, x2", ANGLES)
def test_zz_one_qubit_kernel(x1, x2):
    # |<+|RZ(2x')^† RZ(2x)|+>|^2 = cos^2(x - x')
    expected = np.cos(x1 - x2) ** 2
    assert kernel(zz_feature_map, [x1], [x2], 1, reps=1) == pytest.approx(expected)


def _zz_two_qubit_state_by_hand(x, reps):
    layer = (zz(2 * (np.pi - x[0]) * (np.pi - x[1]))
             @ np.kron(rz(2 * x[0]), rz(2 * x[1])) @ np.kron(H, H))
    return np.linalg.matrix_power(layer, reps)[:, 0]


@pytest.mark.parametrize("reps", [1, 2])
def test_zz_two_qubit_kernel_matches_numpy_matrices(reps):
    x1, x2 = np.array([0.4, 1.3]), np.array([2.1, -0.6])
    expected = abs(np.vdot(_zz_two_qubit_state_by_hand(x2, reps),
                           _zz_two_qubit_state_by_hand(x1, reps))) ** 2
    assert kernel(zz_feature_map, x1, x2, 2, reps=reps) == pytest.approx(expected, abs=1e-12)
    assert 0 < expected < 1  # a non-trivial value


def test_zz_two_qubit_reps1_closed_form():
    # One layer: H⊗H then a diagonal phase exp(-i phi_b(x)) on basis state b, with
    # phi_b = x0 z0 + x1 z1 + (pi - x0)(pi - x1) z0 z1 and z = +-1, so
    # k = |mean_b exp(-i (phi_b(x) - phi_b(x')))|^2.
    def phases(x):
        z = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]])
        return x[0] * z[:, 0] + x[1] * z[:, 1] + (np.pi - x[0]) * (np.pi - x[1]) * z[:, 0] * z[:, 1]

    x1, x2 = np.array([0.4, 1.3]), np.array([2.1, -0.6])
    expected = abs(np.mean(np.exp(-1j * (phases(x1) - phases(x2))))) ** 2
    assert kernel(zz_feature_map, x1, x2, 2, reps=1) == pytest.approx(expected, abs=1e-12)


def test_angle_two_qubit_kernel_is_product():
    x1, x2 = np.array([0.4, 1.3]), np.array([2.1, -0.6])
    expected = np.prod(np.cos((x1 - x2) / 2) ** 2)
    by_matrices = abs((np.kron(ry(x2[0]), ry(x2[1]))[:, 0].conj()
                       @ np.kron(ry(x1[0]), ry(x1[1]))[:, 0])) ** 2
    assert by_matrices == pytest.approx(expected)
    assert kernel(angle_feature_map, x1, x2, 2) == pytest.approx(expected)


@pytest.mark.parametrize("feature_map", MAPS)
def test_overlap_circuit_measures_the_kernel(feature_map):
    x1, x2 = np.array([0.4, 1.3, 0.2]), np.array([2.1, -0.6, 0.9])
    U = functools.partial(feature_map, reps=2)
    tape = qml.tape.make_qscript(overlap_circuit)(x1, x2, [0, 1, 2], U)
    assert isinstance(tape.measurements[0], qml.measurements.ProbabilityMP)
    amplitude = qml.matrix(qml.tape.QuantumScript(tape.operations), wire_order=[0, 1, 2])[0, 0]
    assert abs(amplitude) ** 2 == pytest.approx(kernel(feature_map, x1, x2, 3, reps=2))
