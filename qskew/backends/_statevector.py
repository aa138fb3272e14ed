"""A batched statevector engine for the circuits in ``circuits/``.

Why not a QNode: on the 2-core machines we measured, preparing 256 ZZ-map
states (8 qubits) took ~67 ms through a ``default.qubit`` QNode with parameter
broadcasting, ~24 ms through ``default.qubit``'s tape simulator, and a few ms
with the gate-by-gate batched kernels below, which apply each gate to the whole
batch at once (diagonal gates as one element-wise product, single-qubit gates
as four half-state products). The circuit itself still comes from PennyLane:
the qfunc is recorded to a tape and its operations' own ``matrix``/``eigvals``
are applied, so any circuit built from PennyLane operations runs unchanged.

numpy states (kernels, shot-sampled circuits) take a fused path by
default: commuting diagonal gates merged into one phase product per layer,
a layer of Hadamards applied as one Walsh-Hadamard transform, the circuit run
on cache-sized blocks of rows. Measured on the 2-core development machine
(``benchmarks/bench_states.py``, ZZ map, ``reps=2``): 1024 16-qubit states in
0.8 s instead of 41 s gate by gate, about 40-50x at 12 to 20 qubits, or 8-15
passes of one complex multiplication over the batch. ``fuse=False`` keeps
the gate-by-gate path as the reference.

torch states (autograd, GPU) always go gate by gate, through
``pennylane.math``, so they carry autograd gradients (backpropagation).
"""

import functools

import numpy as np
import pennylane as qml
from pennylane import math

# Operations that are diagonal in the computational basis: applied through
# their eigenvalues, never as matrices.
_DIAGONAL = frozenset(
    {
        "RZ", "PhaseShift", "U1", "MultiRZ", "IsingZZ", "CZ", "CCZ", "PauliZ",
        "S", "T", "Identity", "CRZ", "ControlledPhaseShift", "DiagonalQubitUnitary",
    }
)
_Z_ROTATIONS = frozenset({"RZ", "MultiRZ", "IsingZZ"})
# Parameter-free gates that permute basis states (CNOT, SWAP, Toffoli, ...):
# applied as one gather instead of a tensor contraction.
_FIXED_GATES = {
    op.name: op for op in (
        qml.CNOT([0, 1]), qml.SWAP([0, 1]), qml.Toffoli([0, 1, 2]), qml.CSWAP([0, 1, 2]),
        qml.PauliX(0),
    )
}
# Largest operation applied directly; larger ones are decomposed first.
_MAX_DIRECT_WIRES = 3


def _primitive_ops(operations):
    """Decompose templates until every operation can be applied directly."""
    for op in operations:
        direct = op.name in _DIAGONAL or (op.has_matrix and len(op.wires) <= _MAX_DIRECT_WIRES)
        if direct:
            yield op
        else:
            yield from _primitive_ops(op.decomposition())


def _split_shape(positions, n_wires):
    """Shape of a flat state viewed with the target wires as separate axes.

    Runs of untouched wires are merged into single axes, so numpy broadcasts
    over a handful of dimensions instead of one per wire (about 2x faster).
    """
    shape, targets, run = [], [], 0
    for wire in range(n_wires):
        if wire in positions:
            if run:
                shape.append(2**run)
                run = 0
            targets.append(len(shape))
            shape.append(2)
        else:
            run += 1
    if run:
        shape.append(2**run)
    return shape, targets


def _matching(array, psi, dtype):
    """``array`` cast to ``dtype`` in ``psi``'s library and on its torch device."""
    array = math.cast(array, dtype)
    if math.get_interface(psi) == "torch" and math.get_interface(array) != "torch":
        import torch

        array = torch.as_tensor(array, device=psi.device)
    return array


def _eigvals(op, psi, dtype):
    """Eigenvalues of a diagonal operation, at full precision.

    Z rotations are computed here: PennyLane 0.45's ``RZ.compute_eigvals``
    returns complex64 for a 0-d float64 torch angle (~3e-8 error).
    """
    if op.name in _Z_ROTATIONS:
        z = qml.pauli.pauli_eigs(len(op.wires))
        theta = op.data[0]
        if math.get_interface(theta) == "torch":
            z = _matching(z, psi, np.float64).real
        theta = math.cast(theta, np.float64)
        return math.exp(-0.5j * (theta[..., None] if math.ndim(theta) else theta) * z)
    return op.eigvals()


def _apply_diagonal(psi, op, positions, n_wires, dtype, eig=None):
    eig = _matching(_eigvals(op, psi, dtype) if eig is None else eig, psi, dtype)
    k = len(positions)
    batched = op.batch_size is not None
    eig = math.reshape(eig, ((-1,) if batched else ()) + (2,) * k)
    order = np.argsort(positions)
    if np.any(order != np.arange(k)):
        lead = [0] if batched else []
        eig = math.transpose(eig, lead + [int(o) + len(lead) for o in order])
    shape, targets = _split_shape(positions, n_wires)
    eig_shape = [1] * len(shape)
    for t in targets:
        eig_shape[t] = 2
    eig = math.reshape(eig, ((-1,) if batched else (1,)) + tuple(eig_shape))
    view = math.reshape(psi, (math.shape(psi)[0],) + tuple(shape))
    if math.get_interface(psi) == "numpy":
        view *= eig  # in place: psi is ours, and numpy carries no autograd.
        return psi
    return math.reshape(view * eig, math.shape(psi))


def _grouped_matrices(ops):
    """Matrices of unbatched parametrised one-qubit gates, one call per gate type.

    A layer of ``Rot`` gates then costs one vectorised ``compute_matrix``
    instead of one per wire: in torch that removes most of the per-gate
    overhead of a forward pass.
    """
    groups = {}
    for op in ops:
        if (len(op.wires) == 1 and op.data and op.name not in _DIAGONAL
                and op.batch_size is None and type(op).compute_matrix is not None):
            groups.setdefault(type(op), []).append(op)
    matrices = {}
    for op_type, members in groups.items():
        if len(members) < 2:
            continue
        params = [math.stack([m.data[j] for m in members]) for j in range(len(members[0].data))]
        try:
            stacked = op_type.compute_matrix(*params)
        except Exception:  # an operation without broadcasting support: matrices one by one
            continue
        matrices.update({id(m): stacked[i] for i, m in enumerate(members)})
    return matrices


def _apply_single(psi, op, pos, n_wires, dtype, mat=None):
    # View the batch at the target wire: (B, 2^pos, 2, 2^(n-pos-1)).
    batch = math.shape(psi)[0]
    view = math.reshape(psi, (batch, 2**pos, 2, 2 ** (n_wires - pos - 1)))
    mat = _matching(op.matrix() if mat is None else mat, psi, dtype)
    if math.get_interface(psi) != "numpy":
        # One batched matmul keeps the autograd graph to a single node per gate.
        mat = mat if op.batch_size is None else mat[:, None, :, :]
        return math.reshape(mat @ view, math.shape(psi))
    if op.batch_size is None:
        m = [[mat[0, 0], mat[0, 1]], [mat[1, 0], mat[1, 1]]]
    else:
        m = [[math.reshape(mat[:, r, c], (-1, 1, 1)) for c in (0, 1)] for r in (0, 1)]
    s0, s1 = view[:, :, 0, :], view[:, :, 1, :]
    out = np.empty_like(view)
    np.multiply(m[0][0], s0, out=out[:, :, 0, :])
    out[:, :, 0, :] += m[0][1] * s1
    np.multiply(m[1][0], s0, out=out[:, :, 1, :])
    out[:, :, 1, :] += m[1][1] * s1
    return math.reshape(out, math.shape(psi))


@functools.lru_cache(maxsize=256)
def _permutation(name, positions, n_wires):
    """Index map of a fixed permutation gate on the flat state, or None."""
    op = _FIXED_GATES.get(name)
    if op is None:
        return None
    mat = np.asarray(op.matrix())
    if not (np.isin(mat, (0, 1)).all() and (mat.sum(axis=0) == 1).all()):
        return None
    k = len(positions)
    source = np.argmax(mat, axis=1)  # new amplitude r takes old amplitude source[r]
    index = np.arange(2**n_wires).reshape((2,) * n_wires)
    moved = np.moveaxis(index, positions, range(k)).reshape(2**k, -1)
    permuted = moved[source].reshape((2,) * n_wires)
    return np.moveaxis(permuted, range(k), positions).reshape(-1)


def _apply_general(psi, op, positions, n_wires, dtype, mat=None):
    if mat is None and op.batch_size is None and not op.data:
        perm = _permutation(op.name, tuple(positions), n_wires)
        if perm is not None:
            if math.get_interface(psi) == "torch":
                import torch

                return psi[:, torch.as_tensor(perm, device=psi.device)]
            return psi[:, perm]
    k = len(positions)
    mat = _matching(op.matrix() if mat is None else mat, psi, dtype)
    batched = op.batch_size is not None
    mat = math.reshape(mat, ((-1,) if batched else ()) + (2,) * (2 * k))
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    state_idx = list(letters[1 : n_wires + 1])
    new_idx = list(letters[n_wires + 1 : n_wires + 1 + k])
    old_idx = [state_idx[p] for p in positions]
    out_idx = list(state_idx)
    for p, new in zip(positions, new_idx):
        out_idx[p] = new
    mat_sub = ("a" if batched else "") + "".join(new_idx + old_idx)
    spec = f"{mat_sub},a{''.join(state_idx)}->a{''.join(out_idx)}"
    out = math.einsum(spec, mat, math.reshape(psi, (-1,) + (2,) * n_wires))
    return math.reshape(out, math.shape(psi))


def simulate_states(operations, wires, batch_size, *, dtype=np.complex128, like="numpy",
                    device=None, fuse=True):
    """Final statevectors of a (broadcast) circuit started from ``|0...0>``.

    Parameters
    ----------
    operations : Sequence of pennylane.operation.Operator
        The circuit's operations, broadcast over at most ``batch_size``.
    wires : Sequence
        Wire order of the state (wire 0 is the most significant bit, as in
        PennyLane).
    batch_size : int
        Number of states.
    dtype : numpy dtype, default=np.complex128
        ``np.complex128`` or ``np.complex64``.
    like : {"numpy", "torch"}, default="numpy"
        Array library of the result.
    device : torch.device, optional
        Where torch states live (default: CPU).
    fuse : bool, default=True
        numpy only: merge commuting diagonal gates into one phase product and
        Hadamard layers into one Walsh-Hadamard transform, over cache-sized
        blocks of rows (see the module docstring). ``False`` applies the gates
        one by one, the reference the fused path is tested and benchmarked
        against. torch states (autograd, GPU) are always prepared gate by gate.

    Returns
    -------
    array of shape (batch_size, 2**len(wires))

    Notes
    -----
    Memory: the states, plus for the fused path one scratch block of
    ``_CHUNK_BYTES`` (at least one state) and its phase tables.
    """
    wires = qml.wires.Wires(wires)
    ops = list(_primitive_ops(operations))
    if like == "numpy" and fuse:
        from qskew.backends._fused import simulate_fused

        return simulate_fused(ops, wires, batch_size, dtype)
    return _simulate_gatewise(ops, wires, batch_size, dtype, like, device)


def _simulate_gatewise(ops, wires, batch_size, dtype, like, device):
    """Each gate applied to the whole batch in turn (numpy or torch)."""
    n_wires = len(wires)
    psi = np.zeros((batch_size, 2**n_wires), dtype=dtype)
    psi[:, 0] = 1.0
    psi = math.asarray(psi, like=like)
    if like == "torch" and device is not None:
        psi = psi.to(device)
    matrices = _grouped_matrices(ops)
    for op in ops:
        positions = [wires.index(w) for w in op.wires]
        if op.name in _DIAGONAL:
            psi = _apply_diagonal(psi, op, positions, n_wires, dtype)
        elif len(positions) == 1:
            psi = _apply_single(psi, op, positions[0], n_wires, dtype, matrices.get(id(op)))
        else:
            psi = _apply_general(psi, op, positions, n_wires, dtype)
    return math.reshape(psi, (batch_size, 2**n_wires))


def batched_states(qfunc, X, wires, *, dtype=np.complex128):
    """Statevectors ``U(x)|0>`` for every row of ``X`` in one batched pass.

    Parameters
    ----------
    qfunc : callable
        ``qfunc(X, wires)`` recording the state preparation (broadcast over
        the rows of ``X``).
    X : array of shape (n_samples, n_features)
    wires : Sequence
    dtype : numpy dtype, default=np.complex128

    Returns
    -------
    array of shape (n_samples, 2**len(wires))
    """
    like = math.get_interface(X)
    tape = qml.tape.make_qscript(qfunc)(X, wires)
    device = X.device if like == "torch" else None
    return simulate_states(tape.operations, wires, len(X), dtype=dtype, like=like, device=device)


def pauli_expvals(states, n_wires, terms):
    """Single-qubit Pauli expectation values of a batch of statevectors.

    Parameters
    ----------
    states : array of shape (batch, 2**n_wires), complex (numpy or torch)
    n_wires : int
    terms : Sequence of (str, int)
        ``(pauli, position)`` pairs, pauli in ``"X"``, ``"Y"``, ``"Z"``.

    Returns
    -------
    array of shape (batch, len(terms)), real
    """
    batch = math.shape(states)[0]
    values = []
    for pauli, pos in terms:
        view = math.reshape(states, (batch, 2**pos, 2, 2 ** (n_wires - pos - 1)))
        a, b = view[:, :, 0, :], view[:, :, 1, :]
        if pauli == "Z":
            value = math.sum(_abs2(a) - _abs2(b), axis=(1, 2))
        else:
            # <X> = 2 Re(a* b), <Y> = 2 Im(a* b) summed over the other wires.
            cross = math.sum(math.conj(a) * b, axis=(1, 2))
            value = 2 * (math.real(cross) if pauli == "X" else math.imag(cross))
        values.append(value)
    return math.stack(values, axis=1)


def _abs2(z):
    return math.real(z) ** 2 + math.imag(z) ** 2


def sample_means(probabilities, shots, rng):
    """Shot estimates of outcome probabilities: the one place qskew draws shots from
    exact values (statevector simulators with ``shots``).

    Parameters
    ----------
    probabilities : ndarray of shape (n_circuits,) or (n_circuits, k)
        Row ``i`` holds outcome probabilities of circuit ``i``, all read from
        the same ``shots`` (one measurement setting per call).
    shots : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray like ``probabilities``
        ``Binomial(shots, p) / shots`` per entry.

    Examples
    --------
    >>> sample_means(np.array([0.0, 1.0]), 100, np.random.default_rng(0))
    array([0., 1.])
    """
    return rng.binomial(int(shots), np.clip(probabilities, 0.0, 1.0)) / shots


def sample_distribution(probabilities, shots, rng):
    """Shot estimates of whole outcome distributions ``(n_circuits, n_outcomes)``: one
    multinomial draw of ``shots`` per circuit (see :func:`sample_means`)."""
    p = np.clip(probabilities, 0.0, None)
    p = p / p.sum(axis=-1, keepdims=True)
    return rng.multinomial(int(shots), p) / shots
