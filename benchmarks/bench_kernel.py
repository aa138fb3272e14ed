"""Exact fidelity-kernel Gram matrices: qskew against the baselines it names.

Run from the repository root, on an otherwise idle machine (other processes
skew timings by up to 50x; see DESIGN.md, "Known traps")::

    python benchmarks/bench_kernel.py               # full sizes, numbers for BENCHMARKS.md
    python benchmarks/bench_kernel.py --quick       # tiny sizes: a smoke test, not a measurement
    python benchmarks/bench_kernel.py --skip-pairwise   # skip the slow pairwise baseline

A full run takes several minutes on a 2-core machine -- the pairwise baseline
(about a minute) and the 16-qubit, N = 1024 case dominate -- and needs about
3.5 GiB of memory (that 16-qubit case: ~3 GiB traced by tracemalloc).

All sections run in one process, one after another, on the same data
(features uniform in [0, pi], fixed seed), with the ZZ feature map
(``reps=2``, ``entanglement="linear"``):

1. ``QuantumKernel(...)(X)`` against PennyLane's documented pairwise
   construction, ``qml.kernels.square_kernel_matrix`` over a ``lightning.qubit``
   QNode running ``U(x1)`` then ``adjoint(U)(x2)`` (one circuit per pair).
2. ``QuantumKernel(...)(X)`` against Qiskit Machine Learning's
   ``FidelityStatevectorKernel(feature_map=ZZFeatureMap(...))`` -- only if the
   ``bench`` extra is installed (``pip install qiskit qiskit-machine-learning``).
3. qskew alone: time and peak memory against N and against the qubit count.

Every timing is the best of ``--repeats`` runs (``--pairwise-repeats`` for the
pairwise baseline) with ``time.perf_counter``, after an untimed warm-up (qskew:
one run at the same size; baselines: a few rows, which loads and initialises
them -- a full-size pairwise warm-up would cost another minute). Each run
builds a fresh kernel object, so no cached state is reused (Qiskit's kernel
also clears its own cache on every call). Peak
memory is measured in a separate, untimed run under ``tracemalloc``, which sees
every numpy allocation (BLAS scratch space is not included). The Gram matrices
are cross-checked entry by entry; the exit status is 1 if any check fails.
"""

import argparse
import resource
import sys
import tracemalloc
import warnings

import _common  # benchmarks/ is sys.path[0] when run as python benchmarks/bench_kernel.py
import numpy as np

FEATURE_MAP = {"reps": 2, "entanglement": "linear"}
TOLERANCE = 1e-10

FULL = {
    "pairwise": {"n_qubits": 8, "sizes": (64, 128)},
    "qiskit": {"n_qubits": 8, "sizes": (256,)},
    "scaling_n": {"n_qubits": 8, "sizes": (256, 512, 1024, 2048, 4096)},
    "scaling_qubits": {"n_samples": 1024, "qubits": (4, 8, 12, 16)},
}
QUICK = {
    "pairwise": {"n_qubits": 4, "sizes": (16, 32)},
    "qiskit": {"n_qubits": 4, "sizes": (32,)},
    "scaling_n": {"n_qubits": 4, "sizes": (16, 32)},
    "scaling_qubits": {"n_samples": 32, "qubits": (4, 6)},
}
# (case, N, qubits) -> (description, predicate on the result row).
TARGETS = {
    ("vs pairwise", 128, 8): (">= 1000x", lambda row: row["ratio"] >= 1000),
    ("vs qiskit", 256, 8): (">= 20x", lambda row: row["ratio"] >= 20),
    ("scaling", 1024, 8): ("<= 0.5 s", lambda row: row["qskew_s"] <= 0.5),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time qskew's exact fidelity Gram matrix against PennyLane's pairwise "
        "square_kernel_matrix and Qiskit ML's FidelityStatevectorKernel. "
        "Run on an otherwise idle machine.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (N=16/32, 4/6 qubits): a smoke test, not a measurement")
    parser.add_argument("--skip-pairwise", action="store_true",
                        help="skip the slow PennyLane pairwise baseline (section 1)")
    parser.add_argument("--skip-qiskit", action="store_true",
                        help="skip the Qiskit ML baseline (section 2)")
    parser.add_argument("--repeats", type=_common.positive_int, default=3, metavar="K",
                        help="best of K timed runs for qskew and Qiskit (default: 3)")
    parser.add_argument("--pairwise-repeats", type=_common.positive_int, default=1, metavar="K",
                        help="best of K timed runs for the pairwise baseline (default: 1)")
    parser.add_argument("--seed", type=int, default=0, help="data seed (default: 0)")
    return parser.parse_args(argv)


def _load_thread_pools():
    """Import every contender first, so that threadpoolctl sees all their thread pools."""
    _common.load_thread_pools()
    if qiskit_available():
        import qiskit_machine_learning.kernels  # noqa: F401


# -- memory and data -----------------------------------------------------------

def peak_mib(func):
    """Peak bytes traced by tracemalloc (numpy allocations included) during ``func()``."""
    tracemalloc.start()
    try:
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def make_data(n_samples, n_qubits, seed):
    rng = np.random.default_rng([seed, n_samples, n_qubits])
    return rng.uniform(0.0, np.pi, size=(n_samples, n_qubits))


# -- the contenders ------------------------------------------------------------

def qskew_gram(X):
    """qskew's exact K(X, X) from an empty state cache, so every state is prepared."""
    import qskew

    qskew.QuantumKernel.clear_cache()
    return qskew.QuantumKernel(feature_map="zz", **FEATURE_MAP)(X)


def pennylane_kernel_fn(n_qubits):
    """PennyLane's documented kernel: one lightning.qubit overlap circuit per pair."""
    import pennylane as qml

    from circuits import get_feature_map

    feature_map = get_feature_map("zz", **FEATURE_MAP)
    wires = list(range(n_qubits))
    device = qml.device("lightning.qubit", wires=n_qubits)

    @qml.qnode(device)
    def overlap(x1, x2):
        feature_map(x1, wires)
        qml.adjoint(feature_map)(x2, wires)
        return qml.probs(wires=wires)

    def kernel_fn(x1, x2):
        return overlap(x1, x2)[0]

    return kernel_fn


def pennylane_gram(X, kernel_fn):
    import pennylane as qml

    return qml.kernels.square_kernel_matrix(X, kernel_fn, assume_normalized_kernel=True)


def qiskit_kernel(n_qubits):
    """Qiskit ML's exact statevector fidelity kernel on Qiskit's ZZFeatureMap."""
    from qiskit_machine_learning.kernels import FidelityStatevectorKernel

    with warnings.catch_warnings():
        # ZZFeatureMap (the class the Qiskit ML docs use) is deprecated since Qiskit 2.1.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from qiskit.circuit.library import ZZFeatureMap

            feature_map = ZZFeatureMap(n_qubits, **FEATURE_MAP)
        except ImportError:  # Qiskit >= 3: only the function form remains.
            from qiskit.circuit.library import zz_feature_map

            feature_map = zz_feature_map(n_qubits, **FEATURE_MAP)
    return FidelityStatevectorKernel(feature_map=feature_map)


def qiskit_available():
    try:
        import qiskit  # noqa: F401
        import qiskit_machine_learning  # noqa: F401
    except ImportError:
        return False
    return True


# -- sections ------------------------------------------------------------------

def compare(case, baseline, X, baseline_gram, args, baseline_repeats):
    """One comparison row: qskew and a baseline on the same X, cross-checked."""
    qskew_s, K = _common.best_of(lambda: qskew_gram(X), args.repeats)
    baseline_s, K_base = _common.best_of(baseline_gram, baseline_repeats, warm_up=False)
    return {
        "case": case, "n": len(X), "qubits": X.shape[1], "qskew_s": qskew_s,
        "baseline": baseline, "baseline_s": baseline_s, "ratio": baseline_s / qskew_s,
        "max_diff": float(np.max(np.abs(K - np.asarray(K_base, dtype=float)))),
    }


def section_pairwise(config, args):
    n_qubits = config["n_qubits"]
    kernel_fn = pennylane_kernel_fn(n_qubits)
    pennylane_gram(make_data(3, n_qubits, args.seed), kernel_fn)  # warm-up
    rows = []
    for n in config["sizes"]:
        X = make_data(n, n_qubits, args.seed)
        rows.append(compare("vs pairwise", "PennyLane square_kernel_matrix (lightning.qubit)",
                            X, lambda: pennylane_gram(X, kernel_fn), args,
                            args.pairwise_repeats))
        _progress(rows[-1])
    return rows


def section_qiskit(config, args):
    n_qubits = config["n_qubits"]
    qiskit_kernel(n_qubits).evaluate(make_data(4, n_qubits, args.seed))  # warm-up
    rows = []
    for n in config["sizes"]:
        X = make_data(n, n_qubits, args.seed)
        rows.append(compare("vs qiskit", "Qiskit ML FidelityStatevectorKernel", X,
                            lambda: qiskit_kernel(n_qubits).evaluate(X), args, args.repeats))
        _progress(rows[-1])
    return rows


def scaling_row(n, n_qubits, args):
    X = make_data(n, n_qubits, args.seed)
    qskew_s, K = _common.best_of(lambda: qskew_gram(X), args.repeats)
    del K
    return {
        "case": "scaling", "n": n, "qubits": n_qubits, "qskew_s": qskew_s,
        "peak_mib": peak_mib(lambda: qskew_gram(X)),
    }


def section_scaling(config_n, config_qubits, args):
    rows = []
    for n in config_n["sizes"]:
        rows.append(scaling_row(n, config_n["n_qubits"], args))
        _progress(rows[-1])
    for n_qubits in config_qubits["qubits"]:
        if n_qubits == config_n["n_qubits"] and config_qubits["n_samples"] in config_n["sizes"]:
            continue  # already measured above
        rows.append(scaling_row(config_qubits["n_samples"], n_qubits, args))
        _progress(rows[-1])
    return rows


# -- report --------------------------------------------------------------------

def _progress(row):
    print(f"  done: {row['case']}, N={row['n']}, {row['qubits']} qubits "
          f"({row['qskew_s']:.4g} s qskew)", file=sys.stderr, flush=True)


def _format_row(row):
    target = TARGETS.get((row["case"], row["n"], row["qubits"]))
    diff = row.get("max_diff")
    cells = [
        row["case"], str(row["n"]), str(row["qubits"]), f"{row['qskew_s']:.4g}",
        row.get("baseline", "-"),
        f"{row['baseline_s']:.4g}" if "baseline_s" in row else "-",
        f"{row['ratio']:.0f}x" if "ratio" in row else "-",
        "-" if diff is None else f"{diff:.1e} {'ok' if diff < TOLERANCE else 'FAIL'}",
        f"{row['peak_mib']:.3g}" if "peak_mib" in row else "-",
        "-" if target is None else f"{target[0]}: {'met' if target[1](row) else 'MISSED'}",
    ]
    return "| " + " | ".join(cells) + " |"


def print_table(rows):
    header = ["case", "N", "qubits", "qskew s", "baseline", "baseline s", "ratio",
              f"max abs diff (< {TOLERANCE:g})", "qskew peak MiB (tracemalloc)", "target"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print(_format_row(row))


def main(argv=None):
    args = parse_args(argv)
    config = QUICK if args.quick else FULL
    print("# qskew exact fidelity kernel benchmark\n")
    print(f"ZZ feature map (reps={FEATURE_MAP['reps']}, entanglement="
          f"{FEATURE_MAP['entanglement']!r}), features uniform in [0, pi], seed {args.seed}; "
          f"best of {args.repeats} (pairwise: {args.pairwise_repeats}) after a warm-up."
          + (" QUICK MODE: smoke-test sizes, targets not applicable." if args.quick else "")
          + "\n")
    _common.print_machine(("numpy", "scipy", "pennylane", "pennylane-lightning", "qskew",
                           "qiskit", "qiskit-machine-learning", "threadpoolctl"),
                          load_pools=_load_thread_pools)
    rows = []
    if args.skip_pairwise:
        print("Section 1 (PennyLane pairwise) skipped: --skip-pairwise.\n")
    else:
        rows += section_pairwise(config["pairwise"], args)
    if args.skip_qiskit:
        print("Section 2 (Qiskit ML) skipped: --skip-qiskit.\n")
    elif not qiskit_available():
        print("Section 2 (Qiskit ML) skipped: qiskit / qiskit-machine-learning not installed "
              "(pip install qiskit qiskit-machine-learning, or the 'bench' extra).\n")
    else:
        rows += section_qiskit(config["qiskit"], args)
    rows += section_scaling(config["scaling_n"], config["scaling_qubits"], args)
    print("## Results\n")
    print_table(rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nProcess peak RSS (ru_maxrss, whole run, all libraries): {rss:.0f} MiB. "
          "Targets apply to the full sizes only.")
    failed = [r for r in rows if "max_diff" in r and not r["max_diff"] < TOLERANCE]
    if failed:
        print(f"\nCROSS-CHECK FAILED for {len(failed)} row(s): Gram matrices disagree "
              f"by >= {TOLERANCE:g}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
