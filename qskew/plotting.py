"""Plots of synthetic-data fidelity and GAN training (matplotlib, returned as figures).

matplotlib is optional: ``pip install 'qskew[plots]'``.
"""

import numpy as np
import pandas as pd


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "qskew's plots need matplotlib; install it with: pip install 'qskew[plots]'"
        ) from exc
    return plt


def _frames(real, synthetic):
    real = real if isinstance(real, pd.DataFrame) else pd.DataFrame(
        np.asarray(real, float), columns=[f"x{i}" for i in range(np.shape(real)[1])])
    synthetic = pd.DataFrame(np.asarray(synthetic, float), columns=real.columns)
    return real, synthetic


def plot_marginals(real, synthetic, *, features=None, kind="hist", bins=30, max_features=12):
    """Real vs synthetic marginal distribution of each feature, one panel per feature.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_features)
    features : list, optional
        Columns to show (default: the first ``max_features``).
    kind : {"hist", "ecdf"}, default="hist"
        Density histograms or empirical CDFs.
    bins : int, default=30
    max_features : int, default=12

    Returns
    -------
    matplotlib.figure.Figure
    """
    if kind not in ("hist", "ecdf"):
        raise ValueError(f"kind must be 'hist' or 'ecdf'; got {kind!r}.")
    plt = _pyplot()
    real, synthetic = _frames(real, synthetic)
    features = list(real.columns[:max_features]) if features is None else list(features)
    n_cols = min(4, len(features))
    n_rows = -(-len(features) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.2 * n_cols, 2.6 * n_rows),
                             squeeze=False)
    for ax, name in zip(axes.flat, features):
        for data, label in ((real[name], "real"), (synthetic[name], "synthetic")):
            if kind == "hist":
                ax.hist(data, bins=bins, density=True, alpha=0.5, label=label)
            else:
                values = np.sort(data.to_numpy())
                ax.step(values, np.arange(1, len(values) + 1) / len(values), label=label)
        ax.set_title(str(name), fontsize=9)
    for ax in list(axes.flat)[len(features):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_correlation_difference(real, synthetic):
    """Heat map of ``corr(synthetic) − corr(real)`` (Pearson), in ``[-2, 2]``.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_features)

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    real, synthetic = _frames(real, synthetic)
    diff = (synthetic.corr().fillna(0) - real.corr().fillna(0)).to_numpy()
    size = max(4.0, 0.3 * len(real.columns))
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(diff, cmap="RdBu_r", vmin=-2, vmax=2)
    ax.set_xticks(range(len(real.columns)), real.columns, rotation=90, fontsize=7)
    ax.set_yticks(range(len(real.columns)), real.columns, fontsize=7)
    ax.set_title("correlation difference (synthetic − real)")
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return fig


def plot_gan_history(history):
    """Discriminator and generator loss per epoch.

    Parameters
    ----------
    history : list of dict or dict of list of dict
        A GAN's history (``epoch``, ``d_loss``, ``g_loss``) or an oversampler's
        ``history_`` (one history per class).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    histories = history if isinstance(history, dict) else {"": history}
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, records in histories.items():
        frame = pd.DataFrame(records)
        prefix = f"class {label}: " if label != "" else ""
        ax.plot(frame["epoch"], frame["d_loss"], label=f"{prefix}discriminator")
        ax.plot(frame["epoch"], frame["g_loss"], label=f"{prefix}generator", linestyle="--")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
