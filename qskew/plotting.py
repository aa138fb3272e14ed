"""Plots for notebooks and reports: kernel matrices, precision-recall curves,
synthetic-data fidelity and GAN training.

Every function returns a :class:`matplotlib.figure.Figure` that pyplot does not manage:
a notebook shows it once, where it is a cell's last expression or passed to
``display``; ``fig = plot_...(...)`` shows nothing, and no figure stays open in pyplot.
Save one with ``fig.savefig("plot.png")``.

matplotlib is optional: ``pip install 'qskew[plots]'``.
"""

import sys
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: IPython display formatters that matplotlib's inline backend may register for Figure.
_FIGURE_MIMETYPES = ("image/png", "image/svg+xml", "image/jpeg", "application/pdf")


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "qskew's plots need matplotlib; install it with: pip install 'qskew[plots]'"
        ) from exc
    return Figure


def _new_figure(**kwargs):
    """A Figure pyplot does not manage, so that a notebook shows it only when asked."""
    figure_class = _figure_class()
    _enable_notebook_display(figure_class)
    return figure_class(**kwargs)


def _jupyter_shell():
    """IPython's shell when this runs in a Jupyter kernel (notebook, VS Code, Colab), else
    None; IPython itself is not imported."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not any(c.__name__ == "ZMQInteractiveShell"
                                for c in type(shell).__mro__):
        return None
    return shell


def _enable_notebook_display(figure_class):
    """In a Jupyter kernel, let pyplot load its backend once, so a returned Figure renders.

    IPython draws a Figure with the formatter that matplotlib's inline backend registers
    when pyplot first loads it: in a notebook that has not used pyplot yet, a Figure
    would show as text only (``<Figure size 640x480 with 1 Axes>``).
    """
    shell = _jupyter_shell()
    if shell is None:
        return  # a script or a terminal: no GUI backend is started here
    formatters = shell.display_formatter.formatters
    for mimetype in _FIGURE_MIMETYPES:
        try:
            formatters[mimetype].lookup_by_type(figure_class)
            return
        except KeyError:
            continue
    import matplotlib.pyplot as plt

    plt.close(plt.figure())  # loads the backend (inline: registers the formatter)


def _target(ax, figsize):
    """``(figure, axes)``: the given axes and its figure, or a new figure of one axes."""
    if ax is None:
        fig = _new_figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot()
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (or None for a new figure); got "
                        f"{type(ax).__name__}.")
    fig = ax.figure
    return getattr(fig, "figure", fig), ax  # the root figure of an axes in a SubFigure


def _frames(real, synthetic):
    real = real if isinstance(real, pd.DataFrame) else pd.DataFrame(
        np.asarray(real, float), columns=[f"x{i}" for i in range(np.shape(real)[1])])
    synthetic = pd.DataFrame(np.asarray(synthetic, float), columns=real.columns)
    return real, synthetic


def plot_marginals(real, synthetic, *, features=None, kind="hist", bins=30, max_features=12,
                   title=None):
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
    title : str, optional
        Above the panels, e.g. which sampler made the synthetic rows.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if kind not in ("hist", "ecdf"):
        raise ValueError(f"kind must be 'hist' or 'ecdf'; got {kind!r}.")
    real, synthetic = _frames(real, synthetic)
    features = list(real.columns[:max_features]) if features is None else list(features)
    n_cols = min(4, len(features))
    n_rows = -(-len(features) // n_cols)
    fig = _new_figure(figsize=(3.2 * n_cols, 2.6 * n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
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
    if title is not None:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_correlation_difference(real, synthetic, *, title=None):
    """Heat map of ``corr(synthetic) − corr(real)`` (Pearson), in ``[-2, 2]``.

    Parameters
    ----------
    real, synthetic : DataFrame or array-like of shape (n, n_features)
    title : str, optional
        Default: ``"correlation difference (synthetic − real)"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    real, synthetic = _frames(real, synthetic)
    diff = (synthetic.corr().fillna(0) - real.corr().fillna(0)).to_numpy()
    size = max(4.0, 0.3 * len(real.columns))
    fig = _new_figure(figsize=(size + 1, size))
    ax = fig.add_subplot()
    image = ax.imshow(diff, cmap="RdBu_r", vmin=-2, vmax=2)
    ax.set_xticks(range(len(real.columns)), real.columns, rotation=90, fontsize=7)
    ax.set_yticks(range(len(real.columns)), real.columns, fontsize=7)
    ax.set_title("correlation difference (synthetic − real)" if title is None else title)
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
    histories = history if isinstance(history, dict) else {"": history}
    fig = _new_figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
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


def _kernel_values(K):
    K = np.asarray(K)
    if K.dtype.kind not in "biuf":
        raise TypeError(f"K must be a real-valued kernel matrix; got dtype {K.dtype}.")
    if K.ndim != 2 or K.size == 0:
        raise ValueError(f"K must be a non-empty 2-D kernel matrix (n_a, n_b); got shape "
                         f"{K.shape}.")
    bad = int(np.size(K) - np.isfinite(K).sum())
    if bad:
        raise ValueError(f"K has {bad} NaN or infinite entries; a kernel matrix must be "
                         "finite (check the data and the kernel's parameters).")
    return K.astype(float, copy=False)


def _class_blocks(y, shape):
    """Rows in class order (stable within a class), block ends, and the class names."""
    y = np.asarray(y)
    if shape[0] != shape[1]:
        raise ValueError(f"ordering by class needs a square K (a Gram matrix K(X, X)); got "
                         f"shape {shape}. Pass y=None to draw K(X_a, X_b) as it is.")
    if y.ndim != 1 or len(y) != shape[0]:
        raise ValueError(f"y must hold one label per row of K ({shape[0]}); got shape "
                         f"{y.shape}.")
    names, codes = np.unique(y, return_inverse=True)
    return np.argsort(codes, kind="stable"), np.cumsum(np.bincount(codes)), names


def plot_kernel_matrix(K, y=None, *, ax=None, cmap="viridis", vmin=None, vmax=None,
                       title=None, label="k(x, x')"):
    """Heat map of a kernel (Gram) matrix, its rows and columns grouped by class.

    With ``y``, rows and columns are put in class order (stably: within a class they keep
    their order), lines mark where one class ends and the next begins, and the ticks name
    the classes: a kernel that separates the classes shows bright diagonal blocks.

    Parameters
    ----------
    K : array-like of shape (n_samples_a, n_samples_b)
        A kernel matrix, e.g. ``QuantumKernel()(X)``; square when ``y`` is given.
    y : array-like of shape (n_samples_a,), optional
        Class labels of K's rows (and columns).
    ax : matplotlib Axes, optional
        Draw here (default: a new figure). In a notebook, pyplot also shows a figure of its
        own (from ``plt.subplots``): end that cell with ``;``.
    cmap : str or Colormap, default="viridis"
    vmin, vmax : float, optional
        Colour range. Default: [0, 1] when every entry lies in it (fidelity and projected
        kernels, so that a concentrated kernel looks flat, as it is), else the entries'
        range.
    title : str, optional
        Default: ``"kernel matrix"``, and how the rows are ordered.
    label : str, default="k(x, x')"
        The colour bar's label (e.g. ``"|device - exact|"`` for a matrix of errors).

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the one holding ``ax``.

    Raises
    ------
    TypeError
        If K is not real-valued, or ``ax`` is not a matplotlib Axes.
    ValueError
        If K is not a finite non-empty 2-D matrix, or ``y`` does not fit it.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from qskew import QuantumKernel
    >>> X = np.array([[0.1, 0.2], [3.0, 2.9], [0.2, 0.1], [2.8, 3.1]])
    >>> y = np.array(["normal", "attack", "normal", "attack"])
    >>> fig = plot_kernel_matrix(QuantumKernel(feature_map="angle", reps=1)(X), y)
    >>> [label.get_text() for label in fig.axes[0].get_yticklabels()]
    ['attack', 'normal']
    >>> fig.savefig(io.BytesIO(), format="png")  # or fig.savefig("kernel.png")
    """
    K = _kernel_values(K)
    if y is None:
        rows, columns, ends, names = np.arange(K.shape[0]), np.arange(K.shape[1]), [], []
    else:
        rows, ends, names = _class_blocks(y, K.shape)
        columns = rows
    if vmin is None and vmax is None and K.min() >= 0.0 and K.max() <= 1.0:
        vmin, vmax = 0.0, 1.0
    fig, ax = _target(ax, figsize=(5.4, 4.6))
    image = ax.imshow(K[np.ix_(rows, columns)], cmap=cmap, vmin=vmin, vmax=vmax)
    for end in ends[:-1]:
        ax.axhline(end - 0.5, color="white", linewidth=1.2)
        ax.axvline(end - 0.5, color="white", linewidth=1.2)
    if y is not None:
        centres = (np.r_[0, ends[:-1]] + ends - 1) / 2
        ax.set_xticks(centres, [str(n) for n in names])
        ax.set_yticks(centres, [str(n) for n in names])
        ax.set(xlabel="class", ylabel="class")
    else:
        ax.set(xlabel="sample", ylabel="sample")
    ax.set_title(title if title is not None else
                 "kernel matrix" + (", rows and columns by class" if y is not None else ""))
    fig.colorbar(image, ax=ax, label=label)
    return fig


def _label_text(value):
    return repr(value.item() if isinstance(value, np.generic) else value)


def _curve_data(name, value, X, y):
    """``(y_true, y_score)`` of one entry of ``curves``, before the label checks."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"curves[{name!r}] must be a pair (y_true, y_score); got a "
                             f"tuple of {len(value)}.")
        return value
    if hasattr(value, "fit"):  # an estimator: score X
        if X is None or y is None:
            raise ValueError(f"curves[{name!r}] is a classifier; pass the rows to score and "
                             "their labels as X= and y=.")
        return y, value
    if isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        raise TypeError(f"curves[{name!r}] must be (y_true, y_score), a score vector or a "
                        f"fitted classifier; got {type(value).__name__}.")
    if y is None:
        raise ValueError(f"curves[{name!r}] is a score vector; pass the true labels as y=, "
                         "or give a pair (y_true, y_score).")
    return y, value


def _positive(name, y_true, pos_label):
    """The positive class of ``y_true``: ``pos_label``, or 1 for {0, 1} / {-1, 1} labels."""
    classes = np.unique(y_true).tolist()
    if len(classes) > 2:
        raise ValueError(f"precision-recall needs binary labels; y_true of {name!r} has "
                         f"{len(classes)} classes {classes}. Score one class against the "
                         "rest (y_true == c) to draw its curve.")
    if pos_label is None:
        if not (set(classes) <= {0, 1} or set(classes) <= {-1, 1}):
            raise ValueError(f"y_true of {name!r} has labels {classes}; say which is the "
                             f"positive (minority) class, e.g. pos_label={classes[-1]!r}.")
        pos_label = 1
    if pos_label not in classes:
        raise ValueError(f"y_true of {name!r} has no row of the positive class "
                         f"{_label_text(pos_label)} (labels {classes}): its precision-recall "
                         "curve is undefined. Score rows that include positives.")
    return pos_label


def _estimator_scores(name, model, X, pos_label):
    """The positive class's ``predict_proba`` column, else its ``decision_function``."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    classes = np.asarray(model.classes_).tolist()
    if len(classes) != 2 or pos_label not in classes:
        raise ValueError(f"curves[{name!r}] must be a binary classifier of the positive class "
                         f"{_label_text(pos_label)}; its classes_ are {classes}.")
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, classes.index(pos_label)]
    if hasattr(model, "decision_function"):
        scores = np.asarray(model.decision_function(X), float)
        return scores if pos_label == classes[1] else -scores
    raise TypeError(f"curves[{name!r}] ({type(model).__name__}) has neither predict_proba nor "
                    "decision_function; pass its scores instead.")


def _resolve_curve(name, value, X, y, pos_label):
    y_true, score = _curve_data(name, value, X, y)
    y_true = np.asarray(y_true)
    if y_true.ndim != 1:
        raise ValueError(f"y_true of {name!r} must be 1-D; got shape {y_true.shape}.")
    positive = _positive(name, y_true, pos_label)
    if hasattr(score, "fit"):
        score = _estimator_scores(name, score, X, positive)
    score = np.asarray(score)
    if score.dtype.kind not in "biuf":
        raise TypeError(f"scores of {name!r} must be numbers; got dtype {score.dtype}.")
    if score.ndim != 1:
        raise ValueError(f"scores of {name!r} must be 1-D, one per row; got shape "
                         f"{score.shape} (of predict_proba's output take the positive "
                         "class's column, e.g. proba[:, 1]).")
    if len(score) != len(y_true):
        raise ValueError(f"{name!r} has {len(score)} scores for {len(y_true)} labels; score "
                         "the rows the labels belong to.")
    if not np.isfinite(score).all():
        raise ValueError(f"scores of {name!r} hold {int((~np.isfinite(score)).sum())} NaN or "
                         "infinite values; every scored row needs a finite score.")
    return y_true == positive, score, positive


def plot_precision_recall(curves, *, X=None, y=None, pos_label=None, ax=None, title=None):
    """Precision-recall curves of several models on one axes, against the prevalence.

    Each curve's legend entry gives its average precision (AP, the step-wise area under
    the curve, :func:`sklearn.metrics.average_precision_score`). The dashed line is the
    prevalence: the precision of scores that know nothing (one line per curve when the
    curves are scored on rows of different prevalence).

    Parameters
    ----------
    curves : dict
        ``name -> curve``, in legend order, each curve one of

        - a tuple ``(y_true, y_score)``;
        - a score vector ``y_score`` (higher means more likely positive), labelled by ``y``;
        - a fitted binary classifier, scoring ``X`` (labelled by ``y``) with the positive
          class's column of ``predict_proba``, else with ``decision_function``.
    X : array-like of shape (n_samples, n_features), optional
        Rows the classifiers in ``curves`` score.
    y : array-like of shape (n_samples,), optional
        True labels of the score vectors and of ``X``.
    pos_label : int, float, bool or str, optional
        The positive (minority) class. Default: 1, for labels in {0, 1} or {-1, 1}.
    ax : matplotlib Axes, optional
        Draw here (default: a new figure). In a notebook, pyplot also shows a figure of its
        own (from ``plt.subplots``): end that cell with ``;``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the one holding ``ax``.

    Raises
    ------
    TypeError
        If ``curves`` is not a non-empty dict, an entry is of none of the kinds above, or
        scores are not numbers.
    ValueError
        If labels are not binary or hold no positive row, ``pos_label`` is needed, scores
        do not match their labels or are not finite, or ``X`` / ``y`` is missing.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 0, 1])
    >>> fig = plot_precision_recall({"perfect": (y, [0.1, 0.2, 0.9, 0.3, 0.8]),
    ...                              "noisy": (y, [0.9, 0.1, 0.8, 0.2, 0.3])})
    >>> [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    ['perfect (AP 1.000)', 'noisy (AP 0.583)', 'prevalence 0.4']

    Fitted classifiers and score vectors of the same held-out rows:

    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> model = LogisticRegression().fit(X[:150], y[:150])
    >>> fig = plot_precision_recall({"logistic": model, "feature 0": X[150:, 0]},
    ...                             X=X[150:], y=y[150:])
    >>> fig.savefig(io.BytesIO(), format="png")  # or fig.savefig("pr.png")
    """
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(f"curves must be a non-empty dict name -> (y_true, y_score), score "
                        f"vector or fitted classifier; got {type(curves).__name__}"
                        + (" (empty)" if isinstance(curves, Mapping) else "") + ".")
    from sklearn.metrics import average_precision_score, precision_recall_curve

    resolved = {name: _resolve_curve(name, value, X, y, pos_label)
                for name, value in curves.items()}
    fig, ax = _target(ax, figsize=(5.6, 4.4))
    baselines = []
    for name, (is_positive, score, _) in resolved.items():
        precision, recall, _ = precision_recall_curve(is_positive, score,
                                                      drop_intermediate=True)
        ap = average_precision_score(is_positive, score)
        (line,) = ax.step(recall, precision, where="post", label=f"{name} (AP {ap:.3f})")
        baselines.append((name, is_positive.mean(), line.get_color()))
    prevalences = [p for _, p, _ in baselines]
    if np.allclose(prevalences, prevalences[0]):
        ax.axhline(prevalences[0], color="grey", linestyle="--",
                   label=f"prevalence {prevalences[0]:.3g}")
    else:
        for name, prevalence, color in baselines:
            ax.axhline(prevalence, color=color, linestyle="--",
                       label=f"{name}: prevalence {prevalence:.3g}")
    positive = next(iter(resolved.values()))[2]
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="recall", ylabel="precision",
           title=title if title is not None else
           f"precision-recall (positive class {_label_text(positive)})")
    ax.legend(loc="lower left", fontsize=8)
    return fig
