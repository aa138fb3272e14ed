"""Feature maps ``U(x)``: pure PennyLane quantum functions that encode data.

Every feature map takes ``x`` of shape ``(n_features,)`` or, broadcast,
``(batch, n_features)`` and acts on ``len(wires) == n_features`` wires.
None of them creates a device or a QNode.
"""

import difflib
import functools
import inspect

import numpy as np
import pennylane as qml

from circuits._options import ENTANGLEMENTS, ROTATIONS


def entangling_pairs(n_wires, entanglement="linear"):
    """Index pairs ``(i, j)``, ``i < j``, coupled by an entangling layer.

    Parameters
    ----------
    n_wires : int
        Number of wires.
    entanglement : {"linear", "circular", "full"}
        ``"linear"``: ``(i, i+1)``; ``"circular"``: linear plus ``(0, n-1)``
        when ``n > 2``; ``"full"``: every pair.

    Returns
    -------
    list of tuple of int

    Raises
    ------
    ValueError
        If ``entanglement`` is not one of the names above.

    Examples
    --------
    >>> entangling_pairs(3, "circular")
    [(0, 1), (1, 2), (0, 2)]
    """
    if entanglement not in ENTANGLEMENTS:
        raise ValueError(
            f"entanglement must be one of {ENTANGLEMENTS}; got {entanglement!r}."
        )
    if entanglement == "full":
        return [(i, j) for i in range(n_wires) for j in range(i + 1, n_wires)]
    pairs = [(i, i + 1) for i in range(n_wires - 1)]
    if entanglement == "circular" and n_wires > 2:
        pairs.append((0, n_wires - 1))
    return pairs


def _check_features(x, wires, name):
    """Return ``x`` as an array (lists allowed) after checking its shape."""
    if isinstance(x, (list, tuple)):
        x = np.asarray(x, dtype=float)
    n_features = qml.math.shape(x)[-1] if qml.math.ndim(x) else 0
    if qml.math.ndim(x) not in (1, 2) or n_features != len(wires):
        raise ValueError(
            f"{name} features must have shape (n_features,) or (batch, n_features) "
            f"with n_features == len(wires) == {len(wires)}; got shape "
            f"{tuple(qml.math.shape(x))}."
        )
    return x


def _check_reps(reps):
    if not isinstance(reps, (int, np.integer)) or isinstance(reps, bool) or reps < 1:
        raise ValueError(f"reps must be a positive integer; got {reps!r}.")


def angle_feature_map(x, wires, *, reps=1, rotation="Y"):
    r"""Angle encoding: one single-qubit rotation per feature.

    .. math:: U(x) = \prod_{r=1}^{reps} \bigotimes_i R_\sigma(x_i)

    For ``rotation="Z"`` a Hadamard precedes each layer (on ``|0>`` a bare
    ``RZ`` only adds a phase, which would make every kernel entry 1).

    Parameters
    ----------
    x : tensor_like
        Features, shape ``(n_features,)`` or ``(batch, n_features)``.
    wires : Sequence
        One wire per feature.
    reps : int, default=1
        Number of repetitions of the layer.
    rotation : {"X", "Y", "Z"}, default="Y"
        Rotation axis.

    Raises
    ------
    ValueError
        If the shape of ``x`` does not match ``wires``, or ``rotation`` or
        ``reps`` is invalid.

    Examples
    --------
    >>> import pennylane as qml
    >>> ops = qml.tape.make_qscript(angle_feature_map)([0.1, 0.2], wires=[0, 1]).operations
    >>> [op.name for op in ops]
    ['RY', 'RY']
    """
    x = _check_features(x, wires, "angle_feature_map")
    _check_reps(reps)
    if rotation not in ROTATIONS:
        raise ValueError(f"rotation must be one of {ROTATIONS}; got {rotation!r}.")
    gate = {"X": qml.RX, "Y": qml.RY, "Z": qml.RZ}[rotation]
    for _ in range(reps):
        for i, wire in enumerate(wires):
            if rotation == "Z":
                qml.Hadamard(wire)
            gate(x[..., i], wires=wire)


def zz_feature_map(x, wires, *, reps=2, entanglement="linear"):
    r"""The second-order Pauli-Z feature map of Havlíček et al. (Nature, 2019).

    Each repetition applies a Hadamard layer, then
    :math:`\exp(-i \sum_i x_i Z_i - i \sum_{(i,j)} (\pi - x_i)(\pi - x_j) Z_i Z_j)`:

    .. math:: U(x) = \prod_{r=1}^{reps} \Big[\prod_{(i,j)} \mathrm{CNOT}_{ij}
              R_Z^{(j)}\big(2(\pi-x_i)(\pi-x_j)\big)\mathrm{CNOT}_{ij}
              \prod_i R_Z^{(i)}(2x_i)\, H^{\otimes n}\Big]

    Each ``CNOT · RZ · CNOT`` block is written as the identical
    ``MultiRZ(2(π−x_i)(π−x_j))`` on ``(i, j)``; it differs from Qiskit's
    ``ZZFeatureMap`` (phase gates) only by a global phase, so fidelity kernels
    agree.

    Parameters
    ----------
    x : tensor_like
        Features, shape ``(n_features,)`` or ``(batch, n_features)``.
    wires : Sequence
        One wire per feature.
    reps : int, default=2
        Number of repetitions.
    entanglement : {"linear", "circular", "full"}, default="linear"
        Which pairs are coupled, see :func:`entangling_pairs`.

    Raises
    ------
    ValueError
        If the shape of ``x`` does not match ``wires``, or ``reps`` or
        ``entanglement`` is invalid.

    Examples
    --------
    >>> import pennylane as qml
    >>> ops = qml.tape.make_qscript(zz_feature_map)([0.1, 0.2], wires=[0, 1], reps=1).operations
    >>> [op.name for op in ops]
    ['Hadamard', 'Hadamard', 'RZ', 'RZ', 'MultiRZ']
    """
    x = _check_features(x, wires, "zz_feature_map")
    _check_reps(reps)
    pairs = entangling_pairs(len(wires), entanglement)
    for _ in range(reps):
        for wire in wires:
            qml.Hadamard(wire)
        for i, wire in enumerate(wires):
            qml.RZ(2.0 * x[..., i], wires=wire)
        for i, j in pairs:
            qml.MultiRZ(2.0 * (np.pi - x[..., i]) * (np.pi - x[..., j]), wires=[wires[i], wires[j]])


def iqp_feature_map(x, wires, *, reps=2, entanglement="full"):
    r"""IQP encoding, PennyLane's :class:`~pennylane.IQPEmbedding`.

    Each repetition applies :math:`H^{\otimes n}`, ``RZ(x_i)`` on each wire
    and ``MultiRZ(x_i x_j)`` on each coupled pair.

    Parameters
    ----------
    x : tensor_like
        Features, shape ``(n_features,)`` or ``(batch, n_features)``.
    wires : Sequence
        One wire per feature.
    reps : int, default=2
        ``n_repeats`` of the embedding.
    entanglement : {"linear", "circular", "full"}, default="full"
        Coupled pairs; ``"full"`` is IQPEmbedding's own default pattern.

    Raises
    ------
    ValueError
        If the shape of ``x`` does not match ``wires``, or ``reps`` or
        ``entanglement`` is invalid.

    Examples
    --------
    >>> import pennylane as qml
    >>> ops = qml.tape.make_qscript(iqp_feature_map)([0.1, 0.2], wires=[0, 1], reps=1).operations
    >>> [op.name for op in ops]
    ['IQPEmbedding']
    """
    x = _check_features(x, wires, "iqp_feature_map")
    _check_reps(reps)
    pattern = [[wires[i], wires[j]] for i, j in entangling_pairs(len(wires), entanglement)]
    if len(wires) == 1:
        pattern = None  # IQPEmbedding rejects an empty pattern; one wire has no pairs.
    qml.IQPEmbedding(x, wires=wires, n_repeats=reps, pattern=pattern)


def trainable_layer(weights, wires, *, entanglement="linear"):
    r"""A trainable layer: ``RY(θ_q) RZ(φ_q)`` on each wire, then ``IsingZZ(w_p)`` on each
    coupled pair — the identity when every weight is 0.

    Parameters
    ----------
    weights : tensor_like of shape (2 * n_wires + n_pairs,)
        ``θ`` for each wire, then ``φ`` for each wire, then one angle per pair
        of :func:`entangling_pairs`.
    wires : Sequence
    entanglement : {"linear", "circular", "full"}, default="linear"

    Examples
    --------
    >>> import pennylane as qml
    >>> ops = qml.tape.make_qscript(trainable_layer)([0.1, 0.2, 0.3, 0.4, 0.5], wires=[0, 1])
    >>> [op.name for op in ops.operations]
    ['RY', 'RY', 'RZ', 'RZ', 'IsingZZ']
    """
    n = len(wires)
    for q, wire in enumerate(wires):
        qml.RY(weights[q], wires=wire)
    for q, wire in enumerate(wires):
        qml.RZ(weights[n + q], wires=wire)
    for k, (i, j) in enumerate(entangling_pairs(n, entanglement)):
        qml.IsingZZ(weights[2 * n + k], wires=[wires[i], wires[j]])


def trainable_weights_shape(n_wires, reps, entanglement="linear"):
    """Shape of the weights of :func:`trainable_feature_map`: ``(reps, 2 n + n_pairs)``.

    Examples
    --------
    >>> trainable_weights_shape(4, 2)
    (2, 11)
    """
    return (int(reps), 2 * int(n_wires) + len(entangling_pairs(n_wires, entanglement)))


def trainable_feature_map(x, wires, *, weights, feature_map="zz", reps=2,
                          entanglement="linear", rotation="Y"):
    r"""A feature map with trainable layers (Hubregtsen et al. 2022, PRA 106:042431).

    .. math:: U(x, 	heta) = \prod_{r=1}^{reps} S(x)\, W(	heta_r)

    ``W`` (:func:`trainable_layer`) comes *before* each data layer ``S`` (one
    repetition of ``feature_map``): a layer after the last ``S`` would cancel
    in every overlap ``U(x')^† U(x)``. At zero weights ``U`` is the plain
    feature map with ``reps`` repetitions.

    Parameters
    ----------
    x : tensor_like
        Features, shape ``(n_features,)`` or ``(batch, n_features)``.
    wires : Sequence
    weights : tensor_like of shape :func:`trainable_weights_shape`
    feature_map : {"zz", "angle", "iqp"}, default="zz"
    reps : int, default=2
    entanglement : {"linear", "circular", "full"}, default="linear"
        Coupled pairs of the data layers and of the trainable ones.
    rotation : {"X", "Y", "Z"}, default="Y"
        Rotation axis for ``"angle"``.

    Raises
    ------
    ValueError
        If ``weights`` does not have the shape above.

    Examples
    --------
    >>> import pennylane as qml
    >>> w = np.zeros(trainable_weights_shape(2, 1))
    >>> ops = qml.tape.make_qscript(trainable_feature_map)([0.1, 0.2], [0, 1], weights=w,
    ...                                                    feature_map="angle", reps=1)
    >>> [op.name for op in ops.operations]
    ['RY', 'RY', 'RZ', 'RZ', 'IsingZZ', 'RY', 'RY']
    """
    _check_reps(reps)
    expected = trainable_weights_shape(len(wires), reps, entanglement)
    if tuple(qml.math.shape(weights)) != expected:
        raise ValueError(f"weights must have shape {expected} (reps, 2 * n_wires + n_pairs) "
                         f"for {len(wires)} wires; got {tuple(qml.math.shape(weights))}.")
    data = get_feature_map(feature_map, reps=1, entanglement=entanglement, rotation=rotation)
    for r in range(reps):
        trainable_layer(weights[r], wires, entanglement=entanglement)
        data(x, wires)


FEATURE_MAPS = {
    "angle": angle_feature_map,
    "zz": zz_feature_map,
    "iqp": iqp_feature_map,
}


def get_feature_map(name, **options):
    """Return the feature map ``U(x, wires)`` registered under ``name``.

    Parameters
    ----------
    name : {"angle", "zz", "iqp"}
        Registered feature map.
    **options
        Keyword options bound to the map (``reps``, ``entanglement``,
        ``rotation``); options a map does not take are dropped, so one set of
        hyper-parameters serves every map.

    Returns
    -------
    callable
        ``U(x, wires)``.

    Raises
    ------
    ValueError
        If ``name`` is not registered.
    TypeError
        If an option is taken by no registered map (a misspelt name would
        otherwise be dropped silently).

    Examples
    --------
    >>> U = get_feature_map("zz", reps=1, rotation="Y")
    >>> U.keywords
    {'reps': 1}
    """
    if name not in FEATURE_MAPS:
        raise ValueError(
            f"feature_map must be one of {sorted(FEATURE_MAPS)}; got {name!r}."
        )
    valid = sorted(
        {key for f in FEATURE_MAPS.values() for key in inspect.signature(f).parameters}
        - {"x", "wires"}
    )
    unknown = sorted(set(options) - set(valid))
    if unknown:
        close = difflib.get_close_matches(unknown[0], valid, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise TypeError(f"feature map options must be among {valid}; got {unknown}.{hint}")
    func = FEATURE_MAPS[name]
    accepted = inspect.signature(func).parameters
    bound = {key: value for key, value in options.items() if key in accepted}
    return functools.partial(func, **bound)


def overlap_circuit(x1, x2, wires, feature_map):
    r"""Fidelity-test circuit ``U(x2)^† U(x1)`` measured as probabilities.

    The probability of the all-zeros outcome is the fidelity kernel
    :math:`k(x_1, x_2) = |\langle 0|U(x_2)^\dagger U(x_1)|0\rangle|^2`; with
    shots, its estimate has binomial standard error
    :math:`\sqrt{k(1-k)/\mathrm{shots}}`. Used for shot-based and hardware
    execution (one circuit per pair).

    Parameters
    ----------
    x1, x2 : tensor_like
        Feature vectors (or broadcast batches of equal length).
    wires : Sequence
        One wire per feature.
    feature_map : callable
        ``U(x, wires)``, e.g. from :func:`get_feature_map`.

    Returns
    -------
    pennylane.measurements.ProbabilityMP
        ``qml.probs`` over ``wires``; index 0 is the all-zeros outcome.

    Examples
    --------
    >>> import pennylane as qml
    >>> U = get_feature_map("angle")
    >>> dev = qml.device("default.qubit", wires=1)
    >>> qnode = qml.QNode(lambda a, b: overlap_circuit(a, b, [0], U), dev)
    >>> round(float(qnode([0.3], [0.3])[0]), 12)
    1.0
    """
    feature_map(x1, wires)
    qml.adjoint(feature_map)(x2, wires)
    return qml.probs(wires=wires)
