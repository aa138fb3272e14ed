"""Tests for qskew.datasets._io: option checks and name helpers shared by the loaders."""

import numpy as np
import pandas as pd
import pytest

from qskew.datasets import _io
from qskew.datasets._io import (
    as_dtype,
    check_dtype,
    check_option,
    clean_names,
    did_you_mean,
    read_csv_chunks,
    short_list,
)


@pytest.mark.parametrize(
    "word, expected",
    [("label", ["Label", "Lable"]), ("Lbel", ["Label", "Lable"]), ("Amont", ["Amount"]),
     ("zzz", [])],
)
def test_did_you_mean_puts_case_matches_first(word, expected):
    assert did_you_mean(word, ["Lable", "Label", "Amount"]) == expected


def test_check_option_message():
    check_option("f", "mode", "a", ("a", "b"))
    with pytest.raises(ValueError, match=r"^f: mode must be one of 'a', 'b'; got 3\. "
                                         r"Pass one of them\.$"):
        check_option("f", "mode", 3, ("a", "b"))


def test_clean_names_strips_spaces_and_byte_order_marks():
    assert clean_names(["\ufeff id", " Label "]) == ["id", "Label"]
    assert clean_names(["\u00ef\u00bb\u00bfTime", "V1"]) == ["Time", "V1"]
    assert clean_names([0, "a"]) == ["0", "a"]


def test_short_list():
    assert short_list(["a", "b"]) == "['a', 'b']"
    assert short_list(list("abcde"), limit=2) == "['a', 'b', ... (3 more)]"


@pytest.mark.parametrize(
    "dtype, expected",
    [("float64", np.float64), ("float32", np.float32), (np.float64, np.float64),
     (np.float32, np.float32), (np.dtype("float32"), np.float32)],
)
def test_check_dtype_accepts_the_two_floats(dtype, expected):
    assert check_dtype("f", dtype) == np.dtype(expected)


@pytest.mark.parametrize(
    "dtype, match",
    [("float16", r"^f: dtype must be one of 'float64', 'float32' \(or numpy\.float64, "
                 r"numpy\.float32\); got 'float16'\. Did you mean 'float64' or 'float32'\?$"),
     ("Float32", r"got 'Float32'\. Did you mean 'float32'"),
     ("f4", r"got 'f4'\. Pass float32 to halve the features memory\.$"),
     (np.float16, r"got <class 'numpy\.float16'>"),
     (float, r"got <class 'float'>"),
     (None, r"got None"),
     (np.array([1.0]), r"got array\(\[1\.\]\)")],
)
def test_check_dtype_rejects_others(dtype, match):
    with pytest.raises(ValueError, match=match):
        check_dtype("f", dtype)


def test_as_dtype_converts_every_column_or_none():
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5], "c": np.array([1, 0], dtype=np.uint8)})
    assert as_dtype(frame, np.dtype("float64")) is frame
    assert (as_dtype(frame, np.dtype("float32")).dtypes == "float32").all()


def test_read_csv_chunks_yields_blocks_with_clean_names(tmp_path, monkeypatch):
    monkeypatch.setattr(_io, "CHUNK_ROWS", 2)
    path = tmp_path / "t.csv"
    path.write_text("\ufeff a , b\n1,x\n2,y\n3,z\n", encoding="utf-8")
    chunks = list(read_csv_chunks("f", path))
    assert [len(c) for c in chunks] == [2, 1]
    assert all(list(c.columns) == ["a", "b"] for c in chunks)


@pytest.mark.parametrize(
    "content, match",
    [(b"", r"holds no columns \(blank file\)"),
     (b"a,b\n", r"has a header but no data rows"),
     (b"a,b\n1,2\n3,4\n5,6\n7,8,9\n", r"could not be read as CSV \(.*Expected 2 fields")],
    ids=["blank", "header-only", "bad-row-in-a-later-block"],
)
def test_read_csv_chunks_errors(tmp_path, monkeypatch, content, match):
    monkeypatch.setattr(_io, "CHUNK_ROWS", 2)
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"^f: '.*t\.csv' " + match):
        list(read_csv_chunks("f", path))
