"""qskew: learning from class-imbalanced data with hybrid quantum-classical models."""

from qskew._backend import available_backends
from qskew._exceptions import (
    BackendError,
    BackendNotFoundError,
    PSDRepairWarning,
    QskewError,
)
from qskew._kernel import QuantumKernel, kernel_target_alignment
from qskew._generator import Discriminator, MLPGenerator, QuantumGenerator
from qskew._qnn import QNNClassifier
from qskew._qnn_module import QNNModule
from qskew._samplers import GANOverSampler, QGANOverSampler
from qskew._stacking import QuantumStackingClassifier
from qskew._svc import QuantumKernelSVC

__version__ = "0.1.0"

__all__ = [
    "BackendError",
    "BackendNotFoundError",
    "Discriminator",
    "GANOverSampler",
    "MLPGenerator",
    "PSDRepairWarning",
    "QNNClassifier",
    "QNNModule",
    "QGANOverSampler",
    "QuantumGenerator",
    "QskewError",
    "QuantumKernel",
    "QuantumKernelSVC",
    "QuantumStackingClassifier",
    "available_backends",
    "kernel_target_alignment",
]
