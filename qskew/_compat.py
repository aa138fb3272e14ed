"""The one place for scikit-learn's private or version-dependent imports and calls."""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "check_parameters",
    "validate_data",
]


def check_parameters(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints`` now.

    scikit-learn does this at the start of ``fit``; configs are checked before
    anything is fitted. Raises scikit-learn's ``InvalidParameterError``.
    """
    estimator._validate_params()
