"""Metrics for skewed classification problems."""

import numpy as np
from sklearn import metrics as skm


def classification_metrics(y_true, y_score, *, y_pred=None, pos_label=1):
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

    Returns
    -------
    dict
        ``pr_auc`` (average precision), ``roc_auc``, ``precision``,
        ``recall``, ``f1`` (all for ``pos_label``), ``mcc`` and
        ``balanced_accuracy``.

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
    y_score = np.asarray(y_score, dtype=float)
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
    return {
        "pr_auc": skm.average_precision_score(is_pos, y_score),
        "roc_auc": skm.roc_auc_score(is_pos, y_score),
        "precision": skm.precision_score(y_true, y_pred, pos_label=pos_label, zero_division=0),
        "recall": skm.recall_score(y_true, y_pred, pos_label=pos_label, zero_division=0),
        "f1": skm.f1_score(y_true, y_pred, pos_label=pos_label, zero_division=0),
        "mcc": skm.matthews_corrcoef(y_true, y_pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
    }
