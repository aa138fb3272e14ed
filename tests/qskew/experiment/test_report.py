"""Tests for qskew.experiment._report: rebuilding tables and plots from cells/."""

import importlib.util
import logging
import shutil

import pytest

from qskew.experiment import load_config, report, run
from qskew.experiment._report import expected_cells

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None  # the "plots" extra


def tiny():
    return {
        "name": "tiny", "backend": "default.qubit", "seeds": [0, 1],
        "dataset": {"name": "demo"},
        "preprocessing": {"pca_components": 2, "angle_range": [0.0, 1.5708]},
        "resamplers": ["none", "smote"],
        "models": {"logreg": {}, "rf": {"raw_features": True, "n_estimators": 10}},
        "evaluation": {"metrics": ["pr_auc", "recall"], "baseline": "rf"},
    }


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    return run(tiny(), out=tmp_path_factory.mktemp("report") / "r", quiet=True)


def test_report_rebuilds_tables_and_plots(finished, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(finished.path, folder)
    for name in ("metrics.csv", "summary.csv", "fidelity.csv", "timings.csv"):
        (folder / name).unlink()
    shutil.rmtree(folder / "plots", ignore_errors=True)
    rebuilt = report(folder)
    for name in ("metrics.csv", "summary.csv", "fidelity.csv"):
        assert (folder / name).read_bytes() == (finished.path / name).read_bytes(), name
    assert (folder / "timings.csv").exists()
    if HAS_MATPLOTLIB:
        assert sorted(p.name for p in (folder / "plots").iterdir()) == [
            "correlation_smote.png", "marginals_smote.png", "metrics.png", "pr_curves.png"]
    assert rebuilt.complete and rebuilt.summary.equals(finished.summary)
    assert rebuilt.config == finished.config


def test_report_of_an_unfinished_folder_warns(finished, tmp_path, caplog):
    folder = tmp_path / "partial"
    shutil.copytree(finished.path, folder)
    (folder / "cells" / "smote+rf+seed1.json").unlink()
    with caplog.at_level(logging.WARNING, logger="qskew.experiment"):
        partial = report(folder, plots=False)
    assert (partial.n_cells, partial.n_expected) == (7, 8) and not partial.complete
    assert "holds 7 of 8 cells" in caplog.text and "--resume" in caplog.text
    smote_rf = partial.summary[(partial.summary.resampler == "smote")
                               & (partial.summary.model == "rf")]
    assert (smote_rf["n"] == 1).all()


def test_report_needs_a_results_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a qskew results folder"):
        report(tmp_path)


def test_expected_cells_run_seed_by_seed():
    cells = expected_cells(load_config(tiny()))
    assert cells[:4] == [("none", "logreg", 0), ("none", "rf", 0), ("smote", "logreg", 0),
                         ("smote", "rf", 0)]
    assert len(cells) == 8
