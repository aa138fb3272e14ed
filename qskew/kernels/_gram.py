"""Gram products of statevectors (numpy and torch) and the PSD repair of measured Grams."""

import warnings

import numpy as np
from scipy.linalg import blas

from qskew import _progress
from qskew._exceptions import PSDRepairWarning

#: Peak memory of one block of intermediate results (states or Gram products).
BLOCK_BYTES = 64 * 2**20


def block_rows(n_cols, itemsize):
    """Rows per block so that one block of products stays within ``BLOCK_BYTES``."""
    return max(1, BLOCK_BYTES // max(1, n_cols * itemsize))


def _abs2(G):
    return G.real**2 + G.imag**2


def cross_fidelities(A, B):
    """``|A B^†|^2`` computed in row blocks of bounded memory."""
    K = np.empty((len(A), len(B)))
    B_dagger = B.conj().T  # once, not per block
    step = block_rows(len(B), A.itemsize)
    for i in range(0, len(A), step):
        K[i : i + step] = _abs2(A[i : i + step] @ B_dagger)
    return K


def symmetric_fidelities(A):
    """``|A A^†|^2`` with a unit diagonal: ``herk`` on diagonal blocks, one product per
    upper block."""
    herk = blas.zherk if A.dtype == np.complex128 else blas.cherk
    n = len(A)
    step = block_rows(n, A.itemsize)
    K = np.empty((n, n))
    A_dagger = A.conj().T  # once, not per block
    with _progress.progress(total=n, desc="QuantumKernel Gram", unit="row",
                            verbose="auto" if n > step else 0) as bar:
        for i in range(0, n, step):
            block = A[i : i + step]
            upper = np.triu(_abs2(herk(1.0, block, lower=0)))
            K[i : i + step, i : i + step] = upper + np.triu(upper, 1).T
            if i + step < n:
                off = _abs2(block @ A_dagger[:, i + step :])
                K[i : i + step, i + step :] = off
                K[i + step :, i : i + step] = off.T
            bar.update(len(block))
    np.fill_diagonal(K, 1.0)
    return K


def torch_fidelities(A, B=None):
    """``|A B^†|^2`` in torch on the states' device, in row blocks; numpy result."""
    B_h = (A if B is None else B).conj().T
    step = block_rows(B_h.shape[1], A.element_size())
    blocks = [(A[i : i + step] @ B_h).abs().square() for i in range(0, len(A), step)]
    K = np.concatenate([block.cpu().numpy() for block in blocks]).astype(np.float64, copy=False)
    if B is None:
        np.fill_diagonal(K, 1.0)
    return K


def repair_psd(K, stacklevel=2):
    """Nearest (Frobenius) positive semi-definite matrix, with a warning if ``K`` was not.

    Parameters
    ----------
    K : ndarray of shape (n, n)
        Symmetric matrix, e.g. a Gram matrix estimated from shots.
    stacklevel : int, default=2
        Of the :class:`PSDRepairWarning`, counted from the caller.

    Returns
    -------
    ndarray of shape (n, n)
        ``K`` itself when its smallest eigenvalue is not below ``-1e-12``
        (relative), else ``K`` with negative eigenvalues clipped to 0.
    """
    eigenvalues, vectors = np.linalg.eigh(K)
    smallest = eigenvalues.min()
    if smallest >= -1e-12 * max(1.0, eigenvalues.max()):
        return K
    warnings.warn(
        f"the finite-shot Gram matrix was not positive semi-definite (smallest "
        f"eigenvalue {smallest:.3g}); repaired by clipping negative eigenvalues to 0. "
        "More shots make this repair smaller.",
        PSDRepairWarning,
        stacklevel=stacklevel + 1,
    )
    repaired = (vectors * np.clip(eigenvalues, 0, None)) @ vectors.T
    return (repaired + repaired.T) / 2
