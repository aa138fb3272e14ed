"""qskew: learning from class-imbalanced data with hybrid quantum-classical models.

Families live in subpackages, as scikit-learn has ``svm`` and ``ensemble``:
:mod:`qskew.kernels`, :mod:`qskew.qnn`, :mod:`qskew.synth`,
:mod:`qskew.ensemble`, on top of :mod:`qskew.backends`; plus
:mod:`qskew.datasets`, :mod:`qskew.metrics` and :mod:`qskew.experiment`. The
public names below are importable from here too; each loads on first use, so
``import qskew`` (and ``qskew --version``) does not import PennyLane or torch.
"""

from qskew._exceptions import (
    BackendError,
    BackendNotFoundError,
    PSDRepairWarning,
    QskewError,
    UnreliableMetricWarning,
)
from qskew._lazy import lazy_attributes

__version__ = "0.1.0"

__getattr__, __dir__ = lazy_attributes(__name__, {
    "available_backends": "qskew.backends",
    "Noise": "qskew.backends",
    "QuantumKernel": "qskew.kernels",
    "QuantumKernelSVC": "qskew.kernels",
    "QNNClassifier": "qskew.qnn",
    "QNNModule": "qskew.qnn",
    "QGANOverSampler": "qskew.synth",
    "GANOverSampler": "qskew.synth",
    "QuantumGenerator": "qskew.synth",
    "MLPGenerator": "qskew.synth",
    "Discriminator": "qskew.synth",
    "QuantumStackingClassifier": "qskew.ensemble",
    "kernel_target_alignment": "qskew.metrics",
})

__all__ = [
    "BackendError",
    "BackendNotFoundError",
    "Discriminator",
    "GANOverSampler",
    "MLPGenerator",
    "Noise",
    "PSDRepairWarning",
    "QNNClassifier",
    "QNNModule",
    "QGANOverSampler",
    "QuantumGenerator",
    "QskewError",
    "QuantumKernel",
    "QuantumKernelSVC",
    "QuantumStackingClassifier",
    "UnreliableMetricWarning",
    "available_backends",
    "kernel_target_alignment",
]
