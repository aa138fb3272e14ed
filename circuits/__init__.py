"""qskew's quantum circuits: pure PennyLane quantum functions.

Nothing here creates a device or a QNode, and nothing imports qskew,
scikit-learn or torch: these functions are the single definition of each
circuit, executed by whichever engine ``qskew`` picks.

The option names (:data:`FEATURE_MAP_NAMES`, :data:`ENTANGLEMENTS`, ...) load
without PennyLane; the circuits load on first use (PEP 562), so that
estimators can declare their parameters without importing PennyLane.
"""

import importlib

from circuits._options import (
    ANSATZE,
    ENTANGLEMENTS,
    FEATURE_MAP_NAMES,
    OBSERVABLE_SETS,
    QNN_FEATURE_MAPS,
    ROTATIONS,
    generator_outputs,
)

#: Marker checked by tests: the imported ``circuits`` is qskew's, not the
#: unrelated PyPI package of the same name.
__qskew_circuits__ = True

_LAZY = {
    "FEATURE_MAPS": "_feature_maps",
    "angle_feature_map": "_feature_maps",
    "entangling_pairs": "_feature_maps",
    "get_feature_map": "_feature_maps",
    "iqp_feature_map": "_feature_maps",
    "overlap_circuit": "_feature_maps",
    "trainable_feature_map": "_feature_maps",
    "trainable_layer": "_feature_maps",
    "trainable_weights_shape": "_feature_maps",
    "zz_feature_map": "_feature_maps",
    "generator_circuit": "_generator",
    "hardware_efficient_layer": "_qnn",
    "make_qnn_qfunc": "_qnn",
    "qnn_circuit": "_qnn",
    "strongly_entangling_layer": "_qnn",
}

__all__ = [
    "ANSATZE",
    "ENTANGLEMENTS",
    "FEATURE_MAP_NAMES",
    "OBSERVABLE_SETS",
    "QNN_FEATURE_MAPS",
    "ROTATIONS",
    "generator_outputs",
    *_LAZY,
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'circuits' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"circuits.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
