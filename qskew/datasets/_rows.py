"""Exact duplicate rows of large tables, found through one 64-bit hash per row.

``DataFrame.duplicated`` factorizes every column before comparing: for the 2.8 million rows
and 78 columns of CICIDS2017 its codes alone take 1.7 GB, as much as the float64 table. Here
the columns are hashed one at a time into a single uint64 per row, and only the rows whose
hash is shared -- the duplicates, their originals and any collision -- are compared exactly,
so the answer is ``DataFrame.duplicated``'s.

Each step of the hash is a bijection of the running value (XOR with the mixed column value,
then multiplication by an odd constant), and the value-to-bits map is one-to-one after
normalising ``-0.0`` and NaN: rows equal under ``duplicated`` always get equal hashes, and
rows that differ in exactly one column never do.
"""

import numpy as np
import pandas as pd

_START = np.uint64(0x84222325CBF29CE4)
_STEP = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it permutes the uint64 values
_MIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27),
        np.uint64(0x94D049BB133111EB), np.uint64(31))  # splitmix64's finaliser, a bijection


def number_bits(column):
    """A numeric column's values as uint64 bit patterns, equal exactly when the values are.

    ``-0.0`` counts as ``0.0`` and every NaN (or missing value) as one NaN, as
    :meth:`pandas.DataFrame.duplicated` has it. Integers and booleans are compared
    as float64, so integers beyond 2**53 may share bits (a false match that the exact
    comparison removes, never a missed one).

    Parameters
    ----------
    column : Series
        Numeric (any integer, float or boolean dtype, nullable ones included).

    Returns
    -------
    ndarray of uint64

    Examples
    --------
    >>> import pandas as pd
    >>> bits = number_bits(pd.Series([0.0, -0.0, 1, float("nan")]))
    >>> bool(bits[0] == bits[1]), bool(bits[0] == bits[2])
    (True, False)
    """
    values = column.to_numpy(dtype=np.float64, na_value=np.nan) + 0.0  # -0.0 + 0.0 is 0.0
    values[np.isnan(values)] = np.nan
    return values.view(np.uint64)


def start(n_rows):
    """The hashes of ``n_rows`` rows before any column: one constant."""
    return np.full(n_rows, _START, dtype=np.uint64)


def combine(hashes, bits):
    """``hashes`` updated with one more column's ``bits`` (both uint64 arrays, one per row)."""
    mixed = bits ^ (bits >> _MIX[0])
    mixed *= _MIX[1]
    mixed ^= mixed >> _MIX[2]
    mixed *= _MIX[3]
    mixed ^= mixed >> _MIX[4]
    hashes = hashes ^ mixed
    hashes *= _STEP
    return hashes


def hash_rows(frame, hashes=None):
    """One uint64 per row of ``frame``, from every column in order.

    Numeric columns are hashed by value (:func:`number_bits`), others by their
    codes from :func:`pandas.factorize` (missing values share one code), so the
    hashes of two rows are equal whenever the rows are equal.

    Parameters
    ----------
    frame : DataFrame
    hashes : ndarray of uint64, optional
        Hashes of other columns of the same rows to continue from.

    Returns
    -------
    ndarray of uint64 of shape (n_rows,)
    """
    hashes = start(len(frame)) if hashes is None else hashes
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column):
            bits = number_bits(column)
        else:
            bits = pd.factorize(column)[0].astype(np.int64).view(np.uint64)
        hashes = combine(hashes, bits)
    return hashes


def duplicated_rows(frame, hashes=None):
    """Mask of the rows equal to an earlier row in every column of ``frame``.

    The same answer as ``frame.duplicated(keep="first")``, with memory for one
    hash per row plus the rows whose hash is shared.

    Parameters
    ----------
    frame : DataFrame
    hashes : ndarray of uint64, optional
        One hash per row that is equal for equal rows (default: :func:`hash_rows`).
        Rows also need equal hashes to count as duplicates, so hashes of the values
        before a lossy conversion keep rows apart that the conversion made equal.

    Returns
    -------
    ndarray of bool of shape (n_rows,)

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, 1.0, -0.0, 0.0], "b": ["x", "y", "x", "z", "z"]})
    >>> duplicated_rows(frame).tolist()
    [False, False, True, False, True]
    """
    hashes = hash_rows(frame) if hashes is None else np.asarray(hashes, dtype=np.uint64)
    removed = np.zeros(len(frame), dtype=bool)
    shared = np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())
    if shared.size:
        candidates = frame.iloc[shared].set_axis(range(frame.shape[1]), axis=1)
        candidates[frame.shape[1]] = hashes[shared]
        removed[shared] = candidates.duplicated(keep="first").to_numpy()
    return removed
