"""Member fits shared between stacks: one fit per (member, rows) however many stacks need it.

A stack fits each member ``cv + 1`` times (the out-of-fold fits and the final one). Stacks
that differ only in their fusion or meta-learner, fitted on the same rows with the same
seed, fit the very same members on the very same rows; the MQE protocol fits four such stacks
per fold. Inside :func:`share_member_fits` those fits happen once and are reused, and so are their
predictions on the same rows (:func:`member_output`).
"""

import contextvars
import hashlib
import threading
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator, clone

from qskew._cache import ByteLRUCache

_STORE = contextvars.ContextVar("qskew_shared_member_fits", default=None)


#: Bytes of member outputs a store keeps (scores of every held-out row, per method).
OUTPUT_BYTES = 512 * 2**20


class _Store:
    """Least-recently-used fitted estimators, at most ``max_fits`` of them, and what they
    predicted (:func:`member_output`)."""

    def __init__(self, max_fits):
        self.max_fits = max_fits
        self.fits = OrderedDict()
        self.keys = {}  # id of each fitted estimator in ``fits`` -> its key
        self.outputs = ByteLRUCache(max_bytes=OUTPUT_BYTES)
        self.lock = threading.Lock()
        self.hits = self.misses = 0


@contextmanager
def share_member_fits(max_fits=64):
    """Within this block, stacks reuse member fits on identical rows instead of refitting.

    A :class:`~qskew.ensemble.QuantumStackingClassifier` fits every member once per
    out-of-fold split and once on all its rows. Inside the block each of those fits is
    kept, keyed by the member's class and parameters (seed included, ``verbose`` not) and the
    exact training rows, and a later stack that needs the same fit takes it instead of fitting
    again: stacks over the same members that differ in ``fusion``, ``final_estimator``,
    ``passthrough`` or ``verbose`` then cost about one stack. Results are identical to fitting each
    stack alone, because a fit is a function of its parameters and rows (members must
    be seeded: a member whose ``random_state`` is None gets a seed from the stack's own
    ``random_state``, so stacks with equal ``random_state`` share). Fitted members are
    shared objects: do not refit or mutate one stack's ``estimators_`` in place.

    The experiment runner wraps each process's cells in this block, so the fusions of
    one config share their members' fits (serially, and within each Dask worker).

    Parameters
    ----------
    max_fits : int, default=64
        Fitted estimators kept, least recently used dropped first. Nested blocks share
        the outermost block's store.

    Yields
    ------
    store
        Its ``hits`` (fits reused) and ``misses`` (fits made) count the block's work.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from qskew.ensemble import QuantumStackingClassifier, share_member_fits
    >>> X, y = make_classification(200, weights=[0.8], random_state=0)
    >>> members = [("lr", LogisticRegression()), ("nb", GaussianNB())]
    >>> with share_member_fits() as shared:
    ...     a = QuantumStackingClassifier(members, fusion="proba", cv=3, random_state=0)
    ...     b = QuantumStackingClassifier(members, fusion="labels", cv=3, random_state=0)
    ...     _ = a.fit(X, y), b.fit(X, y)
    >>> shared.misses, shared.hits   # 2 members x (3 + 1) fits, then all reused
    (8, 8)
    """
    if isinstance(max_fits, bool) or not isinstance(max_fits, int) or max_fits < 1:
        raise ValueError(f"max_fits must be a positive integer; got {max_fits!r}. "
                         "Pass e.g. max_fits=64.")
    outer = _STORE.get()
    store = outer if outer is not None else _Store(max_fits)
    token = _STORE.set(store)
    try:
        yield store
    finally:
        _STORE.reset(token)


#: The store of :func:`process_member_fits`, kept for the life of the process.
_PROCESS = _Store(max_fits=64)


@contextmanager
def process_member_fits():
    """:func:`share_member_fits` over one store kept for the life of the process: separate
    blocks (the experiment runner's cells, one after another in a process or a Dask
    worker) share fits with each other."""
    token = _STORE.set(_STORE.get() or _PROCESS)
    try:
        yield _STORE.get()
    finally:
        _STORE.reset(token)


def clear_process_member_fits():
    """Forget the fits and outputs of :func:`process_member_fits` (the experiment runner
    calls it when a run ends, so a notebook does not keep a finished run's models)."""
    with _PROCESS.lock:
        _PROCESS.fits.clear()
        _PROCESS.keys.clear()
        _PROCESS.outputs.clear()


def fit_member(estimator, X, y):
    """A clone of ``estimator`` fitted on ``(X, y)``, or the same fit reused from the active
    :func:`share_member_fits` block. ``estimator`` itself is never fitted."""
    store = _STORE.get()
    if store is None:
        return clone(estimator).fit(X, y)
    key = _key(estimator, X, y)
    with store.lock:
        fitted = store.fits.get(key)
        if fitted is not None:
            store.fits.move_to_end(key)
            store.hits += 1
            return fitted
    fitted = clone(estimator).fit(X, y)
    with store.lock:
        store.misses += 1
        store.fits[key] = fitted
        store.keys[id(fitted)] = key
        while len(store.fits) > store.max_fits:
            _, dropped = store.fits.popitem(last=False)
            store.keys.pop(id(dropped), None)
    return fitted


def member_output(fitted, method, X):
    """``getattr(fitted, method)(X)``, computed once per (fit, method, rows) inside a
    :func:`share_member_fits` block for members :func:`fit_member` made there.

    Stacks over the same members score the same rows with the same fitted members: the
    fusions that call the same method (``"proba"`` and ``"proba+agreement"``), and a stack's
    ``predict`` after its ``predict_proba``, then reuse one output. The result is read-only.
    """
    store = _STORE.get()
    key = None if store is None else store.keys.get(id(fitted))
    if key is None:
        return getattr(fitted, method)(X)
    output_key = (key, method, _digest(X))
    output = store.outputs.get(output_key)
    if output is None:
        output = np.asarray(getattr(fitted, method)(X))
        output.flags.writeable = False
        store.outputs.put(output_key, output)
    return output


def rows_digest(X):
    """The key :func:`member_output` gives rows ``X`` (their dtype, shape and bytes)."""
    return _digest(X)


def adopt_output(fitted, method, digest, output):
    """Keep ``output`` as what ``member_output(fitted, method, X)`` returns for the rows
    whose :func:`rows_digest` is ``digest``: an output computed in another process (the
    runner scores a member's rows on other Dask workers) is then reused here. A member
    fitted outside the active block's store, or no block, keeps nothing."""
    store = _STORE.get()
    key = None if store is None else store.keys.get(id(fitted))
    if key is not None:
        output = np.asarray(output)
        output.flags.writeable = False
        store.outputs.put((key, method, digest), output)


def has_outputs(fitted, digest):
    """Whether the active block holds some output of ``fitted`` for the rows of ``digest``."""
    store = _STORE.get()
    key = None if store is None else store.keys.get(id(fitted))
    return key is not None and any(
        store.outputs.get((key, method, digest)) is not None
        for method in ("predict_proba", "decision_function", "predict"))


def _digest(*arrays):
    digest = hashlib.sha256()
    for array in map(np.ascontiguousarray, arrays):
        digest.update(str((array.dtype, array.shape)).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _key(estimator, X, y):
    params = estimator.get_params(deep=True)
    # Progress bars never change a fit: members differing only in verbose share it.
    return (type(estimator).__module__, type(estimator).__qualname__,
            tuple((name, _token(params[name])) for name in sorted(params)
                  if name.rsplit("__", 1)[-1] != "verbose"), _digest(X, y))


def _token(value):
    """A value as part of a key: arrays by their bytes (their repr elides the middle),
    nested estimators by type (``get_params(deep=True)`` lists their parameters)."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape,
                hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest())
    if isinstance(value, BaseEstimator):
        return ("estimator", type(value).__module__, type(value).__qualname__)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_token(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), _token(v)) for k, v in sorted(value.items(), key=repr)))
    return repr(value)
