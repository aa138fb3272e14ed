"""The memory budget: peak bytes said first, refused when too large, streamed predictions."""

import tracemalloc

import numpy as np
import pytest

from qskew import QGANOverSampler, QNNClassifier, QuantumKernel, QuantumKernelSVC
from qskew.backends import MemoryBudgetError, _memory, memory_budget, set_memory_budget
from qskew.kernels import _states


@pytest.fixture
def budget(monkeypatch):
    monkeypatch.setenv(_memory.ENV, "4GB")
    yield
    set_memory_budget(None)


def test_the_budget_is_settable_and_parsed():
    set_memory_budget("1.5GiB")
    try:
        assert memory_budget() == int(1.5 * 2**30)
    finally:
        set_memory_budget(None)
    assert memory_budget() > 0
    with pytest.raises(ValueError, match="a memory size must be a positive number"):
        _memory.parse_bytes("lots")


def test_a_kernel_too_large_for_memory_is_refused_before_allocating(budget):
    X = np.random.default_rng(0).uniform(0, 1, (5000, 20))
    tracemalloc.start()
    with pytest.raises(MemoryBudgetError, match=r"QuantumKernel on 5000 x 5000 rows of 20 "
                                                r"features needs about 84\.\d GB, over the "
                                                r"memory budget of 4\.0 GB \(set by "
                                                r"QSKEW_MEMORY_BUDGET.*Use fewer rows"):
        QuantumKernel(feature_map="angle")(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 300 * 2**20  # imports at most: nothing near the 84 GB was allocated
    assert QuantumKernel(feature_map="angle").estimate_cost(5000, n_features=20)[
        "peak_bytes"] > 80e9


def test_trained_models_refuse_batches_beyond_the_budget(budget):
    X = np.random.default_rng(0).uniform(0, 1, (64, 20))
    y = np.arange(64) % 2
    with pytest.raises(MemoryBudgetError, match="training QNNClassifier on batches of 64 rows "
                                                "at 20 qubits.*Lower batch_size"):
        QNNClassifier(batch_size=64).fit(X, y)
    with pytest.raises(MemoryBudgetError, match="generator patches of 20 qubits.*Lower "
                                                "batch_size or n_qubits"):
        QGANOverSampler(n_qubits=20).fit_resample(X[:, :4], np.r_[np.zeros(48, int),
                                                                 np.ones(16, int)])


def _scoring_peak(model, rows):
    _states.STATE_CACHE.clear()
    tracemalloc.start()
    model.predict_proba(rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


@pytest.mark.parametrize("make", [
    lambda: QuantumKernelSVC(feature_map="angle", reps=1, random_state=0),
    lambda: QNNClassifier(n_layers=1, max_epochs=2, validation_fraction=None, random_state=0),
])
def test_scoring_memory_does_not_grow_with_the_rows(monkeypatch, make):
    import warnings

    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, np.pi, (40, 6)), np.arange(40) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, y)
    monkeypatch.setattr(_memory, "STREAM_BYTES", 2**20)
    monkeypatch.setattr(_states.STATE_CACHE, "max_bytes", 2**20)
    small, large = (_scoring_peak(model, rng.uniform(0, np.pi, (n, 6))) for n in (4000, 40000))
    outputs = 40000 * 2 * 8 * 3  # the returned probabilities and their temporaries
    assert large < 1.3 * small + outputs


def test_estimated_peak_bounds_what_a_kernel_call_allocates():
    X = np.random.default_rng(0).uniform(0, 1, (300, 8))
    kernel = QuantumKernel(feature_map="angle", reps=1)
    for args in ((X,), (X[:200], X[200:])):
        _states.STATE_CACHE.clear()
        tracemalloc.start()
        kernel(*args)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        n2 = None if len(args) == 1 else len(args[1])
        estimate = kernel.estimate_cost(len(args[0]), n2, n_features=8)["peak_bytes"]
        assert peak <= estimate
