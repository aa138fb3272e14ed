"""DatasetCard: what a loader kept, what it dropped and why."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def _plain(value):
    """A numpy scalar as the matching Python scalar, so cards print and serialise cleanly."""
    return value.item() if isinstance(value, np.generic) else value


def class_counts(y):
    """Rows per class of ``y``, largest class first (ties: by label, as text).

    Parameters
    ----------
    y : Series

    Returns
    -------
    dict
        ``{label: count}`` with Python scalars as keys and values.
    """
    counts = pd.Series(y).value_counts(dropna=False)
    items = sorted(((_plain(k), int(v)) for k, v in counts.items()),
                   key=lambda kv: (-kv[1], str(kv[0])))
    return dict(items)


@dataclass
class DatasetCard:
    """A short record of a loaded dataset: size, classes and every cleaning step.

    Every loader in :mod:`qskew.datasets` except ``load_demo`` returns one
    next to ``X`` and ``y``. ``str(card)`` gives a readable summary;
    :func:`dataclasses.asdict` a plain dict for a results folder.

    Parameters
    ----------
    name : str
        Dataset name, e.g. ``"creditcard"``.
    n_rows : int
        Rows of ``X`` (after every row removal).
    n_features : int
        Columns of ``X``.
    class_counts : dict
        Rows per class of ``y``, largest class first.
    imbalance_ratio : float
        Majority count / minority count (1.0 for a single class, NaN without rows).
    dropped : list of (str, str)
        ``(what, why)`` for each set of rows or columns a loader removed, in
        the order it removed them.
    notes : list of str
        Choices made and facts worth knowing before modelling.
    details : dict
        The numbers behind ``dropped`` and ``notes`` (e.g. ``"duplicates_removed"``,
        ``"dropped_columns"``), for programs; each loader documents its keys.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([0, 0, 0, 1])
    >>> card = DatasetCard.from_data("toy", pd.DataFrame({"a": range(4)}), y,
    ...                              dropped=[("column id", "identifier")])
    >>> card.class_counts, card.imbalance_ratio
    ({0: 3, 1: 1}, 3.0)
    >>> print(card)
    toy: 4 rows x 1 features, 2 classes, imbalance ratio 3.0 (majority/minority)
      class counts:
        0  3  (75.00 %)
        1  1  (25.00 %)
      dropped:
        - column id: identifier
    """

    name: str
    n_rows: int
    n_features: int
    class_counts: dict
    imbalance_ratio: float
    dropped: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @classmethod
    def from_data(cls, name, X, y, *, dropped=(), notes=(), details=None):
        """Build a card from the loaded ``X`` and ``y``.

        Parameters
        ----------
        name : str
        X : DataFrame
        y : Series
        dropped : iterable of (str, str), default=()
        notes : iterable of str, default=()
        details : dict, optional

        Returns
        -------
        DatasetCard
        """
        counts = class_counts(y)
        values = list(counts.values())
        ratio = max(values) / min(values) if values else float("nan")
        return cls(name=name, n_rows=int(X.shape[0]), n_features=int(X.shape[1]),
                   class_counts=counts, imbalance_ratio=float(ratio),
                   dropped=[tuple(entry) for entry in dropped], notes=list(notes),
                   details=dict(details or {}))

    def __str__(self):
        lines = [f"{self.name}: {self.n_rows:,} rows x {self.n_features:,} features, "
                 f"{len(self.class_counts)} classes, imbalance ratio "
                 f"{self.imbalance_ratio:,.1f} (majority/minority)"]
        if self.class_counts:
            lines.append("  class counts:")
            width = max(len(str(label)) for label in self.class_counts)
            digits = max(len(f"{count:,}") for count in self.class_counts.values())
            for label, count in self.class_counts.items():
                share = 100 * count / max(self.n_rows, 1)
                lines.append(f"    {label!s:<{width}}  {count:>{digits},}  ({share:.2f} %)")
        if self.dropped:
            lines.append("  dropped:")
            lines += [f"    - {what}: {why}" for what, why in self.dropped]
        if self.notes:
            lines.append("  notes:")
            lines += [f"    - {note}" for note in self.notes]
        return "\n".join(lines)


class CardLog:
    """Collects what a loader drops and notes, then builds its :class:`DatasetCard`.

    Parameters
    ----------
    **details
        Initial entries of the card's ``details``.
    """

    def __init__(self, **details):
        self.dropped, self.notes, self.details = [], [], dict(details)

    def drop(self, what, why):
        """Record that ``what`` (rows or columns) was removed, and ``why``."""
        self.dropped.append((what, why))

    def note(self, text):
        """Record a choice or fact worth knowing before modelling."""
        self.notes.append(text)

    def card(self, name, X, y):
        """The :class:`DatasetCard` of the loaded ``X`` and ``y``."""
        return DatasetCard.from_data(name, X, y, dropped=self.dropped, notes=self.notes,
                                     details=self.details)
