"""Scoring held-out rows in blocks, spread over a Dask cluster's workers."""

import threading
import warnings

import numpy as np
import pytest

from qskew.ensemble._shared import clear_process_member_fits
from qskew.experiment import _cell, _scoring, load_config
from qskew.experiment._execute import execute


def config():
    # 100 training rows of the bundled data; the other 297 are scored in blocks of 32.
    return load_config({
        "seeds": [0], "dataset": {"name": "demo"},
        "preprocessing": {"scaler": "standard", "pca_components": 2,
                          "angle_range": [0.0, 1.0]},
        "resamplers": ["none"],
        "models": {"lr": {"type": "logreg"},
                   "tree": {"type": "rf", "n_estimators": 5},
                   "stack": {"type": "stack", "members": ["lr", "tree"],
                             "fusion": "proba", "cv": 2}},
        "evaluation": {"split": "sample", "train_size": 100, "metrics": ["pr_auc"]},
    })


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(_scoring, "SCORE_ROWS", 32)
    monkeypatch.setattr(_scoring, "SPREAD_ROWS", 64)
    blocks = []
    original = _scoring._Block.__call__

    def spy(self):
        blocks.append((len(self.rows), threading.get_ident()))
        warnings.warn("a block was scored", UserWarning)  # as a model may, on a worker
        return original(self)

    monkeypatch.setattr(_scoring._Block, "__call__", spy)
    clear_process_member_fits()
    yield blocks
    clear_process_member_fits()


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster:
        yield cluster


def on_dask(cluster, cells):
    results = {}
    tasks = [(model, lambda model=model: _cell.run_cell(config(), "none", model, 0))
             for model in cells]
    for task in tasks:  # one after another: the second may reuse the first's outputs
        execute([task], scheduler=cluster.scheduler_address, on_result=results.__setitem__,
                quiet=True)
    return results


def test_a_cell_on_dask_spreads_its_blocks_and_scores_as_serially(small_blocks, cluster):
    serial = _cell.run_cell(config(), "none", "tree", 0)
    assert small_blocks == []  # no Dask task: scored in the cell
    spread = on_dask(cluster, ["tree"])["tree"]
    assert sorted(n for n, _ in small_blocks) == [297 - 9 * 32] + [32] * 9
    np.testing.assert_array_equal(serial["scores"][0]["y_score"], spread["scores"][0]["y_score"])
    assert serial["folds"][0]["metrics"] == spread["folds"][0]["metrics"]
    # What a model warned on the workers is recorded by the cell, as if scored there.
    assert "UserWarning: a block was scored" in spread["warnings"]


def test_few_rows_score_in_the_cell(small_blocks, cluster, monkeypatch):
    monkeypatch.setattr(_scoring, "SPREAD_ROWS", 297)
    on_dask(cluster, ["lr"])
    assert small_blocks == []


def test_spread_member_outputs_are_adopted_for_the_stack(small_blocks, cluster):
    serial = {m: _cell.run_cell(config(), "none", m, 0) for m in ("lr", "tree", "stack")}
    clear_process_member_fits()
    spread = on_dask(cluster, ["lr", "tree", "stack"])
    # The members' blocks ran on the cluster (10 each); the stack found their outputs in
    # this process (an in-process cluster: one process) and scored in its cell.
    assert len(small_blocks) == 20
    for model in serial:
        np.testing.assert_array_equal(serial[model]["scores"][0]["y_score"],
                                      spread[model]["scores"][0]["y_score"])


def test_a_stack_without_its_members_outputs_spreads(small_blocks, cluster):
    serial = _cell.run_cell(config(), "none", "stack", 0)
    clear_process_member_fits()
    spread = on_dask(cluster, ["stack"])["stack"]
    assert len(small_blocks) == 10
    np.testing.assert_array_equal(serial["scores"][0]["y_score"], spread["scores"][0]["y_score"])


def test_a_members_cell_keeps_every_output_a_stack_may_fuse(small_blocks):
    from qskew.ensemble import _shared

    _cell.run_cell(config(), "none", "lr", 0)  # serially: scored in the cell
    kept = {key[1] for key in _shared._PROCESS.outputs._data}
    # predict_proba and predict for the scores, decision_function for a "margins" stack
    assert kept == {"predict_proba", "decision_function", "predict"}
