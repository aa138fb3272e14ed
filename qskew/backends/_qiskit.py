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
noise; or its name, ``"FakeManilaV2"`` / ``"ibm_brisbane"``, as a config
writes it; or an open Qiskit Runtime ``Session`` / ``Batch``, which then
receives every job) or ``backend="qiskit.aer"`` (with an optional ``noise``).

Trained models run their forward circuits, and when training the
parameter-shifted ones, through :func:`estimator`: one ``EstimatorV2`` job
per call (see :mod:`qskew.backends._shift`). Transpilation is cached per
structure, device and optimisation level, with a fixed seed and Sabre
layout, so the same seed gives the same numbers in every process.
"""

import random
import time
import weakref

import numpy as np

from qskew import _progress
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
#: circuit serve every call (``random_state`` seeds the sampling). Layout by Sabre with this
#: seed: Qiskit's default layout stage (VF2) chose different qubits for one circuit on one
#: fake device depending on the process (PYTHONHASHSEED) and on what was transpiled before
#: (measured with qiskit 2.3), which broke "same seed, same numbers" across runs.
TRANSPILE_SEED = 0
#: Transpiled circuits per device (dropped with the device object).
_TRANSPILED = weakref.WeakKeyDictionary()


def is_qiskit(backend):
    """Whether ``backend`` runs through qskew's Qiskit execution layer."""
    return backend in QISKIT_BACKENDS


def target(backend, options):
    """The Qiskit ``BackendV2`` to run on, from qskew's ``backend`` and ``backend_options``.

    ``qiskit.aer`` takes ``noise``: a :class:`~qskew.backends.Noise` (or a dict
    of its fields), a Qiskit ``NoiseModel``, or a ``BackendV2`` whose noise,
    basis and coupling map are copied (``AerSimulator.from_backend``, built
    on ``NoiseModel.from_backend``); ``noise_model`` is accepted as Aer's own
    name for a ``NoiseModel``.
    """
    options = dict(options or {})
    allowed = OPTIONS | ({"noise", "noise_model"} if backend == "qiskit.aer" else set())
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(
            f"backend_options {unknown} are not used with backend={backend!r}; qskew reads "
            f"{sorted(allowed)}. Remove them (credentials come from the saved IBM account, "
            "never from options; a device's own noise comes with it).")
    if backend == "qiskit.aer":
        return _aer(options.get("noise", options.get("noise_model")))
    device = options.get("backend")
    if isinstance(device, str):
        device = _named_device(device)
    if _is_execution_mode(device):
        device = device._backend
    if device is None or not hasattr(device, "target"):
        raise ValueError(
            "backend='qiskit.remote' needs backend_options={'backend': <a Qiskit BackendV2>}, "
            "e.g. FakeManilaV2() or QiskitRuntimeService().backend(name), or its name "
            f"('FakeManilaV2', 'ibm_brisbane'); got {device!r}.")
    return device


def _is_execution_mode(value):
    """Whether ``value`` is a Qiskit Runtime ``Session`` or ``Batch``."""
    return type(value).__name__ in ("Session", "Batch") and hasattr(value, "_backend")


def execution_mode(backend, options):
    """Where primitives send their jobs: the user's open ``Session`` / ``Batch`` given as
    ``backend_options["backend"]`` (every job of every call then runs in it, as Qiskit
    Runtime bills and schedules a session or batch), else the device itself (job mode)."""
    given = (options or {}).get("backend")
    return given if _is_execution_mode(given) else target(backend, options)


def optimization_level(backend, options):
    """Transpiler optimisation level: ``backend_options["optimization_level"]``, else 0 for
    a qskew :class:`~qskew.backends.Noise` on Aer (no gate merged away, so the noise falls
    on the gates ``default.mixed`` sees), else 1."""
    from qskew.backends._noise import noise_of

    options = options or {}
    if "optimization_level" in options:
        level = options["optimization_level"]
        if level not in (0, 1, 2, 3):
            raise ValueError(f"backend_options['optimization_level'] must be 0, 1, 2 or 3; "
                             f"got {level!r}.")
        return level
    return 0 if backend == "qiskit.aer" and noise_of(options) is not None else 1


#: Aer simulators per noise (a qskew Noise by value, other objects by identity, kept
#: alive here so an identity is never reused): the transpile cache then serves every call.
_AER = {}


def _aer(noise):
    """An ``AerSimulator`` with ``noise``."""
    from qiskit_aer import AerSimulator

    from qskew.backends._noise import Noise

    if isinstance(noise, dict):
        noise = Noise.coerce(noise)
    key = noise if noise is None or isinstance(noise, Noise) else id(noise)
    if key not in _AER:
        if noise is None:
            device = AerSimulator()
        elif isinstance(noise, Noise):
            device = AerSimulator(noise_model=noise.aer_model())
        elif hasattr(noise, "target"):  # a BackendV2: its noise, basis and coupling map
            device = AerSimulator.from_backend(noise)
        elif type(noise).__name__ == "NoiseModel":
            device = AerSimulator(noise_model=noise)
        else:
            raise TypeError(
                "backend_options['noise'] on 'qiskit.aer' must be a qskew Noise (or dict), a "
                f"Qiskit NoiseModel or a BackendV2; got {type(noise).__name__}.")
        _AER[key] = (noise, device)
    return _AER[key][1]


#: Devices named in ``backend_options`` (configs): one object per name, so the transpile
#: cache serves every estimator that names it.
_NAMED = {}


def _named_device(name):
    """A fake backend by class name (``"FakeManilaV2"``), else an IBM device by name from
    the saved account (``QiskitRuntimeService()``: credentials from the environment or the
    saved account, never from options)."""
    if name not in _NAMED:
        from qiskit_ibm_runtime import fake_provider

        if name.startswith("Fake"):
            if not hasattr(fake_provider, name):
                raise ValueError(f"no fake backend {name!r} in qiskit_ibm_runtime.fake_provider;"
                                 " e.g. 'FakeManilaV2', 'FakeSherbrooke'.")
            _NAMED[name] = getattr(fake_provider, name)()
        else:
            from qiskit_ibm_runtime import QiskitRuntimeService

            try:
                _NAMED[name] = QiskitRuntimeService().backend(name)
            except Exception as exc:
                raise BackendError(
                    f"could not open the IBM backend {name!r} with the saved account: {exc}. "
                    "Save one with QiskitRuntimeService.save_account(...) or set "
                    "QISKIT_IBM_TOKEN, or pass a fake backend such as 'FakeManilaV2'.") from exc
    return _NAMED[name]


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
    gates = list(_primitive_ops(operations))
    key, circuit = circuit_of(gates, wires)
    columns = [np.asarray(value, dtype=float) for gate in gates for value in gate.data]
    batch = max([np.size(c) for c in columns] + [1])
    angles = np.column_stack([np.broadcast_to(c, (batch,)) for c in columns]) if columns \
        else np.empty((batch, 0))
    return key, circuit, angles


def circuit_of(gates, wires):
    """``(key, circuit)``: gates of :func:`_primitive_ops` as a circuit with one parameter
    per angle (in gate order), measuring every qubit."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    index = {wire: i for i, wire in enumerate(wires)}
    theta = ParameterVector("theta", sum(len(gate.data) for gate in gates))
    circuit = QuantumCircuit(len(wires))
    key, k = [], 0
    for gate in gates:
        qubits = [index[w] for w in gate.wires]
        name = "rzz" if gate.name == "MultiRZ" else _GATES[gate.name]
        getattr(circuit, name)(*theta[k : k + len(gate.data)], *qubits)
        key.append((name, tuple(qubits)))
        k += len(gate.data)
    circuit.measure_all()
    return tuple(key), circuit


def transpiled(key, circuit, device, optimization_level=1):
    """``circuit`` transpiled for ``device`` once per (structure, device, level)."""
    from qiskit import transpile

    cache = _TRANSPILED.setdefault(device, {})
    cache_key = (key, circuit.num_qubits, optimization_level)
    if cache_key not in cache:
        cache[cache_key] = transpile(circuit, device, optimization_level=optimization_level,
                                     seed_transpiler=TRANSPILE_SEED, layout_method="sabre")
    return cache[cache_key]


def transpiled_size(operations, wires, device, optimization_level=1, *, estimator=False):
    """What the transpiled structure of ``operations`` costs on ``device``.

    The same cached circuit a run then uses, so the numbers are what executes.

    Parameters
    ----------
    operations : Sequence of pennylane.operation.Operator
    wires : Sequence
    device : qiskit.providers.BackendV2
    optimization_level : int, default=1
    estimator : bool, default=False
        The circuit as an Estimator runs it (no final measurements), as
        trained models do; else as a Sampler does (kernels).

    Returns
    -------
    dict
        ``depth``, ``two_qubit_gates`` and ``seconds_per_shot``: the device's
        repetition delay plus the circuit's duration from its target's gate
        durations (0 for a simulator without either).
    """
    gates = list(_primitive_ops(operations))
    key, circuit = circuit_of(gates, wires)
    if estimator:
        circuit.remove_final_measurements()
        key = key + ("estimator",)
    compiled = transpiled(key, circuit, device, optimization_level)
    two_qubit = sum(1 for instruction in compiled.data
                    if instruction.operation.num_qubits == 2
                    and instruction.operation.name not in ("barrier", "measure"))
    return {"depth": compiled.depth(), "two_qubit_gates": two_qubit,
            "seconds_per_shot": _seconds_per_shot(compiled, device)}


def _seconds_per_shot(compiled, device):
    rep_delay = getattr(device, "default_rep_delay", None)
    if rep_delay is None:  # a simulator: no QPU time
        return 0.0
    try:
        duration = compiled.estimate_duration(device.target, unit="s")
    except Exception:  # a target without gate durations: the delay dominates anyway
        duration = 0.0
    return float(rep_delay) + float(duration)


def jobs_needed(n_bindings, shots):
    """Sampler jobs for ``n_bindings`` parameter sets of one circuit at ``shots`` each.

    Examples
    --------
    >>> jobs_needed(276, 4000), jobs_needed(5000, 4000)
    (1, 2)
    """
    per_job = max(1, MAX_EXECUTIONS_PER_JOB // max(1, shots or 1))
    return -(-n_bindings // per_job) if n_bindings else 0


#: Retries of a transient failure (connection, timeout, a 408/429/5xx answer) before giving
#: up; waits grow as ``BACKOFF_SECONDS · 2^attempt`` (capped at ``BACKOFF_MAX_SECONDS``),
#: each scaled by a random jitter in [0.5, 1] so that many clients do not retry in step.
RETRIES = 5
BACKOFF_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0
#: HTTP answers worth retrying (timeout, rate limit, server errors).
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
_sleep = time.sleep  # tests replace it
_jitter = random.Random()  # never seeded from random_state: waits do not change results


def submit(primitive, pubs):
    """Run ``pubs`` as one primitive job and wait for it (the one place jobs are sent).

    Transient failures (:func:`is_transient`) are retried with exponential
    back-off and jitter, up to :data:`RETRIES` times: a failed *submission*
    is sent again (no job id exists yet), a failed *wait* polls the same job
    again by its id — a job is never submitted twice. Anything else (an
    invalid circuit, authentication, a job the service failed) raises
    :class:`~qskew.BackendError` at once, in one line naming the backend and
    the job.
    """
    where = _backend_name(primitive)
    job = _retrying(lambda: primitive.run(pubs),
                    f"submitting a {type(primitive).__name__} job of {len(pubs)} PUB(s) to "
                    f"{where}")
    job_id = _job_id(job)
    return _retrying(job.result, f"the {type(primitive).__name__} job {job_id} on {where}")


def run_job(primitive, pubs):
    """One primitive job's result, and whether it was sent now: read back from the
    checkpoint directory when a previous run finished it (see
    :mod:`qskew.backends._checkpoint`), else :func:`submit`-ted and stored."""
    from qskew.backends import _checkpoint

    if _checkpoint.directory() is None:
        return submit(primitive, pubs), True
    key = _checkpoint.job_key(primitive, pubs)
    stored = _checkpoint.load(key)
    if stored is not None:
        return stored, False
    result = submit(primitive, pubs)
    _checkpoint.save(key, result)
    return result, True


def _jobs_bar(primitive, total, device):
    """A progress bar over ``total`` primitive jobs (:mod:`qskew._progress`): on a QPU shown
    at once, since a queued job can take minutes; on a simulator after the usual delay, and
    never for a single job (the caller's epochs or blocks show that progress)."""
    live = not _is_simulated(device)
    if not (live or total > 1) or not _progress.enabled():
        return _progress.progress(verbose=0)
    return _progress.progress(total=total, unit="job", delay=0.0 if live else None,
                              desc=f"{type(primitive).__name__} jobs on "
                                   f"{_backend_name(primitive)}")


def _run_tracked(primitive, pubs, bar, device):
    """:func:`run_job`, then one ``bar`` update; on a QPU the bar first says it waits."""
    bar.set_postfix_str("job sent, waiting", refresh=not _is_simulated(device))
    result, fresh = run_job(primitive, pubs)
    bar.set_postfix_str("" if fresh else "from checkpoint", refresh=False)
    bar.update()
    return result, fresh


def _retrying(call, what):
    for attempt in range(RETRIES + 1):
        try:
            return call()
        except Exception as exc:
            if not is_transient(exc):
                raise BackendError(f"{what} failed: {type(exc).__name__}: {exc} (not "
                                   "retried: not a transient failure).") from exc
            if attempt == RETRIES:
                raise BackendError(f"{what} failed {RETRIES + 1} times, last with "
                                   f"{type(exc).__name__}: {exc}. The service may be down; "
                                   "try again later.") from exc
            delay = min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2**attempt)
            _sleep(delay * (0.5 + 0.5 * _jitter.random()))
    raise AssertionError("unreachable")  # pragma: no cover


def is_transient(exc):
    """Whether a failure is worth retrying: connection and timeout errors (Python's, the
    ``requests`` library's, Qiskit Runtime's job timeouts) and HTTP 408/425/429/5xx answers;
    not authentication, invalid input or a failed job."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    name, module = type(exc).__name__, type(exc).__module__
    if module.startswith("requests") and name in {"ConnectionError", "Timeout", "ReadTimeout",
                                                   "ConnectTimeout", "ChunkedEncodingError"}:
        return True
    if name in {"RuntimeJobTimeoutError", "JobTimeoutError"}:
        return True
    status = getattr(exc, "status_code", None)
    if name == "RequestsApiError" and status is not None:
        return status in _RETRYABLE_STATUS or status == -1  # -1: no answer at all
    return False


def _job_id(job):
    try:
        return job.job_id()
    except Exception:  # a local job without an id
        return "(no id)"


def _backend_name(primitive):
    try:
        device = primitive.backend()
    except Exception:  # not a runtime primitive
        device = getattr(getattr(primitive, "mode", None), "_backend", None)
    name = getattr(device, "name", None)
    name = name() if callable(name) else name
    return repr(name) if name else type(primitive).__name__


def zero_probabilities(operations, wires, shots, device, *, seed=None,
                       optimization_level=1, mitigate_readout=False, mode=None):
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
    optimization_level : int, default=1
    mode : Session, Batch or BackendV2, optional
        Where the jobs go (:func:`execution_mode`); default ``device``.
    mitigate_readout : bool, default=False
        Add two calibration circuits (all qubits the circuit measures
        prepared in 0, then in 1) to the first job, and return
        readout-mitigated estimates (local calibration-matrix inversion, see
        :func:`qskew.backends._noise.inverse_zero_row`).

    Returns
    -------
    probabilities : ndarray of shape (B,)
    jobs : int
        Primitive jobs sent (see :func:`jobs_needed`; fewer when a checkpoint held some).
    flips : tuple of two ndarrays of shape (n,), or None
        With ``mitigate_readout``: the measured per-qubit ``P(1|0)``, ``P(0|1)``.
    """
    from qiskit_ibm_runtime import SamplerV2

    from qskew.backends import _noise

    if shots is None:
        raise ValueError(
            "a Qiskit backend samples its circuits: set shots (e.g. shots=4000); exact "
            "results need a statevector simulator such as backend='lightning.qubit'.")
    key, circuit, angles = structure(operations, wires)
    compiled = transpiled(key, circuit, device, optimization_level)
    options = {"default_shots": int(shots)}
    if _is_simulated(device):
        options["simulator"] = {"seed_simulator": 0 if seed is None else int(seed)}
    sampler = SamplerV2(mode=mode or device, options=options)
    per_job = max(1, MAX_EXECUTIONS_PER_JOB // max(1, shots))
    calibration = _calibration_circuits(compiled, len(wires), device) if mitigate_readout \
        else []
    bits, flips, sent = [], None, 0
    with _jobs_bar(sampler, jobs_needed(len(angles), shots), device) as bar:
        for start in range(0, len(angles), per_job):
            pubs = [(compiled, angles[start : start + per_job])]
            result, fresh = _run_tracked(
                sampler, pubs + [(c,) for c in calibration] if start == 0 else pubs, bar,
                device)
            sent += fresh
            bits.append(result[0].data.meas.to_bool_array(order="little"))  # (B, shots, n)
            if start == 0 and calibration:
                zeros, ones = (r.data.meas.to_bool_array(order="little") for r in result[1:3])
                flips = zeros.mean(axis=0), 1.0 - ones.mean(axis=0)  # P(1|0), P(0|1)
    bits = np.concatenate(bits)
    values = (_noise.mitigated_zero_from_bits(bits, *flips) if flips is not None
              else (~bits).all(axis=-1).mean(axis=-1))
    return values, sent, flips


def _calibration_circuits(compiled, n_measured, device):
    """Circuits preparing all-zeros and all-ones on the physical qubits ``compiled``
    measures, read into the same classical bits."""
    from qiskit import ClassicalRegister, QuantumCircuit, transpile

    physical = compiled.layout.final_index_layout()[:n_measured] if compiled.layout \
        else list(range(n_measured))
    out = []
    for flip in (False, True):
        circuit = QuantumCircuit(compiled.num_qubits)
        circuit.add_register(ClassicalRegister(n_measured, "meas"))
        if flip:
            circuit.x(physical)
        circuit.measure(physical, range(n_measured))
        out.append(transpile(circuit, device, initial_layout=list(range(compiled.num_qubits)),
                             optimization_level=0, seed_transpiler=TRANSPILE_SEED))
    return out


def _is_simulated(device):
    module = type(device).__module__
    return "fake_provider" in module or module.startswith("qiskit_aer")


def estimator(gates, wires, terms, shots, device, *, rng, on_job=None,
              optimization_level=1, mode=None, readout_cache=None):
    """``evaluate(angles)`` running angle sets of one structure as one ``EstimatorV2`` job.

    Parameters
    ----------
    gates : Sequence of pennylane.operation.Operator
        From :func:`_primitive_ops` (their angles are ignored: each call
        binds its own).
    wires : Sequence
    terms : Sequence of (str, int)
        ``(pauli, position)`` pairs, pauli in ``"X"``, ``"Y"``, ``"Z"``.
    shots : int
    device : qiskit.providers.BackendV2
        From :func:`target`.
    rng : numpy.random.Generator
        Draws each job's simulator seed (simulators and fake backends).
    on_job : callable, optional
        Called with the number of jobs after each one.
    optimization_level : int, default=1
    mode : Session, Batch or BackendV2, optional
        Where the jobs go (:func:`execution_mode`); default ``device``.
    readout_cache : dict, optional
        Mitigate readout errors: the first call measures each measured
        qubit's ``P(1|0)`` and ``P(0|1)`` (two calibration circuits in one
        Sampler job, kept in this dict for later calls) and every value
        becomes ``(⟨P⟩ - (b - a)) / (1 - a - b)``, the inverse of the local
        confusion matrix (a basis-rotated X or Y reads through the same
        qubit).

    Returns
    -------
    callable
        ``evaluate(angles)``: ``(N, A)`` angle sets to ``(N, len(terms))``
        expectation values, in one primitive job (Estimator jobs are split
        by the service itself, so no execution limit applies).
    """
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_ibm_runtime import EstimatorV2

    if shots is None:
        raise ValueError(
            "a Qiskit backend samples its circuits: set shots (e.g. shots=4000); exact "
            "results need a statevector simulator such as backend='lightning.qubit'.")
    key, circuit = circuit_of(gates, wires)
    circuit.remove_final_measurements()
    compiled = transpiled(key + ("estimator",), circuit, device, optimization_level)
    observables = [[SparsePauliOp.from_sparse_list([(pauli, [pos], 1.0)], circuit.num_qubits)
                    .apply_layout(compiled.layout)] for pauli, pos in terms]

    positions = [pos for _, pos in terms]

    def evaluate(angles):
        options = {"default_shots": int(shots)}
        if _is_simulated(device):
            options["simulator"] = {"seed_simulator": int(rng.integers(2**31))}
        flips = None
        if readout_cache is not None:
            if (key, id(device)) not in readout_cache:
                readout_cache[(key, id(device))], fresh = _measure_flips(
                    compiled, len(wires), device, options, mode)
                if on_job is not None and fresh:
                    on_job(1)
            flips = readout_cache[(key, id(device))]
        primitive = EstimatorV2(mode=mode or device, options=options)
        with _jobs_bar(primitive, 1, device) as bar:
            result, fresh = _run_tracked(
                primitive, [(compiled, observables, np.asarray(angles, dtype=float))], bar,
                device)
        if on_job is not None and fresh:
            on_job(1)
        values = np.asarray(result[0].data.evs, dtype=float).T
        if flips is None:
            return values
        a, b = flips[0][positions], flips[1][positions]
        return np.clip((values - (b - a)) / (1.0 - a - b), -1.0, 1.0)

    return evaluate


def _measure_flips(compiled, n_measured, device, options, mode):
    """Per measured qubit ``(P(1|0), P(0|1))`` from one Sampler job of two calibration
    circuits (see :func:`_calibration_circuits`), and whether that job was sent now."""
    from qiskit_ibm_runtime import SamplerV2

    from qskew.backends._noise import inverse_zero_row

    primitive = SamplerV2(mode=mode or device, options=options)
    with _jobs_bar(primitive, 1, device) as bar:
        result, fresh = _run_tracked(
            primitive, [(c,) for c in _calibration_circuits(compiled, n_measured, device)],
            bar, device)
    zeros, ones = (r.data.meas.to_bool_array(order="little") for r in result)
    flips = zeros.mean(axis=0), 1.0 - ones.mean(axis=0)
    inverse_zero_row(*flips)  # refuses a readout too poor to invert
    return flips, fresh
