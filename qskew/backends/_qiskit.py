"""Qiskit targets (``qiskit.remote``, ``qiskit.aer``): one structure, one transpile, few jobs.

Why not PennyLane's ``qiskit.remote`` device: measured here (pennylane-qiskit
0.45), it transpiles every circuit and sends one Sampler job per circuit — a
30-row kernel became 435 jobs and ran past 300 s. A kernel's circuits all share
one *structure* (the same gates on the same wires; only the angles differ), so
qskew builds it once as a parameterised Qiskit circuit with one parameter per
gate angle, transpiles it once per backend (cached), and sends every angle set
as the bindings of a single ``SamplerV2`` PUB: one primitive job for all pairs,
split only where IBM's limit of 10 million executions (bindings × shots) per
Sampler job demands.

The user's spelling stays PennyLane's: ``backend="qiskit.remote",
backend_options={"backend": FakeManilaV2()}`` (any Qiskit ``BackendV2``: a
runtime backend or a fake one, whose local simulation includes the device's
noise) or ``backend="qiskit.aer"`` (``backend_options`` go to ``AerSimulator``).
"""

import weakref

import numpy as np

from qskew._exceptions import BackendError

#: Backend names that run through this module instead of a PennyLane device.
QISKIT_BACKENDS = frozenset({"qiskit.remote", "qiskit.aer"})
#: IBM's limit on one Sampler job: bindings times shots (the "job limits" guide).
MAX_EXECUTIONS_PER_JOB = 10_000_000
#: ``backend_options`` keys qskew reads (others are refused, never ignored).
OPTIONS = {"backend", "optimization_level"}
_GATES = {  # PennyLane operation -> QuantumCircuit method; same angle conventions
    "RX": "rx", "RY": "ry", "RZ": "rz", "PhaseShift": "p", "Hadamard": "h", "CNOT": "cx",
    "CZ": "cz", "PauliX": "x", "PauliY": "y", "PauliZ": "z", "S": "s", "T": "t",
    "SWAP": "swap", "IsingZZ": "rzz", "IsingXX": "rxx", "IsingYY": "ryy",
}
#: Transpiler seed: a fixed one makes every run route the same way and lets one transpiled
#: circuit serve every call (``random_state`` seeds the sampling).
TRANSPILE_SEED = 0
#: Transpiled circuits per device (dropped with the device object).
_TRANSPILED = weakref.WeakKeyDictionary()


def is_qiskit(backend):
    """Whether ``backend`` runs through qskew's Qiskit execution layer."""
    return backend in QISKIT_BACKENDS


def target(backend, options):
    """The Qiskit ``BackendV2`` to run on, from qskew's ``backend`` and ``backend_options``."""
    options = dict(options or {})
    unknown = sorted(set(options) - OPTIONS - ({"noise_model"} if backend == "qiskit.aer"
                                                 else set()))
    if unknown:
        raise ValueError(
            f"backend_options {unknown} are not used with backend={backend!r}; qskew reads "
            f"{sorted(OPTIONS)}. Remove them (credentials come from the saved IBM account, "
            "never from options).")
    if backend == "qiskit.aer":
        from qiskit_aer import AerSimulator

        return AerSimulator(**({"noise_model": options["noise_model"]}
                               if "noise_model" in options else {}))
    device = options.get("backend")
    if device is None or not hasattr(device, "target"):
        raise ValueError(
            "backend='qiskit.remote' needs backend_options={'backend': <a Qiskit BackendV2>}, "
            f"e.g. FakeManilaV2() or QiskitRuntimeService().backend(name); got {device!r}.")
    return device


def _primitive_ops(operations):
    for op in operations:
        if op.name in _GATES or (op.name == "MultiRZ" and len(op.wires) == 2):
            yield op
        else:
            yield from _primitive_ops(op.decomposition())


def structure(operations, wires):
    """A parameterised Qiskit circuit of a (broadcast) PennyLane circuit, and its angles.

    Parameters
    ----------
    operations : Sequence of pennylane.operation.Operator
        Broadcast over ``B`` rows (or not broadcast).
    wires : Sequence
        Wire order; PennyLane's wire ``i`` becomes qubit ``i``.

    Returns
    -------
    key : tuple
        The gates and wires, identical for every circuit of this structure.
    circuit : qiskit.QuantumCircuit
        Measuring every qubit, with one ``Parameter`` per gate angle.
    angles : ndarray of shape (B, n_parameters)
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    ops = list(_primitive_ops(operations))
    index = {wire: i for i, wire in enumerate(wires)}
    n_angles = sum(len(op.data) for op in ops)
    theta = ParameterVector("theta", n_angles)
    circuit = QuantumCircuit(len(wires))
    columns, key, k = [], [], 0
    for op in ops:
        qubits = [index[w] for w in op.wires]
        name = "rzz" if op.name == "MultiRZ" else _GATES[op.name]
        params = list(theta[k : k + len(op.data)])
        getattr(circuit, name)(*params, *qubits)
        columns += [np.asarray(value, dtype=float) for value in op.data]
        key.append((name, tuple(qubits)))
        k += len(op.data)
    circuit.measure_all()
    batch = max([np.size(c) for c in columns] + [1])
    angles = np.column_stack([np.broadcast_to(c, (batch,)) for c in columns]) if columns \
        else np.empty((batch, 0))
    return tuple(key), circuit, angles


def transpiled(key, circuit, device, optimization_level=1):
    """``circuit`` transpiled for ``device`` once per (structure, device, level)."""
    from qiskit import transpile

    cache = _TRANSPILED.setdefault(device, {})
    cache_key = (key, circuit.num_qubits, optimization_level)
    if cache_key not in cache:
        cache[cache_key] = transpile(circuit, device, optimization_level=optimization_level,
                                     seed_transpiler=TRANSPILE_SEED)
    return cache[cache_key]


def transpiled_size(operations, wires, device, optimization_level=1):
    """``depth`` and ``two_qubit_gates`` of the transpiled structure of ``operations``.

    The same cached circuit a run then uses, so the numbers are what executes.
    """
    key, circuit, _ = structure(operations, wires)
    compiled = transpiled(key, circuit, device, optimization_level)
    two_qubit = sum(1 for instruction in compiled.data
                    if instruction.operation.num_qubits == 2
                    and instruction.operation.name not in ("barrier", "measure"))
    return {"depth": compiled.depth(), "two_qubit_gates": two_qubit}


def jobs_needed(n_bindings, shots):
    """Sampler jobs for ``n_bindings`` parameter sets of one circuit at ``shots`` each.

    Examples
    --------
    >>> jobs_needed(276, 4000), jobs_needed(5000, 4000)
    (1, 2)
    """
    per_job = max(1, MAX_EXECUTIONS_PER_JOB // max(1, shots or 1))
    return -(-n_bindings // per_job) if n_bindings else 0


def submit(primitive, pubs):
    """Run ``pubs`` as one primitive job and wait for it (the one place jobs are sent)."""
    try:
        return primitive.run(pubs).result()
    except Exception as exc:
        raise BackendError(f"the Qiskit {type(primitive).__name__} job of {len(pubs)} PUB(s) "
                           f"failed: {exc}") from exc


def zero_probabilities(operations, wires, shots, device, *, seed=None,
                       optimization_level=1):
    """Estimated probability of the all-zeros outcome of each circuit of a broadcast batch.

    Parameters
    ----------
    operations : Sequence of pennylane.operation.Operator
        One structure, broadcast over ``B`` angle sets (e.g. the overlap
        circuits of every pair of a Gram matrix).
    wires : Sequence
    shots : int
    device : qiskit.providers.BackendV2
        From :func:`target`.
    seed : int, optional
        Fixes sampling on simulators and fake backends (transpilation is
        fixed by :data:`TRANSPILE_SEED`).

    Returns
    -------
    probabilities : ndarray of shape (B,)
    jobs : int
        Primitive jobs sent (see :func:`jobs_needed`).
    """
    from qiskit_ibm_runtime import SamplerV2

    if shots is None:
        raise ValueError(
            "a Qiskit backend samples its circuits: set shots (e.g. shots=4000); exact "
            "results need a statevector simulator such as backend='lightning.qubit'.")
    key, circuit, angles = structure(operations, wires)
    compiled = transpiled(key, circuit, device, optimization_level)
    options = {"default_shots": int(shots)}
    if _is_simulated(device):
        options["simulator"] = {"seed_simulator": 0 if seed is None else int(seed)}
    sampler = SamplerV2(mode=device, options=options)
    per_job = max(1, MAX_EXECUTIONS_PER_JOB // max(1, shots))
    out = []
    for start in range(0, len(angles), per_job):
        result = submit(sampler, [(compiled, angles[start : start + per_job])])
        bits = result[0].data.meas.array  # (bindings, shots, bytes)
        out.append((bits == 0).all(axis=-1).mean(axis=-1))
    return np.concatenate(out), jobs_needed(len(angles), shots)


def _is_simulated(device):
    module = type(device).__module__
    return "fake_provider" in module or module.startswith("qiskit_aer")


def expectations(batches, wires, terms, shots, device, *, seed=None, optimization_level=1):
    """Single-qubit Pauli expectation values of every circuit of some broadcast batches, in
    one job.

    Parameters
    ----------
    batches : Sequence of Sequence of pennylane.operation.Operator
        Broadcast circuits of one structure (e.g. each patch of a generator
        over a batch of latent vectors); their angle sets are stacked.
    wires : Sequence
    terms : Sequence of (str, int)
        ``(pauli, position)`` pairs, pauli in ``"X"``, ``"Y"``, ``"Z"``.
    shots : int
    device : qiskit.providers.BackendV2
    seed : int, optional
        Fixes sampling on simulators and fake backends (transpilation is
        fixed by :data:`TRANSPILE_SEED`).

    Returns
    -------
    values : ndarray of shape (total B, len(terms))
        In the order of ``batches``.
    jobs : int
        Primitive jobs sent: one ``EstimatorV2`` job (Estimator jobs are split
        by the service itself, so no execution limit applies).
    """
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_ibm_runtime import EstimatorV2

    if shots is None:
        raise ValueError(
            "a Qiskit backend samples its circuits: set shots (e.g. shots=4000); exact "
            "results need a statevector simulator such as backend='lightning.qubit'.")
    built = [structure(operations, wires) for operations in batches]
    key, circuit, _ = built[0]
    if any(other[0] != key for other in built):
        raise ValueError("expectations() needs circuits of one structure; got several.")
    angles = np.vstack([angles for _, _, angles in built])
    circuit.remove_final_measurements()
    compiled = transpiled(key + ("estimator",), circuit, device, optimization_level)
    observables = [[SparsePauliOp.from_sparse_list([(pauli, [pos], 1.0)], circuit.num_qubits)
                    .apply_layout(compiled.layout)] for pauli, pos in terms]
    options = {"default_shots": int(shots)}
    if _is_simulated(device):
        options["simulator"] = {"seed_simulator": 0 if seed is None else int(seed)}
    result = submit(EstimatorV2(mode=device, options=options),
                    [(compiled, observables, angles)])
    return np.asarray(result[0].data.evs, dtype=float).T, 1


def module_expectations(module, batches, wires, terms, *, train_elsewhere):
    """:func:`expectations` for a torch module with ``weights``, ``backend``, ``shots``, ``seed``.

    Refuses to run with gradients (training on the device is not supported:
    ``train_elsewhere`` says what to do instead), draws a fresh shot seed per
    call from the module's ``seed``, and counts jobs on ``module.n_jobs_executed``.
    """
    import torch

    if torch.is_grad_enabled() and module.weights.requires_grad:
        raise ValueError(
            f"{type(module).__name__} on {module.backend!r} evaluates but is not trained "
            "there (gradients would need parameter-shift sweeps on the device): train on a "
            f"simulator such as 'lightning.qubit', then evaluate under torch.no_grad() -- "
            f"{train_elsewhere} does both.")
    device = target(module.backend, module.backend_options)
    module._qiskit_calls = getattr(module, "_qiskit_calls", 0) + 1
    seed = None if module.seed is None else (int(module.seed) + module._qiskit_calls) % 2**31
    values, jobs = expectations(batches, wires, terms, module.shots, device, seed=seed)
    module.n_jobs_executed = getattr(module, "n_jobs_executed", 0) + jobs
    return torch.as_tensor(values, dtype=torch.float64)
