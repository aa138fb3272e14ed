"""Tests for qskew.backends: device names, limits, creation, seeding and execution."""

import numpy as np
import pennylane as qml
import pytest

from qskew import BackendError, BackendNotFoundError, QskewError, available_backends
from qskew import backends
from qskew.backends import _capabilities


def sample_tape(shots=64):
    ops = [qml.Hadamard(0), qml.Hadamard(1)]
    return qml.tape.QuantumScript(ops, [qml.sample(wires=[0, 1])], shots=shots)


def test_available_backends_lists_installed_simulators():
    names = available_backends()
    assert {"default.qubit", "lightning.qubit", "default.mixed"} <= set(names)
    assert names == sorted(names)


@pytest.mark.parametrize("backend", ["default.qubit", "lightning.qubit"])
def test_check_backend_accepts_installed(backend):
    assert backends.check_backend(backend) is None


@pytest.mark.parametrize(
    "backend, error, match",
    [
        ("lightning.qbit", BackendNotFoundError,
         r"'lightning.qbit' is not an installed PennyLane device. Did you mean 'lightning.qubit'"),
        ("qiskit.remote", BackendNotFoundError, r"pip install 'qskew\[qpu\]'"),
        ("lightning.gpu", BackendNotFoundError, r"pip install pennylane-lightning-gpu"),
        ("zzz", BackendNotFoundError, r"'zzz' is not .*Installed devices: .*default.qubit"),
        (None, TypeError, r"backend must be a PennyLane device name \(str\); got NoneType None. Pass"),
        (qml.device, TypeError, r"got function .*backend='lightning.qubit'"),
    ],
)
def test_check_backend_errors(monkeypatch, backend, error, match):
    # As where no plugin beyond PennyLane's own is installed, whatever is installed here.
    installed = [name for name in available_backends()
                 if not name.startswith(("qiskit.", "lightning.gpu"))]
    monkeypatch.setattr(_capabilities, "available_backends", lambda: installed)
    monkeypatch.setattr(_capabilities, "_qiskit_layer_available", lambda backend: False)
    with pytest.raises(error, match=match):
        backends.check_backend(backend)


def test_error_hierarchy():
    assert issubclass(BackendNotFoundError, QskewError) and issubclass(BackendNotFoundError, ValueError)
    assert issubclass(BackendError, QskewError) and issubclass(BackendError, RuntimeError)


@pytest.mark.parametrize(
    "backend, limit", [("default.qubit", 20), ("lightning.qubit", 20), ("default.mixed", 10)]
)
def test_check_n_qubits(backend, limit):
    assert backends.qubit_limit(backend) == limit
    assert backends.check_n_qubits(limit, backend, "Owner") is None
    with pytest.raises(ValueError, match=rf"X has {limit + 1} features but Owner uses one qubit "
                       rf"per feature \(limit {limit} for '{backend}'\); reduce them first, e.g. "
                       rf"with PCA\(n_components=8\)"):
        backends.check_n_qubits(limit + 1, backend, "Owner")


def test_check_n_qubits_unknown_backend_has_no_limit():
    assert backends.qubit_limit("some.hardware") is None
    assert backends.check_n_qubits(500, "some.hardware", "Owner") is None


def test_check_n_qubits_custom_wording():
    with pytest.raises(ValueError, match="but QNN maps features to wires \\(limit 10"):
        backends.check_n_qubits(11, "default.mixed", "QNN", what="maps features to wires")


@pytest.mark.parametrize("backend", ["default.qubit", "lightning.qubit", "default.mixed"])
def test_make_device_is_seeded(backend):
    def draw(seed, options=None):
        device = backends.make_device(backend, 2, seed=seed, options=options)
        return np.asarray(backends.execute([sample_tape()], device)[0])

    first = draw(7)
    assert first.shape == (64, 2)
    np.testing.assert_array_equal(first, draw(7))
    assert not np.array_equal(first, draw(8))
    # A seed in backend_options wins over the estimator's.
    np.testing.assert_array_equal(draw(8, options={"seed": 7}), first)


def test_make_device_wires_and_name():
    device = backends.make_device("lightning.qubit", 3)
    assert device.name == "lightning.qubit" and len(device.wires) == 3


def test_make_device_bad_options_raise_chained_backend_error():
    with pytest.raises(BackendError, match=r"could not create backend 'default.qubit' with wires=2 "
                       r"and backend_options=\{'bogus': 1\}: .*bogus.* Check the options") as info:
        backends.make_device("default.qubit", 2, options={"bogus": 1})
    assert isinstance(info.value.__cause__, TypeError)


def test_make_device_unknown_backend():
    with pytest.raises(BackendNotFoundError, match="Did you mean 'default.qubit'"):
        backends.make_device("default.qbit", 2)


def test_execute_runs_a_batch():
    device = backends.make_device("default.qubit", 2)
    tapes = [qml.tape.QuantumScript([qml.PauliX(w)], [qml.probs(wires=[0, 1])]) for w in (0, 1)]
    results = backends.execute(tapes, device)
    np.testing.assert_allclose(results[0], [0, 0, 1, 0])
    np.testing.assert_allclose(results[1], [0, 1, 0, 0])


def test_execute_wraps_device_failures():
    device = backends.make_device("default.qubit", 1)
    bad = qml.tape.QuantumScript([qml.Hadamard(5)], [qml.probs(wires=[5])])
    with pytest.raises(BackendError, match=r"backend 'default.qubit' failed to execute a batch of "
                       r"2 circuit\(s\): .*wires") as info:
        backends.execute([bad, bad], device)
    assert info.value.__cause__ is not None


def test_statevector_simulators_are_installed_or_known():
    assert {"default.qubit", "lightning.qubit"} <= backends.STATEVECTOR_SIMULATORS
    assert "default.mixed" not in backends.STATEVECTOR_SIMULATORS


def test_make_qnode_runs_on_the_device():
    device = backends.make_device("default.qubit", 1, seed=3)

    def qfunc():
        qml.Hadamard(0)
        return qml.probs(wires=0)

    exact = backends.make_qnode(qfunc, device, interface="numpy")
    assert isinstance(exact, qml.QNode)
    np.testing.assert_allclose(exact(), [0.5, 0.5], atol=1e-12)
    estimate = np.asarray(backends.make_qnode(qfunc, device, interface="numpy", shots=200)())
    np.testing.assert_allclose(estimate.sum(), 1.0)
    np.testing.assert_allclose(estimate * 200, np.round(estimate * 200), atol=1e-9)  # counts


def test_checkpointed_device_batches_are_read_back_in_a_new_session(tmp_path, simulated):
    import numpy as np

    from qskew import QuantumKernel
    from qskew.backends import set_checkpoint_dir

    X = np.random.default_rng(0).uniform(0, 1, (6, 2))
    kernel = QuantumKernel(feature_map="zz", reps=1, backend="default.mixed", shots=300,
                           random_state=0)
    set_checkpoint_dir(tmp_path)
    try:
        first = kernel(X)
        assert simulated["circuits"] == 15
        again = kernel(X)  # the same session: really run again
        assert simulated["circuits"] == 30
        set_checkpoint_dir(tmp_path)  # a new session (a rerun) reads the stored batch
        resumed = kernel(X)
        assert simulated["circuits"] == 30
    finally:
        set_checkpoint_dir(None)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, resumed)
