"""Tests for qskew.kernels._states (state preparation and the shared cache) and
qskew.kernels._gram (bounded-memory Gram products)."""

import numpy as np
import pytest

from qskew import QuantumKernel
from qskew.backends import _statevector
from qskew.kernels import _gram, _states

RNG = np.random.default_rng(3)
X = RNG.uniform(0, np.pi, size=(6, 3))
X_NEW = RNG.uniform(0, np.pi, size=(4, 3))


# -- bounded memory ------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
def test_chunked_products_and_states_equal_unchunked(monkeypatch, dtype):
    X_big = RNG.uniform(0, np.pi, size=(7, 3))
    expected_sym = QuantumKernel(dtype=dtype)(X_big)
    expected_cross = QuantumKernel(dtype=dtype)(X_big, X_NEW)

    state_bytes = 8 * np.dtype(dtype).itemsize
    monkeypatch.setattr(_gram, "BLOCK_BYTES", 3 * state_bytes)
    state_batches, products = [], []
    batched_states, abs2 = _statevector.batched_states, _gram._abs2
    monkeypatch.setattr(_statevector, "batched_states",
                        lambda *a, **k: state_batches.append(len(a[1])) or batched_states(*a, **k))
    monkeypatch.setattr(_gram, "_abs2", lambda G: products.append(G.shape) or abs2(G))

    QuantumKernel.clear_cache()
    K_sym = QuantumKernel(dtype=dtype)(X_big)
    assert state_batches == [3, 3, 1]
    assert len(products) > 3 and all(rows <= 3 for rows, _ in products)
    products.clear()
    K_cross = QuantumKernel(dtype=dtype)(X_big, X_NEW)
    assert len(products) > 1 and all(rows * cols * np.dtype(dtype).itemsize <= 3 * state_bytes
                                     for rows, cols in products)
    atol = 1e-12 if dtype == "complex128" else 1e-6
    np.testing.assert_allclose(K_sym, expected_sym, atol=atol)
    np.testing.assert_allclose(K_cross, expected_cross, atol=atol)


@pytest.mark.parametrize("capacity", [0, 3])
def test_cache_eviction_keeps_results_right(monkeypatch, capacity):
    monkeypatch.setattr(_states.STATE_CACHE, "max_bytes", capacity * 8 * 16)
    X_dup = np.vstack([X, X])
    kernel = QuantumKernel(feature_map="zz")
    K = kernel(X_dup)
    assert kernel.n_states_prepared == len(X)  # each distinct row once, even when evicted
    info = QuantumKernel.cache_info()
    assert info["states"] == capacity and info["nbytes"] <= capacity * 8 * 16
    np.testing.assert_allclose(K, np.tile(QuantumKernel(feature_map="zz")(X), (2, 2)), atol=1e-12)
    np.testing.assert_allclose(kernel(X_NEW, X), QuantumKernel(feature_map="zz")(X_NEW, X),
                               atol=1e-12)


def test_cached_states_do_not_pin_the_computed_batch():
    kernel = QuantumKernel(feature_map="zz")
    kernel(X)
    assert all(state.base is None for state in _states.STATE_CACHE.values())


def test_state_cache_is_shared_across_kernels_of_one_encoding():
    QuantumKernel(feature_map="zz")(X)
    clone_ = QuantumKernel(feature_map="zz")
    clone_(X)
    assert clone_.n_states_prepared == 0
    assert QuantumKernel.cache_info()["misses"] == len(X)
    other = QuantumKernel(feature_map="iqp")
    other(X)
    assert other.n_states_prepared == len(X)  # another encoding: other states
