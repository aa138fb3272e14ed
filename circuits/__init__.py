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

#: Marker checked by tests: the imported ``circuits`` is qskew's, not the
#: unrelated PyPI package of the same name.
__qskew_circuits__ = True

__all__ = [
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
