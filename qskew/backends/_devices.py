"""The one qskew module that creates PennyLane devices and QNodes and runs circuits.

Every estimator stores only a backend *name* and ``backend_options``, and asks
this module for a device inside ``fit``; that keeps estimators clonable and
picklable. Statevector simulators without shots never get a device at all:
their states come from :mod:`qskew.backends._statevector`, which is faster
(see there).
"""

import inspect

import numpy as np
import pennylane as qml

from qskew._exceptions import BackendError
from qskew._secrets import redacted
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
    kwargs = {key: value for key, value in (options or {}).items() if key != "noise"}
    if (options or {}).get("noise") is not None and backend != "default.mixed":
        raise ValueError(
            f"backend_options['noise'] is applied by qskew on 'default.mixed' and "
            f"'qiskit.aer'; got backend={backend!r}. Use one of those (a device's own noise "
            "comes with backend='qiskit.remote' and a fake IBM backend).")
    if seed is not None and "seed" not in kwargs and _accepts_seed(backend):
        kwargs["seed"] = seed
    try:
        return qml.device(backend, wires=n_wires, **kwargs)
    except Exception as exc:
        raise BackendError(
            f"could not create backend {backend!r} with wires={n_wires} and "
            f"backend_options={redacted(options)!r}: {exc}. Check the options against the "
            "device's documentation."
        ) from exc


def _accepts_seed(backend):
    try:
        device_class = qml.plugin_devices[backend].load()
        return "seed" in inspect.signature(device_class).parameters
    except Exception:  # a plugin we cannot introspect: leave seeding to its options
        return False


def execute(tapes, device, *, seed=None):
    """Execute tapes on ``device`` in one batch, without gradients.

    With a checkpoint directory set (:mod:`qskew.backends._checkpoint`), a
    batch finished by an earlier session is read back instead of run again.

    Parameters
    ----------
    tapes : Sequence of pennylane.tape.QuantumScript
        The circuits (broadcast tapes are split by the device as needed).
    device : pennylane.devices.Device
        Freshly made for this batch (its sampling then depends on ``seed``
        only, which makes the batch's result a function of its key).
    seed : int, optional
        The seed ``device`` was made with (part of the checkpoint key).

    Returns
    -------
    list
        One result per tape.

    Raises
    ------
    BackendError
        If the device fails; the message names the device and the batch.
    """
    from qskew.backends import _checkpoint

    key = None
    if _checkpoint.directory() is not None:
        key = _checkpoint.tapes_key(tapes, device.name, seed)
        stored = _checkpoint.load(key)
        if stored is not None:
            return stored
    try:
        results = qml.execute(list(tapes), device, diff_method=None)
    except Exception as exc:
        raise BackendError(
            f"backend {device.name!r} failed to execute a batch of {len(tapes)} "
            f"circuit(s): {exc}"
        ) from exc
    if key is not None:
        _checkpoint.save(key, results)
    return results


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


def _with_channels(operations, noise):
    from qskew.backends._qiskit import _primitive_ops

    return [op for gate in _primitive_ops(operations) for op in (gate, *noise.channels(gate))]


def _chunks(batch, n_wires):
    """Row ranges whose density matrices stay within 64 MiB."""
    step = max(1, (64 * 2**20) // (16 * 4**n_wires))
    return [(start, min(batch, start + step)) for start in range(0, batch, step)]


def noisy_probabilities(operations, wires, noise, device):
    """Exact outcome probabilities ``(B, 2^n)`` of each circuit of a broadcast batch with
    ``noise``'s gate errors (channels after every gate), before readout.

    Runs analytically on ``device`` (``default.mixed``); readout flips and
    shots are the caller's (see :class:`~qskew.backends.Noise`).
    """
    gates = list(operations)
    batch = _batch_size(gates)
    noisy = _with_channels(gates, noise)
    tapes = [qml.tape.QuantumScript(_rows(noisy, start, stop), [qml.probs(wires=wires)])
             for start, stop in _chunks(batch, len(wires))]
    return np.vstack([np.reshape(r, (-1, 2 ** len(wires))) for r in execute(tapes, device)])


def noisy_expvals(operations, wires, terms, noise, device):
    """Exact one-qubit Pauli expectation values of each circuit of a broadcast batch with
    ``noise``'s gate errors and readout flips; one tape per measurement setting (Pauli
    letter), as a device measures them. Runs analytically on ``device`` (``default.mixed``).
    """
    gates = list(operations)
    return noise.readout_expvals(expvals(_with_channels(gates, noise), wires, terms, device,
                                         chunks=_chunks(_batch_size(gates), len(wires))))


def expvals(operations, wires, terms, device, *, shots=None, seed=None, chunks=None):
    """One-qubit Pauli expectation values ``(B, len(terms))`` of each circuit of a broadcast
    batch on ``device``: one tape per measurement setting (Pauli letter) and row chunk.

    Parameters
    ----------
    operations : Sequence of pennylane.operation.Operator
    wires : Sequence
    terms : Sequence of (str, int)
        ``(pauli, position)`` pairs, pauli in ``"X"``, ``"Y"``, ``"Z"``.
    device : pennylane.devices.Device
    shots : int, optional
        Shots per tape (``None``: analytic, where the device allows).
    seed : int, optional
        The seed ``device`` was made with (see :func:`execute`).
    chunks : list of (int, int), optional
        Row ranges run as separate tapes; default all rows in one.
    """
    gates = list(operations)
    batch = _batch_size(gates)
    chunks = chunks or [(0, batch)]
    paulis = {"X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ}
    tapes, where = [], []
    for letter in sorted({pauli for pauli, _ in terms}):
        columns = [i for i, (pauli, _) in enumerate(terms) if pauli == letter]
        for start, stop in chunks:
            measurements = [qml.expval(paulis[letter](wires[terms[i][1]])) for i in columns]
            tapes.append(qml.tape.QuantumScript(_rows(gates, start, stop), measurements,
                                                shots=shots))
            where.append((columns, start, stop))
    out = np.empty((batch, len(terms)))
    for (columns, start, stop), result in zip(where, execute(tapes, device, seed=seed)):
        values = np.stack([np.reshape(r, -1) for r in np.atleast_1d(result)], axis=-1) \
            if isinstance(result, (list, tuple)) else np.reshape(result, (-1, 1))
        out[start:stop, columns] = np.broadcast_to(values, (stop - start, len(columns)))
    return out


def _batch_size(operations):
    return max([op.batch_size or 1 for op in operations] + [1])


def _rows(operations, start, stop):
    """``operations`` restricted to the broadcast rows ``start:stop``."""
    out = []
    for op in operations:
        if not op.batch_size:
            out.append(op)
            continue
        data = [d[start:stop] if np.ndim(d) and len(d) == op.batch_size else d for d in op.data]
        out.append(qml.ops.functions.bind_new_parameters(op, data))
    return out
