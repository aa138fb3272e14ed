"""The one qskew module that creates PennyLane devices and QNodes and runs circuits.

Every estimator stores only a backend *name* and ``backend_options``, and asks
this module for a device inside ``fit``; that keeps estimators clonable and
picklable. Statevector simulators without shots never get a device at all:
their states come from :mod:`qskew.backends._statevector`, which is faster
(see there).
"""

import inspect

import pennylane as qml

from qskew._exceptions import BackendError
from qskew.backends._capabilities import check_backend


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
