"""Collecting config problems: typed checks that record a message instead of raising."""

import difflib
import re

from qskew import backends

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")


def kind(value):
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def suggest(key, valid):
    key, valid = str(key), [str(v) for v in valid]
    close = difflib.get_close_matches(key, valid, n=2, cutoff=0.6)
    # Abbreviations too ("pca" for "pca_components").
    close += [v for v in valid if len(key) >= 3 and v.startswith(key) and v not in close]
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "valid: " + ", ".join(sorted(str(v) for v in valid))


class Checker:
    """Collects problems; each check returns the value to use (or None)."""

    def __init__(self):
        self.problems = []

    def add(self, where, text):
        self.problems.append(f"{where}: {text}" if where else text)

    def keys(self, where, table, valid, managed=None):
        for key in table:
            if managed and key in managed:
                self.add(where, f"{key!r} cannot be set here ({managed[key]})")
            elif key not in valid:
                self.add(where, f"unknown key {key!r}; {suggest(key, valid)}")

    def table(self, where, value):
        if isinstance(value, dict):
            return value
        self.add(where, f"must be a table; got {kind(value)} {value!r}")
        return {}

    def choice(self, where, value, options):
        if isinstance(value, str) and value in options:
            return value
        self.add(where, f"must be one of {', '.join(map(repr, options))}; got {value!r}"
                 + (f"; {suggest(value, options)}" if isinstance(value, str) else ""))
        return None

    def integer(self, where, value, low, high=None):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
        if ok and (high is None or value <= high):
            return value
        bound = f"an integer >= {low}" + (f" and <= {high}" if high is not None else "")
        self.add(where, f"must be {bound}; got {kind(value)} {value!r}")
        return None

    def fraction(self, where, value):
        if isinstance(value, float) and 0 < value < 1:
            return value
        self.add(where, f"must be a float strictly between 0 and 1; got {kind(value)} "
                        f"{value!r}")
        return None

    def boolean(self, where, value):
        if isinstance(value, bool):
            return value
        self.add(where, f"must be true or false; got {kind(value)} {value!r}")
        return None

    def label(self, where, value):
        if isinstance(value, str) and _LABEL.match(value):
            return value
        self.add(where, f"names must be 1-48 letters, digits, '_' or '-' (they become file "
                        f"names); got {value!r}")
        return None


def check_backend(check, where, backend):
    try:
        backends.check_backend(backend)
    except (TypeError, ValueError):
        check.add(where, f"{backend!r} is not an installed PennyLane device; "
                         f"{suggest(backend, backends.available_backends())}")
