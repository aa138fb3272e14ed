"""Tests for how a Results object shows itself: a table in a notebook, text in a terminal."""

import html
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qskew.experiment import _results as res

METRICS = ("pr_auc", "recall")


def results(n_seeds=6, n_expected=None, path="/tmp/runs/demo", fidelity=None):
    """Results of 2 resamplers x 2 models over ``n_seeds`` seeds x 1 fold."""
    rng = np.random.default_rng(0)
    rows = [(r, m, s, 0, metric, rng.uniform(), 316, 79) for r in ("none", "smote")
            for m in ("rf", "lr") for s in range(n_seeds) for metric in METRICS]
    metrics = pd.DataFrame(rows, columns=["resampler", "model", "seed", "fold", "metric",
                                          "value", "n_train", "n_test"])
    config = {"resamplers": {"none": {}, "smote": {}}, "models": {"rf": {}, "lr": {}},
              "evaluation": {"metrics": list(METRICS), "baseline": {"resampler": "none"}}}
    n_cells = 4 * n_seeds
    return res.Results(Path(path), config, metrics, res.summary_table(config, metrics),
                       pd.DataFrame() if fidelity is None else fidelity, n_cells,
                       n_cells if n_expected is None else n_expected)


def test_html_shows_the_folder_the_cells_and_the_summary_table():
    shown = results()
    page = shown._repr_html_()
    assert "<code>/tmp/runs/demo</code>" in page
    assert "24/24 cells" in page and "unfinished" not in page
    assert page.count("<table") == 1
    table = shown.table()
    assert list(table.columns) == ["pr_auc", "recall", "p_holm (pr_auc)"]
    for value in [*table.columns, *np.ravel(table.index.tolist()), *table.to_numpy().ravel()]:
        assert html.escape(str(value)) in page


def test_html_of_an_unfinished_run_says_how_to_finish_it_and_explains_the_table():
    page = results(n_seeds=3, n_expected=20)._repr_html_()
    assert "12/20 cells (unfinished: finish the run with `qskew run CONFIG --resume --out " \
        "/tmp/runs/demo`)" in page
    # three seeds are too few pairs for the test: the note says why p_holm is empty
    assert "too few for a test" in page


def test_html_escapes_the_folder_name():
    page = results(path="/tmp/<b>&runs")._repr_html_()
    assert "/tmp/&lt;b&gt;&amp;runs" in page and "<b>&runs" not in page


def test_html_without_finished_cells_has_no_table():
    page = results(n_seeds=0, n_expected=8)._repr_html_()
    assert "0/8 cells" in page and "<table" not in page


def test_html_adds_the_fidelity_summary_when_rows_were_generated():
    fidelity = pd.DataFrame({"resampler": ["smote"] * 2, "space": ["scaled"] * 2,
                             "seed": [0, 1], "fold": [0, 0], "ks_statistic": [0.1, 0.3]})
    page = results(fidelity=fidelity)._repr_html_()
    assert page.count("<table") == 2
    assert "0.200 ± 0.141" in page


def test_plain_repr_keeps_its_first_line_and_adds_the_table_and_notes():
    text = repr(results(n_seeds=3))
    first, *rest = text.splitlines()
    assert first == "Results('/tmp/runs/demo', 12/12 cells, 24 metric values)"
    assert rest[0].split() == ["pr_auc", "recall", "p_holm", "(pr_auc)"]
    assert any(line.startswith("smote") for line in rest)
    assert rest[-1].startswith("note: 3 paired result(s) per comparison")


def test_ipython_displays_results_as_html():
    formatters = pytest.importorskip("IPython.core.formatters")
    shown = results()
    data, _ = formatters.DisplayFormatter().format(shown)
    assert data["text/html"] == shown._repr_html_()
    assert data["text/plain"] == repr(shown)
