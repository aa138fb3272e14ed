"""The GAN training loop shared by the quantum and classical oversamplers."""

import torch
from torch import nn

from qskew import _progress
from qskew.synth._generator import latent_noise


def _gradient_penalty(discriminator, real, fake, rng):
    """WGAN-GP term ``(‖∇D(x̂)‖ − 1)²`` on random interpolates (Gulrajani et al. 2017)."""
    alpha = torch.rand(len(real), 1, generator=rng, dtype=real.dtype)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(discriminator(mixed).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def _discriminator_loss(discriminator, real, fake, loss, gp_weight, rng):
    if loss == "bce":
        logits_real, logits_fake = discriminator(real), discriminator(fake)
        return (nn.functional.softplus(-logits_real).mean()
                + nn.functional.softplus(logits_fake).mean())
    penalty = _gradient_penalty(discriminator, real, fake, rng)
    return discriminator(fake).mean() - discriminator(real).mean() + gp_weight * penalty


def _generator_loss(discriminator, fake, loss):
    logits = discriminator(fake)
    # Non-saturating loss: maximise log D(G(z)) rather than minimise log(1 - D(G(z))).
    return nn.functional.softplus(-logits).mean() if loss == "bce" else -logits.mean()


def train_gan(generator, discriminator, X, *, epochs, batch_size, lr_generator,
              lr_discriminator, loss="bce", n_critic=1, gp_weight=10.0, seed=0,
              desc="GAN training"):
    """Train ``generator`` against ``discriminator`` on the rows of ``X``.

    Parameters
    ----------
    generator : torch.nn.Module
        Has ``latent_dim``, ``noise(n, seed=...)`` and maps noise to rows.
    discriminator : torch.nn.Module
        Maps rows to logits (``"bce"``) or critic scores (``"wgan-gp"``).
    X : torch.Tensor of shape (n_samples, n_features)
        Real rows, already scaled to the generator's range.
    epochs : int
        Passes over ``X``; each mini-batch makes ``n_critic`` discriminator
        steps and one generator step.
    batch_size : int
    lr_generator, lr_discriminator : float
        Adam step sizes (betas 0.5, 0.999, as usual for GANs).
    loss : {"bce", "wgan-gp"}, default="bce"
        Non-saturating GAN loss, or Wasserstein loss with gradient penalty.
    n_critic : int, default=1
        Discriminator steps per generator step.
    gp_weight : float, default=10.0
        Gradient-penalty weight (``"wgan-gp"``).
    seed : int, default=0
        Seeds shuffling, noise and interpolates.
    desc : str, default="GAN training"
        Label of the progress bar over the epochs (:mod:`qskew._progress`),
        which shows the mean losses of the last epoch.

    Returns
    -------
    list of dict
        Per epoch: ``epoch``, ``d_loss`` and ``g_loss`` (means over batches).
    """
    rng = torch.Generator().manual_seed(int(seed))
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr_generator, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr_discriminator, betas=(0.5, 0.999))
    batch_size = min(batch_size, len(X))
    history = []
    with _progress.progress(total=epochs, desc=desc, unit="epoch") as bar:
        for epoch in range(epochs):
            order = torch.randperm(len(X), generator=rng)
            d_total = g_total = 0.0
            n_batches = 0
            for start in range(0, len(X), batch_size):
                real = X[order[start : start + batch_size]]
                for _ in range(n_critic):
                    noise = latent_noise(len(real), generator.latent_dim, rng, real.dtype)
                    with torch.no_grad():
                        fake = generator(noise)
                    opt_d.zero_grad()
                    d_loss = _discriminator_loss(discriminator, real, fake, loss, gp_weight, rng)
                    d_loss.backward()
                    opt_d.step()
                noise = latent_noise(len(real), generator.latent_dim, rng, real.dtype)
                opt_g.zero_grad()
                g_loss = _generator_loss(discriminator, generator(noise), loss)
                g_loss.backward()
                opt_g.step()
                d_total += d_loss.item()
                g_total += g_loss.item()
                n_batches += 1
            history.append({"epoch": epoch + 1, "d_loss": d_total / n_batches,
                            "g_loss": g_total / n_batches})
            bar.set_postfix(d_loss=history[-1]["d_loss"], g_loss=history[-1]["g_loss"],
                            refresh=False)
            bar.update()
    return history
