"""Generator circuits for quantum GANs: latent noise in, one value per feature out."""

import pennylane as qml

from circuits._options import OBSERVABLE_SETS, generator_outputs
from circuits._qnn import hardware_efficient_layer

_PAULI = {"X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ}


def generator_circuit(noise, weights, *, wires, observables="Z"):
    r"""A generator: noise angles, trainable layers, Pauli read-out.

    .. math:: G(z; w) = \big(\langle P_{w} \rangle\big)_{w, P} \text{ of }
              W_L \cdots W_1 \bigotimes_i R_Y(z_i) |0\rangle

    Each :math:`W_l` is a :func:`hardware_efficient_layer` (``RY``, ``RZ`` on
    every wire, then a CNOT ring). Latent values ``z_i`` (angles, e.g. drawn
    uniformly from ``[0, π)``) enter on the first ``latent_dim`` wires.
    Every output lies in ``[-1, 1]``: data must be scaled to that range.

    Parameters
    ----------
    noise : tensor_like of shape (latent_dim,) or (batch, latent_dim)
        Latent angles, ``latent_dim <= len(wires)``.
    weights : tensor_like of shape (n_layers, n_wires, 2) or (batch, n_layers, n_wires, 2)
        Trainable angles; with a leading batch axis (PennyLane's broadcasting), one set
        per circuit of the batch, e.g. several generator patches simulated together.
    wires : Sequence
    observables : {"Z", "XYZ"}, default="Z"
        Read ``⟨Z⟩`` of every wire, or ``⟨X⟩, ⟨Y⟩, ⟨Z⟩`` of every wire (three
        values per qubit: more features per circuit, wire by wire).

    Returns
    -------
    list of pennylane.measurements.ExpectationMP
        Wire-major: ``[⟨X_0⟩, ⟨Y_0⟩, ⟨Z_0⟩, ⟨X_1⟩, ...]`` for ``"XYZ"``.

    Raises
    ------
    ValueError
        For mismatched shapes or unknown observables.

    Examples
    --------
    >>> import numpy as np
    >>> import pennylane as qml
    >>> tape = qml.tape.make_qscript(generator_circuit)(
    ...     np.zeros(2), np.zeros((1, 2, 2)), wires=[0, 1])
    >>> len(tape.measurements)
    2
    """
    generator_outputs(len(wires), observables)
    shape = tuple(qml.math.shape(weights))
    if len(shape) not in (3, 4) or shape[-2:] != (len(wires), 2):
        raise ValueError(
            f"weights must have shape (n_layers, {len(wires)}, 2), or (batch, n_layers, "
            f"{len(wires)}, 2) for one set per circuit; got {shape}."
        )
    latent_dim = qml.math.shape(noise)[-1]
    if latent_dim > len(wires):
        raise ValueError(
            f"noise must have at most one latent value per wire ({len(wires)}); got "
            f"{latent_dim}."
        )
    for i in range(latent_dim):
        qml.RY(noise[..., i], wires=wires[i])
    for layer in range(shape[-3]):
        hardware_efficient_layer(weights[..., layer, :, :], wires)
    return [
        qml.expval(_PAULI[name](wire)) for wire in wires for name in OBSERVABLE_SETS[observables]
    ]
