"""load_creditcard: the ULB / Worldline credit-card fraud data (Kaggle's ``creditcard.csv``)."""

import logging

import numpy as np
import pandas as pd

from qskew.datasets._card import DatasetCard
from qskew.datasets._io import (
    check_dtype,
    check_file,
    check_flag,
    check_option,
    drop_duplicate_rows,
    read_csv_chunks,
    require_columns,
    short_list,
    warn,
)

logger = logging.getLogger(__name__)

OWNER = "load_creditcard"
COLUMNS = ("Time", *(f"V{i}" for i in range(1, 29)), "Amount", "Class")
FEATURES = COLUMNS[:-1]
SCHEMA = "creditcard.csv (Time, V1..V28, Amount, Class)"
TIME_OPTIONS = ("drop", "hour", "keep")


def load_creditcard(path, *, drop_duplicates=True, time="drop", dtype="float64"):
    """Load the credit-card fraud data (``creditcard.csv``, ULB / Worldline, on Kaggle).

    The file has 31 columns: ``Time`` (seconds since the first transaction,
    two days), ``V1`` ... ``V28`` (PCA components), ``Amount`` (raw, heavy
    tailed) and ``Class`` (1 = fraud, 0.17 %). The loader checks that schema,
    removes exact duplicate rows (the full file has 1,081 copies, 19 of them
    fraud)
    before any splitting can happen, and turns ``Time`` into what you ask for.

    Parameters
    ----------
    path : str or path-like
        The ``creditcard.csv`` file. Column order does not matter.
    drop_duplicates : bool, default=True
        Remove rows identical in all 31 schema columns to an earlier row.
        Left in, copies land on both sides of a train/test split and inflate
        scores. ``Time`` takes part, as in the dataset's own count of 1,081,
        whatever ``time`` says.
    time : {"drop", "hour", "keep"}, default="drop"
        ``"drop"`` removes ``Time`` (a position in a two-day recording, not a
        property of the transaction); ``"hour"`` replaces it with an integer
        column ``Hour = (Time // 3600) % 24``, hours since the first
        transaction modulo a day (its clock time is not published);
        ``"keep"`` keeps the seconds.
    dtype : {"float64", "float32"}, default="float64"
        ``"float64"``: features as float64 (``Hour`` int64). ``"float32"`` (or
        ``numpy.float32``): every feature column float32, ``Hour`` too, for
        half the memory; duplicates are judged on the values as read. float32
        keeps about 7 significant digits: whole-second ``Time`` stays exact,
        ``Amount`` keeps its cents (up to 131,072), the PCA components round.

    Returns
    -------
    X : DataFrame of shape (n_rows, 29 or 30)
        ``[Hour,] [Time,] V1 ... V28, Amount`` as float64 (``Hour`` int64), or
        all float32; fresh RangeIndex.
    y : Series of shape (n_rows,)
        ``Class`` as int64: 1 = fraud, 0 = genuine.
    card : DatasetCard
        ``details`` holds ``duplicates_removed``, ``duplicates_removed_by_class``
        (``{0: ..., 1: ...}``; entry ``1`` counts frauds) and ``dropped_columns``.

    Raises
    ------
    FileNotFoundError
        If no file exists at ``path``.
    IsADirectoryError
        If ``path`` is a folder.
    ValueError
        If the file is empty, lacks columns of the schema, holds text,
        missing or infinite values in a feature, a ``Class`` other than 0/1,
        or ``time`` or ``dtype`` is not one of the options.
    TypeError
        If ``drop_duplicates`` is not a bool or ``path`` not a path.

    Warns
    -----
    UserWarning
        If the file has columns beyond the schema (they are dropped).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np, pandas as pd
    >>> columns = ["Time", *[f"V{i}" for i in range(1, 29)], "Amount", "Class"]
    >>> rows = np.zeros((4, 31))
    >>> rows[:, 0] = [0.0, 3600.0, 90000.0, 90000.0]   # the last row repeats the third
    >>> rows[2:, -1] = 1
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "creditcard.csv"
    ...     pd.DataFrame(rows, columns=columns).astype({"Class": int}).to_csv(path, index=False)
    ...     X, y, card = load_creditcard(path, time="hour")
    >>> X.shape, X["Hour"].tolist(), y.tolist()
    ((3, 30), [0, 1, 1], [0, 0, 1])
    >>> card.details["duplicates_removed_by_class"]
    {1: 1}
    """
    check_option(OWNER, "time", time, TIME_OPTIONS)
    check_flag(OWNER, "drop_duplicates", drop_duplicates)
    dtype = check_dtype(OWNER, dtype)
    path = check_file(OWNER, path, "creditcard.csv")
    chunks = list(read_csv_chunks(OWNER, path))  # the parser's memory: one block's
    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    del chunks
    require_columns(OWNER, list(frame.columns), COLUMNS, SCHEMA, path)
    dropped, details = [], {"duplicates_removed": 0, "duplicates_removed_by_class": {},
                            "dropped_columns": []}
    extra = [name for name in frame.columns if name not in COLUMNS]
    if extra:
        warn(f"{OWNER}: '{path.name}' has {len(extra)} column(s) beyond the {SCHEMA} schema: "
             f"{short_list(extra)}; they are dropped. Use load_table to keep them.")
        dropped.append((f"columns {short_list(extra)}", "not part of the creditcard.csv schema"))
        details["dropped_columns"] += extra
    frame = frame.loc[:, list(COLUMNS)]
    y = _check_values(frame, path)
    if drop_duplicates:
        kept, entry, counts = drop_duplicate_rows(frame, y)
        frame, y = frame.loc[kept], y.loc[kept]
        details.update(counts)
        dropped += [entry] if entry else []
    X, time_dropped, time_notes = _time_columns(frame, time, dtype)
    dropped += time_dropped
    details["dropped_columns"] += ["Time"] if time_dropped else []
    notes = time_notes + [
        "V1-V28 are PCA components (already decorrelated); Amount is raw and heavy-tailed: "
        "log1p or robust scaling, fitted on training folds only.",
        "Judge models by PR-AUC (average precision), as the dataset's card advises; accuracy "
        "and ROC-AUC flatter them at this imbalance.",
    ]
    X, y = X.reset_index(drop=True), y.reset_index(drop=True)
    logger.info("%s: %d rows, %d frauds from %s", OWNER, len(y), int(y.sum()), path)
    return X, y, DatasetCard.from_data("creditcard", X, y, dropped=dropped, notes=notes,
                                       details=details)


def _check_values(frame, path):
    """Raise unless features are finite numbers and Class is 0/1; return Class as int64."""
    text = [name for name in FEATURES if not pd.api.types.is_numeric_dtype(frame[name])]
    if text:
        column = frame[text[0]]
        bad = pd.to_numeric(column, errors="coerce").isna() & column.notna()
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"{OWNER}: columns {text} of '{path.name}' must be numeric; found text such as "
            f"{column.iloc[row]!r} in {text[0]} (data row {row + 1}). The file looks edited "
            "or corrupted; fetch it again."
        )
    values = frame.loc[:, list(FEATURES)].to_numpy(dtype=float)
    finite = np.isfinite(values)
    if not finite.all():
        columns = [FEATURES[j] for j in np.flatnonzero(~finite.all(axis=0))]
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        raise ValueError(
            f"{OWNER}: creditcard.csv has no missing or infinite values, but '{path.name}' "
            f"has {int((~finite).sum())} in columns {short_list(columns)} (first in data row "
            f"{row + 1}). The file looks truncated or edited; fetch it again."
        )
    labels = pd.to_numeric(frame["Class"], errors="coerce")
    bad = ~labels.isin([0, 1])
    if bad.any():
        seen = sorted({repr(v) for v in frame["Class"][bad].tolist()})
        raise ValueError(
            f"{OWNER}: Class must be 0 (genuine) or 1 (fraud); '{path.name}' has "
            f"{short_list(seen)} in {int(bad.sum())} rows (first in data row "
            f"{int(np.flatnonzero(bad.to_numpy())[0]) + 1}). Check that this is the original "
            "creditcard.csv; for other labels use load_table."
        )
    return labels.astype("int64").rename("Class")


def _time_columns(frame, time, dtype):
    """The feature frame for the ``time`` option, with its dropped entries and notes."""
    features = frame.loc[:, list(FEATURES)].astype(dtype)
    if time == "keep":
        return features, [], ["Time kept: seconds since the first transaction (two days)."]
    features = features.drop(columns="Time")
    if time == "drop":
        return features, [("column Time", "time='drop': seconds since the first transaction, "
                                          "a position in the recording, not a property of "
                                          "the transaction")], []
    hour = (frame["Time"] // 3600 % 24).astype("int64" if dtype == np.float64 else dtype)
    features.insert(0, "Hour", hour)
    return features, [], ["Time replaced by Hour = (Time // 3600) % 24: hours since the first "
                          "transaction modulo a day (its clock time is not published)."]
