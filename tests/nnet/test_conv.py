"""conv_nd against MyGrad (values, dtypes, constants, gradients), numerical derivatives,
the compiled kernels (im2col/col2im and the chunked drivers conv_forward, conv_grad_w,
conv_grad_x) against a NumPy reference, and MyGrad's errors."""
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import assume, given
from numpy.testing import assert_allclose

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, float_arrays
from mygrad_c._conv import col2im, conv_forward, conv_grad_w, conv_grad_x, im2col
from mygrad_c.nnet.layers import conv_nd

FUNCS = (conv_nd, mygrad.nnet.layers.conv_nd)


@st.composite
def conv_cases(draw, max_dims=3):
    """(x, w, kwargs) with a valid geometry for MyGrad: the filters tile the padded input."""
    D = draw(st.integers(1, max_dims))
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    K = draw(st.tuples(*[st.integers(1, 3)] * D))
    s = draw(st.tuples(*[st.integers(1, 3)] * D))
    d = draw(st.tuples(*[st.integers(1, 2)] * D))
    G = draw(st.tuples(*[st.integers(1, 3)] * D))
    padded = [(g - 1) * si + (k - 1) * di + 1 for g, si, k, di in zip(G, s, K, d)]
    p = tuple(draw(st.integers(0, min(2, (P - 1) // 2))) for P in padded)
    assume(all(k * di <= P for k, di, P in zip(K, d, padded)))  # MyGrad's window check
    S = tuple(P - 2 * pi for P, pi in zip(padded, p))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = draw(float_arrays(shape=(N, C) + S, dtype=dtype, min_value=-3, max_value=3))
    w = draw(float_arrays(shape=(F, C) + K, dtype=dtype, min_value=-3, max_value=3))
    as_int = draw(st.booleans())
    kw = dict(stride=s[0] if as_int and len(set(s)) == 1 else s,
              padding=p[0] if as_int and len(set(p)) == 1 else p,
              dilation=d[0] if as_int and len(set(d)) == 1 else d)
    return x, w, kw


@given(conv_cases())
def test_conv_matches_mygrad(case):
    x, w, kw = case
    compare_with_mygrad(FUNCS, x, w, **kw)


@given(conv_cases(max_dims=4), st.sampled_from([(False, True), (True, False), (True, True)]))
def test_conv_constants_and_generic_path(case, consts):
    x, w, kw = case
    compare_with_mygrad(FUNCS, x, w, constant=list(consts), **kw)


@given(conv_cases(max_dims=2))
def test_conv_numerical_gradient(case):
    x, w, kw = case
    check_numerical_grad(lambda a, b: conv_nd(a, b, **kw), x, w, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("xdt, wdt", [("f4", "f8"), ("f8", "f4"), ("i8", "i8"), ("i4", "f4"),
                                      ("f2", "f2"), ("f2", "f4"), ("?", "?")])
def test_conv_dtype_mixes(xdt, wdt):
    rng = np.random.default_rng(0)
    x = (rng.random((2, 2, 5, 4)) * 4).astype(xdt)
    w = (rng.random((3, 2, 2, 3)) * 4).astype(wdt)
    tol = dict(rtol=2e-2, atol=2e-2) if "f2" in (xdt, wdt) else {}
    if {xdt, wdt} == {"f4", "f8"}:  # float32 gradients of a float64 result: float32 rounding
        tol = dict(rtol=1e-5, atol=1e-6)
    compare_with_mygrad(FUNCS, x, w, stride=1, padding=(1, 0), **tol)


def test_conv_constant_kwarg_and_arraylike_inputs():
    x = np.random.default_rng(1).random((1, 1, 6))
    k = np.ones((1, 1, 3))
    assert conv_nd(mg.tensor(x), k, stride=1, constant=True).constant
    assert conv_nd(x, k, stride=1).constant
    assert not conv_nd(mg.tensor(x), k, stride=1).constant


def test_conv_docstring_example():
    x = mg.zeros((1, 1, 16))
    x[..., 5:11] = 1
    k = mg.ones((1, 1, 5))
    out = conv_nd(x, k, stride=1)
    assert_allclose(out.data, [[[0, 1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 0]]])
    out.sum().backward()
    assert_allclose(x.grad, [[[1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 4, 3, 2, 1]]])
    assert_allclose(k.grad, [[[6, 6, 6, 6, 6]]])


def test_conv_empty_batch_and_filters():
    for xs, ws in [((0, 3, 5), (2, 3, 5)), ((2, 3, 5), (0, 3, 5)), ((2, 0, 5), (2, 0, 5))]:
        rng = np.random.default_rng(2)
        compare_with_mygrad(FUNCS, rng.random(xs), rng.random(ws), stride=1)


def _call(lib, x, w, **kw):
    try:
        lib.nnet.layers.conv_nd(x, w, **kw)
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e), str(e)
    return None


X = np.random.default_rng(3).random((2, 3, 8, 8))
W = np.random.default_rng(4).random((4, 3, 3, 3))
BAD = [
    (X, W, dict(stride=2)), (X, W, dict(stride=3)), (X, W, dict(stride=3, padding=1)),
    (X, np.ones((4, 3, 9, 9)), dict(stride=1)), (X, np.ones((4, 2, 3, 3)), dict(stride=1)),
    (X, np.ones((4, 3, 3)), dict(stride=1)), (X[0], W[0], dict(stride=1)),
    (X, W, dict(stride=0)), (X, W, dict(stride=-1)), (X, W, dict(stride=(1,))),
    (X, W, dict(stride=(1, 1, 1))), (X, W, dict(stride=1.5)), (X, W, dict(stride=True)),
    (X, W, dict(stride=np.array(1))), (X, W, dict(stride=None)), (X, W, dict(stride="ab")),
    (X, W, dict(stride=1, padding=-1)), (X, W, dict(stride=1, padding=(1,))),
    (X, W, dict(stride=1, padding=1.0)), (X, W, dict(stride=1, dilation=0)),
    (X, W, dict(stride=1, dilation=4)), (X, W, dict(stride=1, dilation=3)),
    (X, W, dict(stride=1, dilation=(3, 1))), (X, W, dict(stride=1, dilation=True)),
    (np.ones((2, 3)), np.ones((2, 3)), dict(stride=1)),
    (np.ones((2, 3, 5)), np.ones((2, 3, 0)), dict(stride=1)),
    (np.ones((1, 1, 8)), np.ones((1, 1, 3)), dict(stride=2, dilation=2)),
    (np.ones((1, 1, 5)), np.ones((1, 1, 3)), dict(stride=1, dilation=2)),
    (X.tolist(), W, dict(stride=1)),
]


@pytest.mark.parametrize("x, w, kw", BAD)
def test_conv_errors_match_mygrad(x, w, kw):
    expected = _call(mygrad, x, w, **kw)
    assert expected is not None
    assert _call(mg, x, w, **kw) == expected


GOOD_OR_BAD = [1, 2, 0, -1, (1, 1), [1, 2], (1,), np.int64(2), (np.int64(2), 1), np.array([1, 1]),
               1.0, True, 2 ** 40, None, "a", (1, -1), 1.5]


def test_conv_parameter_errors_come_in_mygrad_order():
    """Every combination of valid and invalid stride, padding and dilation: the same result or
    the same error type as MyGrad - when several are bad, the one MyGrad reports first
    (dilation, then padding, then stride)."""
    x, w = X[:, :, :5, :6], W[:3, :, :2]
    differ = []
    for stride in GOOD_OR_BAD:
        for padding in [0, 1, (0, 1), [1, 0], -1, 1.5, (True, 0), "a", None, 2 ** 40]:
            for dilation in GOOD_OR_BAD:
                kw = dict(stride=stride, padding=padding, dilation=dilation)
                results = []
                for lib in (mygrad, mg):
                    try:
                        out = lib.nnet.conv_nd(x, lib.tensor(w), **kw)
                        results.append((out.shape, out.data.sum().round(6)))
                    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
                        results.append(OverflowError if isinstance(e, OverflowError) else type(e))
                if results[0] != results[1]:
                    differ.append((kw, results))
    assert not differ, differ[:5]


# ---------------------------------------------------------------------------
# the kernels on their own, against NumPy slicing, incl. non-contiguous inputs
# ---------------------------------------------------------------------------
def _im2col_reference(x, K, G, s, p, d):
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pi, pi) for pi in p])
    cols = np.empty(x.shape[:2] + K + G, x.dtype)
    for k in np.ndindex(*K):
        sl = tuple(slice(ki * di, ki * di + si * (gi - 1) + 1, si)
                   for ki, gi, si, di in zip(k, G, s, d))
        cols[(slice(None), slice(None)) + k] = xp[(Ellipsis,) + sl]
    return cols


@given(conv_cases(max_dims=3), st.data())
def test_kernels_against_numpy(case, data):
    x, w, kw = case
    D = x.ndim - 2
    s, p, d = (kw[k] if isinstance(kw[k], tuple) else (kw[k],) * D
               for k in ("stride", "padding", "dilation"))
    K = w.shape[2:]
    G = tuple((S + 2 * pi - (k - 1) * di - 1) // si + 1
              for S, pi, k, di, si in zip(x.shape[2:], p, K, d, s))
    pad3 = lambda t, fill: (fill,) * (3 - D) + tuple(t)  # noqa: E731
    x5 = x.reshape(x.shape[:2] + (1,) * (3 - D) + x.shape[2:])
    cols = im2col(x5, pad3(K, 1), pad3(G, 1), pad3(s, 1), pad3(p, 0), pad3(d, 1))
    expected = _im2col_reference(x, K, G, s, p, d)
    assert_allclose(cols.reshape(expected.shape), expected)
    # col2im is the adjoint: <im2col(x), c> == <x, col2im(c)>
    c = data.draw(float_arrays(shape=cols.shape, dtype=x.dtype, min_value=-2, max_value=2))
    back = col2im(c, x5.shape, pad3(s, 1), pad3(p, 0), pad3(d, 1))
    lhs = np.sum(cols.astype(np.float64) * c)
    rhs = np.sum(x5.astype(np.float64) * back)
    assert_allclose(lhs, rhs, rtol=1e-4, atol=1e-4)


def test_kernels_reject_bad_geometry_without_crashing():
    x = np.ones((1, 1, 1, 4, 4), np.float32)
    with pytest.raises(ValueError):
        im2col(x, (1, 3, 3), (1, 3, 3), (1, 1, 1), (0, 0, 0), (1, 1, 1))  # grid too big
    with pytest.raises(ValueError):
        im2col(x, (1, 3, 3), (1, 2, 2), (1, 0, 1), (0, 0, 0), (1, 1, 1))
    with pytest.raises(ValueError):
        im2col(np.ones((1, 4, 4), np.float32), (1, 3, 3), (1, 2, 2), (1, 1, 1), (0, 0, 0), (1, 1, 1))
    with pytest.raises(TypeError):
        im2col(x.astype(np.int64), (1, 3, 3), (1, 2, 2), (1, 1, 1), (0, 0, 0), (1, 1, 1))
    with pytest.raises(ValueError):
        col2im(np.ones((1, 1, 1, 3, 3, 1, 3, 3), np.float32), (1, 1, 1, 4, 4),
               (1, 1, 1), (0, 0, 0), (1, 1, 1))
    with pytest.raises(ValueError):
        col2im(np.ones((1, 2, 1, 3, 3, 1, 2, 2), np.float32), (1, 1, 1, 4, 4),
               (1, 1, 1), (0, 0, 0), (1, 1, 1))


def test_col2im_out_argument_is_validated():
    cols = np.ones((1, 1, 1, 3, 3, 1, 2, 2), np.float32)
    shape = (1, 1, 1, 4, 4)
    out = np.zeros(shape, np.float32)
    col2im(cols, shape, (1, 1, 1), (0, 0, 0), (1, 1, 1), out=out)
    assert out.sum() == cols.sum()
    for bad in [np.zeros(shape, np.float64), np.zeros((1, 1, 1, 4, 5), np.float32),
                np.zeros((1, 1, 1, 4, 8), np.float32)[..., ::2], [[0.0]]]:
        with pytest.raises(ValueError):
            col2im(cols, shape, (1, 1, 1), (0, 0, 0), (1, 1, 1), out=bad)


def test_chunked_backward_matches_mygrad(monkeypatch):
    import mygrad_c.nnet.layers.conv as conv_module
    monkeypatch.setattr(conv_module, "_CHUNK_BYTES", 3000)  # a few samples per chunk
    rng = np.random.default_rng(5)
    x = rng.standard_normal((7, 3, 5, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    compare_with_mygrad(FUNCS, x, w, stride=1, padding=1, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------
# the chunked drivers, against einsum over the reference columns
# ---------------------------------------------------------------------------
@st.composite
def driver_cases(draw):
    """(x, w, g, stride, padding, dilation) in the drivers' 3-d form, any grid (no tiling needed)."""
    N, C, F = draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    K = draw(st.tuples(*[st.integers(1, 3)] * 3))
    s = draw(st.tuples(*[st.integers(1, 3)] * 3))
    d = draw(st.tuples(*[st.integers(1, 2)] * 3))
    p = draw(st.tuples(*[st.integers(0, 2)] * 3))
    S = tuple(draw(st.integers(max(1, (k - 1) * di + 1 - 2 * pi), 7)) for k, di, pi in zip(K, d, p))
    G = tuple((si + 2 * pi - (k - 1) * di - 1) // st_ + 1 for si, pi, k, di, st_ in zip(S, p, K, d, s))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = draw(float_arrays(shape=(N, C) + S, dtype=dtype, min_value=-3, max_value=3))
    w = draw(float_arrays(shape=(F, C) + K, dtype=dtype, min_value=-3, max_value=3))
    g = draw(float_arrays(shape=(N, F) + G, dtype=dtype, min_value=-3, max_value=3))
    if draw(st.booleans()):  # non-contiguous inputs are copied, not misread
        x = np.repeat(x, 2, axis=-1)[..., ::2]
        g = np.swapaxes(np.swapaxes(g, 0, 1).copy(), 0, 1)
    return x, w, g, s, p, d


def _reference_conv(x, w, g, s, p, d):
    K, G = w.shape[2:], g.shape[2:]
    cols = _im2col_reference(x.astype(np.float64), K, G, s, p, d)          # (N, C, *K, *G)
    w64, g64 = w.astype(np.float64), g.astype(np.float64)
    out = np.einsum("fcijk,ncijkuvw->nfuvw", w64, cols)
    dw = np.einsum("nfuvw,ncijkuvw->fcijk", g64, cols)
    dcols = np.einsum("fcijk,nfuvw->ncijkuvw", w64, g64)
    dx = np.zeros(x.shape)
    xp = np.pad(dx, [(0, 0), (0, 0)] + [(pi, pi) for pi in p])
    for k in np.ndindex(*K):
        sl = tuple(slice(ki * di, ki * di + si * (gi - 1) + 1, si) for ki, gi, si, di in zip(k, G, s, d))
        xp[(Ellipsis,) + sl] += dcols[(slice(None), slice(None)) + k]
    dx = xp[(Ellipsis,) + tuple(slice(pi, pi + n) for pi, n in zip(p, x.shape[2:]))]
    return out, dw, dx


@given(driver_cases(), st.sampled_from([1, 200, 3000, 1 << 20]))
def test_drivers_against_numpy(case, chunk_bytes):
    """Any geometry (also grids that do not tile the input), chunks of one sample or several."""
    x, w, g, s, p, d = case
    out, dw, dx = _reference_conv(x, w, g, s, p, d)
    tol = dict(rtol=1e-4, atol=1e-4) if x.dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    got = conv_forward(x, w, s, p, d, chunk_bytes=chunk_bytes)
    assert got.dtype == x.dtype and got.flags.c_contiguous
    assert_allclose(got, out, **tol)
    got_dw = conv_grad_w(x, g, w.shape, s, p, d, chunk_bytes=chunk_bytes)
    assert got_dw.shape == w.shape and got_dw.dtype == x.dtype
    assert_allclose(got_dw, dw, **tol)
    got_dx = conv_grad_x(g, w, x.shape, s, p, d, chunk_bytes=chunk_bytes)
    assert got_dx.shape == x.shape and got_dx.dtype == x.dtype
    assert_allclose(got_dx, dx, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_by_one_filters_use_the_input_as_columns(dtype):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 4, 1, 5, 7)).astype(dtype)
    w = rng.standard_normal((2, 4, 1, 1, 1)).astype(dtype)
    g = rng.standard_normal((3, 2, 1, 5, 7)).astype(dtype)
    geometry = ((1, 1, 1), (0, 0, 0), (1, 1, 1))
    out, dw, dx = _reference_conv(x, w, g, *geometry)
    assert_allclose(conv_forward(x, w, *geometry), out, rtol=1e-5, atol=1e-5)
    assert_allclose(conv_grad_w(x, g, w.shape, *geometry), dw, rtol=1e-5, atol=1e-5)
    assert_allclose(conv_grad_x(g, w, x.shape, *geometry), dx, rtol=1e-5, atol=1e-5)


def test_drivers_validate_their_inputs():
    x = np.ones((2, 3, 1, 6, 6), np.float32)
    w = np.ones((4, 3, 1, 3, 3), np.float32)
    g = np.ones((2, 4, 1, 4, 4), np.float32)
    geo = ((1, 1, 1), (0, 0, 0), (1, 1, 1))
    with pytest.raises(TypeError):
        conv_forward(x, w.astype(np.float64), *geo)              # mixed dtypes
    with pytest.raises(TypeError):
        conv_forward(x.astype(np.int64), w, *geo)
    with pytest.raises(ValueError):
        conv_forward(x, np.ones((4, 2, 1, 3, 3), np.float32), *geo)   # channels differ
    with pytest.raises(ValueError):
        conv_forward(x[0], w, *geo)                                # not 5-d
    with pytest.raises(ValueError):
        conv_forward(x, np.ones((4, 3, 1, 7, 7), np.float32), *geo)   # filter larger than input
    with pytest.raises(ValueError):
        conv_forward(x, w, (1, 0, 1), (0, 0, 0), (1, 1, 1))        # zero stride
    with pytest.raises(ValueError):
        conv_grad_w(x, g[..., :3], w.shape, *geo)                  # grad of the wrong grid
    with pytest.raises(ValueError):
        conv_grad_x(g[:1], w, x.shape, *geo)                       # grad of the wrong batch
    with pytest.raises(TypeError):
        conv_grad_x(g.astype(np.float64), w, x.shape, *geo)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("D", [1, 2, 3])
def test_training_sized_convolutions_match_mygrad(dtype, D):
    """Odd sizes, several samples per chunk and one sample per chunk, strides and padding."""
    rng = np.random.default_rng(D)
    S = {1: (37,), 2: (13, 11), 3: (7, 5, 9)}[D]
    x = rng.standard_normal((5, 6) + S).astype(dtype)
    w = rng.standard_normal((7, 6) + (3,) * D).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else {}
    compare_with_mygrad(FUNCS, x, w, stride=1, padding=1, **tol)
    compare_with_mygrad(FUNCS, x, w, stride=2, padding=1, **tol)   # odd sizes: stride 2 tiles
    compare_with_mygrad(FUNCS, x, w, stride=1, dilation=2, padding=2, **tol)
