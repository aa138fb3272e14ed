"""Tests for qskew.experiment._runner: results folders, overwrite, resume, reproducibility."""

import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression

from qskew import QuantumKernel
from qskew.experiment import (
    ConfigError,
    ExperimentError,
    Results,
    _cell,
    load_config,
    run,
)
from qskew.experiment._describe import CELL_SEED
from qskew.experiment._runner import estimators, plan

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None  # the "plots" extra


def tiny(**evaluation):
    return {
        "name": "tiny",
        "backend": "default.qubit",
        "seeds": [0, 1],
        "dataset": {"name": "demo"},
        "preprocessing": {"pca_components": 2, "angle_range": [0.0, 1.5708]},
        "resamplers": {"none": {}, "smote": {}},
        "models": {"logreg": {}, "rf": {"raw_features": True, "n_estimators": 10}},
        "evaluation": {"metrics": ["pr_auc", "recall", "brier"], "baseline": "none",
                       **evaluation},
    }


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "tiny"
    return run(tiny(), out=folder, quiet=True)


def test_results_folder_contents(finished):
    folder = finished.path
    assert sorted(p.name for p in folder.iterdir()) == sorted([
        "cells", "config.resolved.json", "estimators.json", "fidelity.csv", "kernels.csv",
        "metrics.csv", "summary.csv", "timings.csv", "versions.json", *(["plots"] if HAS_MATPLOTLIB else [])])
    cells = sorted(p.name for p in (folder / "cells").iterdir())
    assert len(cells) == 16 and "smote+rf+seed1.json" in cells and "none+logreg+seed0.npz" in cells
    if HAS_MATPLOTLIB:
        assert sorted(p.name for p in (folder / "plots").iterdir()) == [
            "correlation_smote.png", "marginals_smote.png", "metrics.png", "pr_curves.png"]
    resolved = json.loads((folder / "config.resolved.json").read_text())
    assert resolved == json.loads(json.dumps(load_config(tiny())))
    versions = json.loads((folder / "versions.json").read_text())
    assert versions["backend"] == "default.qubit" and versions["qskew"]


def test_estimators_json_records_every_parameter_of_every_step(finished):
    recorded = json.loads((finished.path / "estimators.json").read_text())
    assert sorted(recorded) == ["none+logreg", "none+rf", "smote+logreg", "smote+rf"]
    steps = recorded["smote+logreg"]["params"]["steps"]
    assert [name for name, _ in steps] == ["scale", "pca", "angle", "resample", "model"]
    model = dict(steps)["model"]
    assert model["class"] == "sklearn.linear_model.LogisticRegression"
    # Defaults the config never wrote are recorded too, and seeds are marked as such.
    assert set(model["params"]) == set(LogisticRegression().get_params())
    assert model["params"]["C"] == 1.0 and model["params"]["random_state"] == CELL_SEED
    sampler = dict(steps)["resample"]["params"]["sampler"]
    assert sampler["class"] == "imblearn.over_sampling.SMOTE"
    assert sampler["params"]["k_neighbors"] == 5


def test_estimators_json_describes_quantum_models_and_stacks(tmp_path):
    config = {**tiny(), "seeds": [3], "resamplers": {"none": {}},
              "models": {"qsvc": {"feature_map": "angle"},
                         "st": {"type": "stack", "members": ["qsvc"], "cv": 2}}}
    config["dataset"] = {"name": "demo", "subsample": {"n": 40, "minority_fraction": 0.25,
                                                       "random_state": 0}}
    recorded = estimators(load_config(config))
    qsvc = dict(recorded["none+qsvc"]["params"]["steps"])["model"]
    assert qsvc["class"] == "qskew.QuantumKernelSVC"
    assert qsvc["params"]["reps"] == 2 and qsvc["params"]["C"] == 1.0
    assert qsvc["params"]["backend"] == "default.qubit"
    stack = dict(recorded["none+st"]["params"]["steps"])["model"]
    members = stack["params"]["estimators"]
    assert members[0][0] == "qsvc" and members[0][1]["class"] == "qskew.QuantumKernelSVC"
    json.dumps(recorded)  # plain JSON all the way down


def test_kernel_diagnostics_of_every_kernel_model_and_stack_member(tmp_path):
    config = {**tiny(), "seeds": [0], "resamplers": {"none": {}, "smote": {}},
              "models": {"qsvc": {"feature_map": "angle", "bandwidth": 0.5},
                         "logreg": {},
                         "st": {"type": "stack", "members": ["qsvc", "logreg"], "cv": 2}}}
    config["dataset"] = {"name": "demo", "subsample": {"n": 60, "minority_fraction": 0.25,
                                                       "random_state": 0}}
    results = run(config, out=tmp_path / "k", quiet=True, plots=False)
    table = pd.read_csv(tmp_path / "k" / "kernels.csv")
    assert sorted(set(zip(table["model"], table["member"]))) == [("qsvc", "qsvc"),
                                                                 ("st", "qsvc")]
    assert len(table) == 4 and (table["bandwidth"] == 0.5).all()
    # the rows each model was fitted on: 42 training rows, more after SMOTE
    fitted = table.groupby("resampler")["n_samples"].unique()
    assert fitted["none"].tolist() == [42] and fitted["smote"][0] > 42
    assert {"off_diagonal_variance", "effective_dimension", "balanced_alignment",
            "concentrated"} <= set(table.columns)
    pd.testing.assert_frame_equal(results.kernels.reset_index(drop=True), table,
                                  check_dtype=False)
    # The same as computing them by hand on the rows the model was fitted on.
    from qskew.experiment import _cell
    from qskew.metrics import kernel_diagnostics

    data = _cell.load_data(results.config["dataset"])
    train, _ = _cell.splits(data.y, results.config["evaluation"], 0)[0]
    pipe = _cell.build_pipeline(results.config, "none", "qsvc", 0)
    rows = pipe[:-1].fit_transform(data.X[train], data.y[train])
    expected = kernel_diagnostics(QuantumKernel(feature_map="angle", bandwidth=0.5)(rows),
                                  data.y[train])
    row = table[(table["resampler"] == "none") & (table["model"] == "qsvc")].iloc[0]
    assert row["off_diagonal_variance"] == pytest.approx(expected["off_diagonal_variance"])
    assert row["balanced_alignment"] == pytest.approx(expected["balanced_alignment"])


def test_metrics_csv_is_tidy_and_long(finished):
    metrics = pd.read_csv(finished.path / "metrics.csv")
    assert list(metrics.columns) == ["resampler", "model", "seed", "fold", "metric", "value",
                                     "value_low", "value_high", "n_train", "n_test"]
    assert len(metrics) == 2 * 2 * 2 * 3
    assert metrics["value_low"].isna().all()  # no low-FPR rate asked for
    # the cells' recorded fold sizes: 397 rows, a stratified 70/30 holdout
    assert set(zip(metrics["n_train"], metrics["n_test"])) == {(277, 120)}
    assert metrics[["resampler", "model", "seed"]].drop_duplicates().values.tolist()[:3] == [
        ["none", "logreg", 0], ["none", "logreg", 1], ["none", "rf", 0]]
    assert metrics["metric"].tolist()[:3] == ["pr_auc", "recall", "brier"]
    assert metrics["value"].between(0, 1).all() and (metrics["fold"] == 0).all()
    pd.testing.assert_frame_equal(metrics, finished.metrics, check_dtype=False)


def test_summary_csv(finished):
    summary = pd.read_csv(finished.path / "summary.csv", keep_default_na=False,
                          na_values=[""])
    assert list(summary.columns) == ["resampler", "model", "metric", "n", "mean", "std",
                                     "ci_low", "ci_high", "unresolved", "baseline", "n_pairs",
                                     "mean_diff", "t", "p_value", "p_holm", "p_note"]
    assert len(summary) == 4 * 3 and (summary["n"] == 2).all()
    assert (summary["unresolved"] == 0).all()
    assert (summary["ci_low"] <= summary["mean"]).all()
    assert (summary["mean"] <= summary["ci_high"]).all()
    smote = summary[summary.resampler == "smote"]
    assert set(smote["baseline"]) == {"none+logreg", "none+rf"}
    assert smote["p_value"].isna().all() and smote["p_holm"].isna().all()
    assert (smote["n_pairs"] == 2).all()
    assert set(smote["p_note"]) == {"only 2 paired result(s); the test needs 5"}


def test_fidelity_csv_has_one_row_per_resampler_space_seed_and_fold(finished):
    fidelity = pd.read_csv(finished.path / "fidelity.csv")
    assert list(fidelity.columns[:7]) == ["resampler", "space", "seed", "fold", "cell",
                                          "n_real", "n_synthetic"]
    assert fidelity[["space", "seed"]].values.tolist() == [
        ["standard", 0], ["standard", 1], ["standard+pca2+angle", 0],
        ["standard+pca2+angle", 1]]
    assert set(fidelity["resampler"]) == {"smote"}
    assert fidelity["detection_auc"].between(0, 1).all() and (fidelity["n_real"] == 28).all()


def test_results_object(finished):
    assert isinstance(finished, Results) and finished.complete
    assert (finished.n_cells, finished.n_expected) == (8, 8)
    table = finished.table()
    assert list(table.columns) == ["pr_auc", "recall", "brier", "p_holm (pr_auc)"]
    assert len(finished.fidelity_summary()) == 2
    assert "8/8 cells" in repr(finished)


def test_plan_scores_fidelity_once_per_resampler_space_and_seed():
    config = load_config(tiny())
    planned = dict(plan(config))
    assert len(planned) == 8
    scored = [k for k, kw in planned.items() if kw["fidelity"]]
    assert scored == ["smote+logreg+seed0", "smote+rf+seed0", "smote+logreg+seed1",
                      "smote+rf+seed1"]
    assert [k for k, kw in planned.items() if kw["keep_samples"]] == ["smote+logreg+seed0"]
    assert not any(kw["fidelity"] for kw in dict(plan(load_config(tiny(fidelity=False))))
                   .values())


def test_reproducible(finished, tmp_path):
    again = run(tiny(), out=tmp_path / "again", quiet=True, plots=False)
    for name in ("metrics.csv", "summary.csv", "fidelity.csv"):
        assert (again.path / name).read_bytes() == (finished.path / name).read_bytes(), name


def test_refuses_to_overwrite(tmp_path):
    config = tiny(metrics=["pr_auc"], fidelity=False)
    config["seeds"] = [0]
    run(config, out=tmp_path / "r", quiet=True, plots=False)
    with pytest.raises(FileExistsError, match="already exists; pass --overwrite"):
        run(config, out=tmp_path / "r", quiet=True, plots=False)
    (tmp_path / "r" / "cells" / "none+rf+seed0.json").unlink()
    run(config, out=tmp_path / "r", quiet=True, plots=False, overwrite=True)
    assert (tmp_path / "r" / "cells" / "none+rf+seed0.json").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError, match="not a qskew results folder"):
        run(config, out=tmp_path / "mine", quiet=True, overwrite=True)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    with pytest.raises(ValueError, match="resume and overwrite exclude each other"):
        run(config, out=tmp_path / "r", resume=True, overwrite=True)


def test_resume_after_a_failure(finished, tmp_path, monkeypatch):
    real, calls = _cell.run_cell, []

    def fails_third(config, resampler, model, seed, **kwargs):
        calls.append((resampler, model, seed))
        if len(calls) == 3:
            raise RuntimeError("simulated crash")
        return real(config, resampler, model, seed, **kwargs)

    monkeypatch.setattr(_cell, "run_cell", fails_third)
    with pytest.raises(ExperimentError, match=r"simulated crash; 2 of 8 cells are saved in .*"
                                              r"rerun with --resume") as info:
        run(tiny(), out=tmp_path / "r", quiet=True)
    assert isinstance(info.value.__cause__, RuntimeError)
    saved = sorted(p.name for p in (tmp_path / "r" / "cells").glob("*.json"))
    assert saved == ["none+logreg+seed0.json", "none+rf+seed0.json"]
    assert not (tmp_path / "r" / "metrics.csv").exists()

    calls.clear()
    monkeypatch.setattr(_cell, "run_cell", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    resumed = run(tiny(), out=tmp_path / "r", resume=True, quiet=True, plots=False)
    assert len(calls) == 6 and ("none", "logreg", 0) not in calls
    assert (tmp_path / "r" / "metrics.csv").read_bytes() == \
        (finished.path / "metrics.csv").read_bytes()
    assert (tmp_path / "r" / "fidelity.csv").read_bytes() == \
        (finished.path / "fidelity.csv").read_bytes()
    assert resumed.complete
    versions = json.loads((tmp_path / "r" / "versions.json").read_text())
    assert len(versions["resumed_with"]) == 1

    calls.clear()
    run(tiny(), out=tmp_path / "r", resume=True, quiet=True, plots=False)
    assert calls == []


def test_resume_refuses_a_folder_of_another_config(tmp_path):
    config = tiny(fidelity=False)
    config["seeds"] = [0]
    run(config, out=tmp_path / "r", quiet=True, plots=False)
    config["models"]["rf"]["n_estimators"] = 11
    with pytest.raises(ConfigError, match="made by a different config .differs in: models"):
        run(config, out=tmp_path / "r", resume=True, quiet=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x").write_text("")
    with pytest.raises(FileExistsError, match="cannot resume"):
        run(config, out=tmp_path / "other", resume=True, quiet=True)


def test_corrected_t_test_with_enough_pairs(tmp_path):
    config = tiny(metrics=["pr_auc", "recall"], fidelity=False, split="cv", n_splits=3)
    config["models"] = {"logreg": {}}
    results = run(config, out=tmp_path / "r", quiet=True, plots=False)
    smote = results.summary[results.summary.resampler == "smote"].set_index("metric")
    assert (smote["n"] == 6).all() and (smote["n_pairs"] == 6).all()
    assert 0 < smote.loc["pr_auc", "p_value"] <= 1 and smote.loc["pr_auc", "p_note"] == ""
    assert set(results.metrics["fold"]) == {0, 1, 2}
    # the test as published, from metrics.csv: 397 rows in 3 folds of 132 or 133
    metrics = results.metrics[results.metrics.metric == "pr_auc"]
    assert set(metrics["n_test"]) == {132, 133} and (metrics["n_train"] + metrics["n_test"]
                                                     == 397).all()
    d = (metrics.loc[metrics.resampler == "smote", "value"].to_numpy()
         - metrics.loc[metrics.resampler == "none", "value"].to_numpy())
    ratio = metrics["n_test"][:6].sum() / metrics["n_train"][:6].sum()
    t = d.mean() / np.sqrt((1 / 6 + ratio) * d.var(ddof=1))
    assert smote.loc["pr_auc", "t"] == pytest.approx(t)
    assert smote.loc["pr_auc", "p_value"] == pytest.approx(2 * stats.t.sf(abs(t), 5))
    assert smote.loc["pr_auc", "p_holm"] == pytest.approx(smote.loc["pr_auc", "p_value"])


def test_progress_lines_and_quiet(tmp_path, caplog):
    config = tiny(metrics=["pr_auc"], fidelity=False)
    config["seeds"] = [0]
    with caplog.at_level(logging.INFO, logger="qskew.experiment"):
        run(config, out=tmp_path / "a", plots=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "qskew.experiment"]
    assert sum("finished in" in line and line.startswith("task ") for line in lines) == 4
    assert "4 cells to run (0 already finished)" in lines[0]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="qskew.experiment"):
        run(config, out=tmp_path / "b", plots=False, quiet=True)
    assert not [r for r in caplog.records if r.name == "qskew.experiment"]


def test_a_watched_run_shows_one_bar_over_the_cells(tmp_path, caplog, capsys, monkeypatch):
    from qskew import _progress

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(_progress, "_stderr_is_terminal", lambda: True)  # a person watches
    monkeypatch.setattr(_progress, "DELAY_SECONDS", 0.0)
    config = tiny(metrics=["pr_auc"], fidelity=False)
    config["seeds"], config["resamplers"] = [0], {"none": {}}
    config["models"]["qnn"] = {"max_epochs": 2}
    with caplog.at_level(logging.INFO, logger="qskew.experiment"):
        run(config, out=tmp_path / "a", plots=False)
    bar = capsys.readouterr().err
    assert "cells" in bar and "3/3" in bar
    assert "QNN training" not in bar  # the cells' own models stay silent
    lines = [r.getMessage() for r in caplog.records if r.name == "qskew.experiment"]
    assert not any(line.startswith("task ") for line in lines)  # the bar, not a line each
    run(config, out=tmp_path / "b", plots=False, quiet=True)
    assert capsys.readouterr().err == ""


def test_plots_are_skipped_without_matplotlib(tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    config = tiny(metrics=["pr_auc"], fidelity=False)
    config["seeds"] = [0]
    with caplog.at_level(logging.WARNING, logger="qskew.experiment"):
        results = run(config, out=tmp_path / "r", quiet=True)
    assert "plots skipped: matplotlib is not installed" in caplog.text
    assert not (tmp_path / "r" / "plots").exists() and results.complete


def test_default_folder_and_missing_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tiny(metrics=["pr_auc"], fidelity=False)
    config["seeds"] = [0]
    assert run(config, quiet=True, plots=False).path == tmp_path.joinpath("results", "tiny") \
        .relative_to(tmp_path)
    config["dataset"] = {"name": "creditcard", "path": "nowhere/creditcard.csv"}
    with pytest.raises(FileNotFoundError, match="no file at .*pass --data PATH"):
        run(config, out=tmp_path / "cc", quiet=True)
    assert not (tmp_path / "cc").exists()


@pytest.mark.slow  # a Python subprocess importing qskew, killed mid-run (~15 s)
def test_resume_after_the_process_is_killed(finished, tmp_path):
    folder = tmp_path / "killed"
    script = ("import sys, json; from qskew.experiment import run; "
              "run(json.loads(sys.argv[1]), out=sys.argv[2], quiet=True, plots=False)")
    config = tiny()
    # A slow cell after the first ones, so the kill lands mid-run.
    config["models"]["rf"]["n_estimators"] = 400
    process = subprocess.Popen([sys.executable, "-c", script, json.dumps(config), str(folder)],
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        deadline = time.monotonic() + 120
        while not list((folder / "cells").glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    done = {p.stem for p in (folder / "cells").glob("*.json")}
    assert 1 <= len(done) < 8
    before = {k: (folder / "cells" / f"{k}.json").stat().st_mtime_ns for k in done}
    resumed = run(config, out=folder, resume=True, quiet=True, plots=False)
    assert resumed.complete
    assert {k: (folder / "cells" / f"{k}.json").stat().st_mtime_ns for k in done} == before
    fresh = run(config, out=tmp_path / "fresh", quiet=True, plots=False)
    assert (folder / "metrics.csv").read_bytes() == (fresh.path / "metrics.csv").read_bytes()
    assert np.isfinite(resumed.metrics["value"]).all()


def test_dask_run_gives_the_serial_tables(finished, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        on_dask = run(tiny(), out=tmp_path / "dask", quiet=True, plots=False,
                      scheduler=cluster.scheduler_address)
    for table in ("metrics.csv", "fidelity.csv"):
        serial = pd.read_csv(finished.path / table)
        dask = pd.read_csv(on_dask.path / table)
        pd.testing.assert_frame_equal(serial, dask)


def test_gan_resamplers_get_loss_curve_and_correlation_plots(tmp_path):
    pytest.importorskip("matplotlib")
    config = tiny()
    config["seeds"] = [0]
    config["resamplers"] = {"none": {}, "gan": {"epochs": 2}}
    config["models"] = {"logreg": {}}
    results = run(config, out=tmp_path / "gan", quiet=True)
    plots = sorted(p.name for p in (results.path / "plots").iterdir())
    assert {"gan_loss_gan.png", "correlation_gan.png", "marginals_gan.png"} <= set(plots)
    cell = json.loads(next((results.path / "cells").glob("gan+logreg+seed0.json")).read_text())
    assert len(cell["gan_history"]["1"]) == 2  # one record per epoch of the class-1 GAN


# -- a locked, self-healing results folder ---------------------------------------------


def _one_seed():
    config = tiny(metrics=["pr_auc"], fidelity=False)
    config["seeds"] = [0]
    return config


@pytest.mark.parametrize("damage", ["truncate npz", "drop a key", "delete npz", "bad json"])
def test_a_damaged_cell_is_one_warning_in_report_and_recomputed_by_resume(
        tmp_path, caplog, damage):
    from qskew.experiment import report

    clean = run(_one_seed(), out=tmp_path / "clean", quiet=True, plots=False)
    folder = tmp_path / "r"
    run(_one_seed(), out=folder, quiet=True, plots=False)
    cell = folder / "cells" / "smote+rf+seed0"
    if damage == "truncate npz":
        data = cell.with_suffix(".npz").read_bytes()
        cell.with_suffix(".npz").write_bytes(data[: len(data) // 2])
    elif damage == "drop a key":
        record = json.loads(cell.with_suffix(".json").read_text())
        del record["folds"]
        cell.with_suffix(".json").write_text(json.dumps(record))
    elif damage == "delete npz":
        cell.with_suffix(".npz").unlink()
    else:
        cell.with_suffix(".json").write_text('{"key": ')
    with caplog.at_level(logging.WARNING, logger="qskew.experiment"):
        partial = report(folder, plots=False)
    lines = [r.getMessage() for r in caplog.records if " is damaged " in r.getMessage()]
    assert len(lines) == 1 and "smote+rf+seed0" in lines[0] and "--resume" in lines[0]
    assert partial.n_cells == 3 and not partial.complete
    resumed = run(_one_seed(), out=folder, resume=True, quiet=True, plots=False)
    assert resumed.complete
    assert (folder / "metrics.csv").read_bytes() == (clean.path / "metrics.csv").read_bytes()


def test_a_folder_in_use_is_refused_and_a_dead_runs_lock_taken_over(tmp_path):
    import socket

    from qskew.experiment._lock import LOCK_FILE, FolderInUseError

    folder = tmp_path / "r"
    run(_one_seed(), out=folder, quiet=True, plots=False)
    assert not (folder / LOCK_FILE).exists()  # released at the end
    live = {"pid": os.getppid(), "host": socket.gethostname(), "started": "earlier"}
    (folder / LOCK_FILE).write_text(json.dumps(live))
    for options in ({"resume": True}, {"overwrite": True}, {}):
        with pytest.raises(FolderInUseError, match=rf"in use by the run of pid {os.getppid()}"
                                                   r".*another --out"):
            run(_one_seed(), out=folder, quiet=True, plots=False, **options)
    assert (folder / "metrics.csv").exists()  # --overwrite deleted nothing
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (folder / LOCK_FILE).write_text(json.dumps({**live, "pid": dead.pid}))
    assert run(_one_seed(), out=folder, resume=True, quiet=True, plots=False).complete
    assert not (folder / LOCK_FILE).exists()


def test_a_write_failure_says_how_many_cells_are_safe(tmp_path, monkeypatch):
    import errno

    from qskew.experiment import _results

    real, writes = _results.write_atomic, []

    def disk_full_after_two_cells(path, data):
        if str(path).endswith(".npz"):
            writes.append(path)
            if len(writes) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(_results, "write_atomic", disk_full_after_two_cells)
    with pytest.raises(ExperimentError, match=r"could not write cell .* \(No space left on "
                                              r"device\); 2 of 4 cells are saved there.*"
                                              r"--resume"):
        run(_one_seed(), out=tmp_path / "r", quiet=True, plots=False)
    monkeypatch.setattr(_results, "write_atomic", real)
    assert run(_one_seed(), out=tmp_path / "r", resume=True, quiet=True, plots=False).complete


def test_resume_after_a_kill_mid_cell_resends_no_finished_hardware_job(tmp_path, monkeypatch):
    pytest.importorskip("qiskit_aer")
    pytest.importorskip("qiskit_ibm_runtime")
    from qskew.backends import _qiskit

    config = _one_seed()
    config["resamplers"] = {"none": {}}
    config["models"] = {"qnn": {"max_epochs": 2, "n_layers": 1, "patience": 5,
                                "backend": "qiskit.aer", "shots": 100}}
    config["dataset"]["subsample"] = {"n": 40, "minority_fraction": 0.25, "random_state": 0}
    clean = run(config, out=tmp_path / "clean", quiet=True, plots=False)
    real, sent = _qiskit.submit, []

    def killed_after_three(primitive, pubs):
        if len(sent) == 3:
            raise KeyboardInterrupt
        sent.append(1)
        return real(primitive, pubs)

    monkeypatch.setattr(_qiskit, "submit", killed_after_three)
    with pytest.raises(KeyboardInterrupt):
        run(config, out=tmp_path / "r", quiet=True, plots=False)
    assert len(list((tmp_path / "r" / ".jobs").glob("*.pkl"))) == 3
    sent.clear()
    monkeypatch.setattr(_qiskit, "submit", lambda p, pubs: sent.append(1) or real(p, pubs))
    resumed = run(config, out=tmp_path / "r", resume=True, quiet=True, plots=False)
    total = len(sent) + 3
    assert resumed.complete and not (tmp_path / "r" / ".jobs").exists()
    assert total == clean_jobs(config, tmp_path / "count", real, monkeypatch)
    assert (tmp_path / "r" / "metrics.csv").read_bytes() == \
        (clean.path / "metrics.csv").read_bytes()


def clean_jobs(config, out, real, monkeypatch):
    from qskew.backends import _qiskit

    sent = []
    monkeypatch.setattr(_qiskit, "submit", lambda p, pubs: sent.append(1) or real(p, pubs))
    run(config, out=out, quiet=True, plots=False)
    return len(sent)


def test_n_workers_sizes_the_local_cluster_and_only_it(tmp_path, monkeypatch):
    from qskew.experiment import _runner

    config = tiny(metrics=["pr_auc"], fidelity=False)
    config["seeds"], config["resamplers"], config["models"] = [0], {"none": {}}, {"logreg": {}}
    with pytest.raises(ValueError, match="n_workers applies only to scheduler='local'"):
        run(config, out=tmp_path / "serial", quiet=True, plots=False, n_workers=2)
    seen = {}

    def serially(tasks, *, scheduler, on_result, n_workers, quiet):
        seen.update(scheduler=scheduler, n_workers=n_workers)
        for key, fn in tasks:
            on_result(key, fn())

    monkeypatch.setattr(_runner, "execute", serially)
    assert run(config, out=tmp_path / "local", quiet=True, plots=False, scheduler="local",
               n_workers=3).complete
    assert seen == {"scheduler": "local", "n_workers": 3}
