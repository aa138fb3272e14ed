"""Checks shared by the loader tests."""

import dataclasses

import pandas as pd
import pytest


@pytest.fixture
def float32_matches_float64():
    """``check(result64, result32)`` for two ``(X, y, card)`` loads of the same file: the
    float32 table is the float64 one converted, the labels and the card (a DatasetCard or
    its dict) are unchanged."""

    def check(result64, result32):
        (X64, y64, card64), (X32, y32, card32) = result64[:3], result32[:3]
        assert (X32.dtypes == "float32").all()
        pd.testing.assert_frame_equal(X32, X64.astype("float32"))
        pd.testing.assert_series_equal(y32, y64)
        assert _as_dict(card32) == _as_dict(card64)

    return check


def _as_dict(card):
    return card if isinstance(card, dict) else dataclasses.asdict(card)
