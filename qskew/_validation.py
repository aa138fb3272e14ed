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


def validate_training_data(estimator, X, y):
    """Checks every qskew classifier's ``fit`` starts with.

    Clear messages for bad ``X`` (:func:`check_features`), scikit-learn's
    bookkeeping (``n_features_in_``, ``feature_names_in_``), classification
    targets, and at least two classes.

    Parameters
    ----------
    estimator : BaseEstimator
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,)
    classes : ndarray of shape (n_classes,)
    codes : ndarray of shape (n_samples,)
        Index of each label in ``classes``.
    """
    from sklearn.utils.multiclass import check_classification_targets

    from qskew._compat import validate_data

    owner = type(estimator).__name__
    check_features(X, "X", owner=owner)
    X, y = validate_data(estimator, X, y, dtype=np.float64, order="C")
    check_classification_targets(y)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"{owner} needs samples of at least two classes; got 1 class: "
            f"{classes.tolist()}. Check the labels, or the split that produced them."
        )
    return X, y, classes, codes


def validate_prediction_data(estimator, X):
    """Checks every qskew classifier's prediction methods start with.

    Raises ``NotFittedError`` before ``fit``, then the messages of
    :func:`check_features`, then a feature-count mismatch with ``fit``.

    Parameters
    ----------
    estimator : BaseEstimator
        Fitted, with ``n_features_in_``.
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples, n_features), float64
    """
    from sklearn.utils.validation import check_is_fitted

    from qskew._compat import validate_data

    check_is_fitted(estimator)
    owner = type(estimator).__name__
    n_features = check_features(X, "X", owner=owner).shape[1]
    if n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {owner} is expecting "
            f"{estimator.n_features_in_} features as input (as in fit). Apply the same "
            "preprocessing as for the training data."
        )
    return validate_data(estimator, X, dtype=np.float64, order="C", reset=False)


def retargeted(estimator, backend, **settings):
    """A copy of fitted ``estimator`` set to run on ``backend`` (no refitting).

    ``settings`` are the estimator's other backend parameters
    (``backend_options``, ``shots``, ``mitigation``); the copy's parameters
    are validated, ``estimator`` is left as it is.
    """
    import copy

    from sklearn.utils.validation import check_is_fitted

    from qskew.backends import check_backend

    check_is_fitted(estimator)
    check_backend(backend)
    other = copy.deepcopy(estimator)
    other.set_params(backend=backend, **settings)
    other._validate_params()
    return other


#: One period of the rotation angles features become (RX/RY/RZ(x) repeat after 2π).
ANGLE_PERIOD = 2 * np.pi
#: Beyond this a float64 angle keeps no digits below one period: the encoding sees noise.
_LARGEST_ANGLE = 1e15


def check_angles(X, name="X", *, owner="qskew"):
    """Refuse features too large to be angles; warn when they wrap around a period.

    qskew's quantum models encode each feature as a rotation angle, so values
    beyond ``2π`` alias to smaller ones (distant rows can encode alike) and
    beyond ~1e15 nothing of the value survives.

    Examples
    --------
    >>> check_angles(np.array([[0.0, np.pi]]))
    """
    import warnings

    peak = float(np.max(np.abs(X))) if np.size(X) else 0.0
    if peak > _LARGEST_ANGLE:
        raise ValueError(
            f"{name} holds features up to {peak:.3g}: {owner} encodes each feature as a "
            "rotation angle, and beyond ~1e15 a float64 angle keeps no digits below one "
            "period (2π). Scale the features first, e.g. MinMaxScaler((0, np.pi)).")
    if peak > ANGLE_PERIOD:
        warnings.warn(
            f"{name} holds features up to {peak:.3g}, beyond one period (2π) of the rotation "
            f"angles {owner} encodes them as: angles wrap around, so distant values can "
            "encode alike. Scale the features first, e.g. MinMaxScaler((0, np.pi)).",
            UserWarning, stacklevel=3)


def check_weighted_classes(owner, classes, y, sample_weight):
    """Refuse sample weights that are ``<= 0`` on every row of a class."""
    missing = [c for c in classes if not np.any(sample_weight[y == c] > 0)]
    if missing:
        shown = [getattr(c, "item", lambda c=c: c)() for c in missing]
        raise ValueError(
            f"{owner} needs a positive sample_weight in every class; got weights <= 0 for "
            f"all samples of class(es) {shown}. Give them positive weights, or drop those "
            "rows from X and y.")


def check_numeric(X, name, *, owner="qskew"):
    """Refuse non-numeric columns with a message naming the argument and the columns."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "items"):
        import pandas as pd

        bad = [str(c) for c, t in dtypes.items()
               if not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
        if bad:
            raise ValueError(
                f"{name} must be numeric for {owner}; column(s) {bad[:5]}"
                f"{' and more' if len(bad) > 5 else ''} are not. Encode categorical columns "
                "first (e.g. OneHotEncoder) or drop them.")
        return
    if sp.issparse(X):
        return
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        try:
            array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric for {owner} ({exc}). Encode categorical "
                             "columns first (e.g. OneHotEncoder) or drop them.") from exc
