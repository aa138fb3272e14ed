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
"""

COUNTS = ("state_preparations", "circuits", "shots", "jobs")
#: Fixed QPU seconds per primitive job (see the module docstring).
SECONDS_PER_JOB = 3.0


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
    if any("qpu_seconds" in cost for cost in costs):
        out["qpu_seconds"] = round(sum(cost.get("qpu_seconds", 0.0) for cost in costs), 3)
    return out
