"""Tests for qskew.experiment._estimate: quantum cost before running."""

import math

import pytest

from circuits import generator_outputs
from qskew import QuantumKernel
from qskew.experiment import CostEstimate, demo_config, estimate
from qskew.experiment import _estimate as est

N_TRAIN, N_TEST, N_MINORITY = 277, 120, 28  # demo data, 70/30 holdout
N_FIT = 2 * (N_TRAIN - N_MINORITY)           # oversampled to balance


def config(**models):
    return {
        "seeds": [0, 1], "backend": "default.qubit", "dataset": {"name": "demo"},
        "preprocessing": {"pca_components": 3},
        "resamplers": {"none": {}, "qgan": {"epochs": 5, "n_qubits": 2}},
        "models": models or {"qsvc": {}, "qnn": {"max_epochs": 7}, "rf": {}},
    }


@pytest.fixture(scope="module")
def cost():
    return estimate(config())


def row(cost, resampler, model):
    table = cost.cells.set_index(["resampler", "model"])
    return table.loc[(resampler, model)]


def test_sizes_and_cells(cost):
    assert isinstance(cost, CostEstimate)
    assert len(cost.cells) == 6 and (cost.cells["cells"] == 2).all()
    none = row(cost, "none", "qsvc")
    assert (none["n_train"], none["n_fit"], none["n_test"], none["qubits"]) == \
        (N_TRAIN, N_TRAIN, N_TEST, 3)
    assert row(cost, "qgan", "qsvc")["n_fit"] == N_FIT
    assert row(cost, "none", "rf")["qubits"] == 0


def test_qsvc_uses_the_kernels_own_estimate(cost):
    kernel = QuantumKernel(backend="default.qubit")
    fit = kernel.estimate_cost(N_TRAIN)["state_preparations"]
    test = kernel.estimate_cost(N_TEST, N_TRAIN)["state_preparations"]
    assert row(cost, "none", "qsvc")["state_preparations"] == fit + 2 * test


def test_qnn_counts_one_forward_evaluation_per_row_and_epoch(cost):
    assert row(cost, "none", "qnn")["state_preparations"] == 7 * N_TRAIN + 2 * N_TEST


def test_qgan_counts_patches_and_epochs(cost):
    patches = math.ceil(3 / generator_outputs(2, "Z"))
    qgan = (3 * N_MINORITY * 5 + (N_FIT - N_TRAIN)) * patches
    assert row(cost, "qgan", "rf")["state_preparations"] == qgan
    assert row(cost, "none", "rf")["state_preparations"] == 0
    assert row(cost, "qgan", "qnn")["state_preparations"] == qgan + 7 * N_FIT + 2 * N_TEST


def test_totals_sum_every_cell(cost):
    for key in ("state_preparations", "circuits", "shots"):
        assert cost.total[key] == (cost.cells[key] * cost.cells["cells"]).sum()
    assert cost.total["cells"] == 12 and cost.total["seconds"] > 0
    text = str(cost)
    assert "total: state_preparations" in text and "forward evaluations per epoch" in text


def test_shots_count_circuits():
    cost = estimate(config(qsvc={"shots": 100}), overrides={"resamplers": ["none"]})
    qsvc = row(cost, "none", "qsvc")
    pairs = N_TRAIN * (N_TRAIN - 1) // 2 + 2 * N_TEST * N_TRAIN
    assert (qsvc["state_preparations"], qsvc["circuits"], qsvc["shots"]) == \
        (0, pairs, 100 * pairs)
    assert qsvc["seconds"] == pytest.approx(round(pairs * est.SECONDS_PER_CIRCUIT, 2))


def test_stack_sums_its_members_over_folds_and_refit():
    members = {"qnn": {"max_epochs": 2}, "st": {"type": "stack", "members": ["qnn"], "cv": 3}}
    cost = estimate(config(**members), overrides={"resamplers": ["none"]})
    inner = 2 * (N_TRAIN - N_TRAIN // 3) + 2 * (N_TRAIN // 3)
    refit = 2 * N_TRAIN + 2 * N_TEST
    assert row(cost, "none", "st")["state_preparations"] == 3 * inner + refit


def test_cv_multiplies_by_folds():
    cost = estimate(config(qnn={"max_epochs": 1}),
                    overrides={"resamplers": ["none"], "evaluation.split": "cv",
                               "evaluation.n_splits": 4})
    qnn = row(cost, "none", "qnn")
    assert qnn["folds"] == 4 and qnn["n_test"] == 397 // 4
    assert qnn["state_preparations"] == 4 * (qnn["n_train"] + 2 * qnn["n_test"])


def test_demo_config_estimate_runs():
    assert estimate(str(demo_config())).total["cells"] == 36
