"""Tests for qskew.experiment._results: atomic files, tidy tables, the Wilcoxon column."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qskew.experiment import _results as res


def test_write_atomic_replaces_whole_files_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "a.json"
    res.write_atomic(path, "old")
    res.write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "a.json"
    res.write_json(path, {"x": 1})
    with pytest.raises(TypeError, match="cannot store object"):
        res.write_json(path, {"x": object()})
    assert path.read_text() == '{\n  "x": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_cells_are_done_only_when_their_json_reads_back(tmp_path):
    (tmp_path / res.CELLS).mkdir()
    result = {"resampler": "none", "model": "rf", "seed": 0, "folds": [],
              "scores": {0: {"y_true": np.array([0, 1]), "y_score": np.array([0.2, 0.7])}},
              "samples": None}
    res.save_cell(tmp_path, "none+rf+seed0", result)
    assert res.finished_cells(tmp_path) == {"none+rf+seed0"}
    arrays = res.load_arrays(tmp_path, "none+rf+seed0")
    assert arrays["y_score_0"].tolist() == [0.2, 0.7]
    (tmp_path / res.CELLS / "none+rf+seed1.json").write_text('{"trunc')
    (tmp_path / res.CELLS / "none+rf+seed1.npz").write_bytes(b"")
    (tmp_path / res.CELLS / "none+rf+seed2.json").write_text("{}")  # arrays missing
    assert res.finished_cells(tmp_path) == {"none+rf+seed0"}
    assert res.load_cells(tmp_path)[0]["key"] == "none+rf+seed0"


def test_cell_key():
    assert res.cell_key("smote", "qsvc", 3) == "smote+qsvc+seed3"


def _series(values):
    return pd.Series(values, index=pd.MultiIndex.from_tuples(
        [(seed, 0) for seed in range(len(values))], names=["seed", "fold"]))


def test_wilcoxon_matches_scipy_on_paired_results():
    a = _series([0.9, 0.8, 0.85, 0.95, 0.7, 0.88])
    b = _series([0.8, 0.82, 0.7, 0.9, 0.6, 0.81])
    p, note = res.wilcoxon(a, b)
    assert p == pytest.approx(stats.wilcoxon(a.to_numpy(), b.to_numpy()).pvalue)
    assert note == ""


@pytest.mark.parametrize(
    "a, b, note",
    [([0.9] * 4, [0.8] * 4, "only 4 paired result(s); the test needs 5"),
     ([0.9, 0.8, 0.7, 0.6, 0.5], [0.9, 0.8, 0.7, 0.6, 0.5], "all differences zero"),
     ([0.9, np.nan, 0.7, 0.6, 0.5], [0.8, 0.7, 0.6, 0.5, 0.4],
      "only 4 paired result(s); the test needs 5")],
    ids=["too few", "all zero", "NaN drops a pair"],
)
def test_wilcoxon_is_nan_and_says_why(a, b, note):
    p, why = res.wilcoxon(_series(a), _series(b))
    assert np.isnan(p) and why == note


def _config(baseline):
    return {"resamplers": {"none": {}, "smote": {}}, "models": {"rf": {}, "lr": {}},
            "evaluation": {"metrics": ["pr_auc"], "baseline": baseline}}


def _metrics(n_seeds=6):
    rng = np.random.default_rng(0)
    rows = [(r, m, s, 0, "pr_auc", rng.uniform())
            for r in ("none", "smote") for m in ("rf", "lr") for s in range(n_seeds)]
    return pd.DataFrame(rows, columns=["resampler", "model", "seed", "fold", "metric", "value"])


@pytest.mark.parametrize(
    "baseline, compared",
    [({"resampler": "none"}, {("smote", "rf"): ("none", "rf"), ("smote", "lr"): ("none", "lr")}),
     ({"model": "rf"}, {("none", "lr"): ("none", "rf"), ("smote", "lr"): ("smote", "rf")}),
     ({"resampler": "none", "model": "rf"},
      {("none", "lr"): ("none", "rf"), ("smote", "rf"): ("none", "rf"),
       ("smote", "lr"): ("none", "rf")})],
    ids=["resampler", "model", "one cell"],
)
def test_summary_compares_each_row_with_its_baseline(baseline, compared):
    metrics = _metrics()
    summary = res.summary_table(_config(baseline), metrics).set_index(["resampler", "model"])
    for (r, m), row in summary.iterrows():
        values = metrics[(metrics.resampler == r) & (metrics.model == m)]["value"]
        assert row["mean"] == pytest.approx(values.mean())
        assert row["std"] == pytest.approx(values.std(ddof=1)) and row["n"] == 6
        if (r, m) in compared:
            ref = metrics[(metrics.resampler == compared[(r, m)][0])
                          & (metrics.model == compared[(r, m)][1])]["value"]
            assert row["baseline"] == "+".join(compared[(r, m)])
            assert row["p_value"] == pytest.approx(stats.wilcoxon(values.to_numpy(),
                                                                  ref.to_numpy()).pvalue)
        else:
            assert np.isnan(row["p_value"]) and row["p_note"] == "the baseline itself"


def test_summary_without_baseline_or_pairs():
    summary = res.summary_table(_config(None), _metrics())
    assert summary["p_value"].isna().all()
    assert set(summary["p_note"]) == {"no evaluation.baseline"}
    few = res.summary_table(_config({"model": "rf"}), _metrics(3))
    assert set(few["p_note"]) == {"the baseline itself",
                                  "only 3 paired result(s); the test needs 5"}


def test_pretty_table():
    summary = res.summary_table(_config({"model": "rf"}), _metrics())
    wide = res.pretty(summary, ["pr_auc"], p_metric="pr_auc")
    assert list(wide.columns) == ["pr_auc", "p (pr_auc)"]
    assert wide.index.tolist() == [("none", "rf"), ("none", "lr"), ("smote", "rf"),
                                   ("smote", "lr")]
    assert " ± " in wide.iloc[0, 0] and wide.loc[("none", "rf"), "p (pr_auc)"] == "—"


def test_versions_name_the_libraries_and_the_backend():
    versions = res.versions("default.qubit")
    for key in ("python", "qskew", "numpy", "scipy", "scikit-learn", "imbalanced-learn",
                "torch", "pennylane", "pennylane_lightning", "platform"):
        assert versions[key]
    assert versions["backend"] == "default.qubit"
