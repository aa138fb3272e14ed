"""Experiment configs: read a TOML/JSON file or a dict, check every key, fill defaults.

A config only names registered components (:mod:`qskew.experiment._registry`)
and their parameters: strings stay strings, nothing is imported or evaluated.
All problems are collected and raised together in one :class:`ConfigError`.
"""

import copy
import inspect
import json
import math
import os
import re
import sys
import warnings
from pathlib import Path

from qskew._secrets import credential_paths
from qskew.experiment import _registry as reg
from qskew.experiment._check import Checker, check_backend, kind, suggest
from qskew.experiment._config_components import check_members, resolve_components
from qskew._exceptions import UnreliableMetricWarning
from qskew.metrics import classification_metrics

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Keys of ``classification_metrics`` that bound an unresolved low-FPR rate's interval.
INTERVAL_SUFFIXES = ("_low", "_high")
#: Metric names a config may list: the keys of ``classification_metrics`` but the bounds of
#: low-FPR intervals (the runner records those beside their rate).
with warnings.catch_warnings():  # four rows resolve no low FPR: the warning is expected
    warnings.simplefilter("ignore", UnreliableMetricWarning)
    METRICS = tuple(key for key in classification_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
                    if not key.endswith(INTERVAL_SUFFIXES))
DEFAULT_BACKEND = "lightning.qubit"
DEFAULT_SEEDS = [0, 1, 2]
PREPROCESSING = {"impute": "none", "scaler": "standard", "pca_components": None,
                 "angle_range": None}
#: Optional preprocessing keys, in the resolved config only when a config sets them (older
#: results folders resume): ``angle_clip`` clips rows scored outside the training rows'
#: range to the angle range's ends, instead of letting their angles wrap around.
PREPROCESSING_OPTIONAL = ("angle_clip",)
EVALUATION = {"split": "holdout", "test_size": 0.3, "n_splits": 5, "metrics": list(METRICS),
              "baseline": None, "fidelity": True}
#: Keys of ``split = "sample"`` only (absent from other resolved configs, which stay as
#: they were before the mode existed, so older results folders resume).
SAMPLE_KEYS = {"train_size": None, "minority_fraction": None}
TOP_KEYS = ("name", "description", "backend", "seeds", "dataset", "preprocessing",
            "resamplers", "models", "evaluation")


class ConfigError(ValueError):
    """An experiment config has problems; ``problems`` lists every one of them.

    Examples
    --------
    >>> str(ConfigError(["a: unknown key 'b'", "c: must be a string"], source="x.toml"))
    "x.toml: 2 problems: (1) a: unknown key 'b'; (2) c: must be a string"
    """

    def __init__(self, problems, source="config"):
        self.problems = list(problems)
        self.source = source
        if len(self.problems) == 1:
            text = f"{source}: {self.problems[0]}"
        else:
            listed = "; ".join(f"({i}) {p}" for i, p in enumerate(self.problems, 1))
            text = f"{source}: {len(self.problems)} problems: {listed}"
        super().__init__(text)


# -- reading ----------------------------------------------------------------


def read_config(config):
    """``(raw dict, base folder for relative paths, source name)`` of a path or a dict."""
    if isinstance(config, dict):
        return copy.deepcopy(config), Path.cwd(), "config"
    if not isinstance(config, (str, os.PathLike)):
        raise TypeError(f"config must be a path to a .toml or .json file, or a dict; got "
                        f"{type(config).__name__}.")
    path = Path(config).expanduser()
    if not path.is_file():
        problem = (f"no config file at {str(path)!r}; pass the path of a .toml file "
                   "(see experiments/README.md)")
        raise ConfigError([problem], source=str(path))
    text = path.read_text(encoding="utf-8")
    is_json = path.suffix == ".json"
    try:
        raw = json.loads(text) if is_json else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        problem = f"not valid {'JSON' if is_json else 'TOML'}: {exc}"
        raise ConfigError([problem], source=str(path)) from exc
    if not isinstance(raw, dict):
        raise ConfigError(["the file must hold one table of settings"], source=str(path))
    return raw, path.resolve().parent, str(path)


def parse_override(text):
    """``"a.b=VALUE"`` -> ``("a.b", value)``; VALUE is read as TOML, else kept as a string.

    Examples
    --------
    >>> parse_override("seeds=[0, 1]"), parse_override("backend=default.qubit")
    (('seeds', [0, 1]), ('backend', 'default.qubit'))
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError([f"--set needs KEY=VALUE, e.g. seeds=[0,1]; got {text!r}"],
                          source="--set")
    try:
        return key.strip(), tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return key.strip(), value.strip()


def apply_overrides(raw, overrides):
    """Set dotted keys (``{"evaluation.test_size": 0.25}``) in a raw config."""
    problems = []
    for dotted, value in (overrides or {}).items():
        node, parts = raw, dotted.split(".")
        for i, part in enumerate(parts[:-1]):
            child = node.get(part, {})
            if isinstance(child, list) and all(isinstance(s, str) for s in child):
                child = {s: {} for s in child}  # list shorthand -> tables
            if not isinstance(child, dict):
                problems.append(f"cannot set {dotted!r}: {'.'.join(parts[:i + 1])!r} is "
                                f"{kind(child)}, not a table")
                break
            node[part] = node = child
        else:
            node[parts[-1]] = value
    if problems:
        raise ConfigError(problems, source="overrides")
    return raw


def load_config(config, *, data=None, backend=None, overrides=None):
    """Read, check and resolve an experiment config without loading any data.

    Parameters
    ----------
    config : str, path-like or dict
        A ``.toml`` (or resolved ``.json``) file, or the same settings as a dict.
    data : str or path-like, optional
        Replaces ``dataset.path`` (relative to the working directory).
    backend : str, optional
        Replaces the top-level ``backend``.
    overrides : dict, optional
        Dotted keys to set first, e.g. ``{"seeds": [0], "models.qnn.max_epochs": 5}``.

    Returns
    -------
    dict
        The resolved config: defaults filled in, paths absolute, the config's
        ``backend`` set on every quantum component that does not name its own.
        It is itself a valid config (``config.resolved.json`` of a results folder).

    Raises
    ------
    ConfigError
        Listing every problem found (unknown keys with "did you mean", unknown
        component names, parameters an estimator does not have, bad types).
    """
    raw, base, source = read_config(config)
    raw = apply_overrides(raw, overrides)
    if data is not None:
        raw.setdefault("dataset", {})
        if isinstance(raw["dataset"], dict):
            raw["dataset"]["path"] = os.path.abspath(os.fspath(data))
    if backend is not None:
        raw["backend"] = backend
    check = Checker()
    for path in credential_paths(raw):
        check.add(path, "looks like a credential: qskew never reads credentials from configs or "
                        "--set (they would be written to config.resolved.json). Remove it; for "
                        "IBM hardware set QISKIT_IBM_TOKEN or save an account once with "
                        "QiskitRuntimeService.save_account(...)")
    resolved = _resolve(raw, base, check, Path(source).stem if source != "config" else None)
    if check.problems:
        raise ConfigError(check.problems, source=source)
    return resolved


# -- resolving --------------------------------------------------------------


def _resolve(raw, base, check, stem):
    check.keys("", raw, TOP_KEYS)
    name = raw.get("name", re.sub(r"[^A-Za-z0-9_-]", "_", stem or "experiment")[:48])
    backend = raw.get("backend", DEFAULT_BACKEND)
    check_backend(check, "backend", backend)
    resolved = {
        "name": check.label("name", name),
        "description": raw.get("description", ""),
        "backend": backend,
        "seeds": _seeds(check, raw.get("seeds", DEFAULT_SEEDS)),
        "dataset": _dataset(check, raw.get("dataset"), base),
        "preprocessing": _preprocessing(check, raw.get("preprocessing", {})),
    }
    if not isinstance(resolved["description"], str):
        check.add("description", f"must be a string; got {kind(resolved['description'])}")
    resolved["resamplers"] = resolve_components(
        check, "resamplers", raw.get("resamplers", ["none"]), reg.RESAMPLERS,
        reg.RESAMPLER_OPTIONS, backend)
    resolved["models"] = resolve_components(
        check, "models", raw.get("models", {}), reg.MODELS, reg.MODEL_OPTIONS, backend)
    check_members(check, resolved["models"])
    resolved["evaluation"] = _evaluation(check, raw.get("evaluation", {}), resolved)
    return resolved


def _seeds(check, seeds):
    if not (isinstance(seeds, list) and seeds):
        check.add("seeds", f"must be a non-empty array of integers; got {kind(seeds)} "
                           f"{seeds!r}")
        return []
    values = [check.integer(f"seeds[{i}]", s, 0, 2**32 - 1) for i, s in enumerate(seeds)]
    if len(set(seeds)) < len(seeds) and None not in values:
        check.add("seeds", f"must not repeat a seed; got {seeds!r}")
    return values


def _dataset(check, section, base):
    if section is None:
        check.add("dataset", "missing: give [dataset] with name = 'demo', 'creditcard', "
                             "'cicids2017', 'ton_iot' or 'table'")
        return {}
    section = dict(check.table("dataset", section))
    name = check.choice("dataset.name", section.pop("name", None), list(reg.DATASETS))
    if name is None:
        return {}
    options = reg.loader_options(name)
    check.keys("dataset", section, ["path", "subsample", "positive", *options]
               if name != "demo" else ["subsample", "positive"])
    resolved = {"name": name}
    if name != "demo":
        resolved["path"] = _data_path(check, section.get("path"), base, name)
    for option, default in options.items():
        if option in section:
            value = section[option]
            if (default is not None and default is not inspect.Parameter.empty
                    and type(value) is not type(default)):
                check.add(f"dataset.{option}", f"must be {kind(default)} like the "
                          f"default {default!r}; got {kind(value)} {value!r}")
            resolved[option] = value
        elif default is inspect.Parameter.empty:
            check.add("dataset", f"missing {option!r}, which the {name!r} loader needs")
        else:
            resolved[option] = default
    if "subsample" in section:
        resolved["subsample"] = _subsample(check, section["subsample"])
    if "positive" in section:  # else the rarer class, as before the key existed
        positive = section["positive"]
        if isinstance(positive, bool) or not isinstance(positive, (int, str)):
            check.add("dataset.positive", f"must be the label of the class to detect, an "
                      f"integer or a string (e.g. positive = 1); got {kind(positive)} "
                      f"{positive!r}")
        resolved["positive"] = positive
    return resolved


def _data_path(check, path, base, name):
    many = name == "cicids2017"
    if path is None:
        check.add("dataset.path", f"missing: the {name!r} data file (in the config, or "
                                  "`qskew run CONFIG --data PATH`)")
        return None
    items = path if many and isinstance(path, list) else [path]
    if not items or not all(isinstance(p, str) and p for p in items):
        check.add("dataset.path", f"must be a file path string{' or an array of them' * many}"
                                  f"; got {kind(path)} {path!r}")
        return None
    absolute = [os.path.abspath(os.path.join(base, os.path.expanduser(p))) for p in items]
    return absolute if isinstance(path, list) else absolute[0]


def _subsample(check, section):
    section = check.table("dataset.subsample", section)
    check.keys("dataset.subsample", section, ["n", "minority_fraction", "minority_label",
                                              "random_state"])
    resolved = {"n": None, "minority_fraction": None,
                "minority_label": section.get("minority_label"),
                "random_state": check.integer("dataset.subsample.random_state",
                                              section.get("random_state", 0), 0)}
    if section.get("n") is not None:
        resolved["n"] = check.integer("dataset.subsample.n", section["n"], 2)
    if section.get("minority_fraction") is not None:
        resolved["minority_fraction"] = check.fraction("dataset.subsample.minority_fraction",
                                                       section["minority_fraction"])
    if section.get("n") is None and section.get("minority_fraction") is None:
        check.add("dataset.subsample", "give n, minority_fraction or both")
    return resolved


def _preprocessing(check, section):
    section = check.table("preprocessing", section)
    check.keys("preprocessing", section, [*PREPROCESSING, *PREPROCESSING_OPTIONAL])
    resolved = {**PREPROCESSING, **section}
    if "angle_clip" in section:
        check.boolean("preprocessing.angle_clip", section["angle_clip"])
    check.choice("preprocessing.impute", resolved["impute"], reg.IMPUTERS)
    check.choice("preprocessing.scaler", resolved["scaler"], list(reg.SCALERS))
    if resolved["pca_components"] is not None:
        check.integer("preprocessing.pca_components", resolved["pca_components"], 1)
    angle = resolved["angle_range"]
    if angle is not None:
        numbers = isinstance(angle, list) and len(angle) == 2 and all(
            isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a)
            for a in angle)
        if not (numbers and angle[0] < angle[1]):
            check.add("preprocessing.angle_range", f"must be [low, high] with low < high, "
                      f"e.g. [0.0, 1.5708]; got {angle!r}")
        else:
            resolved["angle_range"] = [float(a) for a in angle]
    return resolved


def _evaluation(check, section, resolved):
    section = check.table("evaluation", section)
    check.keys("evaluation", section, [*EVALUATION, *SAMPLE_KEYS])
    out = {**copy.deepcopy(EVALUATION), **section}
    check.choice("evaluation.split", out["split"], ["holdout", "cv", "sample"])
    if out["split"] == "sample":
        out = {**SAMPLE_KEYS, **out}
        _sample(check, out)
    else:
        for key in SAMPLE_KEYS:
            if key in section:
                check.add(f"evaluation.{key}", f"applies only to split = 'sample' (fit on a "
                          f"training sample, score every other row); got split = "
                          f"{out['split']!r}. Remove it or set split = 'sample'")
    check.fraction("evaluation.test_size", out["test_size"])
    check.integer("evaluation.n_splits", out["n_splits"], 2)
    check.boolean("evaluation.fidelity", out["fidelity"])
    metrics = out["metrics"]
    if not (isinstance(metrics, list) and metrics):
        check.add("evaluation.metrics", f"must be a non-empty array of metric names; got "
                                        f"{metrics!r}")
    else:
        for metric in metrics:
            if metric not in METRICS:
                check.add("evaluation.metrics", f"unknown metric {metric!r}; "
                                                f"{suggest(metric, METRICS)}")
        if len(set(map(str, metrics))) < len(metrics):
            check.add("evaluation.metrics", f"must not repeat a metric; got {metrics!r}")
    out["baseline"] = _baseline(check, out["baseline"], resolved)
    return out


def _sample(check, out):
    """``train_size`` (rows, or a fraction of them) and the optional ``minority_fraction``
    of a train-on-a-sample evaluation."""
    size = out["train_size"]
    if size is None:
        check.add("evaluation.train_size", "split = 'sample' needs the training sample's "
                  "size: rows (e.g. train_size = 2000) or a fraction (train_size = 0.01)")
    elif isinstance(size, float):
        check.fraction("evaluation.train_size", size)
    else:
        check.integer("evaluation.train_size", size, 4)
    if out["minority_fraction"] is not None:
        check.fraction("evaluation.minority_fraction", out["minority_fraction"])


def _baseline(check, baseline, resolved):
    resamplers, models = list(resolved["resamplers"]), list(resolved["models"])
    if baseline is None:
        return None
    if isinstance(baseline, str):
        hits = [k for k, names in (("resampler", resamplers), ("model", models))
                if baseline in names]
        if len(hits) == 1:
            return {hits[0]: baseline}
        if hits:
            check.add("evaluation.baseline", f"{baseline!r} names both a resampler and a model;"
                      f" write baseline = {{ model = {baseline!r} }} or {{ resampler = ... }}")
        else:
            check.add("evaluation.baseline", f"{baseline!r} is neither a resampler nor a model "
                      f"of this config; {suggest(baseline, resamplers + models)}")
        return None
    if not isinstance(baseline, dict) or not baseline:
        check.add("evaluation.baseline", f"must be a resampler or model name, or a table "
                                         f"{{ resampler = ..., model = ... }}; got {baseline!r}")
        return None
    check.keys("evaluation.baseline", baseline, ["resampler", "model"])
    for key, names in (("resampler", resamplers), ("model", models)):
        if key in baseline and baseline[key] not in names:
            check.add(f"evaluation.baseline.{key}", f"{baseline[key]!r} is not a {key} of this"
                      f" config; {suggest(baseline[key], names)}")
    return {k: v for k, v in baseline.items() if k in ("resampler", "model")}
