"""Metrics for skewed classification problems."""

import numpy as np
import pandas as pd
from imblearn.metrics import geometric_mean_score
from sklearn import metrics as skm

#: Operating points reported by :func:`classification_metrics`.
LOW_FPRS = (0.001, 0.01)
HIGH_TPR = 0.95


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

    Examples
    --------
    >>> tpr_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.25)
    1.0
    >>> tpr_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.0)
    0.5
    """
    fprs, tprs = _roc_steps(y_true, y_score, pos_label)
    return float(tprs[fprs <= fpr + 1e-12].max())


def fpr_at_tpr(y_true, y_score, tpr, *, pos_label=1):
    """Lowest false-positive rate at a threshold whose true-positive rate is at least ``tpr``.

    Step reading of the ROC curve, as :func:`tpr_at_fpr`.

    Examples
    --------
    >>> fpr_at_tpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.95)
    0.25
    """
    fprs, tprs = _roc_steps(y_true, y_score, pos_label)
    return float(fprs[tprs >= tpr - 1e-12].min())


def _roc_steps(y_true, y_score, pos_label):
    is_pos = np.asarray(y_true) == pos_label
    if is_pos.all() or not is_pos.any():
        # roc_curve only warns and returns NaN rates; the step reading would then fail obscurely.
        raise ValueError(
            f"an ROC operating point needs both classes in y_true; got only "
            f"{'positives' if is_pos.any() else 'negatives'} for pos_label={pos_label!r}. "
            "Score a stratified split that holds both classes."
        )
    fprs, tprs, _ = skm.roc_curve(is_pos, y_score, drop_intermediate=False)
    return fprs, tprs


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
                           as_frame=False):
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

    Returns
    -------
    dict or DataFrame
        ``pr_auc`` (average precision), ``roc_auc``, ``precision``,
        ``recall``, ``f1`` (all for ``pos_label``), ``mcc``,
        ``balanced_accuracy``, ``g_mean`` (geometric mean of the per-class
        recalls, imbalanced-learn), ``tpr_at_fpr_0.1%`` and
        ``tpr_at_fpr_1%`` (:func:`tpr_at_fpr`), ``fpr_at_tpr_95%``
        (:func:`fpr_at_tpr`), and, when the scores are probabilities in
        [0, 1], ``brier`` and ``ece`` (:func:`expected_calibration_error`);
        otherwise those two are NaN.

    Raises
    ------
    ValueError
        If ``y_true`` is not binary, ``pos_label`` is not one of its labels,
        or the lengths differ.

    Examples
    --------
    >>> scores = classification_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> round(scores["pr_auc"], 4), scores["recall"]
    (0.8333, 0.5)
    """
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
    scores = {
        "pr_auc": skm.average_precision_score(is_pos, y_score),
        "roc_auc": skm.roc_auc_score(is_pos, y_score),
        "precision": skm.precision_score(y_true, y_pred, pos_label=pos_label, zero_division=0),
        "recall": skm.recall_score(y_true, y_pred, pos_label=pos_label, zero_division=0),
        "f1": skm.f1_score(y_true, y_pred, pos_label=pos_label, zero_division=0),
        "mcc": skm.matthews_corrcoef(y_true, y_pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
        "g_mean": geometric_mean_score(y_true, y_pred),
        **{f"tpr_at_fpr_{100 * f:g}%": tpr_at_fpr(is_pos, y_score, f) for f in LOW_FPRS},
        f"fpr_at_tpr_{100 * HIGH_TPR:g}%": fpr_at_tpr(is_pos, y_score, HIGH_TPR),
        "brier": skm.brier_score_loss(is_pos, y_score) if is_proba else np.nan,
        "ece": (expected_calibration_error(is_pos, y_score, n_bins=n_bins, pos_label=True)
                if is_proba else np.nan),
    }
    return pd.DataFrame([scores]) if as_frame else scores
