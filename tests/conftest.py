"""Put the repository root on sys.path.

tests/circuits/ and tests/qskew/ mirror the packages but are not packages: when
pytest puts tests/ on sys.path and the root is absent (bare ``pytest``, not
``python -m pytest``), ``import circuits`` would find tests/circuits/ as a
namespace package before the editable install's finder runs.
"""

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True)
def _fresh_state_cache():
    """Each test starts with an empty process-wide statevector cache."""
    from qskew import QuantumKernel

    QuantumKernel.clear_cache()
    yield


class Counts(dict):
    """Counted state preparations, circuits and shots (see :func:`simulated`)."""

    def of(self, cost):
        """The same keys of an ``estimate_cost`` result, to compare with ``self``."""
        return {key: cost[key] for key in self}


@pytest.fixture
def simulated(monkeypatch):
    """Count what really runs: states qskew's engine simulates and circuits devices execute.

    A spy on the entry points every estimator goes through --
    ``backends._statevector.simulate_states`` (exact and sampled mode),
    ``backends._statevector.sample_means`` / ``sample_distribution`` (shots drawn from
    exact values), the ``execute`` of
    every device ``backends._devices.make_device`` creates (circuit mode; a
    broadcast tape of ``B`` rows counts ``B`` circuits) and ``backends._qiskit.submit``
    (one primitive job; each parameter binding of a PUB counts one circuit) -- so an ``estimate_cost``
    is checked against what a run does (``simulated == simulated.of(cost)``),
    never against its own formula.
    """
    from qskew.backends import _devices, _qiskit, _statevector

    counts = Counts(state_preparations=0, circuits=0, shots=0, jobs=0)
    simulate, make_device = _statevector.simulate_states, _devices.make_device
    submit, sample_means = _qiskit.submit, _statevector.sample_means
    sample_distribution = _statevector.sample_distribution

    def counted_simulation(operations, wires, batch_size, **options):
        counts["state_preparations"] += batch_size
        return simulate(operations, wires, batch_size, **options)

    def counted_device(*args, **kwargs):
        device = make_device(*args, **kwargs)
        execute = device.execute

        def counted_execute(circuits, *rest, **options):
            for circuit in circuits if isinstance(circuits, (list, tuple)) else [circuits]:
                n = circuit.batch_size or 1
                counts["circuits"] += n
                counts["shots"] += n * (circuit.shots.total_shots or 0)
            return execute(circuits, *rest, **options)

        device.execute = counted_execute
        return device

    def counted_job(primitive, pubs):
        counts["jobs"] += 1
        for pub in pubs:
            bindings = len(pub[-1]) if len(pub) > 1 else 1
            # An Estimator measures each distinct single-qubit Pauli basis separately.
            settings = 1 if len(pub) < 3 else len(
                {p for row in pub[1] for obs in row for label in obs.paulis.to_labels()
                 for p in label if p != "I"})
            counts["circuits"] += bindings * settings
            counts["shots"] += bindings * settings * primitive.options.default_shots
        return submit(primitive, pubs)

    def counted_draws(probabilities, shots, rng):
        counts["shots"] += len(probabilities) * int(shots)
        return sample_means(probabilities, shots, rng)

    def counted_distributions(probabilities, shots, rng):
        counts["shots"] += len(probabilities) * int(shots)
        return sample_distribution(probabilities, shots, rng)

    monkeypatch.setattr(_statevector, "sample_distribution", counted_distributions)
    monkeypatch.setattr(_statevector, "simulate_states", counted_simulation)
    monkeypatch.setattr(_statevector, "sample_means", counted_draws)
    monkeypatch.setattr(_devices, "make_device", counted_device)
    monkeypatch.setattr(_qiskit, "submit", counted_job)
    return counts
