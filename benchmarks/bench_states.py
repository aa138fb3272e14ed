"""Batched statevector preparation: qskew's fused engine against the gate-by-gate
engine it replaced and against a numpy floor.

Run from the repository root, on an otherwise idle machine (other processes
skew timings by up to 50x; see DESIGN.md, "Known traps")::

    python benchmarks/bench_states.py               # full sizes (~6 minutes on 2 cores)
    python benchmarks/bench_states.py --quick       # tiny sizes: a smoke test, not a measurement
    python benchmarks/bench_states.py --skip-gram   # without the 16-qubit Gram case
    python benchmarks/bench_states.py --blas-threads 1   # cap BLAS (default: leave it)

All contenders run in one process, one after another, on the same data
(features uniform in [0, pi], fixed seed), and return the same states
``U(x)|0>`` (complex128) for every row:

new
    ``simulate_states(ops, wires, n_rows)``, the default fused numpy path of
    ``qskew.backends._statevector``: commuting diagonal gates merged into one
    phase product per layer (factorised into small tables above 10 qubits),
    Hadamard layers as one Walsh-Hadamard transform (8x8 real matrix products),
    the circuit run on 4 MiB of rows at a time.
old
    ``simulate_states(ops, wires, n_rows, fuse=False)``: every gate applied to
    the whole batch in turn, the engine before the fused path.
floor
    The minimum straightforward numpy work a ZZ (or IQP) state needs, written
    here from the feature map's formula, without PennyLane: per repetition one
    Walsh-Hadamard transform of the whole batch (radix-2 butterflies, add and
    subtract in place, one final scale by ``2**(-n/2)``), then one phase
    product ``psi *= exp(1j * Theta @ P)``, where ``P`` is the precomputed
    ``(n_terms, 2**n)`` table of +-1 Z-parities of the map's terms (built
    before timing) and ``Theta`` the ``(n_rows, n_terms)`` angles: one real
    matrix product, one complex exponential and one multiplication over the
    batch. ``new/floor`` below 1 is possible: the engine skips the first
    transform (``H|0>`` is uniform), replaces most of the ``2**n``
    exponentials by products of small tables, and keeps its passes in cache.

Cases: the ZZ map (``reps=2, entanglement="linear"``, qskew's default) at 12,
16 and 20 qubits, the IQP map (``reps=2``, full couplings: the factorisation's
worst case) at 16 qubits, and the exact Gram matrix
``QuantumKernel(feature_map="zz", reps=2, entanglement="linear")(X)`` of 1024
rows at 16 qubits from an empty state cache (``QuantumKernel.clear_cache()``
before every run; old: the same call with the engine's ``fuse=False``; floor:
floor states, then ``|S* S^T|^2`` as one complex matrix product). With the
fused engine that Gram time is mostly the kernel's own matrix product.

A full run spends most of its ~6 minutes on old (about 2.5 minutes: 41 s for
1024 16-qubit states) and floor (about 1.5 minutes), and needs about 6 GiB of
memory (their 1 GiB batches and temporaries).

Cross-checks come first: each case's new states for two rows against
PennyLane's ``default.qubit`` (``qml.state()``), then every timed result of
new and floor against old, entry by entry (states and Gram matrices). The
exit status is 1 if any differs by >= 1e-10. Timings: best of ``--repeats``
(new) or ``--slow-repeats`` (old, floor; default 1: they take tens of
seconds at full size) runs with ``time.perf_counter``, after an untimed
warm-up (new: the same size; old and floor: a few rows). Column
``1 pass s`` is one in-place complex multiplication over the batch, the
unit of memory traffic: new costs that many passes.
"""

import argparse
import functools
import resource
import sys
import time

import _common  # benchmarks/ is sys.path[0] when run as python benchmarks/bench_states.py
import numpy as np

TOLERANCE = 1e-10

# (case, feature map, options, qubits, rows)
FULL = [
    ("zz states", "zz", {"reps": 2, "entanglement": "linear"}, 12, 2048),
    ("zz states", "zz", {"reps": 2, "entanglement": "linear"}, 16, 1024),
    ("zz states", "zz", {"reps": 2, "entanglement": "linear"}, 20, 64),
    ("iqp states", "iqp", {"reps": 2, "entanglement": "full"}, 16, 256),
    ("zz Gram", "zz", {"reps": 2, "entanglement": "linear"}, 16, 1024),
]
QUICK = [
    ("zz states", "zz", {"reps": 2, "entanglement": "linear"}, 6, 64),
    ("zz states", "zz", {"reps": 2, "entanglement": "linear"}, 12, 16),
    ("iqp states", "iqp", {"reps": 2, "entanglement": "full"}, 12, 16),
    ("zz Gram", "zz", {"reps": 2, "entanglement": "linear"}, 8, 64),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time qskew's fused statevector preparation against its gate-by-gate "
        "engine and a numpy floor. Run on an otherwise idle machine.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (6-12 qubits, <= 64 rows): a smoke test only")
    parser.add_argument("--skip-gram", action="store_true",
                        help="skip the QuantumKernel Gram case")
    parser.add_argument("--repeats", type=_common.positive_int, default=3, metavar="K",
                        help="best of K timed runs of the new engine (default: 3)")
    parser.add_argument("--slow-repeats", type=_common.positive_int, default=1, metavar="K",
                        help="best of K timed runs of old and floor (default: 1)")
    parser.add_argument("--blas-threads", type=_common.positive_int, default=None, metavar="N",
                        help="cap BLAS at N threads with threadpoolctl (default: leave it)")
    parser.add_argument("--seed", type=int, default=0, help="data seed (default: 0)")
    return parser.parse_args(argv)


def make_data(n_rows, n_qubits, seed):
    rng = np.random.default_rng([seed, n_rows, n_qubits])
    return rng.uniform(0.0, np.pi, size=(n_rows, n_qubits))


# -- the contenders ------------------------------------------------------------

def engine_states(name, options, X, *, fuse):
    """qskew's engine on the recorded feature map (recording included in the time)."""
    import pennylane as qml

    from circuits import get_feature_map
    from qskew.backends._statevector import simulate_states

    wires = list(range(X.shape[1]))
    tape = qml.tape.make_qscript(get_feature_map(name, **options))(X, wires)
    return simulate_states(tape.operations, wires, len(X), fuse=fuse)


def floor_terms(name, options, n_qubits):
    """The map's Z terms: wire sets and a function of X giving their angles.

    A term ``(S, theta)`` is ``exp(-i theta/2 Z_S)``: ZZ has ``RZ(2 x_i)`` and
    ``MultiRZ(2 (pi - x_i)(pi - x_j))``; IQP ``RZ(x_i)`` and ``MultiRZ(x_i x_j)``.
    """
    from circuits import entangling_pairs

    pairs = entangling_pairs(n_qubits, options["entanglement"])
    sets = [(i,) for i in range(n_qubits)] + pairs
    if name == "zz":
        def angles(X):
            return np.hstack([2 * X] + [2 * (np.pi - X[:, [i]]) * (np.pi - X[:, [j]])
                                        for i, j in pairs])
    else:
        def angles(X):
            return np.hstack([X] + [X[:, [i]] * X[:, [j]] for i, j in pairs])
    return sets, angles


def parity_table(sets, n_qubits):
    """``P[k, s] = +-1``: the parity of the bits ``sets[k]`` of ``s`` (wire 0 most significant)."""
    s = np.arange(2**n_qubits)
    table = np.empty((len(sets), 2**n_qubits))
    for k, wires in enumerate(sets):
        parity = np.zeros_like(s)
        for w in wires:
            parity ^= (s >> (n_qubits - 1 - w)) & 1
        table[k] = 1 - 2 * parity
    return table


def butterfly_wht(psi, n_qubits):
    """``H^{(x)n}`` on every row of ``psi`` in place: radix-2 butterflies, one final scale."""
    rows = len(psi)
    for q in range(n_qubits):
        view = psi.reshape(rows, 2**q, 2, 2 ** (n_qubits - q - 1))
        top, bottom = view[:, :, 0], view[:, :, 1]
        old_top = top.copy()
        top += bottom
        np.subtract(old_top, bottom, out=bottom)
    psi *= 2 ** (-n_qubits / 2)
    return psi


def floor_states(X, reps, angles, table):
    n_qubits = X.shape[1]
    theta = -0.5 * angles(X)  # exp(-i theta/2 Z_S): phase -theta/2 per unit of parity
    psi = np.zeros((len(X), 2**n_qubits), dtype=np.complex128)
    psi[:, 0] = 1.0
    for _ in range(reps):
        butterfly_wht(psi, n_qubits)
        psi *= np.exp(1j * (theta @ table))
    return psi


def reference_states(name, options, X):
    """PennyLane default.qubit's ``qml.state()``, one row at a time."""
    import pennylane as qml

    from circuits import get_feature_map

    wires = list(range(X.shape[1]))
    feature_map = get_feature_map(name, **options)

    @qml.qnode(qml.device("default.qubit", wires=wires))
    def circuit(x):
        feature_map(x, wires)
        return qml.state()

    return np.stack([np.asarray(circuit(x)) for x in X])


def kernel_gram(options, X, *, fuse):
    """``QuantumKernel(...)(X)`` from an empty state cache; ``fuse=False``: the old engine."""
    import qskew
    from qskew.backends import _statevector

    qskew.QuantumKernel.clear_cache()
    simulate = _statevector.simulate_states
    if not fuse:  # the kernel reaches the engine through this module attribute
        _statevector.simulate_states = functools.partial(simulate, fuse=False)
    try:
        return qskew.QuantumKernel(feature_map="zz", **options)(X)
    finally:
        _statevector.simulate_states = simulate


def floor_gram(X, reps, angles, table):
    states = floor_states(X, reps, angles, table)
    overlaps = states.conj() @ states.T
    return overlaps.real**2 + overlaps.imag**2


def one_pass(X):
    """One in-place complex multiplication over a batch of states of X's shape."""
    psi = np.full((len(X), 2 ** X.shape[1]), 1 + 1e-9j)
    factor = np.full_like(psi, 1.0 + 0.0j)

    def run():
        psi.__imul__(factor)

    return run


# -- cases -----------------------------------------------------------------------

def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def cross_check(case, name, options, n_qubits, rows, seed):
    """New states for two rows against default.qubit, before any timing."""
    X = make_data(rows, n_qubits, seed)[:2]
    diff = max_diff(engine_states(name, options, X, fuse=True),
                    reference_states(name, options, X))
    print(f"- cross-check {case}, {n_qubits} qubits, 2 rows, new vs default.qubit: "
          f"max abs diff {diff:.1e} {'ok' if diff < TOLERANCE else 'FAIL'}", flush=True)
    return diff


def run_case(case, name, options, n_qubits, rows, args):
    X = make_data(rows, n_qubits, args.seed)
    sets, angles = floor_terms(name, options, n_qubits)
    table = parity_table(sets, n_qubits)
    reps = options["reps"]
    if case.endswith("Gram"):
        new = functools.partial(kernel_gram, options, X, fuse=True)
        old = functools.partial(kernel_gram, options, X, fuse=False)
        floor = functools.partial(floor_gram, X, reps, angles, table)
        warm = [functools.partial(kernel_gram, options, X[:4], fuse=False),
                functools.partial(floor_gram, X[:4], reps, angles, table)]
    else:
        new = functools.partial(engine_states, name, options, X, fuse=True)
        old = functools.partial(engine_states, name, options, X, fuse=False)
        floor = functools.partial(floor_states, X, reps, angles, table)
        warm = [functools.partial(engine_states, name, options, X[:4], fuse=False),
                functools.partial(floor_states, X[:4], reps, angles, table)]
    for func in warm:
        func()
    new_s, new_result = _common.best_of(new, args.repeats)
    old_s, old_result = _common.best_of(old, args.slow_repeats, warm_up=False)
    floor_s, floor_result = _common.best_of(floor, args.slow_repeats, warm_up=False)
    pass_s, _ = _common.best_of(one_pass(X), args.repeats)
    row = {
        "case": case, "rows": rows, "qubits": n_qubits, "old_s": old_s, "new_s": new_s,
        "floor_s": floor_s, "pass_s": pass_s,
        "diff": max(max_diff(new_result, old_result), max_diff(floor_result, old_result)),
    }
    print(f"  done: {case}, {rows} rows, {n_qubits} qubits ({new_s:.3g} s new, "
          f"{old_s:.3g} s old)", file=sys.stderr, flush=True)
    return row


# -- report --------------------------------------------------------------------

def print_table(rows):
    header = ["case", "rows", "qubits", "old s", "new s", "floor s", "new/floor", "speedup",
              "1 pass s", "new in passes", f"max abs diff (< {TOLERANCE:g})"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        cells = [
            r["case"], str(r["rows"]), str(r["qubits"]), f"{r['old_s']:.4g}",
            f"{r['new_s']:.4g}", f"{r['floor_s']:.4g}", f"{r['new_s'] / r['floor_s']:.2f}",
            f"{r['old_s'] / r['new_s']:.1f}x", f"{r['pass_s']:.3g}",
            f"{r['new_s'] / r['pass_s']:.0f}",
            f"{r['diff']:.1e} {'ok' if r['diff'] < TOLERANCE else 'FAIL'}",
        ]
        print("| " + " | ".join(cells) + " |")


def run(args):
    cases = [c for c in (QUICK if args.quick else FULL)
             if not (args.skip_gram and c[0].endswith("Gram"))]
    print("## Cross-checks\n")
    checks = [cross_check(*case, args.seed) for case in cases if not case[0].endswith("Gram")]
    print()
    rows = [run_case(*case, args) for case in cases]
    print("## Results\n")
    print_table(rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nProcess peak RSS (ru_maxrss, whole run): {rss:.0f} MiB.")
    failed = [d for d in checks if not d < TOLERANCE] + [
        r for r in rows if not r["diff"] < TOLERANCE]
    if failed:
        print(f"\nCROSS-CHECK FAILED for {len(failed)} check(s): results differ by "
              f">= {TOLERANCE:g}.")
    return 1 if failed else 0


def main(argv=None):
    args = parse_args(argv)
    print("# qskew batched statevector preparation benchmark\n")
    print(f"complex128 states, features uniform in [0, pi], seed {args.seed}; new: best of "
          f"{args.repeats}, old and floor: best of {args.slow_repeats}, after a warm-up."
          + (" QUICK MODE: smoke-test sizes." if args.quick else "") + "\n")
    _common.print_machine(("numpy", "scipy", "pennylane", "qskew", "threadpoolctl"),
                          load_pools=_common.load_thread_pools)
    if args.blas_threads is None:
        return run(args)
    from threadpoolctl import threadpool_limits

    print(f"BLAS capped at {args.blas_threads} thread(s) (--blas-threads).\n")
    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        return run(args)


if __name__ == "__main__":
    start = time.perf_counter()
    status = main()
    print(f"\nWall time: {time.perf_counter() - start:.0f} s.")
    sys.exit(status)
