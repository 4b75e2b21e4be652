"""relu's compiled kernels (src/_relu.pyx) against MyGrad: values with their signs, gradients
(incl. inf/nan gradients under the mask), dtypes and layouts that take the NumPy route."""
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_array_equal

import mygrad_c as mg
from helpers import bits, compare_with_mygrad, float_arrays
from mygrad_c._relu import relu_backward, relu_forward
from mygrad_c.nnet import relu

SPECIAL = [-2.5, -1.0, -0.0, 0.0, 1e-40, -1e-40, 3.0, np.inf, np.nan, -np.nan]


def _same_bits(a, b):
    """Equal values, equal signs (also of zeros), NaN where NaN."""
    assert bits(a) == bits(b)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_signed_zeros_and_nans_match_mygrad(dtype, layout):
    x = np.array(SPECIAL * 3, dtype=dtype).reshape(6, 5)
    x = {"C": x, "F": np.asfortranarray(x), "strided": x[:, ::2]}[layout]
    grad = np.resize(np.array([-1.0, -0.0, 2.0, np.inf, np.nan], dtype), x.shape)
    xc, xr = mg.tensor(x), mygrad.tensor(x)
    with np.errstate(all="ignore"):
        yc, yr = relu(xc), mygrad.nnet.relu(xr)
        yc.backward(grad)
        yr.backward(grad)
    _same_bits(yc.data, yr.data)
    _same_bits(xc.grad, xr.grad)


def test_relu_of_negative_infinity_is_negative_zero():
    """MyGrad's x * (x > 0) gives nan at -inf; relu(-inf) = 0, with the sign of the other negatives."""
    for x in (np.array([-np.inf]), np.array([-np.inf], np.float32), np.array([-np.inf, 1.0])[::2]):
        y = relu(x).data
        assert y[0] == 0 and np.signbit(y[0])


@given(st.sampled_from([np.float32, np.float64]), st.data())
def test_kernels_against_numpy(dtype, data):
    x = data.draw(float_arrays(dtype=dtype, min_value=-3, max_value=3))
    g = data.draw(float_arrays(shape=x.shape, dtype=dtype, min_value=-3, max_value=3))
    x = np.ascontiguousarray(x)
    g = np.ascontiguousarray(g)
    with np.errstate(all="ignore"):
        _same_bits(relu_forward(x), x * (x > 0).astype(dtype))
        _same_bits(relu_backward(g, x), g * (x > 0).astype(dtype))
        _same_bits(relu_backward(g, x > 0), g * (x > 0).astype(dtype))   # (the forward's mask)


@given(st.data())
def test_relu_matches_mygrad(data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    x = data.draw(float_arrays(dtype=dtype, min_value=-5, max_value=5))
    compare_with_mygrad("nnet.relu", x)


def test_kernels_validate_their_inputs():
    x = np.ones((2, 3), np.float32)
    for bad in (x.astype(np.float16), x.astype(int), np.asfortranarray(np.ones((2, 3))), [1.0]):
        with pytest.raises(TypeError):
            relu_forward(bad)
    mask = x > 0
    for bad_grad in (x.astype(np.float16), x.astype(int), np.ones((3, 2), np.float32).T, [1.0]):
        with pytest.raises(TypeError):
            relu_backward(bad_grad, mask)
    for bad_ref in (x.astype(np.float64), x.astype(np.float16), mask.astype(np.uint8), np.ones((3, 2), bool).T,
                    np.ones((3, 2), np.float32).T, [True]):
        with pytest.raises(TypeError):
            relu_backward(x, bad_ref)
    with pytest.raises(ValueError):
        relu_backward(x[:1], mask)
    with pytest.raises(ValueError):
        relu_backward(x[:1], x)
    assert relu_forward(np.ones((0, 3))).shape == (0, 3)
    assert relu_backward(np.ones((0, 3)), np.ones((0, 3), bool)).shape == (0, 3)


@pytest.mark.parametrize("guard", ["on", "off"])
def test_mask_is_the_forwards(guard):
    """The gradient is taken at the forward's x > 0 (MyGrad's mask), also when x or the
    result is written before the backward (possible only under mem_guard_off, where the
    operation keeps the mask; with the guard on x is read-only until the backward)."""
    for lib in (mg, mygrad):
        x = lib.tensor([-1.0, 2.0, 3.0], dtype="float32")
        with (lib.mem_guard_off if guard == "off" else lib.mem_guard_on):
            y = relu(x) if lib is mg else mygrad.nnet.relu(x)
        if guard == "off":
            with lib.no_autodiff:
                x[...] = -x
                y[...] = -y
        else:
            assert not x.data.flags.writeable
        y.backward()
        assert_array_equal(x.grad, [0.0, 1.0, 1.0])


def test_mixed_gradient_dtype_takes_the_numpy_route():
    x = mg.tensor(np.array([-1.0, 2.0], np.float32))
    y = relu(x)
    y.backward(np.array([3.0, 4.0]))  # a float64 gradient of a float32 result
    assert x.grad.dtype == np.float32
    assert_array_equal(x.grad, [0.0, 4.0])
