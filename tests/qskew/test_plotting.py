"""Tests for qskew.plotting: every plot returns a matplotlib Figure of the right layout,
which pyplot does not hold (so a notebook shows it once)."""

import sys
from types import SimpleNamespace

import pytest

matplotlib = pytest.importorskip("matplotlib")  # the "plots" extra
matplotlib.use("Agg")  # before pyplot: no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score, precision_recall_curve  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from qskew import plotting  # noqa: E402
from qskew.plotting import (  # noqa: E402
    plot_correlation_difference,
    plot_gan_history,
    plot_kernel_matrix,
    plot_marginals,
    plot_precision_recall,
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


def test_marginal_and_correlation_plots_take_a_title():
    real, synthetic = sample(2), sample(2, seed=1)
    assert plot_marginals(real, synthetic, title="QGAN")._suptitle.get_text() == "QGAN"
    fig = plot_correlation_difference(real, synthetic, title="GAN: corr difference")
    assert fig.axes[0].get_title() == "GAN: corr difference"


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


# -- figures outside pyplot (shown once in a notebook) -----------------------------

Y = np.array([0, 0, 1, 0, 1, 0, 0, 1])
SCORES = np.array([0.1, 0.4, 0.35, 0.2, 0.8, 0.05, 0.3, 0.9])

PLOTS = {
    "marginals": lambda: plot_marginals(sample(2), sample(2, seed=1)),
    "correlation_difference": lambda: plot_correlation_difference(sample(3), sample(3, 1)),
    "gan_history": lambda: plot_gan_history(history(3)),
    "kernel_matrix": lambda: plot_kernel_matrix(np.eye(4), [0, 1, 0, 1]),
    "precision_recall": lambda: plot_precision_recall({"a": (Y, SCORES)}),
}


@pytest.mark.parametrize("plot", PLOTS.values(), ids=PLOTS.keys())
def test_plots_return_figures_pyplot_does_not_hold(plot):
    plt.close("all")
    fig = plot()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == []  # nothing for pyplot's inline backend to show again
    fig.savefig(__import__("io").BytesIO(), format="png")


class Formatter:
    def __init__(self, registered):
        self.registered = registered

    def lookup_by_type(self, cls):
        if not self.registered:
            raise KeyError(cls)
        return repr


def fake_shell(name, registered):
    shell = type(name, (), {})()
    shell.display_formatter = SimpleNamespace(formatters={"image/png": Formatter(registered)})
    return shell


@pytest.mark.parametrize("shell, loads", [
    (fake_shell("ZMQInteractiveShell", False), 1),  # a kernel before pyplot loaded a backend
    (fake_shell("ZMQInteractiveShell", True), 0),   # the inline backend's formatter is there
    (None, 0),                                       # a script or a terminal
])
def test_a_kernel_gets_pyplots_backend_loaded_once(monkeypatch, shell, loads):
    monkeypatch.setattr(plotting, "_jupyter_shell", lambda: shell)
    created = []
    figure = plt.figure
    monkeypatch.setattr(plt, "figure", lambda *a, **k: created.append(1) or figure(*a, **k))
    assert isinstance(plot_gan_history(history(2)), Figure)
    assert len(created) == loads
    assert plt.get_fignums() == []


class Colab(type("ZMQInteractiveShell", (), {})):  # kernels subclass ipykernel's shell
    pass


@pytest.mark.parametrize("shell, found", [
    (type("ZMQInteractiveShell", (), {})(), True),
    (Colab(), True),
    (type("TerminalInteractiveShell", (), {})(), False),
    (None, False),  # IPython imported, no shell running
])
def test_jupyter_shell_is_found_only_in_a_kernel(monkeypatch, shell, found):
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: shell))
    assert plotting._jupyter_shell() is (shell if found else None)
    monkeypatch.delitem(sys.modules, "IPython")
    assert plotting._jupyter_shell() is None


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'qskew\[plots\]'"):
        plot_kernel_matrix(np.eye(2))


# -- plot_kernel_matrix ----------------------------------------------------------------


def test_plot_kernel_matrix_groups_rows_and_columns_by_class():
    K = np.arange(25.0).reshape(5, 5)
    y = np.array(["b", "a", "b", "c", "a"])
    fig = plot_kernel_matrix(K, y)
    ax, colorbar = fig.axes
    order = [1, 4, 0, 2, 3]  # class a, then b, then c; stable within a class
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), K[np.ix_(order, order)])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    np.testing.assert_allclose(ax.get_yticks(), [0.5, 2.5, 4.0])  # block centres
    boundaries = sorted({line.get_ydata()[0] for line in ax.get_lines()
                         if line.get_ydata()[0] == line.get_ydata()[1]})
    assert boundaries == [1.5, 3.5]  # between a|b and b|c
    assert colorbar.get_ylabel() == "k(x, x')"


def test_plot_kernel_matrix_without_labels_keeps_the_order():
    K = np.random.default_rng(0).uniform(size=(3, 4))  # K(X_a, X_b) may be rectangular
    ax = plot_kernel_matrix(K).axes[0]
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), K)
    assert ax.get_lines() == []


@pytest.mark.parametrize("K, clim", [
    (np.array([[1.0, 0.2], [0.2, 1.0]]), (0.0, 1.0)),  # fidelity-like: the full range
    (np.array([[3.0, -1.0], [-1.0, 2.0]]), (-1.0, 3.0)),  # any other Gram: its own range
])
def test_plot_kernel_matrix_colour_range(K, clim):
    image = plot_kernel_matrix(K).axes[0].get_images()[0]
    assert image.get_clim() == clim


def test_plot_kernel_matrix_draws_into_given_axes():
    fig = Figure()
    ax = fig.subplots(1, 2)[1]
    assert plot_kernel_matrix(np.eye(3), ax=ax, title="mine") is fig
    assert ax.get_title() == "mine" and len(ax.get_images()) == 1


@pytest.mark.parametrize("K, y, kwargs, error, match", [
    (np.ones(3), None, {}, ValueError, r"2-D kernel matrix.*got shape \(3,\)"),
    (np.ones((0, 0)), None, {}, ValueError, "non-empty"),
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), None, {}, ValueError,
     "2 NaN or infinite entries"),
    (np.array([["a", "b"], ["c", "d"]]), None, {}, TypeError, "real-valued"),
    (np.eye(2) + 0j, None, {}, TypeError, "real-valued"),
    (np.ones((2, 3)), [0, 1], {}, ValueError, r"square K.*got shape \(2, 3\)"),
    (np.eye(3), [0, 1], {}, ValueError, r"one label per row of K \(3\); got shape \(2,\)"),
    (np.eye(2), None, {"ax": "left"}, TypeError, r"matplotlib Axes \(or None.*got str"),
])
def test_plot_kernel_matrix_bad_input(K, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_kernel_matrix(K, y, **kwargs)


# -- plot_precision_recall -----------------------------------------------------------


def legend_texts(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_plot_precision_recall_legend_gives_each_average_precision():
    fig = plot_precision_recall({"model A": (Y, SCORES), "model B": (Y, -SCORES)})
    assert legend_texts(fig) == [
        f"model A (AP {average_precision_score(Y, SCORES):.3f})",
        f"model B (AP {average_precision_score(Y, -SCORES):.3f})",
        "prevalence 0.375"]
    steps = fig.axes[0].get_lines()[0]
    precision, recall, _ = precision_recall_curve(Y, SCORES, drop_intermediate=True)
    np.testing.assert_allclose(steps.get_xdata(), recall)
    np.testing.assert_allclose(steps.get_ydata(), precision)
    baseline = fig.axes[0].get_lines()[-1]
    assert baseline.get_ydata()[0] == pytest.approx(3 / 8)


def test_plot_precision_recall_one_baseline_per_prevalence():
    other = np.array([0, 1, 1, 1])
    fig = plot_precision_recall({"a": (Y, SCORES), "b": (other, [0.1, 0.2, 0.3, 0.4])})
    assert legend_texts(fig)[2:] == ["a: prevalence 0.375", "b: prevalence 0.75"]


def test_plot_precision_recall_of_score_vectors_and_classifiers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=80) > 1.0, "attack", "normal")
    logistic = LogisticRegression().fit(X, y)
    svc = SVC().fit(X, y)  # no predict_proba: scored by decision_function
    positive = y == "attack"
    fig = plot_precision_recall({"logistic": logistic, "svc": svc, "x0": X[:, 0]},
                                X=X, y=y, pos_label="attack")
    proba = logistic.predict_proba(X)[:, list(logistic.classes_).index("attack")]
    # classes_ are sorted, so "attack" is the negative column of the decision function
    expected = [average_precision_score(positive, s)
                for s in (proba, -svc.decision_function(X), X[:, 0])]
    assert legend_texts(fig)[:3] == [f"{name} (AP {ap:.3f})" for name, ap
                                     in zip(["logistic", "svc", "x0"], expected)]
    assert fig.axes[0].get_title() == "precision-recall (positive class 'attack')"


def test_plot_precision_recall_boolean_and_signed_labels_default_to_positive_one():
    for labels in (Y.astype(bool), 2 * Y - 1):
        fig = plot_precision_recall({"a": (labels, SCORES)})
        assert legend_texts(fig)[0] == f"a (AP {average_precision_score(Y, SCORES):.3f})"


def test_plot_precision_recall_draws_into_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_precision_recall({"a": (Y, SCORES)}, ax=ax) is fig
    assert len(ax.get_lines()) == 2


@pytest.mark.parametrize("curves, kwargs, error, match", [
    ({}, {}, TypeError, r"non-empty dict .* got dict \(empty\)"),
    ([(Y, SCORES)], {}, TypeError, "curves must be a non-empty dict .* got list"),
    ({"a": "scores"}, {}, TypeError, r"curves\['a'\] must be .* got str"),
    ({"a": (Y, SCORES, 1)}, {}, ValueError, r"pair \(y_true, y_score\); got a tuple of 3"),
    ({"a": SCORES}, {}, ValueError, r"score vector; pass the true labels as y="),
    ({"a": LogisticRegression()}, {"y": Y}, ValueError, "classifier; pass .* X= and y="),
    ({"a": ([0, 1, 2, 1], [0.1, 0.2, 0.3, 0.4])}, {}, ValueError,
     r"binary labels; y_true of 'a' has 3 classes \[0, 1, 2\]"),
    ({"a": (["x", "y"], [0.1, 0.2])}, {}, ValueError, r"pos_label='y'"),
    ({"a": (Y, SCORES)}, {"pos_label": 2}, ValueError, "no row of the positive class 2"),
    ({"a": (np.zeros(4, int), [0.1, 0.2, 0.3, 0.4])}, {}, ValueError,
     "no row of the positive class 1"),
    ({"a": (Y, np.c_[1 - SCORES, SCORES])}, {}, ValueError, r"1-D.*proba\[:, 1\]"),
    ({"a": (Y, SCORES[:5])}, {}, ValueError, "'a' has 5 scores for 8 labels"),
    ({"a": (Y, np.where(Y, np.nan, SCORES))}, {}, ValueError, "3 NaN or infinite"),
    ({"a": (Y, SCORES.astype(str))}, {}, TypeError, "scores of 'a' must be numbers"),
    ({"a": (Y, SCORES)}, {"ax": 1}, TypeError, r"matplotlib Axes \(or None.*got int"),
])
def test_plot_precision_recall_bad_input(curves, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_precision_recall(curves, **kwargs)
    assert plt.get_fignums() == []


def test_plot_precision_recall_unfitted_classifier():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_precision_recall({"a": LogisticRegression()}, X=np.ones((8, 2)), y=Y)
