"""Quantum kernel on fake IBM hardware: qskew vs Qiskit ML, in one run.

A ZZ kernel (reps 1, linear entanglement) of 24 rows (276 distinct pairs) at
4000 shots on ``FakeManilaV2`` (5 qubits, its real coupling map, basis gates and
noise, simulated locally by Qiskit Runtime's local mode), computed by

(a) ``qskew.QuantumKernel(backend="qiskit.remote", backend_options={"backend": ...})``:
    one parameterised circuit, transpiled once, all pairs as the bindings of one
    ``SamplerV2`` PUB;
(b) Qiskit Machine Learning's ``FidelityQuantumKernel`` (``ComputeUncompute`` on a
    runtime ``SamplerV2`` on the same backend, the peer the issue names): one PUB
    per pair.

Reported: primitive jobs, circuits, wall time (best of ``--repeats``), and the
mean absolute deviation of the off-diagonal entries from the exact kernel.
PennyLane's own ``qiskit.remote`` device path (one job per pair, > 300 s for 30
rows, measured before) is not run here.

Usage::

    python benchmarks/bench_qpu.py [--rows 24] [--shots 4000] [--repeats 3]

Needs the ``qpu`` and ``bench`` extras.
"""

import argparse
import warnings

import numpy as np

import _common  # benchmarks/ is sys.path[0] when run as python benchmarks/bench_qpu.py

FEATURES = 4


def data(rows):
    return np.random.default_rng(0).uniform(0, np.pi / 2, (rows, FEATURES))


def qskew_kernel(X, shots, backend):
    from qskew import QuantumKernel

    kernel = QuantumKernel(feature_map="zz", reps=1, backend="qiskit.remote",
                           backend_options={"backend": backend}, shots=shots, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the PSD repair of a noisy Gram matrix
        K = kernel(X)
    return K, kernel.n_jobs_executed, kernel.n_circuits_executed


def qiskit_ml_kernel(X, shots, backend):
    from qiskit.circuit.library import zz_feature_map
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime import SamplerV2
    from qiskit_machine_learning.kernels import FidelityQuantumKernel
    from qiskit_machine_learning.state_fidelities import ComputeUncompute

    jobs = {"n": 0}
    sampler = SamplerV2(mode=backend, options={"default_shots": shots,
                                               "simulator": {"seed_simulator": 0}})
    run = sampler.run

    def counted_run(pubs, *args, **kwargs):
        jobs["n"] += 1
        return run(pubs, *args, **kwargs)

    sampler.run = counted_run
    feature_map = zz_feature_map(FEATURES, reps=1, entanglement="linear")
    # Qiskit ML transpiles each fidelity circuit with the pass manager it is given.
    passes = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                          seed_transpiler=0)
    fidelity = ComputeUncompute(sampler=sampler, pass_manager=passes)
    kernel = FidelityQuantumKernel(feature_map=feature_map, fidelity=fidelity)
    K = kernel.evaluate(X)
    return K, jobs["n"], len(X) * (len(X) - 1) // 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_common.positive_int, default=24)
    parser.add_argument("--shots", type=_common.positive_int, default=4000)
    parser.add_argument("--repeats", type=_common.positive_int, default=3)
    args = parser.parse_args()
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qskew import QuantumKernel

    _common.print_machine(["qskew", "qiskit", "qiskit-ibm-runtime", "qiskit-aer",
                           "qiskit-machine-learning", "pennylane"])
    X = data(args.rows)
    exact = QuantumKernel(feature_map="zz", reps=1)(X)
    upper = np.triu_indices(args.rows, 1)
    backend = FakeManilaV2()
    print("## Results\n")
    print(f"ZZ kernel, reps 1, {args.rows} rows ({len(upper[0])} pairs), {FEATURES} qubits, "
          f"{args.shots} shots, FakeManilaV2\n")
    print("| contender | jobs | circuits | best wall s | mean abs deviation from exact |")
    print("|---|---|---|---|---|")
    times = {}
    for name, func in (("qskew QuantumKernel (qiskit.remote)", qskew_kernel),
                       ("Qiskit ML FidelityQuantumKernel", qiskit_ml_kernel)):
        seconds, (K, jobs, circuits) = _common.best_of(
            lambda f=func: f(X, args.shots, backend), args.repeats)
        times[name] = seconds
        deviation = np.abs(K - exact)[upper].mean()
        print(f"| {name} | {jobs} | {circuits} | {seconds:.3f} | {deviation:.4f} |")
    qskew_s, qiskit_s = times.values()
    print(f"\nratio (Qiskit ML / qskew wall time): {qiskit_s / qskew_s:.2f}x")
    cost = QuantumKernel(feature_map="zz", reps=1, backend="qiskit.remote",
                         backend_options={"backend": backend}, shots=args.shots
                         ).estimate_cost(args.rows, n_features=FEATURES)
    print(f"qskew estimate_cost before running: {cost}")


if __name__ == "__main__":
    main()
