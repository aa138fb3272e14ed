"""Parameter blocks shared by several estimators, declared once.

Each estimator builds its ``_parameter_constraints`` from these (as
``sklearn/svm/_base.py`` does), so a parameter's rule lives in one place.
"""

from numbers import Integral

from circuits import ENTANGLEMENTS, ROTATIONS
from qskew._compat import Interval, StrOptions

class Count(Interval):
    """``Interval(Integral, ...)`` that refuses bools (``shots=True`` is not 1 shot)."""

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)

    def __str__(self):
        return super().__str__() + " (not a bool)"


#: Where quantum work runs: every quantum estimator takes these.
BACKEND = {
    "backend": [str],
    "backend_options": [dict, None],
    "shots": [Count(Integral, 1, None, closed="left"), None],
}

#: Gradients of trained models when circuits are sampled (see qskew.backends._shift).
DIFF_METHOD = {
    "diff_method": [StrOptions({"best", "parameter-shift", "spsa"})],
}

#: Readout mitigation of trained models (see qskew.backends._shift.check_mitigation).
MITIGATION = {
    "mitigation": [StrOptions({"readout"}), None],
}

#: Progress bars (see qskew._progress): "auto" (where a person watches), off or on.
VERBOSE = {
    "verbose": [StrOptions({"auto"}), "boolean", Interval(Integral, 0, None, closed="left")],
}

#: Options of the feature maps (see :func:`circuits.get_feature_map`).
ENCODING = {
    "reps": [Interval(Integral, 1, None, closed="left")],
    "entanglement": [StrOptions(set(ENTANGLEMENTS))],
    "rotation": [StrOptions(set(ROTATIONS))],
}


def optional(block):
    """``block`` with ``None`` allowed for every parameter ("keep each member's own")."""
    return {name: [*rules, None] if None not in rules else rules
            for name, rules in block.items()}
