"""Tests for qskew.datasets._bundled: load_demo and subsample."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from qskew.datasets import load_demo, subsample


@pytest.fixture(scope="module")
def demo():
    return load_demo()


@pytest.fixture()
def skewed():
    """100 rows, 20 of label 1; column 0 is the row number, so rows can be traced."""
    X = np.column_stack([np.arange(100), np.arange(100) ** 2]).astype(float)
    y = np.zeros(100, dtype=int)
    y[::5] = 1
    return X, y


# -- load_demo -----------------------------------------------------------------


def test_load_demo_shape_counts_and_names(demo):
    X, y = demo
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == (397, 30)
    assert y.shape == (397,)
    assert int(y.sum()) == 40
    assert sorted(y.unique().tolist()) == [0, 1]
    assert y.name == "malignant"
    assert list(X.columns) == list(load_breast_cancer().feature_names)
    pd.testing.assert_index_equal(X.index, pd.RangeIndex(397))
    pd.testing.assert_index_equal(y.index, pd.RangeIndex(397))


def test_load_demo_is_deterministic(demo):
    X, y = demo
    X_again, y_again = load_demo()
    pd.testing.assert_frame_equal(X, X_again)
    pd.testing.assert_series_equal(y, y_again)


def test_load_demo_rows_are_breast_cancer_rows_with_malignant_as_1(demo):
    X, y = demo
    source = load_breast_cancer()
    label_of = {tuple(row): target for row, target in zip(source.data, source.target)}
    assert len(label_of) == len(source.data)  # rows are distinct, so the lookup is exact
    # sklearn codes malignant as 0; the demo relabels it as the positive class 1.
    expected = [1 - label_of[tuple(row)] for row in X.to_numpy()]
    np.testing.assert_array_equal(y.to_numpy(), expected)
    assert int((source.target == 1).sum()) == int((y == 0).sum())  # every benign row kept
    assert not X.duplicated().any()


# -- subsample: behaviour ------------------------------------------------------


@pytest.mark.parametrize("n, fraction, counts", [(30, 0.2, (24, 6)), (50, 0.1, (45, 5)),
                                                  (10, 0.5, (5, 5))])
def test_subsample_keeps_n_and_ratio(skewed, n, fraction, counts):
    X, y = skewed
    X_sub, y_sub = subsample(X, y, n=n, minority_fraction=fraction, random_state=0)
    assert X_sub.shape == (n, 2) and y_sub.shape == (n,)
    assert tuple(np.bincount(y_sub)) == counts


def test_subsample_rows_stay_paired_and_in_order(skewed):
    X, y = skewed
    X_sub, y_sub = subsample(X, y, n=40, minority_fraction=0.25, random_state=3)
    rows = X_sub[:, 0].astype(int)
    assert np.all(np.diff(rows) > 0)  # original order, no repeats
    np.testing.assert_array_equal(X_sub, X[rows])
    np.testing.assert_array_equal(y_sub, y[rows])


def test_subsample_defaults_keep_the_input_share(skewed):
    X, y = skewed
    X_sub, y_sub = subsample(X, y, n=50, random_state=0)
    assert tuple(np.bincount(y_sub)) == (40, 10)  # 20 % as in the input
    X_all, y_all = subsample(X, y, random_state=0)
    assert tuple(np.bincount(y_all)) == (80, 20)  # as many rows as the ratio allows


def test_subsample_default_n_is_the_largest_the_ratio_allows(skewed):
    X, y = skewed
    _, y_sub = subsample(X, y, minority_fraction=0.5, random_state=0)
    assert tuple(np.bincount(y_sub)) == (20, 20)  # limited by the 20 minority rows
    _, y_sub = subsample(X, y, minority_fraction=0.1, random_state=0)
    assert tuple(np.bincount(y_sub)) == (79, 9)  # n = int(80 / 0.9) = 88 rows


def test_subsample_minority_label_picks_the_class(skewed):
    X, y = skewed
    _, y_sub = subsample(X, y, n=20, minority_fraction=0.25, minority_label=0,
                         random_state=0)
    assert tuple(np.bincount(y_sub)) == (5, 15)


def test_subsample_with_pandas_keeps_types_and_index(skewed):
    X, y = skewed
    index = pd.Index(np.arange(100) * 10 + 7, name="id")
    frame = pd.DataFrame(X, columns=["a", "b"], index=index)
    labels = pd.Series(np.where(y == 1, "fraud", "ok"), index=index, name="label")
    X_sub, y_sub = subsample(frame, labels, n=30, minority_fraction=0.2, random_state=1)
    assert isinstance(X_sub, pd.DataFrame) and isinstance(y_sub, pd.Series)
    assert list(X_sub.columns) == ["a", "b"] and y_sub.name == "label"
    pd.testing.assert_index_equal(X_sub.index, y_sub.index)
    assert X_sub.index.is_monotonic_increasing and X_sub.index.isin(index).all()
    assert y_sub.value_counts().to_dict() == {"ok": 24, "fraud": 6}
    pd.testing.assert_series_equal(y_sub, labels.loc[X_sub.index])
    # The same draw as with numpy input: the seed, not the container, picks the rows.
    X_np, _ = subsample(X, y, n=30, minority_fraction=0.2, random_state=1)
    np.testing.assert_array_equal(X_sub.to_numpy(), X_np)


def test_subsample_is_seeded(skewed):
    X, y = skewed
    first = subsample(X, y, n=30, minority_fraction=0.2, random_state=42)
    again = subsample(X, y, n=30, minority_fraction=0.2, random_state=42)
    other = subsample(X, y, n=30, minority_fraction=0.2, random_state=43)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])
    rng = np.random.RandomState(42)
    np.testing.assert_array_equal(
        subsample(X, y, n=30, minority_fraction=0.2, random_state=rng)[0], first[0]
    )


def test_subsample_accepts_lists(skewed):
    X, y = skewed
    X_sub, y_sub = subsample(X.tolist(), y.tolist(), n=10, minority_fraction=0.3,
                             random_state=0)
    assert isinstance(X_sub, np.ndarray) and X_sub.shape == (10, 2)
    assert tuple(np.bincount(y_sub)) == (7, 3)


# -- subsample: errors ---------------------------------------------------------


@pytest.mark.parametrize(
    "y_kind, kwargs, match",
    [
        ("three", {}, r"needs binary labels; got 3 classes \[0, 1, 2\].*two classes"),
        ("one", {}, r"needs binary labels; got 1 classes \[0\]"),
        ("ok", {"minority_fraction": 0.0}, r"minority_fraction must be in \(0, 1\); got 0.0"),
        ("ok", {"minority_fraction": 1.0}, r"must be in \(0, 1\); got 1.0.*e.g. 0.1"),
        ("ok", {"minority_fraction": -0.1}, r"must be in \(0, 1\); got -0.1"),
        ("ok", {"minority_fraction": 1.5}, r"must be in \(0, 1\); got 1.5"),
        ("ok", {"minority_fraction": float("nan")}, r"must be in \(0, 1\); got nan"),
        ("ok", {"n": 1000}, r"cannot draw 200 minority and 800 majority rows from 20 and 80.*"
                            r"Lower n"),
        ("ok", {"n": 90, "minority_fraction": 0.5}, r"cannot draw 45 minority.*from 20 and 80"),
        ("ok", {"n": 1}, r"n must be an integer >= 2.*got 1"),
        ("ok", {"n": 30.5}, r"n must be an integer >= 2.*got 30.5"),
        ("ok", {"minority_label": 7}, r"minority_label 7 is not among the labels \[0, 1\].*"
                                      r"None for the rarer"),
        ("ok", {"minority_label": "1"}, r"minority_label '1' is not among the labels"),
        ("short", {}, r"one label per row; got 100 rows and 99 labels"),
    ],
)
def test_subsample_errors(skewed, y_kind, kwargs, match):
    X, y = skewed
    y = {"ok": y, "three": np.arange(100) % 3, "one": np.zeros(100, dtype=int),
         "short": y[:99]}[y_kind]
    with pytest.raises(ValueError, match=match):
        subsample(X, y, random_state=0, **kwargs)
