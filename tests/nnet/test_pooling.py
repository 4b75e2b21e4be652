"""max_pool against MyGrad: values, dtypes, gradients (incl. ties and NaNs), the generic
N-d path, the compiled kernels on their own, and MyGrad's errors."""
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_array_equal

import mygrad_c as mg
from helpers import bits, check_numerical_grad, compare_with_mygrad, float_arrays
from mygrad_c._pool import max_pool_backward, max_pool_forward
from mygrad_c.nnet.layers import max_pool

FUNCS = (max_pool, mygrad.nnet.layers.max_pool)


@st.composite
def pool_cases(draw, max_pooled=3, ties=False):
    D = draw(st.integers(1, max_pooled))
    lead = draw(st.lists(st.integers(1, 2), min_size=0, max_size=2))
    K = draw(st.tuples(*[st.integers(1, 3)] * D))
    s = draw(st.tuples(*[st.integers(1, 3)] * D))
    G = draw(st.tuples(*[st.integers(1, 3)] * D))
    S = tuple((g - 1) * si + k for g, si, k in zip(G, s, K))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    # small integer values make ties common, which checks the argmax rule
    lo, hi = (-2, 2) if ties else (-10, 10)
    x = draw(float_arrays(shape=tuple(lead) + S, dtype=dtype, min_value=lo, max_value=hi))
    if ties:
        x = np.round(x)
    stride = s[0] if draw(st.booleans()) and len(set(s)) == 1 else s
    return x, K, stride


@given(pool_cases())
def test_max_pool_matches_mygrad(case):
    x, pool, stride = case
    compare_with_mygrad(FUNCS, x, pool, stride)


@given(pool_cases(ties=True))
def test_max_pool_ties_match_mygrad(case):
    x, pool, stride = case
    compare_with_mygrad(FUNCS, x, pool, stride)


@given(pool_cases(max_pooled=4, ties=True), st.sampled_from([np.float16, np.int64]))
def test_generic_path_matches_mygrad(case, dtype):
    x, pool, stride = case
    compare_with_mygrad(FUNCS, x.astype(dtype), pool, stride)


@given(pool_cases(max_pooled=4))
def test_4d_pool_float(case):
    x, pool, stride = case
    compare_with_mygrad(FUNCS, x, pool, stride)


@given(pool_cases(max_pooled=2))
def test_max_pool_numerical_gradient(case):
    x, pool, stride = case
    # distinct values: the max is differentiable away from ties
    x = np.arange(x.size, dtype=np.float64).reshape(x.shape)
    x = np.random.default_rng(x.size).permutation(x.ravel()).reshape(x.shape)
    check_numerical_grad(lambda a: max_pool(a, pool, stride), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row", [[np.nan, 5, 5, 5], [1, np.nan, np.nan, 5], [1, np.nan, np.inf, 5],
                                 [-np.inf, -np.inf, 2, 5], [5, 5, 5, 5]])
def test_nan_and_inf_windows(row, dtype):
    x = np.array([row], dtype=dtype)
    compare_with_mygrad(FUNCS, x, (1, 2), 1)
    compare_with_mygrad(FUNCS, np.stack([x, x[:, ::-1]], axis=1), (2, 2), (1, 2))


def test_unit_sized_and_constant_inputs():
    x = np.random.default_rng(0).random((2, 3, 4, 4))
    assert max_pool(x, (2, 2), 2).constant
    assert max_pool(mg.tensor(x), (2, 2), 2, constant=True).constant
    compare_with_mygrad(FUNCS, x, [2, 2], np.array([2, 2]))
    compare_with_mygrad(FUNCS, np.random.default_rng(1).random(4), (2,), 2)
    # an empty batch: MyGrad's backward fails there, ours gives the (empty) gradient
    e = mg.tensor(np.zeros((0, 3, 4, 4)))
    out = max_pool(e, (2, 2), 2)
    assert out.shape == mygrad.nnet.layers.max_pool(np.zeros((0, 3, 4, 4)), (2, 2), 2).shape
    out.backward()
    assert e.grad.shape == e.shape
    compare_with_mygrad(FUNCS, np.random.default_rng(1).random((3, 4)), (3, 4), 1)
    compare_with_mygrad(FUNCS, x > 0.5, (2, 2), 2)
    out = max_pool(x.tolist(), (2, 2), 2)
    assert_array_equal(out.data, mygrad.nnet.layers.max_pool(x, (2, 2), 2).data)


def _call(lib, *args):
    try:
        lib.nnet.layers.max_pool(*args)
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e), str(e)
    return None


X = np.random.default_rng(3).random((2, 3, 8, 8))
BAD = [(X, (3, 3), 2), (X, (2, 2, 2), 2), (X, (2, 2, 2, 2), 2), (X, (2, 2, 2, 2, 2), 2),
       (X, 2, 2), (X, (9, 2), 2), (X, (0, 2), 2), (X, (2.0, 2), 2), (X, (-1, 2), 2),
       (X, (True, 2), 2), (X, (2, 2), 0), (X, (2, 2), (1,)), (X, (2, 2), (1, 1, 1)),
       (X, (2, 2), 1.0), (X, (2, 2), True), (X, (2, 2), np.array(2)), (X, (2, 2), (-2, 2)),
       (X, (2, 2), None), (X, (2, 2), "2"), (np.zeros(()), (), 2), (np.zeros((4, 4)), (), 2),
       # no pooled axes: a stride MyGrad cannot read is reported before the 0-d input's
       # IndexError, and a bool stride is an int there
       (np.zeros(()), (), (1, 1)), (np.zeros(()), (), 1.0), (np.zeros(()), (), "a"),
       (np.zeros(()), (), None), (np.zeros(()), (), True), (np.zeros((4, 4)), (), True)]


@pytest.mark.parametrize("args", BAD)
def test_errors_match_mygrad(args):
    expected = _call(mygrad, *args)
    assert expected is not None
    assert _call(mg, *args) == expected


def test_kernels_validate_their_inputs():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    K, st = (1, 2, 2), (1, 2, 2)
    out, arg = max_pool_forward(x, K, st)
    assert_array_equal(out.ravel(), [5, 7, 13, 15])
    assert arg.dtype == np.uint8
    assert_array_equal(arg.ravel(), [3, 3, 3, 3])   # the bottom-right element of each window
    with pytest.raises(ValueError):
        max_pool_forward(x, (1, 5, 2), (1, 1, 1))
    with pytest.raises(ValueError):
        max_pool_forward(x, (1, 2, 2), (1, 0, 1))
    with pytest.raises(TypeError):
        max_pool_forward(x.astype(int), (1, 2, 2), (1, 2, 2))
    with pytest.raises(ValueError):
        max_pool_backward(out, arg + 4, x.shape, K, st)             # past the window
    with pytest.raises(ValueError):
        max_pool_backward(out, arg.astype(np.int32), x.shape, K, st)  # wrong index dtype
    with pytest.raises(ValueError):
        max_pool_backward(out[..., :1], arg[..., :1], x.shape, K, st)  # wrong grid
    with pytest.raises(TypeError):
        max_pool_backward(out.astype(int), arg, x.shape, K, st)
    # non-contiguous input is copied, not misread
    y = np.arange(32.0).reshape(1, 1, 4, 8)[..., ::2]
    out2, _ = max_pool_forward(y, (1, 2, 2), (1, 2, 2))
    assert_array_equal(out2.ravel(), y[0, 0].reshape(2, 2, 2, 2).max(axis=(1, 3)).ravel())


def _reference_pool(x, K, st):
    """(out, winner's index in its window) by numpy.argmax over each flattened window."""
    M, S = x.shape[0], x.shape[1:]
    G = tuple((s - k) // t + 1 for s, k, t in zip(S, K, st))
    out = np.empty((M,) + G, x.dtype)
    arg = np.empty((M,) + G, np.intp)
    for m in range(M):
        for g in np.ndindex(*G):
            win = x[(m,) + tuple(slice(gi * t, gi * t + k) for gi, t, k in zip(g, st, K))].ravel()
            arg[(m,) + g] = np.argmax(win)
            out[(m,) + g] = win[arg[(m,) + g]]
    return out, arg


def _reference_backward(grad, arg, x_shape, K, st):
    dx = np.zeros(x_shape, grad.dtype)
    for idx in np.ndindex(*grad.shape):
        k = np.unravel_index(arg[idx], K)
        dx[(idx[0],) + tuple(g * t + kj for g, t, kj in zip(idx[1:], st, k))] += grad[idx]
    return dx


@given(st.data(), st.sampled_from([np.float32, np.float64]))
def test_kernels_against_numpy(data, dtype):
    """Both kernels, all three paths of each (2x2 planes, exact tiling, general), against loops."""
    K = data.draw(st.sampled_from([(1, 2, 2), (2, 2, 2), (1, 3, 1), (2, 1, 3)])
                  | st.tuples(*[st.integers(1, 3)] * 3))
    tiled = data.draw(st.booleans())
    stride = K if tiled else data.draw(st.tuples(*[st.integers(1, 3)] * 3))
    G = data.draw(st.tuples(*[st.integers(1, 3)] * 3))
    S = tuple((g - 1) * t + k + (0 if tiled else data.draw(st.integers(0, 1)))
              for g, t, k in zip(G, stride, K))
    M = data.draw(st.integers(1, 3))
    x = data.draw(float_arrays(shape=(M,) + S, dtype=dtype, min_value=-2, max_value=2))
    x = np.round(x)  # ties
    if data.draw(st.booleans()):
        x.ravel()[data.draw(st.integers(0, x.size - 1))] = np.nan
    if data.draw(st.booleans()):  # a non-contiguous input
        x = np.repeat(x, 2, axis=-1)[..., ::2]
    out, arg = max_pool_forward(x, K, stride)
    ref_out, ref_arg = _reference_pool(x, K, stride)
    assert_array_equal(out, ref_out)
    assert_array_equal(arg, ref_arg)
    grad = data.draw(float_arrays(shape=out.shape, dtype=dtype, min_value=-3, max_value=3))
    grad.ravel()[0] = -0.0  # arrives as +0.0, as MyGrad's add into zeros gives
    dx = max_pool_backward(grad, arg, x.shape, K, stride)
    expected = _reference_backward(grad, arg, x.shape, K, stride)
    assert_array_equal(dx, expected)
    assert_array_equal(np.signbit(dx), np.signbit(expected))


def test_large_windows_use_intp_indices():
    x = np.random.default_rng(0).random((2, 1, 17, 17))
    out, arg = max_pool_forward(x, (1, 17, 17), (1, 1, 1))
    assert arg.dtype == np.intp
    assert_array_equal(arg.ravel(), x.reshape(2, -1).argmax(axis=1))
    dx = max_pool_backward(np.ones_like(out), arg, x.shape, (1, 17, 17), (1, 1, 1))
    assert_array_equal(dx.reshape(2, -1).argmax(axis=1), arg.ravel())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("width", [2, 24, 128, 130, 262])
def test_2x2_rows_of_any_width(dtype, width):
    """The vectorized 2x2 path works through a row in blocks of windows: rows shorter than a
    block, exactly two blocks, and a partial last block; ties, NaNs and signed zeros."""
    rng = np.random.default_rng(width)
    x = rng.integers(-2, 3, size=(3, 4, width + 1)).astype(dtype)  # an odd column is left over
    x[rng.random(x.shape) < 0.05] = np.nan
    x[rng.random(x.shape) < 0.1] = -0.0
    x = x[:, None]
    out, arg = max_pool_forward(x, (1, 2, 2), (1, 2, 2))
    ref_out, ref_arg = _reference_pool(x, (1, 2, 2), (1, 2, 2))
    assert_array_equal(out, ref_out)
    assert_array_equal(np.signbit(out), np.signbit(ref_out))
    assert_array_equal(arg, ref_arg)
    compare_with_mygrad(FUNCS, x[:, 0, :, :-1], (2, 2), 2)   # MyGrad needs exact tiling


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("width", [1, 3, 4, 12, 17, 24, 100, 512, 513])
def test_2x2_tiled_planes(dtype, width):
    """Planes tiled by 2x2 windows (``width`` windows a row) go through a kernel that works
    on chunks of whole row pairs: rows narrower than a vector, a chunk of one row pair
    (512), rows too wide for a chunk (513, the row-by-row kernel), and many chunks; ties,
    NaNs and signed zeros, against loops and against MyGrad."""
    rng = np.random.default_rng(width)
    planes = max(3, 6000 // width)
    x = rng.integers(-2, 3, size=(planes, 1, 4, 2 * width)).astype(dtype)
    x[rng.random(x.shape) < 0.05] = np.nan
    x[rng.random(x.shape) < 0.1] = -0.0
    out, arg = max_pool_forward(x, (1, 2, 2), (1, 2, 2))
    ref_out, ref_arg = _reference_pool(x, (1, 2, 2), (1, 2, 2))
    assert_array_equal(out, ref_out)
    assert_array_equal(np.signbit(out), np.signbit(ref_out))
    assert_array_equal(arg, ref_arg)
    compare_with_mygrad(FUNCS, x[:3, 0], (2, 2), 2)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape, pool, stride", [
    ((2, 3, 6, 6), (2, 2), 1), ((2, 3, 7, 7), (3, 3), 2), ((2, 3, 6, 6), (2, 2), 2), ((4, 9), (3,), 1),
    ((2, 5, 5, 5), (2, 2, 2), 1), ((2, 2, 3, 4, 4), (2, 2, 2, 2), 1), ((3, 8), (4,), 2)])
def test_max_pool_bit_for_bit_as_mygrad(shape, pool, stride, dtype):
    """Values and gradients are MyGrad's bit for bit; where windows overlap, an element that wins
    several windows gets their gradients summed in float64 and rounded once, as MyGrad sums them."""
    x = np.random.default_rng(len(shape)).standard_normal(shape).astype(dtype)
    results = []
    for lib in (mygrad, mg):
        t = lib.tensor(x)
        out = lib.nnet.max_pool(t, pool, stride)
        out.backward(np.cos(np.arange(out.size)).reshape(out.shape).astype(dtype))
        results.append([out.data, t.grad])
    for ours, ref, what in zip(results[1], results[0], ("value", "gradient")):
        assert bits(ours) == bits(ref), what
