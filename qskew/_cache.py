"""One small byte-budgeted LRU cache, for every cache qskew keeps."""

import hashlib
import threading
from collections import OrderedDict

import numpy as np


def nbytes(value):
    """Bytes held by a numpy array, torch tensor or pandas object (or a tuple of them);
    0 for anything else."""
    if isinstance(value, tuple):
        return sum(nbytes(item) for item in value)
    if hasattr(value, "element_size"):  # torch
        return value.element_size() * value.numel()
    if hasattr(value, "memory_usage"):  # pandas
        return int(value.memory_usage(index=False).sum())
    return getattr(value, "nbytes", 0)


class ByteLRUCache:
    """A thread-safe least-recently-used cache bounded by the bytes of its values.

    The newest entry always stays, even beyond the budget: a single value
    larger than the budget is kept until the next one arrives.

    Parameters
    ----------
    max_bytes : int
        Budget for the values' bytes (:func:`nbytes`).

    Examples
    --------
    >>> import numpy as np
    >>> cache = ByteLRUCache(max_bytes=16)
    >>> cache.put("a", np.zeros(2))
    >>> cache.put("b", np.zeros(2))   # 32 bytes > 16: "a" goes
    >>> cache.get("a") is None, cache.get("b").shape
    (True, (2,))
    >>> cache.info()
    {'hits': 1, 'misses': 1, 'entries': 1, 'nbytes': 16}
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._data = OrderedDict()
        self._lock = threading.Lock()
        self._nbytes = self._hits = self._misses = 0

    def get(self, key, default=None):
        """The value of ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self._misses += 1
                return default
            self._data.move_to_end(key)
            self._hits += 1
            return value

    def put(self, key, value):
        """Store ``value`` under ``key``, evicting the least recently used beyond the budget."""
        with self._lock:
            old = self._data.pop(key, None)
            self._nbytes += nbytes(value) - (0 if old is None else nbytes(old))
            self._data[key] = value
            while self._nbytes > self.max_bytes and len(self._data) > 1:
                _, evicted = self._data.popitem(last=False)
                self._nbytes -= nbytes(evicted)

    def values(self):
        """The cached values, least recently used first (a snapshot)."""
        with self._lock:
            return list(self._data.values())

    def clear(self):
        """Forget every entry and reset the statistics."""
        with self._lock:
            self._data.clear()
            self._nbytes = self._hits = self._misses = 0

    def info(self):
        """``hits`` and ``misses`` of :meth:`get`, ``entries`` held and their ``nbytes``."""
        with self._lock:
            return {"hits": self._hits, "misses": self._misses, "entries": len(self._data),
                    "nbytes": self._nbytes}


def rows_key(X):
    """A key for the exact rows of ``X``: dtype, shape and a digest of the bytes."""
    X = np.ascontiguousarray(X)
    return X.dtype.str, X.shape, hashlib.sha256(X).digest()


class LastResult:
    """The result of an estimator's last call, kept under a key (a model's scores of the rows
    it scored last, so ``predict`` after ``predict_proba`` on them computes nothing again).

    A cache, not fitted state: it is not pickled, and keys should name what the result
    depends on (the rows, the parameters).

    Examples
    --------
    >>> import numpy as np
    >>> last = LastResult()
    >>> last.put(rows_key(np.ones(2)), "scores")
    >>> last.get(rows_key(np.ones(2))), last.get(rows_key(np.zeros(2)))
    ('scores', None)
    """

    def __init__(self):
        self._entry = None

    def get(self, key):
        """The value put under ``key`` last, or None."""
        entry = self._entry  # one read: another thread may put meanwhile
        return entry[1] if entry is not None and entry[0] == key else None

    def put(self, key, value):
        """Keep ``value`` under ``key``, forgetting the previous one."""
        self._entry = (key, value)

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self._entry = None
