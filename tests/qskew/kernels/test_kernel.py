"""Tests for qskew.kernels: QuantumKernel (exact and circuit modes) and kernel-target alignment."""

import pickle
import warnings

import numpy as np
import pennylane as qml
import pytest
from sklearn.base import clone
from sklearn.svm import SVC

import qskew.kernels._kernel as kernel_module
from qskew.backends import _capabilities, _devices
from circuits import get_feature_map
from qskew import BackendNotFoundError, PSDRepairWarning, QuantumKernel, available_backends
from qskew.backends._cost import total

RNG = np.random.default_rng(3)
X = RNG.uniform(0, np.pi, size=(6, 3))
X_NEW = RNG.uniform(0, np.pi, size=(4, 3))

CASES = [
    ("angle", "linear"),
    ("zz", "linear"),
    ("zz", "full"),
    ("iqp", "full"),
    ("iqp", "circular"),
]


def pennylane_kernel(feature_map, entanglement, n_qubits):
    """PennyLane's documented pairwise construction: U(x1), U(x2)^†, probs[0]."""
    U = get_feature_map(feature_map, reps=2, entanglement=entanglement)
    dev = qml.device("lightning.qubit", wires=n_qubits)

    @qml.qnode(dev)
    def overlap(x1, x2):
        U(x1, wires=range(n_qubits))
        qml.adjoint(U)(x2, wires=range(n_qubits))
        return qml.probs(wires=range(n_qubits))

    return lambda x1, x2: overlap(x1, x2)[0]


def assert_is_kernel_matrix(K):
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() >= -1e-10


# -- exact mode against PennyLane ---------------------------------------------


@pytest.mark.parametrize("feature_map, entanglement", CASES)
def test_exact_kernel_equals_pennylane_pairwise(feature_map, entanglement):
    reference = pennylane_kernel(feature_map, entanglement, 3)
    kernel = QuantumKernel(feature_map=feature_map, entanglement=entanglement, reps=2)
    K = kernel(X)
    np.testing.assert_allclose(K, qml.kernels.square_kernel_matrix(X, reference), atol=1e-10)
    np.testing.assert_allclose(kernel(X, X_NEW), qml.kernels.kernel_matrix(X, X_NEW, reference),
                               atol=1e-10)
    np.testing.assert_allclose(np.diag(K), 1.0, atol=1e-12)
    assert_is_kernel_matrix(K)


def test_exact_kernel_four_qubits_equals_pennylane_pairwise():
    X4 = RNG.uniform(0, np.pi, size=(4, 4))
    K = QuantumKernel(feature_map="zz", entanglement="circular")(X4)
    reference = qml.kernels.square_kernel_matrix(X4, pennylane_kernel("zz", "circular", 4))
    np.testing.assert_allclose(K, reference, atol=1e-10)


def test_one_qubit_angle_kernel_is_analytic():
    x = np.array([[0.0], [0.7], [2.0]])
    K = QuantumKernel(feature_map="angle", reps=1)(x)
    np.testing.assert_allclose(K, np.cos((x - x.T) / 2) ** 2, atol=1e-12)


def test_cross_kernel_of_same_rows_equals_symmetric_kernel():
    kernel = QuantumKernel(feature_map="zz")
    np.testing.assert_allclose(kernel(X, X.copy()), kernel(X), atol=1e-12)
    assert kernel(X, X_NEW).shape == (6, 4)


def test_default_qubit_without_shots_is_exact():
    kernel = QuantumKernel(feature_map="iqp", backend="default.qubit")
    np.testing.assert_allclose(kernel(X), QuantumKernel(feature_map="iqp")(X), atol=1e-12)
    assert kernel.n_states_prepared == len(X) and kernel.n_circuits_executed == 0


def test_complex64_close_to_complex128():
    K64 = QuantumKernel(feature_map="zz", dtype="complex64")(X, X_NEW)
    K128 = QuantumKernel(feature_map="zz")(X, X_NEW)
    np.testing.assert_allclose(K64, K128, atol=1e-5)
    np.testing.assert_allclose(QuantumKernel(dtype="complex64")(X), QuantumKernel()(X), atol=1e-5)


# -- circuit mode ------------------------------------------------------------


def test_circuit_mode_without_shots_equals_exact():
    # default.mixed is not a statevector simulator: one overlap circuit per unique pair.
    kernel = QuantumKernel(feature_map="zz", backend="default.mixed")
    exact = QuantumKernel(feature_map="zz")
    np.testing.assert_allclose(kernel(X), exact(X), atol=1e-10)
    np.testing.assert_allclose(kernel(X, X_NEW), exact(X, X_NEW), atol=1e-10)
    assert kernel.n_circuits_executed == 6 * 5 // 2 + 6 * 4


def test_circuit_mode_batches_pairs_into_tapes(monkeypatch):
    monkeypatch.setattr(kernel_module, "_PAIRS_PER_TAPE", 4)
    calls = []
    execute = _devices.execute
    monkeypatch.setattr(_devices, "execute",
                        lambda tapes, device, **options: calls.append(len(tapes))
                        or execute(tapes, device, **options))
    kernel = QuantumKernel(feature_map="zz", backend="default.mixed")
    np.testing.assert_allclose(kernel(X), QuantumKernel(feature_map="zz")(X), atol=1e-10)
    assert calls == [4]  # 15 pairs, 4 per tape, one batch


@pytest.mark.parametrize("shots", [100, 10_000])
def test_shot_kernel_within_binomial_error(shots):
    exact = QuantumKernel(feature_map="zz", reps=1)(X, X_NEW)
    kernel = QuantumKernel(feature_map="zz", reps=1, backend="default.qubit", shots=shots,
                           random_state=0)
    K = kernel(X, X_NEW)
    standard_error = np.sqrt(exact * (1 - exact) / shots)
    assert np.all(np.abs(K - exact) <= 5 * standard_error + 2 / shots)
    np.testing.assert_allclose(K * shots, np.round(K * shots), atol=1e-9)  # counts / shots
    # Sampled from the exact fidelities: states prepared, no circuit run.
    assert kernel.n_circuits_executed == 0


def test_sampled_shots_follow_the_binomial_law_of_the_circuits():
    rng = np.random.default_rng(8)
    A, B = rng.uniform(0, np.pi, (40, 3)), rng.uniform(0, np.pi, (40, 3))
    exact = QuantumKernel(feature_map="zz", reps=1)(A, B)
    shots = 200
    K = QuantumKernel(feature_map="zz", reps=1, backend="lightning.qubit", shots=shots,
                      random_state=0)(A, B)
    inside = (exact > 0.05) & (exact < 0.95)
    z = (K - exact)[inside] / np.sqrt(exact * (1 - exact) / shots)[inside]
    assert abs(z.mean()) < 0.15 and 0.8 < z.var() < 1.2  # 1,600 entries: N(0, 1) scores


def test_shot_kernel_error_decreases_with_shots():
    exact = QuantumKernel(feature_map="zz", reps=1)(X, X_NEW)
    errors = [
        np.abs(QuantumKernel(feature_map="zz", reps=1, backend="default.qubit", shots=shots,
                             random_state=1)(X, X_NEW) - exact).mean()
        for shots in (100, 10_000)
    ]
    assert errors[1] < errors[0] / 3  # ~10x expected


def test_shot_kernel_symmetric_is_a_kernel_matrix():
    kernel = QuantumKernel(feature_map="zz", reps=1, backend="lightning.qubit", shots=2000,
                           random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PSDRepairWarning)
        K = kernel(X)
    assert_is_kernel_matrix(K)
    assert kernel.n_circuits_executed == 0  # sampled from the exact fidelities
    np.testing.assert_allclose(K, QuantumKernel(feature_map="zz", reps=1)(X), atol=0.1)


def test_same_random_state_same_shots_different_differs():
    def run(seed):
        return QuantumKernel(feature_map="zz", backend="default.qubit", shots=50,
                             random_state=seed)(X, X_NEW)

    np.testing.assert_array_equal(run(0), run(0))
    assert not np.array_equal(run(0), run(1))


def test_psd_repair_warns_and_returns_psd():
    # The exact one-qubit angle kernel cos^2((x - x')/2) has rank 3: on 20 rows, 17 zero
    # eigenvalues that any shot noise pushes below zero.
    X_many = np.linspace(0, np.pi, 20)[:, None]
    assert np.linalg.matrix_rank(QuantumKernel(feature_map="angle")(X_many), tol=1e-8) == 3
    kernel = QuantumKernel(feature_map="angle", backend="default.qubit", shots=20, random_state=0)
    with pytest.warns(PSDRepairWarning, match="not positive semi-definite .* repaired") as record:
        K = kernel(X_many)
    assert record[0].filename == __file__  # points at the caller, not at qskew
    assert_is_kernel_matrix(K)


def test_exact_kernel_never_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        QuantumKernel(feature_map="zz")(RNG.uniform(0, np.pi, size=(20, 4)))


def test_states_only_in_exact_mode():
    kernel = QuantumKernel(backend="default.mixed", shots=10)
    with pytest.raises(ValueError, match="only available on a statevector simulator; got "
                                         "backend='default.mixed', shots=10. Use"):
        kernel.states(X)
    states = QuantumKernel(feature_map="angle").states(X)
    assert states.shape == (6, 8)
    np.testing.assert_allclose(np.linalg.norm(states, axis=1), 1.0, atol=1e-12)


# -- caching, pickling, cloning ---------------------------------------------


def test_cache_prepares_only_new_rows():
    kernel = QuantumKernel(feature_map="zz")
    K = kernel(X)
    assert kernel.n_states_prepared == 6
    K_cross = kernel(X_NEW, X)
    assert kernel.n_states_prepared == 6 + 4
    kernel(np.vstack([X_NEW[::-1], X[:2]]))
    assert kernel.n_states_prepared == 10
    fresh = QuantumKernel(feature_map="zz")
    np.testing.assert_allclose(K, fresh(X), atol=1e-12)
    np.testing.assert_allclose(K_cross, fresh(X_NEW, X), atol=1e-12)


def test_duplicate_rows_prepared_once():
    kernel = QuantumKernel(feature_map="iqp")
    X_dup = np.vstack([X, X[::-1], X[:1]])
    K = kernel(X_dup)
    assert kernel.n_states_prepared == len(X)
    np.testing.assert_allclose(K[:6, :6], K[6:12, 6:12][::-1, ::-1], atol=1e-12)


def test_changing_parameters_rebuilds():
    kernel = QuantumKernel(feature_map="zz")
    kernel(X)
    kernel.set_params(feature_map="angle")
    np.testing.assert_allclose(kernel(X), QuantumKernel(feature_map="angle")(X), atol=1e-12)
    assert kernel.n_states_prepared == 12


def test_pickle_round_trip_of_used_kernel():
    kernel = QuantumKernel(feature_map="zz", entanglement="full")
    K = kernel(X, X_NEW)
    restored = pickle.loads(pickle.dumps(kernel))
    assert "_cache" not in restored.__dict__  # states are not pickled
    np.testing.assert_array_equal(restored(X, X_NEW), K)
    assert restored.get_params() == kernel.get_params()


def test_pickle_round_trip_of_shot_kernel():
    kernel = QuantumKernel(backend="default.qubit", shots=100, random_state=0)
    kernel(X[:3])
    restored = pickle.loads(pickle.dumps(kernel))
    assert "_device" not in restored.__dict__
    assert restored(X[:3], X_NEW).shape == (3, 4)


def test_clone_and_get_params():
    kernel = QuantumKernel(feature_map="iqp", reps=3, entanglement="circular", shots=None,
                           backend="default.qubit", dtype="complex64")
    kernel(X)
    cloned = clone(kernel)
    assert cloned.get_params() == kernel.get_params()
    assert not hasattr(cloned, "n_states_prepared")
    assert set(kernel.get_params()) == {
        "feature_map", "kind", "gamma", "reps", "entanglement", "rotation", "bandwidth", "backend",
        "backend_options",
        "shots", "mitigation", "random_state", "dtype", "device", "weights", "verbose",
    }


# -- cost estimate, checked by counting what runs -------------------------------


def test_estimate_cost_exact_counts_new_states(simulated):
    kernel = QuantumKernel()
    kernel(X)
    assert simulated == simulated.of(kernel.estimate_cost(len(X)))
    kernel(X_NEW, X)  # X's states are cached; the cross kernel prepares X_NEW's only
    assert simulated == simulated.of(total(kernel.estimate_cost(len(X)),
                                           kernel.estimate_cost(len(X_NEW), len(X),
                                                                cached=len(X))))
    kernel(X_NEW, X)  # a second call prepares nothing
    assert simulated["state_preparations"] == len(X) + len(X_NEW)


def test_estimate_cost_of_sampled_shots_counts_the_states(simulated):
    kernel = QuantumKernel(backend="default.qubit", shots=1000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PSDRepairWarning)
        kernel(X)
    kernel(X_NEW, X)
    assert simulated == simulated.of(total(kernel.estimate_cost(len(X)),
                                           kernel.estimate_cost(len(X_NEW), len(X),
                                                                cached=len(X))))
    assert simulated["circuits"] == 0


def test_estimate_cost_shots_counts_executed_circuits(simulated):
    kernel = QuantumKernel(backend="default.mixed", shots=1000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PSDRepairWarning)
        kernel(X)
    assert simulated == simulated.of(kernel.estimate_cost(len(X)))
    for _ in range(2):  # circuit mode runs every call's circuits again
        kernel(X_NEW, X)
    assert simulated == simulated.of(total(
        kernel.estimate_cost(len(X)), kernel.estimate_cost(len(X_NEW), len(X), calls=2)))
    assert simulated["circuits"] == kernel.n_circuits_executed == 15 + 2 * 24


# -- scikit-learn --------------------------------------------------------------


def test_usable_as_svc_kernel():
    X_train = np.vstack([RNG.uniform(0, 0.5, size=(6, 2)), RNG.uniform(2.5, 3.0, size=(6, 2))])
    y = np.repeat([0, 1], 6)
    kernel = QuantumKernel(feature_map="angle", reps=1)
    clf = SVC(kernel=kernel).fit(X_train, y)
    np.testing.assert_array_equal(clf.predict(X_train), y)
    reference = SVC(kernel="precomputed").fit(kernel(X_train), y)
    np.testing.assert_allclose(clf.decision_function(X_NEW[:, :2]),
                               reference.decision_function(kernel(X_NEW[:, :2], X_train)),
                               atol=1e-10)


# -- bad input -----------------------------------------------------------------

GOOD = np.zeros((2, 2))


@pytest.mark.parametrize(
    "params, X1, X2, error, match",
    [
        ({}, np.array([[np.nan, 1.0], [0, 0]]), None, ValueError,
         r"X1 contains NaN .* row 0, column 0.*SimpleImputer"),
        ({}, np.array([[1.0, np.inf]]), None, ValueError, r"X1 contains infinity .*column 1.*Impute"),
        ({}, GOOD, np.array([[1.0, -np.inf]]), ValueError, r"X2 contains infinity"),
        ({}, np.array([1.0, 2.0]), None, ValueError,
         r"X1 must be 2-D .*got a 1-D array of shape \(2,\).*reshape\(-1, 1\)"),
        ({}, np.empty((0, 2)), None, ValueError,
         r"X1 has 0 sample\(s\) \(shape=\(0, 2\)\).*minimum of 1 .*QuantumKernel. Check"),
        ({}, np.empty((2, 0)), None, ValueError, r"X1 has 0 feature\(s\) \(shape=\(2, 0\)\)"),
        ({}, np.ones((2, 2)) * 1j, None, ValueError,
         r"Complex data not supported: X1 has dtype complex128.*Split real and imaginary"),
        ({}, np.array([["a", "b"]]), None, TypeError, r"X1 must be numeric; got dtype <U1.*OneHotEncoder"),
        ({}, [[1.0, 2.0], [3.0]], None, ValueError, r"X1 could not be read .*rectangular"),
        ({}, GOOD, np.zeros((2, 3)), ValueError,
         r"same number of features; got 2 and 3. Pass rows encoded the same way"),
        ({}, np.zeros((2, 21)), None, ValueError,
         r"21 features .*one qubit per feature \(limit 20 for 'lightning.qubit'\).*PCA\(n_components="),
        ({"feature_map": "pauli"}, GOOD, None, ValueError, r"'feature_map' parameter .* Got 'pauli'"),
        ({"entanglement": "ring"}, GOOD, None, ValueError, r"'entanglement' parameter .* Got 'ring'"),
        ({"reps": 0}, GOOD, None, ValueError, r"'reps' parameter .* range \[1, inf\). Got 0"),
        ({"rotation": "W"}, GOOD, None, ValueError, r"'rotation' parameter .* Got 'W'"),
        ({"shots": 0}, GOOD, None, ValueError, r"'shots' parameter .* Got 0"),
        ({"dtype": "float64"}, GOOD, None, ValueError, r"'dtype' parameter .* Got 'float64'"),
        ({"backend": "lightning.qbit"}, GOOD, None, BackendNotFoundError,
         r"'lightning.qbit' is not an installed PennyLane device. Did you mean 'lightning.qubit'"),
        ({"backend": "qiskit.aer"}, GOOD, None, BackendNotFoundError,
         r"'qiskit.aer' is not an installed .*pip install 'qskew\[qpu\]'"),
        ({"backend": 5}, GOOD, None, TypeError, r"'backend' parameter .* Got 5"),
    ],
    ids=[
        "nan", "inf", "X2 -inf", "1-D", "0 rows", "0 cols", "complex", "strings", "ragged",
        "feature mismatch", "too many qubits", "feature_map", "entanglement", "reps=0",
        "rotation", "shots=0", "dtype", "backend typo", "qiskit not installed", "backend not str",
    ],
)
def test_bad_input_raises(monkeypatch, params, X1, X2, error, match):
    _without_qiskit_plugin(monkeypatch)
    with pytest.raises(error, match=match):
        QuantumKernel(**params)(X1, X2)


def _without_qiskit_plugin(monkeypatch):
    """As where the ``qpu`` extra is not installed, whether or not it is here."""
    installed = [name for name in available_backends() if not name.startswith("qiskit.")]
    monkeypatch.setattr(_capabilities, "available_backends", lambda: installed)
    monkeypatch.setattr(_capabilities, "_qiskit_layer_available", lambda backend: False)


def test_backend_not_found_is_a_value_error():
    with pytest.raises(ValueError, match="Installed devices: .*lightning.qubit"):
        QuantumKernel(backend="no.such.device")(GOOD)


# -- torch engine (device) -------------------------------------------------------


@pytest.mark.parametrize("dtype, atol", [("complex128", 1e-12), ("complex64", 1e-6)])
def test_torch_device_engine_matches_numpy_engine(dtype, atol):
    # device="cpu" runs the torch path that device="cuda" takes on a GPU.
    numpy_kernel = QuantumKernel(dtype=dtype)
    torch_kernel = QuantumKernel(dtype=dtype, device="cpu")
    K = torch_kernel(X)
    assert K.dtype == np.float64 and isinstance(K, np.ndarray)
    np.testing.assert_allclose(K, numpy_kernel(X), atol=atol)
    np.testing.assert_allclose(torch_kernel(X_NEW, X), numpy_kernel(X_NEW, X), atol=atol)
    np.testing.assert_array_equal(np.diag(K), 1.0)
    assert torch_kernel.n_states_prepared == len(X) + len(X_NEW)


def test_torch_device_errors():
    with pytest.raises(ValueError, match="device must be a torch device name.*'banana'"):
        QuantumKernel(device="banana")(X)
    pytest.importorskip("torch")
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="torch sees no CUDA GPU.*device=None"):
            QuantumKernel(device="cuda")(X)


def test_circuit_mode_runs_one_circuit_per_unique_pair():
    X_dup = np.vstack([X[:3], X[:3], X[:1]])  # 7 rows, 3 distinct
    kernel = QuantumKernel(backend="default.mixed")  # noiseless density matrices: exact values
    K = kernel(X_dup)
    assert kernel.n_circuits_executed == 3  # the pairs of 3 distinct rows
    np.testing.assert_allclose(K, QuantumKernel()(X_dup), atol=1e-6)
    K_cross = kernel(X_dup, X[:2])
    assert kernel.n_circuits_executed == 3 + 3 * 2
    np.testing.assert_allclose(K_cross, QuantumKernel()(X_dup, X[:2]), atol=1e-6)


def test_bandwidth_scales_features_before_encoding_entry_by_entry():
    """Angle encoding with RY: k_b(x, x') = prod_i cos^2(b (x_i - x'_i) / 2)."""
    rng = np.random.default_rng(4)
    A, B = rng.uniform(0, np.pi, (5, 3)), rng.uniform(0, np.pi, (4, 3))
    for b in (0.1, 0.35, 1.0, 1.9):  # b x stays within one period: no wrap warning
        kernel = QuantumKernel(feature_map="angle", reps=1, rotation="Y", bandwidth=b)
        expected = np.prod(np.cos(b * (A[:, None, :] - B[None, :, :]) / 2) ** 2, axis=-1)
        np.testing.assert_allclose(kernel(A, B), expected, atol=1e-12)
        np.testing.assert_allclose(np.diag(kernel(A)), 1.0)
    zz = QuantumKernel(feature_map="zz", reps=2, bandwidth=0.2)
    np.testing.assert_allclose(zz(A, B), QuantumKernel(feature_map="zz", reps=2)(0.2 * A, 0.2 * B),
                               atol=1e-12)
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'bandwidth' parameter"):
        QuantumKernel(bandwidth=0)(A)
