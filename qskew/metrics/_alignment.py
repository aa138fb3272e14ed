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


#: Off-diagonal variance below which :func:`kernel_diagnostics` calls a kernel concentrated.
CONCENTRATION_VARIANCE = 1e-4


def kernel_diagnostics(K, y=None, *, threshold=CONCENTRATION_VARIANCE):
    r"""Why a kernel may fail, before trusting a result (Thanasilp et al. 2022).

    A fidelity kernel on many qubits concentrates: its off-diagonal entries
    all approach the same value (near 0 for wide encodings, near 1 for very
    narrow ones), their variance vanishes exponentially with the qubits, the
    Gram matrix tends to a multiple of the identity (or of the all-ones
    matrix) and no classifier can learn from it. These numbers show it.

    Parameters
    ----------
    K : array-like of shape (n_samples, n_samples)
        Symmetric Gram matrix of some rows with themselves.
    y : array-like of shape (n_samples,), optional
        Labels: adds ``alignment`` and ``balanced_alignment``
        (:func:`kernel_target_alignment`).
    threshold : float, default=1e-4
        Off-diagonal variance below which the kernel counts as concentrated
        (a ``UserWarning`` says so).

    Returns
    -------
    dict
        ``n_samples``; ``off_diagonal_mean``, ``off_diagonal_variance``,
        ``off_diagonal_min``, ``off_diagonal_max``; ``top_eigenvalue_share``
        (largest eigenvalue over the trace); ``effective_dimension``, the
        participation ratio :math:`(\sum_i \lambda_i)^2 / \sum_i \lambda_i^2`
        of the eigenvalues (1 for the all-ones matrix, ``n`` for the
        identity: how many directions the kernel spreads the rows over);
        ``concentrated`` (bool); with ``y``, the two alignments.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> d = kernel_diagnostics(np.exp(-np.abs(np.subtract.outer(*[rng.normal(size=6)] * 2))))
    >>> round(d["effective_dimension"], 2), d["concentrated"]
    (1.89, False)
    """
    import warnings

    K = np.asarray(K, dtype=float)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or K.shape[0] < 2:
        raise ValueError(f"K must be a square Gram matrix of at least 2 rows; got shape "
                         f"{K.shape}. Pass kernel(X) for the rows X.")
    if not np.isfinite(K).all():
        raise ValueError("K contains NaN or infinite values; a Gram matrix must be finite.")
    n = len(K)
    off = K[~np.eye(n, dtype=bool)]
    eigenvalues = np.clip(np.linalg.eigvalsh((K + K.T) / 2), 0.0, None)
    trace = eigenvalues.sum()
    out = {
        "n_samples": n,
        "off_diagonal_mean": float(off.mean()),
        "off_diagonal_variance": float(off.var()),
        "off_diagonal_min": float(off.min()),
        "off_diagonal_max": float(off.max()),
        "top_eigenvalue_share": float(eigenvalues.max() / trace) if trace else float("nan"),
        "effective_dimension": (float(trace**2 / np.sum(eigenvalues**2)) if trace
                                else float("nan")),
    }
    out["concentrated"] = bool(out["off_diagonal_variance"] < threshold)
    if y is not None:
        out["alignment"] = kernel_target_alignment(K, y)
        out["balanced_alignment"] = kernel_target_alignment(K, y, balanced=True)
    if out["concentrated"]:
        advice = ("Raise the bandwidth: the encoding is too narrow to separate the rows"
                  if out["off_diagonal_mean"] > 0.5 else
                  "Lower the bandwidth, use fewer qubits or a shallower feature map")
        warnings.warn(
            f"the kernel is concentrated: its off-diagonal entries have variance "
            f"{out['off_diagonal_variance']:.2g} around {out['off_diagonal_mean']:.3g}, so it "
            f"tells rows apart hardly at all. {advice} (QuantumKernel(bandwidth=...), or "
            "QuantumKernelSVC(bandwidth='auto')).",
            UserWarning, stacklevel=2)
    return out
