"""Ensembles of quantum and classical classifiers."""

from qskew.ensemble._shared import share_member_fits
from qskew.ensemble._stacking import QuantumStackingClassifier
from qskew.ensemble._super import SuperLearner

__all__ = ["QuantumStackingClassifier", "SuperLearner", "share_member_fits"]
