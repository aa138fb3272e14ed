"""Experiment runner: configs in, results folders out.

A TOML config names a dataset, preprocessing, resamplers, models, an
evaluation protocol and seeds -- registered components and their parameters
only, never code (``qskew list`` shows them; ``experiments/README.md`` the
format). :func:`run` fits every (resampler, model, seed) cell with a
leakage-safe imbalanced-learn pipeline and writes a results folder::

    config.resolved.json   the resolved config (a valid config itself)
    versions.json          library versions, backend, platform
    estimators.json        every pipeline built: each step's class and full get_params()
    cells/<key>.json|npz   each finished cell, written atomically as it finishes
    metrics.csv            resampler, model, seed, fold, metric, value
    summary.csv            mean, std, 95 % interval, corrected t-test p-values (raw, Holm)
    fidelity.csv           synthetic-row fidelity of generating resamplers
    timings.csv            fit and predict seconds per cell and fold
    kernels.csv            kernel diagnostics of every kernel model
    plots/                 PR curves, metric box plots, synthetic marginals

- :func:`run` -- run a config (serially, or on Dask); ``resume=True`` finishes
  an interrupted run without recomputing finished cells.
- :func:`estimate` -- state preparations, circuits, shots and a rough time.
- :func:`report` -- rebuild the tables and plots of a results folder.
- :func:`load_config` -- check and resolve a config without running it.
- :func:`components` -- the registered datasets, scalers, resamplers and models.
- :func:`demo_config` -- the packaged config ``qskew demo`` runs.
"""

from importlib import resources

from qskew.experiment._config import METRICS, ConfigError, load_config
from qskew.experiment._estimate import CostEstimate, estimate
from qskew.experiment._registry import components
from qskew.experiment._report import report
from qskew.experiment._results import Results
from qskew.experiment._runner import ExperimentError, run


def demo_config():
    """Path of the demo config shipped inside the package (``qskew demo`` runs it).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> demo_config().name
    'demo.toml'
    """
    return resources.files("qskew.experiment").joinpath("configs", "demo.toml")


__all__ = [
    "METRICS",
    "ConfigError",
    "CostEstimate",
    "ExperimentError",
    "Results",
    "components",
    "demo_config",
    "estimate",
    "load_config",
    "report",
    "run",
]
