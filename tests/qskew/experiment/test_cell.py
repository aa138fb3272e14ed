"""Tests for qskew.experiment._cell: one (resampler, model, seed) cell, leakage-safe."""

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import StandardScaler

from qskew.experiment import _cell, _scoring, load_config
from qskew.experiment import _registry as reg

SEEN = {"scaler": [], "sampler": [], "model_fit": [], "model_predict": []}


class SpyScaler(StandardScaler):
    def fit(self, X, y=None, sample_weight=None):
        SEEN["scaler"].append(np.array(X))
        return super().fit(X, y, sample_weight)


class SpySampler(RandomOverSampler):
    def fit_resample(self, X, y, **params):
        SEEN["sampler"].append(np.array(X))
        return super().fit_resample(X, y, **params)


class SpyModel(ClassifierMixin, BaseEstimator):
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        SEEN["model_fit"].append(np.array(X))
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        SEEN["model_predict"].append(np.array(X))
        p = np.linspace(0.01, 0.99, len(X))
        return np.c_[1 - p, p]

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


@pytest.fixture
def spies(monkeypatch):
    for rows in SEEN.values():
        rows.clear()
    _cell._RESAMPLED.clear()
    monkeypatch.setitem(reg.RESAMPLERS, "spy", reg.Component(
        "spy", SpySampler, "test spy", managed={"random_state": "seed"}))
    monkeypatch.setitem(reg.MODELS, "spy", reg.Component(
        "spy", SpyModel, "test spy", managed={"random_state": "seed"}))
    monkeypatch.setitem(reg.SCALERS, "standard", SpyScaler)
    return SEEN


def config(split="holdout", scaler="none", raw=True, **evaluation):
    return load_config({
        "seeds": [0], "dataset": {"name": "demo"},
        "preprocessing": {"scaler": scaler, "pca_components": 2, "angle_range": [0.0, 1.0]},
        "resamplers": ["spy"], "models": {"spy": {"raw_features": raw}},
        "evaluation": {"split": split, "n_splits": 3, "metrics": ["pr_auc", "recall"],
                       **evaluation},
    })


def rows(X):
    return {tuple(r) for r in np.round(X, 10)}


@pytest.mark.parametrize("split", ["holdout", "cv"])
def test_resampler_and_model_never_see_test_rows(spies, split):
    cfg = config(split)
    data = _cell.load_data(cfg["dataset"])
    result = _cell.run_cell(cfg, "spy", "spy", 0)
    folds = _cell.splits(data.y, cfg["evaluation"], 0)
    assert len(result["folds"]) == len(folds) == len(spies["sampler"])
    for (train, test), sampled, fitted, predicted in zip(
            folds, spies["sampler"], spies["model_fit"], spies["model_predict"][::2]):
        assert rows(sampled) == rows(data.X[train])
        assert not rows(sampled) & rows(data.X[test])
        assert rows(fitted) <= rows(data.X[train])  # oversampled: duplicates of training rows
        assert not rows(fitted) & rows(data.X[test])
        assert rows(predicted) == rows(data.X[test])


def test_scaler_and_pca_are_fitted_on_training_rows_only(spies):
    cfg = config("cv", scaler="standard", raw=False)
    data = _cell.load_data(cfg["dataset"])
    _cell.run_cell(cfg, "spy", "spy", 0)
    folds = _cell.splits(data.y, cfg["evaluation"], 0)
    assert len(spies["scaler"]) == 3
    for (train, test), fitted in zip(folds, spies["scaler"]):
        assert rows(fitted) == rows(data.X[train])
    # The resampler works on the angles the training rows were mapped to.
    for sampled in spies["sampler"]:
        assert sampled.shape[1] == 2 and sampled.min() >= -1e-12 and sampled.max() <= 1 + 1e-12


def test_pipeline_steps_and_seeds():
    cfg = load_config({
        "seeds": [0], "dataset": {"name": "demo"},
        "preprocessing": {"impute": "median", "pca_components": 3, "angle_range": [0.0, 1.0]},
        "resamplers": ["smote"],
        "models": {"qsvc": {}, "rf": {"raw_features": True}},
    })
    quantum = _cell.build_pipeline(cfg, "smote", "qsvc", 5)
    assert isinstance(quantum, Pipeline)
    assert [name for name, _ in quantum.steps] == ["impute", "scale", "pca", "angle",
                                                   "resample", "model"]
    assert quantum.named_steps["pca"].random_state == 5
    assert quantum.named_steps["resample"].sampler.random_state == 5
    assert quantum.named_steps["model"].random_state == 5
    assert quantum.named_steps["angle"].feature_range == (0.0, 1.0)
    classical = _cell.build_pipeline(cfg, "smote", "rf", 5)
    assert [name for name, _ in classical.steps] == ["impute", "scale", "resample", "model"]
    assert _cell.space(cfg, "qsvc") == "median+standard+pca3+angle"
    assert _cell.space(cfg, "rf") == "median+standard"


def test_cores_go_to_ensembles_the_config_left_unset(monkeypatch):
    cfg = load_config({
        "seeds": [0], "dataset": {"name": "demo"}, "resamplers": ["none"],
        "models": {"rf": {"raw_features": True}, "rf1": {"type": "rf", "n_jobs": 1},
                   "logreg": {}},
    })
    assert _cell.build_pipeline(cfg, "none", "rf", 0, n_jobs=2).named_steps["model"].n_jobs == 2
    assert _cell.build_pipeline(cfg, "none", "rf", 0).named_steps["model"].n_jobs is None
    assert _cell.build_pipeline(cfg, "none", "rf1", 0, n_jobs=2).named_steps["model"].n_jobs == 1
    # logistic regression's n_jobs is deprecated (no effect since scikit-learn 1.8): left alone
    assert _cell.build_pipeline(cfg, "none", "logreg", 0,
                                n_jobs=2).named_steps["model"].n_jobs is None
    # folds of fewer rows keep one thread (thread start-up costs more than it saves)
    assert _cell.cores_for(_cell.PARALLEL_ROWS - 1, 2) is None
    assert _cell.cores_for(_cell.PARALLEL_ROWS, 2) == 2 and _cell.cores_for(10**6, None) is None
    # a serial run hands each cell the machine's cores; a Dask task its one thread
    from qskew.experiment import _runner

    handed = {}
    monkeypatch.setattr(_runner.os, "cpu_count", lambda: 3)
    monkeypatch.setattr(_runner, "execute", lambda tasks, scheduler, **_: handed.update(
        {scheduler: [task.keywords["n_jobs"] for _, task in tasks]}))
    todo = [("none+rf+seed0", {"resampler": "none", "model": "rf", "seed": 0})]
    for scheduler in (None, "local"):
        _runner._execute(None, cfg, todo, 1, scheduler, True)
    assert handed == {None: [3], "local": [1]}


def test_stack_members_are_built_from_their_own_sections():
    cfg = load_config({
        "seeds": [0], "dataset": {"name": "demo"}, "preprocessing": {"pca_components": 2},
        "models": {"qsvc": {"feature_map": "angle"}, "lr": {"type": "logreg", "C": 0.5},
                   "st": {"type": "stack", "members": ["qsvc", "lr"], "cv": 3}},
    })
    stack = _cell.build_model(cfg, "st", 4)
    assert [name for name, _ in stack.estimators] == ["qsvc", "lr"]
    assert stack.estimators[0][1].feature_map == "angle"
    assert stack.estimators[1][1].C == 0.5 and stack.estimators[1][1].random_state == 4
    assert stack.cv == 3 and stack.random_state == 4


def test_splits_are_stratified_and_seeded():
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    (train, test), = _cell.splits(y, {"split": "holdout", "test_size": 0.3}, 1)
    assert len(test) == 30 and y[test].sum() == 3 and not set(train) & set(test)
    folds = _cell.splits(y, {"split": "cv", "n_splits": 5}, 1)
    assert sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(100))
    assert all(y[t].sum() == 2 for _, t in folds)
    again = _cell.splits(y, {"split": "cv", "n_splits": 5}, 1)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))


def test_run_cell_scores_and_fidelity():
    cfg = load_config({
        "seeds": [0], "dataset": {"name": "demo"}, "preprocessing": {"pca_components": 2},
        "resamplers": ["smote"], "models": {"logreg": {}},
        "evaluation": {"metrics": ["pr_auc", "brier"]},
    })
    result = _cell.run_cell(cfg, "smote", "logreg", 0, fidelity=True, keep_samples=True)
    fold = result["folds"][0]
    assert (fold["n_train"], fold["n_test"]) == (277, 120)
    assert fold["n_synthetic"] == 277 - 2 * 28 and fold["n_fit"] == 2 * (277 - 28)
    assert set(fold["metrics"]) == {"pr_auc", "brier"}
    assert 0 <= fold["metrics"]["pr_auc"] <= 1
    assert {"ks_statistic", "wasserstein", "correlation_distance", "detection_auc",
            "tstr_pr_auc"} <= set(fold["fidelity"])
    assert fold["fidelity"]["n_real"] == 28
    assert result["scores"][0]["y_true"].sum() == 12 and len(result["scores"][0]["y_score"]) == 120
    assert result["samples"]["real"].shape == (28, 2)
    assert result["samples"]["feature_names"] == ["pc1", "pc2"]
    assert result["labels"] == ["0", "1"]


def test_load_data_makes_the_minority_positive_and_refuses_multiclass(tmp_path):
    frame = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) ** 2,
                          "cls": ["fraud"] * 5 + ["ok"] * 25})
    frame.to_csv(tmp_path / "t.csv", index=False)
    data = _cell.load_data({"name": "table", "path": str(tmp_path / "t.csv"), "target": "cls"})
    assert data.labels == ["ok", "fraud"] and data.y.sum() == 5
    assert data.X.dtype == np.float64 and data.feature_names == ["a", "b"]
    frame.assign(cls=["x", "y", "z"] * 10).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(ValueError, match="scores binary problems.*3 classes"):
        _cell.load_data({"name": "table", "path": str(tmp_path / "m.csv"), "target": "cls"})


def test_subsample_is_applied_before_splitting():
    data = _cell.load_data({"name": "demo", "subsample": {
        "n": 200, "minority_fraction": 0.05, "minority_label": None, "random_state": 0}})
    assert len(data.y) == 200 and data.y.sum() == 10


def test_models_of_one_resampler_seed_and_fold_share_one_resampling(spies):
    cfg = load_config({
        "seeds": [0], "dataset": {"name": "demo"},
        "preprocessing": {"scaler": "none", "pca_components": 2, "angle_range": [0.0, 1.0]},
        "resamplers": ["spy"], "models": {"spy": {"raw_features": True},
                                          "logreg": {"raw_features": True}},
        "evaluation": {"split": "cv", "n_splits": 3, "metrics": ["pr_auc"]},
    })
    first = _cell.run_cell(cfg, "spy", "spy", 0)
    second = _cell.run_cell(cfg, "spy", "logreg", 0)
    assert len(spies["sampler"]) == 3  # one fit per fold, not one per model
    assert [f["n_synthetic"] for f in first["folds"]] == [f["n_synthetic"] for f in second["folds"]]
    _cell.run_cell(cfg, "spy", "spy", 1)  # another seed: its own resampling
    assert len(spies["sampler"]) == 6


def test_sample_split_trains_on_a_stratified_sample_and_holds_out_every_other_row():
    y = np.r_[np.zeros(900, int), np.ones(100, int)]
    evaluation = {"split": "sample", "train_size": 200, "minority_fraction": 0.05}
    (train, test), = _cell.splits(y, evaluation, 3)
    assert len(train) == 200 and y[train].sum() == 10
    assert len(test) == 800 and not set(train) & set(test)
    assert np.array_equal(np.sort(np.r_[train, test]), np.arange(1000))
    assert np.all(np.diff(test) > 0)
    again, = _cell.splits(y, evaluation, 3)
    other, = _cell.splits(y, evaluation, 4)
    assert np.array_equal(again[0], train) and not np.array_equal(other[0], train)
    # A fraction of the rows, at the data's own share of positives.
    (train, test), = _cell.splits(y, {"split": "sample", "train_size": 0.1}, 0)
    assert len(train) == 100 and y[train].sum() == 10


def test_sample_split_that_cannot_be_drawn_says_what_to_change():
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    with pytest.raises(ValueError, match="evaluation.split = 'sample' cannot draw its "
                                         "training sample from 100 rows \\(10 positive\\)"):
        _cell.splits(y, {"split": "sample", "train_size": 50, "minority_fraction": 0.5}, 0)


def test_sample_evaluation_scores_every_held_out_row_in_chunks(spies, monkeypatch):
    monkeypatch.setattr(_scoring, "SCORE_ROWS", 64)
    cfg = config("sample", train_size=100)
    data = _cell.load_data(cfg["dataset"])
    result = _cell.run_cell(cfg, "spy", "spy", 0)
    (train, test), = _cell.splits(data.y, cfg["evaluation"], 0)
    fold, = result["folds"]
    assert (fold["n_train"], fold["n_test"]) == (100, len(data.y) - 100)
    assert rows(spies["model_fit"][0]) <= rows(data.X[train])
    chunks = spies["model_predict"][::2]  # predict_proba, then predict, per chunk
    assert [len(c) for c in chunks] == [64] * (len(test) // 64) + [len(test) % 64]
    assert rows(np.concatenate(chunks)) == rows(data.X[test])
    np.testing.assert_array_equal(result["scores"][0]["y_true"], data.y[test])


def test_chunked_scores_equal_one_call():
    from sklearn.ensemble import RandomForestClassifier

    X = np.random.default_rng(0).normal(size=(300, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 1).astype(int)
    pipe = Pipeline([("model", RandomForestClassifier(20, random_state=0))]).fit(X, y)
    rows_ = np.arange(0, 300, 2)
    whole = _scoring.predict_rows(pipe, X, rows_)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(_scoring, "SCORE_ROWS", 7)
    try:
        chunked = _scoring.predict_rows(pipe, X, rows_)
    finally:
        monkeypatch.undo()
    np.testing.assert_array_equal(whole[0], chunked[0])
    np.testing.assert_array_equal(whole[1], chunked[1])
    np.testing.assert_array_equal(whole[0], pipe.predict_proba(X[rows_])[:, 1])


def test_dataset_positive_names_the_class_to_detect(tmp_path):
    frame = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) ** 2,
                          "label": [0] * 5 + [1] * 25})
    frame.to_csv(tmp_path / "t.csv", index=False)
    dataset = {"name": "table", "path": str(tmp_path / "t.csv"), "target": "label"}
    cfg = load_config({"seeds": [0], "dataset": dataset, "models": ["logreg"]})
    assert _cell._load(cfg["dataset"]).y.sum() == 5  # the rarer class by default
    cfg = load_config({"seeds": [0], "dataset": {**dataset, "positive": 1}, "models": ["logreg"]})
    data = _cell._load(cfg["dataset"])
    assert data.y.sum() == 25 and data.labels == ["0", "1"]
    cfg = load_config({"seeds": [0], "dataset": {**dataset, "positive": 7}, "models": ["logreg"]})
    with pytest.raises(ValueError, match=r"dataset.positive = 7 is not a class of the data; "
                                         r"its classes are 1 \(25 rows\), 0 \(5 rows\)"):
        _cell._load(cfg["dataset"])
    with pytest.raises(Exception, match="dataset.positive: must be the label"):
        load_config({"seeds": [0], "dataset": {**dataset, "positive": 1.5},
                     "models": ["logreg"]})


def test_a_run_leaves_no_member_fits_behind(tmp_path):
    from qskew.ensemble._shared import _PROCESS
    from qskew.experiment import run

    config = {"seeds": [0], "dataset": {"name": "demo"}, "preprocessing": {"pca_components": 2},
              "resamplers": ["none"],
              "models": {"logreg": {}, "st": {"type": "stack", "members": ["logreg"], "cv": 2}},
              "evaluation": {"metrics": ["pr_auc"]}}
    run(config, out=tmp_path / "r", quiet=True, plots=False)
    assert not _PROCESS.fits and not _PROCESS.outputs.info()["entries"]


def test_angle_clip_holds_scored_rows_inside_the_angle_range():
    raw = {"seeds": [0], "dataset": {"name": "demo"},
           "preprocessing": {"pca_components": 2, "angle_range": [0.0, 1.0]},
           "resamplers": ["none"], "models": {"logreg": {}}}
    plain = load_config(raw)
    assert "angle_clip" not in plain["preprocessing"]  # older results folders still resume
    clipped = load_config({**raw, "preprocessing": {**raw["preprocessing"], "angle_clip": True}})
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    far = 10 * X  # rows scored beyond the training rows' range
    for cfg, inside in ((plain, False), (clipped, True)):
        pipe = _cell.build_pipeline(cfg, "none", "logreg", 0).fit(X, y)
        angles = pipe[:-1].transform(far)
        assert ((angles >= 0) & (angles <= 1)).all() == inside
