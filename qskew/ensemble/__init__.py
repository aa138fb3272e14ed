"""Ensembles of quantum and classical classifiers."""

from qskew.ensemble._stacking import QuantumStackingClassifier

__all__ = ["QuantumStackingClassifier"]
