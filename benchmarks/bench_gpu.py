"""GPU check and timings: qskew's torch engine on CUDA against the CPU, in one run.

Run on a machine with a CUDA GPU (nothing to do without one)::

    python benchmarks/bench_gpu.py

It checks that the exact quantum kernel (``QuantumKernel(device="cuda")``), a
``QNNModule`` moved to the GPU and a ``QuantumGenerator`` on the GPU give the
CPU engine's numbers, then times each against qskew's CPU path on the same
machine. The H200 numbers in BENCHMARKS.md come from this script (at the time
as two ad-hoc scripts with the same content).
"""

import argparse
import sys
import time

import numpy as np
import torch

from qskew import QNNModule, QuantumGenerator, QuantumKernel


def _timed(func, sync):
    func()
    sync()
    start = time.perf_counter()
    result = func()
    sync()
    return time.perf_counter() - start, result


def kernel_section(sync):
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, np.pi, (300, 6)), rng.uniform(0, np.pi, (40, 6))
    worst = 0.0
    for dtype in ("complex128", "complex64"):
        for args in ((X,), (Y, X)):
            QuantumKernel.clear_cache()
            cpu = QuantumKernel(dtype=dtype)(*args)
            gpu = QuantumKernel(dtype=dtype, device="cuda")(*args)
            worst = max(worst, np.abs(cpu - gpu).max() if dtype == "complex128" else 0.0)
    print(f"kernel: CUDA vs CPU max abs diff (complex128) {worst:.1e}")
    print("| N | qubits | CUDA s | CPU s |\n|---|---|---|---|")
    for n_qubits, n in ((8, 4096), (12, 2048), (16, 1024)):
        data = rng.uniform(0, np.pi, (n, n_qubits))

        def gram(device):
            QuantumKernel.clear_cache()
            return QuantumKernel(device=device)(data)

        t_gpu, _ = _timed(lambda: gram("cuda"), sync)
        t_cpu = _timed(lambda: gram(None), sync)[0] if n_qubits <= 12 else float("nan")
        print(f"| {n} | {n_qubits} | {t_gpu:.3f} | {t_cpu:.3f} |")
    return worst < 1e-12


def qnn_section(sync):
    ok = True
    print("\n| qubits | epoch CPU s | epoch CUDA s | out diff | grad diff |\n|---|---|---|---|---|")
    for n_qubits in (8, 16):
        x = torch.rand(64, n_qubits, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
        cpu, gpu = QNNModule(n_qubits, n_layers=3, seed=0), QNNModule(n_qubits, n_layers=3, seed=0)
        gpu = gpu.to("cuda")
        out_c, out_g = cpu(x), gpu(x.to("cuda"))
        grad_c = torch.autograd.grad(out_c.sum(), cpu.weights)[0]
        grad_g = torch.autograd.grad(out_g.sum(), gpu.weights)[0]
        diffs = ((out_g.cpu() - out_c).abs().max().item(), (grad_g.cpu() - grad_c).abs().max().item())
        ok &= max(diffs) < 1e-10
        times = []
        for module, device in ((cpu, "cpu"), (gpu, "cuda")):
            X = torch.rand(256, n_qubits, dtype=torch.float64).to(device)
            optimizer = torch.optim.Adam(module.parameters(), lr=0.01)

            def epoch():
                for i in range(0, 256, 32):
                    optimizer.zero_grad()
                    module(X[i:i + 32]).pow(2).mean().backward()
                    optimizer.step()

            times.append(_timed(epoch, sync)[0])
        print(f"| {n_qubits} | {times[0]:.3f} | {times[1]:.3f} | {diffs[0]:.1e} | {diffs[1]:.1e} |")
    return ok


def generator_section(sync):
    print("\n| qubits | 1024 samples CPU s | CUDA s | diff |\n|---|---|---|---|")
    ok = True
    for n_qubits in (8, 12):
        cpu = QuantumGenerator(n_qubits, 4, n_features=n_qubits, seed=0)
        gpu = QuantumGenerator(n_qubits, 4, n_features=n_qubits, seed=0).to("cuda")
        noise = cpu.noise(1024, seed=3)
        with torch.no_grad():
            t_cpu, a = _timed(lambda: cpu(noise), sync)
            t_gpu, b = _timed(lambda: gpu(noise.to("cuda")), sync)
        diff = (a - b.cpu()).abs().max().item()
        ok &= diff < 1e-10
        print(f"| {n_qubits} | {t_cpu:.3f} | {t_gpu:.3f} | {diff:.1e} |")
    return ok


def main(argv=None):
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    if not torch.cuda.is_available():
        print("no CUDA GPU visible to torch: nothing to check here.")
        return 0
    print(f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}\n")
    sync = torch.cuda.synchronize
    ok = kernel_section(sync) & qnn_section(sync) & generator_section(sync)
    print("\nall cross-checks ok" if ok else "\nCROSS-CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
