"""Datasets: loaders for the public imbalanced datasets qskew is used on, and the demo set.

qskew never downloads data: each loader reads files the user already has,
checks their schema, cleans the dataset's known quirks, and returns
``(X, y, card)`` -- numeric features, labels, and a :class:`DatasetCard`
recording every row and column it removed and why. ``load_demo`` returns
``(X, y)`` from data scikit-learn ships.

- :func:`load_creditcard` -- ULB / Worldline credit-card fraud (``creditcard.csv``).
- :func:`load_cicids2017` -- CICIDS2017 flows (``MachineLearningCVE/*.csv``).
- :func:`load_ton_iot` -- TON_IoT network data (``train_test_network.csv``).
- :func:`load_table` -- any CSV or ARFF table with a named target column.
- :func:`load_demo`, :func:`subsample` -- the bundled demo set; stratified subsampling.

The schemas the loaders check are public too: ``CREDITCARD_COLUMNS``,
``TON_IOT_COLUMNS`` (the 44 columns of ``train_test_network.csv``) and
``CICIDS2017_LABELS`` (the release's 15 labels, as ``load_cicids2017`` spells them).

Duplicates are removed inside the loaders, before any split can see them.
"""

from qskew.datasets._bundled import load_demo, subsample
from qskew.datasets._card import DatasetCard
from qskew.datasets._cicids import LABELS as CICIDS2017_LABELS
from qskew.datasets._cicids import load_cicids2017
from qskew.datasets._creditcard import COLUMNS as CREDITCARD_COLUMNS
from qskew.datasets._creditcard import load_creditcard
from qskew.datasets._table import load_table
from qskew.datasets._ton_iot import COLUMNS as TON_IOT_COLUMNS
from qskew.datasets._ton_iot import load_ton_iot

__all__ = [
    "CICIDS2017_LABELS",
    "CREDITCARD_COLUMNS",
    "TON_IOT_COLUMNS",
    "DatasetCard",
    "load_cicids2017",
    "load_creditcard",
    "load_demo",
    "load_table",
    "load_ton_iot",
    "subsample",
]
