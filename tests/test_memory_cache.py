"""The block cache behind NumPy's data allocations (src/_memory.pyx).

It must be invisible but for speed and memory held: every array it hands out has the
values NumPy promises (zeros from ``np.zeros``, kept values through ``resize``), it never
keeps more than its limit, and it can be turned off.
"""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import mygrad_c as mg
from mygrad_c import _memory

BIG = 300_000  # float64 elements: above the cache's smallest block (256 KB)


@pytest.fixture
def cache():
    """The cache installed with its default limit, emptied before and after."""
    before = _memory.stats()["limit"]
    _memory.set_limit(128 << 20)
    _memory.install()
    _memory.release()
    yield _memory
    _memory.release()
    _memory.set_limit(before)


def test_installed_at_import():
    assert np._core.multiarray.get_handler_name() == "mygrad_c_block_cache"
    assert _memory.stats()["limit"] == 128 << 20


def test_freed_block_is_reused_and_zeros_are_zero(cache):
    a = np.empty(BIG)
    a[:] = 7.0
    del a
    assert cache.stats()["kept_blocks"] == 1
    hits = cache.stats()["hits"]
    z = np.zeros(BIG)                       # calloc from a kept, dirty block
    assert cache.stats()["hits"] == hits + 1
    assert not z.any()
    del z
    e = np.empty((BIG // 2, 2))             # the same size class: reused again
    assert cache.stats()["hits"] == hits + 2
    e[...] = 1.0
    assert e.sum() == BIG


def test_tensors_and_gradients_through_the_cache(cache):
    x = mg.tensor(np.linspace(-1, 1, BIG))
    for _ in range(3):                      # the same arrays each iteration: from the cache
        (mg.nnet.relu(x) * 3).sum().backward()
        np.testing.assert_array_equal(x.grad, 3.0 * (x.data > 0))
    assert cache.stats()["hits"] > 0


def test_resize_keeps_values(cache):
    a = np.arange(BIG, dtype=np.float64)
    a.resize(2 * BIG, refcheck=False)       # realloc of a large block
    np.testing.assert_array_equal(a[:BIG], np.arange(BIG))
    assert not a[BIG:].any()
    a.resize(10, refcheck=False)            # down to a small block (the default handler frees it)
    np.testing.assert_array_equal(a, np.arange(10))


def test_small_blocks_are_not_kept(cache):
    for _ in range(100):
        np.ones(1000)
    assert cache.stats()["kept_blocks"] == 0


def test_limit_is_kept_oldest_released_first(cache):
    cache.set_limit(3 * (1 << 20))
    arrays = [np.empty(1 << 20, np.uint8) for _ in range(5)]   # 1 MB each (+ a page)
    del arrays
    s = cache.stats()
    assert s["kept_bytes"] <= 3 * (1 << 20)
    assert s["kept_blocks"] >= 1
    assert cache.release() == s["kept_bytes"]
    assert cache.stats()["kept_blocks"] == 0


def test_limit_zero_keeps_nothing(cache):
    cache.set_limit(0)
    a = np.empty(BIG)
    del a
    assert cache.stats()["kept_blocks"] == 0


def test_freed_in_another_thread(cache):
    arrays = [np.full(BIG, i, dtype=np.float64) for i in range(4)]
    done = []

    def drop():
        arrays.clear()                      # freed by the cache from this thread
        done.append(np.zeros(BIG).any())    # this thread's context: NumPy's default handler
    t = threading.Thread(target=drop)
    t.start()
    t.join()
    assert done == [False]
    assert cache.stats()["kept_blocks"] == 4
    assert not np.zeros(BIG).any()


def test_turned_off_by_environment():
    env = dict(os.environ, MYGRAD_C_MEMORY_CACHE_MB="0")
    code = ("import numpy as np, mygrad_c; from mygrad_c import _memory; "
            "print(np._core.multiarray.get_handler_name(), _memory.stats()['limit'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["default_allocator", "0"]


_MID_SIZED_CHURN = """
import resource
import numpy as np
import mygrad_c
x = np.ones((128, 784), np.float32)
w = np.ones((784, 256), np.float32)
b = np.ones(256, np.float32)
def step():   # a dense layer's forward and backward: arrays of 128 KB (heap) and 784 KB (cached)
    z = x @ w
    a = z + b
    h = np.maximum(a, 0)
    g = np.ones_like(h) * (a > 0)
    return x.T @ g, g.sum(0)
for _ in range(20):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(200):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 200)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc thresholds")
def test_mid_sized_arrays_do_not_page_fault_each_step():
    # glibc raises its mmap threshold (and the heap's trim threshold) when it sees a large
    # block freed; the cache keeps those blocks, so installing it teaches glibc once (see
    # src/_memory.pyx).  Without that, this step's 128 KB arrays were mmap-ed (or the heap
    # trimmed) again each time: 96-130 page faults per step; now none.  Counted in a fresh
    # process (this one's thresholds depend on what ran before).
    env = {k: v for k, v in os.environ.items() if k != "MYGRAD_C_MEMORY_CACHE_MB"}
    out = subprocess.run([sys.executable, "-c", _MID_SIZED_CHURN], capture_output=True, text=True, check=True,
                         env=dict(env, OPENBLAS_NUM_THREADS="1"))
    assert float(out.stdout) < 10, out.stdout
