"""Variational (QNN) circuits: feature map, trainable ansatz, Pauli-Z readout."""

import pennylane as qml

from circuits._feature_maps import entangling_pairs, get_feature_map
from circuits._options import ANSATZE, QNN_FEATURE_MAPS



def strongly_entangling_layer(weights, wires):
    """One layer of PennyLane's :class:`~pennylane.StronglyEntanglingLayers`.

    Parameters
    ----------
    weights : tensor_like of shape (n_wires, 3)
        ``Rot(φ, θ, ω)`` angles per wire.
    wires : Sequence
        Wires, in ring order.
    """
    qml.StronglyEntanglingLayers(qml.math.expand_dims(weights, 0), wires=wires)


def hardware_efficient_layer(weights, wires):
    r"""``RY(θ_i) RZ(φ_i)`` on every wire, then a ring of CNOTs.

    Parameters
    ----------
    weights : tensor_like of shape (n_wires, 2) or (batch, n_wires, 2)
        ``(θ_i, φ_i)`` per wire (with a leading batch axis: per circuit of a broadcast).
    wires : Sequence
        Wires, in ring order (no ring closure for two wires or fewer).
    """
    for i, wire in enumerate(wires):
        qml.RY(weights[..., i, 0], wires=wire)
        qml.RZ(weights[..., i, 1], wires=wire)
    for i, j in entangling_pairs(len(wires), "circular"):
        qml.CNOT(wires=[wires[i], wires[j]])


_LAYERS = {"strong": (strongly_entangling_layer, 3), "hardware_efficient": (hardware_efficient_layer, 2)}


def qnn_circuit(inputs, weights, *, wires, feature_map="angle", ansatz="strong", n_outputs=1,
                reps=1, entanglement="linear", rotation="Y"):
    r"""A QNN circuit: encoding, ``L`` trainable layers, ``⟨Z⟩`` read-out.

    .. math:: f(x; w) = \big(\langle Z_0\rangle, \dots, \langle Z_{k-1}\rangle\big)
              \text{ of } W_L \cdots W_1\, U(x) |0\rangle

    With ``feature_map="reupload"`` the angle encoding is applied again
    before every layer, :math:`W_L U(x) \cdots W_1 U(x)|0\rangle` (data
    re-uploading, Pérez-Salinas et al. 2020). Outputs lie in ``[-1, 1]``.

    Parameters
    ----------
    inputs : tensor_like of shape (n_features,) or (batch, n_features)
        Encoded on ``wires[:n_features]``; any further wires start in ``|0>``
        and join through the entangling layers (used when there are more
        classes to read out than features).
    weights : tensor_like of shape (n_layers, n_wires, 3 or 2)
        Trainable angles (3 per wire for ``"strong"``, 2 for
        ``"hardware_efficient"``).
    wires : Sequence
        Wires; wire ``i`` encodes feature ``i`` and ``wires[:n_outputs]`` are read.
    feature_map : {"angle", "zz", "reupload"}, default="angle"
    ansatz : {"strong", "hardware_efficient"}, default="strong"
    n_outputs : int, default=1
        Number of ``⟨Z⟩`` read-outs (1 for binary, ``k`` for ``k`` classes).
    reps, entanglement, rotation
        Options of the feature map (see :func:`circuits.get_feature_map`).

    Returns
    -------
    list of pennylane.measurements.ExpectationMP

    Raises
    ------
    ValueError
        For an unknown feature map or ansatz, mismatched weight shape or more
        outputs than wires.
    """
    if ansatz not in _LAYERS:
        raise ValueError(f"ansatz must be one of {ANSATZE}; got {ansatz!r}.")
    if feature_map not in QNN_FEATURE_MAPS:
        raise ValueError(f"feature_map must be one of {QNN_FEATURE_MAPS}; got {feature_map!r}.")
    if not 1 <= n_outputs <= len(wires):
        raise ValueError(
            f"n_outputs must be between 1 and the number of wires ({len(wires)}); "
            f"got {n_outputs}."
        )
    layer, per_wire = _LAYERS[ansatz]
    shape = tuple(qml.math.shape(weights))
    if len(shape) != 3 or shape[1:] != (len(wires), per_wire):
        raise ValueError(
            f"weights must have shape (n_layers, {len(wires)}, {per_wire}) for ansatz "
            f"{ansatz!r}; got {shape}."
        )
    n_features = qml.math.shape(inputs)[-1]
    if n_features > len(wires):
        raise ValueError(
            f"inputs must have at most one feature per wire ({len(wires)}); got "
            f"{n_features} features."
        )
    reupload = feature_map == "reupload"
    encode = get_feature_map("angle" if reupload else feature_map, reps=reps,
                             entanglement=entanglement, rotation=rotation)
    for index in range(shape[0]):
        if index == 0 or reupload:
            encode(inputs, wires[:n_features])
        layer(weights[index], wires)
    return [qml.expval(qml.PauliZ(wire)) for wire in wires[:n_outputs]]



def make_qnn_qfunc(n_qubits, *, n_layers=2, feature_map="angle", ansatz="strong", n_outputs=1,
                   reps=1, entanglement="linear", rotation="Y"):
    """Build a QNN quantum function in the form ``qml.qnn.TorchLayer`` takes.

    Parameters
    ----------
    n_qubits : int
        Wires (one per input feature).
    n_layers : int, default=2
        Trainable layers.
    feature_map, ansatz, n_outputs, reps, entanglement, rotation
        See :func:`qnn_circuit`.

    Returns
    -------
    qfunc : QNNQFunc
        ``qfunc(inputs, weights)``; picklable.
    weight_shapes : dict
        ``{"weights": (n_layers, n_qubits, 3 or 2)}``.

    Raises
    ------
    ValueError
        For an unknown ansatz or feature map, non-positive sizes or more
        outputs than qubits.

    Examples
    --------
    >>> qfunc, shapes = make_qnn_qfunc(2, n_layers=1)
    >>> shapes
    {'weights': (1, 2, 3)}
    """
    if ansatz not in _LAYERS:
        raise ValueError(f"ansatz must be one of {ANSATZE}; got {ansatz!r}.")
    # Checked here, not only when the circuit is recorded, so a bad option
    # fails where the model is built rather than at its first forward pass.
    if feature_map not in QNN_FEATURE_MAPS:
        raise ValueError(f"feature_map must be one of {QNN_FEATURE_MAPS}; got {feature_map!r}.")
    if n_qubits < 1 or n_layers < 1:
        raise ValueError(
            f"n_qubits and n_layers must be positive; got n_qubits={n_qubits}, "
            f"n_layers={n_layers}."
        )
    if not 1 <= n_outputs <= n_qubits:
        raise ValueError(
            f"n_outputs must be between 1 and n_qubits ({n_qubits}); got {n_outputs}. "
            "Add read-out qubits: n_qubits >= n_outputs."
        )
    qfunc = QNNQFunc(
        wires=list(range(n_qubits)), feature_map=feature_map, ansatz=ansatz,
        n_outputs=n_outputs, reps=reps, entanglement=entanglement, rotation=rotation,
    )
    return qfunc, {"weights": (n_layers, n_qubits, _LAYERS[ansatz][1])}


class QNNQFunc:
    """:func:`qnn_circuit` with its options bound: ``qfunc(inputs, weights)``.

    A class rather than a closure so that models holding it pickle, and with
    exactly the ``(inputs, weights)`` signature ``qml.qnn.TorchLayer`` checks.
    """

    def __init__(self, **options):
        self.options = options

    def __call__(self, inputs, weights):
        return qnn_circuit(inputs, weights, **self.options)

    def __repr__(self):
        return f"QNNQFunc({', '.join(f'{k}={v!r}' for k, v in self.options.items())})"
