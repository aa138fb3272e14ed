"""What an experiment will cost in quantum work, before running it.

Counts per cell (one resampler, model and seed, all folds):

- ``qsvc``: :meth:`QuantumKernel.estimate_cost` for ``K(train, train)`` and for
  ``K(test, train)`` twice (scores, then labels) — an upper bound, as if every
  training row were a support vector.
- ``qnn``: forward evaluations = rows fitted per epoch × ``max_epochs`` (an
  upper bound: early stopping may end sooner), plus two passes over the test
  rows; each is one state preparation (exact) or one circuit (shots).
- ``qgan``: ``3 · n_minority`` generator evaluations per epoch and patch (the
  sampler's own count), plus one per synthetic row and patch.
- ``stack``: its members' costs on each of ``cv`` training folds and the refit.

Time is rough: ``SECONDS_PER_STATE`` per exact state preparation (kernels),
``SECONDS_PER_TRAINING_STATE`` per forward+backward evaluation (QNN, QGAN), both
measured at 4-8 qubits on a 2-core CPU and doubled per qubit beyond 10; and
``SECONDS_PER_CIRCUIT`` per shot-based circuit on a local simulator (hardware
adds queueing that no constant captures).
"""

import math
from dataclasses import dataclass, field

import pandas as pd

from circuits import generator_outputs
from qskew._backend import STATEVECTOR_SIMULATORS
from qskew._kernel import QuantumKernel
from qskew.experiment import _cell
from qskew.experiment import _registry as reg
from qskew.experiment._config import load_config
from qskew.experiment._config_components import RUNNER_KEYS

SECONDS_PER_STATE = 1e-4
SECONDS_PER_TRAINING_STATE = 3e-4
SECONDS_PER_CIRCUIT = 5e-3
_OVERSAMPLERS = {"smote", "random", "gan", "qgan"}
_COLUMNS = ["resampler", "model", "cells", "folds", "n_train", "n_fit", "n_test", "qubits",
            "state_preparations", "circuits", "shots", "seconds"]


@dataclass
class CostEstimate:
    """Per (resampler, model) costs of one cell, and totals over all cells.

    Attributes
    ----------
    cells : DataFrame
        One row per (resampler, model): ``cells`` (seeds), ``folds``, sizes,
        ``qubits`` of the model, and per cell ``state_preparations``,
        ``circuits``, ``shots`` and rough ``seconds`` (resampler included).
    total : dict
        The same counts summed over every cell.
    notes : list of str
        The assumptions behind the counts.
    """

    cells: pd.DataFrame
    total: dict
    notes: list = field(default_factory=list)

    def __str__(self):
        total = ", ".join(f"{k} {v:,.0f}" if isinstance(v, (int, float)) else f"{k} {v}"
                          for k, v in self.total.items())
        return "\n".join([self.cells.to_string(index=False), f"total: {total}", *self.notes])


def _work(states=0, circuits=0, shots=0, seconds=0.0):
    return {"state_preparations": states, "circuits": circuits, "shots": shots,
            "seconds": seconds}


def _add(a, b, times=1):
    return {k: a[k] + times * b[k] for k in a}


def _scale(qubits):
    return 2.0 ** max(0, qubits - 10)


def _evaluations(n, params, qubits, training):
    """``n`` evaluations of one circuit: exact states, or circuits with shots."""
    exact = params.get("shots") is None and params.get("backend") in STATEVECTOR_SIMULATORS
    if exact:
        per = SECONDS_PER_TRAINING_STATE if training else SECONDS_PER_STATE
        return _work(states=n, seconds=n * per * _scale(qubits))
    shots = params.get("shots") or 0
    return _work(circuits=n, shots=n * shots, seconds=n * SECONDS_PER_CIRCUIT)


def _model_work(config, label, n_fit, n_test, qubits):
    item = config["models"][label]
    params = {k: v for k, v in item.items() if k not in RUNNER_KEYS}
    kind = item["type"]
    if kind == "qsvc":
        kernel = QuantumKernel(**{k: v for k, v in params.items()
                                  if k in QuantumKernel().get_params()})
        fit, test = kernel.estimate_cost(n_fit), kernel.estimate_cost(n_test, n_fit)
        states = fit["state_preparations"] + 2 * test["state_preparations"]
        circuits = fit["circuits"] + 2 * test["circuits"]
        return _work(states, circuits, fit["shots"] + 2 * test["shots"],
                     states * SECONDS_PER_STATE * _scale(qubits)
                     + circuits * SECONDS_PER_CIRCUIT)
    if kind == "qnn":
        epochs = params.get("max_epochs", 100)
        return _add(_evaluations(n_fit * epochs, params, qubits, True),
                    _evaluations(2 * n_test, params, qubits, False))
    if kind == "stack":
        cv = params.get("cv", 5)
        total = _work()
        for member in item["members"]:
            inner = _model_work(config, member, n_fit - n_fit // cv, n_fit // cv, qubits)
            total = _add(total, inner, cv)
            total = _add(total, _model_work(config, member, n_fit, n_test, qubits))
        return total
    return _work()


def _resampler_work(config, label, n_minority, n_new, n_features):
    item = config["resamplers"][label]
    if item["type"] != "qgan":
        return _work(), None
    n_qubits = item.get("n_qubits", 4)
    patches = math.ceil(n_features / generator_outputs(n_qubits, item.get("observables", "Z")))
    evaluations = (3 * n_minority * item.get("epochs", 100) + n_new) * patches
    return _evaluations(evaluations, item, n_qubits, True), n_qubits


def _sizes(config, n_rows, n_positive):
    evaluation = config["evaluation"]
    if evaluation["split"] == "holdout":
        n_test, folds = math.ceil(evaluation["test_size"] * n_rows), 1
    else:
        folds = evaluation["n_splits"]
        n_test = n_rows // folds
    n_train = n_rows - n_test
    minority = round(n_positive * n_train / n_rows)
    return folds, n_train, n_test, minority


def _new_rows(item, n_train, minority):
    if item["type"] not in _OVERSAMPLERS:
        return 0
    majority = n_train - minority
    strategy = item.get("sampling_strategy", "auto")
    target = majority * strategy if isinstance(strategy, float) else majority
    return max(0, int(target) - minority)


def estimate(config, *, data=None, backend=None, overrides=None):
    """Count the state preparations, circuits and shots a config will cost, and a rough time.

    Loads the dataset (for its size and number of features) but fits nothing.

    Parameters
    ----------
    config : str, path-like or dict
        As for :func:`~qskew.experiment.run`.
    data, backend, overrides
        As for :func:`~qskew.experiment.run`.

    Returns
    -------
    CostEstimate
        ``cells`` (per resampler and model, per cell) and ``total``; ``str()``
        prints both with the assumptions.
    """
    config = load_config(config, data=data, backend=backend, overrides=overrides)
    loaded = _cell.load_data(config["dataset"])
    n_rows, n_positive, n_raw = len(loaded.y), int(loaded.y.sum()), loaded.X.shape[1]
    folds, n_train, n_test, minority = _sizes(config, n_rows, n_positive)
    pca = config["preprocessing"]["pca_components"]
    rows = []
    for resampler, item in config["resamplers"].items():
        n_new = _new_rows(item, n_train, minority)
        for model, model_item in config["models"].items():
            qubits = n_raw if model_item["raw_features"] or not pca else pca
            sampler, _ = _resampler_work(config, resampler, minority, n_new, qubits)
            work = _add(sampler, _model_work(config, model, n_train + n_new, n_test, qubits))
            work = {k: v * folds for k, v in work.items()}
            quantum = reg.MODELS[model_item["type"]].quantum or model_item["type"] == "stack"
            rows.append({"resampler": resampler, "model": model,
                         "cells": len(config["seeds"]), "folds": folds, "n_train": n_train,
                         "n_fit": n_train + n_new, "n_test": n_test,
                         "qubits": qubits if quantum else 0, **work})
    cells = pd.DataFrame(rows, columns=_COLUMNS)
    total = {k: int((cells[k] * cells["cells"]).sum()) for k in
             ("state_preparations", "circuits", "shots")}
    total["cells"] = int(cells["cells"].sum())
    total["seconds"] = round(float((cells["seconds"] * cells["cells"]).sum()), 1)
    cells["seconds"] = cells["seconds"].round(2)
    notes = [
        (f"data: {n_rows} rows, {n_positive} positive, {n_raw} features; {folds} fold(s) of "
        f"{n_train} training and {n_test} test rows per cell."),
        ("qsvc: QuantumKernel.estimate_cost, all training rows counted as support vectors; "
        "qnn: forward evaluations per epoch = rows fitted, times max_epochs (early stopping "
        "may stop sooner); qgan: 3 x minority rows generator evaluations per epoch and patch."),
        (f"seconds: {SECONDS_PER_STATE:g} s per kernel state, {SECONDS_PER_TRAINING_STATE:g} s "
        f"per training evaluation (doubling per qubit beyond 10), {SECONDS_PER_CIRCUIT:g} s per "
        "shot-based circuit; classical models and fidelity scoring not counted."),
    ]
    return CostEstimate(cells, total, notes)
