"""Metrics: imbalance-aware classification scores, kernel-target alignment and kernel
diagnostics, synthetic-data fidelity."""

from qskew.metrics._alignment import kernel_diagnostics, kernel_target_alignment
from qskew.metrics._classification import (
    classification_metrics,
    expected_calibration_error,
    fpr_at_tpr,
    resolves_fpr,
    tpr_at_fpr,
    tpr_at_fpr_interval,
)
from qskew.metrics._fidelity import (
    augmentation_gain,
    knn_precision_recall,
    synthetic_fidelity,
)

__all__ = [
    "augmentation_gain",
    "classification_metrics",
    "expected_calibration_error",
    "fpr_at_tpr",
    "kernel_diagnostics",
    "kernel_target_alignment",
    "knn_precision_recall",
    "resolves_fpr",
    "synthetic_fidelity",
    "tpr_at_fpr",
    "tpr_at_fpr_interval",
]
