"""Tests for qskew.synth._samplers' small-class guard: QGANOverSampler and GANOverSampler warn
at fit_resample when a class to over-sample has too few rows for its number of features."""

import warnings

import numpy as np
import pytest

from qskew import GANOverSampler, QGANOverSampler
from qskew.synth._samplers import MIN_ROWS_PER_FEATURE, _warn_small_class

# One epoch: the warning comes before training, and nothing here judges the rows.
SAMPLERS = {
    "quantum": lambda: QGANOverSampler(n_qubits=2, n_layers=1, observables="XYZ", epochs=1,
                                       random_state=0),
    "classical": lambda: GANOverSampler(epochs=1, random_state=0),
}


@pytest.fixture(params=sorted(SAMPLERS))
def make_sampler(request):
    return SAMPLERS[request.param]


def data(n_minor, n_features, n_major=None, seed=0):
    rng = np.random.default_rng(seed)
    n_major = n_major if n_major is not None else n_minor + 50
    X = rng.normal(size=(n_major + n_minor, n_features))
    return X, np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]


def small_class_warnings(record):
    return [w for w in record if issubclass(w.category, UserWarning)
            and "rows for" in str(w.message)]


def test_nine_rows_in_32_features_warn(make_sampler):
    sampler = make_sampler()
    X, y = data(9, 32)
    with pytest.warns(UserWarning, match=r"class 1 has 9 rows for 32 features") as record:
        sampler.fit_resample(X, y)
    [warning] = small_class_warnings(record)
    message = str(warning.message)
    assert message.startswith(f"{type(sampler).__name__}: ")
    # Says what to do: reduce the dimension (to a size that would not warn) or use SMOTE.
    assert "PCA(n_components=4)" in message and "SMOTE" in message
    assert f"{MIN_ROWS_PER_FEATURE * 32} rows" in message
    # Points at the caller of fit_resample, not into imbalanced-learn.
    assert warning.filename == __file__


def test_comfortable_class_does_not_warn(make_sampler):
    X, y = data(200, 4, n_major=300)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        make_sampler().fit_resample(X, y)
    assert small_class_warnings(record) == []


def test_only_the_small_class_is_named():
    # Class 1: 40 rows for 4 features (enough); class 2: 5 rows (not enough).
    rng = np.random.default_rng(1)
    X = rng.normal(size=(105, 4))
    y = np.r_[np.zeros(60, int), np.ones(40, int), np.full(5, 2)]
    with pytest.warns(UserWarning) as record:
        GANOverSampler(epochs=1, random_state=0).fit_resample(X, y)
    [warning] = small_class_warnings(record)
    assert "class 2 has 5 rows for 4 features" in str(warning.message)


def test_string_labels_are_named_as_given():
    X, y = data(9, 32)
    labels = np.array(["normal", "fraud"])[y]
    with pytest.warns(UserWarning, match=r"class 'fraud' has 9 rows for 32 features"):
        GANOverSampler(epochs=1, random_state=0).fit_resample(X, labels)


def test_class_not_over_sampled_is_not_checked():
    # Class 1 is tiny but gets no new rows: no GAN is trained on it, nothing to warn about.
    X, y = data(9, 32)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        GANOverSampler(sampling_strategy={1: 9}, epochs=1, random_state=0).fit_resample(X, y)
    assert small_class_warnings(record) == []


@pytest.mark.parametrize("n_rows, n_features, warns", [
    (MIN_ROWS_PER_FEATURE * 32 - 1, 32, True),
    (MIN_ROWS_PER_FEATURE * 32, 32, False),
    (MIN_ROWS_PER_FEATURE * 1, 1, False),
    (3, 2, True),
])
def test_threshold(n_rows, n_features, warns):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _warn_small_class("GANOverSampler", np.int64(1), (n_rows, n_features), 10)
    assert len(small_class_warnings(record)) == warns
    if warns:  # numpy labels print as plain values
        assert f"class 1 has {n_rows} rows for {n_features} features" in str(record[0].message)


def test_single_row_keeps_its_own_message():
    with pytest.warns(UserWarning, match=r"class 1 has 1 row, so a GAN has no distribution"):
        _warn_small_class("GANOverSampler", 1, (1, 3), 10)
