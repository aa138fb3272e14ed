"""Tests for qskew.plotting: every plot returns a matplotlib Figure of the right layout."""

import pytest

matplotlib = pytest.importorskip("matplotlib")  # the "plots" extra
matplotlib.use("Agg")  # before pyplot: no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from qskew.plotting import (  # noqa: E402
    plot_correlation_difference,
    plot_gan_history,
    plot_marginals,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def sample(n_features, seed=0, n=40):
    return np.random.default_rng(seed).normal(size=(n, n_features))


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


@pytest.mark.parametrize(
    "n_features, kwargs, n_visible, grid",
    [
        (1, {}, 1, 1),
        (3, {}, 3, 3),
        (5, {}, 5, 8),        # 2 rows of 4, 3 panels hidden
        (20, {}, 12, 12),     # max_features=12 by default
        (6, {"max_features": 2}, 2, 2),
        (6, {"features": ["x1", "x4", "x5"]}, 3, 3),
    ],
)
def test_plot_marginals_axes(n_features, kwargs, n_visible, grid):
    fig = plot_marginals(sample(n_features), sample(n_features, seed=1), **kwargs)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == grid
    assert len(visible_axes(fig)) == n_visible


def test_plot_marginals_titles_from_dataframe():
    real = pd.DataFrame(sample(2), columns=["amount", "age"])
    fig = plot_marginals(real, sample(2, seed=1))
    assert [ax.get_title() for ax in fig.axes] == ["amount", "age"]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["real",
                                                                           "synthetic"]


def test_plot_marginals_ecdf():
    real, synthetic = sample(2, n=30), sample(2, seed=1, n=50)
    fig = plot_marginals(real, synthetic, kind="ecdf")
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    for line, data in zip(lines, (real[:, 0], synthetic[:, 0])):
        x, y = line.get_data()
        np.testing.assert_allclose(x, np.sort(data))
        np.testing.assert_allclose(y, np.arange(1, len(data) + 1) / len(data))


def test_plot_marginals_hist_draws_bars():
    fig = plot_marginals(sample(1), sample(1, seed=1), bins=7)
    assert len(fig.axes[0].patches) == 2 * 7


@pytest.mark.parametrize("kind", ["kde", "HIST", None])
def test_plot_marginals_bad_kind(kind):
    with pytest.raises(ValueError, match=r"kind must be 'hist' or 'ecdf'; got"):
        plot_marginals(sample(2), sample(2), kind=kind)


def test_plot_correlation_difference():
    real = pd.DataFrame(sample(3), columns=["a", "b", "c"])
    synthetic = sample(3, seed=1)
    fig = plot_correlation_difference(real, synthetic)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2  # heat map and colour bar
    image = fig.axes[0].get_images()[0]
    expected = (pd.DataFrame(synthetic, columns=["a", "b", "c"]).corr() - real.corr()).to_numpy()
    np.testing.assert_allclose(image.get_array(), expected)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b", "c"]


def test_plot_correlation_difference_constant_column():
    real = sample(2)
    real[:, 1] = 1.0
    fig = plot_correlation_difference(real, sample(2, seed=1))
    assert np.isfinite(fig.axes[0].get_images()[0].get_array()).all()


def history(epochs, offset=0.0):
    return [{"epoch": e, "d_loss": 1.3 + offset - 0.01 * e, "g_loss": 0.7 + offset + 0.01 * e}
            for e in range(1, epochs + 1)]


def test_plot_gan_history_single():
    fig = plot_gan_history(history(5))
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["discriminator", "generator"]
    np.testing.assert_allclose(lines[0].get_xdata(), np.arange(1, 6))
    np.testing.assert_allclose(lines[1].get_ydata(), [r["g_loss"] for r in history(5)])


def test_plot_gan_history_per_class():
    fig = plot_gan_history({1: history(4), 2: history(4, offset=0.5)})
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["class 1: discriminator", "class 1: generator",
                      "class 2: discriminator", "class 2: generator"]


def test_plot_gan_history_of_a_fitted_sampler():
    from qskew import GANOverSampler

    X = np.vstack([sample(2, n=30), sample(2, seed=1, n=8) + 3])
    y = np.r_[np.zeros(30, int), np.ones(8, int)]
    sampler = GANOverSampler(epochs=3, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert isinstance(plot_gan_history(sampler.history_), Figure)
    assert isinstance(plot_marginals(X[y == 1], X_res[len(X):]), Figure)
