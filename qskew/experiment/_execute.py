"""Execution layer of the experiment runner: run independent tasks serially or on Dask.

The runner hands over ``(key, fn)`` pairs and a callback; this module decides only *where*
each ``fn()`` runs and delivers every result to the callback in the calling process as soon
as it exists, so the runner can persist it before the next one arrives. Dask is optional:
``pip install 'qskew[dask]'``. This module imports nothing else from ``qskew.experiment``.
"""

import contextlib
import difflib
import importlib.util
import logging
import os
import threading
import time
import uuid

from threadpoolctl import threadpool_limits

logger = logging.getLogger("qskew.experiment")
_TASK = threading.local()  # the thread cap of the Dask task running in this thread

LOCAL = "local"
_INSTALL_HINT = "install it with: pip install 'qskew[dask]'"


def execute(tasks, *, scheduler=None, on_result, quiet=False, n_workers=None,
            threads_per_worker=1):
    """Run independent tasks and hand each result to ``on_result`` as it finishes.

    Parameters
    ----------
    tasks : list of (str, callable)
        ``(key, fn)`` pairs. ``key`` names the task in logs, errors and the callback and must
        be unique; ``fn`` takes no argument and returns a dict. Under Dask ``fn`` is pickled
        with cloudpickle, so it must be picklable (a closure or ``functools.partial`` over
        picklable values is fine).
    scheduler : None, "local" or str, default=None
        ``None`` runs the tasks one after another in this process, in the given order.
        ``"local"`` starts a ``dask.distributed.LocalCluster`` of worker processes for this
        call and closes it afterwards. Any other string is the address of a running Dask
        scheduler (e.g. ``"tcp://127.0.0.1:8786"``): a client connects and submits, and the
        cluster is left running.
    on_result : callable
        ``on_result(key, result)``, called in this process and thread once per finished task:
        in the given order serially, in completion order under Dask.
    quiet : bool, default=False
        If False, log one INFO line per finished task (key and seconds spent in ``fn``) on
        the ``"qskew.experiment"`` logger. Nothing is ever printed.
    n_workers : int, optional
        Worker processes of the ``"local"`` cluster; ``os.cpu_count()`` when None. Only valid
        with ``scheduler="local"``.
    threads_per_worker : int, default=1
        Threads of each ``"local"`` worker, and under any Dask scheduler the cap on
        torch/OpenMP/BLAS threads inside every task.

    Returns
    -------
    None
        Results reach the caller only through ``on_result``.

    Raises
    ------
    TypeError, ValueError
        For malformed tasks, duplicate keys or invalid options.
    ImportError
        If a Dask scheduler is requested and ``distributed`` is not installed.
    ConnectionError
        If no scheduler answers at the given address.
    RuntimeError
        ``"task 'key' failed: ..."`` for the first task that raises, with the task's own
        exception as ``__cause__``. Tasks not yet finished are cancelled first; results
        already passed to ``on_result`` stay delivered. An exception raised by ``on_result``
        itself also cancels the remaining tasks and propagates unchanged.

    Notes
    -----
    Thread caps: under Dask every task runs inside
    ``threadpool_limits(limits=threads_per_worker)`` and, when torch is installed, with
    ``torch.set_num_threads(threads_per_worker)``; both are restored when the task returns.
    Oversubscribed threads were measured to slow a QNN batch from 0.02 s to 1.1 s on a 2-core
    machine. Serially the caller's thread settings are left alone: the caller owns its process.
    OpenMP and torch limits are per thread, but OpenBLAS has one process-wide limit, held by
    the task that set it first; when that task ends, tasks still running beside it in the
    same worker fall back to the worker's own BLAS setting (1 thread under Dask's nanny).
    A ``"local"`` worker runs ``threads_per_worker`` tasks at once, each capped at
    ``threads_per_worker`` threads, so ``threads_per_worker > 1`` can use its square.

    Cost: ``"local"`` starts ``n_workers`` Python processes, each of which imports qskew
    (torch, PennyLane) before its first task: measured on a busy 2-core machine, 1.5-2 s for
    the bare cluster but 15 s to the first result, so small grids run faster serially. The
    workers are started with ``spawn``, so a script calling this must guard its entry point
    with ``if __name__ == "__main__":``. Dask cannot stop a running task: after a failure,
    tasks already running on workers finish and their results are dropped. Results travel
    back by pickle, so they are the same dicts as a serial run.

    Examples
    --------
    >>> results = {}
    >>> execute([("a", lambda: {"x": 1}), ("b", lambda: {"x": 2})],
    ...         on_result=results.__setitem__, quiet=True)
    >>> results
    {'a': {'x': 1}, 'b': {'x': 2}}
    """
    tasks = _validate(tasks, scheduler, on_result, n_workers, threads_per_worker)
    if scheduler is None:
        return _run_serial(tasks, on_result, quiet)
    distributed = _import_distributed()
    if not tasks:  # e.g. a resumed run with nothing left: start no cluster
        return None
    if scheduler == LOCAL:
        n_workers = (os.cpu_count() or 1) if n_workers is None else n_workers
        return _run_local(distributed, tasks, on_result, quiet, n_workers, threads_per_worker)
    with _connect(distributed, scheduler) as client:
        return _run_dask(client, tasks, on_result, quiet, threads_per_worker)


def _validate(tasks, scheduler, on_result, n_workers, threads_per_worker):
    """Check every argument before any work starts; return the tasks as a list of pairs."""
    _check_scheduler(scheduler)
    if not callable(on_result):
        raise TypeError(f"on_result must be a callable on_result(key, result); got "
                        f"{type(on_result).__name__} {on_result!r}.")
    _check_count("threads_per_worker", threads_per_worker)
    if n_workers is not None:
        _check_count("n_workers", n_workers)
        if scheduler != LOCAL:
            raise ValueError(
                f"n_workers applies only to scheduler='local' (it sizes the cluster that "
                f"execute starts); got n_workers={n_workers!r} with scheduler={scheduler!r}. "
                f"Pass scheduler='local', or leave n_workers=None.")
    return _check_tasks(tasks)


def _check_scheduler(scheduler):
    if scheduler is None or scheduler == LOCAL:
        return
    if not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be None, 'local' or a Dask scheduler address string; "
                        f"got {type(scheduler).__name__} {scheduler!r}.")
    # An address names a port ("tcp://host:8786", "host:8786"); anything else is a typo.
    if ":" not in scheduler.strip():
        close = difflib.get_close_matches(scheduler.strip().lower(), [LOCAL], n=1, cutoff=0.6)
        hint = f"Did you mean {LOCAL!r}?" if close else (
            f"Use None (serial), {LOCAL!r}, or an address such as 'tcp://127.0.0.1:8786'.")
        raise ValueError(f"scheduler must be None, {LOCAL!r} or a Dask scheduler address with "
                         f"a port, such as 'tcp://127.0.0.1:8786'; got {scheduler!r}. {hint}")


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}. "
                         f"Pass e.g. {name}=1.")


def _check_tasks(tasks):
    """Collect every malformed task into one message (a grid may hold hundreds)."""
    if isinstance(tasks, dict):
        raise TypeError("tasks must be a list of (key, fn) pairs; got a dict. "
                        "Pass list(tasks.items()).")
    if isinstance(tasks, (str, bytes)) or not hasattr(tasks, "__iter__"):
        raise TypeError(f"tasks must be a list of (key, fn) pairs; got "
                        f"{type(tasks).__name__}.")
    tasks = list(tasks)
    problems, seen, duplicates = [], set(), []
    for i, task in enumerate(tasks):
        if not (isinstance(task, tuple) and len(task) == 2):
            problems.append(f"task {i} is {task!r}, not a (key, fn) pair")
            continue
        key, fn = task
        if not isinstance(key, str) or not key:
            problems.append(f"task {i} has key {key!r}; keys must be non-empty strings")
        if not callable(fn):
            problems.append(f"task {i} ({key!r}) has fn {fn!r} of type {type(fn).__name__}, "
                            f"which is not callable")
        if isinstance(key, str):
            duplicates += [key] if key in seen else []
            seen.add(key)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more"
                                           if len(problems) > 5 else "")
        raise TypeError(f"tasks must be (key: str, fn: zero-argument callable) pairs; "
                        f"{len(problems)} are not: {shown}.")
    if duplicates:
        raise ValueError(f"task keys must be unique (each key names one result); repeated: "
                         f"{sorted(set(duplicates))!r}. Give every task its own key.")
    return tasks


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"Running experiments on a Dask scheduler needs dask.distributed, which is not "
            f"installed; {_INSTALL_HINT} (or run serially with scheduler=None)."
        ) from exc
    return distributed


def _connect(distributed, address):
    # Check the form first: a Client that fails to parse its address is left half-built,
    # and its finaliser can then hold up interpreter exit for a minute.
    try:
        if not address.startswith("inproc://"):  # in-process clusters have no host:port
            distributed.comm.get_address_host_port(address)
    except ValueError as exc:
        raise ValueError(
            f"scheduler {address!r} is not a Dask scheduler address ({exc}); the form is "
            f"'tcp://host:port', e.g. 'tcp://127.0.0.1:8786'.") from exc
    try:
        return distributed.Client(address)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"No Dask scheduler answered at {address!r} ({exc}). Start one with "
            f"`dask scheduler` plus `dask worker <address>`, check the address, or use "
            f"scheduler='local'.") from exc


def _run_local(distributed, tasks, on_result, quiet, n_workers, threads):
    """Start a LocalCluster of worker processes for this call only."""
    nanny = logging.getLogger("distributed.nanny")
    with contextlib.ExitStack() as stack:
        stack.callback(nanny.setLevel, nanny.level)  # runs last
        # The scheduler's HTTP server starts even without a dashboard and defaults to port
        # 8787, which a shared machine may already hold: take any free local port instead.
        cluster = stack.enter_context(distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=threads, processes=True,
            dashboard_address="127.0.0.1:0"))
        client = stack.enter_context(distributed.Client(cluster))
        # Runs first: workers that imported torch and PennyLane take longer to exit than
        # the nanny's 4 s, and it then kills them with a warning; at the end of a finished
        # run that is no news.
        stack.callback(nanny.setLevel, logging.ERROR)
        if not quiet:
            dashboard = importlib.util.find_spec("bokeh") is not None  # served only with bokeh
            logger.info("started a local Dask cluster (n_workers=%d, threads_per_worker=%d)%s",
                        n_workers, threads,
                        f", dashboard {cluster.dashboard_link}" if dashboard else "")
        return _run_dask(client, tasks, on_result, quiet, threads)


def _run_serial(tasks, on_result, quiet):
    for n, (key, fn) in enumerate(tasks, 1):
        start = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:
            raise RuntimeError(f"task {key!r} failed: {exc}") from exc
        _deliver(key, result, time.perf_counter() - start, on_result, quiet, n, len(tasks))


def _run_dask(client, tasks, on_result, quiet, threads):
    """Submit all tasks, deliver results in completion order, cancel the rest on any error."""
    from distributed import as_completed

    run_id = uuid.uuid4().hex[:8]  # a shared scheduler may see the same task keys twice
    futures = {
        client.submit(_run_capped, fn, threads, key=f"qskew-{key}-{run_id}", pure=False): key
        for key, fn in tasks
    }
    pending = set(futures)
    try:
        for n, future in enumerate(as_completed(futures), 1):
            key = futures[future]
            pending.discard(future)
            try:
                result, elapsed = future.result()
            except Exception as exc:
                raise RuntimeError(f"task {key!r} failed: {exc}") from exc
            _deliver(key, result, elapsed, on_result, quiet, n, len(tasks))
    finally:
        if pending:
            client.cancel(list(pending))


def _deliver(key, result, elapsed, on_result, quiet, n, total):
    if not isinstance(result, dict):
        raise TypeError(f"task {key!r} returned {type(result).__name__}; task functions "
                        f"must return a dict of results. Wrap the value, e.g. "
                        f"{{'value': ...}}.")
    on_result(key, result)
    if not quiet:
        logger.info("task %r finished in %.2f s (%d/%d)", key, elapsed, n, total)


def task_threads():
    """The thread cap of the Dask task running in this thread (``threads_per_worker`` of
    :func:`execute`), or None outside such a task: work a task hands on to other workers
    (:mod:`qskew.experiment._scoring`) runs under the same cap."""
    return getattr(_TASK, "threads", None)


def _run_capped(fn, threads):
    """Worker-side wrapper: run ``fn()`` with torch/OpenMP/BLAS threads capped; time it."""
    torch = _torch_or_none()  # imported first: threadpoolctl caps only loaded runtimes
    previous = torch.get_num_threads() if torch is not None else None
    outer = task_threads()
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads)
        _TASK.threads = threads
        try:
            start = time.perf_counter()
            result = fn()
            return result, time.perf_counter() - start
        finally:
            _TASK.threads = outer
            if torch is not None:
                torch.set_num_threads(previous)


def _torch_or_none():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a qskew dependency
        return None
    return torch
