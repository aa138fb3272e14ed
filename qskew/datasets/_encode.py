"""Categorical and text columns as numbers: capped one-hot, ordinal codes, token hashing."""

import re

import numpy as np
import pandas as pd
from sklearn.feature_extraction import FeatureHasher

OTHER = "(other)"
HASH_FEATURES = 16
CATEGORICAL_OPTIONS = ("onehot", "ordinal", "drop")
_TOKEN = re.compile(r"[a-z0-9_]+")


def category_text(column, missing):
    """``column`` as tidy strings; integral numbers without ``.0``; missing as ``missing``.

    Parameters
    ----------
    column : Series
    missing : str
        The category that empty cells become.

    Returns
    -------
    Series of str

    Examples
    --------
    >>> import pandas as pd
    >>> category_text(pd.Series([1.0, None, 28.0]), "-").tolist()
    ['1', '-', '28']
    """
    def text(value):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        return str(value).strip()

    mapping = {value: text(value) for value in column.dropna().unique()}
    return column.map(mapping).astype(object).where(column.notna(), missing)


def top_categories(text, max_categories):
    """The ``max_categories`` most frequent values (ties by value) and whether more exist."""
    counts = text.value_counts()
    ordered = [value for value, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return ordered[:max_categories], len(ordered) > max_categories


def encode_categorical(text, name, how, max_categories):
    """One column of category strings as numbers.

    Parameters
    ----------
    text : Series of str
        No missing values (see :func:`category_text`).
    name : str
        Column name, prefix of the one-hot columns.
    how : {"onehot", "ordinal"}
        ``"onehot"``: a uint8 column ``name=value`` per kept value, plus
        ``name=(other)`` for the rest if any. ``"ordinal"``: one int64 column
        of codes ``0 .. k-1`` in order of frequency, ``k`` for the rest.
    max_categories : int
        How many of the most frequent values get their own column or code.

    Returns
    -------
    block : DataFrame
    categories : list of str
        The kept values in column / code order (with ``"(other)"`` last if used).

    Examples
    --------
    >>> import pandas as pd
    >>> block, kept = encode_categorical(pd.Series(["tcp", "udp", "tcp", "icmp"]), "proto",
    ...                                  "onehot", max_categories=1)
    >>> list(block.columns), block["proto=(other)"].tolist()
    (['proto=tcp', 'proto=(other)'], [0, 1, 0, 1])
    """
    kept, has_other = top_categories(text, max_categories)
    codes = pd.Index(kept, dtype=object).get_indexer(text).astype(np.int64)  # -1: not kept
    categories = kept + ([OTHER] if has_other else [])
    if how == "ordinal":
        codes[codes < 0] = len(kept)
        return pd.DataFrame({name: codes}, index=text.index), categories
    columns = {f"{name}={value}": (codes == i).astype(np.uint8) for i, value in enumerate(kept)}
    if has_other:
        columns[f"{name}={OTHER}"] = (codes < 0).astype(np.uint8)
    return pd.DataFrame(columns, index=text.index), categories


def hash_text(column, name, n_features=HASH_FEATURES):
    """Hash the word tokens of a text column into ``n_features`` count columns.

    Tokens are lower-case runs of letters, digits and ``_`` (``www.example.com``
    gives ``www``, ``example``, ``com``); the hashing is scikit-learn's
    :class:`~sklearn.feature_extraction.FeatureHasher` (MurmurHash3, no sign),
    so the columns are the same for every file and run. Missing cells give zeros.

    Parameters
    ----------
    column : Series
    name : str
    n_features : int, default=16

    Returns
    -------
    DataFrame
        float64 columns ``name#0`` ... ``name#<n_features - 1>``.
    """
    mapping = {value: _TOKEN.findall(str(value).lower()) for value in column.dropna().unique()}
    tokens = [mapping.get(value, []) for value in column.tolist()]
    hasher = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False)
    matrix = hasher.transform(tokens).toarray()
    return pd.DataFrame(matrix, columns=[f"{name}#{i}" for i in range(n_features)],
                        index=column.index)
