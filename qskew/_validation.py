"""Input checks shared by qskew's kernels and estimators."""

import numpy as np
import scipy.sparse as sp


def check_features(X, name="X", *, owner="qskew"):
    """Return ``X`` as a finite, C-contiguous float64 2-D array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    name : str, default="X"
        Name used in error messages.
    owner : str, default="qskew"
        Object whose input is checked, used in error messages.

    Returns
    -------
    ndarray of shape (n_samples, n_features), float64

    Raises
    ------
    TypeError
        If ``X`` is not numeric.
    ValueError
        If ``X`` is not 2-D, is empty, or holds NaN or infinite values.
    """
    if sp.issparse(X):
        raise TypeError(
            f"{owner} does not accept sparse input (got {name} as {type(X).__name__}); "
            "quantum feature maps need dense rows: pass X.toarray() after reducing the "
            "number of features."
        )
    try:
        array = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(
            f"{name} could not be read as a 2-D numeric array ({exc}); pass a rectangular "
            "array-like whose rows all have the same number of features."
        ) from exc
    if array.dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: {name} has dtype {array.dtype}; features must be "
            "real. Split real and imaginary parts into separate columns if both matter."
        )
    if array.dtype.kind not in "biuf":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be numeric; got dtype {array.dtype} ({exc}). Encode "
                "categorical columns first, e.g. with OneHotEncoder."
            ) from exc
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features); got a {array.ndim}-D array of "
            f"shape {array.shape}. Reshape your data: X.reshape(-1, 1) for one feature or "
            "X.reshape(1, -1) for one sample."
        )
    for axis, what in ((0, "sample"), (1, "feature")):
        if array.shape[axis] == 0:
            raise ValueError(
                f"{name} has 0 {what}(s) (shape={array.shape}) while a minimum of 1 is "
                f"required by {owner}. Check the data selection that produced it."
            )
    array = np.ascontiguousarray(array, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        kind = "NaN" if np.isnan(array).any() else "infinity"
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"Input {name} contains {kind} ({int(bad.sum())} non-finite value(s), first at "
            f"row {row}, column {col}); {owner} needs finite features. Impute or drop them "
            "first, e.g. with sklearn.impute.SimpleImputer."
        )
    return array
