"""One noise specification on default.mixed and qiskit.aer, and the kernel's error mitigation."""

import importlib.util
import warnings

import numpy as np
import pennylane as qml
import pytest

from qskew import Noise, QNNModule, QuantumKernel
from qskew.backends import _noise

needs_aer = pytest.mark.skipif(
    not all(importlib.util.find_spec(name) for name in ("qiskit_aer", "qiskit_ibm_runtime")),
    reason="needs the qpu extra (qiskit-aer, qiskit-ibm-runtime)")

X = np.random.default_rng(0).uniform(0, np.pi / 2, (6, 3))
OFF = ~np.eye(len(X), dtype=bool)
NOISE = Noise(depolarizing=0.01, depolarizing_2q=0.03, amplitude_damping=0.01, readout=0.03)


def kernel(**options):
    return QuantumKernel(**{"feature_map": "zz", "reps": 1, "random_state": 0, **options})


def quiet(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


@pytest.mark.parametrize("fields, match", [
    ({"depolarizing": -0.1}, r"Noise.depolarizing must be a probability in \[0, 1\]; got -0.1"),
    ({"amplitude_damping": 1.5}, "amplitude_damping must be a probability"),
    ({"readout": 0.5}, "readout must be below 0.5"),
    ({"depolarizing_2q": "high"}, "depolarizing_2q must be a probability"),
])
def test_bad_noise_is_a_clear_error(fields, match):
    with pytest.raises(ValueError, match=match):
        Noise(**fields)


def test_noise_from_a_dict_and_its_mistakes():
    assert Noise.coerce({"readout": 0.1}) == Noise(readout=0.1)
    with pytest.raises(ValueError, match=r"unknown noise field\(s\) \['readut'\]"):
        Noise.coerce({"readut": 0.1})
    with pytest.raises(TypeError, match="must be a qskew Noise or a dict"):
        Noise.coerce(0.1)
    with pytest.raises(ValueError, match="applied by qskew on 'default.mixed' and 'qiskit.aer'"):
        kernel(backend="default.qubit", shots=10, backend_options={"noise": NOISE})(X)
    with pytest.raises(ValueError, match="applied by qskew on 'default.mixed'"):
        QNNModule(2, backend="lightning.qubit", backend_options={"noise": {"readout": 0.1}})


def test_two_qubit_depolarizing_is_a_channel_that_mixes_as_specified():
    kraus = _noise._two_qubit_depolarizing(0.2)
    np.testing.assert_allclose(sum(k.conj().T @ k for k in kraus), np.eye(4), atol=1e-12)
    rho = np.zeros((4, 4)); rho[0, 0] = 1.0
    out = sum(k @ rho @ k.conj().T for k in kraus)
    np.testing.assert_allclose(out, 0.8 * rho + 0.2 * np.eye(4) / 4, atol=1e-12)


def test_readout_flips_apply_to_the_distribution():
    noise = Noise(readout=0.1)
    p = np.array([[1.0, 0.0, 0.0, 0.0]])  # |00>
    np.testing.assert_allclose(noise.readout_distribution(p, 2), [[0.81, 0.09, 0.09, 0.01]])
    observed = noise.readout_distribution(p, 2)
    flips = np.full(2, 0.1)
    np.testing.assert_allclose(_noise.mitigated_zero_from_distribution(observed, flips, flips),
                               [1.0])


@needs_aer
def test_default_mixed_and_aer_give_the_same_exact_noisy_probabilities():
    """The same specification, applied by PennyLane channels and by an Aer NoiseModel, gives
    the same density matrix: compare the all-zeros probabilities of every overlap circuit."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from circuits import get_feature_map, overlap_circuit
    from qskew.backends import _devices, _qiskit

    gate_noise = Noise(depolarizing=0.02, depolarizing_2q=0.05, amplitude_damping=0.03)
    wires = list(range(3))
    tape = qml.tape.make_qscript(overlap_circuit)(
        X[:4], X[1:5], wires, get_feature_map("zz", reps=1))
    device = _devices.make_device("default.mixed", 3)
    pennylane = _devices.noisy_probabilities(tape.operations, wires, gate_noise, device)[:, 0]
    _, circuit, angles = _qiskit.structure(tape.operations, wires)
    circuit.remove_final_measurements()
    circuit.save_probabilities()
    simulator = AerSimulator(method="density_matrix", noise_model=gate_noise.aer_model())
    compiled = transpile(circuit, simulator, optimization_level=0)
    aer = [simulator.run(compiled.assign_parameters(row)).result().data()["probabilities"][0]
           for row in angles]
    np.testing.assert_allclose(pennylane, aer, atol=1e-10)
    assert np.all(pennylane < 0.999)  # the noise did something


@needs_aer
def test_kernels_with_one_noise_agree_on_default_mixed_and_aer_within_shot_noise():
    shots = 4000
    mixed = kernel(backend="default.mixed", backend_options={"noise": NOISE})(X)
    sampled = kernel(backend="default.mixed", shots=shots, backend_options={"noise": NOISE})(X)
    aer = quiet(kernel(backend="qiskit.aer", shots=shots, backend_options={"noise": NOISE}), X)
    error = np.sqrt(mixed * (1 - mixed) / shots) + 1e-3
    for estimate in (sampled, aer):
        assert np.all(np.abs(estimate - mixed)[OFF] <= 5 * error[OFF])
    exact = kernel()(X)
    assert np.abs(mixed - exact)[OFF].mean() > 0.01  # noise that matters


@needs_aer
def test_qnn_expectations_with_one_noise_agree_on_default_mixed_and_aer():
    import torch

    x = torch.as_tensor(X[:5])
    options = {"n_layers": 1, "seed": 3, "backend_options": {"noise": NOISE}}
    with torch.no_grad():
        mixed = QNNModule(3, backend="default.mixed", **options)(x)
        aer = quiet(QNNModule(3, backend="qiskit.aer", shots=20000, **options), x)
        exact = QNNModule(3, n_layers=1, seed=3)(x)
    assert torch.all((aer - mixed).abs() <= 5 / np.sqrt(20000))
    assert torch.all(mixed.abs() < exact.abs() + 1e-12)  # noise shrinks the signal


def test_readout_mitigation_undoes_a_readout_only_noise_exactly():
    noisy = kernel(backend="default.mixed", backend_options={"noise": Noise(readout=0.05)})
    mitigated = kernel(backend="default.mixed", backend_options={"noise": Noise(readout=0.05)},
                       mitigation="readout")
    exact = kernel()(X)
    assert np.abs(noisy(X) - exact)[OFF].max() > 0.01
    np.testing.assert_allclose(mitigated(X), exact, atol=1e-10)


def test_depolarizing_mitigation_undoes_one_qubit_depolarizing_exactly():
    """On one qubit, depolarizing after every gate is a global depolarizing channel."""
    rows = X[:, :1]
    noise = {"noise": Noise(depolarizing=0.05)}
    exact = kernel(feature_map="angle")(rows)
    noisy = kernel(feature_map="angle", backend="default.mixed", backend_options=noise)
    mitigated = kernel(feature_map="angle", backend="default.mixed", backend_options=noise,
                       mitigation="depolarizing")
    assert np.abs(noisy(rows) - exact)[OFF].max() > 0.01
    np.testing.assert_allclose(mitigated(rows), exact, atol=1e-10)
    survival = mitigated.mitigation_["survival"]
    # PennyLane's own mitigation of the noisy Gram matrix, with its measured diagonal
    K = noisy(rows)
    np.fill_diagonal(K, (1 + survival) / 2)
    np.testing.assert_allclose(qml.kernels.mitigate_depolarizing_noise(K, 1, "average"),
                               np.where(OFF, mitigated(rows), 1.0), atol=1e-10)
    cross = mitigated(rows[:3], rows[3:])
    np.testing.assert_allclose(cross, exact[:3, 3:], atol=1e-10)


def test_mitigation_errors_say_what_is_needed():
    with pytest.raises(ValueError, match="noiseless statevector simulator"):
        kernel(mitigation="readout")(X)
    with pytest.raises(ValueError, match="needs the readout error"):
        kernel(backend="default.mixed", mitigation="readout")(X)


def test_estimate_counts_the_mitigation_circuits(simulated):
    options = {"backend": "default.mixed", "shots": 100,
               "backend_options": {"noise": NOISE}, "mitigation": "readout+depolarizing"}
    k = kernel(**options)
    quiet(k, X)
    quiet(k, X[:2], X[2:])
    estimate = k.estimate_cost(len(X))
    cross = k.estimate_cost(2, 4)
    assert simulated["circuits"] == estimate["circuits"] + cross["circuits"]
    assert simulated["shots"] == estimate["shots"] + cross["shots"]
    assert estimate["circuits"] == 15 + 6 and cross["circuits"] == 8 + 6


@needs_aer
def test_mitigation_on_a_fake_device_brings_the_kernel_back(simulated):
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    exact = kernel()(X)
    device = {"backend": "qiskit.remote", "backend_options": {"backend": FakeManilaV2()},
              "shots": 4000}
    deviation = {}
    for mitigation in (None, "readout", "readout+depolarizing"):
        before = dict(simulated)
        k = kernel(mitigation=mitigation, **device)
        K = quiet(k, X)
        deviation[mitigation] = np.abs(K - exact)[OFF].mean()
        estimate = k.estimate_cost(len(X))
        assert simulated["jobs"] - before["jobs"] == estimate["jobs"] == 1
        assert simulated["circuits"] - before["circuits"] == estimate["circuits"]
    assert deviation["readout+depolarizing"] < deviation["readout"] < deviation[None]


@needs_aer
def test_readout_mitigation_of_trained_models_on_a_fake_device(simulated):
    import torch
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qskew import QuantumGenerator

    device = {"backend": "qiskit.remote", "backend_options": {"backend": FakeManilaV2()},
              "shots": 4000}
    rows = torch.as_tensor(np.random.default_rng(1).uniform(0, np.pi, (32, 3)))
    with torch.no_grad():
        exact = QNNModule(3, n_layers=1, seed=2, n_outputs=3)(rows)
        plain = quiet(QNNModule(3, n_layers=1, seed=2, n_outputs=3, **device), rows)
        module = QNNModule(3, n_layers=1, seed=2, n_outputs=3, mitigation="readout", **device)
        before = simulated["jobs"]
        mitigated = quiet(module, rows)
        assert simulated["jobs"] - before == 2  # the calibration, then the circuits
        quiet(module, rows)
        assert simulated["jobs"] - before == 3  # calibrated once per module
    assert (mitigated - exact).abs().mean() < 0.8 * (plain - exact).abs().mean()
    noise = {"noise": Noise(readout=0.05)}
    with torch.no_grad():
        generator = QuantumGenerator(2, 1, seed=0, backend="default.mixed",
                                     backend_options=noise, mitigation="readout")
        reference = QuantumGenerator(2, 1, seed=0)
        z = reference.noise(5, seed=1)
        torch.testing.assert_close(generator(z), reference(z), atol=1e-10, rtol=0)
    with pytest.raises(ValueError, match="needs a readout error to undo"):
        QNNModule(2, mitigation="readout")
    with pytest.raises(ValueError, match="must be None or 'readout'"):
        QNNModule(2, backend="qiskit.aer", shots=10, mitigation="depolarizing")


@needs_aer
def test_aer_with_a_fake_devices_noise_behaves_like_the_device():
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    exact = kernel()(X)
    device = FakeManilaV2()
    aer = quiet(kernel(backend="qiskit.aer", shots=4000, backend_options={"noise": device}), X)
    remote = quiet(kernel(backend="qiskit.remote", shots=4000,
                          backend_options={"backend": device}), X)
    for K in (aer, remote):
        assert 0.003 < np.abs(K - exact)[OFF].mean() < 0.05
    assert abs(np.abs(aer - exact)[OFF].mean() - np.abs(remote - exact)[OFF].mean()) < 0.01
