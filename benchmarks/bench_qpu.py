"""Quantum models on fake IBM hardware: qskew vs Qiskit ML and PennyLane, in one run.

A ZZ kernel (reps 1, linear entanglement) of 24 rows (276 distinct pairs) at
4000 shots on ``FakeManilaV2`` (5 qubits, its real coupling map, basis gates and
noise, simulated locally by Qiskit Runtime's local mode), computed by

(a) ``qskew.QuantumKernel(backend="qiskit.remote", backend_options={"backend": ...})``:
    one parameterised circuit, transpiled once, all pairs as the bindings of one
    ``SamplerV2`` PUB;
(b) Qiskit Machine Learning's ``FidelityQuantumKernel`` (``ComputeUncompute`` on a
    runtime ``SamplerV2`` on the same backend, the peer the issue names): one PUB
    per pair.

(c) PennyLane's ``qiskit.remote`` device (pennylane-qiskit): one job per circuit,
    so it runs only the first ``--pennylane-pairs`` pairs and the table gives
    its time per pair times the pairs (marked "extrapolated");

and qskew with readout mitigation and with readout + depolarizing mitigation.
Then a QNN forward pass of 64 rows and 64 generator samples (2 patches) on the
same device: qskew's one ``EstimatorV2`` job against PennyLane's QNodes on
``qiskit.remote``, each against the exact values.

Reported: primitive jobs (counted at ``SamplerV2.run`` / ``EstimatorV2.run``),
circuits, wall time (best of ``--repeats``; PennyLane once), and the mean
absolute deviation from the exact simulator (kernel: off-diagonal entries;
QNN and generator: expectation values).

Usage::

    python benchmarks/bench_qpu.py [--rows 24] [--shots 4000] [--repeats 3]
                                   [--pennylane-pairs 30] [--skip-pennylane]

Needs the ``qpu`` and ``bench`` extras.
"""

import argparse
import warnings

import numpy as np

import _common  # benchmarks/ is sys.path[0] when run as python benchmarks/bench_qpu.py

FEATURES = 4


def data(rows):
    return np.random.default_rng(0).uniform(0, np.pi / 2, (rows, FEATURES))


JOBS = {"n": 0}


def count_jobs():
    """Count every primitive job at the runtime primitives' ``run``."""
    from qiskit_ibm_runtime import EstimatorV2, SamplerV2

    for primitive in (EstimatorV2, SamplerV2):
        run = primitive.run

        def counted(self, *args, _run=run, **kwargs):
            JOBS["n"] += 1
            return _run(self, *args, **kwargs)

        primitive.run = counted


def jobs_during(function):
    before = JOBS["n"]
    out = function()
    return out, JOBS["n"] - before


def qskew_kernel(X, shots, backend, mitigation=None):
    from qskew import QuantumKernel

    kernel = QuantumKernel(feature_map="zz", reps=1, backend="qiskit.remote",
                           backend_options={"backend": backend}, shots=shots, random_state=0,
                           mitigation=mitigation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the PSD repair of a noisy Gram matrix
        K = kernel(X)
    return K, kernel.n_jobs_executed, kernel.n_circuits_executed


def pennylane_kernel_pairs(X, shots, backend, n_pairs):
    """The first ``n_pairs`` overlap circuits through PennyLane's ``qiskit.remote``."""
    import pennylane as qml

    from circuits import get_feature_map, overlap_circuit

    wires = list(range(FEATURES))
    device = qml.device("qiskit.remote", wires=FEATURES, backend=backend)
    unitary = get_feature_map("zz", reps=1)
    qnode = qml.set_shots(qml.QNode(lambda a, b: overlap_circuit(a, b, wires, unitary), device),
                          shots=shots)
    rows, cols = np.triu_indices(len(X), 1)
    rows, cols = rows[:n_pairs], cols[:n_pairs]
    values = np.array([np.asarray(qnode(X[i], X[j]))[0] for i, j in zip(rows, cols)])
    return values, rows, cols


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


def kernel_section(args, backend, exact_kernel):
    X = data(args.rows)
    exact = exact_kernel(X)
    upper = np.triu_indices(args.rows, 1)
    print(f"### Kernel\n\nZZ kernel, reps 1, {args.rows} rows ({len(upper[0])} pairs), "
          f"{FEATURES} qubits, {args.shots} shots, FakeManilaV2\n")
    print("| contender | jobs | circuits | best wall s | mean abs deviation from exact |")
    print("|---|---|---|---|---|")
    times = {}
    contenders = [("qskew QuantumKernel (qiskit.remote)", qskew_kernel),
                  ("Qiskit ML FidelityQuantumKernel", qiskit_ml_kernel),
                  ("qskew, readout mitigation",
                   lambda *a: qskew_kernel(*a, mitigation="readout")),
                  ("qskew, readout + depolarizing mitigation",
                   lambda *a: qskew_kernel(*a, mitigation="readout+depolarizing"))]
    for name, func in contenders:
        seconds, ((K, _, circuits), jobs) = _common.best_of(
            lambda f=func: jobs_during(lambda: f(X, args.shots, backend)), args.repeats)
        times[name] = seconds
        deviation = np.abs(K - exact)[upper].mean()
        print(f"| {name} | {jobs} | {circuits} | {seconds:.3f} | {deviation:.4f} |")
    if not args.skip_pennylane:
        import time

        start = time.perf_counter()
        (values, rows, cols), jobs = jobs_during(
            lambda: pennylane_kernel_pairs(X, args.shots, backend, args.pennylane_pairs))
        per_pair = (time.perf_counter() - start) / len(values)
        deviation = np.abs(values - exact[rows, cols]).mean()
        print(f"| PennyLane qiskit.remote ({len(values)} pairs run, extrapolated) | "
              f"{jobs / len(values) * len(upper[0]):.0f} | {len(upper[0])} | "
              f"{per_pair * len(upper[0]):.1f} | {deviation:.4f} (on {len(values)} pairs) |")
    qskew_s, qiskit_s = list(times.values())[:2]
    print(f"\nratio (Qiskit ML / qskew wall time): {qiskit_s / qskew_s:.2f}x")
    from qskew import QuantumKernel

    cost = QuantumKernel(feature_map="zz", reps=1, backend="qiskit.remote",
                         backend_options={"backend": backend}, shots=args.shots
                         ).estimate_cost(args.rows, n_features=FEATURES)
    print(f"qskew estimate_cost before running: {cost}\n")


def module_section(title, qskew_forward, pennylane_forward, exact, args):
    print(f"### {title}\n")
    print("| contender | jobs | circuits | best wall s | mean abs deviation from exact |")
    print("|---|---|---|---|---|")
    for name, mitigation in (("qskew (qiskit.remote)", None),
                             ("qskew, readout mitigation", "readout")):
        seconds, ((values, circuits), jobs) = _common.best_of(
            lambda m=mitigation: jobs_during(lambda: qskew_forward(m)), args.repeats)
        circuits += 2 if mitigation else 0  # the calibration circuits
        print(f"| {name} | {jobs} | {circuits} | {seconds:.3f} | "
              f"{np.abs(values - exact).mean():.4f} |")
    if not args.skip_pennylane:
        seconds, ((values, circuits), jobs) = _common.best_of(
            lambda: jobs_during(pennylane_forward), 1, warm_up=False)
        print(f"| PennyLane qiskit.remote QNode | {jobs} | {circuits} | {seconds:.3f} | "
              f"{np.abs(values - exact).mean():.4f} |")
    print()


def qnn_section(args, backend):
    import pennylane as qml
    import torch

    from circuits import make_qnn_qfunc
    from qskew import QNNModule

    rows = np.random.default_rng(1).uniform(0, np.pi, (64, FEATURES))
    exact_module = QNNModule(FEATURES, n_layers=2, seed=0)
    weights = exact_module.weights.detach()
    with torch.no_grad():
        exact = exact_module(torch.as_tensor(rows)).numpy()[:, 0]

    def qskew_forward(mitigation):
        module = QNNModule(FEATURES, n_layers=2, seed=0, backend="qiskit.remote",
                           backend_options={"backend": backend}, shots=args.shots,
                           mitigation=mitigation)
        with torch.no_grad():
            return module(torch.as_tensor(rows)).numpy()[:, 0], len(rows)

    def pennylane_forward():
        qfunc, _ = make_qnn_qfunc(FEATURES, n_layers=2)
        device = qml.device("qiskit.remote", wires=FEATURES, backend=backend)
        qnode = qml.set_shots(qml.QNode(qfunc, device), shots=args.shots)
        return np.asarray(qnode(rows, weights.numpy())).reshape(-1), len(rows)

    module_section(f"QNN forward: 64 rows, {FEATURES} qubits, 2 strongly entangling layers, "
                   f"{args.shots} shots, FakeManilaV2", qskew_forward, pennylane_forward,
                   exact, args)


def generator_section(args, backend):
    import pennylane as qml
    import torch

    from circuits import generator_circuit
    from qskew import QuantumGenerator

    n_qubits, n_features = 4, 8
    reference = QuantumGenerator(n_qubits, 2, n_features=n_features, seed=0)
    noise = reference.noise(64, seed=5)
    with torch.no_grad():
        exact = reference(noise).numpy()

    def qskew_forward(mitigation):
        generator = QuantumGenerator(n_qubits, 2, n_features=n_features, seed=0,
                                     backend="qiskit.remote", mitigation=mitigation,
                                     backend_options={"backend": backend}, shots=args.shots)
        with torch.no_grad():
            return generator(noise).numpy(), 64 * generator.n_patches

    def pennylane_forward():
        wires = list(range(n_qubits))
        device = qml.device("qiskit.remote", wires=n_qubits, backend=backend)
        qnode = qml.set_shots(qml.QNode(
            lambda z, w: generator_circuit(z, w, wires=wires), device), shots=args.shots)
        patches = [np.stack(qnode(noise.numpy(), w.numpy()), axis=-1)
                   for w in reference.weights.detach()]
        return np.concatenate(patches, axis=1)[:, :n_features], 64 * len(patches)

    module_section(f"Generator: 64 samples of {n_features} features ({reference.n_patches} "
                   f"patches of {n_qubits} qubits), {args.shots} shots, FakeManilaV2",
                   qskew_forward, pennylane_forward, exact, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_common.positive_int, default=24)
    parser.add_argument("--shots", type=_common.positive_int, default=4000)
    parser.add_argument("--repeats", type=_common.positive_int, default=3)
    parser.add_argument("--pennylane-pairs", type=_common.positive_int, default=30)
    parser.add_argument("--skip-pennylane", action="store_true")
    args = parser.parse_args()
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qskew import QuantumKernel

    _common.print_machine(["qskew", "qiskit", "qiskit-ibm-runtime", "qiskit-aer",
                           "qiskit-machine-learning", "pennylane", "pennylane-qiskit"])
    count_jobs()
    backend = FakeManilaV2()
    print("## Results\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecations of the runtime primitives, PSD repair
        kernel_section(args, backend, QuantumKernel(feature_map="zz", reps=1))
        qnn_section(args, backend)
        generator_section(args, backend)


if __name__ == "__main__":
    main()
