"""Tests for qskew.datasets._encode: capped one-hot, ordinal codes, token hashing."""

import numpy as np
import pandas as pd

from qskew.datasets._encode import category_text, encode_categorical, hash_text


def test_category_text():
    assert category_text(pd.Series([1.0, np.nan, 2.5]), "-").tolist() == ["1", "-", "2.5"]
    assert category_text(pd.Series([" a", None, "b "]), "(missing)").tolist() == [
        "a", "(missing)", "b"]


def test_onehot_orders_by_frequency_then_value_and_caps():
    text = pd.Series(["b", "a", "c", "a", "b", "d"], index=[10, 11, 12, 13, 14, 15])
    block, kept = encode_categorical(text, "x", "onehot", max_categories=2)
    assert kept == ["a", "b", "(other)"]
    assert list(block.columns) == ["x=a", "x=b", "x=(other)"]
    assert block.to_numpy().tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0],
                                         [0, 1, 0], [0, 0, 1]]
    assert (block.dtypes == "uint8").all() and list(block.index) == list(text.index)
    block, kept = encode_categorical(text, "x", "onehot", max_categories=4)
    assert kept == ["a", "b", "c", "d"] and "x=(other)" not in block.columns


def test_ordinal_codes():
    text = pd.Series(["b", "a", "c", "a", "b", "d"])
    block, kept = encode_categorical(text, "x", "ordinal", max_categories=2)
    assert block["x"].tolist() == [1, 0, 2, 0, 1, 2] and block["x"].dtype == "int64"
    assert kept == ["a", "b", "(other)"]


def test_hash_text_counts_tokens_and_is_stable():
    column = pd.Series(["www.example.com", np.nan, "/a/b?c=1", "WWW.Example.COM"], name="u")
    block = hash_text(column, "u", n_features=8)
    assert list(block.columns) == [f"u#{i}" for i in range(8)]
    assert block.sum(axis=1).tolist() == [3, 0, 4, 3]
    assert block.iloc[0].tolist() == block.iloc[3].tolist()  # case does not matter
    pd.testing.assert_frame_equal(block, hash_text(column, "u", n_features=8))
