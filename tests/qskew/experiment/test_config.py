"""Tests for qskew.experiment._config: reading, checking and resolving experiment configs."""

import copy
import json
import re
from pathlib import Path

import pytest

from qskew.experiment import ConfigError, demo_config, load_config
from qskew.experiment._config import METRICS, apply_overrides, parse_override

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "experiments").glob("*.toml"))


def tiny(**sections):
    config = {
        "name": "tiny",
        "backend": "default.qubit",
        "seeds": [0],
        "dataset": {"name": "demo"},
        "preprocessing": {"pca_components": 2, "angle_range": [0.0, 1.5708]},
        "resamplers": {"none": {}, "smote": {}},
        "models": {"qsvc": {"feature_map": "angle"}, "rf": {"raw_features": True}},
        "evaluation": {"metrics": ["pr_auc", "recall"], "baseline": "none"},
    }
    config.update(sections)
    return config


def problems_of(config, **kwargs):
    with pytest.raises(ConfigError) as info:
        load_config(config, **kwargs)
    return info.value.problems


# -- shipped configs ----------------------------------------------------------------


def test_every_shipped_config_is_found():
    names = {p.name for p in SHIPPED}
    assert {"demo.toml", "qsynth_creditcard.toml", "mqe_cicids2017.toml",
            "mqe_ton_iot.toml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_configs_validate_without_data(path):
    config = load_config(path)
    assert config["name"] == path.stem
    assert config["models"] and config["seeds"]
    if config["dataset"]["name"] != "demo":
        # Paths are relative to the config file and are not opened by validation.
        assert Path(config["dataset"]["path"]).is_relative_to(ROOT / "experiments" / "data")


def test_packaged_demo_config_is_the_experiments_copy():
    assert demo_config().read_text() == (ROOT / "experiments" / "demo.toml").read_text()
    assert load_config(str(demo_config()))["dataset"] == {"name": "demo"}


@pytest.mark.parametrize("path", [*SHIPPED, None], ids=lambda p: p.name if p else "tiny")
def test_resolved_config_is_a_valid_config_and_a_fixed_point(path):
    resolved = load_config(path if path else tiny())
    again = load_config(json.loads(json.dumps(resolved)))
    assert again == resolved


def test_defaults_are_filled_and_backend_reaches_quantum_components_only():
    config = load_config(tiny(backend="lightning.qubit"))
    assert config["models"]["qsvc"]["backend"] == "lightning.qubit"
    assert "backend" not in config["models"]["rf"]
    assert config["models"]["qsvc"]["raw_features"] is False
    assert config["preprocessing"]["scaler"] == "standard"
    assert config["evaluation"]["split"] == "holdout"
    assert config["evaluation"]["baseline"] == {"resampler": "none"}
    assert load_config(tiny(), backend="default.qubit")["models"]["qsvc"]["backend"] == \
        "default.qubit"


def test_a_component_keeps_its_own_backend():
    config = tiny(models={"qsvc": {"backend": "lightning.qubit"}})
    assert load_config(config)["models"]["qsvc"]["backend"] == "lightning.qubit"


def test_list_shorthand_and_type_aliases():
    config = load_config(tiny(resamplers=["none", "smote"],
                              models={"zz": {"type": "qsvc", "feature_map": "zz"}}))
    assert config["resamplers"] == {"none": {"type": "none"}, "smote": {"type": "smote"}}
    assert config["models"]["zz"]["type"] == "qsvc"


def test_baseline_forms():
    assert load_config(tiny(evaluation={"baseline": "rf"}))["evaluation"]["baseline"] == \
        {"model": "rf"}
    both = {"resampler": "none", "model": "rf"}
    assert load_config(tiny(evaluation={"baseline": both}))["evaluation"]["baseline"] == both
    assert load_config(tiny(evaluation={}))["evaluation"]["baseline"] is None


def test_class_weight_keys_become_labels():
    config = load_config(tiny(models={"rf": {"class_weight": {"0": 1, "1": 10}}}))
    assert config["models"]["rf"]["class_weight"] == {0: 1, 1: 10}


# -- errors -------------------------------------------------------------------------


def _with(path, value):
    def change(config):
        node = config
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
        return config
    return change


def _without(*path):
    def change(config):
        node = config
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return config
    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (_with(["seed"], [1]), r"unknown key 'seed'; did you mean 'seeds'\?"),
        (_with(["models", "qsvm"], {}), (r"models.qsvm: 'qsvm' is not a registered model; "
                                        r"did you mean 'qsvc'")),
        (_with(["resamplers", "smoot"], {}), (r"'smoot' is not a registered resampler; "
                                             r"did you mean 'smote'")),
        (_with(["models", "qsvc", "feture_map"], "zz"),
         r"models.qsvc: unknown key 'feture_map'; did you mean 'feature_map'\?"),
        (_with(["models", "rf", "n_estimator"], 5), r"did you mean 'n_estimators'"),
        (_with(["models", "rf", "n_estimators"], "many"),
         r"models.rf: The 'n_estimators' parameter of RandomForestClassifier must be an int"),
        (_with(["models", "qsvc", "reps"], 1.5), r"'reps' parameter of QuantumKernelSVC"),
        (_with(["models", "rf", "random_state"], 3),
         r"'random_state' cannot be set here \(set from each cell's seed\)"),
        (_with(["models", "st"], {"type": "stack", "members": ["qsvc"],
                                  "estimators": []}), r"give the members as model names"),
        (_with(["models", "qsvc", "raw_features"], "yes"), (r"raw_features: must be true or "
                                                           r"false; got a string")),
        (_with(["seeds"], 0), r"seeds: must be a non-empty array of integers"),
        (_with(["seeds"], [0, True]), r"seeds\[1\]: must be an integer >= 0"),
        (_with(["seeds"], [1, 1]), r"must not repeat a seed"),
        (_with(["seeds"], [-1]), r"seeds\[0\]: must be an integer >= 0"),
        (_with(["backend"], "lightning.qbit"), (r"'lightning.qbit' is not an installed "
                                               r"PennyLane device; did you mean "
                                               r"'lightning.qubit'")),
        (_with(["models", "qsvc", "backend"], "nope.device"), (r"models.qsvc.backend: "
                                                              r"'nope.device' is not")),
        (_with(["dataset", "name"], "creditcrad"), (r"dataset.name: must be one of .*did you "
                                                   r"mean 'creditcard'")),
        (_with(["dataset"], {"name": "creditcard"}), r"dataset.path: missing"),
        (_with(["dataset"], {"name": "creditcard", "path": "c.csv", "tme": "drop"}),
         r"dataset: unknown key 'tme'; did you mean 'time'\?"),
        (_with(["dataset"], {"name": "creditcard", "path": "c.csv",
                             "drop_duplicates": "yes"}),
         r"dataset.drop_duplicates: must be a boolean like the default True"),
        (_with(["dataset"], {"name": "table", "path": "t.csv"}),
         r"missing 'target', which the 'table' loader needs"),
        (_with(["dataset"], {"name": "demo", "path": "x.csv"}), r"unknown key 'path'"),
        (_with(["dataset", "subsample"], {"nn": 3}), r"unknown key 'nn'; did you mean 'n'"),
        (_with(["dataset", "subsample"], {"minority_fraction": 1.5}),
         r"minority_fraction: must be a float strictly between 0 and 1"),
        (_without("dataset"), r"dataset: missing"),
        (_without("models"), r"models: name at least one, e.g. \[models.qsvc\]"),
        (_with(["resamplers"], {}), r"resamplers: name at least one"),
        (_with(["models", "x"], {"type": ["qsvc"]}), r"\['qsvc'\] is not a registered model"),
        (_with(["preprocessing", "scaler"], "standart"), r"did you mean 'standard'"),
        (_with(["preprocessing", "pca_components"], 0), r"must be an integer >= 1"),
        (_with(["preprocessing", "angle_range"], [1.0, 0.0]), r"low < high"),
        (_with(["preprocessing", "angle_clip"], "yes"), r"angle_clip: must be true or false"),
        (_with(["preprocessing", "pca"], 4), (r"unknown key 'pca'; did you mean "
                                             r"'pca_components'")),
        (_with(["evaluation", "metrics"], ["pr-auc"]), (r"unknown metric 'pr-auc'; did you "
                                                       r"mean 'pr_auc'")),
        (_with(["evaluation", "metrics"], []), r"must be a non-empty array"),
        (_with(["evaluation", "split"], "kfold"), r"evaluation.split: must be one of"),
        (_with(["evaluation", "test_size"], 1.5), r"test_size: must be a float strictly"),
        (_with(["evaluation", "n_splits"], 1), r"n_splits: must be an integer >= 2"),
        (_with(["evaluation", "baseline"], "forest"), (r"'forest' is neither a resampler nor "
                                                      r"a model")),
        (_with(["evaluation", "baseline"], {"model": "svm"}), r"baseline.model: 'svm' is not"),
        (_with(["models", "st"], {"type": "stack", "members": ["qsvc", "knn"]}),
         r"models.st.members: 'knn' is not a model of this config"),
        (_with(["models", "st"], {"type": "stack", "members": ["st"]}),
         r"a stack cannot contain itself"),
        (_with(["models", "st"], {"type": "stack", "members": ["rf"]}),
         r"'rf' has raw_features = true"),
        (_with(["models", "st"], {"type": "stack"}), r"members: must be a non-empty array"),
        (_with(["models"], {"lr": {"type": "rf"}, "st": {"type": "stack", "members": ["lr"],
                                                          "fusion": "margins"}}),
         r"has no decision_function, which fusion='margins' needs"),
        (_with(["models", "svm"], {"type": "svc", "calibration": "platt"}),
         r"calibration: must be one of 'none', 'sigmoid', 'isotonic'"),
        (_with(["models", "../evil"], {"type": "rf"}), r"names must be 1-48 letters"),
        (_with(["name"], "my results"), r"name: names must be"),
    ],
)
def test_config_errors(change, message):
    problems = problems_of(change(tiny()))
    assert any(re.search(message, p) for p in problems), problems


def test_every_problem_is_reported_at_once():
    config = tiny(seed=[1], backend="nope")
    config["models"]["qsvm"] = {}
    config["models"]["rf"]["n_estimator"] = 3
    config["evaluation"]["metrics"] = ["pr_auc", "recal"]
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert len(info.value.problems) == 5
    text = str(info.value)
    assert text.startswith("config: 5 problems: (1) ")
    for fragment in ("'seeds'", "'nope'", "'qsvc'", "'n_estimators'", "'recall'"):
        assert fragment in text
    assert "\n" not in text


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)
    error = ConfigError(["only one"], source="x.toml")
    assert str(error) == "x.toml: only one" and error.problems == ["only one"]


@pytest.mark.parametrize("where", ["type", "param", "metric", "dataset", "override"])
def test_a_config_cannot_run_code(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    payload = "__import__('os').system('touch PWNED')"
    config = tiny()
    overrides = None
    if where == "type":
        config["models"]["x"] = {"type": payload}
    elif where == "param":
        config["models"]["qsvc"]["feature_map"] = payload
    elif where == "metric":
        config["evaluation"]["metrics"] = [payload]
    elif where == "dataset":
        config["dataset"]["name"] = payload
    else:
        overrides = dict([parse_override(f"models.qsvc.feature_map={payload}")])
    with pytest.raises(ConfigError) as info:
        load_config(config, overrides=overrides)
    assert payload in str(info.value)  # quoted back as a rejected value
    assert not (tmp_path / "PWNED").exists()


# -- files, paths and overrides ---------------------------------------------------


def test_toml_file_and_relative_paths(tmp_path, monkeypatch):
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "cc.toml").write_text(
        'seeds = [0]\n[dataset]\nname = "creditcard"\npath = "data/creditcard.csv"\n'
        '[models.rf]\n')
    config = load_config(folder / "cc.toml")
    assert config["name"] == "cc"
    assert config["dataset"]["path"] == str(folder / "data" / "creditcard.csv")
    monkeypatch.chdir(tmp_path)
    assert load_config(folder / "cc.toml", data="other.csv")["dataset"]["path"] == \
        str(tmp_path / "other.csv")


def test_unreadable_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="no config file at"):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("seeds = [0\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "bad.toml")
    (tmp_path / "dated.toml").write_text(
        '[dataset]\nname = "demo"\n[models.rf]\nn_estimators = 1979-05-27\n')
    with pytest.raises(ConfigError, match="dates and times are not estimator parameters"):
        load_config(tmp_path / "dated.toml")
    with pytest.raises(TypeError, match="path to a .toml"):
        load_config(42)


@pytest.mark.parametrize(
    "text, expected",
    [("seeds=[0, 1]", ("seeds", [0, 1])), ("models.qnn.max_epochs=5",
                                            ("models.qnn.max_epochs", 5)),
     ("backend=default.qubit", ("backend", "default.qubit")),
     ("evaluation.fidelity=false", ("evaluation.fidelity", False)),
     ("name='x'", ("name", "x"))],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


def test_bad_overrides():
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_override("seeds")
    with pytest.raises(ConfigError, match="'name' is a string, not a table"):
        apply_overrides({"name": "x"}, {"name.first": 1})


def test_overrides_reach_list_shorthand_and_leave_the_input_alone():
    config = tiny(resamplers=["none", "qgan"])
    original = copy.deepcopy(config)
    resolved = load_config(config, overrides={"resamplers.qgan.epochs": 2, "seeds": [3]})
    assert resolved["resamplers"]["qgan"]["epochs"] == 2 and resolved["seeds"] == [3]
    assert config == original


def test_metric_names_are_those_of_classification_metrics():
    assert {"pr_auc", "recall", "mcc", "tpr_at_fpr_1%", "brier", "ece"} <= set(METRICS)


def test_sample_evaluation_keys():
    base = {"seeds": [0], "dataset": {"name": "demo"}, "models": ["logreg"]}
    cfg = load_config({**base, "evaluation": {"split": "sample", "train_size": 200,
                                              "minority_fraction": 0.05}})
    assert cfg["evaluation"]["train_size"] == 200
    assert cfg["evaluation"]["minority_fraction"] == 0.05
    cfg = load_config({**base, "evaluation": {"split": "sample", "train_size": 0.25}})
    assert cfg["evaluation"]["minority_fraction"] is None
    # Other splits resolve as before the mode existed (older folders still resume).
    assert "train_size" not in load_config({**base, "evaluation": {"split": "cv"}})["evaluation"]


@pytest.mark.parametrize("evaluation, match", [
    ({"split": "sample"}, "evaluation.train_size: split = 'sample' needs the training sample"),
    ({"split": "sample", "train_size": 1.5}, "evaluation.train_size: must be a float strictly"),
    ({"split": "sample", "train_size": 2}, "evaluation.train_size: must be an integer >= 4"),
    ({"split": "sample", "train_size": 100, "minority_fraction": 0},
     "evaluation.minority_fraction: must be a float"),
    ({"split": "cv", "train_size": 100}, "evaluation.train_size: applies only to split = "
                                         "'sample'"),
    ({"split": "smaple"}, "did you mean 'sample'"),
])
def test_bad_sample_evaluation(evaluation, match):
    with pytest.raises(ConfigError, match=match):
        load_config({"seeds": [0], "dataset": {"name": "demo"}, "models": ["logreg"],
                     "evaluation": evaluation})
