"""Rebuild a results folder's tables and plots from its cell files."""

import io
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from qskew.experiment import _results as res

logger = logging.getLogger("qskew.experiment")

#: Metrics drawn in ``plots/metrics.png`` (the first ones of the config's list).
MAX_PLOTTED_METRICS = 6


def expected_cells(config):
    """``[(resampler, model, seed), ...]`` of a resolved config, in run order."""
    return [(r, m, s) for s in config["seeds"] for r in config["resamplers"]
            for m in config["models"]]


def rebuild(folder, config, *, plots=True):
    """Write ``metrics.csv``, ``summary.csv``, ``fidelity.csv``, ``timings.csv``,
    ``kernels.csv`` and the plots from ``cells/``; return the :class:`Results`."""
    folder = Path(folder)
    expected = [res.cell_key(*cell) for cell in expected_cells(config)]
    damaged = {}
    finished = res.finished_cells(folder, damaged)
    for key, problem in damaged.items():
        logger.warning("cell %s is damaged (%s): left out of the tables; `qskew run CONFIG "
                       "--resume --out %s` computes it again.", key, problem, folder)
    cells = res.load_cells(folder, [k for k in expected if k in finished])
    metrics = res.metrics_table(config, cells)
    summary = res.summary_table(config, metrics)
    fidelity = res.fidelity_table(config, cells)
    res.write_csv(folder / "metrics.csv", metrics)
    res.write_csv(folder / "summary.csv", summary)
    res.write_csv(folder / "fidelity.csv", fidelity)
    res.write_csv(folder / "timings.csv", res.timings_table(cells))
    kernels = res.kernel_table(cells)
    res.write_csv(folder / "kernels.csv", kernels)
    if plots and cells:
        make_plots(folder, config, cells, metrics)
    return res.Results(folder, config, metrics, summary, fidelity, len(cells), len(expected),
                       kernels)


def report(results_dir, *, plots=True):
    """Rebuild the summary tables and plots of a results folder from its cells.

    Works on an unfinished folder too (interrupted or failed run): the tables
    then cover the finished cells only, and a warning says how many are missing.

    Parameters
    ----------
    results_dir : str or path-like
        A folder written by :func:`~qskew.experiment.run`.
    plots : bool, default=True
        Redraw ``plots/`` (skipped with a warning when matplotlib is missing).

    Returns
    -------
    Results

    Raises
    ------
    FileNotFoundError
        If the folder holds no ``config.resolved.json``.
    """
    folder = Path(results_dir)
    config_file = folder / res.CONFIG_FILE
    if not config_file.is_file():
        raise FileNotFoundError(
            f"{str(folder)!r} is not a qskew results folder (no {res.CONFIG_FILE}); pass the "
            "folder that `qskew run` wrote.")
    config = json.loads(config_file.read_text(encoding="utf-8"))
    results = rebuild(folder, config, plots=plots)
    if not results.complete:
        logger.warning("%s holds %d of %d cells; the tables cover those only (finish the run "
                       "with `qskew run CONFIG --resume --out %s`).", folder, results.n_cells,
                       results.n_expected, folder)
    return results


# -- plots ----------------------------------------------------------------------


def make_plots(folder, config, cells, metrics):
    """PR curves, metric box plots and, per generating resampler, synthetic marginals,
    the correlation difference and GAN loss curves under ``folder/plots``.

    Returns the paths written (none, with a warning, if matplotlib is missing).
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        logger.warning("plots skipped: matplotlib is not installed (pip install "
                       "'qskew[plots]').")
        return []
    out = Path(folder) / "plots"
    out.mkdir(exist_ok=True)
    written = [_pr_curves(out, config, folder, cells), _metric_boxes(out, config, metrics)]
    written += _marginals(out, config, folder, cells)
    return [p for p in written if p is not None]


def _save(fig, path):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    res.write_atomic(path, buffer.getvalue())
    return path


def _pr_curves(out, config, folder, cells):
    """One panel per resampler, one curve per model: test scores pooled over seeds and folds."""
    from matplotlib.figure import Figure
    from sklearn.metrics import average_precision_score, precision_recall_curve

    resamplers = [r for r in config["resamplers"] if any(c["resampler"] == r for c in cells)]
    fig = Figure(figsize=(4.2 * len(resamplers), 3.8))
    axes = fig.subplots(1, len(resamplers), squeeze=False)[0]
    for ax, resampler in zip(axes, resamplers):
        for model in config["models"]:
            keys = [c["key"] for c in cells if (c["resampler"], c["model"]) == (resampler, model)]
            if not keys:
                continue
            y_true, y_score = _pooled(folder, keys)
            precision, recall, _ = precision_recall_curve(y_true, y_score)
            ap = average_precision_score(y_true, y_score)
            ax.step(recall, precision, where="post", label=f"{model} (AP {ap:.2f})")
        ax.set(title=f"resampler: {resampler}", xlabel="recall", ylabel="precision",
               xlim=(0, 1), ylim=(0, 1.02))
        ax.legend(fontsize=7, loc="lower left")
    fig.suptitle("precision-recall, test scores pooled over seeds and folds", fontsize=9)
    fig.tight_layout()
    return _save(fig, out / "pr_curves.png")


def _pooled(folder, keys):
    y_true, y_score = [], []
    for key in keys:
        arrays = res.load_arrays(folder, key)
        folds = sorted(int(n.rsplit("_", 1)[1]) for n in arrays if n.startswith("y_true_"))
        y_true += [arrays[f"y_true_{f}"] for f in folds]
        y_score += [arrays[f"y_score_{f}"] for f in folds]
    return np.concatenate(y_true), np.concatenate(y_score)


def _metric_boxes(out, config, metrics):
    """Box plot per metric: one box per (resampler, model) over seeds and folds."""
    from matplotlib.figure import Figure

    shown = [m for m in config["evaluation"]["metrics"] if m in set(metrics["metric"])]
    shown = shown[:MAX_PLOTTED_METRICS]
    if not shown:
        return None
    methods = list(dict.fromkeys(metrics["resampler"] + "+" + metrics["model"]))
    n_cols = min(3, len(shown))
    n_rows = -(-len(shown) // n_cols)
    fig = Figure(figsize=(max(4.0, 0.45 * len(methods)) * n_cols, 3.6 * n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    labelled = metrics.assign(method=metrics["resampler"] + "+" + metrics["model"])
    for ax, metric in zip(axes, shown):
        rows = labelled[labelled["metric"] == metric]
        data = [rows.loc[rows["method"] == m, "value"].dropna().to_numpy() for m in methods]
        ax.boxplot(data)
        ax.set_xticks(range(1, len(methods) + 1), methods)
        ax.set_title(metric, fontsize=9)
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    fig.tight_layout()
    return _save(fig, out / "metrics.png")


def _marginals(out, config, folder, cells):
    """Real vs synthetic marginals of one cell per generating resampler."""
    import matplotlib.pyplot as plt

    from qskew.plotting import plot_correlation_difference, plot_gan_history, plot_marginals

    written = []
    for resampler in config["resamplers"]:
        cell = next((c for c in cells if c["resampler"] == resampler and c["feature_names"]),
                    None)
        if cell is None:
            continue
        arrays = res.load_arrays(folder, cell["key"])
        if len(arrays["synthetic"]) < 2:
            continue
        real = pd.DataFrame(arrays["real"], columns=cell["feature_names"])
        fig = plot_marginals(real, arrays["synthetic"])
        fig.suptitle(f"{resampler}: synthetic vs real minority rows ({cell['space']}, "
                     f"seed {cell['seed']}, fold 0)", fontsize=9)
        fig.tight_layout()
        written.append(_save(fig, out / f"marginals_{resampler}.png"))
        plt.close(fig)
        fig = plot_correlation_difference(real, arrays["synthetic"])
        written.append(_save(fig, out / f"correlation_{resampler}.png"))
        plt.close(fig)
        if cell.get("gan_history"):
            fig = plot_gan_history(cell["gan_history"])
            fig.suptitle(f"{resampler}: GAN losses (seed {cell['seed']}, fold 0)", fontsize=9)
            fig.tight_layout()
            written.append(_save(fig, out / f"gan_loss_{resampler}.png"))
            plt.close(fig)
    return written
