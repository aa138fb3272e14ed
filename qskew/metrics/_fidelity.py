"""How faithful and how useful are synthetic rows? Fidelity and augmentation metrics."""

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.utils import check_random_state

from qskew._validation import check_numeric
from qskew.metrics._classification import classification_metrics

AGGREGATE_ROW = "(all features)"


def _as_frame(data, name, columns=None):
    frame = pd.DataFrame(data, columns=columns) if not isinstance(data, pd.DataFrame) else data
    if frame.ndim != 2 or frame.shape[0] < 2 or frame.shape[1] < 1:
        raise ValueError(
            f"{name} must be a 2-D table with at least 2 rows and 1 column; got shape "
            f"{frame.shape}."
        )
    check_numeric(frame, name, owner="synthetic_fidelity")
    values = frame.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values; drop or impute them first.")
    return frame


def _check_pair(real, synthetic):
    real = _as_frame(real, "real")
    named = isinstance(synthetic, pd.DataFrame)
    synthetic = _as_frame(synthetic, "synthetic")
    if synthetic.shape[1] != real.shape[1]:
        raise ValueError(
            f"real and synthetic must have the same columns; got {real.shape[1]} and "
            f"{synthetic.shape[1]} columns."
        )
    if not named:
        # Plain arrays carry no names: they take the real table's (checked width first).
        synthetic = synthetic.set_axis(real.columns, axis=1)
    if list(synthetic.columns) != list(real.columns):
        raise ValueError(
            f"real and synthetic have different column names: {list(real.columns)[:5]} vs "
            f"{list(synthetic.columns)[:5]}; pass them in the same order."
        )
    return real, synthetic


def correlation_distance(real, synthetic):
    """Root-mean-square difference of the off-diagonal Pearson correlations.

    ``0`` means the same correlation structure; the maximum is 2. Constant
    columns have no correlation and count as 0.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, n_features)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> round(correlation_distance(np.c_[x, x], np.c_[x, -x]), 12)
    2.0
    """
    real, synthetic = np.asarray(real, dtype=float), np.asarray(synthetic, dtype=float)
    if real.shape[1] < 2:
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.nan_to_num(np.corrcoef(real, rowvar=False)) - np.nan_to_num(
            np.corrcoef(synthetic, rowvar=False))
    off = ~np.eye(real.shape[1], dtype=bool)
    return float(np.sqrt(np.mean(diff[off] ** 2)))


def detection_auc(real, synthetic, *, detector=None, cv=5, random_state=None):
    """ROC-AUC of a classifier telling real rows from synthetic ones.

    Out-of-fold probabilities from stratified ``cv``-fold cross-validation;
    ``0.5`` means the detector cannot tell them apart, ``1.0`` that every
    synthetic row is recognisable. The larger group is first subsampled
    (seeded) to the size of the smaller, so both classes weigh the same.
    Values well below 0.5 are not "better than real": interpolating samplers
    such as SMOTE place synthetic rows among the real rows they were built
    from, so a held-out real row is surrounded by synthetic ones and scored
    as synthetic (measured on the bundled data: 0.23-0.44 for SMOTE). Read
    anything up to about 0.5 as indistinguishable.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, n_features)
    detector : classifier, optional
        Needs ``predict_proba``; default a 100-tree random forest.
    cv : int, default=5
    random_state : int, RandomState instance or None

    Returns
    -------
    float
    """
    from sklearn.metrics import roc_auc_score

    real, synthetic = np.asarray(real, dtype=float), np.asarray(synthetic, dtype=float)
    n = min(len(real), len(synthetic))
    if n < 2:
        raise ValueError(
            f"detection_auc needs at least 2 real and 2 synthetic rows; got {len(real)} and "
            f"{len(synthetic)}."
        )
    n_splits = min(cv, n)
    rng = check_random_state(random_state)
    real, synthetic = (rows[np.sort(rng.choice(len(rows), n, replace=False))]
                       for rows in (real, synthetic))
    X = np.vstack([real, synthetic])
    y = np.r_[np.zeros(len(real), int), np.ones(len(synthetic), int)]
    seed = rng.randint(2**31 - 1)
    model = detector if detector is not None else RandomForestClassifier(
        n_estimators=100, random_state=seed, n_jobs=1)
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    proba = cross_val_predict(clone(model), X, y, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, proba))


def _utility(real, synthetic, real_other, estimator, random_state):
    """Train on synthetic (TSTR) vs train on real (TRTR), both tested on held-out real rows."""
    rng = check_random_state(random_state)
    pos_train, pos_test = train_test_split(np.asarray(real, float), test_size=0.5,
                                           random_state=rng.randint(2**31 - 1))
    neg_train, neg_test = train_test_split(np.asarray(real_other, float), test_size=0.5,
                                           random_state=rng.randint(2**31 - 1))
    X_test = np.vstack([pos_test, neg_test])
    y_test = np.r_[np.ones(len(pos_test), int), np.zeros(len(neg_test), int)]
    scores = {}
    for name, positives in (("tstr", np.asarray(synthetic, float)), ("trtr", pos_train)):
        X_fit = np.vstack([positives, neg_train])
        y_fit = np.r_[np.ones(len(positives), int), np.zeros(len(neg_train), int)]
        model = clone(estimator).fit(X_fit, y_fit)
        proba = model.predict_proba(X_test)[:, list(model.classes_).index(1)]
        scores[f"{name}_pr_auc"] = classification_metrics(y_test, proba)["pr_auc"]
    return scores


def synthetic_fidelity(real, synthetic, *, real_other=None, detector=None, estimator=None,
                       cv=5, random_state=None):
    """Fidelity of synthetic rows to the real rows of the same class, as a tidy table.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_real, n_features)
        Real rows of the class that was synthesised (training rows only).
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
    real_other : array-like of shape (n_other, n_features), optional
        Real rows of the other classes; enables the train-on-synthetic /
        test-on-real (TSTR) utility score.
    detector : classifier, optional
        For :func:`detection_auc` (default: random forest).
    estimator : classifier, optional
        For the utility scores (default: random forest).
    cv : int, default=5
        Folds of the detection cross-validation.
    random_state : int, RandomState instance or None

    Returns
    -------
    DataFrame
        One row per feature with ``ks_statistic`` and ``ks_pvalue``
        (two-sample Kolmogorov–Smirnov, ``scipy.stats.ks_2samp``) and
        ``wasserstein`` (``scipy.stats.wasserstein_distance`` after
        standardising both samples with the real mean and standard deviation);
        then a row ``"(all features)"`` with their means and the aggregate
        scores ``correlation_distance`` (:func:`correlation_distance`),
        ``detection_auc`` (:func:`detection_auc`; 0.5 = indistinguishable),
        and, when ``real_other`` is given, ``tstr_pr_auc`` and
        ``trtr_pr_auc``: PR-AUC on held-out real rows of a classifier trained
        on synthetic vs on real positives (with the same real negatives).

    Raises
    ------
    ValueError
        If the tables differ in columns, have fewer than 2 rows or hold
        non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> table = synthetic_fidelity(rng.normal(size=(50, 2)), rng.normal(size=(50, 2)),
    ...                            random_state=0)
    >>> list(table.index)
    ['x0', 'x1', '(all features)']
    """
    real, synthetic = _check_pair(real, synthetic)
    names = ([f"x{i}" for i in range(real.shape[1])] if isinstance(real.columns, pd.RangeIndex)
             else [str(c) for c in real.columns])
    R, S = real.to_numpy(dtype=float), synthetic.to_numpy(dtype=float)
    mean, std = R.mean(axis=0), R.std(axis=0)
    std[std == 0] = 1.0
    rows = []
    for j in range(R.shape[1]):
        ks = stats.ks_2samp(R[:, j], S[:, j])
        rows.append({
            "ks_statistic": ks.statistic,
            "ks_pvalue": ks.pvalue,
            "wasserstein": stats.wasserstein_distance((R[:, j] - mean[j]) / std[j],
                                                      (S[:, j] - mean[j]) / std[j]),
        })
    table = pd.DataFrame(rows, index=pd.Index(names, name="feature"))
    aggregate = {
        "ks_statistic": table["ks_statistic"].mean(),
        "ks_pvalue": np.nan,
        "wasserstein": table["wasserstein"].mean(),
        "correlation_distance": correlation_distance(R, S),
        "detection_auc": detection_auc(R, S, detector=detector, cv=cv,
                                       random_state=random_state),
    }
    if real_other is not None:
        other = _as_frame(real_other, "real_other").to_numpy(dtype=float)
        model = estimator if estimator is not None else RandomForestClassifier(
            n_estimators=100, random_state=0, n_jobs=1)
        aggregate.update(_utility(R, S, other, model, random_state))
    # Add the aggregate-only columns first: setting a row with enlargement keeps only
    # the existing columns, which silently dropped correlation and detection scores.
    table = table.reindex(columns=list(dict.fromkeys([*table.columns, *aggregate])))
    table.loc[AGGREGATE_ROW] = pd.Series(aggregate)
    return table


def augmentation_gain(X_train, y_train, X_test, y_test, sampler, *, estimator=None,
                      pos_label=1):
    """Downstream value of over-sampling: the same classifier with and without it.

    The sampler is fitted on the training rows only; the test rows stay
    untouched and real.

    Parameters
    ----------
    X_train, y_train
        Real training data.
    X_test, y_test
        Real held-out data.
    sampler : imbalanced-learn sampler
        E.g. ``QGANOverSampler``, ``GANOverSampler`` or ``SMOTE``.
    estimator : classifier, optional
        Needs ``predict_proba``; default a 200-tree random forest
        (``random_state=0``).
    pos_label : default=1
        Minority class.

    Returns
    -------
    DataFrame
        Rows ``"real only"``, ``"real + synthetic"`` and ``"gain"`` (their
        difference); columns ``pr_auc``, ``recall``, ``f1`` for ``pos_label``.

    Examples
    --------
    >>> from imblearn.over_sampling import RandomOverSampler
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(300, weights=[0.9], random_state=0)
    >>> table = augmentation_gain(X[:200], y[:200], X[200:], y[200:],
    ...                           RandomOverSampler(random_state=0))
    >>> list(table.index)
    ['real only', 'real + synthetic', 'gain']
    """
    model = estimator if estimator is not None else RandomForestClassifier(
        n_estimators=200, random_state=0, n_jobs=1)
    X_aug, y_aug = clone(sampler).fit_resample(X_train, y_train)
    rows = {}
    for name, (X_fit, y_fit) in {"real only": (X_train, y_train),
                                 "real + synthetic": (X_aug, y_aug)}.items():
        fitted = clone(model).fit(X_fit, y_fit)
        proba = fitted.predict_proba(X_test)[:, list(fitted.classes_).index(pos_label)]
        scores = classification_metrics(y_test, proba, y_pred=fitted.predict(X_test),
                                        pos_label=pos_label)
        rows[name] = {key: scores[key] for key in ("pr_auc", "recall", "f1")}
    table = pd.DataFrame(rows).T
    table.loc["gain"] = table.loc["real + synthetic"] - table.loc["real only"]
    return table
