"""Recording the warnings of one thread, while other threads of the process record theirs.

``warnings.catch_warnings`` swaps process-wide state, so two threads that each enter one
restore each other's on exit: a warning then lands in the other thread's record, or is
printed. Under Dask a cell that waits on its scoring blocks leaves the worker's thread pool,
and the worker may start another cell beside it; :func:`recorded` keeps each cell's warnings
its own.
"""

import threading
import warnings
from contextlib import contextmanager

_LOCAL = threading.local()
_LOCK = threading.Lock()
_ALWAYS = ("always", None, Warning, None, 0)
_open = []  # the records of every block now active, in any thread
_shown = None  # warnings.showwarning before the first recording


@contextmanager
def recorded():
    """Within the block, every warning this thread raises is appended to the yielded list
    (each occurrence, as under ``simplefilter("always")``) instead of being shown; so are
    those of threads that record nothing (a forest's joblib threads) while this is the only
    block open, as ``catch_warnings`` would. Blocks nest: the inner one records its own.

    Examples
    --------
    >>> with recorded() as caught:
    ...     warnings.warn("kept", UserWarning)
    >>> [str(w.message) for w in caught]
    ['kept']
    """
    records, outer = [], getattr(_LOCAL, "records", None)
    _open_block(records)
    _LOCAL.records = records
    try:
        yield records
    finally:
        _LOCAL.records = outer
        _close_block(records)


def _open_block(records):
    global _shown
    with _LOCK:
        if not _open:
            _shown = warnings.showwarning
            warnings.showwarning = _show
            warnings.filters.insert(0, _ALWAYS)
            _mutated()
        _open.append(records)


def _close_block(records):
    with _LOCK:
        _open.remove(records)
        if not _open:
            if warnings.showwarning is _show:
                warnings.showwarning = _shown
            if _ALWAYS in warnings.filters:
                warnings.filters.remove(_ALWAYS)
                _mutated()


def _mutated():
    """Tell the warnings machinery its filters changed (what ``simplefilter`` does), so
    warnings already shown once under the old filters are recorded again."""
    getattr(warnings, "_filters_mutated", lambda: None)()


def _show(message, category, filename, lineno, file=None, line=None):
    records = getattr(_LOCAL, "records", None)
    if records is None:
        shared = _open[:]  # a thread of its own (joblib's): the one open block, if one
        records = shared[0] if len(shared) == 1 else None
    if records is None:
        return _shown(message, category, filename, lineno, file, line)
    records.append(warnings.WarningMessage(message, category, filename, lineno, file, line))
    return None
