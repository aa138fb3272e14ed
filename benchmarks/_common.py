"""Helpers shared by the benchmark scripts: argument types, the machine block, timing.

Not a benchmark itself. The scripts import it as ``import _common``, which
works because ``python benchmarks/bench_x.py`` puts ``benchmarks/`` first on
``sys.path``.
"""

import argparse
import importlib.metadata
import math
import os
import platform
import time


def positive_int(text):
    """``argparse`` type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return value


# -- machine -----------------------------------------------------------------

def version(distribution):
    """The installed version of ``distribution``, or ``"not installed"``."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_thread_pools():
    """Import qskew and PennyLane and load lightning's OpenMP runtime.

    Pass as (or call from) ``print_machine``'s ``load_pools`` so that
    threadpoolctl sees their thread pools.
    """
    import pennylane as qml

    import qskew  # noqa: F401

    qml.device("lightning.qubit", wires=1)  # loads lightning's OpenMP runtime


def print_machine(packages, *, load_pools=None, torch_threads=False):
    """Print the ``## Machine`` block: platform, load, versions of ``packages``, thread pools.

    ``load_pools`` is called first: it imports every contender, so that
    threadpoolctl sees all their thread pools. ``torch_threads`` adds torch's
    intra-op and inter-op thread counts.
    """
    from threadpoolctl import threadpool_info

    if load_pools is not None:
        load_pools()
    print("## Machine\n")
    print(f"- platform: {platform.platform()} ({cpu_model()})")
    print(f"- CPUs: os.cpu_count()={os.cpu_count()}, usable={len(os.sched_getaffinity(0))}")
    load = os.getloadavg()
    print(f"- load average (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    print(f"- python {platform.python_version()}")
    for name in packages:
        print(f"- {name} {version(name)}")
    print(f"- OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}")
    if torch_threads:
        import torch

        print(f"- torch threads: intra-op {torch.get_num_threads()}, "
              f"inter-op {torch.get_num_interop_threads()}")
    for pool in threadpool_info():
        print(f"- threadpool: {pool['user_api']}/{pool['internal_api']} "
              f"num_threads={pool['num_threads']} ({os.path.basename(pool['filepath'])})")
    if load[0] > 0.5:
        print(f"\n**Warning: load average {load[0]:.2f} -- this machine is not idle; "
              "do not record these timings.**")
    print()


# -- timing --------------------------------------------------------------------

def best_of(func, repeats, *, warm_up=True):
    """Best wall time (``time.perf_counter``) of ``repeats`` calls, and the last result.

    With ``warm_up`` (the default) one untimed call comes first; without, the
    caller has warmed ``func`` up already.
    """
    result = func() if warm_up else None
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result
