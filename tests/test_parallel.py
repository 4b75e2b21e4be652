"""Large passes split over threads (``mygrad_c._parallel``) give exactly NumPy's result.

The splitting starts at ``MIN_SIZE`` elements; these tests lower it so that small
arrays are split too, and compare bit for bit (values, dtype, layout) with NumPy's
own call, and the warnings and errors with NumPy's.
"""
from __future__ import annotations

import multiprocessing
import warnings

import numpy as np
import pytest

import mygrad_c as mg
from mygrad_c import _parallel
from mygrad_c._indexing import scatter_add_rows


@pytest.fixture(params=[2, 3])
def threads(request, monkeypatch):
    """Split every array of 2 or more rows, over 2 or 3 threads."""
    before = _parallel.num_threads()
    monkeypatch.setattr(_parallel, "MIN_SIZE", 2)
    _parallel.set_num_threads(request.param)
    yield request.param
    _parallel.set_num_threads(before)


def assert_identical(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape and got.strides == want.strides
    assert got.tobytes() == want.tobytes()


rng = np.random.default_rng(12)
A64 = rng.standard_normal((7, 5))
A32 = rng.standard_normal((9, 4, 3)).astype(np.float32)

UFUNC_CASES = {
    "multiply rows by a row": (np.multiply, A64, A64[0]),
    "add a 0-d array": (np.add, A32, np.array(2.5)),
    "mixed dtypes": (np.multiply, A32, A64[:1, :3].reshape(3).astype(np.float16)),
    "a broadcast value": (np.multiply, np.broadcast_to(np.float64(-1.0), A64.shape), A64),
    "a broadcast value, lower ndim": (np.multiply, np.broadcast_to(np.float32(1.0), A32.shape), A32[0]),
    "column against row": (np.subtract, A64[:, :1].copy(), A64[0]),
    "unary": (np.exp, A32),
    "integers": (np.add, np.arange(40).reshape(8, 5), np.int8(3) * np.ones(5, np.int8)),
    "comparison": (np.greater, A64, 0.0 * A64[0]),
}


@pytest.mark.parametrize("case", list(UFUNC_CASES))
def test_ufunc_call_is_numpys(threads, case):
    ufunc, *arrays = UFUNC_CASES[case]
    arrays = [np.asarray(a) for a in arrays]
    assert_identical(_parallel.ufunc_call(ufunc, *arrays), ufunc(*arrays))


def test_ufunc_call_leaves_other_layouts_to_numpy(threads):
    f = np.asfortranarray(A64)
    assert_identical(_parallel.ufunc_call(np.add, f, f), np.add(f, f))
    t = A64.T
    assert_identical(_parallel.ufunc_call(np.multiply, t, A64[:, 0]), np.multiply(t, A64[:, 0]))
    v = np.arange(4.0)
    assert_identical(_parallel.ufunc_call(np.matmul, v, v), np.matmul(v, v))   # (a gufunc)
    m = np.arange(12.0).reshape(3, 4)
    assert_identical(_parallel.ufunc_call(np.matmul, m, v), np.matmul(m, v))
    with pytest.raises(ValueError, match="broadcast"):
        _parallel.ufunc_call(np.add, A64, A32)


def test_floating_point_errors_are_numpys(threads):
    x = np.array([[1.0, 0.0], [-1.0, 2.0], [3.0, 0.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = _parallel.ufunc_call(np.log, x)
    with np.errstate(all="ignore"):
        assert_identical(got, np.log(x))
    assert [str(w.message) for w in caught] == ["divide by zero encountered in log",
                                                "invalid value encountered in log"]
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            _parallel.ufunc_call(np.log, x)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        _parallel.ufunc_call(np.log, x)   # no warning


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [17, 129, 1000, 100_003])
def test_whole_sum_is_numpys(threads, dtype, size):
    x = rng.standard_normal(size).astype(dtype) * 1e3
    if size <= 128:   # NumPy sums these in one block: not split
        assert _parallel.whole_sum(x) is None
        return
    assert_identical(_parallel.whole_sum(x), np.add.reduce(x))
    y = x[: size - size % 2].reshape(2, -1)
    if y.size > 128:
        assert_identical(_parallel.whole_sum(y), np.add.reduce(y, axis=None))
    assert _parallel.whole_sum(x[::2]) is None   # (not contiguous: left to NumPy)


def test_whole_sum_overflow_warns_as_numpy(threads):
    x = np.full(64, 3e38, dtype=np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = _parallel.whole_sum(x)
    assert got is None   # the caller sums it itself, with NumPy's warning
    assert caught == []


def test_take_rows_is_numpys(threads):
    idx = rng.integers(-7, 7, size=(11, 2))
    assert_identical(_parallel.take_rows(A64, idx), np.take(A64, idx, axis=0))
    assert_identical(_parallel.take_rows(A32, idx[:, 0]), np.take(A32, idx[:, 0], axis=0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("width", [1, 5, 40])
def test_scatter_add_rows_adds_in_order(dtype, width):
    """The gather's backward kernel (one thread), also for a broadcast value."""
    rows = rng.integers(0, 6, size=300)
    src = rng.standard_normal((300, width)).astype(dtype)
    want = np.zeros((6, width), dtype)
    for i, r in enumerate(rows):
        want[r] += src[i]
    assert_identical(scatter_add_rows(np.zeros((6, width), dtype), rows, src), want)
    ones = np.broadcast_to(dtype(1), src.shape)
    assert_identical(scatter_add_rows(np.zeros((6, width), dtype), rows, ones),
                     np.bincount(rows, minlength=6).astype(dtype)[:, None] * np.ones(width, dtype))


def _step(lib_threads):
    """A forward/backward pass through every split path (and the gather's backward,
    which now takes the sum's broadcast gradient as it is); values and gradients."""
    x = mg.tensor(np.arange(60.0).reshape(12, 5) / 7)
    b = mg.tensor(np.linspace(-1, 1, 5))
    idx = np.array([3, 0, 3, -1, 11, 5, 5, 5])
    y = (mg.exp(x * b) - x[idx].sum()) * 2.0
    y.sum().backward()
    return [y.data, x.grad, b.grad]


def test_training_step_is_the_same_over_threads(threads, monkeypatch):
    got = _step(threads)
    monkeypatch.setattr(_parallel, "MIN_SIZE", 1 << 40)
    want = _step(1)
    for g, w in zip(got, want):
        assert_identical(g, w)


def _child(queue):
    queue.put(float(_parallel.ufunc_call(np.add, A64, A64).sum()))


def test_pool_works_after_fork(threads):
    _parallel.ufunc_call(np.add, A64, A64)   # the parent's pool exists
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    p = ctx.Process(target=_child, args=(queue,))
    p.start()
    assert queue.get(timeout=60) == float((A64 + A64).sum())
    p.join(60)
    assert p.exitcode == 0


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_refuses_non_positive_integers(bad):
    with pytest.raises(ValueError, match="positive integer"):
        _parallel.set_num_threads(bad)
