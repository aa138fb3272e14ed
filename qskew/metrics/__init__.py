"""Metrics: imbalance-aware classification scores and synthetic-data fidelity."""

from qskew.metrics._classification import classification_metrics
from qskew.metrics._fidelity import augmentation_gain, synthetic_fidelity

__all__ = ["augmentation_gain", "classification_metrics", "synthetic_fidelity"]
