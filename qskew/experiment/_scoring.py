"""Scoring a cell's held-out rows: in blocks, and spread over a Dask cluster's workers.

A cell scores its held-out rows :data:`SCORE_ROWS` at a time (:func:`predict_rows`), so
memory stays bounded whatever their number. Inside a Dask task -- the runner's
``--scheduler`` -- a cell with more than :data:`SPREAD_ROWS` held-out rows hands its blocks
to the cluster (:func:`score_rows`): the fitted pipeline travels once, each worker reads the
rows from its own (cached) copy of the dataset, and the cell's thread waits outside the
worker's thread pool, so the worker it runs on scores blocks too. Blocks run under the
cell's thread cap, and what they warn is recorded by the cell (per thread, as a worker may
run another cell beside the one that waits: :mod:`qskew.experiment._warnings`). The scores
are the same as scoring in the cell (tested). The cluster's workers must read the dataset's
path, as they do for the cells.

Member fits and outputs are shared within a process (:mod:`qskew.ensemble._shared`): the
outputs a member's cell computed on other workers are adopted into its own process's store,
so a stack scoring the same rows later in that process reuses them; a stack whose members'
outputs are already there scores in its cell, where that reuse happens.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.metaestimators import available_if

from qskew.ensemble._shared import (adopt_output, fit_member, has_outputs, member_output,
                                    rows_digest)
from qskew.experiment import _execute
from qskew.experiment._warnings import recorded

#: Held-out rows scored per call: bounds memory (features, states, outputs) at any size.
SCORE_ROWS = 65_536
#: Fewest held-out rows whose scoring a cell spreads over a Dask cluster's workers (fewer
#: blocks are not worth shipping the fitted pipeline and waking other workers).
SPREAD_ROWS = 4 * SCORE_ROWS


def predict_rows(pipe, X, rows):
    """``(y_score, y_pred)`` of a fitted pipeline for ``X[rows]``, :data:`SCORE_ROWS` rows
    at a time: memory stays bounded however many rows are scored (every held-out flow of
    a 2.8-million-flow file), and the scores are the same as in one call."""
    scores, labels = [], []
    for start in range(0, len(rows), SCORE_ROWS):
        y_score, y_pred = _score(pipe, X[rows[start:start + SCORE_ROWS]])
        scores.append(y_score)
        labels.append(y_pred)
    if not scores:
        return np.empty(0), np.empty(0, dtype=int)
    return np.concatenate(scores), np.concatenate(labels)


def score_rows(pipe, data, rows, load):
    """:func:`predict_rows` of ``data.X``, spread over the Dask cluster when this runs in a
    Dask task and ``rows`` exceed :data:`SPREAD_ROWS`; ``load()`` gives a worker the data
    (cached per process, as for the cells)."""
    if len(rows) <= SPREAD_ROWS or _dask_worker() is None or _scores_here(pipe, data.X, rows):
        return predict_rows(pipe, data.X, rows)
    from distributed import worker_client

    threads = _execute.task_threads() or 1
    blocks = [rows[start:start + SCORE_ROWS] for start in range(0, len(rows), SCORE_ROWS)]
    with worker_client() as client:  # leaves the worker's thread pool while it waits
        shipped = client.scatter(pipe, hash=False)
        futures = [client.submit(_run_block, shipped, load, block, threads, pure=False)
                   for block in blocks]
        parts = client.gather(futures)
    final = pipe.steps[-1][1]
    for _, _, digest, outputs, caught in parts:
        for method, output in outputs.items():
            adopt_output(final.model_, method, digest, output)
        for category, message in caught:  # the cell records them as if scored here
            warnings.warn(message, category, stacklevel=2)
    return (np.concatenate([part[0] for part in parts]),
            np.concatenate([part[1] for part in parts]))


def _run_block(pipe, load, rows, threads):
    """A worker's task: one block, under the cell's thread cap, and the warnings it gave."""
    with recorded() as caught:
        part = _execute._run_capped(_Block(pipe, load, rows), threads)[0]
    return (*part, sorted({(w.category, str(w.message)) for w in caught}, key=str))


class _Block:
    """One block of rows, scored on a worker: ``(y_score, y_pred, digest, outputs)``, the
    last two the member outputs of a :class:`Shared` model (for :func:`adopt_output`)."""

    def __init__(self, pipe, load, rows):
        self.pipe, self.load, self.rows = pipe, load, rows

    def __call__(self):
        X = self.load().X[self.rows]
        final = self.pipe.steps[-1][1]
        if not isinstance(final, Shared):
            return (*_score(self.pipe, X), None, {})
        Xt = _transform(self.pipe, X)
        outputs = {m: np.asarray(getattr(final.model_, m)(Xt)) for m in final.outputs()}
        return (*_from_outputs(final, outputs), rows_digest(Xt), outputs)


def _score(pipe, X):
    if hasattr(pipe, "predict_proba"):
        positive = list(pipe.classes_).index(1)
        y_score = np.asarray(pipe.predict_proba(X), float)[:, positive]
    else:
        y_score = np.asarray(pipe.decision_function(X), float)
    return y_score, np.asarray(pipe.predict(X))


def _score_method(model):
    return "predict_proba" if hasattr(model, "predict_proba") else "decision_function"


def _from_outputs(shared, outputs):
    score = outputs[_score_method(shared)]
    if score.ndim == 2:
        score = score[:, list(shared.classes_).index(1)]
    return np.asarray(score, float), outputs["predict"]


def _transform(pipe, X):
    """``X`` through the steps before the model, as ``pipe.predict`` sends it (samplers
    act only in fit)."""
    for _, step in pipe.steps[:-1]:
        if step is not None and step != "passthrough" and not hasattr(step, "fit_resample"):
            X = step.transform(X)
    return X


def _scores_here(pipe, X, rows):
    """Whether a stack's members' outputs for these rows are already in this process (their
    cells scored here): then the stack scores in its cell, reusing them."""
    members = getattr(pipe.steps[-1][1], "estimators_", None)
    if not members:
        return False
    digest = rows_digest(_transform(pipe, X[rows[:SCORE_ROWS]]))
    return all(has_outputs(member, digest) for member in members)


def _dask_worker():
    try:
        from distributed import get_worker
        return get_worker()
    except (ImportError, ValueError):
        return None


class Shared(BaseEstimator):
    """A cell's model fitted and scored through the member-fit store: a stack over it, in a
    later cell, takes this fit and these scores instead of computing them again."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):
        self.model_ = fit_member(self.model, X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        # Scoring calls predict after predict_proba: also keep the other output a stack
        # may fuse (a QSVC's or QNN's margins, free now: they keep the rows' last scores).
        for method in self.outputs()[:-1]:
            member_output(self.model_, method, X)
        return member_output(self.model_, "predict", X)

    def outputs(self):
        """The prediction methods whose outputs are kept for stacks, ``"predict"`` last."""
        return [m for m in ("predict_proba", "decision_function", "predict")
                if hasattr(self.model, m)]

    @available_if(lambda self: hasattr(self.model, "predict_proba"))
    def predict_proba(self, X):
        return member_output(self.model_, "predict_proba", X)

    @available_if(lambda self: hasattr(self.model, "decision_function"))
    def decision_function(self, X):
        return member_output(self.model_, "decision_function", X)


def shared(pipe):
    """``pipe`` with its model in :class:`Shared` (for models that a stack of the config
    has as a member: other models' fits, a forest's trees, would only fill the store)."""
    name, model = pipe.steps[-1]
    pipe.steps[-1] = (name, Shared(model))
    return pipe
