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


CONV_CASES = {
    "2-d, padded": ((6, 3, 9, 8), (4, 3, 3, 3), (1, 1), (1, 1), (1, 1)),
    "2-d, strided and dilated": ((5, 2, 11, 10), (3, 2, 3, 2), (2, 1), (0, 2), (2, 1)),
    "1-d": ((4, 3, 17), (5, 3, 4), (1,), (2,), (1,)),
    "1x1": ((3, 4, 5, 5), (6, 4, 1, 1), (1, 1), (0, 0), (1, 1)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CONV_CASES))
def test_conv_cut_by_samples(threads, case, dtype):
    # a convolution cut into ranges of samples (every pass is, with MIN_SIZE this low)
    # gives the forward pass and d/dx bit for bit as in one piece, and d/dw - summed by
    # halves of the batch - as in one piece up to float rounding
    from mygrad_c import _conv
    from mygrad_c.nnet.layers.conv import _as3d

    xs, ws, stride, pad, dil = CONV_CASES[case]
    r = np.random.default_rng(5)
    x, w = r.standard_normal(xs).astype(dtype), r.standard_normal(ws).astype(dtype)
    one = (1,) * (3 - len(stride))
    x5, w5 = x.reshape(xs[:2] + one + xs[2:]), w.reshape(ws[:2] + one + ws[2:])
    geo = (_as3d(stride, 1), _as3d(pad, 0), _as3d(dil, 1))
    out = _conv.conv_forward(x5, w5, *geo)
    assert_identical(out, _conv.conv_forward(x5, w5, *geo, split=False))
    g = r.standard_normal(out.shape).astype(dtype)
    assert_identical(_conv.conv_grad_x(g, w5, x5.shape, *geo), _conv.conv_grad_x(g, w5, x5.shape, *geo, split=False))
    dw = _conv.conv_grad_w(x5, g, w5.shape, *geo)
    _parallel.set_num_threads(1)
    whole = _conv.conv_grad_w(x5, g, w5.shape, *geo)
    assert_identical(whole, _conv.conv_grad_w(x5, g, w5.shape, *geo, split=False))
    assert dw.dtype == whole.dtype and dw.shape == whole.shape and dw.flags.c_contiguous
    np.testing.assert_allclose(dw, whole, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)
    # and through conv_nd, against MyGrad's numbers
    mygrad = pytest.importorskip("mygrad")
    got, want = mg.tensor(x), mygrad.tensor(x)
    fw, rw = mg.tensor(w), mygrad.tensor(w)
    _parallel.set_num_threads(threads)
    g_nd = g.reshape(out.shape[:2] + out.shape[5 - len(stride):])
    for lib, xt, wt in ((mg, got, fw), (mygrad, want, rw)):
        (lib.nnet.conv_nd(xt, wt, stride=stride, padding=pad, dilation=dil) * g_nd).sum().backward()
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got.grad, want.grad, **tol)
    np.testing.assert_allclose(fw.grad, rw.grad, **tol)


def test_conv_cut_by_samples_warns_once_as_in_one_piece(threads):
    # a range that meets a floating-point error: the pass runs again in one piece, so
    # NumPy's warning comes out once, as without threads
    from mygrad_c import _conv

    x = np.full((4, 1, 1, 3, 3), 3e38, dtype=np.float32)
    w = np.full((2, 1, 1, 2, 2), 2.0, dtype=np.float32)
    geo = ((1, 1, 1), (0, 0, 0), (1, 1, 1))
    with warnings.catch_warnings(record=True) as split:
        warnings.simplefilter("always")
        out = _conv.conv_forward(x, w, *geo)
    with warnings.catch_warnings(record=True) as whole:
        warnings.simplefilter("always")
        want = _conv.conv_forward(x, w, *geo, split=False)
    assert_identical(out, want)
    assert len(whole) == 1 and "overflow" in str(whole[0].message)
    assert [str(m.message) for m in split] == [str(m.message) for m in whole]
