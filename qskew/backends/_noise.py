"""One noise specification for ``default.mixed`` and ``qiskit.aer``.

``backend_options={"noise": Noise(...)}`` (or the same fields as a dict, as a
TOML config writes them) adds the same errors on both simulators:

* ``depolarizing`` ``p``: after every one-qubit gate, ``ρ → (1 - p) ρ + p I/2``
  on its qubit (Qiskit's ``depolarizing_error(p, 1)``; PennyLane's
  ``DepolarizingChannel`` with ``3p/4``);
* ``depolarizing_2q`` ``p``: after every two-qubit gate, ``ρ → (1 - p) ρ + p I/4``
  on its pair (``depolarizing_error(p, 2)``; 16 Pauli Kraus operators);
* ``amplitude_damping`` ``γ``: after every gate, on each of its qubits
  (``amplitude_damping_error(γ)``, ``qml.AmplitudeDamping(γ)``);
* ``readout`` ``r``: every measured bit flips with probability ``r``
  (``ReadoutError([[1 - r, r], [r, 1 - r]])``). On ``default.mixed`` qskew
  applies it to the exact outcome distribution itself, then draws the shots
  (PennyLane 0.45's ``readout_prob`` fails on broadcast circuits).

"Every gate" means every gate of the circuit decomposed to qskew's gate set
(RX, RY, RZ, phase, H, CNOT, CZ, RZZ, ...), on both simulators: on
``qiskit.aer`` qskew then transpiles at ``optimization_level=0`` by default
(no gate merged away), so one specification gives statistically consistent
results on both. A fake IBM device's own noise comes with it on
``qiskit.remote``, or on ``qiskit.aer`` as ``{"noise": FakeManilaV2()}``
(``NoiseModel.from_backend``).
"""

from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class Noise:
    """Gate and readout errors, applied alike on ``default.mixed`` and ``qiskit.aer``.

    Parameters
    ----------
    depolarizing : float, default=0.0
        One-qubit depolarizing probability after each one-qubit gate.
    depolarizing_2q : float, default=0.0
        Two-qubit depolarizing probability after each two-qubit gate.
    amplitude_damping : float, default=0.0
        Damping ``γ`` on each qubit a gate acts on, after the gate.
    readout : float, default=0.0
        Probability that a measured bit is flipped.

    Examples
    --------
    >>> Noise(depolarizing=0.01, readout=0.02)
    Noise(depolarizing=0.01, depolarizing_2q=0.0, amplitude_damping=0.0, readout=0.02)
    >>> Noise.coerce({"readout": 0.05}).readout
    0.05
    """

    depolarizing: float = 0.0
    depolarizing_2q: float = 0.0
    amplitude_damping: float = 0.0
    readout: float = 0.0

    def __post_init__(self):
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"Noise.{item.name} must be a probability in [0, 1]; got "
                                 f"{value!r}.")
            object.__setattr__(self, item.name, float(value))
        if self.readout >= 0.5:
            raise ValueError(f"Noise.readout must be below 0.5 (a flip probability of 0.5 "
                             f"erases the outcome); got {self.readout!r}.")

    @classmethod
    def coerce(cls, value):
        """A :class:`Noise` from a :class:`Noise` or a dict of its fields (None stays None)."""
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = sorted(set(value) - {item.name for item in fields(cls)})
            if unknown:
                raise ValueError(f"unknown noise field(s) {unknown}; a noise specification "
                                 f"takes {[item.name for item in fields(cls)]}.")
            return cls(**value)
        raise TypeError("backend_options['noise'] must be a qskew Noise or a dict of its fields "
                        f"(or, on qiskit.aer, a Qiskit NoiseModel or BackendV2); got "
                        f"{type(value).__name__} {value!r}.")

    # -- default.mixed ------------------------------------------------------

    def channels(self, gate):
        """PennyLane channels to apply after ``gate`` (a gate of qskew's gate set)."""
        import pennylane as qml

        wires = list(gate.wires)
        out = []
        if len(wires) == 1 and self.depolarizing:
            out.append(qml.DepolarizingChannel(0.75 * self.depolarizing, wires=wires))
        if len(wires) == 2 and self.depolarizing_2q:
            out.append(qml.QubitChannel(_two_qubit_depolarizing(self.depolarizing_2q),
                                        wires=wires))
        if self.amplitude_damping:
            out += [qml.AmplitudeDamping(self.amplitude_damping, wires=w) for w in wires]
        return out

    def readout_distribution(self, probabilities, n_wires):
        """Outcome distribution ``(..., 2^n)`` read through independent bit flips."""
        if not self.readout:
            return probabilities
        r = self.readout
        flip = np.array([[1 - r, r], [r, 1 - r]])
        shape = probabilities.shape
        out = probabilities.reshape(-1, *([2] * n_wires))
        for axis in range(1, n_wires + 1):
            out = np.moveaxis(np.tensordot(out, flip, axes=([axis], [1])), -1, axis)
        return out.reshape(shape)

    def readout_expvals(self, values):
        """One-qubit Pauli expectations read through symmetric bit flips: ``(1 - 2r) ⟨P⟩``."""
        return (1 - 2 * self.readout) * values

    # -- qiskit.aer ---------------------------------------------------------

    def aer_model(self):
        """The same errors as a ``qiskit_aer.noise.NoiseModel``."""
        from qiskit_aer.noise import (
            NoiseModel,
            ReadoutError,
            amplitude_damping_error,
            depolarizing_error,
        )

        model = NoiseModel()
        one = ["rx", "ry", "rz", "p", "h", "x", "y", "z", "s", "t", "sx"]
        two = ["cx", "cz", "swap", "rzz", "rxx", "ryy"]
        damping = amplitude_damping_error(self.amplitude_damping) \
            if self.amplitude_damping else None
        if self.depolarizing or damping:
            error = depolarizing_error(self.depolarizing, 1)
            model.add_all_qubit_quantum_error(error.compose(damping) if damping else error, one)
        if self.depolarizing_2q or damping:
            error = depolarizing_error(self.depolarizing_2q, 2)
            if damping:
                error = error.compose(damping.tensor(damping))
            model.add_all_qubit_quantum_error(error, two)
        if self.readout:
            r = self.readout
            model.add_all_qubit_readout_error(ReadoutError([[1 - r, r], [r, 1 - r]]))
        return model


def _two_qubit_depolarizing(p):
    """Kraus operators of ``ρ → (1 - p) ρ + p I/4`` on two qubits."""
    paulis = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]),
              np.diag([1.0, -1.0])]
    ops = []
    for i, a in enumerate(paulis):
        for j, b in enumerate(paulis):
            weight = 1 - 15 * p / 16 if i == j == 0 else p / 16
            ops.append(np.sqrt(weight) * np.kron(a, b).astype(complex))
    return ops


def inverse_zero_row(flip_0_to_1, flip_1_to_0):
    """Row ``0`` of each qubit's inverse confusion matrix: ``(A00, A01)`` per qubit.

    A qubit read through ``P(1|0) = a``, ``P(0|1) = b`` has the confusion
    matrix ``M = [[1 - a, b], [a, 1 - b]]`` (columns: prepared state); with a
    tensor-product (local) readout model the mitigated probability of all
    zeros is ``Σ_s p(s) Π_i M_i⁻¹[0, s_i]``: calibration-matrix inversion, as
    Qiskit Experiments' ``LocalReadoutMitigator`` does.
    """
    a, b = np.asarray(flip_0_to_1, dtype=float), np.asarray(flip_1_to_0, dtype=float)
    det = 1.0 - a - b
    if np.any(det <= 0.05):
        raise ValueError(f"readout calibration found P(1|0) + P(0|1) of {np.max(a + b):.3f}: "
                         "the outcomes carry too little information to invert; the device "
                         "or noise specification is unusable for readout mitigation.")
    return (1.0 - b) / det, -b / det


def mitigated_zero_from_bits(bits, flip_0_to_1, flip_1_to_0):
    """Readout-mitigated probability of all zeros from shots ``bits`` ``(..., shots, n)``."""
    a00, a01 = inverse_zero_row(flip_0_to_1, flip_1_to_0)
    return np.where(bits, a01, a00).prod(axis=-1).mean(axis=-1)


def mitigated_zero_from_distribution(probabilities, flip_0_to_1, flip_1_to_0):
    """Readout-mitigated probability of all zeros from an observed outcome distribution
    ``(..., 2^n)`` (wire 0 the most significant bit, as in PennyLane)."""
    a00, a01 = inverse_zero_row(flip_0_to_1, flip_1_to_0)
    weights = np.ones(1)
    for q in range(len(np.atleast_1d(a00))):
        weights = np.kron(weights, [np.atleast_1d(a00)[q], np.atleast_1d(a01)[q]])
    return probabilities @ weights


def noise_of(options):
    """The :class:`Noise` in ``backend_options`` (None if there is none or it is Qiskit's)."""
    value = (options or {}).get("noise")
    if value is None or isinstance(value, (Noise, dict)):
        return Noise.coerce(value)
    return None


def check_noise(backend, options):
    """Refuse a ``backend_options["noise"]`` that ``backend`` would not apply."""
    value = (options or {}).get("noise")
    if value is None:
        return
    if backend not in ("default.mixed", "qiskit.aer"):
        raise ValueError(
            f"backend_options['noise'] is applied by qskew on 'default.mixed' and 'qiskit.aer'; "
            f"got backend={backend!r}. Use one of those (a fake IBM device brings its own "
            "noise on 'qiskit.remote').")
    if backend == "default.mixed":
        Noise.coerce(value)
