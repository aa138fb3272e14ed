"""Tests for qskew.datasets.load_creditcard on fixture files in the Kaggle schema."""

import dataclasses
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from qskew.datasets import DatasetCard, _io, load_creditcard

COLUMNS = ["Time", *[f"V{i}" for i in range(1, 29)], "Amount", "Class"]
V = [f"V{i}" for i in range(1, 29)]
# Seconds since the first transaction; the last is the two-day end of the real file.
TIMES = [0.0, 406.0, 3599.0, 3600.0, 7200.0, 86399.0, 86400.0, 90000.0, 100000.0, 172792.0]
FRAUD_TIMES = [406.0, 90000.0, 150000.0]


def make_rows():
    """10 genuine and 3 fraud rows, all distinct, plus 2 genuine and 1 fraud exact copies."""
    rows = []
    for i, t in enumerate(TIMES + FRAUD_TIMES):
        fraud = i >= len(TIMES)
        rows.append([t, *np.round(np.sin(np.arange(1, 29) * (i + 1)) * 3, 6),
                     round(1.5 * i + 0.99, 2), int(fraud)])
    rows += [list(rows[2]), list(rows[7]), list(rows[11])]
    return rows


def write_creditcard(path, rows=None, columns=COLUMNS, quoted=True):
    """Write rows as Kaggle does: quoted header, whole-second Time, quoted Class values."""
    rows = make_rows() if rows is None else rows
    q = (lambda s: f'"{s}"') if quoted else str
    lines = [",".join(q(c) for c in columns)]
    for row in rows:
        cells = [repr(float(v)) if isinstance(v, float) else str(v) for v in row]
        cells[0] = str(int(row[0])) if float(row[0]).is_integer() else cells[0]
        if quoted and columns[-1] == "Class":
            cells[-1] = q(cells[-1])
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def creditcard(tmp_path):
    return write_creditcard(tmp_path / "creditcard.csv")


# -- behaviour -----------------------------------------------------------------


def test_defaults_drop_duplicates_and_time(creditcard):
    X, y, card = load_creditcard(creditcard)
    assert list(X.columns) == V + ["Amount"]
    assert (X.dtypes == "float64").all()
    assert y.name == "Class" and y.dtype == "int64"
    assert X.shape == (13, 29) and y.tolist() == [0] * 10 + [1] * 3
    pd.testing.assert_index_equal(X.index, pd.RangeIndex(13))
    pd.testing.assert_index_equal(y.index, pd.RangeIndex(13))
    assert isinstance(card, DatasetCard)
    assert (card.name, card.n_rows, card.n_features) == ("creditcard", 13, 29)
    assert card.class_counts == {0: 10, 1: 3}
    assert card.imbalance_ratio == pytest.approx(10 / 3)
    assert card.details["duplicates_removed"] == 3
    assert card.details["duplicates_removed_by_class"] == {0: 2, 1: 1}  # one fraud copy
    assert card.details["dropped_columns"] == ["Time"]
    assert [what for what, _ in card.dropped] == ["3 duplicate rows (class 0: 2, class 1: 1)",
                                                  "column Time"]


def test_first_copy_of_a_duplicate_stays(creditcard):
    X, _, _ = load_creditcard(creditcard, time="keep")
    assert X["Time"].tolist() == TIMES + FRAUD_TIMES  # original order, copies gone
    assert not X.duplicated().any()


def test_keep_duplicates(creditcard):
    X, y, card = load_creditcard(creditcard, drop_duplicates=False)
    assert X.shape == (16, 29) and int(y.sum()) == 4
    assert card.details["duplicates_removed"] == 0
    assert card.dropped == [("column Time", card.dropped[0][1])]


def test_time_hour_is_hours_modulo_a_day(creditcard):
    X, _, card = load_creditcard(creditcard, time="hour")
    assert list(X.columns) == ["Hour"] + V + ["Amount"]
    assert X["Hour"].dtype == "int64"
    assert X["Hour"].tolist() == [0, 0, 0, 1, 2, 23, 0, 1, 3, 23, 0, 1, 17]
    assert "Time" not in card.details["dropped_columns"]
    assert any("Hour = (Time // 3600) % 24" in note for note in card.notes)


def test_time_keep(creditcard):
    X, _, card = load_creditcard(creditcard, time="keep")
    assert list(X.columns) == COLUMNS[:-1]
    assert X["Time"].dtype == "float64"
    assert card.details["dropped_columns"] == []


def test_duplicates_are_judged_with_time(tmp_path):
    rows = make_rows()[:13]
    rows.append([rows[12][0] + 1.0, *rows[12][1:]])  # same fraud, one second later
    X, y, card = load_creditcard(write_creditcard(tmp_path / "c.csv", rows), time="drop")
    assert card.details["duplicates_removed"] == 0
    assert len(X) == 14 and X.duplicated().sum() == 1  # identical once Time is gone


def test_unquoted_file_and_any_column_order(tmp_path):
    order = [COLUMNS[-1], *COLUMNS[:-1][::-1]]
    frame = pd.DataFrame(make_rows(), columns=COLUMNS)[order]
    path = tmp_path / "shuffled.csv"
    frame.to_csv(path, index=False)
    X, y, card = load_creditcard(path)
    X_ref, y_ref, _ = load_creditcard(write_creditcard(tmp_path / "ref.csv"))
    pd.testing.assert_frame_equal(X, X_ref)
    pd.testing.assert_series_equal(y, y_ref)
    assert card.details["duplicates_removed"] == 3


def test_extra_columns_warn_and_are_dropped(tmp_path):
    frame = pd.DataFrame(make_rows(), columns=COLUMNS)
    path = tmp_path / "extra.csv"
    frame.to_csv(path)  # pandas writes its index as a first, unnamed column
    with pytest.warns(UserWarning, match=r"beyond the creditcard\.csv .*\['Unnamed: 0'\]") as rec:
        X, _, card = load_creditcard(path)
    assert rec[0].filename == __file__  # the warning points at the caller
    assert list(X.columns) == V + ["Amount"]
    assert card.details["dropped_columns"] == ["Unnamed: 0", "Time"]
    # Duplicates are judged on the schema's 31 columns: the index column does not hide them.
    assert card.details["duplicates_removed"] == 3


def test_class_written_as_float_is_accepted(tmp_path):
    rows = [row[:-1] + [float(row[-1])] for row in make_rows()]
    _, y, _ = load_creditcard(write_creditcard(tmp_path / "c.csv", rows, quoted=False))
    assert y.dtype == "int64" and y.tolist() == [0] * 10 + [1] * 3


def test_card_prints_the_cleaning(creditcard):
    _, _, card = load_creditcard(creditcard, time="hour")
    text = str(card)
    assert text.startswith("creditcard: 13 rows x 30 features, 2 classes, imbalance ratio 3.3")
    assert "3 duplicate rows (class 0: 2, class 1: 1): exact copies" in text
    assert "PR-AUC" in text


@pytest.mark.parametrize("time", ["drop", "hour", "keep"])
def test_float32_is_the_float64_result_converted(creditcard, time, float32_matches_float64):
    float32_matches_float64(load_creditcard(creditcard, time=time),
                            load_creditcard(creditcard, time=time, dtype="float32"))


def test_dtype_is_a_keyword_option_with_a_string_default(creditcard):
    parameter = inspect.signature(load_creditcard).parameters["dtype"]
    assert parameter.kind is parameter.KEYWORD_ONLY and parameter.default == "float64"
    X, _, _ = load_creditcard(creditcard, dtype=np.float32, time="hour")
    assert (X.dtypes == "float32").all() and X["Hour"].tolist()[:5] == [0, 0, 0, 1, 2]


def test_float32_judges_duplicates_on_the_values_as_read(tmp_path):
    rows = make_rows()[:13]
    rows.append([rows[0][0], rows[0][1] + 1e-12, *rows[0][2:]])  # alike in float32 only
    X32, _, card = load_creditcard(write_creditcard(tmp_path / "c.csv", rows), dtype="float32")
    assert card.details["duplicates_removed"] == 0 and len(X32) == 14
    assert X32.duplicated().sum() == 1


def test_block_size_does_not_change_the_result(creditcard, monkeypatch):
    whole = load_creditcard(creditcard, time="keep")
    monkeypatch.setattr(_io, "CHUNK_ROWS", 4)
    blocks = load_creditcard(creditcard, time="keep")
    pd.testing.assert_frame_equal(blocks[0], whole[0])
    pd.testing.assert_series_equal(blocks[1], whole[1])
    assert dataclasses.asdict(blocks[2]) == dataclasses.asdict(whole[2])


def test_no_warning_on_a_clean_file(creditcard):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_creditcard(creditcard)


# -- errors --------------------------------------------------------------------


def _rewrite(tmp_path, change):
    frame = pd.DataFrame(make_rows(), columns=COLUMNS)
    frame = change(frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda f: f.drop(columns=["V17", "Class"]),
         r"lacks 2 column\(s\) of the creditcard\.csv \(Time, V1\.\.V28, Amount, Class\) "
         r"schema: \['V17', 'Class'\].*Found 29 columns"),
        (lambda f: f.rename(columns={"Amount": "amount"}),
         r"schema: \['Amount'\]\. Close names found: 'Amount' -> 'amount'"),
        (lambda f: f.assign(Class=[0] * 15 + [2]),
         r"Class must be 0 \(genuine\) or 1 \(fraud\); 'bad\.csv' has \['2'\] in 1 rows "
         r"\(first in data row 16\)"),
        (lambda f: f.assign(Class=["no"] * 16),
         r"Class must be 0 .*has \[\"'no'\"\] in 16 rows"),
        (lambda f: f.assign(V3=["x1"] + [0.5] * 15),
         r"columns \['V3'\] of 'bad\.csv' must be numeric; found text such as 'x1' in V3 "
         r"\(data row 1\)"),
        (lambda f: f.assign(Amount=[1.0] * 15 + [np.nan]),
         r"no missing or infinite values, but 'bad\.csv' has 1 in columns \['Amount'\] "
         r"\(first in data row 16\).*truncated"),
        (lambda f: f.assign(V1=[np.inf] + [0.0] * 15),
         r"has 1 in columns \['V1'\]"),
        (lambda f: f.assign(V3=[0.5] * 9 + ["x1"] + [0.5] * 6),
         r"found text such as 'x1' in V3 \(data row 10\)"),
    ],
)
@pytest.mark.parametrize("chunk_rows", [4, 100_000])
def test_bad_content(tmp_path, monkeypatch, change, match, chunk_rows):
    monkeypatch.setattr(_io, "CHUNK_ROWS", chunk_rows)  # row numbers count the whole file
    with pytest.raises(ValueError, match=match):
        load_creditcard(_rewrite(tmp_path, change))


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "creditcard.csv"
    with pytest.raises(FileNotFoundError, match=r"no file at '.*nowhere/creditcard\.csv'.*"
                                                r"never downloads"):
        load_creditcard(path)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(IsADirectoryError, match=r"is a folder.*e\.g\. '.*creditcard\.csv'"):
        load_creditcard(tmp_path)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", r"is empty \(0 bytes\)"),
        (b"\n\n", r"holds no columns"),
        (",".join(f'"{c}"' for c in COLUMNS).encode() + b"\n", r"header but no data rows"),
    ],
)
def test_empty_files(tmp_path, content, match):
    path = tmp_path / "creditcard.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        load_creditcard(path)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"time": "hours"}, ValueError,
         r"time must be one of 'drop', 'hour', 'keep'; got 'hours'\. Did you mean 'hour'\?"),
        ({"time": "seconds"}, ValueError, r"got 'seconds'\. Pass one of them\."),
        ({"time": None}, ValueError, r"time must be one of .*; got None"),
        ({"drop_duplicates": "yes"}, TypeError, r"drop_duplicates must be True or False; "
                                                r"got 'yes'"),
        ({"dtype": "float"}, ValueError, r"load_creditcard: dtype must be one of 'float64', "
                                         r"'float32' .*; got 'float'\. Did you mean"),
    ],
)
def test_bad_options(creditcard, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_creditcard(creditcard, **kwargs)


def test_options_are_checked_before_the_file(tmp_path):
    with pytest.raises(ValueError, match="time must be"):
        load_creditcard(tmp_path / "missing.csv", time="bad")


def test_path_must_be_a_path():
    with pytest.raises(TypeError, match=r"path must be a file path .*got int"):
        load_creditcard(123)
