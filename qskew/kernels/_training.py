"""Kernel training: trainable feature-map layers fitted to class-balanced kernel-target alignment.

Hubregtsen et al. (2022, PRA 106:042431) train the layers of
:func:`circuits.trainable_feature_map` to maximise kernel-target alignment,
as Qiskit ML's ``QuantumKernelTrainer`` does. On skewed labels the plain
alignment is dominated by majority pairs, so qskew maximises the
class-balanced alignment (:func:`qskew.metrics.kernel_target_alignment` with
``balanced=True``) on mini-batches that hold every class equally.

* Exact kernels: Adam on torch gradients backpropagated through the exact
  statevectors (:mod:`qskew.backends._statevector`).
* Sampled and circuit kernels (shots, noise, a QPU): SPSA (Spall 1992) on
  the alignment of each mini-batch's measured Gram matrix: two kernel
  evaluations per step whatever the number of weights.
"""

import functools
from numbers import Integral, Real

import numpy as np

from qskew import _progress
from qskew.metrics import kernel_target_alignment

#: Training options and their defaults (``QuantumKernelSVC(kernel_training=...)``).
DEFAULTS = {"steps": 60, "batch_size": 48, "learning_rate": None, "method": "auto"}
#: Default step sizes: Adam's learning rate for backpropagation; for SPSA the mean size (in
#: radians) of the first step, from which its gain ``a`` is calibrated on the first gradient
#: estimate (as Qiskit's ``SPSA.calibrate`` sets ``a`` from a target magnitude).
LEARNING_RATES = {"backprop": 0.05, "spsa": 0.2}
#: SPSA perturbation ``c`` (gain ``c / (k+1)^0.101``, Spall's schedule).
SPSA_PERTURBATION = 0.2
#: Most rows the alignment before and after training is measured on (exact kernels).
EVALUATION_ROWS = 512


def check_training(value):
    """The training options of ``kernel_training`` (None, ``"alignment"`` or a dict).

    Examples
    --------
    >>> check_training("alignment")["steps"]
    60
    >>> check_training({"steps": 10, "method": "spsa"})["method"]
    'spsa'
    """
    if value is None:
        return None
    if isinstance(value, str):  # the parameter constraints admit only "alignment"
        return dict(DEFAULTS)
    unknown = sorted(set(value) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"kernel_training options must be among {sorted(DEFAULTS)}; got "
                         f"{unknown}. Example: kernel_training={{'steps': 100}}.")
    options = {**DEFAULTS, **value}
    for name in ("steps", "batch_size"):
        number = options[name]
        if not isinstance(number, Integral) or isinstance(number, bool) or number < (
                1 if name == "steps" else 4):
            raise ValueError(f"kernel_training[{name!r}] must be an integer >= "
                             f"{1 if name == 'steps' else 4}; got {number!r}.")
    rate = options["learning_rate"]
    if rate is not None and (not isinstance(rate, Real) or isinstance(rate, bool)
                             or not rate > 0):
        raise ValueError(f"kernel_training['learning_rate'] must be a positive number or "
                         f"None (the method's default); got {rate!r}.")
    if options["method"] not in ("auto", "backprop", "spsa"):
        raise ValueError(f"kernel_training['method'] must be 'auto', 'backprop' or 'spsa'; "
                         f"got {options['method']!r}.")
    return options


def method_of(options, exact):
    """``"backprop"`` on exact kernels, ``"spsa"`` elsewhere, unless the options say."""
    if options["method"] == "auto":
        return "backprop" if exact else "spsa"
    if options["method"] == "backprop" and not exact:
        raise ValueError(
            "kernel_training method 'backprop' differentiates exact statevectors; this kernel "
            "samples circuits (shots, noise or a device). Use method='spsa' (or 'auto').")
    return options["method"]


def balanced_batch(codes, size, rng):
    """Indices of a mini-batch with every class equally represented (as far as it can be)."""
    classes = np.unique(codes)
    share = max(2, size // len(classes))
    return np.concatenate([rng.choice(np.flatnonzero(codes == c),
                                      size=min(share, int(np.sum(codes == c))), replace=False)
                           for c in classes])


def train(kernel, X, codes, options, rng):
    """Weights of the kernel's trainable layers maximising balanced alignment on ``X``.

    Parameters
    ----------
    kernel : QuantumKernel
        Its encoding, bandwidth and backend; its ``weights`` are ignored
        (training starts from zeros, the plain feature map).
    X : ndarray of shape (n_samples, n_features)
    codes : ndarray of shape (n_samples,), int
        Class index of each row (two classes at least).
    options : dict
        From :func:`check_training`.
    rng : numpy.random.Generator

    Returns
    -------
    weights : ndarray of shape ``trainable_weights_shape(n_features, reps, entanglement)``
    info : dict
        ``method``, ``steps``, ``batch_size``, ``learning_rate``;
        ``history`` (the mini-batch balanced alignment of each step); with an
        exact kernel ``alignment_before`` and ``alignment_after`` on up to
        :data:`EVALUATION_ROWS` rows (the same rows for both).
    """
    from circuits import trainable_weights_shape
    from qskew.backends import is_exact

    exact = is_exact(kernel.backend, kernel.shots)
    method = method_of(options, exact)
    rate = options["learning_rate"] or LEARNING_RATES[method]
    shape = trainable_weights_shape(X.shape[1], kernel.reps, kernel.entanglement)
    step = _backprop if method == "backprop" else _spsa
    with _progress.progress(total=options["steps"], desc="QuantumKernel training",
                            unit="step", verbose=kernel.verbose) as bar:
        weights, history = step(kernel, X, codes, shape, options, rate, rng, bar)
    info = {"method": method, "steps": options["steps"], "batch_size": options["batch_size"],
            "learning_rate": rate, "history": history}
    if exact:
        rows = balanced_batch(codes, EVALUATION_ROWS, rng)
        for name, w in (("alignment_before", np.zeros(shape)), ("alignment_after", weights)):
            K = kernel.set_params(weights=w)(X[rows])
            info[name] = kernel_target_alignment(K, codes[rows], balanced=True)
        kernel.set_params(weights=None)
    return weights, info


def _balanced_target(codes):
    """``T_ij w_i w_j`` of the balanced alignment, its Frobenius norm folded in."""
    classes, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    same = inverse[:, None] == inverse[None, :]
    T = np.where(same, 1.0, -1.0 / (len(classes) - 1))
    w = len(codes) / (len(classes) * counts[inverse])
    T = T * np.outer(w, w)
    return T / np.linalg.norm(T)


def _backprop(kernel, X, codes, shape, options, rate, rng, bar):
    """Adam on the exact balanced alignment, gradients through the statevectors; one ``bar``
    update per step."""
    import torch

    from circuits import trainable_feature_map
    from qskew.backends import _statevector

    device = torch.device(kernel.device) if kernel.device else None
    theta = torch.zeros(shape, dtype=torch.float64, device=device, requires_grad=True)
    optimizer = torch.optim.Adam([theta], lr=rate)
    qfunc = functools.partial(trainable_feature_map, weights=theta,
                              feature_map=kernel.feature_map, reps=kernel.reps,
                              entanglement=kernel.entanglement, rotation=kernel.rotation)
    wires = list(range(X.shape[1]))
    history = []
    for _ in range(options["steps"]):
        rows = balanced_batch(codes, options["batch_size"], rng)
        inputs = torch.as_tensor(X[rows] * kernel.bandwidth, device=device)
        states = _statevector.batched_states(qfunc, inputs, wires)
        overlaps = states @ states.conj().T
        K = overlaps.real**2 + overlaps.imag**2
        T = torch.as_tensor(_balanced_target(codes[rows]), device=device)
        alignment = (K * T).sum() / torch.linalg.norm(K)
        optimizer.zero_grad()
        (-alignment).backward()
        optimizer.step()
        history.append(float(alignment.detach()))
        bar.set_postfix(alignment=history[-1], refresh=False)
        bar.update()
    return theta.detach().cpu().numpy(), history


def _spsa(kernel, X, codes, shape, options, rate, rng, bar):
    """SPSA ascent on the balanced alignment of measured mini-batch Gram matrices; one
    ``bar`` update per step."""
    theta = np.zeros(shape)
    history, a = [], None
    for k in range(options["steps"]):
        rows = balanced_batch(codes, options["batch_size"], rng)
        c = SPSA_PERTURBATION / (k + 1) ** 0.101
        delta = rng.choice([-1.0, 1.0], size=shape)
        values = []
        for sign in (1.0, -1.0):
            K = kernel.set_params(weights=theta + sign * c * delta)(X[rows])
            values.append(kernel_target_alignment(K, codes[rows], balanced=True))
        gradient = (values[0] - values[1]) / (2 * c) * delta
        if a is None:  # calibrate: the first step moves each weight by ``rate`` radians
            a = rate / max(float(np.abs(gradient).mean()), 1e-8)
        theta = theta + a / (k + 1) ** 0.602 * gradient
        history.append(float(np.mean(values)))
        bar.set_postfix(alignment=history[-1], refresh=False)
        bar.update()
    kernel.set_params(weights=None)
    return theta, history
