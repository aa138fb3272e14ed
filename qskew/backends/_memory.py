"""A memory budget: computations say their peak bytes first and refuse what cannot fit.

The budget is ``QSKEW_MEMORY_BUDGET`` (bytes, or e.g. ``"8GB"``, ``"512MiB"``)
if set, else :func:`set_memory_budget`'s value, else half the memory available
when asked (``MemAvailable`` of ``/proc/meminfo``). Work whose size grows with
the rows scored (predictions, generated samples) runs in blocks of at most
:data:`STREAM_BYTES`, so its memory does not grow with the rows; what cannot be
streamed (a Gram matrix asked for whole, the states a symmetric Gram needs at
once) is checked with :func:`check` before anything is allocated.
"""

import os
import re

from qskew._exceptions import QskewError

ENV = "QSKEW_MEMORY_BUDGET"
#: Share of the available memory used when no budget is set.
FRACTION = 0.5
#: Peak bytes of one block of streamed work (fixed, so results never depend on the budget).
STREAM_BYTES = 256 * 2**20
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_budget = None


class MemoryBudgetError(QskewError, ValueError):
    """A computation would need more memory than the budget allows."""


def set_memory_budget(nbytes):
    """Set the process's memory budget (int bytes or a string like ``"8GB"``); None resets.

    Examples
    --------
    >>> set_memory_budget("2GiB"); memory_budget()
    2147483648
    >>> set_memory_budget(None)
    """
    global _budget
    _budget = None if nbytes is None else parse_bytes(nbytes)


def parse_bytes(value):
    """Bytes from an int or a string such as ``"512MiB"`` or ``"8 GB"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return int(value)
    match = re.fullmatch(r"\s*([0-9.]+)\s*([a-zA-Z]*)\s*", str(value))
    if not match or match.group(2).lower() not in _UNITS or float(match.group(1)) <= 0:
        raise ValueError(f"a memory size must be a positive number of bytes or a string like "
                         f"'8GB' or '512MiB'; got {value!r}.")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def available_bytes():
    """Memory available to new allocations now (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_budget():
    """The budget in bytes now (see the module docstring)."""
    if os.environ.get(ENV):
        return parse_bytes(os.environ[ENV])
    if _budget is not None:
        return _budget
    available = available_bytes()
    return int(FRACTION * available) if available else 8 * 2**30


def human(nbytes):
    """``"84.0 GB"`` and the like.

    Examples
    --------
    >>> human(84 * 10**9), human(512 * 2**20)
    ('84.0 GB', '537 MB')
    """
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if nbytes >= size:
            value = nbytes / size
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{int(nbytes)} B"


def check(peak, what, fix):
    """Raise :class:`MemoryBudgetError` if ``peak`` bytes exceed the budget.

    Parameters
    ----------
    peak : int
    what : str
        What needs the memory, e.g. ``"the states of 5000 rows at 20 qubits"``.
    fix : str
        What to change.
    """
    budget = memory_budget()
    if peak > budget:
        raise MemoryBudgetError(
            f"{what} needs about {human(peak)}, over the memory budget of {human(budget)} "
            f"({'set by ' + ENV if os.environ.get(ENV) else 'half the available memory'}; "
            f"set {ENV} or qskew.backends.set_memory_budget to change it). {fix}")


def block_rows(bytes_per_row):
    """Rows per streamed block so that one block stays within :data:`STREAM_BYTES`."""
    return max(1, STREAM_BYTES // max(1, int(bytes_per_row)))
