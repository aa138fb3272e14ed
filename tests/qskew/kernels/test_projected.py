"""The projected quantum kernel (Huang et al. 2021): formula, modes, cost and use in the SVC."""

import numpy as np
import pennylane as qml
import pytest

from circuits import get_feature_map
from qskew import Noise, QuantumKernel, QuantumKernelSVC

RNG = np.random.default_rng(11)
X = RNG.uniform(0, np.pi, size=(6, 3))
X_NEW = RNG.uniform(0, np.pi, size=(4, 3))


def reference_kernel(A, B, feature_map, gamma, bandwidth=1.0, entanglement="linear"):
    """The paper's formula from one-qubit reduced density matrices of default.qubit."""
    n = A.shape[1]
    U = get_feature_map(feature_map, reps=2, entanglement=entanglement)
    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev)
    def reduced(x, q):
        U(x, wires=range(n))
        return qml.density_matrix(wires=[q])

    def rhos(x):
        return [np.asarray(reduced(bandwidth * x, q)) for q in range(n)]

    RA, RB = [rhos(a) for a in A], [rhos(b) for b in B]
    return np.array([[np.exp(-gamma * sum(np.linalg.norm(p - q, "fro") ** 2
                                           for p, q in zip(ra, rb)))
                      for rb in RB] for ra in RA])


@pytest.mark.parametrize("feature_map,entanglement", [("angle", "linear"), ("zz", "linear"),
                                                      ("zz", "full"), ("iqp", "circular")])
def test_entries_match_the_formula(feature_map, entanglement):
    kernel = QuantumKernel(feature_map=feature_map, entanglement=entanglement,
                           kind="projected", gamma=0.7, bandwidth=0.6)
    np.testing.assert_allclose(kernel(X), reference_kernel(X, X, feature_map, 0.7, 0.6,
                                                           entanglement), atol=1e-12)
    np.testing.assert_allclose(kernel(X, X_NEW),
                               reference_kernel(X, X_NEW, feature_map, 0.7, 0.6, entanglement),
                               atol=1e-12)


def test_bloch_coordinates_of_the_angle_map_by_hand():
    # RY(x)|0> = cos(x/2)|0> + sin(x/2)|1>: Bloch vector (sin x, 0, cos x) on each qubit.
    x = np.array([[0.3, 1.2]])
    F = QuantumKernel(feature_map="angle", reps=1, kind="projected").projected_features(x)
    np.testing.assert_allclose(F, [[np.sin(0.3), np.sin(1.2), 0, 0, np.cos(0.3), np.cos(1.2)]],
                               atol=1e-14)


def test_symmetric_gram_is_psd_with_unit_diagonal_and_matches_the_cross_kernel():
    kernel = QuantumKernel(kind="projected", gamma=0.5)
    K = kernel(X)
    np.testing.assert_array_equal(np.diag(K), 1.0)
    np.testing.assert_array_equal(K, K.T)
    assert np.linalg.eigvalsh(K).min() > -1e-12
    np.testing.assert_allclose(K, kernel(X, X.copy()), atol=1e-14)


def test_projected_kernel_does_not_concentrate_where_the_fidelity_kernel_does():
    # 10 qubits, wide ZZ encoding: fidelity entries all near 0, projected ones spread out.
    rows = np.random.default_rng(0).uniform(0, np.pi, size=(30, 10))
    off = ~np.eye(30, dtype=bool)
    fidelity = QuantumKernel()(rows)[off]
    projected = QuantumKernel(kind="projected", gamma=0.1)(rows)[off]
    assert fidelity.var() < 1e-4
    assert projected.var() > 100 * fidelity.var()


def test_sampled_mode_is_seeded_and_near_exact():
    exact = QuantumKernel(kind="projected", gamma=0.5)(X, X_NEW)
    sampled = QuantumKernel(kind="projected", gamma=0.5, shots=20_000, random_state=1)
    K = sampled(X, X_NEW)
    np.testing.assert_array_equal(K, sampled(X, X_NEW))
    assert np.abs(K - exact).max() < 0.05
    assert not np.array_equal(K, exact)


def test_circuit_mode_runs_three_settings_per_distinct_row_as_estimated():
    kernel = QuantumKernel(kind="projected", gamma=0.5, backend="default.mixed", shots=5000,
                           random_state=0)
    rows = np.vstack([X, X[:2]])  # duplicates are measured once
    K = kernel(rows, X_NEW)
    assert kernel.n_circuits_executed == 3 * (len(X) + len(X_NEW))
    assert kernel.estimate_cost(len(X), len(X_NEW))["circuits"] == kernel.n_circuits_executed
    np.testing.assert_array_equal(K[len(X):], K[:2])
    assert np.abs(K - QuantumKernel(kind="projected", gamma=0.5)(rows, X_NEW)).max() < 0.05


def test_readout_mitigation_undoes_a_pure_readout_error_exactly():
    noisy = {"noise": Noise(readout=0.05)}
    exact = QuantumKernel(kind="projected", gamma=0.5)(X, X_NEW)
    raw = QuantumKernel(kind="projected", gamma=0.5, backend="default.mixed",
                        backend_options=noisy)(X, X_NEW)
    mitigated = QuantumKernel(kind="projected", gamma=0.5, backend="default.mixed",
                              backend_options=noisy, mitigation="readout")(X, X_NEW)
    assert np.abs(raw - exact).max() > 1e-3
    np.testing.assert_allclose(mitigated, exact, atol=1e-10)


def test_depolarizing_mitigation_is_refused_with_the_reason():
    kernel = QuantumKernel(kind="projected", backend="default.mixed", shots=100,
                           mitigation="depolarizing")
    with pytest.raises(ValueError, match="self-overlap.*kind='projected'"):
        kernel(X)


def test_costs_rows_not_pairs():
    exact = QuantumKernel(kind="projected").estimate_cost(100, 20, cached=100)
    assert exact["state_preparations"] == 20
    circuits = QuantumKernel(kind="projected", backend="default.mixed", shots=100)
    fidelity = QuantumKernel(backend="default.mixed", shots=100)
    assert circuits.estimate_cost(100, calls=2)["circuits"] == 600
    assert fidelity.estimate_cost(100)["circuits"] == 4950
    sampled = QuantumKernel(kind="projected", shots=100).estimate_cost(10)
    assert (sampled["mode"], sampled["shots"]) == ("sampled", 3000)


def test_one_estimator_job_per_call_on_a_qiskit_target():
    pytest.importorskip("qiskit_aer")
    kernel = QuantumKernel(kind="projected", gamma=0.5, backend="qiskit.aer", shots=4000,
                           random_state=0)
    K = kernel(X, X_NEW)
    assert kernel.n_jobs_executed == 1
    assert kernel.n_circuits_executed == 3 * (len(X) + len(X_NEW))
    cost = kernel.estimate_cost(len(X), len(X_NEW), n_features=3)
    assert (cost["circuits"], cost["jobs"]) == (kernel.n_circuits_executed, 1)
    assert np.abs(K - QuantumKernel(kind="projected", gamma=0.5)(X, X_NEW)).max() < 0.06


def test_svc_on_the_projected_kernel_is_the_svm_on_its_gram_matrix():
    from sklearn.svm import SVC

    y = (X[:, 0] + X[:, 1] > np.pi).astype(int)
    clf = QuantumKernelSVC(kind="projected", gamma=0.5, C=3.0, random_state=0).fit(X, y)
    assert clf.kernel_.kind == "projected"
    kernel = QuantumKernel(kind="projected", gamma=0.5)
    reference = SVC(kernel="precomputed", C=3.0).fit(kernel(X), y)
    np.testing.assert_allclose(clf.decision_function(X_NEW),
                               reference.decision_function(kernel(X_NEW, X)), atol=1e-8)
