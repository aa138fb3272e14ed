"""qskew's quantum circuits: pure PennyLane quantum functions.

Nothing here creates a device or a QNode, and nothing imports qskew,
scikit-learn or torch: these functions are the single definition of each
circuit, executed by whichever engine ``qskew`` picks.
"""

from circuits._feature_maps import (
    ENTANGLEMENTS,
    FEATURE_MAPS,
    ROTATIONS,
    angle_feature_map,
    entangling_pairs,
    get_feature_map,
    iqp_feature_map,
    overlap_circuit,
    zz_feature_map,
)
from circuits._generator import OBSERVABLE_SETS, generator_circuit, generator_outputs
from circuits._qnn import (
    ANSATZE,
    QNN_FEATURE_MAPS,
    hardware_efficient_layer,
    make_qnn_qfunc,
    qnn_circuit,
    strongly_entangling_layer,
)

#: Marker checked by tests: the imported ``circuits`` is qskew's, not the
#: unrelated PyPI package of the same name.
__qskew_circuits__ = True

__all__ = [
    "OBSERVABLE_SETS",
    "generator_circuit",
    "generator_outputs",
    "ANSATZE",
    "QNN_FEATURE_MAPS",
    "hardware_efficient_layer",
    "make_qnn_qfunc",
    "qnn_circuit",
    "strongly_entangling_layer",
    "ENTANGLEMENTS",
    "FEATURE_MAPS",
    "ROTATIONS",
    "angle_feature_map",
    "entangling_pairs",
    "get_feature_map",
    "iqp_feature_map",
    "overlap_circuit",
    "zz_feature_map",
]
