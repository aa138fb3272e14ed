"""Backends: device resolution, the batched statevector engine, circuit execution.

The only subpackage that creates PennyLane devices and QNodes. Estimators
store a backend *name*, ``backend_options`` and ``shots``, and ask here in
``fit``: :func:`is_exact` decides between qskew's statevector engine
(:func:`batched_states`, :func:`simulate_states`) and circuits run on a
device (:func:`make_device`, :func:`execute`, :func:`make_qnode`). Private
modules: ``_qiskit`` (IBM targets in few batched jobs), ``_shift`` (sampled
circuits and their parameter-shift / SPSA gradients), ``_noise`` (the
:class:`Noise` specification and readout mitigation), ``_cost`` (estimates).

The names, limits and checks load without PennyLane; the engine and the
device functions load on first use.
"""

from qskew._lazy import lazy_attributes
from qskew.backends._capabilities import (
    STATEVECTOR_SIMULATORS,
    available_backends,
    check_backend,
    check_n_qubits,
    is_exact,
    is_sampled,
    qubit_limit,
)
from qskew.backends._checkpoint import set_checkpoint_dir
from qskew.backends._memory import MemoryBudgetError, memory_budget, set_memory_budget
from qskew.backends._noise import Noise

__getattr__, __dir__ = lazy_attributes(__name__, {
    "make_device": "._devices",
    "make_qnode": "._devices",
    "execute": "._devices",
    "batched_states": "._statevector",
    "simulate_states": "._statevector",
    "pauli_expvals": "._statevector",
})

__all__ = [
    "MemoryBudgetError",
    "Noise",
    "STATEVECTOR_SIMULATORS",
    "available_backends",
    "batched_states",
    "check_backend",
    "check_n_qubits",
    "execute",
    "is_exact",
    "is_sampled",
    "make_device",
    "make_qnode",
    "memory_budget",
    "pauli_expvals",
    "qubit_limit",
    "set_checkpoint_dir",
    "set_memory_budget",
    "simulate_states",
]
