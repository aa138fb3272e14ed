"""Kernel-target alignment: how well a Gram matrix agrees with the labels."""

import numpy as np


def kernel_target_alignment(K, y, *, balanced=False):
    r"""Kernel-target alignment :math:`\langle K, T\rangle_F / (\|K\|_F \|T\|_F)`.

    The target matrix is :math:`T = t t^\top` with :math:`t_i = \pm 1` by class
    (binary) or :math:`T_{ij} = 1` for equal labels and :math:`-1/(c-1)`
    otherwise (``c`` classes). With ``balanced=True`` each sample is weighted
    by the inverse frequency of its class, so that on skewed labels the
    majority class does not dominate the score: :math:`T_{ij}` is multiplied
    by :math:`w_i w_j`, :math:`w_i = n / (c\, n_{y_i})`.

    Parameters
    ----------
    K : array-like of shape (n_samples, n_samples)
        Symmetric Gram matrix.
    y : array-like of shape (n_samples,)
        Class labels, at least two classes.
    balanced : bool, default=False
        Class-balanced variant.

    Returns
    -------
    float
        Alignment in ``[-1, 1]``; higher means the kernel's similarity agrees
        better with the labels.

    Raises
    ------
    ValueError
        If ``K`` is not square, lengths differ or ``y`` has fewer than two
        classes.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1])
    >>> t = 2 * y - 1
    >>> K_ideal = np.outer(t, t).astype(float)
    >>> round(kernel_target_alignment(K_ideal, y), 6)
    1.0
    """
    K = np.asarray(K, dtype=float)
    y = np.asarray(y)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(
            f"K must be a square Gram matrix; got shape {K.shape}. Pass the kernel of the "
            "labelled rows with themselves, K = kernel(X)."
        )
    if y.shape != (K.shape[0],):
        raise ValueError(
            f"y must have one label per row of K ({K.shape[0]}); got shape {y.shape}. "
            "Pass the labels of the rows K was computed on, as a 1-D array."
        )
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    if len(classes) < 2:
        raise ValueError(
            f"kernel_target_alignment needs at least two classes; got only "
            f"{classes.tolist()}. Use a sample (e.g. a stratified split) holding every class."
        )
    same = codes[:, None] == codes[None, :]
    T = np.where(same, 1.0, -1.0 / (len(classes) - 1))
    if balanced:
        w = len(y) / (len(classes) * counts[codes])
        T = T * np.outer(w, w)
    denominator = np.linalg.norm(K) * np.linalg.norm(T)
    return float(np.sum(K * T) / denominator) if denominator else 0.0
