"""One cell of an experiment grid: a (resampler, model, seed) run over its folds.

:func:`run_cell` is what each task executes. It takes only plain data (the
resolved config and the cell's names), loads the dataset itself (cached per
process) and returns a dict, so it pickles for Dask as it is.
"""

import functools
import hashlib
import json
import time

import numpy as np
import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import MinMaxScaler

from qskew import _progress
from qskew._cache import ByteLRUCache
from qskew.datasets import subsample
from qskew.ensemble._shared import process_member_fits
from qskew.experiment import _registry as reg
from qskew.experiment._config_components import RUNNER_KEYS
from qskew.experiment._scoring import Shared, score_rows, shared
from qskew.experiment._warnings import recorded
from qskew.metrics import classification_metrics, synthetic_fidelity
from qskew.metrics._fidelity import AGGREGATE_ROW

#: Fewest training rows for which a fold's forests get the cell's cores: 200 trees on 2
#: cores, best of 3, against one thread: 0.78x at 200 rows, 1.08x at 500, 1.25x at 1,000,
#: 1.59x at 2,000, 1.93x at 5,000 (thread start-up against tree work).
PARALLEL_ROWS = 1000
#: Rows per group (real minority, synthetic, real majority) that fidelity is scored on.
FIDELITY_ROWS = 2000
#: Rows per group kept for the synthetic-marginals plot.
SAMPLE_ROWS = 500
FIDELITY_COLUMNS = ("ks_statistic", "wasserstein", "correlation_distance", "detection_auc",
                    "detection_auc_raw", "knn_precision", "knn_recall", "tstr_pr_auc",
                    "trtr_pr_auc")

_DATA = {}


class Data:
    """A loaded binary dataset: ``X`` float64 (float32 if the loader read float32), ``y`` in
    {0, 1} with 1 the class to detect (``dataset.positive``, else the minority)."""

    def __init__(self, X, y, feature_names, labels):
        self.X, self.y, self.feature_names, self.labels = X, y, feature_names, labels


def load_data(dataset):
    """The dataset a resolved ``[dataset]`` section describes; one cached per process."""
    key = json.dumps(dataset, sort_keys=True)
    if key not in _DATA:
        _DATA.clear()  # hold one dataset at a time: they can be large
        _DATA[key] = _load(dataset)
    return _DATA[key]


def _load(dataset):
    loader, path_param = reg.DATASETS[dataset["name"]]
    options = {k: v for k, v in dataset.items()
               if k not in ("name", "path", "subsample", "positive")}
    if path_param is None:
        X, y = loader()
    else:
        X, y, _ = loader(dataset["path"], **options)
    if dataset.get("subsample"):
        X, y = subsample(X, y, **dataset["subsample"])
    y = pd.Series(np.asarray(y))
    counts = y.value_counts()
    if len(counts) != 2:
        raise ValueError(
            f"the experiment runner scores binary problems; the {dataset['name']!r} data has "
            f"{len(counts)} classes ({', '.join(map(str, counts.index[:6]))}). Choose a binary "
            "target (e.g. label = 'binary' for cicids2017, target = 'label' for ton_iot).")
    # The positive class is the one named, else the minority; a tie picks the larger label.
    positive = min(counts.index, key=lambda c: (counts[c], str(c)))
    if "positive" in dataset:
        positive = _named_class(dataset["positive"], counts)
    negative = next(c for c in counts.index if c != positive)
    frame = pd.DataFrame(X)
    # float32 as read (dataset.dtype = "float32") stays float32: half the memory at scale.
    dtype = np.float32 if len(frame.columns) and (frame.dtypes == np.float32).all() \
        else np.float64
    return Data(frame.to_numpy(dtype=dtype), (y == positive).to_numpy().astype(int),
                [str(c) for c in frame.columns], [str(negative), str(positive)])


def _named_class(label, counts):
    """The class of ``counts`` that ``label`` names (``1`` also finds ``"1"``: CSV labels)."""
    for value in counts.index:
        if value == label or str(value) == str(label):
            return value
    raise ValueError(
        f"dataset.positive = {label!r} is not a class of the data; its classes are "
        f"{', '.join(f'{c!r} ({n:,} rows)' for c, n in counts.items())}. Name one of them.")


def splits(y, evaluation, seed):
    """``[(train_idx, test_idx), ...]``: one holdout split, the stratified CV folds, or one
    training sample with every other row held out."""
    if evaluation["split"] == "sample":
        return [sample_split(y, evaluation, seed)]
    if evaluation["split"] == "holdout":
        train, test = train_test_split(np.arange(len(y)), test_size=evaluation["test_size"],
                                       stratify=y, random_state=seed)
        return [(np.sort(train), np.sort(test))]
    folds = StratifiedKFold(evaluation["n_splits"], shuffle=True, random_state=seed)
    return list(folds.split(np.zeros((len(y), 1)), y))


def train_rows(n_rows, evaluation):
    """Training rows of a ``split = "sample"`` evaluation: ``train_size`` rows, or that
    fraction of ``n_rows``."""
    size = evaluation["train_size"]
    return size if isinstance(size, int) else max(2, round(size * n_rows))


def sample_split(y, evaluation, seed):
    """``(train_idx, test_idx)``: a stratified training sample drawn by ``seed``
    (``minority_fraction`` of it class 1 when set, else the data's share) and every other
    row, sorted."""
    rows = np.arange(len(y))
    try:
        train, _ = subsample(rows[:, None], y, n=train_rows(len(y), evaluation),
                             minority_fraction=evaluation.get("minority_fraction"),
                             minority_label=1, random_state=seed)
    except ValueError as exc:
        raise ValueError(
            f"evaluation.split = 'sample' cannot draw its training sample from {len(y)} rows "
            f"({int(np.sum(y))} positive): {exc} Lower evaluation.train_size or "
            "evaluation.minority_fraction.") from exc
    held_out = np.ones(len(y), dtype=bool)
    held_out[train[:, 0]] = False
    return np.sort(train[:, 0]), rows[held_out]


class Recorder(BaseEstimator):
    """Sampler step that runs ``sampler`` and keeps what it was given and what it added.

    imbalanced-learn's ``Pipeline`` calls ``fit_resample`` during ``fit`` only,
    so everything recorded comes from training rows.
    """

    def __init__(self, sampler):
        self.sampler = sampler

    def fit_resample(self, X, y, **params):
        key = _resample_key(self.sampler, X, y) if not params else None
        cached = None if key is None else _RESAMPLED.get(key)
        if cached is not None:
            X_res, y_res, self.history_ = cached
        else:
            X_res, y_res = self.sampler.fit_resample(X, y, **params)
            # GAN samplers' per-class loss curves, for the runner's plots.
            self.history_ = getattr(self.sampler, "history_", None)
            if key is not None:
                _RESAMPLED.put(key, (X_res, y_res, self.history_))
        self.X_in_, self.y_in_ = np.asarray(X), np.asarray(y)
        # imbalanced-learn's over-samplers and qskew's GANs append new rows after the input.
        self.added_, self.added_y_ = np.asarray(X_res)[len(X):], np.asarray(y_res)[len(X):]
        return X_res, y_res


# Resampled training sets of this process, keyed by sampler, its parameters (seed
# included) and the exact rows it was given: the models of one (resampler, seed,
# fold, feature space) share one QGAN training instead of one each.
_RESAMPLED = ByteLRUCache(max_bytes=256 * 2**20)


def _resample_key(sampler, X, y):
    digest = hashlib.sha256()
    for array in (np.ascontiguousarray(X), np.ascontiguousarray(y)):
        digest.update(str((array.dtype, array.shape)).encode())
        digest.update(array.tobytes())
    params = sorted((k, repr(v)) for k, v in sampler.get_params(deep=True).items())
    return type(sampler).__qualname__, repr(params), digest.hexdigest()


def space(config, model):
    """Name of the feature space a model's input (and its resampler) lives in."""
    pre = config["preprocessing"]
    steps = [s for s in (pre["impute"], pre["scaler"]) if s != "none"]
    if not config["models"][model]["raw_features"]:
        if pre["pca_components"]:
            steps.append(f"pca{pre['pca_components']}")
        if pre["angle_range"]:
            steps.append("angle")
    return "+".join(steps) or "raw"


def cores_for(n_train, n_jobs):
    """``n_jobs`` for a fold of ``n_train`` training rows: None (one thread) below
    :data:`PARALLEL_ROWS`, where starting threads costs more than they save."""
    return n_jobs if n_jobs is not None and n_train >= PARALLEL_ROWS else None


def build_pipeline(config, resampler, model, seed, n_jobs=None):
    """The leakage-safe pipeline of one cell: every step is fitted on training rows only.

    impute -> scale -> PCA -> angle range -> resampler -> model; models with
    ``raw_features`` skip PCA and the angle range; each ``random_state`` is ``seed``;
    ``n_jobs`` (the cell's share of the cores) fills the ``n_jobs`` of scikit-learn
    ensembles that the config left unset (a random forest: 2.0x faster on 2 cores, the
    same trees; elsewhere ``n_jobs`` does nothing or is deprecated).
    """
    pre, item = config["preprocessing"], config["models"][model]
    steps = []
    if pre["impute"] != "none":
        steps.append(("impute", SimpleImputer(strategy=pre["impute"])))
    if reg.SCALERS[pre["scaler"]] is not None:
        steps.append(("scale", reg.SCALERS[pre["scaler"]]()))
    if not item["raw_features"]:
        if pre["pca_components"]:
            steps.append(("pca", PCA(n_components=pre["pca_components"], random_state=seed)))
        if pre["angle_range"]:
            steps.append(("angle", MinMaxScaler(feature_range=tuple(pre["angle_range"]),
                                                clip=bool(pre.get("angle_clip", False)))))
    sampler_item = config["resamplers"][resampler]
    sampler = reg.build(reg.RESAMPLERS[sampler_item["type"]], _params(sampler_item), seed)
    if sampler is not None:
        steps.append(("resample", Recorder(sampler)))
    steps.append(("model", build_model(config, model, seed)))
    pipe = Pipeline(steps)
    if n_jobs is not None:
        params = pipe.get_params()
        pipe.set_params(**{key: n_jobs for key, value in params.items()
                           if key.endswith("__n_jobs") and value is None
                           and type(params[key.rsplit("__", 1)[0]]).__module__.startswith(
                               "sklearn.ensemble")})
    return pipe


def build_model(config, model, seed):
    item = config["models"][model]
    members = [(name, build_model(config, name, seed)) for name in item.get("members", [])]
    return reg.build(reg.MODELS[item["type"]], _params(item), seed, members=members)


def _params(item):
    return {k: v for k, v in item.items() if k not in RUNNER_KEYS}


def run_cell(config, resampler, model, seed, fidelity=False, keep_samples=False, n_jobs=None):
    """Fit and score one (resampler, model, seed) cell on each of its folds.

    Parameters
    ----------
    config : dict
        The resolved config.
    resampler, model : str
        Names from ``config["resamplers"]`` and ``config["models"]``.
    seed : int
        Seeds the split and every component.
    fidelity : bool, default=False
        Score the synthetic rows (generating resamplers only).
    keep_samples : bool, default=False
        Return up to ``SAMPLE_ROWS`` real and synthetic minority rows of fold 0.
    n_jobs : int, optional
        Cores the cell may use (see :func:`build_pipeline`), on folds of at least
        :data:`PARALLEL_ROWS` training rows.

    Returns
    -------
    dict
        ``folds`` (per fold: sizes, seconds, ``metrics``, ``intervals`` -- the bootstrap
        interval of each rate the test rows could not resolve -- and ``fidelity``), ``scores``
        (per fold: ``y_true``, ``y_score`` arrays), ``samples``, ``warnings``.
    """
    data = load_data(config["dataset"])
    evaluation = config["evaluation"]
    out = {"resampler": resampler, "model": model, "seed": seed, "space": space(config, model),
           "labels": data.labels, "folds": [], "scores": {}, "samples": None}
    # The stacks of a config fit the same members on the same rows: fit each once.
    # A cell's models show no bars of their own (the runner shows one over the cells),
    # unless the config sets their verbose.
    with recorded() as caught, process_member_fits(), _progress.verbosity(0):
        for fold, (train, test) in enumerate(splits(data.y, evaluation, seed)):
            pipe = build_pipeline(config, resampler, model, seed, cores_for(len(train), n_jobs))
            if any(model in item.get("members", ()) for item in config["models"].values()):
                pipe = shared(pipe)
            load = functools.partial(load_data, config["dataset"])
            record, scores = _fit_and_score(pipe, data, train, test, evaluation["metrics"],
                                            load)
            record = {"fold": fold, **record,
                      "kernel": _kernel_diagnostics(pipe, model)}
            recorder = pipe.named_steps.get("resample")
            generates = reg.RESAMPLERS[config["resamplers"][resampler]["type"]].generates
            if recorder is not None:
                record["n_fit"] = len(recorder.X_in_) + len(recorder.added_)
                record["n_synthetic"] = len(recorder.added_)
            if fidelity and generates:
                record["fidelity"] = _fidelity(recorder, seed)
            if keep_samples and generates and fold == 0:
                out["samples"] = _samples(recorder, data, config, model, seed)
            out["folds"].append(record)
            out["scores"][fold] = scores
    out["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return out


def _fit_and_score(pipe, data, train, test, metrics, load):
    start = time.perf_counter()
    pipe.fit(data.X[train], data.y[train])
    fitted = time.perf_counter()
    y_score, y_pred = score_rows(pipe, data, test, load)
    done = time.perf_counter()
    values = classification_metrics(data.y[test], y_score, y_pred=y_pred, metrics=metrics)
    # A rate the test rows cannot resolve (too few negatives for its FPR) keeps its
    # bootstrap interval: classification_metrics has warned, and the tables mark it.
    intervals = {m: [float(values[f"{m}_low"]), float(values[f"{m}_high"])] for m in metrics
                 if not np.isnan(values.get(f"{m}_low", np.nan))}
    record = {"n_train": len(train), "n_test": len(test), "n_fit": len(train),
              "n_synthetic": 0, "fit_seconds": fitted - start, "predict_seconds": done - fitted,
              "metrics": {m: float(values[m]) for m in metrics}, "intervals": intervals,
              "fidelity": None}
    return record, {"y_true": data.y[test].astype(np.int8), "y_score": np.asarray(y_score, float)}


def _kernel_models(estimator, name):
    """``(name, QuantumKernelSVC)`` for each fitted kernel model in ``estimator``: itself,
    the end of a pipeline, or members of a stack."""
    from sklearn.pipeline import Pipeline as SklearnPipeline

    from qskew.kernels import QuantumKernelSVC

    if isinstance(estimator, Shared):
        estimator = getattr(estimator, "model_", estimator.model)
    if isinstance(estimator, QuantumKernelSVC) and hasattr(estimator, "kernel_"):
        yield name, estimator
    elif isinstance(estimator, SklearnPipeline):  # imbalanced-learn's Pipeline too
        yield from _kernel_models(estimator.steps[-1][1], name)
    for member, fitted in (getattr(estimator, "named_estimators_", None) or {}).items():
        yield from _kernel_models(fitted, member)


def _kernel_diagnostics(pipe, model_name):
    """``{name: diagnostics}`` of every kernel model of a fitted cell pipeline (the fitted
    ``kernel_diagnostics_`` with the bandwidth used), or None without one."""
    found = dict(_kernel_models(pipe.steps[-1][1], model_name))
    if not found:
        return None
    return {name: None if model.kernel_diagnostics_ is None else
            {"bandwidth": float(model.bandwidth_), **model.kernel_diagnostics_}
            for name, model in found.items()}


def _cap(rows, rng):
    return rows if len(rows) <= FIDELITY_ROWS else rows[rng.choice(len(rows), FIDELITY_ROWS,
                                                                   replace=False)]


def _fidelity(recorder, seed):
    """Aggregate fidelity of the added minority rows to the real training minority rows."""
    rng = np.random.default_rng(seed)
    real = _cap(recorder.X_in_[recorder.y_in_ == 1], rng)
    synthetic = _cap(recorder.added_[recorder.added_y_ == 1], rng)
    other = _cap(recorder.X_in_[recorder.y_in_ == 0], rng)
    if len(synthetic) < 2 or len(real) < 2:
        return None
    table = synthetic_fidelity(real, synthetic, real_other=other, random_state=seed)
    row = table.loc[AGGREGATE_ROW]
    return {"n_real": int((recorder.y_in_ == 1).sum()), "n_synthetic": len(recorder.added_),
            **{c: float(row[c]) for c in FIDELITY_COLUMNS if c in row}}


def _samples(recorder, data, config, model, seed):
    rng = np.random.default_rng(seed)
    real = recorder.X_in_[recorder.y_in_ == 1]
    synthetic = recorder.added_[recorder.added_y_ == 1]

    def pick(rows):
        return rows[np.sort(rng.choice(len(rows), min(len(rows), SAMPLE_ROWS), replace=False))]

    n = real.shape[1]
    raw = config["models"][model]["raw_features"] or not config["preprocessing"]["pca_components"]
    names = data.feature_names if raw and n == len(data.feature_names) else [
        f"pc{i + 1}" for i in range(n)]
    history = {str(label): records for label, records in (recorder.history_ or {}).items()}
    return {"real": pick(real), "synthetic": pick(synthetic), "feature_names": names,
            "history": history or None}
