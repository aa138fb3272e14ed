"""Metrics for skewed classification problems."""

import difflib
import functools
import math
import numbers
import warnings

import numpy as np
import pandas as pd
from imblearn.metrics import geometric_mean_score
from sklearn import metrics as skm

from qskew._exceptions import UnreliableMetricWarning

#: Operating points reported by :func:`classification_metrics`.
LOW_FPRS = (0.001, 0.01)
HIGH_TPR = 0.95
#: A true-positive rate at FPR ``f`` is resolved by at least ``MIN_NEGATIVES_PER_FPR / f``
#: negatives (10,000 for 0.1 %, 1,000 for 1 %): then about ten false positives sit at the
#: operating point, and one negative more or less above the threshold no longer decides it.
MIN_NEGATIVES_PER_FPR = 10
# ROC rates are ratios of counts: the tolerance lets FPR 0.01 admit 10 of 1,000 negatives.
_RATE_TOL = 1e-12
# Bootstrap resamples are drawn and scored this many indices at a time (4 MB of int32).
_CHUNK_SCORES = 2**20
_HOW_TO_RESOLVE = (
    "Score more held-out negatives (e.g. fit on a sample but score every held-out row, as "
    "the experiment runner's train-on-a-sample evaluation does) or report a higher FPR."
)


def tpr_at_fpr(y_true, y_score, fpr, *, pos_label=1):
    """Highest true-positive rate at a threshold whose false-positive rate is at most ``fpr``.

    Read off the ROC curve by steps, without interpolation between
    thresholds (no randomised mixing of two classifiers): the TPR a deployed
    threshold actually achieves. With ``n_neg`` negatives, ``fpr`` below
    ``1 / n_neg`` allows no false positive at all.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples,)
    fpr : float in [0, 1]
    pos_label : default=1

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``fpr`` is not in [0, 1] or ``y_true`` lacks a class.

    Warns
    -----
    UnreliableMetricWarning
        If the negatives are too few to resolve ``fpr`` (:func:`resolves_fpr`:
        fewer than ``MIN_NEGATIVES_PER_FPR / fpr``); the value is returned all
        the same, and :func:`tpr_at_fpr_interval` says how far it can be
        trusted.

    Examples
    --------
    Four negatives resolve no FPR but 0, so the first call also warns:

    >>> tpr_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.25)
    1.0
    >>> tpr_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.0)
    0.5
    """
    fpr = _check_fpr(fpr)
    is_pos = _positives(y_true, pos_label)
    n_neg = int(np.count_nonzero(~is_pos))
    if not resolves_fpr(n_neg, fpr):
        warnings.warn(
            f"tpr_at_fpr at FPR {_percent(fpr)} is unresolved: {n_neg:,} negatives were scored, "
            f"at least {_negatives_needed(fpr):,} are needed ({MIN_NEGATIVES_PER_FPR} / fpr). "
            f"{_HOW_TO_RESOLVE} tpr_at_fpr_interval gives a bootstrap interval for the value.",
            UnreliableMetricWarning, stacklevel=2)
    return _tpr_at_fpr(is_pos, y_score, fpr)


def _tpr_at_fpr(is_pos, y_score, fpr):
    fprs, tprs = _roc_steps(is_pos, y_score)
    return float(tprs[fprs <= fpr + _RATE_TOL].max())


def fpr_at_tpr(y_true, y_score, tpr, *, pos_label=1):
    """Lowest false-positive rate at a threshold whose true-positive rate is at least ``tpr``.

    Step reading of the ROC curve, as :func:`tpr_at_fpr`.

    Examples
    --------
    >>> fpr_at_tpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.95)
    0.25
    """
    fprs, tprs = _roc_steps(_positives(y_true, pos_label), y_score)
    return float(fprs[tprs >= tpr - _RATE_TOL].min())


def _roc_steps(is_pos, y_score):
    fprs, tprs, _ = skm.roc_curve(is_pos, y_score, drop_intermediate=False)
    return fprs, tprs


def _positives(y_true, pos_label):
    """``y_true == pos_label``, checked to hold both classes."""
    is_pos = np.asarray(y_true) == pos_label
    if is_pos.all() or not is_pos.any():
        # roc_curve only warns and returns NaN rates; the step reading would then fail obscurely.
        raise ValueError(
            f"an ROC operating point needs both classes in y_true; got only "
            f"{'positives' if is_pos.any() else 'negatives'} for pos_label={pos_label!r}. "
            "Score a stratified split that holds both classes."
        )
    return is_pos


def resolves_fpr(n_negatives, fpr):
    """Whether ``n_negatives`` scored negatives resolve a true-positive rate at ``fpr``.

    The rule :func:`tpr_at_fpr` and :func:`classification_metrics` warn by: at
    least ``MIN_NEGATIVES_PER_FPR / fpr`` negatives (10,000 for FPR 0.1 %,
    1,000 for 1 %), so that about ten false positives sit at the operating
    point. Below that, a handful of negatives decides the threshold: with 380
    negatives, FPR 0.1 % allows no false positive at all.

    Parameters
    ----------
    n_negatives : int
        Negatives in the scored (test) set.
    fpr : float in [0, 1]
        The operating point. ``fpr=0`` always counts as resolved: it allows no
        false positive, whatever the count, and is read as that.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``n_negatives`` is not a non-negative integer or ``fpr`` not in [0, 1].

    Examples
    --------
    >>> resolves_fpr(380, 0.001)
    False
    >>> resolves_fpr(10_000, 0.001), resolves_fpr(1_000, 0.01), resolves_fpr(999, 0.01)
    (True, True, False)
    """
    if isinstance(n_negatives, bool) or not isinstance(n_negatives, numbers.Integral) \
            or n_negatives < 0:
        raise ValueError(
            f"n_negatives must be a non-negative integer count; got {n_negatives!r}. Pass the "
            "number of negatives in the scored set, e.g. int((y_test == 0).sum()).")
    fpr = _check_fpr(fpr)
    return bool(fpr == 0 or n_negatives >= _negatives_needed(fpr))


def tpr_at_fpr_interval(y_true, y_score, fpr, *, confidence=0.95, n_resamples=1000,
                        pos_label=1, random_state=0):
    """Percentile bootstrap interval of :func:`tpr_at_fpr`.

    Each resample draws, with replacement, as many negatives from the
    negatives and as many positives from the positives as ``y_true`` holds
    (stratified: the class counts, and so the false positives ``fpr`` allows,
    stay those of the data), and reads :func:`tpr_at_fpr` on it; the interval
    is the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles
    of those values.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples,)
    fpr : float in [0, 1]
    confidence : float in (0, 1), default=0.95
    n_resamples : int, default=1000
    pos_label : default=1
    random_state : int, numpy Generator or None, default=0
        Seed of ``np.random.default_rng``: the same seed gives the same interval.

    Returns
    -------
    (low, high) : tuple of float

    Raises
    ------
    ValueError
        If ``fpr`` is not in [0, 1], ``confidence`` not in (0, 1),
        ``n_resamples`` not a positive integer, the scores not finite and one
        per label, or ``y_true`` lacks a class.

    Notes
    -----
    No ROC curve is built per resample. With ``n_neg`` negatives, ``fpr``
    allows ``k = floor(fpr * n_neg)`` false positives (read with the tolerance
    :func:`tpr_at_fpr` uses), and the step-read TPR is the share of positives
    scored strictly above the ``(k + 1)``-th largest negative score, or 1 when
    ``k >= n_neg``. Cost: one partial sort of the resampled negatives' ranks
    per resample, ``O(n_resamples * (n_neg + n_pos))`` time, with indices
    drawn ``2**20`` at a time (a few MB); 1,000 resamples of 10,000
    negatives and 500 positives take about 0.15 s.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = np.r_[np.zeros(380, int), np.ones(20, int)]
    >>> score = np.r_[rng.normal(0, 1, 380), rng.normal(2, 1, 20)]
    >>> low, high = tpr_at_fpr_interval(y, score, 0.01)
    >>> bool(low < high)
    True

    Scores that separate the classes leave no doubt:

    >>> tpr_at_fpr_interval([0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.9], 0.001)
    (1.0, 1.0)
    """
    fpr = _check_fpr(fpr)
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) \
            or not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}. "
                         "Pass e.g. 0.95 for a 95 % interval.")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) \
            or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer; got {n_resamples!r}. "
                         "Pass e.g. 1000.")
    y_true, y_score = _check_scores(y_true, y_score)
    return _bootstrap_tpr(_positives(y_true, pos_label), y_score, fpr, confidence,
                          n_resamples, random_state)


def _bootstrap_tpr(is_pos, y_score, fpr, confidence, n_resamples, random_state):
    values = _bootstrap_values(is_pos, y_score, fpr, n_resamples, random_state)
    tail = 50 * (1 - confidence)
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _bootstrap_values(is_pos, y_score, fpr, n_resamples, random_state):
    """:func:`tpr_at_fpr` on each stratified resample, in closed form.

    ``fpr`` allows ``k`` false positives; no threshold at or below the (k+1)-th largest
    negative score keeps to them, every threshold above it does, so the step-read TPR is
    the share of positives scored above that negative.
    """
    neg, pos = y_score[~is_pos], y_score[is_pos]
    k = _allowed_false_positives(fpr, len(neg))
    if k >= len(neg):
        return np.ones(n_resamples)
    # Rank the negatives, largest first: the (k+1)-th smallest rank drawn marks the (k+1)-th
    # largest score drawn, ties included, and int32 ranks partition 3x faster than scores.
    order = np.argsort(-neg, kind="stable")
    rank = np.empty(len(neg), np.int32)
    rank[order] = np.arange(len(neg))
    rng = np.random.default_rng(random_state)
    values = []
    for neg_idx, pos_idx in _stratified_resamples(rng, len(neg), len(pos), n_resamples):
        cut = neg[order[np.partition(rank[neg_idx], k, axis=1)[:, k]]]
        values.append(np.count_nonzero(pos[pos_idx] > cut[:, None], axis=1) / len(pos))
    return np.concatenate(values)


def _stratified_resamples(rng, n_neg, n_pos, n_resamples):
    """Chunks of ``(neg_idx, pos_idx)``: one resample per row, indices into the negatives
    and into the positives, drawn with replacement."""
    rows = max(1, _CHUNK_SCORES // max(n_neg, n_pos))
    for start in range(0, n_resamples, rows):
        size = min(rows, n_resamples - start)
        yield (rng.integers(n_neg, size=(size, n_neg), dtype=np.int32),
               rng.integers(n_pos, size=(size, n_pos), dtype=np.int32))


def _allowed_false_positives(fpr, n_neg):
    """The most false positives among ``n_neg`` negatives that ``fpr`` allows, by the very
    comparison :func:`tpr_at_fpr` makes on the ROC's rates ``count / n_neg``."""
    rates = np.arange(n_neg + 1) / n_neg
    return int(np.searchsorted(rates, fpr + _RATE_TOL, side="right")) - 1


def _check_fpr(fpr):
    if isinstance(fpr, bool) or not isinstance(fpr, numbers.Real) or not 0 <= fpr <= 1:
        raise ValueError(f"fpr must be a false-positive rate in [0, 1]; got {fpr!r}. Pass a "
                         "fraction, e.g. 0.01 for 1 %.")
    return float(fpr)


def _negatives_needed(fpr):
    # The 1e-9 keeps 10 / 0.001 at 10,000 should the division land a hair above it.
    return math.ceil(MIN_NEGATIVES_PER_FPR / fpr - 1e-9)


def _percent(fpr):
    return f"{100 * fpr:g} %"


def expected_calibration_error(y_true, y_prob, *, n_bins=10, pos_label=1):
    r"""Expected calibration error of positive-class probabilities.

    :math:`\mathrm{ECE} = \sum_b \frac{n_b}{n} |\bar{y}_b - \bar{p}_b|` over
    ``n_bins`` equal-width bins of ``[0, 1]`` (the last bin closed), with
    :math:`\bar{y}_b` the share of positives and :math:`\bar{p}_b` the mean
    predicted probability in bin ``b``; empty bins are skipped.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_prob : array-like of shape (n_samples,)
        Probabilities of ``pos_label`` in ``[0, 1]``.
    n_bins : int, default=10
    pos_label : default=1

    Returns
    -------
    float

    Examples
    --------
    >>> expected_calibration_error([0, 1, 1, 1], [0.2, 0.2, 0.9, 0.9], n_bins=2)
    0.2
    """
    y_prob = np.asarray(y_prob, dtype=float)
    if np.shape(y_true) != y_prob.shape:
        raise ValueError(
            f"y_prob must hold one probability per sample of y_true; got {y_prob.size} for "
            f"{np.size(y_true)} labels. Pass predict_proba(X)[:, 1] for the same rows."
        )
    if np.isnan(y_prob).any():
        raise ValueError(
            f"y_prob must not contain NaN; got {int(np.isnan(y_prob).sum())} NaN value(s). Check "
            "the model that produced the probabilities."
        )
    if y_prob.size and (y_prob.min() < 0 or y_prob.max() > 1):
        raise ValueError(
            f"y_prob must hold probabilities in [0, 1]; got values in [{y_prob.min():.3g}, "
            f"{y_prob.max():.3g}]. Pass predict_proba(X)[:, 1], not decision values."
        )
    if not (isinstance(n_bins, (int, np.integer)) and n_bins >= 1):
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}.")
    is_pos = (np.asarray(y_true) == pos_label).astype(float)
    bins = np.minimum((y_prob * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    gap = np.abs(np.bincount(bins, weights=is_pos, minlength=n_bins)
                 - np.bincount(bins, weights=y_prob, minlength=n_bins))
    return float(round(gap.sum() / max(1, counts.sum()), 15))


def classification_metrics(y_true, y_score, *, y_pred=None, pos_label=1, n_bins=10,
                           as_frame=False, metrics=None):
    """Imbalance-aware scores of a binary classifier, keyed by metric name.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True binary labels.
    y_score : array-like of shape (n_samples,)
        Scores for ``pos_label`` (probabilities or decision values); only
        their ranking matters for PR-AUC and ROC-AUC.
    y_pred : array-like of shape (n_samples,), optional
        Hard predictions; default: ``y_score > 0.5`` when the scores lie in
        [0, 1], else ``y_score > 0``.
    pos_label : int or str, default=1
        The minority (positive) class.
    n_bins : int, default=10
        Bins of the expected calibration error.
    as_frame : bool, default=False
        Return a one-row DataFrame instead of a dict.
    metrics : list of str, optional
        Compute only these (names as below; a low-FPR rate brings its
        ``_low``/``_high`` keys), e.g. ``["pr_auc", "mcc"]``: the others cost
        nothing and warn nothing. Default: all.

    Returns
    -------
    dict or DataFrame
        ``pr_auc`` (average precision), ``roc_auc``, ``precision``,
        ``recall``, ``f1`` (all for ``pos_label``), ``mcc``,
        ``balanced_accuracy``, ``g_mean`` (geometric mean of the per-class
        recalls, imbalanced-learn), ``tpr_at_fpr_0.1%`` and
        ``tpr_at_fpr_1%`` (:func:`tpr_at_fpr`), each followed by its
        ``_low`` and ``_high`` key (``tpr_at_fpr_0.1%_low``, ...): NaN when
        the negatives resolve the rate (:func:`resolves_fpr`), else the 95 %
        bootstrap interval of :func:`tpr_at_fpr_interval` with
        ``random_state=0``; then ``fpr_at_tpr_95%`` (:func:`fpr_at_tpr`), and,
        when the scores are probabilities in [0, 1], ``brier`` and ``ece``
        (:func:`expected_calibration_error`); otherwise those two are NaN.

    Raises
    ------
    ValueError
        If ``y_true`` is not binary, ``pos_label`` is not one of its labels,
        or the lengths differ.

    Warns
    -----
    UnreliableMetricWarning
        Once for each of ``LOW_FPRS`` the negatives do not resolve, with the
        value, the counts and the interval.

    Notes
    -----
    An unresolved rate costs a bootstrap of 1,000 resamples
    (:func:`tpr_at_fpr_interval`): under about 0.15 s, as only sets of fewer
    than 10,000 negatives leave a rate unresolved.

    Examples
    --------
    >>> scores = classification_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> round(scores["pr_auc"], 4), scores["recall"]
    (0.8333, 0.5)

    Two negatives resolve no low FPR: the rate comes with its interval, and a warning.

    >>> [scores[key] for key in ("tpr_at_fpr_1%", "tpr_at_fpr_1%_low", "tpr_at_fpr_1%_high")]
    [0.5, 0.0, 1.0]

    Only what is asked for is computed (and only it can warn):

    >>> some = classification_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8],
    ...                               metrics=["recall", "mcc"])
    >>> {name: round(value, 3) for name, value in some.items()}
    {'recall': 0.5, 'mcc': 0.577}
    """
    y_true, y_score = _check_scores(y_true, y_score)
    labels = np.unique(y_true)
    if len(labels) != 2:
        raise ValueError(
            f"classification_metrics needs exactly two classes in y_true; got "
            f"{len(labels)}: {labels.tolist()}. Use a stratified split of binary labels."
        )
    if pos_label not in labels.tolist():
        raise ValueError(
            f"pos_label {pos_label!r} is not among the labels of y_true {labels.tolist()}; "
            "pass the label of the minority class as pos_label."
        )
    if y_pred is None:
        threshold = 0.5 if y_score.min() >= 0 and y_score.max() <= 1 else 0.0
        negative = [label for label in labels.tolist() if label != pos_label][0]
        y_pred = np.where(y_score > threshold, pos_label, negative)
    elif np.shape(y_pred) != y_true.shape:
        raise ValueError(
            f"y_pred must have one prediction per sample of y_true {y_true.shape}; got "
            f"shape {np.shape(y_pred)}. Pass predict(X) for the same rows."
        )
    is_pos = y_true == pos_label
    is_proba = bool(y_score.min() >= 0 and y_score.max() <= 1)
    labels = {"y_true": y_true, "y_pred": y_pred}
    hard = {"pos_label": pos_label, "zero_division": 0}
    computed = {
        "pr_auc": lambda: skm.average_precision_score(is_pos, y_score),
        "roc_auc": lambda: skm.roc_auc_score(is_pos, y_score),
        "precision": lambda: skm.precision_score(**labels, **hard),
        "recall": lambda: skm.recall_score(**labels, **hard),
        "f1": lambda: skm.f1_score(**labels, **hard),
        "mcc": lambda: skm.matthews_corrcoef(**labels),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(**labels),
        "g_mean": lambda: geometric_mean_score(**labels),
        **{_rate_name(fpr): functools.partial(_low_fpr_scores, is_pos, y_score, fpr)
           for fpr in LOW_FPRS},
        f"fpr_at_tpr_{100 * HIGH_TPR:g}%": lambda: fpr_at_tpr(is_pos, y_score, HIGH_TPR),
        "brier": lambda: skm.brier_score_loss(is_pos, y_score) if is_proba else np.nan,
        "ece": lambda: (expected_calibration_error(is_pos, y_score, n_bins=n_bins,
                                                   pos_label=True) if is_proba else np.nan),
    }
    scores = {}
    for name in computed if metrics is None else _check_metrics(metrics, computed):
        value = computed[name]()
        scores.update(value if isinstance(value, dict) else {name: value})
    return pd.DataFrame([scores]) if as_frame else scores


def _check_metrics(metrics, known):
    """``metrics`` in the canonical order, or a ValueError naming the unknown ones."""
    if isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics):
        raise TypeError(f"metrics must be a list of metric names, e.g. ['pr_auc', 'mcc']; "
                        f"got {metrics!r}.")
    unknown = [m for m in metrics if m not in known]
    if unknown:
        hints = {m: difflib.get_close_matches(m, list(known), n=1) for m in unknown}
        said = ", ".join(f"{m!r}" + (f" (did you mean {hints[m][0]!r}?)" if hints[m] else "")
                         for m in unknown)
        raise ValueError(f"unknown metric {said}; choose from {', '.join(known)}.")
    return [name for name in known if name in metrics]


def _rate_name(fpr):
    return f"tpr_at_fpr_{100 * fpr:g}%"


def _check_scores(y_true, y_score):
    """``y_true`` and ``y_score`` as arrays, checked to be 1-D, finite and of equal length."""
    y_true = np.asarray(y_true)
    try:
        y_score = np.asarray(y_score, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"y_score must be numeric scores; {exc}.") from exc
    if y_score.size and not np.isfinite(y_score).all():
        bad = np.flatnonzero(~np.isfinite(y_score.ravel()))
        raise ValueError(
            f"y_score contains {len(bad)} NaN or infinite value(s), first at index {bad[0]}; "
            "a model's scores must be finite. Check the model that produced them.")
    if y_true.shape != y_score.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_score must be 1-D and of equal length; got shapes "
            f"{y_true.shape} and {y_score.shape}. Pass one score per sample for pos_label, "
            "e.g. predict_proba(X)[:, 1]."
        )
    return y_true, y_score


def _low_fpr_scores(is_pos, y_score, fpr):
    """``tpr_at_fpr`` at ``fpr``, with its 95 % bootstrap interval where the negatives do
    not resolve it (NaN where they do) and then a warning."""
    n_neg = int(np.count_nonzero(~is_pos))
    name = _rate_name(fpr)
    # The private reading: the warning below replaces tpr_at_fpr's own.
    value = _tpr_at_fpr(is_pos, y_score, fpr)
    low = high = np.nan
    if not resolves_fpr(n_neg, fpr):
        low, high = _bootstrap_tpr(is_pos, y_score, fpr, 0.95, 1000, 0)
        warnings.warn(
            f"{name} = {value:.2f} is unresolved: {n_neg:,} negatives, at least "
            f"{_negatives_needed(fpr):,} are needed for FPR {_percent(fpr)}; 95 % bootstrap "
            f"interval [{low:.2f}, {high:.2f}] ({name}_low, {name}_high). {_HOW_TO_RESOLVE}",
            UnreliableMetricWarning, stacklevel=3)
    return {name: value, f"{name}_low": low, f"{name}_high": high}
