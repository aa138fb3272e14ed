"""Tests for qskew.experiment._registry: the components a config may name."""

import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import SVC

from qskew import (
    QGANOverSampler,
    QNNClassifier,
    QuantumKernelSVC,
    QuantumStackingClassifier,
)
from qskew.experiment import _registry as reg
from qskew.experiment import components


def test_components_lists_every_registered_name():
    table = components()
    assert list(table["resamplers"]) == ["none", "smote", "random", "gan", "qgan"]
    assert list(table["models"]) == ["qsvc", "qnn", "stack", "rf", "logreg", "svc"]
    assert list(table["datasets"]) == ["demo", "creditcard", "cicids2017", "ton_iot", "table"]
    assert table["scalers"] == ["standard", "minmax", "robust", "none"]
    assert table["datasets"]["demo"] == []
    assert "target" in table["datasets"]["table"] and "path" not in table["datasets"]["table"]
    assert table["models"]["stack"]["options"] == ["members", "raw_features", "type"]
    assert table["models"]["svc"]["options"] == ["calibration", "raw_features", "type"]


@pytest.mark.parametrize("component", [*reg.RESAMPLERS.values(), *reg.MODELS.values()],
                         ids=lambda c: c.name)
def test_parameters_are_get_params_keys_less_the_managed_ones(component):
    names = component.parameters()
    assert "random_state" not in names
    if component.factory is None:
        assert names == []
        return
    assert set(names) | set(component.managed) == set(component.factory().get_params(deep=False))
    # Quantum components take the config's backend; a stack takes one only as an
    # optional override of its members' (None by default).
    if component.quantum:
        assert "backend" in names
    elif "backend" in names:
        assert component.factory().backend is None


@pytest.mark.parametrize(
    "table, name, params, cls",
    [(reg.MODELS, "qsvc", {"feature_map": "angle"}, QuantumKernelSVC),
     (reg.MODELS, "qnn", {"max_epochs": 3}, QNNClassifier),
     (reg.RESAMPLERS, "qgan", {"epochs": 3}, QGANOverSampler)],
)
def test_build_sets_the_parameters_and_the_seed(table, name, params, cls):
    estimator = reg.build(table[name], params, 7)
    assert type(estimator) is cls
    assert estimator.random_state == 7
    for key, value in params.items():
        assert getattr(estimator, key) == value


def test_build_stack_and_calibrated_svc():
    members = [("a", SVC()), ("b", SVC())]
    stack = reg.build(reg.MODELS["stack"], {"fusion": "margins"}, 3, members=members)
    assert isinstance(stack, QuantumStackingClassifier)
    assert stack.estimators == members and stack.random_state == 3
    svc = reg.build(reg.MODELS["svc"], {"C": 2.0, "calibration": "sigmoid"}, 1)
    assert isinstance(svc, CalibratedClassifierCV)
    assert svc.estimator.C == 2.0 and svc.estimator.random_state == 1
    assert isinstance(reg.build(reg.MODELS["svc"], {"calibration": "none"}, 1), SVC)
    assert reg.build(reg.RESAMPLERS["none"], {}, 1) is None


def test_only_generating_resamplers_are_scored_for_fidelity():
    assert {n for n, c in reg.RESAMPLERS.items() if c.generates} == {"smote", "gan", "qgan"}
