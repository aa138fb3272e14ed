"""Doctest collection: examples that need an optional extra run only where it is installed."""

import importlib.util

# qskew.plotting's examples draw figures: without the ``plots`` extra they would fail with
# the module's own ImportError (tested in tests/qskew/test_plotting.py), not show anything.
collect_ignore = [] if importlib.util.find_spec("matplotlib") else ["qskew/plotting.py"]
