"""Tests for qskew.qnn._module: QNNModule."""

import io
import pickle

import numpy as np
import pennylane as qml
import pytest
import torch
from torch import nn

from qskew.backends import _statevector
from circuits import ANSATZE, QNN_FEATURE_MAPS
from qskew import BackendNotFoundError, QNNModule


def _inputs(shape, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return np.pi * torch.rand(shape, generator=generator, dtype=torch.float64)


def _reference(module):
    """The same circuit as a ``TorchLayer`` on ``default.qubit``, with the module's weights."""
    qnode = qml.QNode(module.qfunc, qml.device("default.qubit", wires=module.n_qubits),
                      interface="torch")
    weights = module.weights.detach().clone()
    return qml.qnn.TorchLayer(qnode, {"weights": tuple(weights.shape)},
                              init_method={"weights": weights})


# -- exact mode: agreement with PennyLane ------------------------------------


@pytest.mark.parametrize("ansatz", ANSATZE)
@pytest.mark.parametrize("feature_map", QNN_FEATURE_MAPS)
def test_forward_matches_default_qubit_torch_layer(feature_map, ansatz):
    module = QNNModule(3, n_layers=2, feature_map=feature_map, ansatz=ansatz, n_outputs=2,
                       entanglement="circular", seed=1)
    assert module.exact
    x = _inputs((5, 3))
    out = module(x)
    assert out.shape == (5, 2) and out.dtype == torch.float64
    torch.testing.assert_close(out, _reference(module)(x), atol=1e-12, rtol=0)


def test_forward_is_one_batched_execution(monkeypatch):
    calls = []

    def counting(operations, wires, batch, **kwargs):
        calls.append(batch)
        return simulate(operations, wires, batch, **kwargs)

    simulate = _statevector.simulate_states
    monkeypatch.setattr(_statevector, "simulate_states", counting)
    QNNModule(3, n_layers=2, seed=0)(_inputs((17, 3)))
    assert calls == [17]


def test_one_dimensional_input():
    module = QNNModule(3, n_layers=1, n_outputs=2, seed=0)
    x = _inputs((4, 3))
    single = module(x[1])
    assert single.shape == (2,)
    torch.testing.assert_close(single, module(x)[1], atol=1e-14, rtol=0)


def test_fewer_features_than_qubits_uses_extra_readout_wires():
    module = QNNModule(3, n_layers=2, n_outputs=3, seed=2)
    x = _inputs((4, 2))
    out = module(x)
    assert out.shape == (4, 3)
    torch.testing.assert_close(out, _reference(module)(x), atol=1e-12, rtol=0)


def test_float32_inputs_give_float64_outputs():
    module = QNNModule(2, n_layers=1, seed=0)
    x = _inputs((3, 2))
    out = module(x.to(torch.float32))
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, module(x.to(torch.float32).to(torch.float64)))


# -- gradients ----------------------------------------------------------------


@pytest.mark.parametrize("ansatz", ANSATZE)
def test_weight_gradient_matches_parameter_shift(ansatz):
    module = QNNModule(2, n_layers=2, feature_map="reupload", ansatz=ansatz, n_outputs=2,
                       seed=3)
    x = _inputs((3, 2))
    module(x).pow(2).sum().backward()

    qnode = qml.QNode(module.qfunc, qml.device("default.qubit", wires=2), interface="torch",
                      diff_method="parameter-shift")
    weights = module.weights.detach().clone().requires_grad_(True)
    torch.stack(list(qnode(x, weights)), dim=-1).pow(2).sum().backward()
    torch.testing.assert_close(module.weights.grad, weights.grad, atol=1e-8, rtol=0)


def test_gradients_match_finite_differences():
    module = QNNModule(2, n_layers=1, feature_map="zz", ansatz="hardware_efficient", seed=4)
    x = _inputs((3, 2)).requires_grad_(True)
    weights = module.weights.detach().clone().requires_grad_(True)

    def forward(inputs, w):
        return torch.func.functional_call(module, {"weights": w}, (inputs,))

    assert torch.autograd.gradcheck(forward, (x, weights), eps=1e-6, atol=1e-6)


# -- inside a user's torch model ---------------------------------------------


def test_composes_in_sequential_and_trains():
    torch.manual_seed(0)  # nn.Linear's own initialisation
    model = nn.Sequential(QNNModule(2, n_layers=2, seed=0), nn.Linear(1, 1, dtype=torch.float64))
    x = _inputs((16, 2))
    target = torch.cos(x[:, :1]) * torch.sin(x[:, 1:])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert model[0].weights.grad is not None


# -- circuit mode -------------------------------------------------------------


def test_circuit_mode_default_mixed_is_exact():
    module = QNNModule(2, n_layers=2, n_outputs=2, backend="default.mixed", seed=5)
    exact = QNNModule(2, n_layers=2, n_outputs=2, backend="default.qubit", seed=5)
    assert not module.exact and exact.exact
    x = _inputs((4, 2))
    out = module(x)
    assert out.shape == (4, 2) and out.dtype == torch.float64
    torch.testing.assert_close(out, exact(x), atol=1e-10, rtol=0)
    assert module(x[0]).shape == (2,)
    out.sum().backward()
    assert module.weights.grad is not None and torch.isfinite(module.weights.grad).all()


def test_circuit_mode_with_shots_is_within_shot_noise():
    shots = 1000
    module = QNNModule(2, n_layers=1, n_outputs=2, backend="default.qubit", shots=shots, seed=6)
    exact = QNNModule(2, n_layers=1, n_outputs=2, backend="default.qubit", seed=6)
    assert not module.exact
    x = _inputs((6, 2))
    with torch.no_grad():
        out, reference = module(x), exact(x)
    assert out.shape == (6, 2) and out.dtype == torch.float64
    # Var(Z) <= 1 per shot: 5 standard errors.
    assert torch.all((out - reference).abs() <= 5 / np.sqrt(shots))
    assert not torch.equal(out, reference)  # really sampled


def test_lightning_runs_the_exact_engine():
    module = QNNModule(3, n_layers=1, backend="lightning.qubit", seed=0)
    assert module.exact
    x = _inputs((4, 3))
    out = module(x)
    assert out.dtype == torch.float64  # not lightning's float32
    torch.testing.assert_close(out, _reference(module)(x), atol=1e-12, rtol=0)


# -- state: seeds and pickling -----------------------------------------------


def test_seed_fixes_initial_weights():
    a, b = QNNModule(3, n_layers=2, seed=7), QNNModule(3, n_layers=2, seed=7)
    assert torch.equal(a.weights, b.weights)
    assert not torch.equal(a.weights, QNNModule(3, n_layers=2, seed=8).weights)
    assert a.weights.dtype == torch.float64 and a.weights.requires_grad
    assert a.weights.shape == (2, 3, 3)
    assert torch.all((a.weights >= 0) & (a.weights < 2 * np.pi))
    assert QNNModule(3, ansatz="hardware_efficient").weights.shape == (2, 3, 2)


@pytest.mark.parametrize("backend", ["lightning.qubit", "default.mixed"])
def test_pickle_round_trip(backend):
    module = QNNModule(2, n_layers=2, feature_map="reupload", backend=backend, seed=9)
    x = _inputs((3, 2))
    before = module(x)  # circuit mode now holds a QNode, which must not be pickled
    clone = pickle.loads(pickle.dumps(module))
    assert torch.equal(clone(x), before)

    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    assert torch.equal(loaded(x), before)


def test_state_dict_round_trip():
    module, other = QNNModule(2, n_layers=1, seed=0), QNNModule(2, n_layers=1, seed=1)
    other.load_state_dict(module.state_dict())
    x = _inputs((3, 2))
    assert torch.equal(other(x), module(x))


def test_repr_names_the_configuration():
    text = repr(QNNModule(2, n_layers=1, backend="default.qubit"))
    assert "n_qubits=2" in text and "'default.qubit'" in text and "weights=(1, 2, 3)" in text


# -- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, match",
    [
        ((2, 4), r"1 to 3 features; got shape \(2, 4\)"),
        ((4,), r"1 to 3 features; got shape \(4,\)"),
        ((2, 0), r"1 to 3 features; got shape \(2, 0\)"),
        ((2, 2, 3), r"\(batch, n_features\) or \(n_features,\).*got shape \(2, 2, 3\)"),
        ((), r"got shape \(\)"),
    ],
)
def test_bad_inputs(shape, match):
    module = QNNModule(3, n_layers=1, seed=0)
    with pytest.raises(ValueError, match=match):
        module(torch.zeros(shape, dtype=torch.float64))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"backend": "default.qbit"}, BackendNotFoundError,
         r"'default.qbit' is not an installed PennyLane device. Did you mean 'default.qubit'"),
        ({"backend": 3}, TypeError, r"backend must be a PennyLane device name \(str\); got int"),
        ({"ansatz": "ring"}, ValueError, r"ansatz must be one of .*got 'ring'"),
        ({"feature_map": "iqp"}, ValueError, r"feature_map must be one of .*got 'iqp'"),
        ({"n_outputs": 4}, ValueError, r"n_outputs must be between 1 and n_qubits \(3\); got 4"),
        ({"n_layers": 0}, ValueError, r"n_layers must be positive; .*n_layers=0"),
    ],
)
def test_bad_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        QNNModule(3, **kwargs)


def test_too_many_qubits():
    with pytest.raises(ValueError, match=r"X has 21 features .*limit 20 .*PCA\(n_components=8\)"):
        QNNModule(21)
