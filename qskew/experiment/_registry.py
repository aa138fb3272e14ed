"""The components a config may name: datasets, scalers, resamplers and models.

A config can only pick entries of these tables and set their parameters; it
never names a class, a module or code. Adding a component means adding an
entry here.
"""

import inspect
from dataclasses import dataclass, field

from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from sklearn.svm import SVC

from qskew.ensemble import QuantumStackingClassifier
from qskew.kernels import QuantumKernelSVC
from qskew.qnn import QNNClassifier
from qskew.synth import GANOverSampler, QGANOverSampler
from qskew.datasets import (
    load_cicids2017,
    load_creditcard,
    load_demo,
    load_table,
    load_ton_iot,
)

_SEED = "set from each cell's seed"


@dataclass(frozen=True)
class Component:
    """One registered resampler or model.

    Attributes
    ----------
    name : str
        The name configs use (``type = "qsvc"``).
    factory : type or None
        The estimator class (None: the ``"none"`` resampler, no step at all).
    summary : str
        One line for ``qskew list``.
    quantum : bool
        Takes ``backend``; the config's ``backend`` fills it unless set.
    generates : bool
        A resampler that synthesises new rows (scored in ``fidelity.csv``).
    managed : dict
        Parameters the runner sets itself, with the reason (refused in configs).
    options : dict
        Runner keys of this component that are not estimator parameters.
    """

    name: str
    factory: type | None
    summary: str
    quantum: bool = False
    generates: bool = False
    managed: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def parameters(self):
        """Estimator parameters a config may set (``get_params`` less the managed ones)."""
        if self.factory is None:
            return []
        return sorted(set(self.factory().get_params(deep=False)) - set(self.managed))


RESAMPLERS = {
    "none": Component("none", None, "no resampling (the training rows as they are)"),
    "smote": Component("smote", SMOTE, "imbalanced-learn SMOTE", generates=True,
                       managed={"random_state": _SEED}),
    "random": Component("random", RandomOverSampler,
                        "imbalanced-learn RandomOverSampler (duplicates rows)",
                        managed={"random_state": _SEED}),
    "gan": Component("gan", GANOverSampler,
                     "qskew.GANOverSampler: classical GAN, generator size matched to the QGAN",
                     generates=True, managed={"random_state": _SEED}),
    "qgan": Component("qgan", QGANOverSampler,
                      "qskew.QGANOverSampler: quantum-circuit generator, classical critic",
                      quantum=True, generates=True, managed={"random_state": _SEED}),
}

MODELS = {
    "qsvc": Component("qsvc", QuantumKernelSVC, "qskew.QuantumKernelSVC: SVM on a quantum kernel",
                      quantum=True, managed={"random_state": _SEED}),
    "qnn": Component("qnn", QNNClassifier, "qskew.QNNClassifier: variational classifier",
                     quantum=True, managed={"random_state": _SEED}),
    "stack": Component(
        "stack", QuantumStackingClassifier,
        "qskew.QuantumStackingClassifier: members fused by a super learner (fusion \"proba\") "
        "or a random forest (final_estimator = \"forest\", and the other fusions)",
        managed={"random_state": _SEED,
                 "estimators": "give the members as model names: members = [\"qsvc\", \"qnn\"]"},
        options={"members": "names of other models of this config, fitted out of fold"},
    ),
    "rf": Component("rf", RandomForestClassifier, "scikit-learn RandomForestClassifier",
                    managed={"random_state": _SEED}),
    "logreg": Component("logreg", LogisticRegression, "scikit-learn LogisticRegression",
                        managed={"random_state": _SEED}),
    "svc": Component(
        "svc", SVC, "scikit-learn SVC (scores: decision_function, or calibrated probabilities)",
        managed={"random_state": _SEED},
        options={"calibration": "'none' (decision values), 'sigmoid' or 'isotonic' "
                                "(CalibratedClassifierCV, 3 folds)"},
    ),
}

#: Runner keys every model accepts besides its estimator parameters.
MODEL_OPTIONS = {
    "type": "the registered model (default: the table's own name)",
    "raw_features": "true: skip PCA and the angle scaling (classical models on all features)",
}
RESAMPLER_OPTIONS = {"type": "the registered resampler (default: the table's own name)"}

SCALERS = {
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "robust": RobustScaler,
    "none": None,
}
IMPUTERS = ("none", "mean", "median")
CALIBRATIONS = ("none", "sigmoid", "isotonic")

#: Dataset name -> (loader, name of its path parameter or None).
DATASETS = {
    "demo": (load_demo, None),
    "creditcard": (load_creditcard, "path"),
    "cicids2017": (load_cicids2017, "paths"),
    "ton_iot": (load_ton_iot, "path"),
    "table": (load_table, "path"),
}


def loader_options(name):
    """Keyword options of a dataset loader: ``{option: default}`` (``inspect.Parameter.empty``
    for required ones), the path parameter excluded."""
    loader, path_param = DATASETS[name]
    return {p.name: p.default for p in inspect.signature(loader).parameters.values()
            if p.name != path_param}


def build(component, params, seed, *, members=()):
    """A fresh estimator of ``component`` with ``params``, seeded with ``seed``.

    ``members`` (stack only) are ``(name, estimator)`` pairs already built.
    """
    if component.factory is None:
        return None
    params = dict(params)
    calibration = params.pop("calibration", "none")
    if component.name == "stack":
        params["estimators"] = list(members)
    estimator = component.factory(**params)
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    if calibration != "none":
        estimator = CalibratedClassifierCV(estimator, method=calibration, cv=3)
    return estimator


def components():
    """The registered components, as ``qskew list`` shows them.

    Returns
    -------
    dict
        ``{"datasets": {...}, "scalers": [...], "resamplers": {...}, "models": {...}}``;
        resamplers and models map each name to ``{"summary", "quantum", "parameters",
        "options"}``.

    Examples
    --------
    >>> sorted(components()["models"])
    ['logreg', 'qnn', 'qsvc', 'rf', 'stack', 'svc']
    """
    def describe(table, extra):
        return {name: {"summary": c.summary, "quantum": c.quantum,
                       "parameters": c.parameters(),
                       "options": sorted({**extra, **c.options})}
                for name, c in table.items()}

    return {
        "datasets": {name: sorted(loader_options(name)) for name in DATASETS},
        "scalers": list(SCALERS),
        "resamplers": describe(RESAMPLERS, RESAMPLER_OPTIONS),
        "models": describe(MODELS, MODEL_OPTIONS),
    }
