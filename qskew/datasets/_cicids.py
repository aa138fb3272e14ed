"""load_cicids2017: the CICIDS2017 flow features (``MachineLearningCVE/*.csv``, CIC / UNB)."""

import logging
import re

import numpy as np
import pandas as pd

from qskew.datasets._card import CardLog
from qskew.datasets._io import (
    as_path,
    check_dtype,
    check_file,
    check_flag,
    check_option,
    describe_counts,
    did_you_mean,
    drop_duplicate_rows,
    read_csv_chunks,
    removed_by_class,
    short_list,
    warn,
)
from qskew.datasets._rows import combine, hash_rows, number_bits, start

logger = logging.getLogger(__name__)

OWNER = "load_cicids2017"
LABELS = (
    "BENIGN", "DoS Hulk", "PortScan", "DDoS", "DoS GoldenEye", "FTP-Patator", "SSH-Patator",
    "DoS slowloris", "DoS Slowhttptest", "Bot", "Web Attack - Brute Force", "Web Attack - XSS",
    "Web Attack - Sql Injection", "Infiltration", "Heartbleed",
)
_CANONICAL = {label.casefold(): label for label in LABELS}
# The Web Attack dash as files carry it: cp1252 byte 0x96 read as cp1252 (en dash) or latin-1
# ("\x96"); re-saves as UTF-8 read back as cp1252 ("ï¿½" for U+FFFD, "â€“" for an en dash,
# "Â–" for a latin-1 "\x96"); U+FFFD itself; hyphens. All are runs of characters other than
# ASCII letters and digits, so everything between "Web Attack" and the attack's name goes.
_WEB_ATTACK = re.compile(r"^web attack[^a-z0-9]*(?=[a-z0-9])", re.IGNORECASE)
# Capture identifiers of other releases (GeneratedLabelledFlows, the corrected re-extraction):
# a model would learn the test bed's addresses and clock, not the attacks.
_IDENTIFIERS = ("flow id", "source ip", "src ip", "source port", "src port", "destination ip",
                "dst ip", "timestamp", "id")
# The corrected re-extraction's "Attempted Category" is derived from the label.
_FROM_LABEL = ("attempted category",)
_REPEAT = re.compile(r"(.+)\.(\d+)")


def clean_label(raw):
    """A CICIDS2017 label with spaces tidied and the Web Attack dash made ``" - "``.

    Known labels get their release spelling whatever their case (``"PORTSCAN"`` ->
    ``"PortScan"``); others keep theirs.

    Parameters
    ----------
    raw : str

    Returns
    -------
    str

    Examples
    --------
    >>> clean_label(" Web Attack \\u2013 Brute Force ")
    'Web Attack - Brute Force'
    >>> clean_label("Web Attack \\ufffd Sql Injection"), clean_label("Web Attack \\x96 XSS")
    ('Web Attack - Sql Injection', 'Web Attack - XSS')
    """
    label = _WEB_ATTACK.sub("Web Attack - ", " ".join(str(raw).split()))
    return _CANONICAL.get(label.casefold(), label)


def load_cicids2017(paths, *, label="binary", inf_policy="drop", drop_duplicates=True,
                    drop_constant=True, dtype="float64"):
    """Load CICIDS2017 flow records from the ``MachineLearningCVE`` CSV files.

    Reads one file, a list of files, or every ``*.csv`` of a folder (sorted
    by name), as cp1252 text, and cleans the release's known quirks: column
    names lose their leading spaces; the repeated ``Fwd Header Length``
    (``Fwd Header Length.1`` as read) is dropped; ``Infinity`` text and empty
    cells in ``Flow Bytes/s``, ``Flow Packets/s`` or any numeric column
    follow ``inf_policy``; the Web Attack labels' dash (byte 0x96) becomes
    ``" - "``. Any header with a ``Label`` column is accepted (e.g. the
    corrected re-extraction): the features are whatever numeric columns exist,
    less capture identifiers (flow id, addresses, source port, timestamp, row
    id) and label-derived columns (``Attempted Category``).

    Parameters
    ----------
    paths : str, path-like, or list of them
        A CSV file, a folder of CSV files, or a list of files and folders.
        All files must share one header (after stripping spaces).
    label : {"binary", "multiclass"}, default="binary"
        ``"binary"``: ``BENIGN`` -> 0, every attack -> 1. ``"multiclass"``:
        the cleaned label strings, spelled as in ``CICIDS2017_LABELS``:
        the release's own spelling (``"DoS slowloris"``, ``"PortScan"``)
        whatever the case in the file, and the Web Attacks as
        ``"Web Attack - Brute Force"``, ``"Web Attack - XSS"`` and
        ``"Web Attack - Sql Injection"`` (ASCII space-hyphen-space).
    inf_policy : {"drop", "nan", "clip"}, default="drop"
        For infinite and empty cells: ``"drop"`` removes their rows; ``"nan"``
        makes infinities NaN too (impute in the pipeline); ``"clip"`` sets
        +inf/-inf to the column's largest/smallest finite value over all
        loaded rows and leaves empty cells as NaN.
    drop_duplicates : bool, default=True
        Remove rows identical to an earlier row in every column read
        (cleaned label included), before any split can see them. The same
        rows go for both ``label`` modes.
    drop_constant : bool, default=True
        Remove columns holding one value in every remaining row (the bulk,
        URG and CWE flag columns of the full release).
    dtype : {"float64", "float32"}, default="float64"
        ``"float64"``: features as read (int64 or float64). ``"float32"`` (or
        ``numpy.float32``): every feature float32, counts too, for half the
        memory; each block of rows is converted as it is read. float32 holds
        integers exactly up to 2**24 = 16,777,216: larger counts (byte totals,
        microsecond durations) keep about 7 significant digits, harmless for
        learning. Duplicates are still judged on the values as read, so the
        rows and the card match ``"float64"``'s (see Notes).

    Returns
    -------
    X : DataFrame of shape (n_rows, n_features)
        Numeric features (int64 or float64 as read, or all float32), fresh
        RangeIndex.
    y : Series of shape (n_rows,)
        ``Label``: int64 0/1, or strings for ``label="multiclass"``.
    card : DatasetCard
        ``details`` keys: ``files``, ``rows_per_file``, ``unlabelled_rows``,
        ``unknown_labels``, ``unparseable_cells``, ``duplicates_removed``,
        ``duplicates_removed_by_class`` (by cleaned label), ``nonfinite``
        (per column: ``+inf``, ``-inf``, ``nan`` counts before the policy),
        ``nonfinite_rows_dropped``, ``constant_columns``, ``dropped_columns``.

    Raises
    ------
    FileNotFoundError
        If a path does not exist, or a folder holds no CSV file.
    ValueError
        If a file is empty or lacks a ``Label`` column, the files' headers
        differ, no rows remain, or an option (``dtype`` included) is not one
        of its values.
    TypeError
        If a path is not a str or path-like, or a flag not a bool.

    Warns
    -----
    UserWarning
        For labels outside the release's 15 (kept in multiclass, 1 in binary)
        and for text in numeric columns (made NaN).

    Notes
    -----
    ``inf_policy="clip"`` takes each column's extremes over all loaded rows,
    before any split: a mild leak of two statistics. For strict fold hygiene
    load with ``"nan"`` and clip or impute inside the pipeline.

    Memory: files are read 100,000 rows at a time, each block converted to
    ``dtype`` at once, and duplicates are found through one 64-bit hash per
    row, only rows sharing a hash being compared in full
    (:mod:`qskew.datasets._rows`), so the peak is about twice the table read.
    For eight files of the release's size (2.8 million rows; 1.5 GB of
    features as float64) the peak resident memory measured 3.7 GB with
    ``dtype="float64"`` and 2.1 GB with ``"float32"``.

    With ``dtype="float32"`` the result is the ``"float64"`` result converted
    to float32, except in two cases flow records are unlikely to meet:
    ``drop_constant`` judges the float32 values, so a column whose values
    differ only beyond float32's precision is dropped; and finite values
    beyond float32's range (about 3.4e38) become infinite and follow
    ``inf_policy``. Rows are duplicates when their float32 values and their
    hashes of the values as read are equal: rows that differ as read in one
    column never share a hash, rows differing in more share it with
    probability 2**-64 a pair (and count only if equal in float32 too).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> header = " Destination Port, Flow Duration,Flow Bytes/s, Flow Packets/s, Label"
    >>> rows = ["80,10,Infinity,2.5,BENIGN", "80,12,1.5,,BENIGN",
    ...         "22,11,3.5,4.5,Web Attack \\u2013 XSS", "22,11,3.5,4.5,Web Attack \\u2013 XSS"]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "Thursday-WorkingHours-Morning-WebAttacks.pcap_ISCX.csv"
    ...     _ = path.write_bytes("\\n".join([header, *rows]).encode("cp1252"))
    ...     X, y, card = load_cicids2017(path, label="multiclass", inf_policy="clip")
    >>> list(X.columns)
    ['Destination Port', 'Flow Duration', 'Flow Bytes/s', 'Flow Packets/s']
    >>> y.tolist()
    ['BENIGN', 'BENIGN', 'Web Attack - XSS']
    >>> X["Flow Bytes/s"].tolist(), card.details["duplicates_removed"]
    ([3.5, 1.5, 3.5], 1)
    """
    check_option(OWNER, "label", label, ("binary", "multiclass"))
    check_option(OWNER, "inf_policy", inf_policy, ("drop", "nan", "clip"))
    check_flag(OWNER, "drop_duplicates", drop_duplicates)
    check_flag(OWNER, "drop_constant", drop_constant)
    dtype = check_dtype(OWNER, dtype)
    files = _resolve_files(paths)
    log = CardLog(unlabelled_rows=0, unknown_labels={}, unparseable_cells={},
                  duplicates_removed=0, duplicates_removed_by_class={}, nonfinite={},
                  nonfinite_rows_dropped=0, constant_columns=[], dropped_columns=[])
    frame, hashes = _read_files(files, log, dtype)
    frame = _clean_rows(frame, hashes, log, drop_duplicates, dtype)
    del hashes
    labels = frame["Label"]
    features = _drop_non_features(frame, log)
    del frame  # the features are a copy: keep one table in memory, not two
    features, labels = _apply_inf_policy(features, labels, inf_policy, log)
    if len(features) == 0:
        raise ValueError(
            f"{OWNER}: no rows remain after cleaning ({'; '.join(w for w, _ in log.dropped)}). "
            "Check the files, or pass inf_policy='nan' to keep rows with missing values."
        )
    if drop_constant:
        features = _drop_constant(features, log)
    y = (labels != "BENIGN").astype("int64") if label == "binary" else labels
    X, y = features.reset_index(drop=True), y.rename("Label").reset_index(drop=True)
    log.note("label='binary': BENIGN -> 0, every attack -> 1." if label == "binary" else
             "label='multiclass': cleaned label strings; Heartbleed, Infiltration and "
             "Web Attack - Sql Injection have only tens of rows in the full release.")
    logger.info("%s: %d rows x %d features from %d files", OWNER, *X.shape, len(files))
    return X, y, log.card("CICIDS2017", X, y)


def _resolve_files(paths):
    """The CSV files named by ``paths``: a file, a folder, or a list of them."""
    items = list(paths) if isinstance(paths, (list, tuple)) else [paths]
    if not items:
        raise ValueError(f"{OWNER}: paths is an empty list; pass a CSV file, a folder of "
                         "them (e.g. 'MachineLearningCVE/'), or a list of files.")
    files = []
    for item in items:
        path = as_path(OWNER, item, "paths")
        if path.is_dir():
            found = sorted((p for p in path.iterdir()
                            if p.is_file() and p.suffix.lower() == ".csv"), key=lambda p: p.name)
            if not found:
                raise FileNotFoundError(
                    f"{OWNER}: the folder '{path}' holds no .csv file. Pass the "
                    "MachineLearningCVE folder, or the CSV files themselves."
                )
            files += [check_file(OWNER, p, p.name) for p in found]
        else:
            files.append(check_file(OWNER, path, "the CICIDS2017 CSV file"))
    return files


def _read_file(path, log):
    """One CSV's blocks of rows, with clean names, a ``Label`` column and no repeated columns."""
    chunks = read_csv_chunks(OWNER, path, encoding="cp1252", encoding_errors="replace",
                             low_memory=False)
    first = next(chunks)
    keep, names = _kept_columns(first.columns, path, log)
    yield _tidy(first, keep, names)
    for chunk in chunks:
        yield _tidy(chunk, keep, names)


def _kept_columns(columns, path, log):
    """Positions and names of the columns to keep: ``Label`` renamed, repeats dropped."""
    found = [name for name in columns if name.casefold() == "label"]
    if len(found) != 1:
        hint = did_you_mean("Label", columns)
        raise ValueError(
            f"{OWNER}: '{path.name}' needs exactly one Label column to know each row's "
            f"class; found {found or 'none'} among {len(columns)} columns: "
            f"{short_list(columns)}.{f' Close names: {hint}.' if hint else ''} "
            "CICIDS2017 files end with ' Label'; rename the class column to 'Label'."
        )
    names = ["Label" if name == found[0] else name for name in columns]
    seen, keep = set(), []
    for position, name in enumerate(names):
        repeat = _REPEAT.fullmatch(name)
        if name in seen or (repeat and repeat.group(1) in names):
            what = f"column {name!r}"
            if what not in (w for w, _ in log.dropped):
                log.drop(what, f"repeats the column {(repeat.group(1) if repeat else name)!r}")
                log.details["dropped_columns"].append(name)
        else:
            keep.append(position)
        seen.add(name)
    return keep, [names[position] for position in keep]


def _tidy(chunk, keep, names):
    """A block with the kept columns only, under their clean names."""
    chunk = chunk.iloc[:, keep]
    chunk.columns = names
    return chunk


def _read_files(files, log, dtype):
    """All files' rows stacked in order, checked to share one header, in ``dtype``.

    Returns the frame and one hash per row of its values as read (``Label`` and
    text columns are hashed later, once labels are cleaned and text is known).
    """
    chunks, hashes, reference, rows = [], [], None, {}
    for path in files:
        rows[path.name] = 0
        for chunk in _read_file(path, log):
            if reference is None:
                reference = list(chunk.columns)
            elif rows[path.name] == 0 and set(chunk.columns) != set(reference):
                lacks = [c for c in reference if c not in chunk.columns]
                adds = [c for c in chunk.columns if c not in reference]
                raise ValueError(
                    f"{OWNER}: all files must share one header (after stripping spaces); "
                    f"'{path.name}' lacks {short_list(lacks)} and adds {short_list(adds)} "
                    f"compared with '{files[0].name}'. Load files of different releases "
                    "separately."
                )
            if list(chunk.columns) != reference:
                chunk = chunk.loc[:, reference]
            hashes.append(_value_hashes(chunk))
            chunks.append(_as_dtype(chunk, dtype))
            rows[path.name] += len(chunk)
        logger.debug("%s: read %d rows from %s", OWNER, rows[path.name], path)
    log.details["files"] = [path.name for path in files]
    log.details["rows_per_file"] = rows
    log.note(f"Read {len(files)} file(s), {sum(rows.values()):,} rows: "
             f"{', '.join(log.details['files'])}.")
    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    return frame, np.concatenate(hashes)


def _value_hashes(chunk):
    """Row hashes of the cells as the numbers they become (text that is no number: NaN)."""
    hashes = start(len(chunk))
    for name in chunk.columns:
        if name != "Label":
            column = chunk[name]
            if not pd.api.types.is_numeric_dtype(column):
                column = pd.to_numeric(column, errors="coerce")
            hashes = combine(hashes, number_bits(column))
    return hashes


def _as_dtype(chunk, dtype):
    """A block with its numeric columns in ``dtype`` (float64: left as read)."""
    if dtype == np.float64:
        return chunk
    numeric = [name for name in chunk.columns
               if name != "Label" and pd.api.types.is_numeric_dtype(chunk[name])]
    return chunk.astype(dict.fromkeys(numeric, dtype))


def _clean_rows(frame, hashes, log, drop_duplicates, dtype):
    """Labels cleaned, numbers parsed, unlabelled and (optionally) duplicate rows removed."""
    raw = frame["Label"]
    blank = [value for value in raw.dropna().unique() if not str(value).strip()]
    empty = (raw.isna() | raw.isin(blank)).to_numpy()  # judged once per distinct label
    if empty.any():
        log.drop(f"{int(empty.sum()):,} rows without a label",
                 "empty Label cell (e.g. lines of bare commas); nothing to learn from")
        log.details["unlabelled_rows"] = int(empty.sum())
        frame, hashes = frame.loc[~empty], hashes[~empty]
    mapping = {value: clean_label(value) for value in frame["Label"].unique()}
    frame = frame.assign(Label=frame["Label"].map(mapping))
    _warn_unknown_labels(frame["Label"], log)
    if any(value != clean for value, clean in mapping.items() if "web attack" in
           clean.casefold()):
        log.note("Web Attack labels normalised to 'Web Attack - <name>' (the files' cp1252 "
                 "dash, byte 0x96, or its mis-decoded forms become ' - ').")
    frame = _parse_numbers(frame, log, dtype)
    if drop_duplicates:
        text = [name for name in frame.columns
                if not pd.api.types.is_numeric_dtype(frame[name])]  # Label included
        hashes = hash_rows(frame.loc[:, text], hashes)
        kept, entry, counts = drop_duplicate_rows(frame, frame["Label"], hashes)
        log.details.update(counts)
        if entry:
            log.drop(*entry)
            frame = frame.loc[kept]
    return frame


def _warn_unknown_labels(labels, log):
    counts = labels[~labels.isin(LABELS)].value_counts()
    if counts.empty:
        return
    unknown = {str(k): int(v) for k, v in counts.items()}
    log.details["unknown_labels"] = unknown
    warn(f"{OWNER}: {len(unknown)} label(s) are not among the 15 of the CICIDS2017 release: "
         f"{unknown}. They are kept as they are for label='multiclass' and count as attacks "
         "(1) for label='binary'; if one means benign traffic, relabel it before loading.",
         stacklevel=4)


def _parse_numbers(frame, log, dtype):
    """Text columns that hold numbers made numeric; text that is no number becomes NaN."""
    for name in frame.columns:
        if name == "Label" or pd.api.types.is_numeric_dtype(frame[name]):
            continue
        raw = frame[name]
        values = pd.to_numeric(raw, errors="coerce")
        failed = values.isna() & raw.notna()
        blank = {v for v in raw[failed].unique() if str(v).strip().casefold() in ("", "nan")}
        failed &= ~raw.isin(list(blank))
        if failed.sum() == raw.notna().sum() and failed.any():
            continue  # a text column: identifiers are dropped later, the rest as text
        if failed.any():
            examples = short_list(sorted({str(v) for v in raw[failed].unique()}), 3)
            warn(f"{OWNER}: column {name!r} holds {int(failed.sum())} cells that are not "
                 f"numbers, e.g. {examples}; they become empty cells under inf_policy.",
                 stacklevel=4)
            log.details["unparseable_cells"][name] = int(failed.sum())
        frame = frame.assign(**{name: values.astype(dtype)})
    return frame


def _drop_non_features(frame, log):
    """The feature columns: numeric, no identifier, nothing derived from the label."""
    groups = {
        "identifiers of the capture (flow id, addresses, ports, clock, row id): a model "
        "would learn the test bed, not the attacks": [
            c for c in frame.columns if c.casefold() in _IDENTIFIERS],
        "derived from the label": [c for c in frame.columns if c.casefold() in _FROM_LABEL],
    }
    taken = {c for columns in groups.values() for c in columns} | {"Label"}
    groups["text, not numbers"] = [c for c in frame.columns if c not in taken
                                   and not pd.api.types.is_numeric_dtype(frame[c])]
    for why, columns in groups.items():
        if columns:
            log.drop(f"columns {short_list(columns)}", why)
            log.details["dropped_columns"] += columns
    dropped = {c for columns in groups.values() for c in columns} | {"Label"}
    return frame.loc[:, [c for c in frame.columns if c not in dropped]]


def _apply_inf_policy(features, labels, policy, log):
    """Infinite and empty cells dropped, made NaN, or clipped; returns features and labels."""
    counts = {}
    for name in features.columns:
        values = features[name].to_numpy()
        if values.dtype.kind != "f":
            continue
        cells = {"+inf": int(np.isposinf(values).sum()), "-inf": int(np.isneginf(values).sum()),
                 "nan": int(np.isnan(values).sum())}
        if any(cells.values()):
            counts[name] = cells
    log.details["nonfinite"] = counts
    if not counts:
        return features, labels
    columns = short_list(list(counts))
    n_inf = sum(c["+inf"] + c["-inf"] for c in counts.values())
    n_nan = sum(c["nan"] for c in counts.values())
    if policy == "drop":
        bad = ~np.isfinite(features.loc[:, list(counts)].to_numpy()).all(axis=1)
        log.details["nonfinite_rows_dropped"] = int(bad.sum())
        log.drop(f"{int(bad.sum()):,} rows with infinite or empty cells "
                 f"({describe_counts(removed_by_class(labels, bad))})",
                 f"inf_policy='drop'; such cells are in {columns}")
        return features.loc[~bad], labels.loc[~bad]
    updates = {}
    for name in counts:
        values = features[name].to_numpy(copy=True)  # float64 or float32, kept
        finite = values[np.isfinite(values)]
        high, low = (finite.max(), finite.min()) if finite.size else (np.nan, np.nan)
        values[np.isposinf(values)] = np.nan if policy == "nan" else high
        values[np.isneginf(values)] = np.nan if policy == "nan" else low
        updates[name] = values
    action = ("set to NaN" if policy == "nan"
              else "set to the column's largest (+inf) or smallest (-inf) finite value")
    log.note(f"inf_policy={policy!r}: {n_inf:,} infinite cells {action}; {n_nan:,} empty "
             f"cells left as NaN (columns {columns}); impute them in the pipeline.")
    return features.assign(**updates), labels


def _drop_constant(features, log):
    """Columns with one value (or only NaN) in every row removed."""
    constant = []
    for name in features.columns:
        column = features[name]
        missing = column.isna()
        if missing.all() or (not missing.any() and column.min() == column.max()):
            constant.append(name)
    if constant:
        log.drop(f"columns {short_list(constant, 30)}",
                 "zero variance: one value in every row, no information")
        log.details["constant_columns"] = constant
        log.details["dropped_columns"] += constant
    return features.drop(columns=constant)
