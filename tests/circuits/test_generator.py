"""Tests for circuits._generator: read-out count, agreement with a QNode, range, errors."""

import numpy as np
import pennylane as qml
import pytest

from circuits import OBSERVABLE_SETS, generator_circuit, generator_outputs


def qnode_outputs(noise, weights, n_wires, observables):
    """The circuit on PennyLane's own default.qubit (the QNode is built here, not in circuits)."""
    device = qml.device("default.qubit", wires=n_wires)

    @qml.qnode(device)
    def circuit(z, w):
        return generator_circuit(z, w, wires=list(range(n_wires)), observables=observables)

    return np.asarray(circuit(noise, weights), dtype=float)


def random_inputs(seed, n_wires, n_layers, latent_dim):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, np.pi, latent_dim), rng.uniform(-np.pi, np.pi, (n_layers, n_wires, 2))


@pytest.mark.parametrize(
    "n_wires, observables, expected",
    [(1, "Z", 1), (3, "Z", 3), (4, "Z", 4), (1, "XYZ", 3), (3, "XYZ", 9), (4, "XYZ", 12)],
)
def test_output_count(n_wires, observables, expected):
    assert generator_outputs(n_wires, observables) == expected
    noise, weights = random_inputs(0, n_wires, 2, n_wires)
    tape = qml.tape.make_qscript(generator_circuit)(
        noise, weights, wires=list(range(n_wires)), observables=observables)
    assert len(tape.measurements) == expected


def test_default_observables_are_z():
    assert generator_outputs(3) == 3
    tape = qml.tape.make_qscript(generator_circuit)(np.zeros(2), np.zeros((1, 2, 2)),
                                                     wires=[0, 1])
    assert [m.obs.name for m in tape.measurements] == ["PauliZ", "PauliZ"]


def test_xyz_readout_is_wire_major():
    tape = qml.tape.make_qscript(generator_circuit)(
        np.zeros(2), np.zeros((1, 2, 2)), wires=["a", "b"], observables="XYZ")
    got = [(m.obs.name, m.obs.wires[0]) for m in tape.measurements]
    assert got == [("PauliX", "a"), ("PauliY", "a"), ("PauliZ", "a"),
                   ("PauliX", "b"), ("PauliY", "b"), ("PauliZ", "b")]


@pytest.mark.parametrize("observables", sorted(OBSERVABLE_SETS))
@pytest.mark.parametrize("n_wires, n_layers, latent_dim", [(1, 1, 1), (2, 2, 1), (3, 2, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_closed_form_statevector(observables, n_wires, n_layers, latent_dim, seed):
    """The QNode agrees with the formula: Paulis of W_L...W_1 (⊗ RY(z_i)) |0>, by matrices."""
    noise, weights = random_inputs(seed, n_wires, n_layers, latent_dim)
    wires = list(range(n_wires))
    tape = qml.tape.make_qscript(generator_circuit)(noise, weights, wires=wires,
                                                     observables=observables)
    psi = np.zeros(2**n_wires, dtype=complex)
    psi[0] = 1
    psi = qml.matrix(qml.tape.QuantumScript(tape.operations), wire_order=wires) @ psi
    expected = [np.real(np.vdot(psi, qml.matrix(m.obs, wire_order=wires) @ psi))
                for m in tape.measurements]
    np.testing.assert_allclose(qnode_outputs(noise, weights, n_wires, observables), expected,
                               atol=1e-12)


@pytest.mark.parametrize("observables", sorted(OBSERVABLE_SETS))
def test_gate_sequence(observables):
    """Latent RY on the first latent_dim wires, then per layer RY, RZ per wire and a CNOT ring."""
    tape = qml.tape.make_qscript(generator_circuit)(
        np.array([0.1, 0.2]), np.zeros((2, 3, 2)), wires=[0, 1, 2], observables=observables)
    names = [op.name for op in tape.operations]
    layer = ["RY", "RZ"] * 3 + ["CNOT"] * 3
    assert names == ["RY", "RY"] + layer + layer
    assert [op.wires.tolist() for op in tape.operations[:2]] == [[0], [1]]


def test_zero_weights_and_noise_give_ground_state():
    # RY(0), RZ(0) and CNOTs leave |000> alone: every <Z> is 1, every <X>, <Y> 0.
    out = qnode_outputs(np.zeros(3), np.zeros((2, 3, 2)), 3, "XYZ")
    np.testing.assert_allclose(out, [0, 0, 1] * 3, atol=1e-12)


def test_single_wire_by_hand():
    # RY(z) RY(θ) RZ(φ)|0>: Bloch vector (sin a cos φ, sin a sin φ, cos a), a = z + θ.
    z, theta, phi = 0.4, 0.7, -1.1
    out = qnode_outputs(np.array([z]), np.array([[[theta, phi]]]), 1, "XYZ")
    a = z + theta
    np.testing.assert_allclose(out, [np.sin(a) * np.cos(phi), np.sin(a) * np.sin(phi),
                                     np.cos(a)], atol=1e-12)


@pytest.mark.parametrize("observables", sorted(OBSERVABLE_SETS))
def test_outputs_in_unit_interval(observables):
    rng = np.random.default_rng(3)
    weights = rng.uniform(-np.pi, np.pi, (2, 3, 2))
    noise = rng.uniform(0, np.pi, (64, 3))
    out = qnode_outputs(noise, weights, 3, observables)  # broadcast over the batch
    assert out.shape == (generator_outputs(3, observables), 64)
    assert np.all(np.abs(out) <= 1 + 1e-12)
    # Broadcasting agrees with one sample at a time.
    np.testing.assert_allclose(out[:, 5], qnode_outputs(noise[5], weights, 3, observables),
                               atol=1e-12)


@pytest.mark.parametrize(
    "noise, weights, kwargs, match",
    [
        (np.zeros(2), np.zeros((1, 3, 2)), {}, r"weights must have shape \(n_layers, 2, 2\)"),
        (np.zeros(2), np.zeros((2, 2)), {}, r"weights must have shape .*got \(2, 2\)"),
        (np.zeros(2), np.zeros((1, 2, 3)), {}, r"weights must have shape"),
        (np.zeros(3), np.zeros((1, 2, 2)), {}, r"at most one latent value per wire \(2\); got 3"),
        (np.zeros((4, 3)), np.zeros((1, 2, 2)), {}, r"at most one latent value per wire"),
        (np.zeros(2), np.zeros((1, 2, 2)), {"observables": "XY"}, r"observables must be one of"),
        (np.zeros(2), np.zeros((1, 2, 2)), {"observables": "z"}, r"observables must be one of"),
    ],
)
def test_errors(noise, weights, kwargs, match):
    with pytest.raises(ValueError, match=match):
        qml.tape.make_qscript(generator_circuit)(noise, weights, wires=[0, 1], **kwargs)


@pytest.mark.parametrize("observables", ["", "Y", None])
def test_generator_outputs_unknown_observables(observables):
    with pytest.raises(ValueError, match=r"observables must be one of \['XYZ', 'Z'\]"):
        generator_outputs(2, observables)
