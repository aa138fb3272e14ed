"""Results folders: atomic cell files, the tidy tables built from them, the Results object.

Layout of a results folder::

    config.resolved.json   the resolved config (itself a valid config)
    versions.json          library versions, backend, platform
    estimators.json        every pipeline built: each step's class and full get_params()
    cells/<key>.json       one finished (resampler, model, seed) cell: metrics per fold
    cells/<key>.npz        its test labels and scores (and synthetic samples)
    metrics.csv            resampler, model, seed, fold, metric, value
    summary.csv            mean, std, n and Wilcoxon p-value per (resampler, model, metric)
    fidelity.csv           synthetic-row fidelity per generating resampler, seed and fold
    timings.csv            seconds to fit and predict per cell and fold
    plots/                 PR curves, metric box plots, synthetic marginals

Every file is written to a temporary name and moved into place with
``os.replace``: a killed run leaves whole files or none.
"""

import io
import json
import os
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from qskew._files import write_atomic

CONFIG_FILE = "config.resolved.json"
VERSIONS_FILE = "versions.json"
ESTIMATORS_FILE = "estimators.json"
CELLS = "cells"
#: Fewest (seed, fold) pairs the Wilcoxon signed-rank test is run on.
MIN_PAIRS = 5
_DISTRIBUTIONS = ("numpy", "scipy", "scikit-learn", "imbalanced-learn", "pandas", "torch",
                  "pennylane", "pennylane_lightning", "matplotlib", "dask", "distributed")


def write_json(path, value):
    write_atomic(path, json.dumps(value, indent=2, default=_plain) + "\n")


def write_csv(path, frame):
    write_atomic(path, frame.to_csv(index=False))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.ndarray, tuple)):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def cell_key(resampler, model, seed):
    """File name stem of a cell, e.g. ``"smote+qsvc+seed0"``."""
    return f"{resampler}+{model}+seed{seed}"


#: Keys every cell record must hold to be read (checked with its arrays' checksum).
CELL_KEYS = ("key", "resampler", "model", "seed", "folds")


def save_cell(folder, key, result):
    """Persist one finished cell: its arrays first, then the JSON that marks it done.

    The JSON records the SHA-256 of the arrays file, so a damaged or
    half-copied ``.npz`` is recognised on read (:func:`cell_problems`).
    """
    import hashlib

    cells = Path(folder) / CELLS
    arrays = {}
    for fold, scores in result.get("scores", {}).items():
        arrays[f"y_true_{fold}"] = scores["y_true"]
        arrays[f"y_score_{fold}"] = scores["y_score"]
    samples = result.get("samples")
    if samples:
        arrays["real"], arrays["synthetic"] = samples["real"], samples["synthetic"]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    data = buffer.getvalue()
    write_atomic(cells / f"{key}.npz", data)
    record = {k: v for k, v in result.items() if k not in ("scores", "samples")}
    record["key"] = key
    record["feature_names"] = samples["feature_names"] if samples else None
    record["gan_history"] = samples.get("history") if samples else None
    record["arrays_sha256"] = hashlib.sha256(data).hexdigest()
    write_json(cells / f"{key}.json", record)


def cell_problems(folder):
    """``{key: what is wrong}`` for every damaged cell of a results folder.

    A cell is damaged when its JSON does not parse or lacks :data:`CELL_KEYS`,
    or its ``.npz`` is missing, does not match the recorded checksum, or (in
    folders written before checksums) does not open. A JSON still being
    written is never seen: files are moved into place whole.
    """
    import hashlib
    import zipfile

    problems = {}
    for path in sorted((Path(folder) / CELLS).glob("*.json")):
        key = path.stem
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems[key] = f"its record does not read ({type(exc).__name__})"
            continue
        missing = [k for k in CELL_KEYS if not isinstance(record, dict) or k not in record]
        arrays = path.with_suffix(".npz")
        if missing:
            problems[key] = f"its record lacks {missing}"
        elif not arrays.exists():
            problems[key] = "its arrays file is missing"
        elif "arrays_sha256" in record:
            if hashlib.sha256(arrays.read_bytes()).hexdigest() != record["arrays_sha256"]:
                problems[key] = "its arrays file does not match its checksum"
        else:  # written before checksums: it must at least open
            try:
                with np.load(arrays) as opened:
                    opened.files  # noqa: B018 - reading the index is the check
            except (OSError, ValueError, zipfile.BadZipFile) as exc:
                problems[key] = f"its arrays file does not open ({type(exc).__name__})"
    return problems


def finished_cells(folder, problems=None):
    """Keys of the cells whose record and arrays are whole (see :func:`cell_problems`).

    ``problems`` (a dict) receives the damaged ones, which count as unfinished.
    """
    found = cell_problems(folder)
    if problems is not None:
        problems.update(found)
    return {path.stem for path in (Path(folder) / CELLS).glob("*.json")} - set(found)


def load_cells(folder, keys=None):
    """The JSON records of the finished cells (all, or those in ``keys``), in key order."""
    keys = sorted(finished_cells(folder) if keys is None else keys)
    return [json.loads((Path(folder) / CELLS / f"{k}.json").read_text(encoding="utf-8"))
            for k in keys]


def load_arrays(folder, key):
    with np.load(Path(folder) / CELLS / f"{key}.npz") as arrays:
        return {name: arrays[name] for name in arrays.files}


def versions(backend):
    """Versions of Python, qskew and the libraries results depend on, plus the platform."""
    import qskew

    out = {"python": sys.version.split()[0], "qskew": qskew.__version__}
    for name in _DISTRIBUTIONS:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out.update(backend=backend, platform=platform.platform(), machine=platform.machine(),
               cpu_count=os.cpu_count())
    return out


# -- tables -------------------------------------------------------------------


def _order(config):
    return ({r: i for i, r in enumerate(config["resamplers"])},
            {m: i for i, m in enumerate(config["models"])},
            {m: i for i, m in enumerate(config["evaluation"]["metrics"])})


def metrics_table(config, cells):
    """Tidy long table: ``resampler, model, seed, fold, metric, value``."""
    rows = [(c["resampler"], c["model"], c["seed"], f["fold"], metric, value)
            for c in cells for f in c["folds"] for metric, value in f["metrics"].items()]
    table = pd.DataFrame(rows, columns=["resampler", "model", "seed", "fold", "metric",
                                        "value"])
    resamplers, models, metrics = _order(config)
    keys = (table["resampler"].map(resamplers), table["model"].map(models), table["seed"],
            table["fold"], table["metric"].map(metrics))
    order = np.lexsort(tuple(k.to_numpy() for k in reversed(keys))) if len(table) else []
    return table.iloc[order].reset_index(drop=True).astype({"seed": int, "fold": int})


def fidelity_table(config, cells):
    """One row per generating resampler, feature space, seed and fold."""
    rows = [{"resampler": c["resampler"], "space": c["space"], "seed": c["seed"],
             "fold": f["fold"], "cell": c["key"], **f["fidelity"]}
            for c in cells for f in c["folds"] if f.get("fidelity")]
    columns = ["resampler", "space", "seed", "fold", "cell", "n_real", "n_synthetic"]
    table = pd.DataFrame(rows, columns=list(dict.fromkeys(
        columns + [k for r in rows for k in r])))
    rank = _order(config)[0]
    return (table.assign(_r=table["resampler"].map(rank))
            .sort_values(["_r", "space", "seed", "fold"]).drop(columns="_r")
            .reset_index(drop=True))


def kernel_table(cells):
    """One row per kernel model (or stack member), seed and fold: its kernel diagnostics."""
    rows = [{"resampler": c["resampler"], "model": c["model"], "member": member,
             "seed": c["seed"], "fold": f["fold"], **values}
            for c in cells for f in c["folds"]
            for member, values in (f.get("kernel") or {}).items() if values]
    columns = ["resampler", "model", "member", "seed", "fold"]
    return pd.DataFrame(rows, columns=list(dict.fromkeys(columns + [k for r in rows for k in r])))


def timings_table(cells):
    rows = [{"resampler": c["resampler"], "model": c["model"], "seed": c["seed"],
             "fold": f["fold"], "fit_seconds": f["fit_seconds"],
             "predict_seconds": f["predict_seconds"]} for c in cells for f in c["folds"]]
    return pd.DataFrame(rows, columns=["resampler", "model", "seed", "fold", "fit_seconds",
                                       "predict_seconds"])


def wilcoxon(values, baseline):
    """Two-sided Wilcoxon signed-rank p-value of paired results, and why it may be NaN.

    Parameters
    ----------
    values, baseline : Series
        Indexed by (seed, fold); only pairs present and finite in both count.

    Returns
    -------
    (float, str)
        The p-value (NaN when fewer than ``MIN_PAIRS`` pairs or all differences are
        zero) and a note saying which.
    """
    pairs = pd.concat([values, baseline], axis=1, join="inner").dropna()
    if len(pairs) < MIN_PAIRS:
        return np.nan, f"only {len(pairs)} paired result(s); the test needs {MIN_PAIRS}"
    a, b = pairs.iloc[:, 0].to_numpy(), pairs.iloc[:, 1].to_numpy()
    if np.all(a == b):
        return np.nan, "all differences zero"
    return float(stats.wilcoxon(a, b).pvalue), ""


def summary_table(config, metrics):
    """Mean ± std per (resampler, model, metric) and the paired test against the baseline."""
    baseline = config["evaluation"]["baseline"]
    rows = []
    groups = metrics.groupby(["resampler", "model", "metric"], sort=False)
    indexed = {key: g.set_index(["seed", "fold"])["value"] for key, g in groups}
    for (resampler, model, metric), values in indexed.items():
        row = {"resampler": resampler, "model": model, "metric": metric,
               "n": int(values.notna().sum()), "mean": values.mean(),
               "std": values.std(ddof=1), "baseline": "", "p_value": np.nan, "p_note": ""}
        if baseline is None:
            row["p_note"] = "no evaluation.baseline"
        else:
            ref = (baseline.get("resampler", resampler), baseline.get("model", model))
            row["baseline"] = f"{ref[0]}+{ref[1]}"
            if ref == (resampler, model):
                row["p_note"] = "the baseline itself"
            elif (*ref, metric) not in indexed:
                row["p_note"] = "baseline not run"
            else:
                row["p_value"], row["p_note"] = wilcoxon(values, indexed[(*ref, metric)])
        rows.append(row)
    return pd.DataFrame(rows, columns=["resampler", "model", "metric", "n", "mean", "std",
                                       "baseline", "p_value", "p_note"])


def pretty(summary, metrics=None, *, p_metric=None):
    """A wide table for reading: ``mean ± std`` per metric, rows ``resampler / model``.

    Parameters
    ----------
    summary : DataFrame
        A ``summary.csv`` table.
    metrics : list of str, optional
        Columns to show (default: every metric, in table order).
    p_metric : str, optional
        Add the Wilcoxon p-value of this metric against the baseline as a last column.
    """
    metrics = list(dict.fromkeys(summary["metric"])) if metrics is None else list(metrics)
    shown = summary[summary["metric"].isin(metrics)]
    cell = shown["mean"].map("{:.3f}".format) + " ± " + shown["std"].map(
        lambda s: "—" if pd.isna(s) else f"{s:.3f}")
    if shown.empty:
        return pd.DataFrame(columns=metrics)
    wide = shown.assign(cell=cell).pivot_table(
        index=["resampler", "model"], columns="metric", values="cell", aggfunc="first",
        sort=False).reindex(columns=metrics)
    if p_metric is not None:
        p = shown[shown["metric"] == p_metric].set_index(["resampler", "model"])
        wide[f"p ({p_metric})"] = p.apply(
            lambda r: "—" if pd.isna(r["p_value"]) else f"{r['p_value']:.3g}", axis=1)
    wide.columns.name = None
    return wide


@dataclass
class Results:
    """What an experiment run or :func:`~qskew.experiment.report` returns.

    Attributes
    ----------
    path : Path
        The results folder.
    config : dict
        The resolved config.
    metrics, summary, fidelity : DataFrame
        ``metrics.csv``, ``summary.csv`` and ``fidelity.csv`` as loaded.
    n_cells, n_expected : int
        Finished cells, and cells the config asks for.
    kernels : DataFrame
        ``kernels.csv``: per kernel model (or stack member), seed and fold,
        :func:`~qskew.metrics.kernel_diagnostics` of its fitted kernel on a
        stratified sample of up to 300 training rows, with the bandwidth used
        (exact kernels only: elsewhere it would cost device circuits).
    """

    path: Path
    config: dict
    metrics: pd.DataFrame
    summary: pd.DataFrame
    fidelity: pd.DataFrame
    n_cells: int
    n_expected: int
    kernels: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def complete(self):
        """Whether every cell of the config has finished."""
        return self.n_cells == self.n_expected

    def table(self, metrics=None):
        """``mean ± std`` per metric and method, plus the p-value of the first metric."""
        metrics = metrics or self.config["evaluation"]["metrics"]
        return pretty(self.summary, metrics, p_metric=metrics[0])

    def fidelity_summary(self):
        """``mean ± std`` of the main fidelity scores per resampler and feature space."""
        columns = [c for c in ("ks_statistic", "wasserstein", "correlation_distance",
                               "detection_auc", "tstr_pr_auc") if c in self.fidelity]
        if self.fidelity.empty or not columns:
            return pd.DataFrame()
        grouped = self.fidelity.groupby(["resampler", "space"], sort=False)[columns]
        mean, std = grouped.mean(), grouped.std(ddof=1)
        return mean.map("{:.3f}".format) + " ± " + std.map(
            lambda s: "—" if pd.isna(s) else f"{s:.3f}")

    def __repr__(self):
        return (f"Results({str(self.path)!r}, {self.n_cells}/{self.n_expected} cells, "
                f"{len(self.metrics)} metric values)")
