"""File reading and option checks shared by the dataset loaders.

Every message follows the house rule: what is required, what was seen, how to fix it.
"""

import contextlib
import difflib
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from qskew.datasets._rows import duplicated_rows

# A UTF-8 byte-order mark, as read by a UTF-8 and by a cp1252 decoder.
_BOMS = ("\ufeff", "\u00ef\u00bb\u00bf")
DTYPES = ("float64", "float32")
#: Rows that :func:`read_csv_chunks` parses at a time: near 100 MB of parser memory for the 79
#: columns of CICIDS2017, against several GB for its whole release at once.
CHUNK_ROWS = 100_000


def did_you_mean(word, options, n=3):
    """Close matches of ``word`` among ``options`` (case-insensitive matches first).

    Parameters
    ----------
    word : str
    options : iterable of str
    n : int, default=3

    Returns
    -------
    list of str
    """
    options = [str(option) for option in options]
    same_case = [option for option in options if option.casefold() == str(word).casefold()]
    folded = {option.casefold(): option for option in options}
    close = difflib.get_close_matches(str(word).casefold(), list(folded), n=n, cutoff=0.6)
    found = same_case + [folded[c] for c in close if folded[c] not in same_case]
    return found[:n]


def _hint(word, options):
    close = did_you_mean(word, options)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def check_option(owner, name, value, choices):
    """Raise ``ValueError`` unless ``value`` is one of ``choices``.

    Parameters
    ----------
    owner : str
        The public function, for the message.
    name : str
        The parameter's name.
    value : object
    choices : tuple of str

    Raises
    ------
    ValueError
        If ``value`` is not one of ``choices``.
    """
    if isinstance(value, str) and value in choices:
        return
    hint = _hint(value, choices) if isinstance(value, str) else ""
    raise ValueError(
        f"{owner}: {name} must be one of {', '.join(repr(c) for c in choices)}; got "
        f"{value!r}.{hint or ' Pass one of them.'}"
    )


def check_flag(owner, name, value):
    """Raise ``TypeError`` unless ``value`` is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False; got {value!r}.")


def check_dtype(owner, dtype):
    """The features' dtype as a numpy dtype; raise ``ValueError`` unless float64 or float32.

    Parameters
    ----------
    owner : str
    dtype : {"float64", "float32"} or {numpy.float64, numpy.float32}

    Returns
    -------
    numpy.dtype

    Raises
    ------
    ValueError
        If ``dtype`` is anything else (other spellings such as ``"f4"`` included).

    Examples
    --------
    >>> import numpy as np
    >>> check_dtype("f", "float32"), check_dtype("f", np.float64)
    (dtype('float32'), dtype('float64'))
    """
    if isinstance(dtype, str):
        if dtype in DTYPES:
            return np.dtype(dtype)
    elif isinstance(dtype, (type, np.dtype)) and dtype in (np.float64, np.float32):
        return np.dtype(dtype)
    hint = _hint(dtype, DTYPES) if isinstance(dtype, str) else ""
    raise ValueError(
        f"{owner}: dtype must be one of 'float64', 'float32' (or numpy.float64, "
        f"numpy.float32); got {dtype!r}.{hint or ' Pass float32 to halve the features memory.'}"
    )


def as_dtype(frame, dtype):
    """``frame`` unchanged for float64 (numbers as read), else every column as ``dtype``."""
    return frame if dtype == np.float64 else frame.astype(dtype)


def check_count(owner, name, value, minimum=1):
    """Raise ``ValueError`` unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}; got {value!r}.")


def as_path(owner, path, name="path"):
    """``path`` as a :class:`~pathlib.Path` (``~`` expanded).

    Raises
    ------
    TypeError
        If ``path`` is not a str or path-like object.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{owner}: {name} must be a file path (str or pathlib.Path); got "
            f"{type(path).__name__}. Pass the path of the file on disk."
        )
    return Path(path).expanduser()


def check_file(owner, path, expected):
    """Return ``path`` as a Path after checking it names a non-empty file.

    Parameters
    ----------
    owner : str
    path : str or path-like
    expected : str
        The file name users should pass, for the messages (e.g. ``"creditcard.csv"``).

    Raises
    ------
    FileNotFoundError
        If nothing exists at ``path``.
    IsADirectoryError
        If ``path`` is a folder.
    ValueError
        If the file is empty.
    """
    path = as_path(owner, path)
    if not path.exists():
        raise FileNotFoundError(
            f"{owner}: no file at '{path}' (working directory '{Path.cwd()}'). Check the path; "
            f"qskew never downloads data, so {expected} must already be on disk."
        )
    if path.is_dir():
        raise IsADirectoryError(
            f"{owner}: '{path}' is a folder, but a file is needed. Pass the file inside it, "
            f"e.g. '{path / expected}'."
        )
    if path.stat().st_size == 0:
        raise ValueError(
            f"{owner}: '{path}' is empty (0 bytes); a download or copy was probably cut "
            "short. Fetch the file again."
        )
    return path


@contextlib.contextmanager
def _csv_errors(owner, path):
    """pandas' reading errors as loader-style ``ValueError``."""
    try:
        yield
    except pd.errors.EmptyDataError as exc:
        raise ValueError(
            f"{owner}: '{path}' holds no columns (blank file). Fetch the file again."
        ) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{owner}: '{path}' could not be read as CSV ({exc}). Check that it is the "
            "original comma-separated file, not a spreadsheet export or an archive."
        ) from exc


def _no_rows(owner, path):
    return ValueError(f"{owner}: '{path}' has a header but no data rows. Fetch the file again.")


def read_csv(owner, path, **kwargs):
    """``pandas.read_csv`` with stripped column names and loader-style errors.

    Column names lose surrounding spaces and a leading byte-order mark.

    Raises
    ------
    ValueError
        If the file holds no header, no data rows, cannot be decoded or parsed.
    """
    with _csv_errors(owner, path):
        frame = pd.read_csv(path, **kwargs)
    if len(frame) == 0:
        raise _no_rows(owner, path)
    frame.columns = clean_names(frame.columns)
    return frame


def read_csv_chunks(owner, path, **kwargs):
    """:func:`read_csv` a block of ``CHUNK_ROWS`` rows at a time.

    Each block's dtypes are inferred from its own rows (an integer column
    with an empty cell is float64 in that block only); ``pandas.concat``
    of the blocks gives the dtypes of a whole-file read.

    Parameters
    ----------
    owner : str
    path : Path
    **kwargs
        Passed to :func:`pandas.read_csv`.

    Yields
    ------
    DataFrame
        At least one non-empty block, names cleaned as by :func:`read_csv`.

    Raises
    ------
    ValueError
        As :func:`read_csv`, when reading starts or at the block with the problem.
    """
    with _csv_errors(owner, path):
        reader = pd.read_csv(path, chunksize=CHUNK_ROWS, **kwargs)
    rows = 0
    with reader:
        while True:
            with _csv_errors(owner, path):
                chunk = next(reader, None)
            if chunk is None:
                break
            if len(chunk):
                rows += len(chunk)
                chunk.columns = clean_names(chunk.columns)
                yield chunk
    if rows == 0:
        raise _no_rows(owner, path)


def clean_names(columns):
    """Column names as stripped strings, without a byte-order mark on the first."""
    names = [str(name) for name in columns]
    for bom in _BOMS:
        if names and names[0].startswith(bom):
            names[0] = names[0][len(bom):]
    return [name.strip() for name in names]


def require_columns(owner, columns, required, schema, path):
    """Raise ``ValueError`` naming the ``required`` columns that ``columns`` lacks.

    Parameters
    ----------
    owner : str
    columns : sequence of str
        Columns found in the file.
    required : sequence of str
    schema : str
        The expected schema, in words.
    path : Path
    """
    missing = [name for name in required if name not in columns]
    if not missing:
        return
    hints = [f"{name!r} -> {', '.join(repr(c) for c in did_you_mean(name, columns))}"
             for name in missing if did_you_mean(name, columns)]
    hint = f" Close names found: {'; '.join(hints)}." if hints else ""
    raise ValueError(
        f"{owner}: '{path.name}' lacks {len(missing)} column(s) of the {schema} schema: "
        f"{missing}.{hint} Found {len(columns)} columns: {short_list(columns)}. Check that "
        "this is the right file; for other tables use qskew.datasets.load_table."
    )


def short_list(items, limit=12):
    """``items`` as a list literal, cut after ``limit`` entries."""
    items = list(items)
    if len(items) <= limit:
        return repr(items)
    return repr(items[:limit])[:-1] + f", ... ({len(items) - limit} more)]"


def removed_by_class(labels, removed):
    """Class counts of the removed rows (``removed`` is a boolean mask)."""
    counts = pd.Series(np.asarray(labels)[np.asarray(removed)]).value_counts()
    return {(k.item() if isinstance(k, np.generic) else k): int(v)
            for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))}


def describe_counts(counts):
    """``{0: 3, 1: 2}`` as ``'class 0: 3, class 1: 2'``."""
    return ", ".join(f"class {k}: {v:,}" for k, v in counts.items())


def warn(message, stacklevel=2):
    """Issue a ``UserWarning``; ``stacklevel`` counts from the caller of ``warn``.

    The default, 2, points at whoever called the function that calls ``warn``:
    the user, when a public loader calls it directly.
    """
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def drop_duplicate_rows(frame, labels, hashes=None):
    """Remove exact duplicate rows of ``frame`` (the first copy stays).

    Parameters
    ----------
    frame : DataFrame
        The rows compared, all columns.
    labels : array-like of shape (n_rows,)
        Each row's class, to count the removed rows per class.
    hashes : ndarray of uint64, optional
        Row hashes, equal for equal rows, also required equal (see
        :func:`~qskew.datasets._rows.duplicated_rows`); default: hashes of ``frame``.

    Returns
    -------
    kept : ndarray of bool
        Mask of the rows that stay.
    entry : (str, str) or None
        The card's ``dropped`` entry, None when nothing was removed.
    details : dict
        ``duplicates_removed`` and ``duplicates_removed_by_class``.
    """
    removed = duplicated_rows(frame, hashes)
    by_class = removed_by_class(labels, removed)
    details = {"duplicates_removed": int(removed.sum()), "duplicates_removed_by_class": by_class}
    entry = None
    if removed.any():
        entry = (f"{int(removed.sum()):,} duplicate rows ({describe_counts(by_class)})",
                 "exact copies of earlier rows, removed (the first copy stays): left in, "
                 "they would sit on both sides of a train/test split and inflate the scores")
    return ~removed, entry, details
