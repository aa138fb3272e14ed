"""The estimators a run builds, written down: class and every parameter (``get_params``)."""

import numpy as np

#: Written in place of a ``random_state`` that the runner sets from each cell's seed.
CELL_SEED = "the cell's seed"


def public_name(cls):
    """``module.Class`` by its public path: private modules dropped, qskew's top level used.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> public_name(StandardScaler)
    'sklearn.preprocessing.StandardScaler'
    """
    import qskew

    if cls.__module__.startswith("qskew") and cls.__name__ in qskew.__all__:
        return f"qskew.{cls.__name__}"
    parts = []
    for part in cls.__module__.split("."):
        if part.startswith("_"):
            break
        parts.append(part)
    return ".".join([*parts, cls.__qualname__])


def describe(estimator, seed=None):
    """JSON-safe ``{"class": ..., "params": {...}}`` of ``estimator``, nested estimators too.

    Parameters
    ----------
    estimator : estimator
        Anything with ``get_params``; pipeline steps and stacking members are
        described in turn.
    seed : int, optional
        A ``random_state`` equal to it is written as :data:`CELL_SEED`.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> describe(LogisticRegression(C=2.0, random_state=3), seed=3)["params"]["random_state"]
    "the cell's seed"
    """
    params = {name: _value(value, seed, name)
              for name, value in estimator.get_params(deep=False).items()}
    return {"class": public_name(type(estimator)), "params": params}


def _value(value, seed, name=None):
    if hasattr(value, "get_params") and not isinstance(value, type):
        return describe(value, seed)
    if name == "random_state" and seed is not None and value == seed:
        return CELL_SEED
    if isinstance(value, (list, tuple)):
        return [_value(item, seed) for item in value]
    if isinstance(value, dict):
        return {str(k): _value(v, seed) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)
