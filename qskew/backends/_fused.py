"""The fused numpy path of the statevector engine (:mod:`qskew.backends._statevector`).

Feature maps are layers of Hadamards and diagonal gates (ZZ, IQP, angle-Z).
Gate by gate, a 16-qubit ZZ state costs ~35 passes over the batch, each
streamed from memory. The fused path (1) merges every run of commuting
diagonal gates into one phase product, written in Z-parity terms
``phi(s) = sum_S c_S z_S(s)`` (``z_S = +-1``, the parity of bits ``S`` of
``s``), (2) applies a layer of Hadamards as one Walsh-Hadamard transform,
and (3) runs the whole circuit on a few MiB of rows at a time, so that its
passes stay in cache. Other gates go through the gate-by-gate kernels.
Measured on the 2-core development machine: ``benchmarks/bench_states.py``.
"""

import functools
import itertools

import numpy as np

from qskew.backends._statevector import (
    _DIAGONAL,
    _Z_ROTATIONS,
    _apply_diagonal,
    _apply_general,
    _apply_single,
    _grouped_matrices,
    _permutation,
)

#: Bytes of states carried through the whole circuit at once (at least one
#: state): the passes over a block then stay in L2/L3 instead of RAM. 4 MiB
#: measured best at 12 and 16 qubits, 1.5-1.8x faster than 64 MiB blocks.
_CHUNK_BYTES = 4 * 2**20
#: Wires per Walsh-Hadamard block: one real matrix product with an 8x8
#: Hadamard matrix per three wires beat 16x16 blocks and radix-2 butterflies
#: (3-5x faster) here.
_WHT_WIRES = 3
#: Wires of the segments a large state's lower Hadamard blocks run on (1 MiB).
_SEGMENT_WIRES = 16
#: Phase tables over at most this many wires cost one complex exponential
#: per entry; larger tables are factorised (see ``_phase_factors``).
_DIRECT_WIRES = 10
#: Low wires per phase factor in ``_phase_factors`` (tables of 2**(m/2 + 5) entries).
_COUPLED_WIRES = 5
#: Largest m*n*k of one matrix product here. OpenBLAS runs products up to
#: 2**18 on the calling thread; above, it wakes worker threads that then spin
#: between calls: on the busy 2-core machine that slowed every pass (numpy's
#: too) of a 20-qubit batch ~4x. Products are split to stay below.
_SERIAL_MNK = 2**18


class _Step:
    """One step of a fused circuit: a ``"phase"`` layer, a ``"hadamard"`` layer or one ``"op"``."""

    def __init__(self, kind, op=None):
        self.kind, self.op, self.positions = kind, op, set()
        self.terms = {}  # phase layers: sorted positions S -> coefficient c_S, shape (B,) or (1,)
        self.support = ()  # layers: sorted positions (phase terms then index them locally)
        self.data = None  # ops: precomputed matrix or eigenvalues, batched or not


def _phase_terms(op, positions):
    """A diagonal gate as Z-parity terms ``{S: c_S}``, or None if it is not a pure phase."""
    if op.name in _Z_ROTATIONS:  # exp(-i theta/2 Z_S)
        theta = np.asarray(op.data[0], dtype=np.float64).reshape(-1)
        return {tuple(sorted(positions)): -0.5 * theta}
    eig = np.asarray(op.eigvals(), dtype=np.complex128)
    k = len(positions)
    eig = eig.reshape(-1, 2**k)
    if not np.allclose(np.abs(eig), 1.0, rtol=0.0, atol=1e-12):
        return None  # not unitary: multiplied in as it is
    # The phases' Walsh-Hadamard coefficients: angle(s) = sum_mask c_mask z_mask(s).
    coeffs = np.angle(eig) @ _hadamard_matrix(k, 1, np.float64) * 2 ** (-k / 2)
    terms = {}
    for mask in range(2**k):
        if np.any(coeffs[:, mask]):
            subset = sorted(positions[i] for i in range(k) if mask >> (k - 1 - i) & 1)
            terms[tuple(subset)] = coeffs[:, mask]
    return terms


def _schedule(ops, wires):
    """Group ``ops`` into steps, moving a diagonal gate or Hadamard back past every
    step it commutes with (disjoint wires; diagonal gates all commute) to the latest
    step of its kind it can join."""
    steps = []
    for op in ops:
        positions = tuple(wires.index(w) for w in op.wires)
        terms = _phase_terms(op, positions) if op.name in _DIAGONAL else None
        kind = "phase" if terms is not None else "hadamard" if op.name == "Hadamard" else "op"
        step = None
        for earlier in reversed(steps) if kind != "op" else ():
            if earlier.kind == kind and (kind == "phase" or positions[0] not in earlier.positions):
                step = earlier
                break
            if not earlier.positions.isdisjoint(positions):
                break
        if step is None:
            step = _Step(kind, op)
            steps.append(step)
        step.positions.update(positions)
        for subset, c in (terms or {}).items():
            step.terms[subset] = step.terms[subset] + c if subset in step.terms else c
    return steps


def _prepare(steps, wires, dtype):
    """Matrices and eigenvalues of the remaining gates, once for the whole batch."""
    ops = [step.op for step in steps if step.kind == "op"]
    matrices = _grouped_matrices(ops)
    for step in steps:
        op = step.op
        if step.kind == "phase":
            support = sorted(step.positions)
            local = {p: i for i, p in enumerate(support)}
            step.support = tuple(support)
            step.terms = [(tuple(local[p] for p in s), c) for s, c in step.terms.items()]
        elif step.kind == "hadamard":
            step.support = tuple(sorted(step.positions))
        elif op.name in _DIAGONAL:
            step.data = np.asarray(op.eigvals(), dtype=dtype)
        elif len(op.wires) == 1:
            mat = matrices[id(op)] if id(op) in matrices else op.matrix()
            step.data = np.asarray(mat, dtype=dtype)
        elif op.batch_size is not None or op.data or _permutation(
                op.name, tuple(wires.index(w) for w in op.wires), len(wires)) is None:
            step.data = np.asarray(op.matrix(), dtype=dtype)


def simulate_fused(ops, wires, batch_size, dtype):
    """Schedule and prepare the circuit once, then run it on each block of rows."""
    n_wires = len(wires)
    steps = _schedule(ops, wires)
    _prepare(steps, wires, dtype)
    out = np.empty((batch_size, 2**n_wires), dtype=dtype)
    chunk = max(1, _CHUNK_BYTES // (2**n_wires * np.dtype(dtype).itemsize))
    spare = np.empty((min(chunk, batch_size), 2**n_wires), dtype=dtype)
    for start in range(0, batch_size, chunk):
        rows = slice(start, min(start + chunk, batch_size))
        _run_block(steps, out[rows], spare[: rows.stop - start], rows, wires)
    return out


def _run_block(steps, out, spare, rows, wires):
    """Run the circuit on one block of rows, leaving the states in ``out``."""
    n_wires = len(wires)
    psi, plus = None, ()  # psi None: still |0...0>, with Hadamards pending on `plus`
    for i, step in enumerate(steps):
        if i == 0 and step.kind == "hadamard":
            plus = step.support  # H|0> = |+>: nothing to transform
            continue
        if psi is None and len(plus) == n_wires and step.kind == "phase":
            # |+...+> times the phases: written straight into the states.
            scale = 2 ** (-n_wires / 2)
            psi = _apply_phases(out, step, rows, n_wires, scale=scale, assign=True)
            continue
        if psi is None:
            psi = _start(out, plus, n_wires)
        psi, spare = _apply_step(step, psi, spare, rows, wires)
    if psi is None:
        psi = _start(out, plus, n_wires)
    if psi is not out:
        out[...] = psi


def _start(out, plus, n_wires):
    """``|0...0>`` with a Hadamard on each wire in ``plus``, written into ``out``."""
    index = np.zeros(1, dtype=np.int64)
    for p in plus:
        index = np.concatenate([index, index + (1 << (n_wires - 1 - p))])
    out[...] = 0.0
    out[:, index] = 2 ** (-len(plus) / 2)
    return out


def _apply_step(step, psi, spare, rows, wires):
    """Apply one step; returns (states, spare buffer)."""
    n_wires, dtype = len(wires), psi.dtype
    if step.kind == "phase":
        return _apply_phases(psi, step, rows, n_wires), spare
    if step.kind == "hadamard":
        return _walsh_hadamard(psi, spare, step.support, n_wires)
    op, data = step.op, step.data
    if data is not None and op.batch_size is not None and len(data) > 1:
        data = data[rows]  # one matrix per state; a batch of one broadcasts
    positions = [wires.index(w) for w in op.wires]
    if op.name in _DIAGONAL:
        psi = _apply_diagonal(psi, op, positions, n_wires, dtype, eig=data)
    elif len(positions) == 1:
        psi = _apply_single(psi, op, positions[0], n_wires, dtype, data)
    else:
        psi = _apply_general(psi, op, positions, n_wires, dtype, mat=data)
    # Left in the helpers' layout: a permutation returns the batch axis innermost,
    # which suits the next gates when the batch is long and states are short.
    return psi, spare


def _apply_phases(psi, step, rows, n_wires, *, scale=1.0, assign=False):
    """``psi *= exp(i phi)`` for a phase layer, in place; with ``assign``,
    ``psi = exp(i phi)`` (``psi`` holds no state yet)."""
    if not (psi.flags.c_contiguous or psi.flags.f_contiguous):
        psi = np.ascontiguousarray(psi)  # so that the reshapes below are views
    # The block's coefficients: batched ones sliced to its rows, shared ones as they are.
    terms = [(subset, c if len(c) == 1 else c[rows]) for subset, c in step.terms]
    factors = _phase_factors(terms, len(step.support), psi.dtype, scale)
    for k, (local, table) in enumerate(factors):
        view, table = _on_wires(psi, [step.support[i] for i in local], n_wires, table)
        if assign and k == 0:
            view[...] = table
        else:
            view *= table
    return psi


def _on_wires(psi, wires, n_wires, factor):
    """Views of ``psi`` (r, 2**n_wires) and ``factor`` (r or 1, 2**len(wires)) that
    broadcast the factor over the wires not in the sorted positions ``wires``."""
    psi_shape, factor_shape = [len(psi)], [len(factor)]
    for inside, run in itertools.groupby(p in wires for p in range(n_wires)):
        size = 2 ** len(list(run))  # adjacent wires merged: few, long axes
        psi_shape.append(size)
        factor_shape.append(size if inside else 1)
    return psi.reshape(psi_shape), factor.reshape(factor_shape)


def _phase_factors(terms, m, dtype, scale=1.0):
    """``scale * exp(i sum_S c_S z_S(s))`` over the ``2**m`` states of ``m`` wires, as a
    short list of ``(wires, table)`` whose product (each table broadcast over the
    other wires) is the phase.

    ``terms`` holds ``(S, c_S)``: ``S`` sorted wire indices (wire 0 the most
    significant bit), ``c_S`` of shape ``(r,)`` or ``(1,)``.

    Up to ``_DIRECT_WIRES`` wires: one table, one real matrix product and one
    complex exponential per entry. Above, the wires split into a high half
    ``H`` and a low half ``L``. A term with one low wire ``j`` contributes
    ``z_j(l) a_j(h)``, so the high wires and the low wires ``C`` that such
    terms touch get one table, a product of one-wire factors
    ``exp(+-i a_j(h))`` for each high index, built by doubling (one or two
    complex products per entry, ``2**|H|`` exponentials per wire of ``C``).
    Terms within ``L`` give the next factors (recursively), terms with
    several low and some high wires (none in the ZZ and IQP maps) one each.
    For linear or circular couplings ``C`` holds one or two wires, so a
    16-qubit phase costs two broadcast products instead of ``2**16``
    exponentials.
    """
    if m <= _DIRECT_WIRES:
        return [(tuple(range(m)), _phase_table(terms, m, dtype, scale))]
    h = m // 2
    high, low, cross, rest = _split_terms(terms, h)
    coupled = sorted(cross)
    # Groups of at most _COUPLED_WIRES low wires: one small table and one pass each
    # (full couplings: two passes at 16 qubits, against ~3 for one big table).
    n_groups = -(-len(coupled) // _COUPLED_WIRES)
    groups = [sorted(coupled[g * len(coupled) // n_groups:(g + 1) * len(coupled) // n_groups])
              for g in range(n_groups)] if coupled else [[]]
    factors = []
    for k, group in enumerate(groups):
        table = _phase_table(high if k == 0 else [], h, dtype, scale if k == 0 else 1.0)
        table = table[:, :, None]
        for j in reversed(group):  # each new wire above the previous ones
            factor = _phase_table(cross[j], h, dtype)[:, :, None]
            doubled = np.empty((max(len(table), len(factor)), 2**h, 2, table.shape[2]), dtype)
            np.multiply(table, factor, out=doubled[:, :, 0])  # bit j = 0: z_j = +1
            np.multiply(table, factor.conj(), out=doubled[:, :, 1])
            table = doubled.reshape(len(doubled), 2**h, -1)
        factors.append((tuple(range(h)) + tuple(h + j for j in group),
                        table.reshape(len(table), -1)))
    if low:
        factors += [(tuple(h + i for i in local), t)
                    for local, t in _phase_factors(low, m - h, dtype)]
    factors += [(subset, _phase_table([(tuple(range(len(subset))), c)], len(subset), dtype))
                for subset, c in rest]
    return factors


def _phase_table(terms, m, dtype, scale=1.0):
    """``scale * exp(i sum_S c_S z_S(s))`` as one table, shape ``(r or 1, 2**m)``: the
    phase sums, then one complex exponential per entry."""
    phi = _phase_values(terms, m)
    table = np.empty(phi.shape, dtype=dtype)
    np.cos(phi, out=table.real)  # cos and sin: faster than numpy's complex exp
    np.sin(phi, out=table.imag)
    if scale != 1.0:
        table *= scale
    return table


def _split_terms(terms, h):
    """Terms within the high wires ``[0, h)``, within the low ones, with one low wire
    and some high ones (by that low wire, high part only), and the rest."""
    high, low, cross, rest = [], [], {}, []
    for subset, c in terms:
        lows = [i - h for i in subset if i >= h]
        if not lows:
            high.append((subset, c))
        elif len(lows) == len(subset):
            low.append((tuple(lows), c))
        elif len(lows) == 1:
            cross.setdefault(lows[0], []).append((subset[:-1], c))
        else:
            rest.append((subset, c))
    return high, low, cross, rest


def _phase_values(terms, m):
    """``sum_S c_S z_S(s)`` over ``2**m`` basis states: one real matrix product."""
    if not terms:
        return np.zeros((1, 2**m))
    coeffs = np.stack(np.broadcast_arrays(*[c for _, c in terms]), axis=1)
    parities = _parities(tuple(subset for subset, _ in terms), m)
    phi = np.empty((len(coeffs), 2**m))
    step = max(1, _SERIAL_MNK // parities.size)  # rows per product (see _SERIAL_MNK)
    for start in range(0, len(coeffs), step):
        np.matmul(coeffs[start : start + step], parities, out=phi[start : start + step])
    return phi


@functools.lru_cache(maxsize=64)
def _parities(subsets, m):
    """``z_S(s) = (-1)^(parity of the bits S of s)``, shape ``(len(subsets), 2**m)``."""
    bits = (np.arange(2**m) >> (m - 1 - np.arange(m))[:, None]) & 1
    z = np.empty((len(subsets), 2**m))
    for k, subset in enumerate(subsets):
        z[k] = 1 - 2 * (bits[list(subset)].sum(axis=0) & 1)
    z.flags.writeable = False
    return z


@functools.lru_cache(maxsize=64)
def _hadamard_matrix(k, trailing, dtype):
    """``H^{(x)k} / 2**(k/2)`` (x) ``I_trailing``, read-only."""
    h = np.ones((1, 1))
    for _ in range(k):
        h = np.kron(h, [[1.0, 1.0], [1.0, -1.0]])
    h = np.kron(h * 2 ** (-k / 2), np.eye(trailing)).astype(dtype)
    h.flags.writeable = False
    return h


def _wht_blocks(support, n_wires):
    """``(first wire, width)`` blocks of at most ``_WHT_WIRES`` adjacent wires of ``support``,
    cut from the bottom of each run so that the narrow remainder sits on top."""
    blocks = []
    for _, run in itertools.groupby(enumerate(support), key=lambda item: item[1] - item[0]):
        run = [p for _, p in run]
        end = run[-1] + 1
        while end > run[0]:
            width = min(_WHT_WIRES, end - run[0])
            blocks.append((end - width, width))
            end -= width
    return blocks


def _walsh_hadamard(psi, spare, support, n_wires):
    """A Hadamard on every wire of ``support``; returns (states, spare buffer).

    Blocks of wires below the top ``_SEGMENT_WIRES`` act within contiguous
    segments of each state, so for large states they run segment by segment
    while a segment is in cache; the blocks above then take one pass each.
    """
    if not psi.flags.c_contiguous:  # read as reals below: (re, im) must be adjacent
        psi = np.ascontiguousarray(psi)
    blocks = _wht_blocks(support, n_wires)
    top = n_wires - _SEGMENT_WIRES
    low = [(first - top, width) for first, width in blocks if first >= top]
    if top > 0 and low:
        segments, spare_segments = psi.reshape(-1, 2**_SEGMENT_WIRES), spare.reshape(
            -1, 2**_SEGMENT_WIRES)
        step = max(1, _CHUNK_BYTES // segments[:1].nbytes)
        for start in range(0, len(segments), step):
            part = slice(start, start + step)
            _wht_passes(segments[part], spare_segments[part], low, _SEGMENT_WIRES)
        if len(low) % 2:
            psi, spare = spare, psi
        blocks = [(first, width) for first, width in blocks if first < top]
    return _wht_passes(psi, spare, blocks, n_wires)


def _wht_passes(psi, spare, blocks, n_wires):
    """Hadamards on ``(first wire, width)`` blocks, one matrix product each.

    The states are read as real numbers (a Hadamard is real, so it acts on the
    real and imaginary parts alike): ``H_block @ x`` over the block's axis or,
    for blocks near the bottom whose trailing axis is short,
    ``x @ (H_block (x) I)`` over rows. Returns (states, spare buffer).
    """
    real = psi.real.dtype
    for first, width in blocks:
        trailing = 2 ** (n_wires - first - width + 1)  # lower wires and (re, im)
        x, y = psi.view(real), spare.view(real)
        if trailing < 16:
            matrix = _hadamard_matrix(width, trailing, real)
            rows = min(2**first, max(1, _SERIAL_MNK // len(matrix) ** 2))  # powers of two
            shape = (-1, rows, len(matrix))
            np.matmul(x.reshape(shape), matrix, out=y.reshape(shape))
        else:
            # (stack, block, columns): columns cut into pieces of at most `cols`.
            cols = min(trailing, max(1, _SERIAL_MNK // 4**width))
            shape = (len(psi) * 2**first, 2**width, trailing // cols, cols)
            np.matmul(_hadamard_matrix(width, 1, real), x.reshape(shape).transpose(0, 2, 1, 3),
                      out=y.reshape(shape).transpose(0, 2, 1, 3))
        psi, spare = spare, psi
    return psi, spare
