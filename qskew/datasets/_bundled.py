"""The bundled demo data and the imbalance-preserving subsampling it is built with.

qskew never downloads data. The demo set is built deterministically from the
Wisconsin breast-cancer data that scikit-learn ships.
"""

from numbers import Integral

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.utils import check_random_state


def subsample(X, y, n=None, minority_fraction=None, *, minority_label=None, random_state=None):
    """Draw a stratified subsample with a chosen minority share.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
    y : Series or array-like of shape (n_samples,)
        Binary labels.
    n : int, optional
        Rows to keep; default: as many as the requested ratio allows.
    minority_fraction : float in (0, 1), optional
        Share of the minority class in the result; default: the input's share.
    minority_label : optional
        Which label is the minority; default: the rarer label.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X_sub, y_sub
        Same types as the input, rows in their original order.

    Raises
    ------
    ValueError
        If ``y`` is not binary, ``X`` and ``y`` differ in length, ``n`` is not
        an integer >= 2, the fraction is not in (0, 1), ``minority_label`` is
        not a label, or there are not enough rows of a class for the request.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 6 + [1] * 4)
    >>> X_sub, y_sub = subsample(X, y, n=5, minority_fraction=0.2, random_state=0)
    >>> np.bincount(y_sub).tolist()
    [4, 1]
    """
    if len(X) != len(y):
        raise ValueError(
            f"X and y must have one label per row; got {len(X)} rows and {len(y)} labels. "
            "Pass the labels that belong to X."
        )
    if n is not None and (not isinstance(n, Integral) or n < 2):
        raise ValueError(
            f"n must be an integer >= 2 (one row of each class at least); got {n!r}. "
            "Pass a row count, or None for as many as the ratio allows."
        )
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    if len(labels) != 2:
        raise ValueError(
            f"subsample needs binary labels; got {len(labels)} classes {labels.tolist()}. "
            "Map the labels to two classes first."
        )
    minority = labels[np.argmin(counts)] if minority_label is None else minority_label
    if minority not in labels.tolist():
        raise ValueError(
            f"minority_label {minority!r} is not among the labels {labels.tolist()}. Pass one "
            "of them, or None for the rarer label."
        )
    y_arr = np.asarray(y)
    is_min = y_arr == minority
    n_min_avail, n_maj_avail = int(is_min.sum()), int((~is_min).sum())
    if minority_fraction is None:
        minority_fraction = n_min_avail / len(y_arr)
    if not 0 < minority_fraction < 1:
        raise ValueError(
            f"minority_fraction must be in (0, 1); got {minority_fraction!r}. Pass the "
            "minority's share of the result, e.g. 0.1, or None to keep the input's share."
        )
    if n is None:
        n = int(min(n_min_avail / minority_fraction, n_maj_avail / (1 - minority_fraction)))
    n_min = max(1, int(round(n * minority_fraction)))
    n_maj = n - n_min
    if n_min > n_min_avail or n_maj > n_maj_avail or n_maj < 1:
        raise ValueError(
            f"cannot draw {n_min} minority and {n_maj} majority rows from {n_min_avail} and "
            f"{n_maj_avail} available (n={n}, minority_fraction={minority_fraction}). "
            "Lower n or change the fraction."
        )
    rng = check_random_state(random_state)
    keep = np.sort(np.concatenate([
        rng.choice(np.flatnonzero(is_min), n_min, replace=False),
        rng.choice(np.flatnonzero(~is_min), n_maj, replace=False),
    ]))
    take = (lambda a: a.iloc[keep]) if hasattr(X, "iloc") else (lambda a: np.asarray(a)[keep])
    return take(X), (y.iloc[keep] if hasattr(y, "iloc") else y_arr[keep])


def load_demo():
    """The bundled skewed demo dataset (breast cancer, ~10 % malignant).

    scikit-learn's Wisconsin breast-cancer data (569 rows, 30 features) with
    the malignant class (relabelled ``1``, the positive minority) subsampled
    deterministically to 40 of its 212 rows: 397 rows, 10.1 % positive.
    Features are the raw measurements; scale and reduce them in a pipeline
    fitted on training folds only.

    Returns
    -------
    X : DataFrame of shape (397, 30)
    y : Series of shape (397,)
        ``1`` = malignant (minority), ``0`` = benign.

    Examples
    --------
    >>> X, y = load_demo()
    >>> X.shape, int(y.sum())
    ((397, 30), 40)
    """
    data = load_breast_cancer(as_frame=True)
    X = data.data
    y = (data.target == 0).astype(int).rename("malignant")
    n_benign = int((y == 0).sum())
    n = n_benign + 40
    X_sub, y_sub = subsample(X, y, n=n, minority_fraction=40 / n, minority_label=1,
                             random_state=0)
    return X_sub.reset_index(drop=True), y_sub.reset_index(drop=True)
