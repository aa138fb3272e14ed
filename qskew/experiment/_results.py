"""Results folders: atomic cell files, the tidy tables built from them, the Results object.

Layout of a results folder::

    config.resolved.json   the resolved config (itself a valid config)
    versions.json          library versions, backend, platform
    estimators.json        every pipeline built: each step's class and full get_params()
    cells/<key>.json       one finished (resampler, model, seed) cell: metrics per fold
    cells/<key>.npz        its test labels and scores (and synthetic samples)
    metrics.csv            resampler, model, seed, fold, metric, value, value_low,
                           value_high (unresolved rates only), n_train, n_test
    summary.csv            per (resampler, model, metric): n, mean, std, 95 % interval, and
                           the corrected resampled t-test against the baseline (raw and
                           Holm-adjusted p-values); see :func:`summary_table`
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
from qskew._files import write_atomic
from qskew.experiment._stats import corrected_interval, corrected_ttest, holm

CONFIG_FILE = "config.resolved.json"
VERSIONS_FILE = "versions.json"
ESTIMATORS_FILE = "estimators.json"
CELLS = "cells"
#: Fewest (seed, fold) pairs the paired test is run on: with 5 (4 degrees of freedom) the
#: two-sided 95 % t quantile is 2.78; below, it climbs to 3.18, 4.30 and 12.7, a test that
#: can hardly reject and whose normality no one can check on so few differences.
MIN_PAIRS = 5
#: The protocol suggested when there are too few pairs: 5 seeds x stratified 2-fold.
SUGGESTED_PROTOCOL = 'seeds = [0, 1, 2, 3, 4] with split = "cv", n_splits = 2 (5x2 CV)'
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


#: Columns of ``metrics.csv``.
METRICS_COLUMNS = ["resampler", "model", "seed", "fold", "metric", "value", "value_low",
                   "value_high", "n_train", "n_test"]


def metrics_table(config, cells):
    """Tidy long table: ``resampler, model, seed, fold, metric, value, value_low, value_high,
    n_train, n_test``.

    ``value_low`` and ``value_high`` bound a value its fold's test rows could not resolve
    (a TPR at an FPR below ten over the fold's negatives: the bootstrap interval of
    :func:`~qskew.metrics.tpr_at_fpr_interval`); empty for every value they resolve.

    ``n_train`` and ``n_test`` are the fold's rows as the cell recorded them (before
    resampling); the summary's interval and test need their ratio, so the table carries
    them and ``summary.csv`` can be rebuilt from ``metrics.csv`` alone. A cell that did
    not record them leaves them empty.
    """
    rows = [(c["resampler"], c["model"], c["seed"], f["fold"], metric, value,
             *(f.get("intervals") or {}).get(metric, (np.nan, np.nan)),
             f.get("n_train", np.nan), f.get("n_test", np.nan))
            for c in cells for f in c["folds"] for metric, value in f["metrics"].items()]
    table = pd.DataFrame(rows, columns=METRICS_COLUMNS)
    resamplers, models, metrics = _order(config)
    keys = (table["resampler"].map(resamplers), table["model"].map(models), table["seed"],
            table["fold"], table["metric"].map(metrics))
    order = np.lexsort(tuple(k.to_numpy() for k in reversed(keys))) if len(table) else []
    sizes = {c: int for c in ("n_train", "n_test") if table[c].notna().all()}
    return table.iloc[order].reset_index(drop=True).astype({"seed": int, "fold": int, **sizes})


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


def _ratio(frame, sample=False):
    """``sum(n_test) / sum(n_train)`` over a frame's resamples (folds differ by a row at
    most); NaN when a size is missing.

    ``sample``: the resamples are training samples drawn independently by each seed, each
    scored on every other row (``split = "sample"``). Two such samples share about
    ``n_train / n_rows`` of their rows, and that overlap, not ``n_test / n_train`` (which
    assumes resamples that partition the data: at 2,000 training and 2.8 million scored rows
    it would widen a 5-seed interval 84-fold), is the correlation the correction stands for.
    Every seed scores nearly the same held-out rows, so the spread is the training
    sample's; at millions of held-out rows their own sampling error is negligible.
    """
    sizes = frame[["n_test", "n_train"]].to_numpy(dtype=float)
    if not len(sizes) or np.isnan(sizes).any() or not sizes[:, 1].sum() > 0:
        return np.nan
    if sample:
        return sizes[:, 1].sum() / sizes.sum()
    return sizes[:, 0].sum() / sizes[:, 1].sum()


def paired_test(values, baseline, *, sample=False):
    """Corrected resampled t-test of a method against its baseline, and why it may be NaN.

    Parameters
    ----------
    values, baseline : DataFrame
        Indexed by (seed, fold), with columns ``value``, ``n_train`` and ``n_test``;
        only resamples present and finite in both count.

    Returns
    -------
    dict
        ``n_pairs``, ``mean_diff`` (method minus baseline), ``t``, ``p_value`` (two-sided,
        :func:`~._stats.corrected_ttest`) and ``p_note``: empty, or why ``p_value`` is NaN (fewer
        than :data:`MIN_PAIRS` pairs, differences that do not vary, no fold sizes).
    sample : bool, default=False
        The resamples come from ``split = "sample"`` (see :func:`_ratio`).
    """
    pairs = values.join(baseline["value"].rename("ref"), how="inner").dropna(
        subset=["value", "ref"])
    d = (pairs["value"] - pairs["ref"]).to_numpy()
    out = {"n_pairs": len(d), "mean_diff": d.mean() if len(d) else np.nan, "t": np.nan,
           "p_value": np.nan, "p_note": ""}
    ratio = _ratio(pairs, sample)  # the method's fold sizes: the baseline's split is the same
    if len(d) < MIN_PAIRS:
        out["p_note"] = f"only {len(d)} paired result(s); the test needs {MIN_PAIRS}"
    elif np.ptp(d) <= 1e-12:  # equal up to rounding: no spread to test against
        out["p_note"] = ("all differences zero" if np.all(d == 0) else
                         f"every difference is {d[0]:+.3g}: no spread to test against")
    elif not ratio > 0:
        out["p_note"] = "fold sizes (n_train, n_test) not recorded"
    else:
        out["t"], out["p_value"] = corrected_ttest(d, ratio)
    return out


def _describe(frame, metric, sample=False):
    """n, mean, std and the corrected interval of one (resampler, model, metric) group; the
    interval cut to the metric's range (a t-interval knows no bounds: recall 0.86 ± 0.08
    over 10 folds reached 1.06)."""
    scores = frame.dropna(subset=["value"])
    values, ratio = scores["value"].to_numpy(), _ratio(scores, sample)
    interval = (np.clip(corrected_interval(values, ratio), *_RANGES.get(metric, (0.0, 1.0)))
                if len(values) >= 2 and ratio > 0 else (np.nan, np.nan))
    unresolved = int(frame["value_low"].notna().sum()) if "value_low" in frame else 0
    return {"n": len(values), "mean": values.mean() if len(values) else np.nan,
            "std": scores["value"].std(ddof=1), "ci_low": interval[0], "ci_high": interval[1],
            "unresolved": unresolved}


#: Metrics not in [0, 1] (every other metric the runner records is a rate, an area or a
#: mean squared probability error).
_RANGES = {"mcc": (-1.0, 1.0)}


def _compare(key, groups, baseline, sample=False):
    """The baseline columns of one summary row: which baseline, and the paired test."""
    resampler, model, metric = key
    out = {"baseline": "", "n_pairs": np.nan, "mean_diff": np.nan, "t": np.nan,
           "p_value": np.nan, "p_note": ""}
    if baseline is None:
        return {**out, "p_note": "no evaluation.baseline"}
    ref = (baseline.get("resampler", resampler), baseline.get("model", model))
    out["baseline"] = f"{ref[0]}+{ref[1]}"
    if ref == (resampler, model):
        return {**out, "p_note": "the baseline itself"}
    if (*ref, metric) not in groups:
        return {**out, "p_note": "baseline not run"}
    return {**out, **paired_test(groups[key], groups[(*ref, metric)], sample=sample)}


SUMMARY_COLUMNS = ["resampler", "model", "metric", "n", "mean", "std", "ci_low", "ci_high",
                   "unresolved", "baseline", "n_pairs", "mean_diff", "t", "p_value", "p_holm",
                   "p_note"]


def summary_table(config, metrics):
    """Per (resampler, model, metric): the mean with its interval, and the test against
    the baseline.

    Parameters
    ----------
    config : dict
        The resolved config (its order, metrics and ``evaluation.baseline``).
    metrics : DataFrame
        :func:`metrics_table`, with the fold sizes ``n_train`` and ``n_test``.

    Returns
    -------
    DataFrame
        Columns :data:`SUMMARY_COLUMNS`:

        - ``n``, ``mean``, ``std`` (``ddof=1``) of the finite scores over seeds x folds;
        - ``ci_low``, ``ci_high``: the 95 % interval of :func:`~._stats.corrected_interval`,
          cut to the metric's range ([-1, 1] for MCC, [0, 1] for the others); under
          ``split = "sample"`` corrected for the training samples' overlap (:func:`_ratio`);
        - ``unresolved``: folds whose test rows could not resolve the value (a low-FPR
          rate with fewer than ten negatives per FPR step; their bootstrap intervals are
          in ``metrics.csv``); :func:`pretty` marks such means with :data:`UNRESOLVED`;
        - ``baseline``, ``n_pairs`` (shared finite resamples), ``mean_diff`` (method minus
          baseline), ``t`` and the two-sided ``p_value`` of :func:`~._stats.corrected_ttest`
          (``t`` with ``n_pairs - 1`` degrees of freedom);
        - ``p_holm``: ``p_value`` Holm-adjusted (:func:`~._stats.holm`) over the tested rows of the
          same metric;
        - ``p_note``: empty, or why ``p_value`` is NaN.

        Without fold sizes in ``metrics`` (a hand-built table) the interval and the test
        are NaN and ``p_note`` says so.
    """
    baseline = config["evaluation"]["baseline"]
    metrics = metrics.assign(**{c: np.nan for c in ("n_train", "n_test")
                                if c not in metrics})
    metrics = metrics.assign(**{c: np.nan for c in ("value_low",) if c not in metrics})
    groups = {key: g.set_index(["seed", "fold"])[["value", "value_low", "n_train", "n_test"]]
              for key, g in metrics.groupby(["resampler", "model", "metric"], sort=False)}
    sample = config["evaluation"].get("split") == "sample"
    rows = [{"resampler": key[0], "model": key[1], "metric": key[2],
             **_describe(frame, key[2], sample), **_compare(key, groups, baseline, sample)}
            for key, frame in groups.items()]
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    table["p_holm"] = table.groupby("metric", sort=False)["p_value"].transform(holm)
    return table.astype({"n": int, "unresolved": int, "n_pairs": "Int64"})


def protocol_note(summary, metric=None):
    """A plain sentence when comparisons went untested for lack of pairs, else ``""``.

    Parameters
    ----------
    summary : DataFrame
        A :func:`summary_table`.
    metric : str, optional
        Look at this metric's rows only (default: all rows).

    Examples
    --------
    A demo-sized protocol, 3 seeds x 1 holdout split, gives "3 paired result(s) per
    comparison: too few for a test (it needs 5); use seeds = [0, 1, 2, 3, 4] with
    split = "cv", n_splits = 2 (5x2 CV)".
    """
    rows = summary if metric is None else summary[summary["metric"] == metric]
    compared = rows["n_pairs"].notna().to_numpy(bool)
    short = compared & (rows["n_pairs"].fillna(MIN_PAIRS) < MIN_PAIRS).to_numpy(bool)
    if not short.any():
        return ""
    counts = rows.loc[short, "n_pairs"].astype(int)
    if short.sum() < compared.sum():
        return (f"{short.sum()} of {compared.sum()} comparisons have fewer than {MIN_PAIRS} "
                "paired results (unfinished cells or undefined scores) and are not tested")
    few = (f"{counts.min()}" if counts.min() == counts.max()
           else f"{counts.min()}-{counts.max()}")
    return (f"{few} paired result(s) per comparison: too few for a test (it needs "
            f"{MIN_PAIRS}); use {SUGGESTED_PROTOCOL}")


#: What ``pretty`` shows for a metric no fold could score, and why (see ``undefined_note``).
UNDEFINED = "n/a"


def undefined_note(summary):
    """A plain sentence naming the (model, metric) pairs no fold could score, else ``""``.

    Probability metrics (Brier, ECE) are undefined for a model that gives decision values
    instead of probabilities (e.g. ``SVC`` without ``probability=True``): the table shows
    :data:`UNDEFINED` there, never ``nan ± —``.
    """
    empty = summary[summary["n"] == 0]
    if empty.empty:
        return ""
    pairs = sorted({f"{m} ({metric})" for m, metric in zip(empty["model"], empty["metric"])})
    return (f"{UNDEFINED}: {', '.join(pairs)} -- no fold gave a defined value; probability "
            "metrics need probabilities, and these models give decision values (calibrate "
            "them, e.g. CalibratedClassifierCV, to score them)")


#: What ``pretty`` appends to a mean that some fold could not resolve (``unresolved_note``).
UNRESOLVED = " (!)"


def unresolved_note(summary):
    """A plain sentence naming the metrics some folds could not resolve, else ``""``.

    A TPR at a low FPR needs at least ten negatives per FPR step in each test fold
    (:func:`~qskew.metrics.resolves_fpr`): 10,000 for 0.1 %. Below that the table marks the
    mean with :data:`UNRESOLVED`, and ``metrics.csv`` holds each fold's bootstrap interval.
    """
    rows = summary[summary.get("unresolved", pd.Series(0, index=summary.index)) > 0]
    if rows.empty:
        return ""
    parts = [f"{metric} in {int(g['unresolved'].max())} of {int(g['n'].max())} folds"
             for metric, g in rows.groupby("metric", sort=False)]
    return (f"{UNRESOLVED.strip()} unresolved: {', '.join(parts)} -- the test rows held fewer "
            "than 10 / FPR negatives, so the rate moves in steps of whole rows and its mean is "
            "not to be trusted; each fold's 95 % bootstrap interval is in metrics.csv (value_low, "
            "value_high). Score more held-out rows (evaluation.split = \"sample\" scores "
            "every row outside the training sample) or report a higher FPR")


def _cell_text(row):
    """``mean ± std [ci_low, ci_high]``, with dashes where a value is undefined,
    :data:`UNDEFINED` where no fold gave one, and :data:`UNRESOLVED` after it where some
    fold could not resolve it."""
    if not row["n"]:
        return UNDEFINED
    text = f"{row['mean']:.3f} ± " + ("—" if pd.isna(row["std"]) else f"{row['std']:.3f}")
    if pd.notna(row["ci_low"]):
        text += f" [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
    return text + (UNRESOLVED if row.get("unresolved", 0) else "")


def pretty(summary, metrics=None, *, p_metric=None):
    """A wide table for reading: ``mean ± std [95 % interval]`` per metric, rows
    ``resampler / model``.

    Parameters
    ----------
    summary : DataFrame
        A ``summary.csv`` table (:func:`summary_table`).
    metrics : list of str, optional
        Columns to show (default: every metric, in table order).
    p_metric : str, optional
        Add a last column ``p_holm (<p_metric>)``: this metric's Holm-adjusted p-value
        of the corrected resampled t-test against the baseline (``—``: not tested; the
        summary's ``p_note`` says why).
    """
    metrics = list(dict.fromkeys(summary["metric"])) if metrics is None else list(metrics)
    shown = summary[summary["metric"].isin(metrics)]
    if shown.empty:
        return pd.DataFrame(columns=metrics)
    wide = shown.assign(cell=shown.apply(_cell_text, axis=1)).pivot_table(
        index=["resampler", "model"], columns="metric", values="cell", aggfunc="first",
        sort=False).reindex(columns=metrics)
    if p_metric is not None:
        p = shown[shown["metric"] == p_metric].set_index(["resampler", "model"])["p_holm"]
        wide[f"p_holm ({p_metric})"] = p.map(lambda v: "—" if pd.isna(v) else f"{v:.3g}")
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
        """``mean ± std [95 % interval]`` per metric and method, plus the first metric's
        Holm-adjusted p-value against the baseline (:func:`pretty`)."""
        metrics = metrics or self.config["evaluation"]["metrics"]
        return pretty(self.summary, metrics, p_metric=metrics[0])

    def fidelity_summary(self):
        """``mean ± std`` of the main fidelity scores per resampler and feature space."""
        columns = [c for c in ("ks_statistic", "wasserstein", "correlation_distance",
                               "detection_auc", "knn_precision", "knn_recall", "tstr_pr_auc")
                   if c in self.fidelity]
        if self.fidelity.empty or not columns:
            return pd.DataFrame()
        grouped = self.fidelity.groupby(["resampler", "space"], sort=False)[columns]
        mean, std = grouped.mean(), grouped.std(ddof=1)
        return mean.map("{:.3f}".format) + " ± " + std.map(
            lambda s: "—" if pd.isna(s) else f"{s:.3f}")

    def _notes(self):
        """The sentences that explain the table's markers: too few pairs for a test
        (:func:`protocol_note`), ``n/a`` (:func:`undefined_note`) and ``(!)``
        (:func:`unresolved_note`); empty when there is nothing to say."""
        metrics = self.config["evaluation"]["metrics"]
        shown = self.summary[self.summary["metric"].isin(metrics)]
        notes = (protocol_note(self.summary, metrics[0]), undefined_note(shown),
                 unresolved_note(shown))
        return [note for note in notes if note]

    def _heading(self):
        missing = "" if self.complete else (
            f" (unfinished: finish the run with `qskew run CONFIG --resume --out {self.path}`)")
        return f"{self.n_cells}/{self.n_expected} cells{missing}"

    def __repr__(self):
        lines = [f"Results({str(self.path)!r}, {self.n_cells}/{self.n_expected} cells, "
                 f"{len(self.metrics)} metric values)"]
        if self.n_cells:
            with pd.option_context("display.width", 250, "display.max_columns", None):
                lines.append(self.table().to_string())
        return "\n".join(lines + [f"note: {note}." for note in self._notes()])

    def _repr_html_(self):
        """A notebook's view: the folder, the cells finished, :meth:`table` and its notes,
        and :meth:`fidelity_summary` when resamplers generated rows."""
        import html

        parts = [f"<p><b>qskew results</b> <code>{html.escape(str(self.path))}</code>: "
                 f"{html.escape(self._heading())}</p>"]
        if self.n_cells:
            parts.append(self.table().to_html())
        parts += [f"<p><small>{html.escape(note)}.</small></p>" for note in self._notes()]
        fidelity = self.fidelity_summary()
        if len(fidelity):
            parts += ["<p>synthetic minority rows vs real training rows (mean ± std):</p>",
                      fidelity.to_html()]
        return "<div>" + "\n".join(parts) + "</div>"
