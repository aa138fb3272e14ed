"""Checkpoints of finished primitive jobs: a rerun after a crash or kill submits only the rest.

Set ``QSKEW_CHECKPOINT_DIR`` (or :func:`set_checkpoint_dir`) and every primitive
job's result is stored there under a key of everything that fixes it: the
primitive, the backend, shots and simulator seed, and each PUB's transpiled
circuit (as OpenQASM 3), observables and parameter values. Batches run on
PennyLane devices (circuit-mode kernels, the noisy ``default.mixed`` path) are
stored the same way, keyed by their tapes, device and seed. Rerun the same
computation with the same seed and each finished job is read back instead of
sent, so the rerun costs only the jobs that were missing and gives the same
numbers. ``qskew run`` keeps them in its results folder (``.jobs/``) while it
runs, so ``--resume`` after a kill re-sends nothing that had finished.

Only jobs stored before the current session are read back: a computation that
repeats a job within one session (e.g. ``predict_proba`` then ``predict`` on the
same rows) sends it again, so counts match ``estimate_cost``. A session starts
with the process, with each :func:`set_checkpoint_dir` call and with each
``qskew run``.

Results are stored with :mod:`pickle`: point the directory only at a folder
you own.
"""

import hashlib
import os
import pickle
from pathlib import Path

ENV = "QSKEW_CHECKPOINT_DIR"
_directory = None
#: Keys stored in this session: never read back within it.
_stored_now = set()


def set_checkpoint_dir(path):
    """Store finished jobs under ``path`` (None: stop checkpointing); starts a new session,
    which reads back the jobs stored before it."""
    global _directory
    _directory = None if path is None else Path(path)
    _stored_now.clear()


def directory():
    """Where finished jobs are stored now, or None."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    return _directory


def job_key(primitive, pubs):
    """A hash of everything that fixes a job's result."""
    from qiskit import qasm3

    digest = hashlib.sha256()
    options = getattr(primitive, "options", None)
    simulator = getattr(options, "simulator", None)
    for part in (type(primitive).__name__, _backend(primitive),
                 getattr(options, "default_shots", None),
                 getattr(simulator, "seed_simulator", None)):
        digest.update(repr(part).encode() + b"\0")
    for pub in pubs:
        digest.update(qasm3.dumps(pub[0]).encode())
        for part in pub[1:]:
            if hasattr(part, "dtype") or (isinstance(part, (list, tuple))
                                          and not _observables(part)):
                import numpy as np

                array = np.ascontiguousarray(part, dtype=float)
                digest.update(repr(array.shape).encode() + array.tobytes())
            else:
                digest.update(repr([[o.to_list() for o in row] for row in part]).encode())
        digest.update(b"\1")
    return digest.hexdigest()


def tapes_key(tapes, device_name, seed):
    """A hash of everything that fixes a PennyLane batch's result on a fresh device."""
    import numpy as np

    digest = hashlib.sha256(repr((device_name, seed)).encode())
    for tape in tapes:
        digest.update(repr((tape.shots.total_shots, [repr(m) for m in tape.measurements]))
                      .encode())
        for op in tape.operations:
            digest.update(repr((op.name, tuple(op.wires))).encode())
            for value in op.data:
                array = np.ascontiguousarray(np.asarray(value))
                digest.update(repr((array.shape, array.dtype.str)).encode() + array.tobytes())
        digest.update(b"\1")
    return digest.hexdigest()


def _observables(part):
    first = part[0] if len(part) else None
    first = first[0] if isinstance(first, (list, tuple)) and len(first) else first
    return hasattr(first, "to_list")


def _backend(primitive):
    try:
        device = primitive.backend()
    except Exception:
        return None
    name = getattr(device, "name", None)
    return name() if callable(name) else name


def load(key):
    """The stored result of job ``key``, or None."""
    folder = directory()
    path = None if folder is None else folder / f"{key}.pkl"
    if path is None or key in _stored_now or not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # a damaged checkpoint is a missing one: the job is sent again
        return None


def save(key, result):
    """Store the result of job ``key`` (atomically), if checkpointing is on."""
    folder = directory()
    if folder is None:
        return
    from qskew._files import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / f"{key}.pkl", pickle.dumps(result))
    _stored_now.add(key)
