"""What an experiment will cost in quantum work, before running it.

The runner builds each cell's pipeline exactly as :func:`~qskew.experiment.run`
does and asks every component for its own ``estimate_cost`` (see
:mod:`qskew.backends._cost`); nothing here re-derives an estimator's cost.
What the runner adds is what it knows about the grid:

- each fold fits the model on the (resampled) training rows and calls two
  prediction methods on the test rows (scores, then labels);
- a resampling is shared by the models of one (resampler, seed, fold,
  feature space), so a QGAN's training is counted once per group, in the
  group's first row;
- the rows a sampler adds come from its own ``sampling_strategy``
  (imbalanced-learn's ``check_sampling_strategy``).

Counts are upper bounds: QNN training may stop early, and kernel states that
another cell already prepared (the same training rows under another
resampler) come from the state cache.

Time (``seconds``) is each component's own expected local compute on a
2-core CPU (:mod:`qskew.backends._cost`: quantum work by its states and
circuits, QNN training until early stopping is expected to end it, classical
models by their size), measured within ±25 % of the bundled protocols'
cells by ``benchmarks/bench_estimate.py``; hardware adds queueing that no
constant captures.
"""

import inspect
import math
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from imblearn.utils import check_sampling_strategy

from qskew.backends._cost import classical_seconds, total
from qskew.experiment import _cell
from qskew.experiment._config import load_config

#: Prediction methods the runner calls on each fold's test rows (scores, labels).
PREDICT_CALLS = 2
_COUNTS = ("state_preparations", "circuits", "shots", "jobs")
_COLUMNS = ["resampler", "model", "cells", "folds", "n_train", "n_fit", "n_test", "qubits",
            *_COUNTS, "qpu_seconds", "seconds"]


@dataclass
class CostEstimate:
    """Per (resampler, model) costs of one cell, and totals over all cells.

    Attributes
    ----------
    cells : DataFrame
        One row per (resampler, model): ``cells`` (seeds), ``folds``, sizes,
        ``qubits`` (the widest register simulated, 0 for none), and per cell
        ``state_preparations``, ``circuits``, ``shots``, primitive ``jobs``
        and ``qpu_seconds`` (Qiskit targets; IBM quantum time from the model
        in :mod:`qskew.backends._cost`) and rough ``seconds`` of local work
        (resampler included).
    total : dict
        The same counts summed over every cell.
    notes : list of str
        The assumptions behind the counts.
    """

    cells: pd.DataFrame
    total: dict
    notes: list = field(default_factory=list)

    def _total_text(self):
        return ", ".join(f"{k} {v:,.0f}" if isinstance(v, (int, float)) else f"{k} {v}"
                         for k, v in self.total.items())

    def __str__(self):
        return "\n".join([self.cells.to_string(index=False), f"total: {self._total_text()}",
                          *self.notes])

    def _repr_html_(self):
        """A notebook's view: the cells as a table, the totals and the notes."""
        import html

        total = self._total_text()
        notes = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
        return (f"<div>{self.cells.to_html(index=False)}<p><b>total</b>: "
                f"{html.escape(total)}</p><ul><small>{notes}</small></ul></div>")


def _ask(estimator, *args, **options):
    """``estimator.estimate_cost(*args, **options)`` with the options it takes; None if it
    has no estimate (classical components cost no quantum work)."""
    method = getattr(estimator, "estimate_cost", None)
    if method is None:
        return None
    accepted = inspect.signature(method).parameters
    return method(*args, **{k: v for k, v in options.items() if k in accepted})


def _sizes(config, n_rows, n_positive):
    evaluation = config["evaluation"]
    if evaluation["split"] == "sample":
        n_train = _cell.train_rows(n_rows, evaluation)
        share = evaluation.get("minority_fraction") or n_positive / n_rows
        return 1, n_train, n_rows - n_train, round(share * n_train)
    if evaluation["split"] == "holdout":
        n_test, folds = math.ceil(evaluation["test_size"] * n_rows), 1
    else:
        folds = evaluation["n_splits"]
        n_test = n_rows // folds
    n_train = n_rows - n_test
    minority = round(n_positive * n_train / n_rows)
    return folds, n_train, n_test, minority


def _added_rows(sampler, n_train, minority):
    """Rows ``sampler`` adds to a training set of ``n_train`` rows, ``minority`` of class 1."""
    strategy = getattr(sampler, "sampling_strategy", None)
    if sampler is None or strategy is None or not hasattr(sampler, "fit_resample"):
        return 0
    y = np.r_[np.zeros(n_train - minority, dtype=int), np.ones(minority, dtype=int)]
    try:
        return int(sum(check_sampling_strategy(strategy, y, "over-sampling").values()))
    except ValueError:  # an under-sampling strategy: no rows added
        return 0


def _cell_cost(pipe, resampler_first, qubits, n_train, n_test, minority, known=None):
    """``(work, seconds, n_fit, qubits)`` of one fold of a cell whose pipeline is ``pipe``;
    ``qubits``: the widest register simulated (0: no quantum work); ``known``: the member
    work done by earlier cells of the same resampling and feature space (a stack counts
    only the rest: the runner shares member fits and scores, see :func:`_known`)."""
    steps = dict(pipe.steps)
    sampler = steps["resample"].sampler if "resample" in steps else None
    n_new = _added_rows(sampler, n_train, minority)
    n_fit = n_train + n_new
    sampler_cost = (_ask(sampler, qubits, minority, n_new)
                    if sampler is not None and resampler_first else None)
    model = steps["model"]
    if hasattr(model, "_shared_cost"):  # a stack
        model_cost = model._shared_cost(n_fit, n_test, PREDICT_CALLS, qubits, known)
    else:
        model_cost = _ask(model, n_fit, n_test, predict_calls=PREDICT_CALLS,
                          n_features=qubits)
    if model_cost is None:  # a classical model
        model_cost = {"mode": None, "seconds": classical_seconds(
            steps["model"], n_fit, n_test, qubits, PREDICT_CALLS,
            positive_share=min(minority + n_new, n_fit - minority - n_new) / n_fit)}
    widest = 0
    for cost in (sampler_cost, model_cost):
        if cost and (cost.get("state_preparations") or cost.get("circuits")):
            widest = max(widest, cost.get("n_qubits", qubits))
    work = total(sampler_cost, model_cost)
    return work, work.get("seconds", 0.0), n_fit, widest


def _known(known, name, model):
    """Mark what a cell of stack member ``name`` computes (its fit, and each prediction
    method's output on the test rows: ``_scoring.Shared`` keeps them all) as known to the
    stacks after it."""
    known[(name, "fit")] = True
    for method in ("predict_proba", "decision_function", "predict"):
        known[(name, method)] = known.get((name, method)) or hasattr(model, method)


def estimate(config, *, data=None, backend=None, overrides=None):
    """Count the state preparations, circuits, shots and jobs a config will cost, and a rough
    time.

    Loads the dataset (for its size and number of features) and builds every
    cell's pipeline, but fits nothing.

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
    seed = config["seeds"][0]
    rows, resampled, known = [], set(), {}
    members = {m for item in config["models"].values() for m in item.get("members", ())}
    for resampler in config["resamplers"]:
        for model, item in config["models"].items():
            space = _cell.space(config, model)
            qubits = n_raw if item["raw_features"] or not pca else pca
            pipe = _cell.build_pipeline(  # as a serial run builds it
                config, resampler, model, seed, _cell.cores_for(n_train, os.cpu_count() or 1))
            shared = known.setdefault((resampler, space), {})
            work, seconds, n_fit, qubits = _cell_cost(
                pipe, (resampler, space) not in resampled, qubits, n_train, n_test, minority,
                shared)
            resampled.add((resampler, space))
            if model in members:
                _known(shared, model, pipe.steps[-1][1])
            rows.append({"resampler": resampler, "model": model,
                         "cells": len(config["seeds"]), "folds": folds, "n_train": n_train,
                         "n_fit": n_fit, "n_test": n_test, "qubits": qubits,
                         **{k: folds * work[k] for k in _COUNTS},
                         "qpu_seconds": round(folds * work.get("qpu_seconds", 0.0), 1),
                         "seconds": folds * seconds})
    return _summarise(pd.DataFrame(rows, columns=_COLUMNS),
                      (n_rows, n_positive, n_raw, folds, n_train, n_test))


def _summarise(cells, sizes):
    n_rows, n_positive, n_raw, folds, n_train, n_test = sizes
    total_ = {k: int((cells[k] * cells["cells"]).sum()) for k in _COUNTS}
    total_["qpu_seconds"] = round(float((cells["qpu_seconds"] * cells["cells"]).sum()), 1)
    total_["cells"] = int(cells["cells"].sum())
    total_["seconds"] = round(float((cells["seconds"] * cells["cells"]).sum()), 1)
    cells["seconds"] = cells["seconds"].round(2)
    notes = [
        (f"data: {n_rows} rows, {n_positive} positive, {n_raw} features; {folds} fold(s) of "
         f"{n_train} training and {n_test} test rows per cell."),
        ("counts: each component's own estimate_cost (fit on the resampled training rows, "
         f"{PREDICT_CALLS} prediction calls on the test rows); a resampling shared by the "
         "models of one feature space is counted once, in its first row, and so are the "
         "member fits that stacks over the same members share. Upper bounds: QNN "
         "training may stop early; kernel states prepared by another cell are reused."),
        ("seconds: expected local compute on a 2-core CPU, each component's own (QNN "
         "training until early stopping is expected to end it; random forests and logistic "
         "regression by their size; see qskew.backends._cost); fidelity scoring not "
         "counted."),
        ("qpu_seconds (Qiskit targets): 3 s per primitive job plus, per shot, the device's "
         "repetition delay and the transpiled circuit's duration (IBM quantum time; queueing "
         "not included)."),
    ]
    return CostEstimate(cells, total_, notes)
