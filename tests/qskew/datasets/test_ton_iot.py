"""Tests for qskew.datasets.load_ton_iot on fixture files in the train_test_network.csv schema.

The fixtures carry the release's quirks: ``-`` for absent fields, ``T``/``F``/``-`` booleans,
``src_ip_bytes``/``dst_ip_bytes`` next to the addresses, and (in other releases) a leading
``ts`` and an ``http_referrer`` column.
"""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from qskew.datasets import load_ton_iot
from qskew.datasets._ton_iot import (
    BOOLEAN,
    CATEGORICAL,
    COLUMNS,
    IDENTIFIERS,
    NUMERIC,
    OPTIONAL,
    TARGETS,
    TEXT,
)

BASE = {
    "src_ip": "192.168.1.79", "src_port": 47260, "dst_ip": "192.168.1.1", "dst_port": 53,
    "proto": "udp", "service": "dns", "duration": 0.000431, "src_bytes": 66, "dst_bytes": 98,
    "conn_state": "SF", "missed_bytes": 0, "src_pkts": 1, "src_ip_bytes": 94, "dst_pkts": 1,
    "dst_ip_bytes": 126, "dns_query": "www.example.com", "dns_qclass": 1, "dns_qtype": 1,
    "dns_rcode": 0, "dns_AA": "F", "dns_RD": "T", "dns_RA": "T", "dns_rejected": "F",
    "ssl_version": "-", "ssl_cipher": "-", "ssl_resumed": "-", "ssl_established": "-",
    "ssl_subject": "-", "ssl_issuer": "-", "http_trans_depth": "-", "http_method": "-",
    "http_uri": "-", "http_version": "-", "http_request_body_len": 0,
    "http_response_body_len": 0, "http_status_code": 0, "http_user_agent": "-",
    "http_orig_mime_types": "-", "http_resp_mime_types": "-", "weird_name": "-",
    "weird_addl": "-", "weird_notice": "-", "label": 0, "type": "normal",
}
HTTP = dict(proto="tcp", service="http", dst_port=80, conn_state="S1", dns_query="-",
            dns_qclass=0, dns_qtype=0, dns_AA="-", dns_RD="-", dns_RA="-", dns_rejected="-",
            http_trans_depth=1, http_method="GET", http_uri="/index.php?id=<script>",
            http_version="1.1", http_status_code=200,
            http_user_agent="Mozilla/5.0 (X11; Linux x86_64)", http_resp_mime_types="text/html")
SSL = dict(proto="tcp", service="ssl", dst_port=443, conn_state="SF", dns_query="-",
           dns_qclass=0, dns_qtype=0, dns_AA="-", dns_RD="-", dns_RA="-", dns_rejected="-",
           ssl_version="TLSv12", ssl_cipher="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
           ssl_resumed="F", ssl_established="T", ssl_subject="CN=example.com",
           ssl_issuer="CN=Example CA")
SCAN = dict(proto="tcp", service="-", dst_port=22, conn_state="S0", dns_query="-", dns_qclass=0,
            dns_qtype=0, dns_AA="-", dns_RD="-", dns_RA="-", dns_rejected="-", duration=0.0,
            dst_bytes=0, dst_pkts=0, dst_ip_bytes=0, label=1, type="scanning")


def make_rows():
    """14 rows: 5 normal, 3 scanning, 2 xss, 2 ddos, 1 mitm; the last repeats a scanning row."""
    rows = [dict(BASE, src_port=47260 + i, src_bytes=66 + i) for i in range(3)]
    rows.append(dict(BASE, **HTTP, src_port=50000, src_bytes=300))
    rows.append(dict(BASE, **SSL, src_port=50001, src_bytes=517))
    rows += [dict(BASE, **SCAN, src_port=60000 + i, src_bytes=i) for i in range(3)]
    rows += [dict(BASE, **HTTP, src_port=51000 + i, src_bytes=400 + i, label=1, type="xss")
             for i in range(2)]
    rows += [dict(BASE, proto="icmp", service="-", dst_port=0, src_port=0, conn_state="OTH",
                  dns_query="-", dns_qclass=0, dns_qtype=0, dns_AA="-", dns_RD="-", dns_RA="-",
                  dns_rejected="-", src_bytes=1000 + i, label=1, type="ddos") for i in range(2)]
    rows.append(dict(BASE, dns_qtype=28, dns_AA="T", dns_rcode=3, weird_name="bad_UDP_checksum",
                     weird_notice="F", label=1, type="mitm", src_bytes=77))
    rows.append(dict(rows[5]))
    return rows


def write(path, rows, columns=COLUMNS):
    pd.DataFrame(rows).loc[:, list(columns)].to_csv(path, index=False)
    return path


@pytest.fixture()
def network(tmp_path):
    return write(tmp_path / "train_test_network.csv", make_rows())


def test_column_roles_cover_the_schema_exactly():
    roles = IDENTIFIERS + TEXT + BOOLEAN + CATEGORICAL + NUMERIC + TARGETS
    assert len(roles) == len(set(roles)) == 46
    assert set(roles) == set(COLUMNS) | set(OPTIONAL)
    assert len(COLUMNS) == 44 and {"src_ip_bytes", "dst_ip_bytes"} <= set(NUMERIC)


def test_defaults(network):
    X, y, card = load_ton_iot(network)
    assert y.name == "label" and y.dtype == "int64"
    assert y.tolist() == [0] * 5 + [1] * 8
    assert card.class_counts == {1: 8, 0: 5} and card.name == "TON_IoT network"
    assert card.details["duplicates_removed"] == 1
    assert card.details["duplicates_removed_by_class"] == {1: 1}
    assert not X.isna().any().any() and len(X) == 13
    pd.testing.assert_index_equal(X.index, pd.RangeIndex(13))
    # identifiers, text and both targets are gone; byte counts stay
    for name in IDENTIFIERS[1:] + TEXT[:-1] + TARGETS:
        assert name not in X.columns
    assert {"src_ip_bytes", "dst_ip_bytes"} <= set(X.columns)
    assert card.details["dropped_columns"] == ["type", "src_ip", "src_port", "dst_ip",
                                               "dst_port", "dns_query", "ssl_subject",
                                               "ssl_issuer", "http_uri", "http_user_agent"]


def test_numbers_booleans_and_missing_indicators(network):
    X, _, card = load_ton_iot(network)
    assert X["duration"].dtype == "float64" and X["src_bytes"].dtype == "int64"
    # http_trans_depth is '-' outside HTTP: 0 there, plus an indicator
    assert X["http_trans_depth"].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0]
    assert X["http_trans_depth_missing"].tolist() == [1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1]
    assert X["dns_AA"].dtype == "uint8" and X["dns_AA_missing"].dtype == "uint8"
    assert X["dns_AA"].tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert X["dns_RD"].tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert X["dns_RD_missing"].tolist() == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    assert X["ssl_established"].tolist() == [0, 0, 0, 0, 1] + [0] * 8
    assert card.details["missing_indicators"] == [
        "dns_AA_missing", "dns_RD_missing", "dns_RA_missing", "dns_rejected_missing",
        "ssl_resumed_missing", "ssl_established_missing", "http_trans_depth_missing"]


def test_one_hot_categoricals(network):
    X, _, card = load_ton_iot(network)
    proto = [c for c in X.columns if c.startswith("proto=")]
    assert proto == ["proto=tcp", "proto=udp", "proto=icmp"]  # by frequency
    assert X[proto].sum().tolist() == [7, 4, 2]  # after the duplicate scan row is gone
    assert (X[proto].sum(axis=1) == 1).all()
    assert "service=-" in X.columns  # '-' is a category of its own
    assert [c for c in X.columns if c.startswith("dns_qtype=")] == [
        "dns_qtype=0", "dns_qtype=1", "dns_qtype=28"]
    assert [c for c in X.columns if c.startswith("http_version=")] == [
        "http_version=-", "http_version=1.1"]
    assert card.details["categories"]["conn_state"] == ["SF", "S0", "S1", "OTH"]
    assert all(X[c].dtype == "uint8" for c in X.columns if "=" in c)


def test_max_categories_caps_with_other(network):
    X, _, card = load_ton_iot(network, max_categories=1)
    assert [c for c in X.columns if c.startswith("proto=")] == ["proto=tcp", "proto=(other)"]
    assert X["proto=(other)"].sum() == 6
    assert card.details["categories"]["proto"] == ["tcp", "(other)"]
    assert [c for c in X.columns if c.startswith("ssl_version=")] == [
        "ssl_version=-", "ssl_version=(other)"]


def test_ordinal_and_dropped_categoricals(network):
    X, _, card = load_ton_iot(network, categorical="ordinal", max_categories=2)
    assert X["proto"].dtype == "int64"
    assert X["proto"].tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 2, 2, 1]  # tcp 0, udp 1, rest 2
    X_drop, _, card_drop = load_ton_iot(network, categorical="drop")
    assert not any(c in X_drop.columns for c in CATEGORICAL)
    assert not any("=" in c for c in X_drop.columns)
    assert set(CATEGORICAL) <= set(card_drop.details["dropped_columns"])


def test_target_type(network):
    X, y, card = load_ton_iot(network, target="type")
    assert y.name == "type" and pd.api.types.is_string_dtype(y)
    assert card.class_counts == {"normal": 5, "scanning": 3, "ddos": 2, "xss": 2, "mitm": 1}
    assert "label" not in X.columns and "type" not in X.columns
    assert card.dropped[1][0] == "column 'label'"
    assert "never a feature when predicting type" in card.dropped[1][1]


def test_targets_are_tidied(tmp_path):
    rows = [dict(row, type=f" {row['type'].upper()} ") for row in make_rows()]
    _, y, _ = load_ton_iot(write(tmp_path / "t.csv", rows), target="type")
    assert set(y) == {"normal", "scanning", "xss", "ddos", "mitm"}


def test_release_with_ts_and_http_referrer(tmp_path, network):
    rows = [dict(row, ts=1554198358 + i, http_referrer="-" if i % 2 else "http://a.example/x")
            for i, row in enumerate(make_rows())]
    rows[-1] = dict(rows[5])  # keep the exact duplicate exact
    path = write(tmp_path / "with_ts.csv", rows,
                 columns=("ts",) + COLUMNS[:35] + ("http_referrer",) + COLUMNS[35:])
    X, y, card = load_ton_iot(path)
    X_ref, y_ref, _ = load_ton_iot(network)
    pd.testing.assert_frame_equal(X, X_ref)
    pd.testing.assert_series_equal(y, y_ref)
    assert {"ts", "http_referrer"} <= set(card.details["dropped_columns"])


def test_text_hash(network):
    X, _, card = load_ton_iot(network, text="hash")
    hashed = [c for c in X.columns if "#" in c]
    assert len(hashed) == 5 * 16 and hashed[0] == "dns_query#0"
    dns = X[[f"dns_query#{i}" for i in range(16)]]
    assert dns.sum(axis=1).tolist() == [3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]  # www example com
    X_again, _, _ = load_ton_iot(network, text="hash")
    pd.testing.assert_frame_equal(X, X_again)
    assert any("hashed" in note for note in card.notes)


def test_keep_duplicates(network):
    X, y, card = load_ton_iot(network, drop_duplicates=False)
    assert len(X) == 14 and card.details["duplicates_removed"] == 0


def test_label_type_disagreement_warns(tmp_path):
    rows = make_rows()
    rows[0] = dict(rows[0], label=1)  # a 'normal' row marked as attack
    with pytest.warns(UserWarning, match=r"1 rows of 't\.csv' have label and type "
                                         r"disagreeing") as rec:
        _, y, card = load_ton_iot(write(tmp_path / "t.csv", rows))
    assert rec[0].filename == __file__
    assert y.iloc[0] == 1 and card.details["label_type_mismatch"] == 1


def test_unknown_column_warns_and_is_dropped(tmp_path):
    rows = [dict(row, uid=f"C{i}x") for i, row in enumerate(make_rows())]
    with pytest.warns(UserWarning, match=r"1 column\(s\) beyond the TON_IoT .*\['uid'\]") as rec:
        X, _, card = load_ton_iot(write(tmp_path / "t.csv", rows, columns=COLUMNS + ("uid",)))
    assert rec[0].filename == __file__
    assert "uid" not in X.columns and card.details["dropped_columns"][0] == "uid"


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"text": "hash", "categorical": "ordinal"}, {"target": "type", "max_categories": 2}],
    ids=["defaults", "hash-ordinal", "type-capped"],
)
def test_float32_is_the_float64_result_converted(network, kwargs, float32_matches_float64):
    float64 = load_ton_iot(network, **kwargs)
    assert (float64[0].dtypes == "uint8").any()
    float32_matches_float64(float64, load_ton_iot(network, dtype="float32", **kwargs))


def test_dtype_is_a_keyword_option_with_a_string_default(network):
    parameter = inspect.signature(load_ton_iot).parameters["dtype"]
    assert parameter.kind is parameter.KEYWORD_ONLY and parameter.default == "float64"
    X, _, _ = load_ton_iot(network, dtype=np.float32)
    assert (X.dtypes == "float32").all()


def test_clean_file_raises_no_warning(network):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_ton_iot(network, target="type")


def test_card_text(network):
    text = str(load_ton_iot(network)[2])
    assert text.startswith("TON_IoT network: 13 rows x ")
    assert "test-bed identifiers" in text and "'<name>_missing'" in text


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, kwargs, match",
    [
        (lambda r: dict(r, type="worm") if r["type"] == "mitm" else r, {"target": "type"},
         r"type must be one of the TON_IoT classes \['normal', .*'mitm'\]; 't\.csv' has "
         r"\{'worm': 1\} \(1 rows, first in data row 13\).*or use target='label'"),
        (lambda r: dict(r, type="-") if r["type"] == "mitm" else r, {"target": "type"},
         r"has \{'- or empty': 1\}"),
        (lambda r: dict(r, label=2) if r["type"] == "xss" else r, {},
         r"label must be 0 \(normal\) or 1 \(attack\); 't\.csv' has \{'2': 2\} \(2 rows"),
        (lambda r: dict(r, dns_AA="yes") if r["type"] == "mitm" else r, {},
         r"column 'dns_AA' must hold T, F or '-' \(absent\); 't\.csv' has \['yes'\]"),
        (lambda r: dict(r, duration="fast") if r["type"] == "mitm" else r, {},
         r"column 'duration' must hold numbers \(or '-' when absent\); 't\.csv' has text such "
         r"as 'fast' in 1 rows"),
    ],
)
def test_bad_values(tmp_path, change, kwargs, match):
    path = write(tmp_path / "t.csv", [change(row) for row in make_rows()])
    with pytest.raises(ValueError, match=match):
        load_ton_iot(path, **kwargs)


def test_unknown_type_is_fine_when_predicting_label(tmp_path):
    rows = [dict(r, type="worm") if r["type"] == "mitm" else r for r in make_rows()]
    _, y, _ = load_ton_iot(write(tmp_path / "t.csv", rows))
    assert y.sum() == 8


def test_missing_columns(tmp_path):
    path = write(tmp_path / "t.csv", make_rows(),
                 columns=[c for c in COLUMNS if c not in ("proto", "type")])
    with pytest.raises(ValueError, match=r"'t\.csv' lacks 2 column\(s\) of the TON_IoT "
                                         r"train_test_network\.csv .*: \['proto', 'type'\]"):
        load_ton_iot(path)


def test_header_case_is_tolerated(tmp_path):
    frame = pd.DataFrame(make_rows()).rename(columns={"dns_AA": "DNS_AA", "label": "Label"})
    frame.to_csv(tmp_path / "t.csv", index=False)
    X, y, _ = load_ton_iot(tmp_path / "t.csv")
    assert "dns_AA" in X.columns and y.name == "label"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"target": "Type"}, ValueError, r"target must be one of 'label', 'type'; got 'Type'\. "
                                         r"Did you mean 'type'\?"),
        ({"text": "keep"}, ValueError, r"text must be one of 'drop', 'hash'; got 'keep'"),
        ({"categorical": "one-hot"}, ValueError, r"Did you mean 'onehot'\?"),
        ({"max_categories": 0}, ValueError, r"max_categories must be an integer >= 1; got 0"),
        ({"max_categories": 2.5}, ValueError, r"max_categories must be an integer >= 1"),
        ({"drop_duplicates": "no"}, TypeError, r"drop_duplicates must be True or False"),
        ({"dtype": "float16"}, ValueError, r"load_ton_iot: dtype must be one of 'float64', "
                                           r"'float32' .*; got 'float16'"),
    ],
)
def test_bad_options(network, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_ton_iot(network, **kwargs)


def test_missing_and_empty_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train_test_network\.csv must already be"):
        load_ton_iot(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ValueError, match=r"is empty \(0 bytes\)"):
        load_ton_iot(tmp_path / "empty.csv")
