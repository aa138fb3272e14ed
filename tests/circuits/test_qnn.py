"""Tests for circuits._qnn: QNN circuits, ansatz layers and make_qnn_qfunc."""

import pickle

import numpy as np
import pennylane as qml
import pytest
import torch

from circuits import (
    ANSATZE,
    QNN_FEATURE_MAPS,
    hardware_efficient_layer,
    make_qnn_qfunc,
    qnn_circuit,
    strongly_entangling_layer,
)

PER_WIRE = {"strong": 3, "hardware_efficient": 2}


def _tape(qfunc, inputs, weights):
    return qml.tape.make_qscript(qfunc)(inputs, weights)


def _names(tape):
    return [op.name for op in tape.operations]


def _weights(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 2 * np.pi, shape)


# -- qml.qnn.TorchLayer -------------------------------------------------------


@pytest.mark.parametrize("ansatz", ANSATZE)
@pytest.mark.parametrize("feature_map", QNN_FEATURE_MAPS)
def test_torch_layer_forward(feature_map, ansatz):
    qfunc, shapes = make_qnn_qfunc(3, n_layers=2, feature_map=feature_map, ansatz=ansatz,
                                   n_outputs=2)
    qnode = qml.QNode(qfunc, qml.device("default.qubit", wires=3), interface="torch")
    layer = qml.qnn.TorchLayer(qnode, shapes)
    x = torch.rand(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    out = layer(x)
    assert out.shape == (4, 2)
    assert torch.all(out.abs() <= 1 + 1e-6)  # <Z> lies in [-1, 1]
    assert layer(x[0]).shape == (2,)
    out.sum().backward()
    assert layer.weights.grad.shape == shapes["weights"]


def test_torch_layer_matches_direct_qnode():
    qfunc, shapes = make_qnn_qfunc(2, n_layers=1, ansatz="hardware_efficient", n_outputs=2)
    qnode = qml.QNode(qfunc, qml.device("default.qubit", wires=2), interface="torch")
    weights = torch.as_tensor(_weights(shapes["weights"]))
    layer = qml.qnn.TorchLayer(qnode, shapes, init_method={"weights": weights})
    x = torch.tensor([[0.3, 1.2], [2.0, 0.1]], dtype=torch.float64)
    expected = torch.stack([torch.stack(list(qnode(row, weights))) for row in x])
    torch.testing.assert_close(layer(x), expected, atol=1e-12, rtol=0)


# -- weight shapes ------------------------------------------------------------


@pytest.mark.parametrize("ansatz", ANSATZE)
@pytest.mark.parametrize("n_qubits, n_layers", [(1, 1), (3, 2), (4, 5)])
def test_weight_shapes(ansatz, n_qubits, n_layers):
    qfunc, shapes = make_qnn_qfunc(n_qubits, n_layers=n_layers, ansatz=ansatz)
    assert shapes == {"weights": (n_layers, n_qubits, PER_WIRE[ansatz])}
    # the advertised shape is the one the circuit accepts
    tape = _tape(qfunc, np.zeros(n_qubits), np.zeros(shapes["weights"]))
    assert len(tape.measurements) == 1


# -- feature maps and layer structure ----------------------------------------


def test_angle_encodes_once_before_the_layers():
    qfunc, shapes = make_qnn_qfunc(3, n_layers=3, feature_map="angle")
    names = _names(_tape(qfunc, np.ones(3), _weights(shapes["weights"])))
    assert names == ["RY"] * 3 + ["StronglyEntanglingLayers"] * 3


def test_reupload_encodes_before_every_layer():
    qfunc, shapes = make_qnn_qfunc(3, n_layers=3, feature_map="reupload")
    tape = _tape(qfunc, np.array([0.1, 0.2, 0.3]), _weights(shapes["weights"]))
    assert _names(tape) == (["RY"] * 3 + ["StronglyEntanglingLayers"]) * 3
    encoded = [op for op in tape.operations if op.name == "RY"]
    assert [float(op.parameters[0]) for op in encoded] == [0.1, 0.2, 0.3] * 3
    assert [op.wires.tolist() for op in encoded] == [[0], [1], [2]] * 3


def test_zz_encoding():
    qfunc, shapes = make_qnn_qfunc(3, n_layers=2, feature_map="zz", reps=1)
    names = _names(_tape(qfunc, np.ones(3), _weights(shapes["weights"])))
    # H on each wire, RZ(2x_i) on each wire, MultiRZ on the 2 linear pairs; then the layers
    assert names == ["Hadamard"] * 3 + ["RZ"] * 3 + ["MultiRZ"] * 2 + [
        "StronglyEntanglingLayers"] * 2


def test_feature_map_options_reach_the_encoding():
    qfunc, shapes = make_qnn_qfunc(2, n_layers=1, feature_map="angle", reps=2, rotation="X")
    names = _names(_tape(qfunc, np.ones(2), _weights(shapes["weights"])))
    assert names == ["RX"] * 4 + ["StronglyEntanglingLayers"]


def test_hardware_efficient_layer_ops():
    tape = qml.tape.make_qscript(hardware_efficient_layer)(_weights((3, 2)), wires=[0, 1, 2])
    assert _names(tape) == ["RY", "RZ"] * 3 + ["CNOT"] * 3
    assert [op.wires.tolist() for op in tape.operations[6:]] == [[0, 1], [1, 2], [0, 2]]


def test_strongly_entangling_layer_is_one_pennylane_layer():
    weights = _weights((3, 3))
    ours = qml.matrix(strongly_entangling_layer, wire_order=[0, 1, 2])(weights, wires=[0, 1, 2])
    theirs = qml.matrix(qml.StronglyEntanglingLayers(weights[None], wires=[0, 1, 2]))
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_fewer_features_than_wires_leave_extra_wires_unencoded():
    qfunc, shapes = make_qnn_qfunc(3, n_layers=1, n_outputs=3)
    tape = _tape(qfunc, np.ones(2), _weights(shapes["weights"]))
    assert [op.wires.tolist() for op in tape.operations if op.name == "RY"] == [[0], [1]]


@pytest.mark.parametrize("x", [0.0, 0.7, 2.5])
def test_single_qubit_analytic_value(x):
    # 1 wire, angle map, RY(theta) RZ(phi), no CNOTs: <Z> = cos(x + theta)
    theta, phi = 0.4, 1.3
    qfunc, _ = make_qnn_qfunc(1, n_layers=1, ansatz="hardware_efficient")
    qnode = qml.QNode(qfunc, qml.device("default.qubit", wires=1))
    value = qnode(np.array([x]), np.array([[[theta, phi]]]))
    np.testing.assert_allclose(value, np.cos(x + theta), atol=1e-12)


# -- readout ------------------------------------------------------------------


@pytest.mark.parametrize("n_outputs", [1, 2, 4])
def test_readout_is_z_on_first_wires(n_outputs):
    qfunc, shapes = make_qnn_qfunc(4, n_layers=1, n_outputs=n_outputs)
    tape = _tape(qfunc, np.ones(4), _weights(shapes["weights"]))
    assert len(tape.measurements) == n_outputs
    for wire, measurement in enumerate(tape.measurements):
        assert isinstance(measurement, qml.measurements.ExpectationMP)
        assert measurement.obs == qml.PauliZ(wire)


def test_batched_inputs_broadcast():
    qfunc, shapes = make_qnn_qfunc(2, n_layers=1, n_outputs=2)
    weights = _weights(shapes["weights"])
    qnode = qml.QNode(qfunc, qml.device("default.qubit", wires=2))
    X = np.array([[0.1, 0.2], [1.0, 2.0], [3.0, 0.5]])
    batched = np.stack(qnode(X, weights), axis=-1)
    single = np.array([qnode(x, weights) for x in X])
    assert batched.shape == (3, 2)
    np.testing.assert_allclose(batched, single, atol=1e-12)


# -- QNNQFunc -----------------------------------------------------------------


def test_qfunc_pickles_and_records_the_same_circuit():
    qfunc, shapes = make_qnn_qfunc(2, n_layers=2, feature_map="reupload", ansatz="strong")
    clone = pickle.loads(pickle.dumps(qfunc))
    weights = _weights(shapes["weights"])
    assert qml.equal(_tape(clone, np.ones(2), weights), _tape(qfunc, np.ones(2), weights))
    assert clone.options == qfunc.options
    assert "feature_map='reupload'" in repr(qfunc)


# -- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"ansatz": "ring"}, r"ansatz must be one of .*got 'ring'"),
        ({"feature_map": "iqp"}, r"feature_map must be one of .*got 'iqp'"),
        ({"n_outputs": 3}, r"n_outputs must be between 1 and n_qubits \(2\); got 3"),
        ({"n_outputs": 0}, r"n_outputs must be between 1 and n_qubits \(2\); got 0"),
        ({"n_layers": 0}, r"must be positive; got n_qubits=2, n_layers=0"),
    ],
)
def test_make_qnn_qfunc_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_qnn_qfunc(2, **kwargs)


def test_make_qnn_qfunc_rejects_zero_qubits():
    with pytest.raises(ValueError, match=r"got n_qubits=0"):
        make_qnn_qfunc(0)


@pytest.mark.parametrize(
    "inputs, weights_shape, kwargs, match",
    [
        (np.ones(2), (1, 2, 3), {"ansatz": "ring"}, r"ansatz must be one of .*'ring'"),
        (np.ones(2), (1, 2, 3), {"feature_map": "iqp"}, r"feature_map must be one of .*'iqp'"),
        (np.ones(2), (1, 2, 3), {"n_outputs": 3},
         r"n_outputs must be between 1 and the number of wires \(2\); got 3"),
        (np.ones(2), (1, 2, 2), {}, r"weights must have shape \(n_layers, 2, 3\) .*got \(1, 2, 2\)"),
        (np.ones(2), (1, 2, 3), {"ansatz": "hardware_efficient"},
         r"weights must have shape \(n_layers, 2, 2\) .*'hardware_efficient'; got \(1, 2, 3\)"),
        (np.ones(2), (2, 3), {}, r"weights must have shape .*got \(2, 3\)"),
        (np.ones(3), (1, 2, 3), {}, r"at most one feature per wire \(2\); got 3 features"),
        (np.ones((5, 3)), (1, 2, 3), {}, r"at most one feature per wire \(2\); got 3 features"),
    ],
)
def test_qnn_circuit_errors(inputs, weights_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        qml.tape.make_qscript(qnn_circuit)(inputs, np.zeros(weights_shape), wires=[0, 1], **kwargs)
