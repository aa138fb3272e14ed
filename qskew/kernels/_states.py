"""Statevectors of kernel rows: prepared once, batched, and shared through one cache."""

import numpy as np

from qskew import _progress
from qskew._cache import ByteLRUCache, nbytes
from qskew.kernels import _gram

#: Upper bound on the bytes of statevectors kept for reuse.
CACHE_BYTES = 512 * 2**20

#: Every kernel's states, keyed by (encoding, row bytes). Shared by all kernels
#: of the process, so cross-validation folds, grid searches and stacking
#: members, which clone their estimators, prepare each row's state once. A
#: state is a pure function of the encoding and the row: sharing cannot change
#: a result.
STATE_CACHE = ByteLRUCache(CACHE_BYTES)


def states(X, encoding, compute):
    """States of the rows of ``X``, from the cache or from ``compute`` for the rest.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64, C-contiguous
    encoding : tuple
        Everything the state depends on besides the row (feature map,
        options, dtype, torch device).
    compute : callable
        ``compute(rows) -> states`` for the distinct rows not cached.

    Returns
    -------
    array of shape (n_samples, 2**n_features) (numpy or torch)
    """
    keys = [row.tobytes() for row in X]
    unique = list(dict.fromkeys(keys))
    # Take cached states before storing new ones: storing may evict them.
    found = {key: STATE_CACHE.get((encoding, key)) for key in unique}
    found = {key: state for key, state in found.items() if state is not None}
    missing = [key for key in unique if key not in found]
    if missing:
        rows = np.frombuffer(b"".join(missing), dtype=np.float64).reshape(len(missing), -1)
        computed = compute(rows)
        _store(encoding, missing, computed)
        if len(missing) == len(keys):
            return computed  # all rows new and distinct: already in order, no copy
        found.update(zip(missing, computed))
    ordered = [found[key] for key in keys]
    if not isinstance(ordered[0], np.ndarray):
        import torch

        return torch.stack(ordered)
    return np.stack(ordered)


def _store(encoding, keys, computed):
    # Copies, never row views: a view that outlives its evicted neighbours
    # would pin the whole computed batch. Only the newest rows that fit would
    # survive eviction, so only those are copied.
    fit = STATE_CACHE.max_bytes // max(1, nbytes(computed[0]))
    start = max(0, len(keys) - fit)
    for key, state in zip(keys[start:], computed[start:]):
        STATE_CACHE.put((encoding, key), state.copy() if isinstance(state, np.ndarray)
                        else state.clone())


def compute_states(unitary, rows, wires, dtype, torch_device=None):
    """``U(x)|0>`` for each row, in batched passes of at most ``_gram.BLOCK_BYTES`` of states."""
    from qskew.backends import _statevector

    state_bytes = 2 ** rows.shape[1] * np.dtype(dtype).itemsize
    chunk = max(1, _gram.BLOCK_BYTES // state_bytes)
    if torch_device is not None:
        import torch

        rows = torch.tensor(rows, device=torch_device)  # rows may be read-only
    blocks = []
    with _progress.progress(total=len(rows), desc="QuantumKernel states", unit="row",
                            verbose="auto" if len(rows) > chunk else 0) as bar:
        for i in range(0, len(rows), chunk):
            blocks.append(_statevector.batched_states(unitary, rows[i : i + chunk], wires,
                                                      dtype=dtype))
            bar.update(len(blocks[-1]))
    if torch_device is not None:
        import torch

        return torch.cat(blocks)
    return np.concatenate(blocks)


def torch_device(device):
    """The torch device for exact mode, or None for the numpy engine."""
    if device is None:
        return None
    import torch

    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device must be a torch device name such as 'cuda' or 'cuda:1'; got {device!r}."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but torch sees no CUDA GPU here; use device=None for the "
            "CPU engine, or install a CUDA build of torch."
        )
    return resolved
