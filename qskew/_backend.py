"""Backends: the one qskew module that creates PennyLane devices and runs circuits.

Every estimator stores only a backend *name* and ``backend_options``, and asks
this module for a device inside ``fit``; that keeps estimators clonable and
picklable. Statevector simulators without shots never get a device at all:
their states come from :mod:`qskew._statevector`, which is faster (see there).
"""

import difflib
import inspect

import pennylane as qml

from qskew._exceptions import BackendError, BackendNotFoundError

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
    return sorted(qml.plugin_devices)


def check_backend(backend):
    """Check that ``backend`` names an installed PennyLane device.

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
    if backend in installed:
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


def make_device(backend, n_wires, *, seed=None, options=None):
    """Create the PennyLane device ``backend`` with ``n_wires`` wires.

    Parameters
    ----------
    backend : str
        Installed device name (see :func:`check_backend`).
    n_wires : int
        Number of wires.
    seed : int, optional
        Seed for the device's sampling, passed where the device accepts one.
    options : dict, optional
        Further keyword arguments for ``qml.device`` (``backend_options``).

    Returns
    -------
    pennylane.devices.Device

    Raises
    ------
    BackendNotFoundError
        If the device is not installed.
    BackendError
        If the plugin refuses the options or fails to start.
    """
    check_backend(backend)
    kwargs = dict(options or {})
    if seed is not None and "seed" not in kwargs and _accepts_seed(backend):
        kwargs["seed"] = seed
    try:
        return qml.device(backend, wires=n_wires, **kwargs)
    except Exception as exc:
        raise BackendError(
            f"could not create backend {backend!r} with wires={n_wires} and "
            f"backend_options={options!r}: {exc}. Check the options against the "
            "device's documentation."
        ) from exc


def _accepts_seed(backend):
    try:
        device_class = qml.plugin_devices[backend].load()
        return "seed" in inspect.signature(device_class).parameters
    except Exception:  # a plugin we cannot introspect: leave seeding to its options
        return False


def execute(tapes, device):
    """Execute tapes on ``device`` in one batch, without gradients.

    Parameters
    ----------
    tapes : Sequence of pennylane.tape.QuantumScript
        The circuits (broadcast tapes are split by the device as needed).
    device : pennylane.devices.Device

    Returns
    -------
    list
        One result per tape.

    Raises
    ------
    BackendError
        If the device fails; the message names the device and the batch.
    """
    try:
        return qml.execute(list(tapes), device, diff_method=None)
    except Exception as exc:
        raise BackendError(
            f"backend {device.name!r} failed to execute a batch of {len(tapes)} "
            f"circuit(s): {exc}"
        ) from exc


def make_qnode(qfunc, device, *, interface="torch", diff_method="best", shots=None):
    """Wrap ``qfunc`` in a QNode on ``device`` (circuit mode of trainable models).

    Parameters
    ----------
    qfunc : callable
        Quantum function returning measurements.
    device : pennylane.devices.Device
        From :func:`make_device`.
    interface : str, default="torch"
    diff_method : str, default="best"
    shots : int, optional
        Shots per execution; ``None`` for analytic results.

    Returns
    -------
    pennylane.QNode
    """
    qnode = qml.QNode(qfunc, device, interface=interface, diff_method=diff_method)
    return qml.set_shots(qnode, shots=shots) if shots is not None else qnode
