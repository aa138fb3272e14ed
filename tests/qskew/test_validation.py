"""Tests for qskew._validation.check_features."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from qskew._validation import check_features


@pytest.mark.parametrize(
    "X, error, match",
    [
        (sp.csr_matrix(np.eye(2)), TypeError,
         r"Owner does not accept sparse input \(got X as csr_matrix\).*X.toarray\(\)"),
        (sp.coo_array(np.eye(2)), TypeError, r"sparse input \(got X as coo_array\)"),
        (np.array([[1.0, np.nan], [np.nan, 0.0]]), ValueError,
         r"X contains NaN \(2 non-finite value\(s\), first at row 0, column 1\); Owner needs "
         r"finite features. Impute"),
        (np.array([[1.0, 2.0], [np.inf, 0.0]]), ValueError, r"X contains infinity .*row 1, column 0"),
        (np.array([[-np.inf]]), ValueError, r"X contains infinity"),
        ([[1.0, None]], ValueError, r"X contains NaN"),
        (np.arange(3.0), ValueError, r"X must be 2-D .*got a 1-D array of shape \(3,\)"),
        (np.zeros((2, 2, 2)), ValueError, r"got a 3-D array of shape \(2, 2, 2\). Reshape"),
        (5.0, ValueError, r"got a 0-D array"),
        ([], ValueError, r"got a 1-D array of shape \(0,\)"),
        (np.empty((0, 3)), ValueError, r"X has 0 sample\(s\) \(shape=\(0, 3\)\).*required by Owner"),
        ([[]], ValueError, r"X has 0 feature\(s\) \(shape=\(1, 0\)\)"),
        (np.array([[1 + 2j, 0]]), ValueError, r"Complex data not supported: X has dtype complex128"),
        (np.array([["a", "b"]]), TypeError, r"X must be numeric; got dtype <U1.*OneHotEncoder"),
        (np.array([[object(), 1]], dtype=object), TypeError, r"X must be numeric; got dtype object"),
        ([[1.0, 2.0], [3.0]], ValueError, r"X could not be read as a 2-D numeric array.*rectangular"),
    ],
    ids=[
        "csr", "coo array", "nan", "inf", "-inf", "None", "1-D", "3-D", "scalar", "empty list",
        "0 rows", "0 cols", "complex", "strings", "objects", "ragged",
    ],
)
def test_bad_input_raises(X, error, match):
    with pytest.raises(error, match=match):
        check_features(X, owner="Owner")


def test_name_appears_in_messages():
    with pytest.raises(ValueError, match="Input X_test contains NaN"):
        check_features([[np.nan]], "X_test")


@pytest.mark.parametrize(
    "X",
    [
        [[1, 2], [3, 4]],
        np.array([[1, 2], [3, 4]], dtype=np.int32),
        np.array([[True, False], [False, True]]),
        np.asfortranarray(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)),
        np.array([["1.5", "2"], ["3", "4"]]),
        pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 4.0]}),
    ],
    ids=["list", "int32", "bool", "fortran float32", "numeric strings", "DataFrame"],
)
def test_valid_input_becomes_c_contiguous_float64(X):
    array = check_features(X)
    assert array.dtype == np.float64 and array.flags.c_contiguous and array.shape == (2, 2)
    np.testing.assert_array_equal(array, np.asarray(X, dtype=np.float64))
