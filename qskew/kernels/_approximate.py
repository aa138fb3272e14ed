"""Kernel models linear in the rows: Nyström features and the fidelity kernel's own feature map.

An exact kernel SVM holds an ``N x N`` Gram matrix and its solver is
quadratic to cubic in ``N``. Both maps here turn each row into a finite real
vector ``φ(x)`` with ``φ(x)·φ(x') ≈ k(x, x')`` (Nyström) or ``= k(x, x')``
(explicit), so a linear SVM on them costs time and memory linear in ``N``.
"""

import numpy as np

#: Relative eigenvalue below which a landmark direction is dropped from the Nyström map.
EIGENVALUE_TOLERANCE = 1e-10


def landmark_indices(codes, n_components, rng):
    """Indices of ``n_components`` landmark rows with every class represented.

    The landmarks are shared out between the classes as evenly as their sizes
    allow (a class smaller than its share gives all its rows, the rest go to
    the others), then drawn at random within each class: on skewed data the
    minority class gets as many directions of the approximate feature space
    as the majority, where proportional sampling would give it a handful.

    Parameters
    ----------
    codes : ndarray of shape (n_samples,), int
        Class index of each row.
    n_components : int
        Landmarks wanted (all rows when there are fewer).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, sorted

    Examples
    --------
    >>> codes = np.array([0] * 90 + [1] * 10)
    >>> picked = landmark_indices(codes, 30, np.random.default_rng(0))
    >>> np.bincount(codes[picked]).tolist()
    [20, 10]
    """
    counts = np.bincount(codes)
    quota = np.zeros_like(counts)
    left = min(int(n_components), len(codes))
    open_classes = np.flatnonzero(counts)
    while left > 0 and len(open_classes):  # water-filling: even shares, capped by size
        share = max(1, left // len(open_classes))
        for c in open_classes:
            take = min(share, counts[c] - quota[c], left)
            quota[c] += take
            left -= take
        open_classes = open_classes[quota[open_classes] < counts[open_classes]]
    picked = [rng.choice(np.flatnonzero(codes == c), size=quota[c], replace=False)
              for c in np.flatnonzero(quota)]
    return np.sort(np.concatenate(picked))


def nystroem_map(K_landmarks):
    """The matrix ``W`` with ``φ(x) = k(x, L) W``: ``φ(x)·φ(x') = k(x, L) K_LL⁺ k(L, x')``.

    ``W = U S^{-1/2}`` over the eigenpairs of ``K_LL`` above
    :data:`EIGENVALUE_TOLERANCE` relative to the largest (Williams & Seeger
    2001): directions the landmarks do not span, duplicate landmarks among
    them, are dropped instead of amplified.

    Parameters
    ----------
    K_landmarks : ndarray of shape (m, m)
        Kernel of the landmarks with themselves.

    Returns
    -------
    ndarray of shape (m, r), ``r <= m``

    Examples
    --------
    >>> K = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> W = nystroem_map(K)
    >>> np.allclose((K @ W) @ (K @ W).T, K)
    True
    """
    eigenvalues, vectors = np.linalg.eigh((K_landmarks + K_landmarks.T) / 2)
    kept = eigenvalues > EIGENVALUE_TOLERANCE * max(eigenvalues.max(), 0.0)
    return vectors[:, kept] / np.sqrt(eigenvalues[kept])


def explicit_features(states):
    """The fidelity kernel's exact finite feature map: a real vectorisation of ``|ψ⟩⟨ψ|``.

    ``|⟨ψ|ψ'⟩|² = Tr(ρ ρ')`` is the Frobenius inner product of the density
    matrices; with ``d = 2^n`` the ``d²`` real coordinates ``|ψ_i|²`` and
    ``√2 Re(ψ_i ψ_j*)``, ``√2 Im(ψ_i ψ_j*)`` for ``i < j`` carry it exactly.

    Parameters
    ----------
    states : ndarray of shape (n_samples, 2**n_qubits), complex

    Returns
    -------
    ndarray of shape (n_samples, 4**n_qubits), float64

    Examples
    --------
    >>> psi = np.array([[1, 0], [1, 1j]]) / np.array([[1.0], [np.sqrt(2)]])
    >>> F = explicit_features(psi)
    >>> np.allclose(F @ F.T, np.abs(psi @ psi.conj().T) ** 2)
    True
    """
    d = states.shape[1]
    rows, cols = np.triu_indices(d, k=1)
    upper = states[:, rows] * states[:, cols].conj()
    out = np.empty((len(states), d * d))
    out[:, :d] = states.real**2 + states.imag**2
    out[:, d : d + len(rows)] = np.sqrt(2.0) * upper.real
    out[:, d + len(rows) :] = np.sqrt(2.0) * upper.imag
    return out
