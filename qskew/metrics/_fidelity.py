"""How faithful and how useful are synthetic rows? Fidelity and augmentation metrics."""

from numbers import Integral

import numpy as np
import pandas as pd
from scipy import stats
from sklearn import metrics as skm
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from qskew._validation import check_numeric

AGGREGATE_ROW = "(all features)"
#: Neighbours that set each k-NN ball's radius in ``knn_precision_recall`` (the paper's value).
KNN_K = 3


def _as_frame(data, name, columns=None, owner="synthetic_fidelity"):
    frame = pd.DataFrame(data, columns=columns) if not isinstance(data, pd.DataFrame) else data
    if frame.ndim != 2 or frame.shape[0] < 2 or frame.shape[1] < 1:
        raise ValueError(
            f"{name} must be a 2-D table with at least 2 rows and 1 column; got shape "
            f"{frame.shape}."
        )
    check_numeric(frame, name, owner=owner)
    values = frame.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values; drop or impute them first.")
    return frame


def _check_pair(real, synthetic, owner="synthetic_fidelity"):
    real = _as_frame(real, "real", owner=owner)
    named = isinstance(synthetic, pd.DataFrame)
    synthetic = _as_frame(synthetic, "synthetic", owner=owner)
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


def detection_auc(real, synthetic, *, detector=None, cv=5, clip=True, random_state=None):
    """ROC-AUC of a classifier telling real rows from synthetic ones.

    Out-of-fold probabilities from stratified ``cv``-fold cross-validation;
    ``0.5`` means the detector cannot tell them apart, ``1.0`` that every
    synthetic row is recognisable. The larger group is first subsampled
    (seeded) to the size of the smaller, so both classes weigh the same.

    Parameters
    ----------
    real, synthetic : array-like of shape (n, n_features)
    detector : classifier, optional
        Needs ``predict_proba``; default a 100-tree random forest.
    cv : int, default=5
    clip : bool, default=True
        Report values below 0.5 as 0.5, as SDMetrics' detection metrics do;
        ``False`` returns the raw AUC.
    random_state : int, RandomState instance or None

    Returns
    -------
    float
        In ``[0.5, 1]`` with ``clip=True``, else in ``[0, 1]``.

    Raises
    ------
    ValueError
        If either group has fewer than 2 rows.

    Notes
    -----
    Why clip: an AUC below 0.5 would say the detector ranks real rows as
    *more* synthetic than the synthetic ones, i.e. the rows are "more real
    than real". That is no quality of a sampler but an artefact of scoring
    held-out folds of small groups. Interpolating samplers such as SMOTE
    place synthetic rows among the real rows they were built from, so a
    held-out real row is surrounded by synthetic training rows and scored
    as synthetic (measured on the bundled data: raw 0.23-0.44 for SMOTE on
    28 real rows per split). A detector doing worse than chance is noise,
    not evidence, so it counts as chance. SDMetrics clips each fold's AUC
    before averaging; here the out-of-fold probabilities are pooled into one
    AUC, which is clipped once. ``synthetic_fidelity`` keeps the raw value
    beside the clipped one, so a value far below 0.5 stays visible as a
    sign of small groups or interpolated rows.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real, far = rng.normal(size=(40, 2)), rng.normal(10.0, 1.0, size=(40, 2))
    >>> detection_auc(real, far, random_state=0)
    1.0
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
    auc = float(roc_auc_score(y, proba))
    return max(auc, 0.5) if clip else auc


def knn_precision_recall(real, synthetic, *, k=KNN_K):
    """k-NN precision and recall of synthetic rows (Kynkäänniemi et al., 2019).

    Two separate questions: do the synthetic rows look real, and do they
    cover the real rows? Around every row of a set, its *k-NN ball* has the
    distance to that row's ``k``-th nearest other row of the same set as
    radius. Then

    - ``precision`` = share of synthetic rows inside the union of the real
      rows' balls (a synthetic row far from every real row lowers it);
    - ``recall`` = share of real rows inside the union of the synthetic
      rows' balls (real rows that no synthetic row comes near lower it:
      a collapsed generator has high precision and low recall).

    "Inside" includes the boundary (distance ``<=`` radius), as in the
    paper. Features are first standardised with the real rows' mean and
    standard deviation (a constant column keeps its units), so no column
    dominates the distance by its scale.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_real, n_features)
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
    k : int, default=3
        Neighbour that sets each ball's radius; each set needs more than
        ``k`` rows.

    Returns
    -------
    precision, recall : float
        Each in ``[0, 1]``; identical sets score ``(1.0, 1.0)``.

    Raises
    ------
    ValueError
        If the tables differ in columns or hold non-finite values, if ``k``
        is not a positive integer, or if a set has ``k`` rows or fewer.

    Notes
    -----
    Why ``k=3`` by default: it is the paper's value, and the choice is a
    trade-off that matters more with the few rows of a minority class.
    Larger ``k`` grows every ball (with ``k`` near the number of rows, each
    spans most of the class), so nearly everything counts as inside;
    ``k=1`` makes each ball the gap to a single neighbour, so a pair of
    near-duplicate rows gives a near-empty ball. Both scores depend on the
    sizes of the sets (more rows, smaller balls): compare samplers on equal
    numbers of rows. An outlier real row has a large ball that can raise
    precision; the paper notes the same. The paper scores image embeddings;
    here the standardised features themselves are the space.

    Cost: for each direction, a ball tree on one set, its own k-NN search
    and a radius search from the other set: ``O(n log n)`` for well-spread
    rows, up to all ``n_real * n_synthetic`` distances when one ball spans
    the data (2,000 rows each in 30 features: under a second).

    References
    ----------
    T. Kynkäänniemi, T. Karras, S. Laine, J. Lehtinen and T. Aila, "Improved
    precision and recall metric for assessing generative models", NeurIPS
    2019.

    Examples
    --------
    >>> import numpy as np
    >>> real = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    >>> synthetic = np.array([[0.5], [1.5], [2.5], [5.0]])
    >>> knn_precision_recall(real, synthetic, k=1)
    (0.75, 0.6)
    """
    real, synthetic = _check_pair(real, synthetic, owner="knn_precision_recall")
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
        raise ValueError(f"k must be a positive integer (the neighbour that sets each ball's "
                         f"radius); got {k!r}. The paper's value is k=3.")
    if min(len(real), len(synthetic)) <= k:
        raise ValueError(
            f"knn_precision_recall with k={k} needs more than {k} rows in each set (a row's "
            f"k-th neighbour is another row); got {len(real)} real and {len(synthetic)} "
            "synthetic rows. Lower k or pass more rows."
        )
    return _knn_precision_recall(real.to_numpy(dtype=float), synthetic.to_numpy(dtype=float), k)


def _knn_precision_recall(real, synthetic, k):
    mean, std = real.mean(axis=0), real.std(axis=0)
    std[std == 0] = 1.0
    real, synthetic = (real - mean) / std, (synthetic - mean) / std
    return _share_inside(real, synthetic, k), _share_inside(synthetic, real, k)


def _share_inside(support, queries, k):
    """Share of ``queries`` inside the union of the k-NN balls around ``support``'s rows."""
    # A ball tree computes each distance from the differences; brute force would use the
    # |a|^2 + |b|^2 - 2ab expansion, which puts a row's exact copy at ~1e-8 rather than 0
    # and decides rows on a ball's boundary by rounding.
    search = NearestNeighbors(n_neighbors=k, algorithm="ball_tree").fit(support)
    radii = search.kneighbors()[0][:, -1]  # no query: a row is not its own neighbour
    # The search compares squared distances: widen by one ulp so the largest ball's own
    # boundary is not lost to rounding; the exact test per ball follows.
    distances, owners = search.radius_neighbors(queries, radius=np.nextafter(radii.max(),
                                                                             np.inf))
    inside = [bool(np.any(d <= radii[i])) for d, i in zip(distances, owners)]
    return float(np.mean(inside))


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
        scores[f"{name}_pr_auc"] = skm.average_precision_score(y_test, proba)
    return scores


def _joint_scores(real, synthetic, detector, cv, random_state):
    """The scores of the rows as a whole rather than per feature."""
    raw_auc = detection_auc(real, synthetic, detector=detector, cv=cv, clip=False,
                            random_state=random_state)
    # Too few rows for k-NN balls is no reason to lose the rest of the table.
    precision, recall = (_knn_precision_recall(real, synthetic, KNN_K)
                         if min(len(real), len(synthetic)) > KNN_K else (np.nan, np.nan))
    return {"correlation_distance": correlation_distance(real, synthetic),
            "detection_auc": max(raw_auc, 0.5), "detection_auc_raw": raw_auc,
            "knn_precision": precision, "knn_recall": recall}


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
        ``detection_auc`` (:func:`detection_auc`, clipped to ``[0.5, 1]``;
        0.5 = indistinguishable) and ``detection_auc_raw`` (the same AUC
        unclipped: far below 0.5 flags groups too small to score, not a
        better sampler), ``knn_precision`` and ``knn_recall``
        (:func:`knn_precision_recall` with ``k=3``: the share of synthetic
        rows that look real, and of real rows the synthetic ones cover; NaN
        when a set has 3 rows or fewer), and, when ``real_other`` is given,
        ``tstr_pr_auc`` and ``trtr_pr_auc``: PR-AUC on held-out real rows of
        a classifier trained on synthetic vs on real positives (with the
        same real negatives).

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
        **_joint_scores(R, S, detector, cv, random_state),
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
        y_pred = fitted.predict(X_test)
        # The three scores directly: classification_metrics would also bootstrap low-FPR
        # rates (and warn about them) only to throw them away.
        rows[name] = {
            "pr_auc": skm.average_precision_score(np.asarray(y_test) == pos_label, proba),
            "recall": skm.recall_score(y_test, y_pred, pos_label=pos_label, zero_division=0),
            "f1": skm.f1_score(y_test, y_pred, pos_label=pos_label, zero_division=0)}
    table = pd.DataFrame(rows).T
    table.loc["gain"] = table.loc["real + synthetic"] - table.loc["real only"]
    return table
