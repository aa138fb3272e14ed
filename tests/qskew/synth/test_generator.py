"""Tests for qskew.synth._generator: patch quantum generator, MLP generator, discriminator."""

import math
import pickle

import numpy as np
import pennylane as qml
import pytest
import torch

from qskew.backends import _statevector
from circuits import generator_circuit, generator_outputs
from qskew import Discriminator, MLPGenerator, QuantumGenerator
from qskew.synth._generator import latent_noise, parameter_count, seeded_torch


def reference_forward(gen, noise):
    """Each patch on default.qubit, one sample at a time, concatenated and cut."""
    device = qml.device("default.qubit", wires=gen.n_qubits)

    @qml.qnode(device)
    def circuit(z, w):
        return generator_circuit(z, w, wires=list(range(gen.n_qubits)),
                                 observables=gen.observables)

    weights = gen.weights.detach().numpy()
    rows = []
    for z in noise.numpy():
        values = [np.asarray(circuit(z, weights[p]), dtype=float)
                  for p in range(gen.n_patches)]
        rows.append(np.concatenate(values)[: gen.n_features])
    return np.array(rows)


# --- QuantumGenerator: patches and exactness ------------------------------------------------


@pytest.mark.parametrize(
    "n_qubits, n_layers, n_features, latent_dim, observables, n_patches",
    [
        (3, 2, 7, None, "Z", 3),    # 3 + 3 + 3 outputs cut to 7
        (3, 1, 3, 2, "Z", 1),       # one patch, fewer latent angles than wires
        (2, 2, 7, None, "XYZ", 2),  # 6 + 6 outputs cut to 7
        (2, 1, 5, 1, "XYZ", 1),     # one patch cut from 6 to 5
        (1, 2, 2, None, "Z", 2),
    ],
)
def test_forward_matches_per_sample_qnodes(n_qubits, n_layers, n_features, latent_dim,
                                           observables, n_patches):
    gen = QuantumGenerator(n_qubits, n_layers, n_features=n_features, latent_dim=latent_dim,
                           observables=observables, seed=4)
    assert gen.n_patches == n_patches == math.ceil(
        n_features / generator_outputs(n_qubits, observables))
    assert gen.weights.shape == (n_patches, n_layers, n_qubits, 2)
    noise = gen.noise(6, seed=0)
    out = gen(noise)
    assert out.shape == (6, n_features) and out.dtype == torch.float64
    np.testing.assert_allclose(out.detach().numpy(), reference_forward(gen, noise), atol=1e-12)


def test_default_features_and_latent_dim():
    gen = QuantumGenerator(3, 1, observables="XYZ")
    assert (gen.n_features, gen.latent_dim, gen.n_patches) == (9, 3, 1)


@pytest.mark.parametrize("n_features, n_qubits, observables", [(7, 3, "Z"), (7, 2, "XYZ")])
def test_one_batched_simulation_for_all_patches(monkeypatch, n_features, n_qubits,
                                                observables):
    calls = []
    real = _statevector.simulate_states

    def spy(operations, wires, batch_size, **kwargs):
        calls.append(batch_size)
        return real(operations, wires, batch_size, **kwargs)

    monkeypatch.setattr(_statevector, "simulate_states", spy)
    gen = QuantumGenerator(n_qubits, 1, n_features=n_features, observables=observables, seed=0)
    gen(gen.noise(50))
    assert gen.n_patches > 1 and calls == [50 * gen.n_patches]
    calls.clear()
    gen.sample(17)
    assert calls == [17 * gen.n_patches]


def test_gradients_match_finite_differences():
    gen = QuantumGenerator(2, 2, n_features=3, seed=1)
    noise = gen.noise(4, seed=2)
    coefficients = torch.linspace(-1.0, 1.0, 12, dtype=torch.float64).reshape(4, 3)

    def loss(weights):
        gen.weights.data.copy_(weights)
        with torch.no_grad():
            return float((gen(noise) * coefficients).sum())

    gen.zero_grad()
    (gen(noise) * coefficients).sum().backward()
    analytic = gen.weights.grad.clone()
    assert analytic.abs().max() > 1e-3  # the check is not vacuous

    base = gen.weights.detach().clone()
    numeric = torch.zeros_like(base)
    eps = 1e-6
    for index in np.ndindex(*base.shape):
        shift = torch.zeros_like(base)
        shift[index] = eps
        numeric[index] = (loss(base + shift) - loss(base - shift)) / (2 * eps)
    gen.weights.data.copy_(base)
    torch.testing.assert_close(analytic, numeric, atol=1e-7, rtol=1e-6)


def test_gradients_reach_every_patch():
    gen = QuantumGenerator(2, 1, n_features=5, seed=0)  # 3 patches, the last cut to 1 output
    gen(gen.noise(8)).sum().backward()
    assert torch.all(gen.weights.grad.abs().sum(dim=(1, 2, 3)) > 0)


# --- sampling and seeding ----------------------------------------------------------------------


@pytest.mark.parametrize("observables", ["Z", "XYZ"])
def test_sample_shape_and_range(observables):
    gen = QuantumGenerator(3, 2, n_features=5, observables=observables, seed=0)
    rows = gen.sample(300)
    assert rows.shape == (300, 5) and rows.dtype == torch.float64
    assert not rows.requires_grad
    assert rows.abs().max() <= 1 + 1e-12
    assert torch.all(rows.std(dim=0) > 1e-3)  # noise does reach every output


def test_sample_zero_rows():
    assert QuantumGenerator(2, 1, seed=0).sample(0).shape == (0, 2)


def test_same_seed_same_samples():
    a, b = (QuantumGenerator(2, 2, n_features=3, seed=7) for _ in range(2))
    torch.testing.assert_close(a.weights, b.weights, rtol=0, atol=0)
    first_a, first_b = a.sample(10), b.sample(10)
    torch.testing.assert_close(first_a, first_b, rtol=0, atol=0)
    # The module's own stream moves on: the next draw differs from the first.
    assert not torch.equal(a.sample(10), first_a)


def test_different_seeds_differ():
    a, b = QuantumGenerator(2, 2, seed=0), QuantumGenerator(2, 2, seed=1)
    assert not torch.equal(a.weights, b.weights)


def test_sample_with_seed_is_reproducible():
    gen = QuantumGenerator(2, 2, n_features=3, seed=7)
    first = gen.sample(10, seed=123)
    gen.sample(5)  # using the module's stream in between changes nothing
    torch.testing.assert_close(gen.sample(10, seed=123), first, rtol=0, atol=0)
    assert not torch.equal(gen.sample(10, seed=124), first)
    torch.testing.assert_close(gen.noise(4, seed=1), gen.noise(4, seed=1), rtol=0, atol=0)


def test_construction_leaves_global_rng_alone():
    state = torch.get_rng_state()
    QuantumGenerator(3, 2, seed=5).sample(4)
    MLPGenerator(2, 3, 4, seed=5).sample(4)
    assert torch.equal(state, torch.get_rng_state())


def test_latent_noise_range_and_shape():
    rng = torch.Generator().manual_seed(0)
    z = latent_noise(2000, 3, rng)
    assert z.shape == (2000, 3) and z.dtype == torch.float64
    assert z.min() >= 0 and z.max() < math.pi
    assert z.mean().item() == pytest.approx(math.pi / 2, abs=0.1)


def test_pickle_round_trip():
    gen = QuantumGenerator(2, 2, n_features=3, seed=3)
    noise = gen.noise(5, seed=0)
    expected = gen(noise)
    gen.sample(3)  # the torch generator of the noise stream exists now
    clone = pickle.loads(pickle.dumps(gen))
    torch.testing.assert_close(clone(noise), expected, rtol=0, atol=0)
    torch.testing.assert_close(clone.sample(4, seed=9), gen.sample(4, seed=9), rtol=0, atol=0)
    # The noise stream restarts from the seed, like a fresh generator's.
    torch.testing.assert_close(clone.sample(4), QuantumGenerator(2, 2, n_features=3,
                                                                 seed=3).sample(4))


# --- circuit mode (QNodes) ----------------------------------------------------------------------


def test_circuit_mode_with_shots_within_shot_noise():
    exact = QuantumGenerator(3, 2, n_features=5, seed=2)
    shots = QuantumGenerator(3, 2, n_features=5, backend="default.qubit", shots=2000, seed=2)
    assert exact.exact and not shots.exact
    noise = exact.noise(6, seed=0)
    diff = (shots(noise) - exact(noise)).abs()
    # One <P> from 2000 shots has standard deviation <= 1/sqrt(2000) ≈ 0.022; 30 values.
    assert diff.max() < 5 / math.sqrt(2000)
    assert diff.max() > 0  # it did sample


def test_circuit_mode_mixed_state_simulator_is_exact():
    exact = QuantumGenerator(2, 2, n_features=3, observables="XYZ", seed=2)
    mixed = QuantumGenerator(2, 2, n_features=3, observables="XYZ",
                             backend="default.mixed", seed=2)
    assert not mixed.exact
    noise = exact.noise(4, seed=0)
    out = mixed(noise)
    assert out.dtype == torch.float64 and out.shape == (4, 3)
    # default.mixed computes at ~1e-8 precision (measured ~6e-8 here).
    torch.testing.assert_close(out, exact(noise), atol=1e-6, rtol=0)


def test_circuit_mode_pickles_and_trains():
    gen = QuantumGenerator(2, 1, n_features=2, backend="default.mixed", seed=0)
    noise = gen.noise(3, seed=0)
    gen(noise).sum().backward()  # the QNode exists now and must not be pickled
    assert gen.weights.grad.abs().sum() > 0
    clone = pickle.loads(pickle.dumps(gen))
    torch.testing.assert_close(clone(noise), gen(noise), rtol=0, atol=0)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((2, 1), {"latent_dim": 3}, ValueError,
         r"latent_dim must be between 1 and n_qubits=2; got 3"),
        ((2, 1), {"latent_dim": 0}, ValueError, r"latent_dim must be between 1"),
        ((2, 1), {"n_features": 0}, ValueError, r"n_features and n_layers must be positive"),
        ((2, 0), {}, ValueError, r"n_layers=0"),
        ((2, 1), {"observables": "XY"}, ValueError, r"observables must be one of"),
        ((21, 1), {"backend": "default.qubit"}, ValueError, r"limit 20"),
        ((2, 1), {"backend": "no.such.device"}, Exception, r"no\.such\.device"),
    ],
)
def test_construction_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        QuantumGenerator(*args, **kwargs)


@pytest.mark.parametrize(
    "noise",
    [torch.zeros(4, 3, dtype=torch.float64), torch.zeros(4, 1, dtype=torch.float64),
     torch.zeros(2, dtype=torch.float64), torch.zeros(2, 2, 1, dtype=torch.float64)],
    ids=["too-wide", "too-narrow", "1d", "3d"],
)
def test_forward_rejects_wrong_noise_shape(noise):
    gen = QuantumGenerator(2, 1, seed=0)
    with pytest.raises(ValueError, match=r"noise must have shape \(batch, 2\); got"):
        gen(noise)


@pytest.mark.parametrize("n_samples", [-1, 2.0, 1.5, "3", None])
@pytest.mark.parametrize("make", [lambda: QuantumGenerator(2, 1, seed=0),
                                  lambda: MLPGenerator(2, 2, 3, seed=0)], ids=["quantum", "mlp"])
def test_sample_rejects_bad_counts(make, n_samples):
    with pytest.raises(ValueError, match=r"n_samples must be a non-negative integer; got"):
        make().sample(n_samples)


# --- MLPGenerator ------------------------------------------------------------------------------


def mlp_params(latent_dim, n_features, hidden):
    return parameter_count(MLPGenerator(latent_dim, n_features, hidden, seed=0))


@pytest.mark.parametrize(
    "target, latent_dim, n_features",
    [(256, 4, 30), (64, 4, 5), (32, 2, 3), (100, 3, 7), (5, 4, 30), (1000, 8, 2)],
)
def test_hidden_size_for_minimises_parameter_gap(target, latent_dim, n_features):
    hidden = MLPGenerator.hidden_size_for(target, latent_dim, n_features)
    gaps = {h: abs(mlp_params(latent_dim, n_features, h) - target)
            for h in range(1, 2 * hidden + 10)}
    assert gaps[hidden] == min(gaps.values())


def test_mlp_parameter_count_formula():
    # (latent + 1) * hidden + (hidden + 1) * n_features
    assert mlp_params(4, 30, 6) == 5 * 6 + 7 * 30 == 240


def test_mlp_generator_shape_range_and_seeding():
    gen = MLPGenerator(3, 4, 8, seed=1)
    rows = gen.sample(100)
    assert rows.shape == (100, 4) and rows.dtype == torch.float64
    assert rows.abs().max() <= 1
    twin = MLPGenerator(3, 4, 8, seed=1)
    for p, q in zip(gen.parameters(), twin.parameters()):
        assert torch.equal(p, q)
    torch.testing.assert_close(twin.sample(100), rows, rtol=0, atol=0)
    assert not torch.equal(MLPGenerator(3, 4, 8, seed=2).net[0].weight, gen.net[0].weight)


def test_mlp_generator_pickles():
    gen = MLPGenerator(2, 3, 4, seed=0)
    noise = gen.noise(5, seed=1)
    torch.testing.assert_close(pickle.loads(pickle.dumps(gen))(noise), gen(noise))


# --- Discriminator -----------------------------------------------------------------------------


@pytest.mark.parametrize("hidden_sizes", [(32, 16), (8,), ()])
def test_discriminator_output_shape(hidden_sizes):
    disc = Discriminator(5, hidden_sizes, seed=0)
    logits = disc(torch.zeros(7, 5, dtype=torch.float64))
    assert logits.shape == (7,) and logits.dtype == torch.float64


def test_discriminator_default_size():
    # 5*32 + 32, 32*16 + 16, 16 + 1
    assert parameter_count(Discriminator(5, seed=0)) == 192 + 528 + 17


def test_discriminator_seeded_init_without_touching_global_rng():
    torch.manual_seed(1234)
    state = torch.get_rng_state()
    a, b = Discriminator(4, seed=3), Discriminator(4, seed=3)
    assert torch.equal(state, torch.get_rng_state())
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    c = Discriminator(4, seed=4)
    assert not torch.equal(a.net[0].weight, c.net[0].weight)


def test_seeded_torch_restores_state():
    state = torch.get_rng_state()
    with seeded_torch(5):
        first = torch.rand(3)
    with seeded_torch(5):
        assert torch.equal(torch.rand(3), first)
    assert torch.equal(state, torch.get_rng_state())
