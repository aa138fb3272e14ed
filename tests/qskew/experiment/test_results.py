"""Tests for qskew.experiment._results: atomic files, tidy tables, the corrected
resampled t-test, Holm adjustment and intervals of the summary."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qskew.experiment import _results as res
from qskew.experiment import _stats as stats_


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


# -- statistics --------------------------------------------------------------------
# Hand example: d = [0.02, 0.03, 0.01, 0.04, 0.00], J = 5, mean 0.02, s^2 = 10e-4 / 4 =
# 2.5e-4; with n_test / n_train = 0.2 the corrected variance is (1/5 + 0.2) * 2.5e-4 = 1e-4,
# so t = 0.02 / 0.01 = 2 with 4 degrees of freedom.
D = [0.02, 0.03, 0.01, 0.04, 0.00]


def test_corrected_ttest_by_hand_and_by_scipy():
    t, p = stats_.corrected_ttest(D, 0.2)
    assert t == pytest.approx(2.0)
    assert p == pytest.approx(2 * stats.t.sf(2.0, df=4))
    assert p == pytest.approx(0.11612, abs=1e-5)
    d = np.array(D)
    direct = d.mean() / np.sqrt((1 / 5 + 0.25) * d.var(ddof=1))
    t, p = stats_.corrected_ttest(-d, 0.25)  # a 5-fold ratio; the sign flips t, not p
    assert t == pytest.approx(-direct)
    assert p == pytest.approx(2 * stats.t.sf(direct, df=4))


def test_corrected_ttest_without_correction_is_the_paired_t_test():
    a = np.array([0.9, 0.8, 0.85, 0.95, 0.7, 0.88])
    b = np.array([0.8, 0.82, 0.7, 0.9, 0.6, 0.81])
    expected = stats.ttest_rel(a, b)
    assert stats_.corrected_ttest(a - b, 0.0) == pytest.approx((expected.statistic,
                                                             expected.pvalue))
    # the correction only widens: the same differences give a smaller |t|, a larger p
    t, p = stats_.corrected_ttest(a - b, 1.0)
    assert abs(t) < abs(expected.statistic) and p > expected.pvalue


def test_corrected_interval_by_hand_and_by_scipy():
    # scores 0.80 + D - 0.02: mean 0.80, s^2 = 2.5e-4, corrected variance 1e-4 (ratio 0.2)
    values = 0.78 + np.array(D)
    low, high = stats_.corrected_interval(values, 0.2)
    half = stats.t.ppf(0.975, df=4) * 0.01
    assert (low, high) == pytest.approx((0.80 - half, 0.80 + half))
    assert (low, high) == pytest.approx(stats.t.interval(0.95, 4, loc=0.80, scale=0.01))
    assert half == pytest.approx(0.027764, abs=1e-6)
    naive = stats.t.interval(0.95, 4, loc=0.80, scale=np.sqrt(2.5e-4 / 5))
    assert high - low > naive[1] - naive[0]  # the naive interval understates CV variance


@pytest.mark.parametrize(
    "call, match",
    [(lambda: stats_.corrected_variance([0.5], 0.25), r"at least 2 .* got shape \(1,\)"),
     (lambda: stats_.corrected_variance([[0.5, 0.6]], 0.25), r"1-d array .* shape \(1, 2\)"),
     (lambda: stats_.corrected_variance([0.5, 0.6], -1.0), "must be n_test / n_train >= 0"),
     (lambda: stats_.corrected_variance([0.5, 0.6], float("nan")), "got nan"),
     (lambda: stats_.corrected_interval([0.5, 0.6], 0.25, confidence=95), r"\(0, 1\)")],
    ids=["one score", "2-d", "negative ratio", "NaN ratio", "confidence in percent"],
)
def test_statistics_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "p, adjusted",
    # m = 4: sorted 0.005, 0.01, 0.03, 0.04 -> 4*0.005, 3*0.01, 2*0.03, max(0.06, 1*0.04)
    [([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
     ([0.01, np.nan, 0.04], [0.02, np.nan, 0.04]),  # NaN is not tested and not counted
     ([0.5, 0.6], [1.0, 1.0]),                        # capped at 1, kept monotone
     ([0.02], [0.02]),
     ([np.nan, np.nan], [np.nan, np.nan]),
     ([], [])],
    ids=["four", "NaN", "cap", "one", "none tested", "empty"],
)
def test_holm_by_hand(p, adjusted):
    np.testing.assert_allclose(stats_.holm(p), adjusted)


def _frame(values, n_train=80, n_test=20):
    index = pd.MultiIndex.from_tuples([(seed, 0) for seed in range(len(values))],
                                      names=["seed", "fold"])
    return pd.DataFrame({"value": values, "n_train": n_train, "n_test": n_test}, index=index)


def test_paired_test_reads_the_ratio_from_the_fold_sizes():
    baseline = [0.5, 0.6, 0.55, 0.7, 0.65]
    out = res.paired_test(_frame(np.add(baseline, D), 100, 25), _frame(baseline, 100, 25))
    t, p = stats_.corrected_ttest(D, 0.25)
    assert out == pytest.approx({"n_pairs": 5, "mean_diff": 0.02, "t": t, "p_value": p,
                                 "p_note": ""})
    assert res.paired_test(_frame(np.add(baseline, D), 125, 25),
                           _frame(baseline, 125, 25))["t"] == pytest.approx(2.0)


def test_sample_splits_correct_for_the_training_samples_overlap():
    baseline = [0.5, 0.6, 0.55, 0.7, 0.65]
    a, b = _frame(np.add(baseline, D), 2000, 98_000), _frame(baseline, 2000, 98_000)
    t, p = stats_.corrected_ttest(D, 0.02)  # 2,000 of 100,000 rows: the expected overlap
    assert res.paired_test(a, b, sample=True) == pytest.approx(
        {"n_pairs": 5, "mean_diff": 0.02, "t": t, "p_value": p, "p_note": ""})
    # n_test / n_train = 49 would make any difference untestable.
    assert p < 0.06 and res.paired_test(a, b)["p_value"] > 0.8


@pytest.mark.parametrize(
    "a, b, sizes, note",
    [([0.9] * 4, [0.8] * 4, (80, 20), "only 4 paired result(s); the test needs 5"),
     ([0.9, np.nan, 0.7, 0.6, 0.5], [0.8, 0.7, 0.6, 0.5, 0.4], (80, 20),
      "only 4 paired result(s); the test needs 5"),
     ([0.9, 0.8, 0.7, 0.6, 0.5], [0.9, 0.8, 0.7, 0.6, 0.5], (80, 20), "all differences zero"),
     ([0.9, 0.8, 0.7, 0.6, 0.5], [0.8, 0.7, 0.6, 0.5, 0.4], (80, 20),
      "every difference is +0.1: no spread to test against"),
     ([0.9, 0.8, 0.75, 0.6, 0.5], [0.8, 0.7, 0.6, 0.5, 0.4], (np.nan, np.nan),
      "fold sizes (n_train, n_test) not recorded")],
    ids=["too few", "NaN drops a pair", "all zero", "constant difference", "no fold sizes"],
)
def test_paired_test_is_nan_and_says_why(a, b, sizes, note):
    out = res.paired_test(_frame(a, *sizes), _frame(b, *sizes))
    assert np.isnan(out["p_value"]) and np.isnan(out["t"]) and out["p_note"] == note


# -- summary ----------------------------------------------------------------------------


def _config(baseline, metrics=("pr_auc",)):
    return {"resamplers": {"none": {}, "smote": {}}, "models": {"rf": {}, "lr": {}},
            "evaluation": {"metrics": list(metrics), "baseline": baseline}}


def _metrics(n_seeds=6, n_folds=1, metrics=("pr_auc",)):
    """Scores of 2 x 2 methods over seeds x folds, with 5-fold-like sizes (ratio 1/4)."""
    rng = np.random.default_rng(0)
    rows = [(r, m, s, f, metric, rng.uniform(), 316, 79)
            for r in ("none", "smote") for m in ("rf", "lr") for s in range(n_seeds)
            for f in range(n_folds) for metric in metrics]
    return pd.DataFrame(rows, columns=["resampler", "model", "seed", "fold", "metric",
                                       "value", "n_train", "n_test"])


def _values(metrics, resampler, model, metric="pr_auc"):
    rows = metrics[(metrics.resampler == resampler) & (metrics.model == model)
                   & (metrics.metric == metric)]
    return rows["value"].to_numpy()


def test_intervals_stay_inside_the_metric_range():
    metrics = _metrics(n_seeds=5, n_folds=2, metrics=("recall", "mcc"))
    recall = metrics.metric == "recall"
    metrics.loc[recall, "value"] = np.tile([1.0, 0.7], 20)            # mean 0.85, wide
    metrics.loc[~recall, "value"] = np.tile([-0.9, 0.2], 20)          # mean -0.35
    summary = res.summary_table(_config(None, ("recall", "mcc")), metrics)
    rows = summary.set_index("metric")
    assert (rows.loc["recall", "ci_high"] == 1.0).all()
    assert (rows.loc["recall", "ci_low"] > 0.0).all()
    assert (rows.loc["mcc", "ci_low"] == -1.0).all() and (rows.loc["mcc", "ci_high"] < 1).all()


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
    metrics = _metrics(n_seeds=3, n_folds=2)
    summary = res.summary_table(_config(baseline), metrics).set_index(["resampler", "model"])
    assert list(summary.reset_index().columns) == res.SUMMARY_COLUMNS
    for (r, m), row in summary.iterrows():
        values = _values(metrics, r, m)
        assert row["mean"] == pytest.approx(values.mean()) and row["n"] == 6
        assert row["std"] == pytest.approx(values.std(ddof=1))
        half = stats.t.ppf(0.975, 5) * np.sqrt((1 / 6 + 79 / 316) * values.var(ddof=1))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            (max(values.mean() - half, 0), min(values.mean() + half, 1)))
        if (r, m) in compared:
            d = values - _values(metrics, *compared[(r, m)])
            t = d.mean() / np.sqrt((1 / 6 + 79 / 316) * d.var(ddof=1))
            assert row["baseline"] == "+".join(compared[(r, m)]) and row["n_pairs"] == 6
            assert (row["mean_diff"], row["t"]) == pytest.approx((d.mean(), t))
            assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), df=5))
            assert row["p_note"] == ""
        else:
            assert np.isnan(row["p_value"]) and row["p_note"] == "the baseline itself"
            assert pd.isna(row["n_pairs"]) and np.isnan(row["p_holm"])
    tested = summary["p_value"].notna()
    np.testing.assert_allclose(summary.loc[tested, "p_holm"],
                               stats_.holm(summary.loc[tested, "p_value"]))
    assert (summary.loc[tested, "p_holm"] >= summary.loc[tested, "p_value"]).all()


def test_holm_runs_per_metric_over_the_compared_rows():
    metrics = _metrics(metrics=("pr_auc", "recall"))
    summary = res.summary_table(_config({"resampler": "none"}, ("pr_auc", "recall")), metrics)
    for metric, rows in summary.groupby("metric"):
        compared = rows[rows["resampler"] == "smote"]
        assert compared["p_value"].notna().all() and len(compared) == 2
        np.testing.assert_allclose(compared["p_holm"], stats_.holm(compared["p_value"]))
        assert rows.loc[rows["resampler"] == "none", "p_holm"].isna().all()


def test_summary_without_baseline_pairs_or_sizes():
    summary = res.summary_table(_config(None), _metrics())
    assert summary["p_value"].isna().all() and summary["p_holm"].isna().all()
    assert set(summary["p_note"]) == {"no evaluation.baseline"}
    assert summary["ci_low"].notna().all()
    few = res.summary_table(_config({"model": "rf"}), _metrics(3))
    assert set(few["p_note"]) == {"the baseline itself",
                                  "only 3 paired result(s); the test needs 5"}
    assert few["mean_diff"].notna().sum() == 2 and few["ci_low"].notna().all()
    sizeless = res.summary_table(_config({"model": "rf"}),
                                 _metrics().drop(columns=["n_train", "n_test"]))
    assert sizeless[["ci_low", "ci_high", "p_value"]].isna().all().all()
    assert set(sizeless["p_note"]) == {"the baseline itself",
                                       "fold sizes (n_train, n_test) not recorded"}
    one = res.summary_table(_config({"model": "rf"}), _metrics(1))
    assert one[["std", "ci_low", "ci_high"]].isna().all().all()


def test_protocol_note_says_when_a_protocol_is_too_small():
    demo_like = res.summary_table(_config({"resampler": "none"}), _metrics(3))
    assert res.protocol_note(demo_like) == (
        '3 paired result(s) per comparison: too few for a test (it needs 5); use seeds = '
        '[0, 1, 2, 3, 4] with split = "cv", n_splits = 2 (5x2 CV)')
    five_by_two = res.summary_table(_config({"resampler": "none"}), _metrics(5, 2))
    assert res.protocol_note(five_by_two) == "" and five_by_two["p_value"].notna().sum() == 2
    partial = _metrics(5, 2)
    partial = partial[~((partial.resampler == "smote") & (partial.model == "lr")
                        & (partial.seed > 0))]
    note = res.protocol_note(res.summary_table(_config({"resampler": "none"}), partial),
                             "pr_auc")
    assert note == ("1 of 2 comparisons have fewer than 5 paired results (unfinished cells "
                    "or undefined scores) and are not tested")
    assert res.protocol_note(res.summary_table(_config(None), _metrics(3))) == ""


def test_pretty_table():
    summary = res.summary_table(_config({"model": "rf"}), _metrics(5, 2))
    wide = res.pretty(summary, ["pr_auc"], p_metric="pr_auc")
    assert list(wide.columns) == ["pr_auc", "p_holm (pr_auc)"]
    assert wide.index.tolist() == [("none", "rf"), ("none", "lr"), ("smote", "rf"),
                                   ("smote", "lr")]
    row = summary.iloc[1]
    assert wide.iloc[1, 0] == (f"{row['mean']:.3f} ± {row['std']:.3f} "
                               f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]")
    assert wide.loc[("none", "rf"), "p_holm (pr_auc)"] == "—"
    assert wide.loc[("none", "lr"), "p_holm (pr_auc)"] == f"{row['p_holm']:.3g}"
    single = res.pretty(res.summary_table(_config({"model": "rf"}), _metrics(1)))
    assert single.iloc[0, 0].endswith(" ± —")  # one score: no spread, no interval


def test_metrics_table_carries_the_recorded_fold_sizes():
    config = {**_config(None), "evaluation": {"metrics": ["pr_auc"], "baseline": None}}
    cells = [{"resampler": "none", "model": "rf", "seed": 0,
              "folds": [{"fold": f, "n_train": 264 + f, "n_test": 133 - f,
                         "metrics": {"pr_auc": 0.5}} for f in range(3)]}]
    table = res.metrics_table(config, cells)
    assert list(table.columns) == ["resampler", "model", "seed", "fold", "metric", "value",
                                   "value_low", "value_high", "n_train", "n_test"]
    assert table["n_train"].tolist() == [264, 265, 266] and table["n_test"].dtype == int
    assert table["value_low"].isna().all()
    del cells[0]["folds"][1]["n_test"]
    assert res.metrics_table(config, cells)["n_test"].isna().tolist() == [False, True, False]


def test_unresolved_rates_carry_their_intervals_and_are_marked():
    config = {**_config(None), "evaluation": {"metrics": ["pr_auc", "tpr_at_fpr_0.1%"],
                                              "baseline": None}}
    folds = [{"fold": f, "n_train": 200, "n_test": 200,
              "metrics": {"pr_auc": 0.8 + f / 100, "tpr_at_fpr_0.1%": 0.3 + f / 10},
              "intervals": {"tpr_at_fpr_0.1%": [0.1 + f / 10, 0.6 + f / 10]} if f else {}}
             for f in range(3)]
    table = res.metrics_table(config, [{"resampler": "none", "model": "rf", "seed": 0,
                                        "folds": folds}])
    rates = table[table["metric"] == "tpr_at_fpr_0.1%"]
    assert rates["value_low"].tolist()[1:] == pytest.approx([0.2, 0.3])
    assert rates["value_high"].tolist()[1:] == pytest.approx([0.7, 0.8])
    assert np.isnan(rates["value_low"].iloc[0])
    assert table.loc[table["metric"] == "pr_auc", "value_low"].isna().all()
    summary = res.summary_table(config, table)
    assert summary.set_index("metric")["unresolved"].to_dict() == {"pr_auc": 0,
                                                                   "tpr_at_fpr_0.1%": 2}
    wide = res.pretty(summary)
    assert wide.loc[("none", "rf"), "tpr_at_fpr_0.1%"].endswith(res.UNRESOLVED)
    assert not wide.loc[("none", "rf"), "pr_auc"].endswith(res.UNRESOLVED)
    note = res.unresolved_note(summary)
    assert note.startswith("(!) unresolved: tpr_at_fpr_0.1% in 2 of 3 folds")
    assert "value_low" in note and 'split = "sample"' in note
    assert res.unresolved_note(summary[summary["metric"] == "pr_auc"]) == ""


def test_versions_name_the_libraries_and_the_backend():
    versions = res.versions("default.qubit")
    for key in ("python", "qskew", "numpy", "scipy", "scikit-learn", "imbalanced-learn",
                "torch", "pennylane", "pennylane_lightning", "platform"):
        assert versions[key]
    assert versions["backend"] == "default.qubit"


def test_a_metric_no_fold_could_score_reads_n_a_with_the_reason():
    summary = pd.DataFrame({
        "resampler": ["none", "none"], "model": ["svc", "svc"], "metric": ["pr_auc", "brier"],
        "n": [10, 0], "mean": [0.9, np.nan], "std": [0.02, np.nan], "ci_low": [0.88, np.nan],
        "ci_high": [0.92, np.nan], "p_holm": [np.nan, np.nan]})
    table = res.pretty(summary)
    assert table.loc[("none", "svc"), "brier"] == "n/a"
    assert "nan" not in table.to_string()
    note = res.undefined_note(summary)
    assert "svc (brier)" in note and "decision values" in note
    assert res.undefined_note(summary[summary["n"] > 0]) == ""
