"""The one shape of a cost estimate, shared by every estimator's ``estimate_cost``.

A cost is a dict: ``mode`` (``"exact"``: qskew's statevector engine;
``"circuits"``: circuits executed on a device), ``state_preparations``
(statevectors the engine simulates, one per row of each batched forward
pass; backpropagation through them is not counted again), ``circuits``
(circuits a device executes; a broadcast tape of ``B`` rows counts ``B``)
``shots`` (in total) and ``jobs`` (primitive jobs sent to a Qiskit target;
0 elsewhere).
"""

COUNTS = ("state_preparations", "circuits", "shots", "jobs")


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
    return out
