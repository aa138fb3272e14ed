"""Quantum kernels: the fidelity kernel, its Gram products, and the kernel SVC."""

from qskew.kernels._kernel import QuantumKernel
from qskew.kernels._svc import QuantumKernelSVC

__all__ = ["QuantumKernel", "QuantumKernelSVC"]
