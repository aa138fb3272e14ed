"""Tests for qskew.datasets._rows: exact duplicate rows through one 64-bit hash per row."""

import numpy as np
import pandas as pd
import pytest

from qskew.datasets._rows import duplicated_rows, hash_rows, number_bits


def random_frame(seed, n=3_000):
    """Few distinct values per column, so that many rows repeat; NaN, -0.0 and text included."""
    rng = np.random.default_rng(seed)
    floats = rng.choice([0.0, -0.0, 1.5, np.nan, 1e300, -np.inf], n)
    return pd.DataFrame({
        "int": rng.integers(0, 3, n), "float": floats,
        "float32": rng.choice([0.1, 0.2], n).astype(np.float32),
        "bool": rng.random(n) < 0.5, "text": rng.choice(["a", "b", None], n),
        "nullable": pd.array(rng.choice([1, 2, None], n), dtype="Int64"),
    })


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_duplicated_rows_is_dataframe_duplicated(seed):
    frame = random_frame(seed)
    expected = frame.duplicated(keep="first").to_numpy()
    assert expected.sum() > 100  # the comparison means something
    np.testing.assert_array_equal(duplicated_rows(frame), expected)


def test_equal_rows_have_equal_hashes():
    frame = random_frame(0)
    hashes = hash_rows(frame)
    first = frame.groupby(list(frame.columns), dropna=False, sort=False).ngroup().to_numpy()
    for group in np.unique(first):
        assert len(set(hashes[first == group])) == 1


@pytest.mark.parametrize("column", ["int", "float", "float32", "bool", "text", "nullable"])
def test_rows_differing_in_one_column_never_share_a_hash(column):
    frame = random_frame(3, n=200).drop_duplicates(ignore_index=True)
    base = frame.iloc[[0] * len(frame)].reset_index(drop=True)
    base[column] = frame[column].to_numpy()  # rows differ from row 0 in `column` at most
    distinct = ~base.duplicated(keep=False)
    hashes = hash_rows(base)
    assert len(set(hashes[distinct.to_numpy()])) == int(distinct.sum())


def test_number_bits_treats_zeros_alike_and_nans_alike():
    bits = number_bits(pd.Series([0.0, -0.0, np.nan, -np.nan, float("nan"), 1.0]))
    assert bits[0] == bits[1] and bits[2] == bits[3] == bits[4] and bits[0] != bits[5]


def test_rows_need_equal_hashes_too():
    # Two rows equal now but hashed apart (e.g. before a float32 conversion) stay.
    frame = pd.DataFrame({"a": [1.0, 1.0, 1.0]})
    np.testing.assert_array_equal(duplicated_rows(frame, np.array([5, 7, 5], dtype=np.uint64)),
                                  [False, False, True])


def test_no_rows():
    assert duplicated_rows(pd.DataFrame({"a": []})).tolist() == []
