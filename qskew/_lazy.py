"""Lazy package attributes (PEP 562), so that light entry points stay light.

``qskew --version``, ``--help`` and ``list`` answer in a fraction of a second
because importing a package does not import PennyLane or torch; the modules
that need them load on first use of one of their names.
"""

import importlib


def lazy_attributes(package, names):
    """``__getattr__`` and ``__dir__`` for a package whose ``names`` load on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : dict
        Attribute name -> module (absolute, or relative to ``package``) defining it.

    Returns
    -------
    (callable, callable)
        The package's ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name], package), name)
        globals_ = importlib.import_module(package).__dict__
        globals_[name] = value  # later look-ups skip __getattr__
        return value

    def __dir__():
        return sorted(set(importlib.import_module(package).__dict__) | set(names))

    return __getattr__, __dir__
