"""Names of the circuits' options, importable without PennyLane.

Estimators declare their parameter constraints from these at import time;
the circuits themselves (and PennyLane) load only when a circuit is built.
"""

ENTANGLEMENTS = ("linear", "circular", "full")
ROTATIONS = ("X", "Y", "Z")
#: Feature maps of the fidelity kernel (see :data:`circuits.FEATURE_MAPS`).
FEATURE_MAP_NAMES = ("angle", "zz", "iqp")
QNN_FEATURE_MAPS = ("angle", "zz", "reupload")
ANSATZE = ("strong", "hardware_efficient")
OBSERVABLE_SETS = {"Z": ("Z",), "XYZ": ("X", "Y", "Z")}


def generator_outputs(n_wires, observables="Z"):
    """Number of values one generator circuit reads out.

    Parameters
    ----------
    n_wires : int
    observables : {"Z", "XYZ"}, default="Z"

    Returns
    -------
    int
        ``n_wires`` for ``"Z"``, ``3 * n_wires`` for ``"XYZ"``.

    Examples
    --------
    >>> generator_outputs(4, "XYZ")
    12
    """
    if observables not in OBSERVABLE_SETS:
        raise ValueError(
            f"observables must be one of {sorted(OBSERVABLE_SETS)}; got {observables!r}."
        )
    return n_wires * len(OBSERVABLE_SETS[observables])
