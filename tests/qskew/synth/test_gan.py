"""Tests for qskew.synth._gan: the shared GAN training loop (BCE and WGAN-GP)."""

import math

import pytest
import torch

from qskew import Discriminator, MLPGenerator, QuantumGenerator
from qskew.synth._gan import _gradient_penalty, train_gan
from qskew.synth._samplers import GAN_LOSSES


def real_rows(n=40, seed=0):
    """A 2-feature minority class in [-1, 1]: two blobs."""
    rng = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[-0.5, 0.4], [0.5, -0.3]], dtype=torch.float64)
    picks = torch.randint(0, 2, (n,), generator=rng)
    rows = centres[picks] + 0.1 * torch.randn(n, 2, generator=rng, dtype=torch.float64)
    return rows.clamp(-1, 1)


def make_pair(kind, seed=0):
    generator = (QuantumGenerator(2, 2, n_features=2, seed=seed) if kind == "quantum"
                 else MLPGenerator(2, 2, 8, seed=seed))
    return generator, Discriminator(2, (8,), seed=seed + 1)


def train(kind, loss, *, epochs=3, seed=0, **kwargs):
    generator, discriminator = make_pair(kind)
    options = dict(epochs=epochs, batch_size=16, lr_generator=0.05, lr_discriminator=0.01,
                   loss=loss, seed=seed)
    options.update(kwargs)
    history = train_gan(generator, discriminator, real_rows(), **options)
    return generator, discriminator, history


@pytest.mark.parametrize("kind", ["quantum", "mlp"])
@pytest.mark.parametrize("loss", GAN_LOSSES)
def test_history_per_epoch_with_finite_losses(kind, loss):
    _, _, history = train(kind, loss, epochs=3)
    assert [record["epoch"] for record in history] == [1, 2, 3]
    for record in history:
        assert set(record) == {"epoch", "d_loss", "g_loss"}
        assert math.isfinite(record["d_loss"]) and math.isfinite(record["g_loss"])


def test_bce_losses_are_positive():
    # Softplus terms: the discriminator sums two, the generator loss is one.
    _, _, history = train("quantum", "bce", epochs=2)
    assert all(r["d_loss"] > 0 and r["g_loss"] > 0 for r in history)


@pytest.mark.parametrize("loss", GAN_LOSSES)
def test_training_changes_both_networks(loss):
    generator, discriminator = make_pair("quantum")
    g0 = generator.weights.detach().clone()
    d0 = [p.detach().clone() for p in discriminator.parameters()]
    train_gan(generator, discriminator, real_rows(), epochs=1, batch_size=16,
              lr_generator=0.05, lr_discriminator=0.01, loss=loss)
    assert not torch.equal(generator.weights, g0)
    # (The WGAN critic's output bias cancels out of its loss, so not every tensor moves.)
    assert not torch.equal(discriminator.net[0].weight, d0[0])


@pytest.mark.parametrize("loss", GAN_LOSSES)
def test_same_seed_same_training(loss):
    a, da, history_a = train("quantum", loss, epochs=2, seed=3)
    b, db, history_b = train("quantum", loss, epochs=2, seed=3)
    torch.testing.assert_close(a.weights, b.weights, rtol=0, atol=0)
    for p, q in zip(da.parameters(), db.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert history_a == history_b
    c, _, _ = train("quantum", loss, epochs=2, seed=4)
    assert not torch.equal(a.weights, c.weights)


def test_training_leaves_global_rng_alone():
    state = torch.get_rng_state()
    train("mlp", "wgan-gp", epochs=1)
    assert torch.equal(state, torch.get_rng_state())


def test_n_critic_steps_per_generator_step():
    generator, discriminator = make_pair("mlp")
    steps = []
    discriminator.register_forward_hook(lambda *args: steps.append(1))
    # 40 rows, batch 40: one batch; 3 critic steps (2 forwards each for BCE) + 1 generator step.
    train_gan(generator, discriminator, real_rows(), epochs=1, batch_size=40,
              lr_generator=0.01, lr_discriminator=0.01, loss="bce", n_critic=3)
    assert len(steps) == 3 * 2 + 1


def test_batch_size_larger_than_data():
    _, _, history = train("mlp", "bce", epochs=2, batch_size=1000)
    assert len(history) == 2


def test_gradient_penalty_zero_for_unit_slope_critic():
    # D(x) = w·x with |w| = 1 has gradient norm 1 everywhere: no penalty.
    critic = torch.nn.Linear(2, 1, bias=False).double()
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[0.6, 0.8]], dtype=torch.float64))
    rng = torch.Generator().manual_seed(0)
    x = torch.randn(10, 2, dtype=torch.float64, generator=rng)
    penalty = _gradient_penalty(lambda t: critic(t)[:, 0], x, -x, rng)
    assert penalty.item() == pytest.approx(0.0, abs=1e-24)
    with torch.no_grad():
        critic.weight.mul_(3.0)  # norm 3: penalty (3 - 1)^2
    assert _gradient_penalty(lambda t: critic(t)[:, 0], x, -x, rng).item() == pytest.approx(4.0)
