"""The projected quantum kernel (Huang et al. 2021) of a :class:`~qskew.QuantumKernel`.

``k(x, x') = exp(-γ Σ_q ||ρ_q(x) - ρ_q(x')||_F²)`` over the one-qubit reduced
states; with ``ρ_q = (I + r_q·σ) / 2`` the squared Frobenius distance is half
the squared distance of the Bloch vectors, so the kernel is a Gaussian on the
``3 n`` coordinates ``⟨X_q⟩, ⟨Y_q⟩, ⟨Z_q⟩``. Each distinct row is prepared or
measured once per call: exact from the cached states, sampled per measurement
setting, or measured on a device in 3 settings (all qubits in the X, Y or Z
basis) -- one Estimator job on a Qiskit target.
"""

import numpy as np

from qskew.backends import _cost, _memory, _qiskit, is_exact
from qskew.backends._noise import noise_of


def gram(kernel, X1, X2):
    """``K(X1, X2)`` (``X2`` None: the symmetric ``K(X1, X1)``) of encoded rows."""
    from sklearn.metrics.pairwise import rbf_kernel

    rows = X1 if X2 is None else np.vstack([X1, X2])
    U, inverse = np.unique(rows, axis=0, return_inverse=True)
    F = features(kernel, U, kernel._call_seed(X1, X2))[inverse.ravel()]
    if X2 is None:  # exactly symmetric with a unit diagonal (the products round apart)
        K = rbf_kernel(F, gamma=kernel.gamma / 2)
        K = (K + K.T) / 2
        np.fill_diagonal(K, 1.0)
        return K
    return rbf_kernel(F[: len(X1)], F[len(X1) :], gamma=kernel.gamma / 2)


def terms(n_qubits):
    """``(pauli, qubit)`` of every Bloch coordinate: all X, then all Y, then all Z."""
    return [(pauli, q) for pauli in "XYZ" for q in range(n_qubits)]


def features(kernel, X, seed):
    """``(len(X), 3 n)`` Bloch coordinates of distinct encoded rows (see
    :meth:`QuantumKernel.projected_features`)."""
    from qskew.backends import _statevector

    n = X.shape[1]
    wanted = terms(n)
    if not (kernel._exact or kernel._sampled):
        return _measured(kernel, X, wanted, seed)
    step = _memory.block_rows(kernel._state_bytes(n))
    blocks = []
    for start in range(0, len(X), step):
        values = _statevector.pauli_expvals(kernel._states(X[start : start + step]), n, wanted)
        blocks.append(values.cpu().numpy() if hasattr(values, "cpu") else values)
    F = np.concatenate(blocks) if blocks else np.empty((0, len(wanted)))
    if kernel._sampled:
        from qskew.backends import _shift

        F = _shift.sample_expvals(F, kernel.shots, np.random.default_rng(seed), wanted)
    return F


def _measured(kernel, X, wanted, seed):
    """Bloch coordinates from circuits: the feature map of every row, measured in the
    X, Y and Z bases."""
    import pennylane as qml

    from qskew.backends import _devices, _shift

    ops = qml.tape.make_qscript(kernel._unitary)(X, kernel._wires).operations
    rng = np.random.default_rng(seed)
    readout = "readout" in (kernel.mitigation or "")
    noise = noise_of(kernel.backend_options)
    if _qiskit.is_qiskit(kernel.backend):
        def count(jobs):
            kernel.n_jobs_executed += jobs

        gates, table, _ = _shift.gate_angles(ops)
        if readout and getattr(kernel, "_readout", None) is None:
            kernel._readout = {}
        evaluate = _qiskit.estimator(
            gates, kernel._wires, wanted, kernel.shots,
            _qiskit.target(kernel.backend, kernel.backend_options), rng=rng, on_job=count,
            optimization_level=_qiskit.optimization_level(kernel.backend,
                                                          kernel.backend_options),
            mode=_qiskit.execution_mode(kernel.backend, kernel.backend_options),
            readout_cache=kernel._readout if readout else None)
        values = evaluate(table.detach().numpy())
    else:
        device = _devices.make_device(kernel.backend, X.shape[1], seed=seed,
                                      options=kernel.backend_options)
        if noise is not None:
            values = _devices.noisy_expvals(ops, kernel._wires, wanted, noise, device)
            if kernel.shots is not None:
                values = _shift.sample_expvals(values, kernel.shots, rng, wanted)
            if readout:  # the specification's own flips, on every qubit
                values = np.clip(values / (1.0 - 2.0 * noise.readout), -1.0, 1.0)
                flips = np.full(X.shape[1], noise.readout)
                kernel.mitigation_ = {"readout": (flips, flips)}
        else:
            values = _devices.expvals(ops, kernel._wires, wanted, device, shots=kernel.shots,
                                      seed=seed)
    kernel.n_circuits_executed += 3 * len(X)  # one circuit per row and measurement basis
    return np.asarray(values, dtype=float)


def cost(kernel, rows, calls, cached, n_features, peak):
    """``estimate_cost`` of the projected kernel: ``rows`` distinct rows per call, each
    prepared once (exact) or measured in 3 settings per call (circuits)."""
    if is_exact(kernel.backend, None):
        states = max(0, rows - cached)
        if kernel.shots is None:
            return {**_cost.evaluations(True, states), **peak}
        return {**_cost.sampled(states, kernel.shots),
                "shots": 3 * rows * calls * kernel.shots, **peak}
    circuits = 3 * rows * calls
    if not _qiskit.is_qiskit(kernel.backend):
        return {**_cost.evaluations(False, circuits, kernel.shots), **peak}
    estimate = _cost.evaluations(False, circuits, kernel.shots, calls)  # one job a call
    if "readout" in (kernel.mitigation or ""):  # one calibration job of two circuits, once
        estimate = _cost.total(estimate, _cost.evaluations(False, 2, kernel.shots, 1))
    estimate.update(peak)
    return (_cost.on_hardware(estimate, kernel._transpiled_size(n_features)) if n_features
            else estimate)


def peak_bytes(kernel, rows, gram_bytes, n_features):
    """Peak bytes of one call: a block of states, ``3 n`` coordinates per row, the Gram
    matrix and its symmetrised copy."""
    state = kernel._state_bytes(n_features)
    states = (min(rows, _memory.block_rows(state)) * state
              if is_exact(kernel.backend, None) else 0)
    return 2 * gram_bytes + states + 3 * 8 * (3 * n_features + 1) * rows
