"""Progress bars for long work: shown where a person watches, silent in logs.

Every long loop of qskew (QNN and GAN epochs, a stack's member fits, kernel
training steps and Gram blocks, streamed scoring, hardware jobs) reports through
:func:`progress`: a :mod:`tqdm.auto` bar (a widget in Jupyter, a line of text on
a terminal), or a silent stand-in with the same methods that costs nothing.

Whether a bar shows follows the estimators' ``verbose`` parameter:

- ``0`` or ``False``: never.
- a positive int or ``True``: always, at once (asked for, so shown even in a log).
- ``"auto"`` (the default): the enclosing estimator call's choice when that one was
  explicit (:func:`verbosity`; a stack with ``verbose=0`` silences its members),
  else **only where a person watches**: never when the environment variable ``CI``
  is set (to anything but ``""``, ``"0"`` or ``"false"``); else inside a Jupyter
  kernel; else only when stderr is a terminal. Such bars appear only after
  :data:`DELAY_SECONDS`, so a short fit shows none at all.

Why this rule and not tqdm's ``disable=None`` (off when the stream is not a
TTY): some CI runners allocate a pseudo-terminal, and a notebook's stderr is
not a TTY although a person reads it. With the rule, CI logs, batch jobs,
redirected output and pytest's captured stderr stay clean, while a fit run by
hand shows its progress. tqdm's own ``TQDM_*`` environment variables (e.g.
``TQDM_DISABLE=1``) still apply to the bars that are shown.

Jupyter is recognised as :mod:`tqdm.autonotebook` recognises it (the kernel's
shell module is loaded), without importing IPython or ipywidgets here; without
ipywidgets, text bars in the cell's output (tqdm.auto would warn on each bar).

Callers update once per epoch, block or job (never per sample), and set
postfixes with ``refresh=False``: tqdm's ``refresh`` displays at once, before
the delay has passed.
"""

import contextvars
import os
import sys
from contextlib import contextmanager
from numbers import Integral

import numpy as np

#: Seconds a bar under ``verbose="auto"`` waits before it first shows.
DELAY_SECONDS = 2.0
#: Values of ``CI`` that do not mean "running in CI".
_NOT_CI = {"", "0", "false"}
#: The ``verbose`` of the innermost explicit estimator call (see :func:`verbosity`).
_SCOPE = contextvars.ContextVar("qskew_verbose", default="auto")


def _check(verbose):
    """``verbose`` itself if it is ``"auto"``, a bool or an int >= 0, else a ValueError."""
    if isinstance(verbose, str):
        if verbose == "auto":
            return verbose
    elif isinstance(verbose, (Integral, np.bool_)) and verbose >= 0:
        return verbose
    raise ValueError(f"verbose must be 'auto', a bool or an int >= 0; got {verbose!r}. Use "
                     "verbose=0 to hide progress bars, verbose=1 to show them.")


def in_ci():
    """Whether the environment variable ``CI`` says this runs in continuous integration."""
    return os.environ.get("CI", "").strip().lower() not in _NOT_CI


def in_jupyter():
    """Whether this process is a Jupyter kernel (tqdm.autonotebook's test)."""
    return ("ipykernel.zmqshell" in sys.modules
            or "IPython.utils._process_emscripten" in sys.modules)  # JupyterLite


def _stderr_is_terminal():
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def enabled(verbose="auto"):
    """Whether progress shows for ``verbose`` here and now (see the module docstring).

    Parameters
    ----------
    verbose : "auto", bool or int, default="auto"

    Returns
    -------
    bool

    Examples
    --------
    >>> enabled(0), enabled(True)
    (False, True)
    >>> with verbosity(0):  # an enclosing explicit choice decides for "auto"
    ...     enabled("auto")
    False
    """
    verbose = _check(verbose)
    if verbose == "auto":
        verbose = _SCOPE.get()
    if verbose != "auto":
        return bool(verbose)
    if in_ci():
        return False
    return in_jupyter() or _stderr_is_terminal()


@contextmanager
def verbosity(verbose):
    """Within this block, progress bars asked for with ``verbose="auto"`` follow ``verbose``.

    Estimators wrap their long work in it, so the helpers they call (Gram
    blocks, hardware jobs, a member's fit) inherit the estimator's choice.
    ``"auto"`` keeps the enclosing choice.

    Parameters
    ----------
    verbose : "auto", bool or int

    Examples
    --------
    >>> with verbosity(1):
    ...     with verbosity("auto"):
    ...         enabled()
    True
    """
    if _check(verbose) == "auto":
        yield
        return
    token = _SCOPE.set(verbose)
    try:
        yield
    finally:
        _SCOPE.reset(token)


class _Silent:
    """What :func:`progress` gives when no bar shows: tqdm's methods, doing nothing."""

    disable = True

    def __init__(self, iterable=None, total=None):
        self.iterable, self.total, self.n = iterable, total, 0

    def __iter__(self):
        return iter(() if self.iterable is None else self.iterable)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n=1):
        self.n += n

    def set_postfix(self, ordered_dict=None, refresh=True, **kwargs):
        pass

    def set_postfix_str(self, s="", refresh=True):
        pass

    def set_description(self, desc=None, refresh=True):
        pass

    def refresh(self, *args, **kwargs):
        pass

    def close(self):
        pass


def progress(iterable=None, *, total=None, desc=None, unit="it", verbose="auto", delay=None,
             **options):
    """A progress bar over ``iterable`` (or updated by hand), or a silent stand-in.

    Parameters
    ----------
    iterable : iterable, optional
        Wrapped as ``tqdm(iterable)`` does; omit it and call ``update``.
    total : int, optional
        Expected updates (``len(iterable)`` when it has one).
    desc : str, optional
        Label shown before the bar.
    unit : str, default="it"
        What one update counts (``"epoch"``, ``"fit"``, ``"job"``...).
    verbose : "auto", bool or int, default="auto"
        See the module docstring; ``"auto"`` follows the enclosing
        :func:`verbosity`, else the environment.
    delay : float, optional
        Seconds before the bar first shows; default :data:`DELAY_SECONDS`
        under ``"auto"`` and 0 when progress was asked for.
    **options
        Passed to tqdm (e.g. ``file=``, ``leave=``). ``leave`` defaults to
        None: a top-level bar stays when done, a nested one is cleared.

    Returns
    -------
    tqdm.auto.tqdm or a silent object
        Either way with ``update``, ``set_postfix``, ``set_postfix_str``,
        ``set_description``, ``refresh``, ``close``, iteration and ``with``.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with progress(total=3, desc="demo", unit="step", verbose=1, file=out) as bar:
    ...     for _ in range(3):
    ...         bar.update()
    >>> "3/3" in out.getvalue()
    True
    >>> list(progress(range(2), verbose=0))
    [0, 1]
    """
    if _check(verbose) == "auto":
        verbose = _SCOPE.get()
    if not enabled(verbose):
        return _Silent(iterable, total)
    tqdm = _tqdm_class()
    if delay is None:
        delay = DELAY_SECONDS if verbose == "auto" else 0.0
    options.setdefault("leave", None)
    return tqdm(iterable, total=total, desc=desc, unit=unit, delay=delay, **options)


def _tqdm_class():
    """tqdm.auto's bar (a widget in Jupyter), or its text bar in a Jupyter kernel without
    ipywidgets, where tqdm.auto would warn ``IProgress not found`` on every bar."""
    import importlib.util

    if in_jupyter() and importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm
