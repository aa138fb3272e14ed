"""Tests for qskew._cache: the byte-budgeted LRU cache behind the state and resampling caches."""

import threading

import numpy as np
import pytest
import torch

from qskew._cache import ByteLRUCache, nbytes


def test_least_recently_used_goes_first():
    cache = ByteLRUCache(max_bytes=3 * 8)
    for key in "abc":
        cache.put(key, np.zeros(1))
    cache.get("a")          # a is now the most recent
    cache.put("d", np.zeros(1))
    assert [cache.get(k) is not None for k in "abcd"] == [True, False, True, True]
    assert cache.info()["entries"] == 3 and cache.info()["nbytes"] == 24


def test_newest_entry_stays_even_beyond_the_budget():
    cache = ByteLRUCache(max_bytes=8)
    cache.put("small", np.zeros(1))
    cache.put("big", np.zeros(100))
    assert cache.get("small") is None and cache.get("big").shape == (100,)
    assert cache.info() == {"hits": 1, "misses": 1, "entries": 1, "nbytes": 800}


def test_replacing_a_key_keeps_the_byte_count_right():
    cache = ByteLRUCache(max_bytes=1000)
    cache.put("a", np.zeros(10))
    cache.put("a", np.zeros(2))
    assert cache.info()["nbytes"] == 16 and cache.info()["entries"] == 1
    cache.clear()
    assert cache.info() == {"hits": 0, "misses": 0, "entries": 0, "nbytes": 0}


@pytest.mark.parametrize("value, expected", [
    (np.zeros(4), 32),
    (torch.zeros(4, dtype=torch.complex128), 64),
    ((np.zeros(2), np.zeros(3, dtype=np.int8)), 19),
])
def test_nbytes_of_arrays_tensors_and_tuples(value, expected):
    assert nbytes(value) == expected


def test_threads_never_break_the_budget():
    cache = ByteLRUCache(max_bytes=50 * 8)

    def work(offset):
        for i in range(500):
            cache.put(offset + i, np.zeros(1))
            cache.get(offset + i // 2)

    threads = [threading.Thread(target=work, args=(1000 * t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    info = cache.info()
    assert info["entries"] == 50 and info["nbytes"] == 400
    assert info["hits"] + info["misses"] == 4 * 500
