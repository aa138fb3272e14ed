"""qskew's exception hierarchy for backend problems.

Bad input raises the built-in ``ValueError``/``TypeError`` (and scikit-learn's
``NotFittedError``); these classes cover what goes wrong with a backend, plus
qskew's own warnings.
They subclass ``ValueError`` where the cause is a value the user passed, so
``except ValueError`` still catches a misspelt backend name.
"""


class QskewError(Exception):
    """Base class of qskew's own errors."""


class BackendNotFoundError(QskewError, ValueError):
    """The named PennyLane device is unknown or its plugin is not installed."""


class BackendError(QskewError, RuntimeError):
    """A backend failed to build a device or to execute circuits."""


class PSDRepairWarning(UserWarning):
    """A measured Gram matrix was repaired to the nearest PSD matrix."""


class UnreliableMetricWarning(UserWarning):
    """A metric was computed on too few samples to resolve it.

    Its value is reported all the same, with a bootstrap confidence interval
    that shows how little it is pinned down (see
    :func:`qskew.metrics.tpr_at_fpr_interval`).
    """
