"""An advisory lock on a results folder: one run (or resume, or overwrite) at a time.

``<folder>/.qskew.lock`` holds the pid, host and start time of the run using
the folder, created atomically (``O_EXCL``). A second run, ``--resume`` or
``--overwrite`` on a folder in use is refused with a message naming that run;
the lock of a run that died (same host, pid gone) is taken over. Advisory:
it binds qskew runs, not other programs; on another host a dead run cannot be
told from a live one, so its lock is never taken over silently.
"""

import datetime
import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".qskew.lock"
#: A lock younger than this that does not read yet is being written: in use.
_FRESH_SECONDS = 5.0


class FolderInUseError(FileExistsError):
    """The results folder is being used by another qskew run."""


@contextmanager
def held(folder):
    """Hold the lock of ``folder`` (created if needed) for the duration of the block."""
    path = acquire(folder)
    try:
        yield path
    finally:
        release(path)


def acquire(folder):
    """Take the lock of ``folder``; return its path.

    Raises
    ------
    FolderInUseError
        If a live run (or one on another host) holds it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read(path)
            if _stale(path, holder):
                path.unlink(missing_ok=True)  # a dead run's lock: take it over
                continue
            raise FolderInUseError(_in_use(folder, path, holder)) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        return path
    raise FolderInUseError(_in_use(folder, path, _read(path)))


def release(path):
    """Remove the lock at ``path`` if this process holds it."""
    holder = _read(path)
    if holder and holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
        Path(path).unlink(missing_ok=True)


def _read(path):
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _stale(path, holder):
    if holder is None:  # unreadable: being written now, or left half-written long ago
        try:
            return time.time() - Path(path).stat().st_mtime > _FRESH_SECONDS
        except FileNotFoundError:
            return True
    if holder.get("host") != socket.gethostname():
        return False
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _in_use(folder, path, holder):
    who = (f"the run of pid {holder.get('pid')} on {holder.get('host')} (started "
           f"{holder.get('started')})" if holder else "another run")
    return (f"results folder {str(folder)!r} is in use by {who}; wait for it to finish or stop "
            f"it, or choose another --out. If that run is gone, delete {str(path)!r}.")
