"""Statistics on resampled scores: corrected intervals, the corrected resampled t-test, Holm.

The r seeds x k folds of a protocol are r repetitions of a stratified k-fold
split (a holdout split is k = 1). Their scores are not independent -- the
training sets overlap -- so the plain variance of their mean is too small and a
plain paired t-test rejects far too often (Dietterich 1998; Nadeau & Bengio
2003). The interval and the test here both use Nadeau and Bengio's corrected
variance.
"""

import numpy as np
from scipy import stats

#: Coverage of the intervals on the means.
CONFIDENCE = 0.95

def corrected_variance(values, test_train_ratio):
    """Variance of the mean of resampled scores, corrected for overlapping training sets.

    Parameters
    ----------
    values : array-like of shape (J,)
        One score (or one paired difference) per resample: J = r seeds x k folds.
    test_train_ratio : float
        ``n_test / n_train`` of the resamples (``1 / (k - 1)`` for k-fold CV,
        ``test_size / (1 - test_size)`` for a holdout split).

    Returns
    -------
    float
        ``(1 / J + n_test / n_train) * s**2``, with ``s**2`` the sample variance
        (``ddof=1``) of ``values``.

    Raises
    ------
    ValueError
        If ``values`` holds fewer than 2 numbers or the ratio is negative or NaN.

    Notes
    -----
    The naive variance of the mean is ``s**2 / J``. Nadeau and Bengio (2003) add
    ``n_test / n_train`` for the correlation that overlapping training sets put
    between the resamples; Bouckaert and Frank (2004) apply it to r-times-repeated
    k-fold CV with ``J = r k``. The added term does not shrink with more seeds: it is
    the floor of what repetitions can buy.

    References
    ----------
    C. Nadeau and Y. Bengio, "Inference for the generalization error", Machine
    Learning 52 (2003) 239-281. R. R. Bouckaert and E. Frank, "Evaluating the
    replicability of significance tests for comparing learning algorithms", PAKDD
    2004.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"values must be a 1-d array of at least 2 resampled scores; got "
                         f"shape {values.shape}. Run more seeds or folds.")
    if not test_train_ratio >= 0:  # 0 gives the naive variance, s**2 / J
        raise ValueError(f"test_train_ratio must be n_test / n_train >= 0; got "
                         f"{test_train_ratio!r}.")
    return (1 / len(values) + test_train_ratio) * values.var(ddof=1)


def corrected_interval(values, test_train_ratio, confidence=CONFIDENCE):
    """Interval for the mean of resampled scores: ``mean ± t * sqrt(corrected variance)``.

    Parameters
    ----------
    values : array-like of shape (J,)
        One score per resample (seed x fold), J >= 2.
    test_train_ratio : float
        ``n_test / n_train`` of the resamples.
    confidence : float, default=0.95
        Coverage of the interval.

    Raises
    ------
    ValueError
        As :func:`corrected_variance`, or if ``confidence`` is not in (0, 1).

    Returns
    -------
    (float, float)
        ``mean ∓ t_{(1 + confidence) / 2, J - 1} * sqrt((1 / J + n_test / n_train) s**2)``
        (see :func:`corrected_variance`). It may pass a metric's bounds (a recall
        above 1): it is a t interval, and says how little the resamples pin down.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), e.g. 0.95; got {confidence!r}.")
    values = np.asarray(values, dtype=float)
    half = stats.t.ppf((1 + confidence) / 2, len(values) - 1) * np.sqrt(
        corrected_variance(values, test_train_ratio))
    return float(values.mean() - half), float(values.mean() + half)


def corrected_ttest(differences, test_train_ratio):
    """Corrected resampled t-test (Nadeau & Bengio 2003) of paired differences.

    Parameters
    ----------
    differences : array-like of shape (J,)
        Method minus baseline, one per shared resample (seed x fold), J >= 2.
    test_train_ratio : float
        ``n_test / n_train`` of the resamples.

    Returns
    -------
    t : float
        ``mean(d) / sqrt((1 / J + n_test / n_train) var(d))``; ``±inf`` or NaN when the
        differences do not vary.
    p_value : float
        Two-sided, from the t distribution with ``J - 1`` degrees of freedom.

    Examples
    --------
    >>> t, p = corrected_ttest([0.02, 0.03, 0.01, 0.04, 0.00], test_train_ratio=0.25)
    >>> round(t, 3), round(p, 3)
    (1.886, 0.132)
    """
    d = np.asarray(differences, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = d.mean() / np.sqrt(corrected_variance(d, test_train_ratio))
    return float(t), float(2 * stats.t.sf(abs(t), len(d) - 1))


def holm(p_values):
    """Holm's step-down adjustment of a family of p-values; NaN entries are not tested.

    The i-th smallest of the m p-values becomes ``max_{j <= i} min(1, (m - j + 1) p_(j))``:
    it controls the chance of any false rejection in the family at the nominal level,
    like Bonferroni, while rejecting at least as often.

    Parameters
    ----------
    p_values : array-like
        Raw p-values; NaN (no test) stays NaN and does not count towards m.

    Returns
    -------
    ndarray
        Adjusted p-values, in the input order.

    Examples
    --------
    >>> holm([0.01, 0.04, float("nan"), 0.03]).round(2).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    scaled = (len(order) - np.arange(len(order))) * p[order]
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return adjusted
