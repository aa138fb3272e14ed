"""Tests for qskew.datasets.load_table on CSV and ARFF fixture files."""

import gzip
import inspect

import numpy as np
import pandas as pd
import pytest

from qskew.datasets import load_table

ARFF = """% An imbalanced toy set in the KEEL / OpenML style
@relation 'toy-imbalanced'

@attribute 'mean radius' numeric
@attribute texture real
@attribute shape {round,oval,flat}
@attribute class {negative,positive}

@data
1.5,10,round,negative
2.5,11,oval,negative
3.5,?,round,negative
4.5,13,?,negative
1.5,10,round,negative
5.5,14,flat,positive
"""


@pytest.fixture()
def arff_path(tmp_path):
    path = tmp_path / "toy.arff"
    path.write_text(ARFF, encoding="utf-8")
    return path


@pytest.fixture()
def csv_path(tmp_path):
    frame = pd.DataFrame({
        "id": [f"p{i:03d}" for i in range(30)],
        " age ": np.arange(30) + 20,
        "smoker": [True, False] * 15,
        "city": ["Oslo"] * 12 + ["Rome"] * 10 + ["Lima"] * 5 + ["Kyiv"] * 3,
        "bmi": [np.nan if i == 4 else 20.0 + i / 2 for i in range(30)],
        "outcome": ["healthy"] * 26 + ["sick"] * 4,
    })
    path = tmp_path / "patients.csv"
    frame.to_csv(path, index=False)
    return path


def test_arff_nominal_values_are_decoded(arff_path):
    X, y, card = load_table(arff_path, target="class")
    assert list(X.columns) == ["mean radius", "texture", "shape=round", "shape=(missing)",
                               "shape=flat", "shape=oval"]
    assert y.name == "class" and y.tolist() == ["negative"] * 4 + ["positive"]
    assert X["shape=(missing)"].tolist() == [0, 0, 0, 1, 0]  # '?' is missing
    assert np.isnan(X.loc[2, "texture"])  # numeric '?' stays NaN
    assert card.name == "toy" and card.class_counts == {"negative": 4, "positive": 1}
    assert card.imbalance_ratio == 4.0
    assert card.details["duplicates_removed"] == 1
    assert card.details["missing_cells"] == {"texture": 1}
    assert card.details["categories"]["shape"] == ["round", "(missing)", "flat", "oval"]
    assert not any(isinstance(v, bytes) for v in y)


def test_arff_integer_classes_become_int64(tmp_path):
    path = tmp_path / "binary.arff"
    path.write_text("@relation b\n@attribute x numeric\n@attribute y {0,1}\n@data\n"
                    "1,0\n2,0\n3,1\n4,0\n")
    _, y, _ = load_table(path, target="y")
    assert y.dtype == "int64" and y.tolist() == [0, 0, 1, 0]


def test_csv_columns_are_typed_and_encoded(csv_path):
    X, y, card = load_table(csv_path, target="outcome")
    assert list(X.columns) == ["age", "smoker", "city=Oslo", "city=Rome", "city=Lima",
                               "city=Kyiv", "bmi"]
    assert X["age"].dtype == "int64" and X["smoker"].dtype == "uint8"
    assert X["bmi"].dtype == "float64" and int(X["bmi"].isna().sum()) == 1
    assert card.details["dropped_columns"] == ["id"]  # unique in every row
    assert card.dropped == [("columns ['id']", "text with a different value in every row "
                                                "(an identifier or free text)")]
    assert card.class_counts == {"healthy": 26, "sick": 4}
    assert any("impute them in the pipeline" in note for note in card.notes)


def test_csv_ordinal_and_cap(csv_path):
    X, _, card = load_table(csv_path, target="outcome", categorical="ordinal", max_categories=2)
    assert X["city"].tolist() == [0] * 12 + [1] * 10 + [2] * 8
    assert card.details["categories"]["city"] == ["Oslo", "Rome", "(other)"]
    X_drop, _, _ = load_table(csv_path, target="outcome", categorical="drop")
    assert list(X_drop.columns) == ["age", "smoker", "bmi"]


def test_numeric_target_and_unlabelled_rows(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,target\n1,2,0\n3,4,1\n5,6,\n7,8,0.0\n7,8,0.0\n")
    X, y, card = load_table(path, target="target")
    assert y.dtype == "int64" and y.tolist() == [0, 1, 0]
    assert card.details["unlabelled_rows"] == 1 and card.details["duplicates_removed"] == 1
    assert card.dropped[0] == ("1 rows without a 'target' value",
                               "empty target cell; nothing to learn from")
    X_all, _, _ = load_table(path, target="target", drop_duplicates=False)
    assert len(X_all) == 4


def test_separator_encoding_and_compression(tmp_path):
    text = "größe;klasse\n1.5;a\n2.5;b\n"
    (tmp_path / "semi.csv").write_text(text, encoding="latin-1")
    X, y, _ = load_table(tmp_path / "semi.csv", target="klasse", sep=";", encoding="latin-1")
    assert list(X.columns) == ["größe"] and y.tolist() == ["a", "b"]
    with gzip.open(tmp_path / "data.csv.gz", "wt") as handle:
        handle.write("x,y\n1,0\n2,1\n")
    X, y, card = load_table(tmp_path / "data.csv.gz", target="y")
    assert X["x"].tolist() == [1, 2] and card.name == "data"


def test_missing_target_lists_columns_and_close_names(csv_path):
    with pytest.raises(ValueError, match=r"target 'Outcome' is not a column of 'patients\.csv'\. "
                                         r"Did you mean 'outcome'\? Its 6 columns are \['id', "
                                         r"'age', .*'outcome'\]; pass one of them"):
        load_table(csv_path, target="Outcome")
    with pytest.raises(ValueError, match=r"not a column of 'patients\.csv'\. Its 6 columns"):
        load_table(csv_path, target="zzzzzz")


def test_no_feature_left(tmp_path):
    path = tmp_path / "only.csv"
    path.write_text("name,label\n" + "".join(f"n{i},{i % 2}\n" for i in range(30)))
    with pytest.raises(ValueError, match=r"no feature column of 'only\.csv' remains.*identifier"):
        load_table(path, target="label")


@pytest.mark.parametrize(
    "content, match",
    [
        ("@relation s\n@attribute t string\n@attribute c {a,b}\n@data\n'x',a\n",
         r"scipy\.io\.arff cannot read 's\.arff' \(String attributes not supported.*CSV"),
        ("@relation s\n@attribute x numeric\n@data\n", r"declares attributes but no data rows"),
        ("@relation s\n@attribute c {a,b}\n@data\nz\n", r"'s\.arff' is not a readable ARFF"),
        ("\n\n", r"'s\.arff' is not a readable ARFF"),
    ],
)
def test_bad_arff(tmp_path, content, match):
    path = tmp_path / "s.arff"
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        load_table(path, target="c")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"target": 3}, TypeError, r"target must be a column name \(str\); got 3"),
        ({"target": "outcome", "categorical": "hot"}, ValueError,
         r"categorical must be one of 'onehot', 'ordinal', 'drop'; got 'hot'"),
        ({"target": "outcome", "max_categories": -1}, ValueError, r"max_categories must be"),
        ({"target": "outcome", "drop_duplicates": 0}, TypeError, r"drop_duplicates must be"),
        ({"target": "outcome", "dtype": "double"}, ValueError,
         r"load_table: dtype must be one of 'float64', 'float32' .*; got 'double'\. Pass"),
    ],
)
def test_bad_options(csv_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_table(csv_path, **kwargs)


@pytest.mark.parametrize(
    "source, kwargs",
    [("csv", {"target": "outcome"}), ("csv", {"target": "outcome", "categorical": "ordinal"}),
     ("arff", {"target": "class"})],
)
def test_float32_is_the_float64_result_converted(csv_path, arff_path, source, kwargs,
                                                 float32_matches_float64):
    path = csv_path if source == "csv" else arff_path
    float32_matches_float64(load_table(path, **kwargs),
                            load_table(path, dtype="float32", **kwargs))


def test_dtype_is_a_keyword_option_with_a_string_default(csv_path):
    parameter = inspect.signature(load_table).parameters["dtype"]
    assert parameter.kind is parameter.KEYWORD_ONLY and parameter.default == "float64"
    X, _, _ = load_table(csv_path, target="outcome", dtype=np.float32)
    assert (X.dtypes == "float32").all() and int(X["bmi"].isna().sum()) == 1


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file at '.*absent\.arff'"):
        load_table(tmp_path / "absent.arff", target="c")


def test_target_name_is_stripped_like_the_columns(csv_path):
    # Column names lose their spaces on reading; a target written with them still matches.
    X, y, _ = load_table(csv_path, target=" outcome ")
    assert y.name == "outcome" and "outcome" not in X.columns


def test_the_card_says_duplicates_were_removed(tmp_path):
    path = tmp_path / "dups.csv"
    pd.DataFrame({"a": [1, 1, 2, 3], "label": [0, 0, 1, 0]}).to_csv(path, index=False)
    _, y, card = load_table(path, target="label")
    assert len(y) == 3
    (what, why), = [entry for entry in card.dropped if "duplicate" in entry[0]]
    assert "removed" in why and "kept," not in why
