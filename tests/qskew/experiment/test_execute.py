"""Tests for qskew.experiment._execute: serial and Dask execution of experiment tasks.

Dask tests skip when ``distributed`` is absent (CI installs only the ``test`` extra); the
serial path, validation and the missing-Dask error run everywhere.
"""

import functools
import logging
import os
import re
import socket
import sys
import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from qskew.experiment._execute import execute


# Task functions live at module level so that worker processes can unpickle them.
def _compute(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((20, 3))
    return {"seed": seed, "norm": float(np.linalg.norm(x)), "mean": x.mean(0).tolist(),
            "gram": float(np.trace(x.T @ x))}


def _where():
    return {"pid": os.getpid(), "thread": threading.get_ident()}


def _thread_report():
    import torch

    pools = threadpool_info()
    # torch's MKL is linked statically, out of threadpoolctl's sight; None on non-MKL builds.
    mkl = re.search(r"mkl_get_max_threads\(\) : (\d+)", torch.__config__.parallel_info())
    return {api: sorted({p["num_threads"] for p in pools if p["user_api"] == api})
            for api in ("blas", "openmp")} | {"torch": torch.get_num_threads(),
                                              "mkl": mkl and int(mkl.group(1)),
                                              "pid": os.getpid()}


def _fail(message):
    raise ValueError(message)


def _mark_then_sleep(path, seconds):
    path.write_text("ran")
    time.sleep(seconds)
    return {"slept": seconds}


def _not_a_dict():
    return [1, 2]


TASKS = [(f"seed-{s}", functools.partial(_compute, s)) for s in range(6)]


def _collect(tasks, **kwargs):
    results = {}
    calls = []

    def on_result(key, result):
        calls.append((key, os.getpid(), threading.get_ident()))
        results[key] = result

    execute(tasks, on_result=on_result, **kwargs)
    return results, calls


@pytest.fixture(scope="module")
def cluster():
    """One in-process cluster (threads, not processes: fast to start) with a single slot."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster:
        yield cluster


@pytest.fixture
def address(cluster):
    return cluster.scheduler_address


# --- serial path (no Dask needed) ---


def test_serial_runs_in_order_in_the_calling_thread():
    results, calls = _collect(TASKS)
    assert [c[0] for c in calls] == [k for k, _ in TASKS]
    assert {(pid, tid) for _, pid, tid in calls} == {(os.getpid(), threading.get_ident())}
    assert results == {k: fn() for k, fn in TASKS}


def test_serial_leaves_the_callers_threads_alone():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        results, _ = _collect([("t", _thread_report)], threads_per_worker=1)
    finally:
        torch.set_num_threads(before)
    assert results["t"]["torch"] == 2


def test_empty_task_list_calls_nothing():
    results, calls = _collect([])
    assert results == {} and calls == []


def test_logs_one_line_per_task_unless_quiet(caplog):
    with caplog.at_level(logging.INFO, logger="qskew.experiment"):
        _collect(TASKS[:3])
    lines = [r.getMessage() for r in caplog.records if r.name == "qskew.experiment"]
    assert [re.fullmatch(r"task '(.*)' finished in \d+\.\d\d s \(\d/3\)", line)[1]
            for line in lines] == ["seed-0", "seed-1", "seed-2"]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="qskew.experiment"):
        _collect(TASKS[:3], quiet=True)
    assert not caplog.records


def test_serial_failure_names_the_task_and_keeps_earlier_results():
    tasks = [TASKS[0], ("bad", functools.partial(_fail, "boom")), TASKS[1]]
    results = {}
    with pytest.raises(RuntimeError, match="task 'bad' failed: boom") as info:
        execute(tasks, on_result=results.__setitem__)
    assert isinstance(info.value.__cause__, ValueError)
    assert list(results) == ["seed-0"]


def test_non_dict_result_is_rejected_with_its_key():
    with pytest.raises(TypeError, match="task 'x' returned list; task functions must return"):
        execute([("x", _not_a_dict)], on_result=lambda k, r: None)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"tasks": "abc"}, TypeError, "tasks must be a list of \\(key, fn\\) pairs; got str"),
        ({"tasks": {"a": _where}}, TypeError, "got a dict. Pass list\\(tasks.items\\(\\)\\)"),
        ({"tasks": 3}, TypeError, "got int"),
        ({"tasks": [("a", 3)]}, TypeError, "task 0 \\('a'\\) has fn 3 of type int, which is not"),
        ({"tasks": [(1, _where)]}, TypeError, "task 0 has key 1; keys must be non-empty"),
        ({"tasks": [("", _where)]}, TypeError, "task 0 has key ''"),
        ({"tasks": [_where]}, TypeError, "task 0 is .*, not a \\(key, fn\\) pair"),
        ({"tasks": [("a", 1), ("b", 2)]}, TypeError, "2 are not: task 0 .*; task 1"),
        ({"tasks": [("a", _where), ("a", _where)]}, ValueError, "unique .*repeated: \\['a'\\]"),
        ({"scheduler": ""}, ValueError, "scheduler must be None, 'local' or a Dask scheduler"),
        ({"scheduler": "  "}, ValueError, "got '  '"),
        ({"scheduler": "Local"}, ValueError, "got 'Local'. Did you mean 'local'\\?"),
        ({"scheduler": "lcoal"}, ValueError, "Did you mean 'local'\\?"),
        ({"scheduler": "dask"}, ValueError, "such as 'tcp://127.0.0.1:8786'"),
        ({"scheduler": 8786}, TypeError, "got int 8786"),
        ({"on_result": None}, TypeError, "on_result must be a callable"),
        ({"threads_per_worker": 0}, ValueError, "threads_per_worker must be a positive integer"),
        ({"threads_per_worker": 1.5}, ValueError, "got 1.5"),
        ({"threads_per_worker": True}, ValueError, "got True"),
        ({"scheduler": "local", "n_workers": 0}, ValueError, "n_workers must be a positive"),
        ({"n_workers": 2}, ValueError, "n_workers applies only to scheduler='local'"),
        ({"scheduler": "tcp://h:1", "n_workers": 2}, ValueError, "got n_workers=2 with"),
    ],
)
def test_invalid_arguments_are_rejected_before_any_work(kwargs, error, match):
    calls = []
    arguments = {"tasks": [("a", _where)], "on_result": lambda k, r: calls.append(k),
                 **kwargs}
    with pytest.raises(error, match=match):
        execute(arguments.pop("tasks"), **arguments)
    assert calls == []


@pytest.mark.parametrize("scheduler", ["local", "tcp://127.0.0.1:8786"])
def test_missing_dask_says_how_to_install_it(monkeypatch, scheduler):
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ImportError, match="install it with: pip install 'qskew\\[dask\\]'"):
        execute(TASKS, scheduler=scheduler, on_result=lambda k, r: None)


# --- Dask ---


def test_dask_results_equal_serial_and_arrive_once_each_in_the_main_thread(address):
    serial, _ = _collect(TASKS)
    results, calls = _collect(TASKS, scheduler=address)
    assert results == serial
    assert sorted(c[0] for c in calls) == sorted(serial)  # once per task
    assert {(pid, tid) for _, pid, tid in calls} == {(os.getpid(), threading.get_ident())}


@pytest.mark.parametrize("threads", [1, 3])
def test_dask_tasks_run_with_capped_threads_and_restore_them(address, threads):
    import torch

    before = threadpool_info(), torch.get_num_threads()
    results, _ = _collect([("t", _thread_report)], scheduler=address,
                          threads_per_worker=threads)
    report = results["t"]
    # A cap is a limit: a BLAS built single-threaded (one ships inside qiskit-aer) stays at 1.
    assert threads in report["blas"] and all(n <= threads for n in report["blas"])
    assert (report["openmp"], report["torch"]) == ([threads], threads)
    assert report["mkl"] in (threads, None)
    assert (threadpool_info(), torch.get_num_threads()) == before


def test_cap_wrapper_restores_what_it_changed_even_on_failure():
    """In-process workers (and shared clusters) must get their own settings back."""
    import torch

    from qskew.experiment._execute import _run_capped

    before = threadpool_info(), torch.get_num_threads()
    before = before + (_thread_report()["mkl"],)
    report, _ = _run_capped(_thread_report, 3)
    assert report["openmp"] == [3] and report["torch"] == 3 and report["mkl"] in (3, None)
    with pytest.raises(ValueError):
        _run_capped(functools.partial(_fail, "boom"), 3)
    assert (threadpool_info(), torch.get_num_threads(), _thread_report()["mkl"]) == before


def test_dask_failure_names_the_task_and_keeps_the_cause(address):
    tasks = [TASKS[0], ("bad", functools.partial(_fail, "boom"))]
    results = {}
    with pytest.raises(RuntimeError, match="task 'bad' failed: boom") as info:
        execute(tasks, scheduler=address, on_result=results.__setitem__)
    assert isinstance(info.value.__cause__, ValueError)
    assert set(results) <= {"seed-0"}


@pytest.mark.parametrize("source", ["task", "callback"])
def test_dask_failure_cancels_the_remaining_tasks(address, tmp_path, monkeypatch, source):
    import distributed

    cancelled = []
    cancel = distributed.Client.cancel
    monkeypatch.setattr(distributed.Client, "cancel",
                        lambda self, futures, **kw: cancelled.append(len(futures))
                        or cancel(self, futures, **kw))
    markers = [tmp_path / f"ran-{i}" for i in range(6)]
    first = ("first", functools.partial(_fail, "boom") if source == "task" else _where)
    tasks = [first] + [(f"slow-{i}", functools.partial(_mark_then_sleep, m, 0.5))
                       for i, m in enumerate(markers)]

    def on_result(key, result):
        raise OSError("disk full")

    expected = (RuntimeError, "task 'first' failed") if source == "task" else (OSError, "disk")
    with pytest.raises(expected[0], match=expected[1]):
        execute(tasks, scheduler=address, on_result=on_result)
    assert cancelled == [len(markers)]  # explicitly, not just by closing the client
    time.sleep(1.5)  # time for three more tasks had any of them been left queued
    # One slot: at most the task the worker picked up before the cancel can have run.
    assert sum(m.exists() for m in markers) <= 1


def test_unreachable_scheduler_is_a_clear_connection_error():
    pytest.importorskip("distributed")
    import dask

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with (dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
          pytest.raises(ConnectionError, match="No Dask scheduler answered at 'tcp://")):
        execute(TASKS, scheduler=f"tcp://127.0.0.1:{port}", on_result=lambda k, r: None)


@pytest.mark.parametrize(
    "address, match",
    [("tcp://127.0.0.1:notaport", "invalid literal"), ("foo:bar", "'foo:bar' is not a Dask"),
     ("http://127.0.0.1:8786", "unknown address scheme 'http'")],
)
def test_malformed_address_is_rejected_before_connecting(address, match):
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match=match):
        execute(TASKS, scheduler=address, on_result=lambda k, r: None)


def test_empty_task_list_starts_no_cluster(monkeypatch):
    distributed = pytest.importorskip("distributed")

    def refuse(*args, **kwargs):
        raise AssertionError("a cluster was started for no tasks")

    monkeypatch.setattr(distributed, "LocalCluster", refuse)
    execute([], scheduler="local", on_result=lambda k, r: None)


def test_local_cluster_runs_tasks_in_worker_processes_with_caps(caplog):
    """The default path: worker processes, spawned per call; each imports qskew (5-6 s here)."""
    pytest.importorskip("distributed")
    serial, _ = _collect(TASKS)
    tasks = TASKS + [(f"threads-{i}", _thread_report) for i in range(2)]
    with caplog.at_level(logging.INFO, logger="qskew.experiment"):
        results, calls = _collect(tasks, scheduler="local", n_workers=1, threads_per_worker=2)
    assert {k: results[k] for k in serial} == serial
    assert {(pid, tid) for _, pid, tid in calls} == {(os.getpid(), threading.get_ident())}
    reports = [results[f"threads-{i}"] for i in range(2)]
    # Workers start with OMP_NUM_THREADS=1 (Dask's nanny sets it), so 2 proves the cap. The
    # OpenBLAS limit is process-wide: a task still running when its neighbour releases it
    # falls back to the worker's 1 (see execute's Notes), never above the cap.
    assert all(r["openmp"] == [2] and r["torch"] == 2 and r["mkl"] in (2, None)
               for r in reports)
    assert all(set(r["blas"]) <= {1, 2} for r in reports)
    assert all(r["pid"] != os.getpid() for r in reports)
    assert "started a local Dask cluster (n_workers=1, threads_per_worker=2)" in caplog.text
