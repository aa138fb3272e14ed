"""Tests for qskew.backends._qiskit: Qiskit targets in few jobs (fake IBM hardware, Aer)."""

import warnings

import numpy as np
import pennylane as qml
import pytest

pytest.importorskip("qiskit_ibm_runtime")  # the "qpu" extra

from qiskit.quantum_info import Statevector  # noqa: E402
from qiskit_ibm_runtime.fake_provider import FakeManilaV2, FakeSherbrooke  # noqa: E402

from circuits import get_feature_map, overlap_circuit  # noqa: E402
from qskew import BackendError, QuantumKernel  # noqa: E402
from qskew.backends import _qiskit  # noqa: E402

RNG = np.random.default_rng(4)
X = RNG.uniform(0, np.pi / 2, (8, 3))
X_NEW = RNG.uniform(0, np.pi / 2, (3, 3))


def remote(device=None, **params):
    options = {"backend": device if device is not None else FakeManilaV2()}
    return QuantumKernel(**{"feature_map": "zz", "reps": 1, "backend": "qiskit.remote",
                            "backend_options": options, "shots": 2000, "random_state": 0,
                            **params})


def quiet(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PSD repair of a noisy Gram matrix
        return func(*args)


@pytest.mark.parametrize("feature_map, rotation", [("zz", "Y"), ("iqp", "Y"), ("angle", "X"),
                                                   ("angle", "Z")])
def test_structure_is_the_same_circuit_with_its_angles_as_parameters(feature_map, rotation):
    unitary = get_feature_map(feature_map, reps=2, rotation=rotation, entanglement="linear")
    A, B = X[:4], X[4:]
    tape = qml.tape.make_qscript(overlap_circuit)(A, B, [0, 1, 2], unitary)
    key, circuit, angles = _qiskit.structure(tape.operations, [0, 1, 2])
    assert angles.shape == (4, circuit.num_parameters)
    unmeasured = circuit.remove_final_measurements(inplace=False)
    exact = QuantumKernel(feature_map=feature_map, reps=2, rotation=rotation)(A, B)
    for i in range(4):
        state = Statevector(unmeasured.assign_parameters(angles[i]))
        assert state.probabilities()[0] == pytest.approx(exact[i, i], abs=1e-12)
    # every pair of one Gram matrix shares the structure: one transpile for all
    other = qml.tape.make_qscript(overlap_circuit)(B, A, [0, 1, 2], unitary)
    assert _qiskit.structure(other.operations, [0, 1, 2])[0] == key


def test_a_gram_matrix_is_one_job_matching_its_estimate(simulated):
    kernel = remote()
    K = quiet(kernel, X)
    assert simulated == simulated.of(kernel.estimate_cost(len(X)))
    assert (simulated["jobs"], simulated["circuits"]) == (1, 28)
    exact = QuantumKernel(feature_map="zz", reps=1)(X)
    upper = np.triu_indices(len(X), 1)
    assert np.abs(K - exact)[upper].mean() < 0.05  # device noise and 2000 shots
    assert np.allclose(np.diag(K), 1.0) and np.allclose(K, K.T)


def test_cross_kernel_and_repeated_calls_are_counted(simulated):
    kernel = remote()
    for _ in range(2):
        kernel(X_NEW, X)
    assert simulated == simulated.of(kernel.estimate_cost(len(X_NEW), len(X), calls=2))
    assert kernel.n_jobs_executed == 2 and kernel.n_circuits_executed == 2 * 24


def test_same_seed_same_numbers_and_the_structure_is_transpiled_once(monkeypatch):
    import qiskit

    transpiles = []
    transpile = qiskit.transpile
    monkeypatch.setattr(qiskit, "transpile",
                        lambda *args, **kwargs: transpiles.append(1) or transpile(*args, **kwargs))
    device = FakeManilaV2()
    first = quiet(remote(device), X)
    np.testing.assert_array_equal(first, quiet(remote(device), X))
    quiet(remote(device), X_NEW)  # other rows, same structure
    assert len(transpiles) == 1
    assert not np.array_equal(first, quiet(remote(device, random_state=1), X))
    assert len(transpiles) == 1


def test_estimate_names_the_transpiled_depth_and_two_qubit_gates():
    device = FakeManilaV2()
    kernel = remote(device)
    cost = kernel.estimate_cost(len(X), n_features=3)
    quiet(kernel, X)
    compiled = next(iter(_qiskit._TRANSPILED[device].values()))  # what the run used
    two_qubit = sum(1 for item in compiled.data if item.operation.name in ("cx", "ecr", "cz"))
    assert (cost["depth"], cost["two_qubit_gates"]) == (compiled.depth(), two_qubit)
    assert cost["two_qubit_gates"] >= 4  # reps-1 ZZ, linear, 3 qubits: 2 pairs x 2 CNOTs each way
    assert "depth" not in QuantumKernel(shots=10).estimate_cost(5, n_features=3)


def test_jobs_split_at_the_execution_limit(monkeypatch, simulated):
    monkeypatch.setattr(_qiskit, "MAX_EXECUTIONS_PER_JOB", 10 * 2000)  # 10 pairs per job
    kernel = remote()
    quiet(kernel, X)
    assert kernel.estimate_cost(len(X))["jobs"] == simulated["jobs"] == 3  # 28 pairs
    assert simulated["circuits"] == 28


def test_noiseless_aer_is_within_binomial_error(simulated):
    kernel = QuantumKernel(feature_map="zz", reps=1, backend="qiskit.aer", shots=4000,
                           random_state=0)
    K = kernel(X_NEW, X)
    exact = QuantumKernel(feature_map="zz", reps=1)(X_NEW, X)
    error = np.sqrt(exact * (1 - exact) / 4000)
    assert np.all(np.abs(K - exact) <= 5 * error + 1e-3)
    assert simulated["jobs"] == 1


def test_a_large_heavy_hex_device():
    kernel = remote(FakeSherbrooke(), shots=1000)
    K = quiet(kernel, X[:4])
    exact = QuantumKernel(feature_map="zz", reps=1)(X[:4])
    assert kernel.n_jobs_executed == 1 and np.abs(K - exact).mean() < 0.05


@pytest.mark.parametrize("backend, options, shots, error, match", [
    ("qiskit.remote", {}, 100, ValueError, r"needs backend_options=\{'backend'"),
    ("qiskit.remote", {"backend": 5}, 100, ValueError, r"Qiskit BackendV2"),
    ("qiskit.remote", {"backend": "FakeNowhere"}, 100, ValueError, r"no fake backend"),
    ("qiskit.aer", {"noise": "loud"}, 100, TypeError, r"must be a qskew Noise"),
    ("qiskit.aer", {"optimization_level": 7}, 100, ValueError, r"must be 0, 1, 2 or 3"),
    ("qiskit.remote", {"backend": FakeManilaV2(), "token": "x"}, 100, ValueError,
     r"backend_options \['token'\] are not used .*credentials"),
    ("qiskit.remote", {"backend": FakeManilaV2()}, None, ValueError, r"set shots"),
])
def test_bad_settings_are_clear_errors(backend, options, shots, error, match):
    kernel = QuantumKernel(backend=backend, backend_options=options, shots=shots)
    with pytest.raises(error, match=match):
        kernel(X[:2])


def test_a_failed_job_is_a_backend_error():
    class Broken:
        def run(self, pubs):
            raise RuntimeError("queue closed")

    with pytest.raises(BackendError, match="Broken job of 1 PUB.*queue closed"):
        _qiskit.submit(Broken(), [("circuit", None)])


def test_a_named_ibm_device_without_an_account_says_how_to_save_one(monkeypatch):
    import qiskit_ibm_runtime

    class NoAccount:  # never the network: the service as it answers without a saved account
        def __init__(self, *args, **kwargs):
            raise RuntimeError("Unable to find account.")

    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", NoAccount)
    monkeypatch.setattr(_qiskit, "_NAMED", {})
    kernel = QuantumKernel(backend="qiskit.remote", backend_options={"backend": "ibm_nowhere"},
                           shots=10)
    with pytest.raises(BackendError, match="could not open the IBM backend 'ibm_nowhere' .*"
                                           "Unable to find account.*save_account"):
        kernel(X[:2])


def test_a_fake_device_by_name_is_one_shared_object():
    one = _qiskit.target("qiskit.remote", {"backend": "FakeManilaV2"})
    assert one is _qiskit.target("qiskit.remote", {"backend": "FakeManilaV2"})
    assert type(one).__name__ == "FakeManilaV2"


def test_same_seed_same_numbers_in_another_process():
    """Transpilation must not depend on the process (hash seed) or on earlier transpiles."""
    import os
    import subprocess
    import sys

    script = (
        "import warnings, numpy as np, torch; warnings.simplefilter('ignore')\n"
        "from qiskit_ibm_runtime.fake_provider import FakeManilaV2\n"
        "from qskew import QNNModule, QuantumKernel\n"
        "rows = np.random.default_rng(1).uniform(0, np.pi, (8, 4)); be = FakeManilaV2()\n"
        "QuantumKernel(feature_map='zz', reps=1, backend='qiskit.remote',\n"
        "              backend_options={'backend': be}, shots=100)(rows)\n"
        "m = QNNModule(4, seed=0, backend='qiskit.remote', backend_options={'backend': be},\n"
        "              shots=1000)\n"
        "with torch.no_grad(): print(m(torch.as_tensor(rows)).numpy().round(6).tolist())\n")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert len(outputs) == 1


def test_jobs_go_into_the_users_batch_or_session(monkeypatch):
    from qiskit_ibm_runtime import Batch, Session

    modes = []
    submit = _qiskit.submit

    def spy(primitive, pubs):
        modes.append(primitive.mode)
        return submit(primitive, pubs)

    monkeypatch.setattr(_qiskit, "submit", spy)
    import torch

    from qskew import QNNModule

    device = FakeManilaV2()
    for kind in (Batch, Session):
        modes.clear()
        with kind(backend=device) as opened:
            kernel = QuantumKernel(feature_map="zz", reps=1, backend="qiskit.remote",
                                   backend_options={"backend": opened}, shots=100,
                                   mitigation="readout")
            quiet(kernel, X[:3])
            module = QNNModule(2, n_layers=1, seed=0, backend="qiskit.remote",
                               backend_options={"backend": opened}, shots=100)
            module(torch.zeros(3, 2, dtype=torch.float64)).sum().backward()
        assert modes == [opened, opened] and module.weights.grad is not None


# -- faults on the hardware path ----------------------------------------------------


class _FaultyJob:
    def __init__(self, job, faults):
        self.job, self.faults = job, faults

    def job_id(self):
        return "job-7"

    def result(self):
        if self.faults:
            raise self.faults.pop(0)
        return self.job.result()


def _inject(monkeypatch, submit_faults=(), poll_faults=()):
    """Primitives whose ``run`` first raises ``submit_faults``, whose jobs first raise
    ``poll_faults``; counts ``run`` calls and jobs really created."""
    import qiskit_ibm_runtime

    counts = {"run": 0, "jobs": 0}
    submit_faults, poll_faults = list(submit_faults), list(poll_faults)
    for name in ("SamplerV2", "EstimatorV2"):
        base = getattr(qiskit_ibm_runtime, name)

        class Faulty(base):
            def run(self, pubs, *args, **kwargs):
                counts["run"] += 1
                if submit_faults:
                    raise submit_faults.pop(0)
                counts["jobs"] += 1
                return _FaultyJob(super().run(pubs, *args, **kwargs), poll_faults)

        Faulty.__name__ = name
        monkeypatch.setattr(qiskit_ibm_runtime, name, Faulty)
    waits = []
    monkeypatch.setattr(_qiskit, "_sleep", waits.append)
    return counts, waits


def _requests_error(status):
    from qiskit_ibm_runtime.api.exceptions import RequestsApiError

    return RequestsApiError("service answered", status_code=status)


def test_transient_faults_are_retried_without_duplicate_jobs(monkeypatch):
    clean = quiet(remote(FakeManilaV2(), shots=500, random_state=3), X[:4])
    counts, waits = _inject(
        monkeypatch,
        submit_faults=[ConnectionError("reset by peer"), _requests_error(503)],
        poll_faults=[TimeoutError("poll timed out"), _requests_error(-1)])
    K = quiet(remote(FakeManilaV2(), shots=500, random_state=3), X[:4])
    np.testing.assert_array_equal(K, clean)  # same seed, same result as the fault-free run
    assert counts == {"run": 3, "jobs": 1}  # two refused submissions, one job, polled 3 times
    assert len(waits) == 4 and all(0.5 <= w <= 8.0 for w in waits)
    assert waits[1] > waits[0] * 0.99 or waits[1] >= 1.0  # backing off


def test_permanent_faults_fail_at_once_in_one_line(monkeypatch):
    from qiskit_ibm_runtime.exceptions import IBMNotAuthorizedError, RuntimeJobFailureError

    counts, waits = _inject(monkeypatch, submit_faults=[IBMNotAuthorizedError("bad token")])
    with pytest.raises(BackendError, match=r"submitting a SamplerV2 job of 1 PUB\(s\) to "
                                           r"'fake_manila' failed: IBMNotAuthorizedError"
                                           r".*not retried") as raised:
        quiet(remote(FakeManilaV2(), shots=100), X[:3])
    assert "\n" not in str(raised.value) and counts["run"] == 1 and not waits
    counts, waits = _inject(monkeypatch, poll_faults=[RuntimeJobFailureError("bad circuit")])
    with pytest.raises(BackendError, match="the SamplerV2 job job-7 on 'fake_manila' failed: "
                                           "RuntimeJobFailureError"):
        quiet(remote(FakeManilaV2(), shots=100), X[:3])
    assert counts == {"run": 1, "jobs": 1} and not waits  # never resubmitted


def test_a_lasting_outage_gives_up_after_the_retries(monkeypatch):
    counts, waits = _inject(monkeypatch, submit_faults=[_requests_error(502)] * 10)
    with pytest.raises(BackendError, match=r"failed 6 times, last with RequestsApiError.*"
                                           "try again later"):
        quiet(remote(FakeManilaV2(), shots=100), X[:3])
    assert counts["run"] == 6 and counts["jobs"] == 0 and len(waits) == 5
    assert max(waits) <= _qiskit.BACKOFF_MAX_SECONDS


def test_a_rerun_after_a_kill_submits_only_the_missing_jobs(monkeypatch, tmp_path):
    """QNN training on Aer, one job per step: killed after 4 jobs, rerun with the same seed."""
    pytest.importorskip("qiskit_aer")
    from qskew import QNNClassifier
    from qskew.backends import set_checkpoint_dir

    rows = np.random.default_rng(0).uniform(0, np.pi, (24, 2))
    labels = (rows[:, 0] > np.pi / 2).astype(int)
    options = dict(n_layers=1, max_epochs=3, patience=5, batch_size=8, shots=200,
                   validation_fraction=None, backend="qiskit.aer", random_state=0)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return QNNClassifier(**options).fit(rows, labels)

    clean = fit()
    submitted, real = [], _qiskit.submit

    def killed_after_four(primitive, pubs):
        if len(submitted) == 4:
            raise KeyboardInterrupt
        submitted.append(1)
        return real(primitive, pubs)

    set_checkpoint_dir(tmp_path / "jobs")
    try:
        monkeypatch.setattr(_qiskit, "submit", killed_after_four)
        with pytest.raises(KeyboardInterrupt):
            fit()
        assert len(list((tmp_path / "jobs").glob("*.pkl"))) == 4
        set_checkpoint_dir(tmp_path / "jobs")  # the rerun: a new session reads them back
        submitted.clear()
        monkeypatch.setattr(_qiskit, "submit", lambda p, pubs: submitted.append(1) or
                            real(p, pubs))
        resumed = fit()
    finally:
        set_checkpoint_dir(None)
    assert len(submitted) == 9 - 4  # 3 epochs x 3 batches, 4 of them read back
    assert resumed.module_.qnn.n_jobs_executed == 5
    np.testing.assert_array_equal(resumed.predict_proba(rows), clean.predict_proba(rows))


def test_readout_mitigation_records_the_flips_it_measured():
    kernel = QuantumKernel(feature_map="angle", backend="qiskit.remote", shots=500,
                           backend_options={"backend": FakeManilaV2()}, mitigation="readout",
                           random_state=0)
    quiet(kernel, X[:3])
    p10, p01 = kernel.mitigation_["readout"]  # per qubit P(1|0), P(0|1)
    assert p10.shape == p01.shape == (3,)
    assert ((0 <= p10) & (p10 < 0.5) & (0 <= p01) & (p01 < 0.5)).all()
    assert (p10 + p01).max() > 0  # a device with readout errors
