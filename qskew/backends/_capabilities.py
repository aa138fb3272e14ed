"""What qskew knows about backends before creating one: names, limits, exactness.

Importable without PennyLane (which loads only to list the installed
devices), so estimators can check their parameters cheaply.
"""

import difflib

from qskew._exceptions import BackendNotFoundError

#: Devices whose noiseless, shot-free results are exactly the statevector
#: that qskew's batched engine computes.
STATEVECTOR_SIMULATORS = frozenset(
    {"default.qubit", "lightning.qubit", "lightning.gpu", "lightning.kokkos"}
)

# Largest register qskew runs per backend. Simulators: a state is
# 16 * 2**n bytes and kernels keep one per sample (16 MiB each at 20 qubits);
# density matrices square that. Hardware limits come from the device itself.
_QUBIT_LIMITS = {
    "default.qubit": 20,
    "lightning.qubit": 20,
    "lightning.gpu": 24,
    "lightning.kokkos": 20,
    "default.mixed": 10,
    "reference.qubit": 12,
}

_INSTALL_HINTS = {
    "qiskit.": "pip install 'qskew[qpu]'",
    "lightning.gpu": "pip install pennylane-lightning-gpu (needs an NVIDIA GPU and CUDA)",
    "lightning.kokkos": "pip install pennylane-lightning-kokkos",
}


def available_backends():
    """Names of the PennyLane devices installed in this environment.

    Returns
    -------
    list of str
        Sorted device names, e.g. ``["default.mixed", "default.qubit", ...]``.
    """
    import pennylane as qml

    return sorted(qml.plugin_devices)


def check_backend(backend):
    """Check that ``backend`` names an installed PennyLane device (or a Qiskit target).

    ``"qiskit.remote"`` and ``"qiskit.aer"`` are accepted when qskew's own Qiskit
    layer can run them (qiskit-ibm-runtime, and qiskit-aer for Aer, installed),
    with or without PennyLane's plugin.

    Parameters
    ----------
    backend : str
        Device name, e.g. ``"lightning.qubit"``.

    Raises
    ------
    TypeError
        If ``backend`` is not a string.
    BackendNotFoundError
        If no installed plugin provides the device; the message suggests the
        closest installed names and the package that provides it.
    """
    if not isinstance(backend, str):
        raise TypeError(
            f"backend must be a PennyLane device name (str); got {type(backend).__name__} "
            f"{backend!r}. Pass e.g. backend='lightning.qubit'."
        )
    installed = available_backends()
    if backend in installed or _qiskit_layer_available(backend):
        return
    close = difflib.get_close_matches(backend, installed, n=3)
    hint = next((h for prefix, h in _INSTALL_HINTS.items() if backend.startswith(prefix)), None)
    message = f"backend {backend!r} is not an installed PennyLane device."
    if close:
        message += f" Did you mean {' or '.join(map(repr, close))}?"
    if hint:
        message += f" Its plugin is installed with: {hint}."
    message += f" Installed devices: {', '.join(installed)}."
    raise BackendNotFoundError(message)


def qubit_limit(backend):
    """Largest number of qubits qskew runs on ``backend`` (None if unknown)."""
    return _QUBIT_LIMITS.get(backend)


def check_n_qubits(n_qubits, backend, owner, what="uses one qubit per feature", *,
                   subject=None, fix=None):
    """Raise a ``ValueError`` if ``n_qubits`` exceeds the backend's limit.

    Parameters
    ----------
    n_qubits : int
        Qubits the circuit needs (one per feature for qskew's feature maps).
    backend : str
        Device name.
    owner : str
        Name of the estimator or object, used in the message.
    what : str
        How ``owner`` maps its input to qubits, used in the message.
    subject : str, optional
        What was seen; default ``"X has {n_qubits} features"``.
    fix : str, optional
        How to fix it; default: reduce the features with PCA.
    """
    limit = qubit_limit(backend)
    if limit is not None and n_qubits > limit:
        subject = subject or f"X has {n_qubits} features"
        fix = fix or f"reduce them first, e.g. with PCA(n_components={min(8, limit)})"
        raise ValueError(f"{subject} but {owner} {what} (limit {limit} for {backend!r}); {fix}.")


def is_exact(backend, shots):
    """Whether ``backend`` with ``shots`` runs on qskew's exact statevector engine.

    Exact mode: a noiseless statevector simulator and no shots; states (and
    expectation values) are then computed by :mod:`qskew.backends._statevector`,
    never by a device. Everything else runs circuits on a device.

    Examples
    --------
    >>> is_exact("lightning.qubit", None), is_exact("lightning.qubit", 1000)
    (True, False)
    """
    return shots is None and backend in STATEVECTOR_SIMULATORS


def is_sampled(backend, shots, options=None):
    """Whether ``backend`` with ``shots`` samples circuits through qskew's own layers.

    Sampled mode: shots on a statevector simulator (drawn from the exact
    values by qskew's engine, no device) or a Qiskit target (``qiskit.remote``,
    ``qiskit.aer``: batched primitive jobs) or ``default.mixed`` with a qskew
    noise specification in ``options`` (exact noisy values, then shots).
    Gradients then come from shifted circuits (:mod:`qskew.backends._shift`).

    Examples
    --------
    >>> is_sampled("lightning.qubit", 1000), is_sampled("default.mixed", 1000)
    (True, False)
    """
    from qskew.backends._noise import noise_of

    return ((shots is not None and backend in STATEVECTOR_SIMULATORS)
            or backend in ("qiskit.remote", "qiskit.aer")
            or (backend == "default.mixed" and noise_of(options) is not None))


def check_backend_options(backend, shots, options, owner="qskew"):
    """Refuse ``shots`` and ``backend_options`` that ``backend`` would not use as given.

    ``shots`` must be a positive integer (not a bool) or None. A ``noise``
    specification runs on ``default.mixed`` and ``qiskit.aer`` only. On a
    statevector simulator qskew's engine runs the circuits and creates no
    device, so any option there would be silently ignored: refused instead.
    (Qiskit targets check their own options, see ``_qiskit.target``.)
    """
    from numbers import Integral

    from qskew._secrets import redacted
    from qskew.backends._noise import check_noise

    if shots is not None and (isinstance(shots, bool) or not isinstance(shots, Integral)
                              or shots < 1):
        raise ValueError(f"shots must be a positive integer or None; got {shots!r}. "
                         "Pass e.g. shots=1000, or None for exact results.")
    check_noise(backend, options)
    if options and backend in STATEVECTOR_SIMULATORS:
        raise ValueError(
            f"backend_options {sorted(redacted(options))} are not used: {owner} runs "
            f"{backend!r} on qskew's statevector engine, which creates no device. Remove "
            "them, or choose a backend that reads them (e.g. 'default.mixed' with a noise "
            "specification, or 'qiskit.aer').")


def _qiskit_layer_available(backend):
    """``qiskit.remote`` / ``qiskit.aer`` run through qskew's own Qiskit layer, which needs
    qiskit-ibm-runtime (and qiskit-aer), not PennyLane's plugin."""
    import importlib.util

    needs = {"qiskit.remote": ("qiskit_ibm_runtime",),
             "qiskit.aer": ("qiskit_ibm_runtime", "qiskit_aer")}.get(backend)
    return bool(needs) and all(importlib.util.find_spec(name) for name in needs)
