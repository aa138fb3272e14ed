"""load_ton_iot: the TON_IoT network data (``train_test_network.csv``, UNSW Canberra)."""

import logging

import numpy as np
import pandas as pd

from qskew.datasets._card import CardLog
from qskew.datasets._encode import (
    CATEGORICAL_OPTIONS,
    HASH_FEATURES,
    OTHER,
    category_text,
    encode_categorical,
    hash_text,
)
from qskew.datasets._io import (
    as_dtype,
    check_count,
    check_dtype,
    check_file,
    check_flag,
    check_option,
    drop_duplicate_rows,
    read_csv,
    require_columns,
    short_list,
    warn,
)

logger = logging.getLogger(__name__)

OWNER = "load_ton_iot"
COLUMNS = (
    "src_ip", "src_port", "dst_ip", "dst_port", "proto", "service", "duration", "src_bytes",
    "dst_bytes", "conn_state", "missed_bytes", "src_pkts", "src_ip_bytes", "dst_pkts",
    "dst_ip_bytes", "dns_query", "dns_qclass", "dns_qtype", "dns_rcode", "dns_AA", "dns_RD",
    "dns_RA", "dns_rejected", "ssl_version", "ssl_cipher", "ssl_resumed", "ssl_established",
    "ssl_subject", "ssl_issuer", "http_trans_depth", "http_method", "http_uri", "http_version",
    "http_request_body_len", "http_response_body_len", "http_status_code", "http_user_agent",
    "http_orig_mime_types", "http_resp_mime_types", "weird_name", "weird_addl", "weird_notice",
    "label", "type",
)
OPTIONAL = ("ts", "http_referrer")
SCHEMA = "TON_IoT train_test_network.csv (44 columns, src_ip ... label, type)"
TYPES = ("normal", "backdoor", "ddos", "dos", "injection", "password", "ransomware",
         "scanning", "xss", "mitm")
# Every column's role. Ports, addresses and the clock identify the test bed, not the traffic
# (src_ip_bytes / dst_ip_bytes are byte counts and stay).
IDENTIFIERS = ("ts", "src_ip", "src_port", "dst_ip", "dst_port")
TEXT = ("dns_query", "http_uri", "http_user_agent", "ssl_subject", "ssl_issuer", "http_referrer")
BOOLEAN = ("dns_AA", "dns_RD", "dns_RA", "dns_rejected", "ssl_resumed", "ssl_established")
CATEGORICAL = ("proto", "service", "conn_state", "dns_qclass", "dns_qtype", "dns_rcode",
               "ssl_version", "ssl_cipher", "http_method", "http_version",
               "http_orig_mime_types", "http_resp_mime_types", "weird_name", "weird_addl",
               "weird_notice")
NUMERIC = ("duration", "src_bytes", "dst_bytes", "missed_bytes", "src_pkts", "src_ip_bytes",
           "dst_pkts", "dst_ip_bytes", "http_trans_depth", "http_request_body_len",
           "http_response_body_len", "http_status_code")
TARGETS = ("label", "type")
_TRUE, _FALSE = ("t", "true", "1"), ("f", "false", "0")


def load_ton_iot(path, *, target="label", drop_duplicates=True, text="drop",
                 categorical="onehot", max_categories=20, dtype="float64"):
    """Load the TON_IoT network data (``train_test_network.csv``, UNSW Canberra).

    Checks the 44-column schema (an extra leading ``ts`` and an
    ``http_referrer`` column, as in other releases, are accepted) and turns
    every kept column into numbers:

    - ``src_ip``, ``dst_ip``, ``src_port``, ``dst_port``, ``ts``: dropped,
      identifiers of the test bed (a model would learn them as shortcuts).
      ``src_ip_bytes`` and ``dst_ip_bytes`` are byte counts and stay.
    - The target not chosen (``label`` or ``type``) is always dropped.
    - ``-`` marks an absent field. Booleans (``dns_AA``, ``dns_RD``,
      ``dns_RA``, ``dns_rejected``, ``ssl_resumed``, ``ssl_established``):
      ``T``/``F`` -> 1/0. Booleans and numbers with absent cells take 0 there
      plus a 0/1 column ``<name>_missing``, so ``X`` holds no NaN.
    - High-cardinality text (``dns_query``, ``http_uri``,
      ``http_user_agent``, ``ssl_subject``, ``ssl_issuer``,
      ``http_referrer``): dropped, or token-hashed with ``text="hash"``.
    - Other categoricals (``proto``, ``service``, ``conn_state``, the
      ``dns_q*``/``dns_rcode`` codes, ``ssl_version``, ``ssl_cipher``,
      ``http_method``, ``http_version``, the mime types, ``weird_*``): one-hot
      on the ``max_categories`` most frequent values, the rest in one
      ``<name>=(other)`` column; ``-`` is a category of its own.

    Parameters
    ----------
    path : str or path-like
        The ``train_test_network.csv`` file.
    target : {"label", "type"}, default="label"
        ``"label"``: 0 normal / 1 attack. ``"type"``: the class name
        (normal, backdoor, ddos, dos, injection, password, ransomware,
        scanning, xss, mitm), lower-cased.
    drop_duplicates : bool, default=True
        Remove rows identical in every column of the file to an earlier row.
    text : {"drop", "hash"}, default="drop"
        ``"hash"`` turns each text column into 16 token-count columns
        ``<name>#0`` ... ``<name>#15`` (scikit-learn's FeatureHasher).
    categorical : {"onehot", "ordinal", "drop"}, default="onehot"
        ``"ordinal"``: one int64 column of codes by frequency (0 = most
        frequent), ``max_categories`` for the rest. ``"drop"``: no categoricals.
    max_categories : int, default=20
        Values of a categorical column that get their own column or code.
    dtype : {"float64", "float32"}, default="float64"
        ``"float64"``: features as described above (numbers as read, uint8
        booleans, indicators and one-hot columns). ``"float32"`` (or
        ``numpy.float32``): every feature column float32, indicators,
        one-hot columns and codes too, converted once the table is cleaned
        (half the memory of float64 numbers, four times that of uint8).
        float32 holds integers exactly up to 2**24 = 16,777,216: larger
        counts (byte totals) keep about 7 significant digits, harmless for
        learning.

    Returns
    -------
    X : DataFrame of shape (n_rows, n_features)
        Numbers as read (int64/float64), uint8 for booleans, indicators and
        one-hot columns (all float32 with ``dtype="float32"``); file order;
        fresh RangeIndex.
    y : Series of shape (n_rows,)
        ``label`` as int64, or ``type`` as strings.
    card : DatasetCard
        ``details`` keys: ``duplicates_removed``, ``duplicates_removed_by_class``,
        ``label_type_mismatch``, ``categories`` (kept values per column),
        ``missing_indicators``, ``dropped_columns``.

    Raises
    ------
    FileNotFoundError
        If no file exists at ``path``.
    ValueError
        If the file is empty or lacks schema columns, ``label`` holds other
        than 0/1 (``target="label"``), ``type`` holds unknown classes
        (``target="type"``), a numeric or boolean column holds other text,
        or an option (``dtype`` included) is not one of its values.

    Warns
    -----
    UserWarning
        For columns beyond the schema (dropped) and rows whose ``label`` and
        ``type`` disagree.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from qskew.datasets import TON_IOT_COLUMNS
    >>> row = {name: 0 for name in TON_IOT_COLUMNS}
    >>> rows = [dict(row, proto="tcp", dns_AA="T", type="normal"),
    ...         dict(row, proto="udp", dns_AA="-", label=1, type="xss")]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "train_test_network.csv"
    ...     pd.DataFrame(rows).to_csv(path, index=False)
    ...     X, y, card = load_ton_iot(path, target="type")
    >>> y.tolist(), X[["proto=tcp", "dns_AA", "dns_AA_missing"]].to_numpy().tolist()
    (['normal', 'xss'], [[1, 1, 0], [0, 0, 1]])
    """
    _check_options(target, drop_duplicates, text, categorical, max_categories)
    dtype = check_dtype(OWNER, dtype)
    path = check_file(OWNER, path, "train_test_network.csv")
    frame = read_csv(OWNER, path, na_values=["-", ""], keep_default_na=False,
                     low_memory=False)
    known = {name.casefold(): name for name in COLUMNS + OPTIONAL}
    frame = frame.rename(columns=lambda name: known.get(name.casefold(), name))
    require_columns(OWNER, list(frame.columns), COLUMNS, SCHEMA, path)
    log = CardLog(duplicates_removed=0, duplicates_removed_by_class={}, label_type_mismatch=0,
                  categories={}, missing_indicators=[], dropped_columns=[])
    frame = _drop_unknown_columns(frame, log, path)
    y = _target(frame, target, path, log)
    if drop_duplicates:
        kept, entry, counts = drop_duplicate_rows(frame, y)
        log.details.update(counts)
        if entry:
            log.drop(*entry)
            frame, y = frame.loc[kept], y.loc[kept]
    X = as_dtype(_features(frame, target, text, categorical, max_categories, log, path), dtype)
    X, y = X.reset_index(drop=True), y.reset_index(drop=True)
    _notes(log, target, text, categorical, max_categories)
    card = log.card("TON_IoT network", X, y)
    logger.info("%s: %d rows x %d features from %s; class counts %s", OWNER, *X.shape, path,
                card.class_counts)
    return X, y, card


def _check_options(target, drop_duplicates, text, categorical, max_categories):
    check_option(OWNER, "target", target, TARGETS)
    check_flag(OWNER, "drop_duplicates", drop_duplicates)
    check_option(OWNER, "text", text, ("drop", "hash"))
    check_option(OWNER, "categorical", categorical, CATEGORICAL_OPTIONS)
    check_count(OWNER, "max_categories", max_categories)


def _drop_unknown_columns(frame, log, path):
    extra = [name for name in frame.columns if name not in COLUMNS + OPTIONAL]
    if extra:
        warn(f"{OWNER}: '{path.name}' has {len(extra)} column(s) beyond the {SCHEMA} "
             f"schema: {short_list(extra)}; they are dropped. Use load_table to keep them.",
             stacklevel=3)
        log.drop(f"columns {short_list(extra)}", "not part of the TON_IoT network schema")
        log.details["dropped_columns"] += extra
    return frame.drop(columns=extra)


def _lower_text(column):
    mapping = {value: str(value).strip().lower() for value in column.dropna().unique()}
    return column.map(mapping)


def _target(frame, target, path, log):
    """The chosen target, checked; warns where ``label`` and ``type`` disagree."""
    label = pd.to_numeric(frame["label"], errors="coerce")
    kind = _lower_text(frame["type"])
    bad = ~label.isin([0, 1]) if target == "label" else ~kind.isin(TYPES)
    if bad.any():
        seen = {str(k): int(v) for k, v in frame.loc[bad.to_numpy(), target]
                .fillna("- or empty").astype(str).value_counts().items()}
        rule = ("label must be 0 (normal) or 1 (attack)" if target == "label" else
                f"type must be one of the TON_IoT classes {list(TYPES)}")
        raise ValueError(
            f"{OWNER}: {rule}; '{path.name}' has {seen} ({int(bad.sum())} rows, first "
            f"in data row {int(np.flatnonzero(bad.to_numpy())[0]) + 1}). Fix or remove those "
            f"rows{', or use target=' + repr('label') if target == 'type' else ''}."
        )
    known = label.isin([0, 1]) & kind.isin(TYPES)
    mismatch = known & ((label == 1) != (kind != "normal"))
    if mismatch.any():
        log.details["label_type_mismatch"] = int(mismatch.sum())
        warn(f"{OWNER}: {int(mismatch.sum())} rows of '{path.name}' have label and type "
             "disagreeing (label 1 with type 'normal', or label 0 with an attack type); "
             f"they are kept with their {target!r} as the class.", stacklevel=3)
    return label.astype("int64").rename("label") if target == "label" else kind.rename("type")


def _features(frame, target, text, categorical, max_categories, log, path):
    """Every kept column as numbers, in file order."""
    other = "type" if target == "label" else "label"
    log.drop(f"column {other!r}", f"the other target; never a feature when predicting {target}")
    identifiers = [name for name in frame.columns if name in IDENTIFIERS]
    log.drop(f"columns {identifiers}", "test-bed identifiers (addresses, ports, clock): "
                                       "shortcuts, not traffic properties")
    texts = [name for name in frame.columns if name in TEXT]
    if text == "drop":
        log.drop(f"columns {texts}", "high-cardinality text (text='drop')")
    categoricals = [name for name in frame.columns if name in CATEGORICAL]
    if categorical == "drop":
        log.drop(f"columns {short_list(categoricals)}", "categorical='drop'")
    log.details["dropped_columns"] += [other, *identifiers] + (
        texts if text == "drop" else []) + (categoricals if categorical == "drop" else [])
    blocks = []
    for name in frame.columns:
        column = frame[name]
        if name in NUMERIC or name in BOOLEAN:
            boolean = name in BOOLEAN
            values = _booleans(column, path) if boolean else _numbers(column, path)
            blocks.append(_with_indicator(values, boolean, log))
        elif name in CATEGORICAL and categorical != "drop":
            block, kept = encode_categorical(category_text(column, "-"), name, categorical,
                                             max_categories)
            log.details["categories"][name] = kept
            blocks.append(block)
        elif name in TEXT and text == "hash":
            blocks.append(hash_text(column, name))
    return pd.concat(blocks, axis=1)


def _numbers(column, path):
    values = pd.to_numeric(column, errors="coerce")
    bad = values.isna() & column.notna()
    if bad.any():
        raise ValueError(
            f"{OWNER}: column {column.name!r} must hold numbers (or '-' when absent); "
            f"'{path.name}' has text such as {column[bad].iloc[0]!r} in {int(bad.sum())} rows. "
            "Check that this is the TON_IoT network file."
        )
    return values


def _booleans(column, path):
    mapping = {}
    for value in column.dropna().unique():
        token = str(value).strip().lower()
        mapping[value] = 1 if token in _TRUE else 0 if token in _FALSE else None
    unknown = sorted(str(value) for value, code in mapping.items() if code is None)
    if unknown:
        raise ValueError(
            f"{OWNER}: column {column.name!r} must hold T, F or '-' (absent); "
            f"'{path.name}' has {short_list(unknown)}. Check that this is the TON_IoT "
            "network file."
        )
    return column.map(mapping).astype("float64").rename(column.name)


def _with_indicator(values, boolean, log):
    """``values`` with absent cells as 0, plus ``<name>_missing`` when any were absent."""
    missing = values.isna()
    filled = values.fillna(0).astype(np.uint8) if boolean else values.fillna(0)
    if not missing.any():
        return filled.to_frame()
    log.details["missing_indicators"].append(f"{values.name}_missing")
    return pd.DataFrame({values.name: filled, f"{values.name}_missing": missing.astype(np.uint8)})


def _notes(log, target, text, categorical, max_categories):
    log.note(f"target={target!r}; the other target column is dropped, never a feature.")
    log.note("'-' marks an absent field: booleans T/F -> 1/0, and booleans or numbers with "
             "absent cells take 0 there plus a 0/1 '<name>_missing' column.")
    if categorical == "onehot":
        log.note(f"Categoricals one-hot: '<name>=<value>' for the {max_categories} most "
                 f"frequent values of each column ('-' included), the rest in "
                 f"'<name>={OTHER}'.")
    elif categorical == "ordinal":
        log.note(f"Categoricals as ordinal codes by frequency (0 = most frequent), "
                 f"{max_categories} for the rest; the codes carry no order.")
    if text == "hash":
        log.note(f"Text columns hashed: word tokens into {HASH_FEATURES} count columns "
                 "'<name>#<i>' each (scikit-learn FeatureHasher).")
    log.note("Row counts differ between published copies (211,043 vs about 461,043 rows): "
             "the class counts here are those of the file loaded.")
