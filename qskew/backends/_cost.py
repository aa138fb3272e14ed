"""The one shape of a cost estimate, shared by every estimator's ``estimate_cost``.

A cost is a dict: ``mode`` (``"exact"``: qskew's statevector engine;
``"circuits"``: circuits executed on a device), ``state_preparations``
(statevectors the engine simulates, one per row of each batched forward
pass; backpropagation through them is not counted again), ``circuits``
(circuits a device executes; a broadcast tape of ``B`` rows counts ``B``)
``shots`` (in total; drawn from exact values in ``"sampled"`` mode, where
shots on a statevector simulator cost state preparations, not circuits) and
``jobs`` (primitive jobs sent to a Qiskit target; 0 elsewhere). Given the
number of features, estimates also say ``peak_bytes``: the most memory held at
once (see :mod:`qskew.backends._memory`).

On a Qiskit target an estimate also gives the transpiled ``depth`` and
``two_qubit_gates`` of the circuit it runs, and ``qpu_seconds`` from this
model of IBM's "quantum time" (the time the QPU is locked for a job):
:data:`SECONDS_PER_JOB` per primitive job (loading and compiling its
circuits; IBM's workload-usage guide shows one small circuit at 4,096 shots
estimated at 4.1 quantum seconds, about 3 s of it beyond the shots) plus, per
shot, the device's repetition delay (``default_rep_delay``, 250 µs on current
IBM devices) and the transpiled circuit's duration. Queueing is not QPU time
and is not counted.

Estimates also give ``seconds``: the expected local compute time on a 2-core
CPU (this project's CI machine kind), from :func:`local_seconds` for quantum
work and :func:`classical_seconds` for the classical estimators a pipeline or
a stack holds. Unlike the counts, which are upper bounds, ``seconds`` is an
expectation (early stopping included), measured to within ±25 % of the cells
of the bundled protocols (experiments/README.md).
"""

import math
import os

COUNTS = ("state_preparations", "circuits", "shots", "jobs")
#: Fixed QPU seconds per primitive job (see the module docstring).
SECONDS_PER_JOB = 3.0
#: Local seconds per state of a forward pass (kernel states, predictions; batched: 6e-6 s
#: a QNN state and 1e-5 s a ZZ kernel state at 6 qubits, scoring 2.8 million rows) ...
SECONDS_PER_STATE = 8e-6
#: ... and per shot-based circuit on a local simulator; forward states cost double per
#: qubit beyond 10. A training loop's states: :func:`training_state_seconds`.
SECONDS_PER_CIRCUIT = 5e-3


def evaluations(exact, n, shots=None, jobs=0):
    """Cost of ``n`` single-circuit evaluations: ``n`` states, or ``n`` circuits with shots.

    Examples
    --------
    >>> evaluations(False, 10, shots=100)
    {'mode': 'circuits', 'state_preparations': 0, 'circuits': 10, 'shots': 1000, 'jobs': 0}
    """
    n = int(n)
    if exact:
        return {"mode": "exact", "state_preparations": n, "circuits": 0, "shots": 0, "jobs": 0}
    return {"mode": "circuits", "state_preparations": 0, "circuits": n,
            "shots": n * int(shots or 0), "jobs": int(jobs)}


def exact_states(n, qubits=None, *, training=False):
    """:func:`evaluations` of ``n`` exact states with their ``seconds`` (forward pass or,
    with ``training``, a training loop's).

    Examples
    --------
    >>> exact_states(1000, training=True)["seconds"]
    0.201
    """
    seconds = (local_seconds(training_states=n, qubits=qubits) if training
               else local_seconds(states=n, qubits=qubits))
    return {**evaluations(True, n), "seconds": seconds}


def sampled(n, shots):
    """Cost of ``n`` circuits whose shots are drawn from exact values on a statevector
    simulator: ``n`` state preparations and ``n * shots`` shots, no device circuits.

    Examples
    --------
    >>> sampled(10, 100)["shots"]
    1000
    """
    return {"mode": "sampled", "state_preparations": int(n), "circuits": 0,
            "shots": int(n) * int(shots), "jobs": 0}


def on_hardware(cost, size):
    """``cost`` with the transpiled ``depth``, ``two_qubit_gates`` and ``qpu_seconds``.

    ``size`` comes from :func:`qskew.backends._qiskit.transpiled_size`.

    Examples
    --------
    >>> cost = evaluations(False, 10, shots=1000, jobs=1)
    >>> on_hardware(cost, {"depth": 9, "two_qubit_gates": 2, "seconds_per_shot": 3e-4})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'mode': 'circuits', 'state_preparations': 0, 'circuits': 10, 'shots': 10000, 'jobs': 1,
     'depth': 9, 'two_qubit_gates': 2, 'qpu_seconds': 6.0}
    """
    qpu = (cost["jobs"] * SECONDS_PER_JOB + cost["shots"] * size["seconds_per_shot"]
           if size["seconds_per_shot"] else 0.0)
    return {**cost, "depth": size["depth"], "two_qubit_gates": size["two_qubit_gates"],
            "qpu_seconds": round(qpu, 3)}


def gradient_circuits(n_trainable, method):
    """Circuits per row one gradient of sampled circuits needs besides the forward one.

    ``"spsa"``: 2 whatever the number of trainable gate angles; the
    parameter-shift rule (``"best"``, ``"parameter-shift"``): 2 per angle.
    See :mod:`qskew.backends._shift`.

    Examples
    --------
    >>> gradient_circuits(12, "parameter-shift"), gradient_circuits(12, "spsa")
    (24, 2)
    """
    if not n_trainable:
        return 0
    return 2 if method == "spsa" else 2 * int(n_trainable)


def total(*costs):
    """Sum of costs: counts add up; ``mode`` is shared, else ``"mixed"``.

    Examples
    --------
    >>> total(evaluations(True, 3), evaluations(True, 4))["state_preparations"]
    7
    """
    costs = [cost for cost in costs if cost]
    modes = {cost["mode"] for cost in costs if cost.get("mode")}
    out = {"mode": modes.pop() if len(modes) == 1 else ("mixed" if modes else None)}
    for key in COUNTS:
        out[key] = sum(int(cost.get(key, 0)) for cost in costs)
    for key in ("depth", "two_qubit_gates", "peak_bytes"):  # the largest of them
        if any(key in cost for cost in costs):
            out[key] = max(cost.get(key, 0) for cost in costs)
    for key in ("qpu_seconds", "seconds"):
        if any(key in cost for cost in costs):
            out[key] = round(sum(cost.get(key, 0.0) for cost in costs), 3)
    return out


def training_state_seconds(qubits=None, layers=2):
    """Seconds per state of a training loop (forward, backpropagation, optimiser step) of a
    ``layers``-layer circuit on ``qubits`` qubits (4 when not given).

    ``(1.2 + 0.096 L n + 0.29e-3 L n 2^n) 1e-4``: fitted to QNN epochs of 32-row
    batches at 4-12 qubits and 1-4 layers on this machine kind, within -33 %/+22 % of
    each of the 15 measurements (2.0e-4 s at 4 qubits and 2 layers, 3.3e-3 s at 12
    and 2).

    Examples
    --------
    >>> round(training_state_seconds(4, 2) * 1e4, 1)
    2.0
    """
    n, width = (qubits or 4), layers * (qubits or 4)
    return (1.2 + 0.096 * width + 0.29e-3 * width * 2.0 ** n) * 1e-4


def local_seconds(states=0, training_states=0, circuits=0, qubits=None, layers=2):
    """Expected local seconds of ``states`` forward-pass states, ``training_states`` states
    of a training loop (:func:`training_state_seconds`) and ``circuits`` shot-based
    circuits.

    Examples
    --------
    >>> local_seconds(states=10_000, training_states=10_000)
    2.085
    >>> local_seconds(states=10_000, qubits=12)  # twice per qubit beyond 10
    0.32
    """
    forward = states * SECONDS_PER_STATE * 2.0 ** max(0, (qubits or 0) - 10)
    training = training_states * training_state_seconds(qubits, layers)
    return round(forward + training + circuits * SECONDS_PER_CIRCUIT, 3)


def classical_seconds(estimator, n_fit, n_predict=0, n_features=1, predict_calls=1,
                      positive_share=0.0):
    """Expected local seconds to fit a classical ``estimator`` on ``n_fit`` rows of
    ``n_features`` columns and predict ``n_predict`` rows ``predict_calls`` times.

    Tree ensembles: per tree, 1 ms plus 2.06e-8 s per ``n**1.4 sqrt(features)`` of its
    bootstrap, times ``1 + 4 positive_share`` (the share of the rarer class among the
    fitted rows: over-sampled frauds spread over the space make deeper trees, 1.2-1.4x on
    the full-size credit-card file at 9 %), and 3e-8 s per row predicted, over the cores
    ``n_jobs`` gives them (fitted to 200-60,000 rows of 30-80 features, within 20 %, and
    to 142,000-156,000 credit-card rows with 10 % bootstraps; a tree's size, hence its
    time, depends on how mixed the classes are, so on other data this is rougher); logistic
    regression 0.01 s plus 1.2e-7 s per value (0.5 s for 142,000 rows of 29 features); a
    pipeline: its last step. Anything else
    (scalers, SMOTE, an estimator this does not know): 0.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> round(classical_seconds(RandomForestClassifier(100), 20_000, n_features=30), 1)
    12.0
    """
    while isinstance(getattr(estimator, "steps", None), list):  # a pipeline: its model
        estimator = estimator.steps[-1][1]
    name = type(estimator).__name__
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    n_fit, n_features = max(int(n_fit), 2), max(int(n_features or 1), 1)
    if name in ("RandomForestClassifier", "ExtraTreesClassifier"):
        bootstrap = params.get("max_samples")
        rows = (n_fit if bootstrap is None else bootstrap * n_fit
                if isinstance(bootstrap, float) else min(bootstrap, n_fit))
        per_tree = (1e-3 + 2.06e-8 * rows ** 1.4 * math.sqrt(n_features)
                    * (1 + 4 * positive_share) + 3e-8 * n_predict * predict_calls)
        return round(params["n_estimators"] * per_tree / _cores(params.get("n_jobs")), 3)
    if name == "LogisticRegression":
        return round(0.01 + 1.2e-7 * n_fit * n_features, 3)
    return 0.0


def _cores(n_jobs):
    """Cores a scikit-learn ``n_jobs`` gives (None: one; negative: all)."""
    available = os.cpu_count() or 1
    if n_jobs is None:
        return 1
    return available if n_jobs < 0 else min(n_jobs, available)
