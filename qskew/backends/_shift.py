"""Sampled expectation values with gradients: every circuit of a training step in one sweep.

Shots make a circuit's expectation values random, so backpropagating through
a simulation no longer tells what a device would: qskew then differentiates
the way hardware must, over *gate angles*. A broadcast circuit is decomposed
into Pauli-rotation gates (RX, RY, RZ, phase, RZZ, ...); its angles form one
``(B, A)`` table, a differentiable torch function of the inputs and weights.
Every gradient is taken over the angle columns that require one:

* ``"parameter-shift"``: for each such angle ``θ``, ``∂f/∂θ = [f(θ + π/2) -
  f(θ - π/2)] / 2`` (exact for Pauli rotations, Mitarai et al. 2018; Schuld
  et al. 2019): ``2 A'`` shifted circuits per row.
* ``"spsa"``: all angles of a row shifted at once by ``±c`` along a random
  sign vector ``Δ`` (Spall 1992): ``∂f/∂θ ≈ [f(θ + cΔ) - f(θ - cΔ)] / (2c) · Δ``,
  2 circuits per row whatever ``A'``; unbiased to ``O(c²)``, noisier.

The forward circuits and every shifted one go to ``evaluate`` in one call:
on a Qiskit target that is one primitive job per training step; on a
statevector simulator with shots the values are drawn from the exact ones
(:func:`sampled_simulator`); on ``default.mixed`` with a qskew
:class:`~qskew.backends.Noise` they are the exact noisy ones, then shots
(:func:`noisy_simulator`). The rule stays exact under noise channels placed
after the gates, which do not depend on the angles. torch's chain rule then
carries the angle gradients to whatever the angles depend on.
"""

import math as pymath

import numpy as np
import pennylane as qml
import torch

from qskew.backends import _statevector
from qskew.backends._noise import noise_of
from qskew.backends._qiskit import _primitive_ops

#: Shift of the parameter-shift rule for Pauli rotations.
SHIFT = pymath.pi / 2
#: SPSA perturbation ``c`` (Qiskit's ``SPSA.calibrate`` default; large enough that
#: shot noise is not amplified by a tiny denominator).
SPSA_PERTURBATION = 0.2
#: Gradient methods for sampled circuits (``"best"`` is the parameter-shift rule).
METHODS = ("best", "parameter-shift", "spsa")
#: Bytes of statevectors one simulator chunk may hold.
_CHUNK_BYTES = 64 * 2**20


def gate_angles(operations):
    """Pauli-rotation gates of a broadcast circuit and their angles as one table.

    Parameters
    ----------
    operations : Sequence of pennylane.operation.Operator
        Broadcast over ``B`` rows (or not); angles may be torch tensors that
        require gradients.

    Returns
    -------
    gates : list of pennylane.operation.Operator
        Gates of :data:`qskew.backends._qiskit._GATES` (and 2-wire ``MultiRZ``).
    table : torch.Tensor of shape (B, A), float64
        Angle ``k`` of row ``b`` in gate order, still attached to torch's graph.
    trainable : ndarray of bool, shape (A,)
        Which angle columns require a gradient.
    """
    gates = list(_primitive_ops(operations))
    columns = [torch.as_tensor(value, dtype=torch.float64).reshape(-1)
               for gate in gates for value in gate.data]
    batch = max([len(c) for c in columns] + [1])
    if not columns:
        return gates, torch.zeros((batch, 0), dtype=torch.float64), np.zeros(0, dtype=bool)
    table = torch.stack([c.expand(batch) for c in columns], dim=1)
    return gates, table, np.array([c.requires_grad for c in columns], dtype=bool)


def with_angles(gates, angles):
    """The gates of :func:`gate_angles` with the angle columns of ``angles`` (numpy)."""
    out, k = [], 0
    for gate in gates:
        n = len(gate.data)
        out.append(qml.ops.functions.bind_new_parameters(
            gate, [angles[:, j] for j in range(k, k + n)]) if n else gate)
        k += n
    return out


def expectations(table, trainable, evaluate, *, method="best", rng=None):
    """Expectation values of every row of an angle table, differentiable by shifts.

    Parameters
    ----------
    table : torch.Tensor of shape (B, A)
        From :func:`gate_angles` (rows of several circuits of one structure
        may be stacked).
    trainable : ndarray of bool, shape (A,)
    evaluate : callable
        ``evaluate(angles) -> values``: numpy ``(N, A)`` angle sets to numpy
        ``(N, T)`` expectation values; called once per forward pass, with the
        shifted sets appended when a gradient is needed.
    method : {"best", "parameter-shift", "spsa"}, default="best"
    rng : numpy.random.Generator, optional
        SPSA's directions.

    Returns
    -------
    torch.Tensor of shape (B, T), float64
    """
    if method not in METHODS:
        raise ValueError(f"diff_method for sampled circuits must be one of {list(METHODS)}; "
                         f"got {method!r}.")
    needs_grad = torch.is_grad_enabled() and table.requires_grad and bool(trainable.any())
    if not needs_grad:
        return torch.as_tensor(evaluate(table.detach().cpu().numpy()), dtype=torch.float64)
    rng = np.random.default_rng() if rng is None else rng
    return _Shifted.apply(table, evaluate, trainable, method, rng)


class _Shifted(torch.autograd.Function):
    """Forward and shifted circuits in one ``evaluate`` call; backward from the saved rule."""

    @staticmethod
    def forward(ctx, table, evaluate, trainable, method, rng):
        angles = table.detach().cpu().numpy()
        batch = len(angles)
        shifted, combine = _gradient_sets(angles, np.flatnonzero(trainable), method, rng)
        values = np.asarray(evaluate(np.vstack([angles, shifted])), dtype=float)
        ctx.save_for_backward(torch.as_tensor(combine(values[batch:]), device=table.device))
        return torch.as_tensor(values[:batch], dtype=torch.float64, device=table.device)

    @staticmethod
    def backward(ctx, grad_output):
        (jacobian,) = ctx.saved_tensors  # (B, T, A)
        return torch.einsum("bt,bta->ba", grad_output, jacobian), None, None, None, None


def _gradient_sets(angles, columns, method, rng):
    """Shifted angle sets and the map from their values to the ``(B, T, A)`` Jacobian."""
    batch, n_angles = angles.shape
    if method == "spsa":
        signs = rng.choice([-1.0, 1.0], size=(batch, len(columns)))
        plus, minus = angles.copy(), angles.copy()
        plus[:, columns] += SPSA_PERTURBATION * signs
        minus[:, columns] -= SPSA_PERTURBATION * signs

        def combine(values):
            slope = (values[:batch] - values[batch:]) / (2 * SPSA_PERTURBATION)  # (B, T)
            jacobian = np.zeros((batch, slope.shape[1], n_angles))
            jacobian[:, :, columns] = slope[:, :, None] * signs[:, None, :]
            return jacobian

        return np.vstack([plus, minus]), combine
    shifted = np.repeat(angles[None, None], len(columns), axis=1).repeat(2, axis=0)
    for i, column in enumerate(columns):
        shifted[0, i, :, column] += SHIFT
        shifted[1, i, :, column] -= SHIFT

    def combine(values):
        values = values.reshape(2, len(columns), batch, -1)
        jacobian = np.zeros((batch, values.shape[-1], n_angles))
        jacobian[:, :, columns] = ((values[0] - values[1]) / 2).transpose(1, 2, 0)
        return jacobian

    return shifted.reshape(-1, n_angles), combine


def sampled_simulator(gates, wires, terms, shots, rng):
    """``evaluate`` for a statevector simulator with shots: exact values, then shot noise.

    Each ``⟨P⟩`` is the mean of ``shots`` outcomes ``±1`` with
    ``P(+1) = (1 + ⟨P⟩) / 2``: drawn as one binomial per circuit and term,
    the distribution a device's counts give, at the cost of one batched
    simulation.
    """
    n_wires = len(wires)
    chunk = max(1, _CHUNK_BYTES // (16 * 2**n_wires))

    def evaluate(angles):
        exact = np.empty((len(angles), len(terms)))
        for start in range(0, len(angles), chunk):
            part = angles[start : start + chunk]
            states = _statevector.simulate_states(with_angles(gates, part), wires, len(part))
            exact[start : start + chunk] = _statevector.pauli_expvals(states, n_wires, terms)
        return sample_expvals(exact, shots, rng, terms)

    return evaluate


def noisy_simulator(gates, wires, terms, module, rng):
    """``evaluate`` on ``default.mixed`` with a qskew :class:`~qskew.backends.Noise`: exact
    noisy values (channels after every gate, readout flips), then shots if any."""
    from qskew.backends import _devices

    noise = noise_of(module.backend_options)
    if getattr(module, "_mixed_device", None) is None:
        module._mixed_device = _devices.make_device(module.backend, len(wires),
                                                    options=module.backend_options)
    device = module._mixed_device

    def evaluate(angles):
        values = _devices.noisy_expvals(with_angles(gates, angles), list(wires), terms, noise,
                                        device)
        if module.shots is not None:
            values = sample_expvals(values, module.shots, rng, terms)
        if getattr(module, "mitigation", None) == "readout":  # the specification's own flips
            values = np.clip(values / (1.0 - 2.0 * noise.readout), -1.0, 1.0)
        return values

    return evaluate


def sample_expvals(exact, shots, rng, terms):
    """Shot estimates of ``±1``-valued Pauli observables with exact means ``exact``.

    Terms of one Pauli letter (one measurement setting) are read from the same
    shots of a circuit, as an Estimator measures them; each is a binomial with
    ``P(+1) = (1 + ⟨P⟩) / 2``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sample_expvals(np.array([[1.0, -1.0]]), 10, rng, [("Z", 0), ("Z", 1)])
    array([[ 1., -1.]])
    """
    out = np.empty_like(exact)
    for letter in sorted({pauli for pauli, _ in terms}):
        columns = [i for i, (pauli, _) in enumerate(terms) if pauli == letter]
        ones = _statevector.sample_means((1 + exact[:, columns]) / 2, shots, rng)
        out[:, columns] = 2 * ones - 1
    return out


def _readout_cache(module):
    """The module's readout calibrations (None without ``mitigation="readout"``)."""
    if getattr(module, "mitigation", None) != "readout":
        return None
    if getattr(module, "_readout", None) is None:
        module._readout = {}
    return module._readout


def check_mitigation(mitigation, backend, shots, options):
    """Refuse a trained model's ``mitigation`` where there is no readout error to undo."""
    if mitigation is None:
        return
    if mitigation != "readout":
        raise ValueError(f"mitigation for trained models must be None or 'readout'; got "
                         f"{mitigation!r} (depolarizing mitigation is the kernel's).")
    from qskew.backends import _qiskit

    if not (_qiskit.is_qiskit(backend) or noise_of(options) is not None):
        raise ValueError(
            "mitigation='readout' needs a readout error to undo: a Qiskit target (calibrated "
            "on the device) or 'default.mixed' with backend_options={'noise': "
            f"Noise(readout=...)}}; got backend={backend!r}, shots={shots!r}.")


def module_expectations(module, batches, wires, terms):
    """Sampled expectation values of a torch module's circuits, differentiable by shifts.

    Parameters
    ----------
    module : torch.nn.Module
        With ``backend``, ``backend_options``, ``shots``, ``diff_method`` and
        ``seed``; its shot stream (seeded by ``seed``) advances with every call,
        and ``module.n_jobs_executed`` counts the primitive jobs sent.
    batches : Sequence of Sequence of pennylane.operation.Operator
        Broadcast circuits of one structure (e.g. a generator's patches over
        one batch of latent vectors); their rows are stacked.
    wires : Sequence
    terms : Sequence of (str, int)

    Returns
    -------
    torch.Tensor of shape (total rows, len(terms)), float64
        On a Qiskit target every circuit of the call, shifted ones included,
        is one primitive job; on a statevector simulator the values are drawn
        from the exact ones (:func:`sampled_simulator`).
    """
    from qskew.backends import _qiskit

    tables = [gate_angles(operations) for operations in batches]
    gates, _, trainable = tables[0]
    table = torch.cat([t for _, t, _ in tables]) if len(tables) > 1 else tables[0][1]
    if getattr(module, "_shot_rng", None) is None:
        module._shot_rng = np.random.default_rng(module.seed)
    rng = module._shot_rng
    if _qiskit.is_qiskit(module.backend):
        def count(jobs):
            module.n_jobs_executed = getattr(module, "n_jobs_executed", 0) + jobs

        device = _qiskit.target(module.backend, module.backend_options)
        evaluate = _qiskit.estimator(
            gates, wires, terms, module.shots, device, rng=rng, on_job=count,
            optimization_level=_qiskit.optimization_level(module.backend,
                                                          module.backend_options),
            mode=_qiskit.execution_mode(module.backend, module.backend_options),
            readout_cache=_readout_cache(module))
    elif noise_of(module.backend_options) is not None:
        evaluate = noisy_simulator(gates, wires, terms, module, rng)
    else:
        evaluate = sampled_simulator(gates, wires, terms, module.shots, rng)
    return expectations(table, trainable, evaluate, method=module.diff_method, rng=rng)
