"""load_table: any CSV or ARFF table with a named target column."""

import logging
import re

import numpy as np
import pandas as pd
from scipy.io import arff

from qskew.datasets._card import CardLog
from qskew.datasets._encode import (
    CATEGORICAL_OPTIONS,
    OTHER,
    category_text,
    encode_categorical,
)
from qskew.datasets._io import (
    as_dtype,
    check_count,
    check_dtype,
    check_file,
    check_flag,
    check_option,
    clean_names,
    did_you_mean,
    drop_duplicate_rows,
    read_csv,
    short_list,
)

logger = logging.getLogger(__name__)

OWNER = "load_table"
MISSING = "(missing)"
_INTEGER = re.compile(r"[+-]?\d+")


def load_table(path, *, target, drop_duplicates=True, categorical="onehot", max_categories=20,
               sep=",", encoding=None, dtype="float64"):
    """Load a CSV or ARFF table and split off its ``target`` column.

    ``.arff`` files are read with :func:`scipy.io.arff.loadarff` (nominal
    values decoded from bytes, ``?`` as missing); anything else with
    :func:`pandas.read_csv` (compression by suffix, e.g. ``.csv.gz``).
    Column names lose surrounding spaces. Numeric columns stay as they are
    (missing cells stay NaN: impute them in the pipeline); booleans become
    0/1; text and nominal columns are encoded as ``categorical`` says, except
    text columns whose every value differs (row ids, names), which are
    dropped; date columns are dropped.

    Parameters
    ----------
    path : str or path-like
        The ``.csv`` (or other delimited text) or ``.arff`` file.
    target : str
        Name of the class column (after stripping spaces).
    drop_duplicates : bool, default=True
        Remove rows identical in every column to an earlier row.
    categorical : {"onehot", "ordinal", "drop"}, default="onehot"
        ``"onehot"``: a uint8 column ``<name>=<value>`` for each of the
        ``max_categories`` most frequent values, the rest in
        ``<name>=(other)``; missing cells are the value ``(missing)``.
        ``"ordinal"``: one int64 column of codes by frequency.
    max_categories : int, default=20
    sep : str, default=","
        CSV field separator (ignored for ARFF).
    encoding : str, optional
        CSV text encoding; default UTF-8 (ignored for ARFF).
    dtype : {"float64", "float32"}, default="float64"
        ``"float64"``: features as described above (numbers as read, uint8
        for booleans and one-hot columns). ``"float32"`` (or
        ``numpy.float32``): every feature column float32, booleans, one-hot
        columns and codes too, converted once the table is cleaned (half the
        memory of float64 numbers, four times that of uint8 columns).
        float32 holds integers exactly up to 2**24 = 16,777,216: larger
        counts keep about 7 significant digits, harmless for learning.

    Returns
    -------
    X : DataFrame of shape (n_rows, n_features)
        Numeric features (all float32 with ``dtype="float32"``), fresh RangeIndex.
    y : Series of shape (n_rows,)
        The target: int64 when its values are whole numbers (``"0"``/``"1"``
        nominal values included), otherwise stripped strings.
    card : DatasetCard
        Named after the file (without suffix). ``details`` keys:
        ``unlabelled_rows``, ``duplicates_removed``,
        ``duplicates_removed_by_class``, ``categories``, ``missing_cells``
        (per numeric column), ``dropped_columns``.

    Raises
    ------
    FileNotFoundError
        If no file exists at ``path``.
    ValueError
        If the file is empty or unreadable, ``target`` is not a column (the
        message lists the columns and close matches), no feature column
        remains, or an option (``dtype`` included) is not one of its values.
    TypeError
        If ``target`` is not a str.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> arff_text = '''@relation toy
    ... @attribute size numeric
    ... @attribute colour {red,blue}
    ... @attribute class {neg,pos}
    ... @data
    ... 1.5,red,neg
    ... 2.5,blue,neg
    ... ?,red,pos
    ... '''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "toy.arff"
    ...     _ = path.write_text(arff_text)
    ...     X, y, card = load_table(path, target="class")
    >>> list(X.columns), y.tolist()
    (['size', 'colour=red', 'colour=blue'], ['neg', 'neg', 'pos'])
    >>> card.details["missing_cells"]
    {'size': 1}
    """
    if not isinstance(target, str):
        raise TypeError(f"{OWNER}: target must be a column name (str); got {target!r}.")
    target = target.strip()  # column names are stripped on reading, so the name is too
    check_flag(OWNER, "drop_duplicates", drop_duplicates)
    check_option(OWNER, "categorical", categorical, CATEGORICAL_OPTIONS)
    check_count(OWNER, "max_categories", max_categories)
    dtype = check_dtype(OWNER, dtype)
    path = check_file(OWNER, path, "the table")
    if path.suffix.lower() == ".arff":
        frame = _read_arff(path)
    else:
        frame = read_csv(OWNER, path, sep=sep, encoding=encoding or "utf-8", low_memory=False)
    _check_target(frame.columns, target, path)
    log = CardLog(unlabelled_rows=0, duplicates_removed=0, duplicates_removed_by_class={},
                  categories={}, missing_cells={}, dropped_columns=[])
    frame = _drop_unlabelled(frame, target, log)
    y = _target_values(frame[target]).rename(target)
    if drop_duplicates:
        kept, entry, counts = drop_duplicate_rows(frame, y)
        log.details.update(counts)
        if entry:
            log.drop(*entry)
            frame, y = frame.loc[kept], y.loc[kept]
    X = as_dtype(_features(frame.drop(columns=target), categorical, max_categories, log, path),
                 dtype)
    X, y = X.reset_index(drop=True), y.reset_index(drop=True)
    logger.info("%s: %d rows x %d features from %s", OWNER, *X.shape, path)
    return X, y, log.card(_table_name(path), X, y)


def _table_name(path):
    """The file name without its data and compression suffixes (``a.csv.gz`` -> ``a``)."""
    name = path.name
    for suffixes in ((".gz", ".bz2", ".xz", ".zip", ".zst"), (".csv", ".tsv", ".txt", ".arff")):
        for suffix in suffixes:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[:-len(suffix)]
                break
    return name


def _read_arff(path):
    """An ARFF file as a DataFrame with nominal values decoded and ``?`` as NaN."""
    try:
        data, _ = arff.loadarff(str(path))
    except NotImplementedError as exc:  # string attributes, sparse data
        raise ValueError(
            f"{OWNER}: scipy.io.arff cannot read '{path.name}' ({exc}). Convert it to CSV "
            "(e.g. with Weka or the liac-arff package) and pass that."
        ) from exc
    except (ValueError, StopIteration, arff.ArffError) as exc:
        raise ValueError(
            f"{OWNER}: '{path.name}' is not a readable ARFF file ({exc!r}). Check its "
            "@attribute lines and data rows, or convert it to CSV."
        ) from exc
    frame = pd.DataFrame(data)
    if len(frame) == 0:
        raise ValueError(f"{OWNER}: '{path.name}' declares attributes but no data rows.")
    for name in frame.columns:
        if frame[name].dtype == object:
            mapping = {value: value.decode("utf-8", "replace") for value in frame[name].unique()
                       if isinstance(value, bytes) and value != b"?"}
            frame[name] = frame[name].map(mapping)  # b"?" (missing) maps to NaN
    frame.columns = clean_names(frame.columns)
    return frame


def _check_target(columns, target, path):
    if target in columns:
        return
    close = did_you_mean(target, columns)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"{OWNER}: target {target!r} is not a column of '{path.name}'.{hint} Its "
        f"{len(columns)} columns are {short_list(columns, 40)}; pass one of them as target."
    )


def _drop_unlabelled(frame, target, log):
    column = frame[target]
    empty = column.isna() | column.astype(str).str.strip().eq("")
    if empty.any():
        log.drop(f"{int(empty.sum()):,} rows without a {target!r} value",
                 "empty target cell; nothing to learn from")
        log.details["unlabelled_rows"] = int(empty.sum())
    return frame.loc[~empty.to_numpy()]


def _target_values(column):
    """Whole numbers (also written as text) as int64, other values as stripped strings."""
    if pd.api.types.is_bool_dtype(column):
        return column.astype("int64")
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype="float64")
        return column.astype("int64") if np.all(values == np.round(values)) else column
    text = category_text(column, MISSING)
    if text.map(lambda v: bool(_INTEGER.fullmatch(v))).all():
        return text.astype("int64")
    return text.astype(str)


def _features(frame, categorical, max_categories, log, path):
    """Numeric columns kept, text encoded, identifier-like text and dates dropped."""
    blocks, dropped = [], {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            blocks.append(column.astype(np.uint8).to_frame())
        elif pd.api.types.is_numeric_dtype(column):
            if column.isna().any():
                log.details["missing_cells"][name] = int(column.isna().sum())
            blocks.append(column.to_frame())
        elif pd.api.types.is_datetime64_any_dtype(column):
            dropped.setdefault("dates or times: turn them into numbers first if they "
                               "matter", []).append(name)
        elif len(frame) > max_categories and column.nunique(dropna=False) == len(frame):
            dropped.setdefault("text with a different value in every row (an identifier or "
                               "free text)", []).append(name)
        elif categorical == "drop":
            dropped.setdefault("text (categorical='drop')", []).append(name)
        else:
            block, kept = encode_categorical(category_text(column, MISSING), name, categorical,
                                             max_categories)
            log.details["categories"][name] = kept
            blocks.append(block)
    for why, names in dropped.items():
        log.drop(f"columns {short_list(names)}", why)
        log.details["dropped_columns"] += names
    if not blocks:
        raise ValueError(
            f"{OWNER}: no feature column of '{path.name}' remains besides the target "
            f"({'; '.join(f'{w}: {n}' for w, n in dropped.items()) or 'none found'}). "
            "Pass a table with numeric or categorical features."
        )
    if log.details["missing_cells"]:
        log.note(f"Missing numeric cells kept as NaN ({log.details['missing_cells']}): "
                 "impute them in the pipeline, fitted on training folds only.")
    if log.details["categories"] and categorical == "onehot":
        log.note(f"Text columns one-hot: '<name>=<value>' for the {max_categories} most "
                 f"frequent values, the rest in '<name>={OTHER}'.")
    return pd.concat(blocks, axis=1)
