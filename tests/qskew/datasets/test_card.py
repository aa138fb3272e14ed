"""Tests for qskew.datasets.DatasetCard."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from qskew.datasets import DatasetCard
from qskew.datasets._card import CardLog, class_counts


def test_from_data_counts_largest_first_with_python_scalars():
    y = pd.Series(np.array([1, 0, 0, 2, 0, 1], dtype=np.int64))
    card = DatasetCard.from_data("toy", pd.DataFrame({"a": range(6)}), y)
    assert card.class_counts == {0: 3, 1: 2, 2: 1}
    assert all(type(k) is int and type(v) is int for k, v in card.class_counts.items())
    assert card.imbalance_ratio == 3.0 and type(card.imbalance_ratio) is float
    assert (card.n_rows, card.n_features) == (6, 1)
    assert card.dropped == [] and card.notes == [] and card.details == {}


def test_ties_are_ordered_by_label():
    assert list(class_counts(pd.Series(["b", "a", "c", "c"]))) == ["c", "a", "b"]


@pytest.mark.parametrize("labels, ratio", [([1, 1, 1], 1.0), ([], np.nan)])
def test_imbalance_ratio_edge_cases(labels, ratio):
    card = DatasetCard.from_data("e", pd.DataFrame({"a": labels}), pd.Series(labels))
    np.testing.assert_equal(card.imbalance_ratio, ratio)


def test_str_is_readable():
    log = CardLog(duplicates_removed=2)
    log.drop("2 duplicate rows", "exact copies")
    log.note("scale Amount")
    y = pd.Series(["BENIGN"] * 1500 + ["Web Attack - XSS"] * 3)
    card = log.card("ids", pd.DataFrame({"a": range(1503), "b": 0}), y)
    assert str(card) == (
        "ids: 1,503 rows x 2 features, 2 classes, imbalance ratio 500.0 (majority/minority)\n"
        "  class counts:\n"
        "    BENIGN            1,500  (99.80 %)\n"
        "    Web Attack - XSS      3  (0.20 %)\n"
        "  dropped:\n"
        "    - 2 duplicate rows: exact copies\n"
        "  notes:\n"
        "    - scale Amount"
    )
    assert card.details == {"duplicates_removed": 2}


def test_asdict_round_trip():
    card = DatasetCard.from_data("t", pd.DataFrame({"a": [1, 2]}), pd.Series([0, 1]),
                                 dropped=[["column x", "why"]], notes=("n",))
    data = dataclasses.asdict(card)
    assert data["dropped"] == [("column x", "why")] and data["notes"] == ["n"]
    assert DatasetCard(**data) == card
