"""Tests for qskew.experiment._estimate: quantum cost before running, checked by counting."""

import pytest

from qskew import QNNClassifier
from qskew.backends._cost import local_seconds
from qskew.experiment import CostEstimate, _cell, demo_config, estimate, run
from qskew.experiment import _estimate as est

N_TRAIN, N_TEST, N_MINORITY = 277, 120, 28  # demo data, 70/30 holdout
N_FIT = 2 * (N_TRAIN - N_MINORITY)           # oversampled to balance


def config(**models):
    return {
        "name": "estimate", "seeds": [0], "backend": "default.qubit",
        "dataset": {"name": "demo"},
        "preprocessing": {"pca_components": 3, "angle_range": [0.0, 1.5]},
        "resamplers": {"qgan": {"epochs": 2, "n_qubits": 2, "n_layers": 1}},
        # patience > max_epochs: no early stop, so the estimate is what runs
        "models": models or {"qsvc": {"feature_map": "angle"},
                             "qnn": {"max_epochs": 2, "n_layers": 1, "patience": 5},
                             "rf": {"raw_features": True, "n_estimators": 5}},
        "evaluation": {"fidelity": False},
    }


def counted_run(config, tmp_path, simulated, **options):
    _cell._RESAMPLED.clear()  # this process's shared resamplings: count every one
    run(config, out=tmp_path / "run", quiet=True, plots=False, **options)
    return simulated


def row(cost, resampler, model):
    return cost.cells.set_index(["resampler", "model"]).loc[(resampler, model)]


def test_estimate_equals_what_a_run_simulates(tmp_path, simulated):
    cost = estimate(config())
    counted = counted_run(config(), tmp_path, simulated)
    assert {key: cost.total[key] for key in counted} == counted
    # The QGAN is trained once per feature space: in the models' PCA space with the
    # first model, and in the raw space for rf (2-qubit patches either way).
    rf = row(cost, "qgan", "rf")
    assert rf["qubits"] == 2 and rf["state_preparations"] > 0 and rf["n_fit"] == N_FIT


def test_shared_resampling_is_counted_once_per_feature_space():
    cost = estimate(config(a={"type": "logreg"}, b={"type": "logreg"}))
    assert row(cost, "qgan", "a")["state_preparations"] > 0
    assert row(cost, "qgan", "b")["state_preparations"] == 0


def test_sizes_and_cells():
    cost = estimate(config(), overrides={"seeds": [0, 1]})
    assert isinstance(cost, CostEstimate)
    assert len(cost.cells) == 3 and (cost.cells["cells"] == 2).all()
    qsvc = row(cost, "qgan", "qsvc")
    assert (qsvc["n_train"], qsvc["n_fit"], qsvc["n_test"], qsvc["qubits"]) == \
        (N_TRAIN, N_FIT, N_TEST, 3)
    for key in ("state_preparations", "circuits", "shots"):
        assert cost.total[key] == (cost.cells[key] * cost.cells["cells"]).sum()
    assert cost.total["cells"] == 6 and cost.total["seconds"] > 0
    assert "total: state_preparations" in str(cost) and "estimate_cost" in str(cost)


def test_shots_count_circuits_as_executed(tmp_path, simulated):
    models = {"qsvc": {"feature_map": "angle", "shots": 50, "backend": "default.mixed"}}
    overrides = {"dataset.subsample": {"n": 40, "minority_fraction": 0.25, "random_state": 0}}
    base = {**config(**models), "resamplers": {"none": {}}}
    cost = estimate(base, overrides=overrides)
    counted = counted_run(base, tmp_path, simulated, overrides=overrides)
    qsvc = row(cost, "none", "qsvc")
    # An upper bound: prediction runs against the support vectors, not every training row.
    assert 0 < counted["circuits"] <= qsvc["circuits"]
    assert counted["shots"] == 50 * counted["circuits"]
    assert qsvc["shots"] == 50 * qsvc["circuits"] and qsvc["state_preparations"] == 0
    assert qsvc["seconds"] == pytest.approx(local_seconds(circuits=qsvc["circuits"]), abs=0.01)


def test_stack_asks_its_members(tmp_path, simulated):
    models = {"qnn": {"max_epochs": 1, "n_layers": 1, "patience": 5},
              "st": {"type": "stack", "members": ["qnn"], "cv": 3}}
    overrides = {"dataset.subsample": {"n": 90, "minority_fraction": 0.2, "random_state": 0}}
    base = {**config(**models), "resamplers": {"none": {}}}
    cost = estimate(base, overrides=overrides)
    counted = counted_run(base, tmp_path, simulated, overrides=overrides)
    assert {key: cost.total[key] for key in counted} == counted
    assert row(cost, "none", "st")["state_preparations"] > row(cost, "none", "qnn")[
        "state_preparations"]


def test_cv_multiplies_by_folds():
    cost = estimate({**config(qnn={"max_epochs": 1}), "resamplers": {"none": {}}},
                    overrides={"evaluation.split": "cv", "evaluation.n_splits": 4})
    qnn = row(cost, "none", "qnn")
    assert qnn["folds"] == 4 and qnn["n_test"] == 397 // 4
    # the runner's two prediction calls on the test rows: the labels reuse the scores' logits
    assert qnn["state_preparations"] == 4 * (qnn["n_train"] + qnn["n_test"])


def test_demo_estimate_bounds_what_it_simulates(tmp_path, simulated):
    # The counts are upper bounds (QNN training may stop early); their time is an
    # expectation, compared with measured cells by benchmarks/bench_estimate.py.
    cost = estimate(str(demo_config()), overrides={"seeds": [0]})
    counted = counted_run(str(demo_config()), tmp_path, simulated,
                          overrides={"seeds": [0]})
    assert cost.total["state_preparations"] >= counted["state_preparations"]
    assert cost.total["state_preparations"] <= 1.6 * counted["state_preparations"]


def test_seconds_add_up_and_expect_early_stopping():
    cost = estimate(config(qnn={"max_epochs": 100, "patience": 10}, rf={"raw_features": True}),
                    overrides={"resamplers": {"none": {}}})
    qnn, rf = row(cost, "none", "qnn"), row(cost, "none", "rf")
    assert cost.total["seconds"] == pytest.approx((cost.cells["seconds"]
                                                   * cost.cells["cells"]).sum(), abs=0.05)
    assert rf["seconds"] > 0 and rf["state_preparations"] == 0  # classical models count
    # 62.4 expected epochs (70 at 6 batches an epoch, here 8) of the 100 the counts bound
    model = QNNClassifier(max_epochs=100, patience=10)
    assert model.expected_epochs(qnn["n_fit"]) == 62.4
    assert qnn["seconds"] == pytest.approx(local_seconds(
        states=est.PREDICT_CALLS * qnn["n_test"], training_states=62.4 * qnn["n_fit"],
        qubits=qnn["qubits"], layers=model.n_layers), rel=0.01)


def test_jobs_on_a_qiskit_target_are_counted_per_cell(tmp_path, simulated):
    pytest.importorskip("qiskit_aer")
    models = {"qsvc": {"feature_map": "angle", "backend": "qiskit.aer", "shots": 200}}
    overrides = {"dataset.subsample": {"n": 40, "minority_fraction": 0.25, "random_state": 0}}
    base = {**config(**models), "resamplers": {"none": {}}}
    cost = estimate(base, overrides=overrides)
    counted = counted_run(base, tmp_path, simulated, overrides=overrides)
    # fit, then scores: one Sampler job each (the labels reuse the scores' margins)
    assert cost.total["jobs"] == counted["jobs"] == 2
    assert "jobs" in str(cost)


def test_fake_hardware_cells_show_jobs_and_qpu_seconds(tmp_path, simulated):
    pytest.importorskip("qiskit_ibm_runtime")
    pytest.importorskip("qiskit_aer")
    device = {"backend": "qiskit.remote", "backend_options": {"backend": "FakeManilaV2"},
              "shots": 100}
    models = {"qsvc": {"feature_map": "angle", **device},
              "qnn": {"max_epochs": 2, "n_layers": 1, "patience": 5, **device}}
    overrides = {"dataset.subsample": {"n": 24, "minority_fraction": 0.25, "random_state": 0}}
    base = {**config(**models), "resamplers": {"none": {}}}
    cost = estimate(base, overrides=overrides)
    counted = counted_run(base, tmp_path, simulated, overrides=overrides)
    assert cost.total["jobs"] == counted["jobs"]
    # the QSVC scores against its support vectors only: at most every training row
    assert cost.total["circuits"] >= counted["circuits"]
    qsvc, qnn = row(cost, "none", "qsvc"), row(cost, "none", "qnn")
    assert qsvc["jobs"] == 2 and qnn["jobs"] >= 2 * 2 + 1  # epochs x (batch, validation), scores
    # 3 s per job plus the shots at >= 250 us each
    for cell in (qsvc, qnn):
        assert cell["qpu_seconds"] >= 3 * cell["jobs"] + cell["shots"] * 250e-6 - 0.1
    assert "qpu_seconds" in str(cost)
