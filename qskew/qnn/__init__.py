"""Quantum neural networks: the torch module and the scikit-learn classifier.

:class:`QNNClassifier` loads without torch; :class:`QNNModule` (a
``torch.nn.Module``) loads torch on first use.
"""

from qskew._lazy import lazy_attributes
from qskew.qnn._classifier import QNNClassifier

__getattr__, __dir__ = lazy_attributes(__name__, {"QNNModule": "._module"})

__all__ = ["QNNClassifier", "QNNModule"]
