"""Tests for qskew.datasets.load_cicids2017 on fixture files in the MachineLearningCVE schema.

The fixtures carry the release's quirks: leading spaces in most header names, the repeated
``Fwd Header Length``, ``Infinity`` text and empty cells in the rate columns, the Web Attack
labels' cp1252 dash (byte 0x96), the lower-case "w" of the Wednesday file, exact duplicates
and zero-variance columns.
"""

import dataclasses
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from qskew.datasets import _io, load_cicids2017
from qskew.datasets._cicids import LABELS, clean_label

# The header exactly as the release writes it (79 columns, spaces included).
RAW_HEADER = (
    " Destination Port, Flow Duration, Total Fwd Packets, Total Backward Packets,Total Length "
    "of Fwd Packets, Total Length of Bwd Packets, Fwd Packet Length Max, Fwd Packet Length Min,"
    " Fwd Packet Length Mean, Fwd Packet Length Std,Bwd Packet Length Max, Bwd Packet Length "
    "Min, Bwd Packet Length Mean, Bwd Packet Length Std,Flow Bytes/s, Flow Packets/s, Flow IAT "
    "Mean, Flow IAT Std, Flow IAT Max, Flow IAT Min,Fwd IAT Total, Fwd IAT Mean, Fwd IAT Std, "
    "Fwd IAT Max, Fwd IAT Min,Bwd IAT Total, Bwd IAT Mean, Bwd IAT Std, Bwd IAT Max, Bwd IAT "
    "Min,Fwd PSH Flags, Bwd PSH Flags, Fwd URG Flags, Bwd URG Flags, Fwd Header Length, Bwd "
    "Header Length,Fwd Packets/s, Bwd Packets/s, Min Packet Length, Max Packet Length, Packet "
    "Length Mean, Packet Length Std, Packet Length Variance,FIN Flag Count, SYN Flag Count, RST "
    "Flag Count, PSH Flag Count, ACK Flag Count, URG Flag Count, CWE Flag Count, ECE Flag Count,"
    " Down/Up Ratio, Average Packet Size, Avg Fwd Segment Size, Avg Bwd Segment Size, Fwd "
    "Header Length,Fwd Avg Bytes/Bulk, Fwd Avg Packets/Bulk, Fwd Avg Bulk Rate, Bwd Avg "
    "Bytes/Bulk, Bwd Avg Packets/Bulk,Bwd Avg Bulk Rate,Subflow Fwd Packets, Subflow Fwd Bytes,"
    " Subflow Bwd Packets, Subflow Bwd Bytes,Init_Win_bytes_forward, Init_Win_bytes_backward, "
    "act_data_pkt_fwd, min_seg_size_forward,Active Mean, Active Std, Active Max, Active Min,"
    "Idle Mean, Idle Std, Idle Max, Idle Min, Label"
)
NAMES = [name.strip() for name in RAW_HEADER.split(",")]
CONSTANT = ["Bwd PSH Flags", "Bwd URG Flags", "Fwd Avg Bytes/Bulk", "Fwd Avg Packets/Bulk",
            "Fwd Avg Bulk Rate", "Bwd Avg Bytes/Bulk", "Bwd Avg Packets/Bulk",
            "Bwd Avg Bulk Rate"]
FEATURES = list(dict.fromkeys(NAMES[:-1]))  # 77: the repeat of Fwd Header Length gone
EXPECTED_COLUMNS = [name for name in FEATURES if name not in CONSTANT]  # 69
MONDAY = "Monday-WorkingHours.pcap_ISCX.csv"
WEDNESDAY = "Wednesday-workingHours.pcap_ISCX.csv"
THURSDAY = "Thursday-WorkingHours-Morning-WebAttacks.pcap_ISCX.csv"
DASH = "\u2013"  # cp1252 encodes it as the byte 0x96


def flow(r, label, flow_bytes=None, flow_packets=None):
    """One flow record; numbers are distinct per row r, rates default to finite values."""
    cells = []
    for name in NAMES[:-1]:
        if name in CONSTANT:
            cells.append("0")
        elif name == "Flow Bytes/s":
            cells.append(f"{r * 1.5 + 0.25}" if flow_bytes is None else flow_bytes)
        elif name == "Flow Packets/s":
            cells.append(f"{r * 2.0 + 0.5}" if flow_packets is None else flow_packets)
        else:  # the repeated Fwd Header Length gets the same value, as in the release
            cells.append(str(r * 100 + NAMES.index(name)))
    return ",".join(cells + [label])


def write(path, lines, header=RAW_HEADER, encoding="cp1252"):
    path.write_bytes("\r\n".join([header, *lines, ""]).encode(encoding))
    return path


MONDAY_ROWS = [flow(r, "BENIGN", *(("Infinity", "Infinity") if r == 1 else ()))
               for r in range(8)] + [flow(2, "BENIGN")]
WEDNESDAY_ROWS = [flow(10, "BENIGN"), flow(11, "BENIGN", "", "Infinity"),
                  flow(12, "DoS Hulk"), flow(13, "DoS Hulk", None, "-Infinity"),
                  flow(14, "DoS Hulk"), flow(15, "Heartbleed")]
THURSDAY_ROWS = [flow(20, "BENIGN"), flow(21, f"Web Attack {DASH} Brute Force"),
                 flow(22, f"Web Attack {DASH} Brute Force"), flow(23, f"Web Attack {DASH} XSS"),
                 flow(24, f"Web Attack {DASH} Sql Injection"),
                 flow(21, f"Web Attack {DASH} Brute Force")]


@pytest.fixture()
def folder(tmp_path):
    base = tmp_path / "MachineLearningCVE"
    base.mkdir()
    write(base / MONDAY, MONDAY_ROWS)
    write(base / WEDNESDAY, WEDNESDAY_ROWS)
    write(base / THURSDAY, THURSDAY_ROWS)
    (base / "README.txt").write_text("not data")
    return base


# -- reading -------------------------------------------------------------------


def test_fixture_has_the_release_quirks(folder):
    raw = (folder / THURSDAY).read_bytes()
    assert b"Web Attack \x96 Brute Force" in raw and b"\xe2" not in raw
    assert raw.startswith(b" Destination Port, Flow Duration,")
    assert len(NAMES) == 79 and NAMES.count("Fwd Header Length") == 2
    assert len(EXPECTED_COLUMNS) == 69


def test_folder_reads_every_csv_sorted_by_name(folder):
    _, _, card = load_cicids2017(folder)
    assert card.details["files"] == [MONDAY, THURSDAY, WEDNESDAY]
    assert card.details["rows_per_file"] == {MONDAY: 9, THURSDAY: 6, WEDNESDAY: 6}
    assert card.notes[0].startswith("Read 3 file(s), 21 rows: Monday")


def test_binary_defaults_exact_cleaning(folder):
    X, y, card = load_cicids2017(str(folder))
    assert list(X.columns) == EXPECTED_COLUMNS
    floats = {"Flow Bytes/s", "Flow Packets/s"}
    assert {c for c in X.columns if X[c].dtype == "float64"} == floats
    assert all(X[c].dtype == "int64" for c in X.columns if c not in floats)
    assert np.isfinite(X.to_numpy(dtype=float)).all()
    assert y.name == "Label" and y.dtype == "int64"
    # Monday 8 distinct - 1 inf row; Thursday 5 distinct; Wednesday 6 - 2 non-finite rows.
    assert y.tolist() == [0] * 7 + [0, 1, 1, 1, 1] + [0, 1, 1, 1]
    assert card.class_counts == {0: 9, 1: 7}
    assert (card.name, card.n_rows, card.n_features) == ("CICIDS2017", 16, 69)
    pd.testing.assert_index_equal(X.index, pd.RangeIndex(16))
    d = card.details
    assert d["duplicates_removed"] == 2
    assert d["duplicates_removed_by_class"] == {"BENIGN": 1, "Web Attack - Brute Force": 1}
    assert d["nonfinite"] == {"Flow Bytes/s": {"+inf": 1, "-inf": 0, "nan": 1},
                              "Flow Packets/s": {"+inf": 2, "-inf": 1, "nan": 0}}
    assert d["nonfinite_rows_dropped"] == 3
    assert d["constant_columns"] == CONSTANT
    assert d["dropped_columns"] == ["Fwd Header Length.1"] + CONSTANT
    assert d["unknown_labels"] == {} and d["unlabelled_rows"] == 0


def test_card_records_each_step_in_order(folder):
    _, _, card = load_cicids2017(folder)
    assert card.dropped[0] == ("column 'Fwd Header Length.1'",
                               "repeats the column 'Fwd Header Length'")
    assert card.dropped[1][0] == ("2 duplicate rows (class BENIGN: 1, class Web Attack - "
                                  "Brute Force: 1)")
    assert card.dropped[2] == ("3 rows with infinite or empty cells (class BENIGN: 2, class "
                               "DoS Hulk: 1)",
                               "inf_policy='drop'; such cells are in ['Flow Bytes/s', "
                               "'Flow Packets/s']")
    assert card.dropped[3][0].startswith("columns ['Bwd PSH Flags',")
    assert len(card.dropped) == 4
    assert "Web Attack - <name>" in str(card)


def test_multiclass_labels_are_cleaned(folder):
    X, y, card = load_cicids2017(folder, label="multiclass")
    assert pd.api.types.is_string_dtype(y) and y.name == "Label"
    assert y.iloc[7:12].tolist() == ["BENIGN", "Web Attack - Brute Force",
                                     "Web Attack - Brute Force", "Web Attack - XSS",
                                     "Web Attack - Sql Injection"]
    assert card.class_counts == {"BENIGN": 9, "DoS Hulk": 2, "Web Attack - Brute Force": 2,
                                 "Heartbleed": 1, "Web Attack - Sql Injection": 1,
                                 "Web Attack - XSS": 1}
    assert set(y) <= set(LABELS)
    X_binary, y_binary, _ = load_cicids2017(folder)
    pd.testing.assert_frame_equal(X, X_binary)  # the same rows in both modes
    assert ((y != "BENIGN").astype(int) == y_binary).all()


def test_inf_policy_nan(folder):
    X, y, card = load_cicids2017(folder, inf_policy="nan")
    assert len(X) == 19 and card.details["nonfinite_rows_dropped"] == 0
    assert not np.isinf(X.to_numpy(dtype=float)).any()
    assert X["Flow Bytes/s"].isna().sum() == 2 and X["Flow Packets/s"].isna().sum() == 3
    assert card.class_counts == {0: 11, 1: 8}
    assert any(note.startswith("inf_policy='nan': 4 infinite cells set to NaN; 1 empty")
               for note in card.notes)


def test_inf_policy_clip_uses_the_columns_finite_extremes(folder):
    X, _, card = load_cicids2017(folder, inf_policy="clip", label="multiclass")
    monday_inf, wed_empty, wed_neg = 1, 14, 16  # rows of r=1, r=11 and r=13 after dedup
    assert X.loc[monday_inf, ["Flow Bytes/s", "Flow Packets/s"]].tolist() == [36.25, 48.5]
    assert np.isnan(X.loc[wed_empty, "Flow Bytes/s"])  # empty cells stay NaN
    assert X.loc[wed_empty, "Flow Packets/s"] == 48.5
    assert X.loc[wed_neg, "Flow Packets/s"] == 0.5  # -inf -> the finite minimum (r = 0)
    assert X["Flow Packets/s"].max() == 48.5 and not np.isinf(X.to_numpy(float)).any()
    assert X["Destination Port"].tolist()[wed_neg] == 1300


def test_keep_duplicates_and_constant_columns(folder):
    X, y, card = load_cicids2017(folder, drop_duplicates=False, drop_constant=False)
    assert X.shape == (18, 77) and list(X.columns) == FEATURES
    assert (X[CONSTANT] == 0).all().all()
    assert card.details["duplicates_removed"] == 0 and card.details["constant_columns"] == []


def test_header_without_leading_spaces_gives_the_same_result(tmp_path):
    spaced = write(tmp_path / "spaced.csv", MONDAY_ROWS)
    plain = write(tmp_path / "plain.csv", MONDAY_ROWS, header=",".join(NAMES))
    X_spaced, y_spaced, _ = load_cicids2017(spaced)
    X_plain, y_plain, card = load_cicids2017(plain)
    pd.testing.assert_frame_equal(X_spaced, X_plain)
    pd.testing.assert_series_equal(y_spaced, y_plain)
    assert "Fwd Header Length.1" in card.details["dropped_columns"]
    # And a list mixing both spellings of the header loads as one table.
    X_both, _, _ = load_cicids2017([spaced, plain], drop_duplicates=False)
    assert len(X_both) == 2 * 8


def test_list_of_files_and_folders(folder, tmp_path):
    extra = write(tmp_path / "Friday-WorkingHours-Afternoon-PortScan.pcap_ISCX.csv",
                  [flow(30, "PortScan"), flow(31, "BENIGN")])
    _, y, card = load_cicids2017([extra, folder], label="multiclass")
    assert card.details["files"][0] == extra.name and len(card.details["files"]) == 4
    assert y.iloc[0] == "PortScan"


@pytest.mark.parametrize(
    "encoding, dash",
    [("cp1252", "\u2013"), ("utf-8", "\ufffd"), ("utf-8", "\u2013"), ("utf-8", "\x96"),
     ("utf-8", "-"), ("cp1252", "--")],
    ids=["cp1252-0x96", "utf8-replacement-char", "utf8-en-dash", "latin1-resaved-as-utf8",
         "hyphen", "double-hyphen"],
)
def test_web_attack_dash_in_every_form(tmp_path, encoding, dash):
    path = write(tmp_path / THURSDAY, [flow(1, f"Web Attack {dash} Brute Force"),
                                       flow(2, f"Web Attack {dash} XSS"),
                                       flow(3, f"Web Attack {dash} Sql Injection")],
                 encoding=encoding)
    _, y, _ = load_cicids2017(path, label="multiclass")
    assert y.tolist() == ["Web Attack - Brute Force", "Web Attack - XSS",
                          "Web Attack - Sql Injection"]


@pytest.mark.parametrize(
    "raw, clean",
    [("Web Attack \x96 Brute Force", "Web Attack - Brute Force"),
     ("  BENIGN ", "BENIGN"), ("Benign", "BENIGN"), ("PORTSCAN", "PortScan"),
     ("DoS  Slowhttptest", "DoS Slowhttptest"), ("web attack \u2014 xss", "Web Attack - XSS"),
     ("Web Attack \u00e2\u20ac\u201c Brute Force", "Web Attack - Brute Force"),
     ("Botnet - Attempted", "Botnet - Attempted")],
)
def test_clean_label(raw, clean):
    assert clean_label(raw) == clean


def write_reextraction(path):
    """Five flows in the schema of the corrected re-extraction (identifiers, text, new labels)."""
    header = ("id,Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,"
              "Total Fwd Packet,Fwd Seg Size Min,Label,Attempted Category")
    rows = [f"{i},192.168.10.5-104.16.207.165-{54865 + i}-443-6,192.168.10.5,{54865 + i},"
            f"104.16.207.165,443,6,2017-07-03 08:55:{i:02d},{1000 + i},{i + 2},20,{label},{cat}"
            for i, (label, cat) in enumerate([("BENIGN", -1), ("Portscan", -1),
                                              ("Botnet - Attempted", 1), ("BENIGN", -1),
                                              ("Web Attack - Brute Force - Attempted", 3)])]
    return write(path, rows, header=header, encoding="utf-8")


def test_corrected_reextraction_schema(tmp_path):
    path = write_reextraction(tmp_path / "monday.csv")
    with pytest.warns(UserWarning, match=r"2 label\(s\) are not among the 15.*'Botnet - "
                                         r"Attempted': 1.*count as attacks \(1\)") as rec:
        X, y, card = load_cicids2017(path, drop_constant=False)
    assert rec[0].filename == __file__
    assert list(X.columns) == ["Dst Port", "Protocol", "Flow Duration", "Total Fwd Packet",
                               "Fwd Seg Size Min"]
    assert y.tolist() == [0, 1, 1, 0, 1]
    assert card.details["dropped_columns"] == ["id", "Flow ID", "Src IP", "Src Port", "Dst IP",
                                               "Timestamp", "Attempted Category"]
    assert card.details["unknown_labels"] == {"Botnet - Attempted": 1,
                                              "Web Attack - Brute Force - Attempted": 1}
    with pytest.warns(UserWarning):
        _, y_multi, _ = load_cicids2017(path, label="multiclass")
    assert y_multi.tolist()[:3] == ["BENIGN", "PortScan", "Botnet - Attempted"]


def test_unknown_numeric_columns_are_features_and_text_columns_dropped(tmp_path):
    header = " Flow Duration, Extra Counter, Note, Label"
    path = write(tmp_path / "x.csv", ["1,5,a,BENIGN", "2,6,b,DDoS", "3,7,c,BENIGN"],
                 header=header)
    X, y, card = load_cicids2017(path)
    assert list(X.columns) == ["Flow Duration", "Extra Counter"]
    assert ("columns ['Note']", "text, not numbers") in card.dropped


def test_blank_lines_of_commas_are_dropped(tmp_path):
    blank = "," * (len(NAMES) - 1)
    path = write(tmp_path / MONDAY, [flow(1, "BENIGN"), flow(2, "DDoS"), blank, blank])
    X, y, card = load_cicids2017(path)
    assert y.tolist() == [0, 1] and card.details["unlabelled_rows"] == 2
    assert card.dropped[1][0] == "2 rows without a label"
    assert all(pd.api.types.is_numeric_dtype(X[c]) for c in X.columns)


def test_byte_order_mark_is_removed(tmp_path):
    path = write(tmp_path / MONDAY, [flow(1, "BENIGN"), flow(2, "DDoS")],
                 header="\ufeff" + RAW_HEADER, encoding="utf-8")
    X, _, _ = load_cicids2017(path, drop_constant=False)
    assert X.columns[0] == "Destination Port"


def test_text_in_a_numeric_column_warns_and_becomes_empty(tmp_path):
    rows = [flow(1, "BENIGN"), flow(2, "DDoS"), flow(3, "BENIGN")]
    rows[1] = rows[1].replace(",201,", ",1.2.3,", 1)  # Flow Duration of r=2
    path = write(tmp_path / MONDAY, rows)
    with pytest.warns(UserWarning, match=r"'Flow Duration' holds 1 cells that are not numbers, "
                                         r"e\.g\. \['1\.2\.3'\]") as rec:
        X, y, card = load_cicids2017(path)
    assert rec[0].filename == __file__
    assert y.tolist() == [0, 0] and card.details["unparseable_cells"] == {"Flow Duration": 1}
    assert card.details["nonfinite"]["Flow Duration"] == {"+inf": 0, "-inf": 0, "nan": 1}


def test_clean_files_raise_no_warning(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_cicids2017(folder, label="multiclass")


# -- dtype and reading in blocks ------------------------------------------------


def load_quietly(paths, **kwargs):
    """X, y, the card as a dict, and the warnings' messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, y, card = load_cicids2017(paths, **kwargs)
    return X, y, dataclasses.asdict(card), [str(w.message) for w in caught]


def write_messy(path):
    """Flows whose blocks differ in dtype: blank lines, text in a number column, a late copy."""
    blank = "," * (len(NAMES) - 1)
    text = flow(3, "BENIGN").replace(",301,", ",1.2.3,", 1)  # Flow Duration of r=3
    return write(path, [flow(1, "BENIGN"), flow(2, "DDoS"), blank, blank, text,
                        flow(4, "DDoS", "Infinity"), flow(5, "BENIGN", ""), flow(1, "BENIGN")])


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"label": "multiclass", "inf_policy": "clip"}, {"inf_policy": "nan"},
     {"drop_duplicates": False, "drop_constant": False}],
    ids=["defaults", "multiclass-clip", "nan", "keep-all"],
)
def test_float32_is_the_float64_result_converted(folder, kwargs, float32_matches_float64):
    float64 = load_quietly(folder, **kwargs)
    assert (float64[0].dtypes != "float32").all()
    float32_matches_float64(float64, load_quietly(folder, dtype="float32", **kwargs))


def test_dtype_is_a_keyword_option_with_a_string_default(folder):
    parameter = inspect.signature(load_cicids2017).parameters["dtype"]
    assert parameter.kind is parameter.KEYWORD_ONLY and parameter.default == "float64"
    X, _, _ = load_cicids2017(folder, dtype=np.float32)
    assert (X.dtypes == "float32").all()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
@pytest.mark.parametrize("source", ["folder", "messy", "reextraction"])
def test_block_size_does_not_change_the_result(folder, tmp_path, monkeypatch, source,
                                               chunk_rows, dtype):
    paths = {"folder": folder, "messy": write_messy(tmp_path / MONDAY),
             "reextraction": write_reextraction(tmp_path / "re.csv")}[source]
    whole = load_quietly(paths, dtype=dtype, label="multiclass", inf_policy="nan")
    monkeypatch.setattr(_io, "CHUNK_ROWS", chunk_rows)
    blocks = load_quietly(paths, dtype=dtype, label="multiclass", inf_policy="nan")
    pd.testing.assert_frame_equal(blocks[0], whole[0])
    pd.testing.assert_series_equal(blocks[1], whole[1])
    assert blocks[2:] == whole[2:]
    if source == "messy":  # the blocks' dtypes differed: all the quirks are still seen
        assert whole[2]["details"]["unlabelled_rows"] == 2
        assert whole[2]["details"]["unparseable_cells"] == {"Flow Duration": 1}
        assert whole[2]["details"]["duplicates_removed"] == 1


def test_float32_judges_duplicates_on_the_values_as_read(tmp_path):
    # Rows alike in float32 but not as read stay, whatever the dtype: the same rows and card.
    path = write(tmp_path / MONDAY, [
        flow(1, "BENIGN", "0.1", "0.2"),
        flow(1, "BENIGN", "0.10000000001", "0.2"),  # differs beyond float32 in one column
        flow(1, "BENIGN", "0.10000000001", "0.20000000001"),  # in two columns
        flow(1, "BENIGN", "0.1", "0.2"),  # a true copy of the first
    ])
    X64, _, card64, _ = load_quietly(path, drop_constant=False)
    X32, _, card32, _ = load_quietly(path, drop_constant=False, dtype="float32")
    assert card64["details"]["duplicates_removed"] == 1 and card32 == card64
    pd.testing.assert_frame_equal(X32, X64.astype("float32"))
    assert X32.duplicated().sum() == 2  # in float32 the three rows left are alike


def test_float32_judges_constant_columns_on_its_own_values(tmp_path):
    # The documented exception: a column varying only beyond float32's precision is constant.
    path = write(tmp_path / MONDAY, [flow(1, "BENIGN", "0.1"), flow(2, "DDoS", "0.10000000001")])
    X64, _, card64, _ = load_quietly(path)
    X32, _, card32, _ = load_quietly(path, dtype="float32")
    assert "Flow Bytes/s" in X64.columns and "Flow Bytes/s" not in X32.columns
    assert card32["details"]["constant_columns"] == ["Flow Bytes/s"] + CONSTANT


# -- errors --------------------------------------------------------------------


def test_no_label_column(tmp_path):
    path = write(tmp_path / "a.csv", ["1,2,0"], header=" Flow Duration, Total Fwd Packets, Lable")
    with pytest.raises(ValueError, match=r"'a\.csv' needs exactly one Label column .*found "
                                         r"none among 3 columns.*Close names: \['Lable'\].*"
                                         r"rename the class column"):
        load_cicids2017(path)


def test_two_label_columns(tmp_path):
    path = write(tmp_path / "a.csv", ["1,A,B"], header="Flow Duration, Label,label")
    with pytest.raises(ValueError, match=r"found \['Label', 'label'\]"):
        load_cicids2017(path)


def test_files_with_different_headers(tmp_path):
    first = write(tmp_path / "a.csv", ["1,2,BENIGN"], header="Flow Duration,Old Name, Label")
    second = write(tmp_path / "b.csv", ["1,2,BENIGN"], header="Flow Duration,New Name, Label")
    with pytest.raises(ValueError, match=r"share one header.*'b\.csv' lacks \['Old Name'\] and "
                                         r"adds \['New Name'\] compared with 'a\.csv'"):
        load_cicids2017([first, second])


def test_no_rows_left(tmp_path):
    path = write(tmp_path / "a.csv", ["Infinity,BENIGN", ",DDoS"], header="Flow Bytes/s,Label")
    with pytest.raises(ValueError, match=r"no rows remain after cleaning \(2 rows with "
                                         r"infinite.*inf_policy='nan'"):
        load_cicids2017(path)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda d: d / "missing.csv", FileNotFoundError, r"no file at '.*missing\.csv'"),
        (lambda d: d / "no_csv", FileNotFoundError, r"the folder '.*no_csv' holds no \.csv "
                                                    r"file"),
        (lambda d: [], ValueError, r"paths is an empty list"),
        (lambda d: 3.5, TypeError, r"paths must be a file path .*got float"),
        (lambda d: [d / "empty" / "e.csv"], ValueError, r"'.*e\.csv' is empty \(0 bytes\)"),
        (lambda d: d / "empty", ValueError, r"'.*e\.csv' is empty \(0 bytes\)"),
    ],
)
def test_bad_paths(tmp_path, make, error, match):
    (tmp_path / "no_csv").mkdir()
    (tmp_path / "no_csv" / "notes.txt").write_text("x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "e.csv").touch()
    with pytest.raises(error, match=match):
        load_cicids2017(make(tmp_path))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"label": "multi"}, ValueError, r"label must be one of 'binary', 'multiclass'; got "
                                         r"'multi'\. Did you mean 'multiclass'\?"),
        ({"inf_policy": "zero"}, ValueError, r"inf_policy must be one of 'drop', 'nan', 'clip'; "
                                             r"got 'zero'"),
        ({"inf_policy": "NaN"}, ValueError, r"Did you mean 'nan'\?"),
        ({"drop_constant": 1}, TypeError, r"drop_constant must be True or False; got 1"),
        ({"drop_duplicates": None}, TypeError, r"drop_duplicates must be True or False"),
        ({"dtype": "float16"}, ValueError, r"load_cicids2017: dtype must be one of 'float64', "
                                           r"'float32' \(or numpy\.float64, numpy\.float32\); "
                                           r"got 'float16'\. Did you mean"),
        ({"dtype": int}, ValueError, r"dtype must be one of .*; got <class 'int'>"),
    ],
)
def test_bad_options(folder, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_cicids2017(folder, **kwargs)
