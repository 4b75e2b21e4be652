"""Activations: values, dtypes, constant flags and gradients against MyGrad, plus numerical derivatives."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import mygrad_c as mg
from helpers import check_numerical_grad, compare_with_mygrad, float_arrays
from mygrad_c.nnet import activations as A

DTYPES = [np.float16, np.float32, np.float64]

# name -> keyword arguments
ELEMENTWISE = {
    "relu": {}, "sigmoid": {}, "selu": {}, "soft_sign": {}, "tanh": {},
    "elu": dict(alpha=0.7), "leaky_relu": dict(slope=0.1),
    "hard_tanh": dict(lower_bound=-0.5, upper_bound=2),
}


def test_namespace_matches_mygrad():
    import mygrad.nnet.activations as ref
    assert sorted(A.__all__) == sorted(ref.__all__)
    assert A.tanh is mg.tanh if hasattr(mg, "tanh") else True


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@given(data=st.data())
def test_elementwise_vs_mygrad(name, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    x = data.draw(float_arrays(dtype=dtype, min_value=-5, max_value=5))
    tol = dict(rtol=2e-2, atol=2e-2) if dtype == np.float16 else {}
    compare_with_mygrad(f"nnet.activations.{name}", x, **ELEMENTWISE[name], **tol)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_kinks_and_extremes(name):
    x = np.array([-1e4, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 1e4])
    with np.errstate(all="ignore"):
        out, _ = compare_with_mygrad(f"nnet.activations.{name}", x, **ELEMENTWISE[name])
    assert np.all(np.isfinite(out.data))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("value", [0.0, -0.5, 2.0, np.inf, -np.inf, np.nan])
def test_elementwise_of_a_0d_tensor(name, value):
    """A 0-d input gives a 0-d result and gradient, finite values as MyGrad's (soft_sign of a
    0-d inf raised TypeError: its limit was written into a NumPy scalar); at +-inf and nan
    the value of the same element of a 1-d input."""
    x = mg.tensor(value)
    with np.errstate(all="ignore"):
        out = getattr(A, name)(x, **ELEMENTWISE[name])
        out.backward()
        x1 = mg.tensor([value])
        out1 = getattr(A, name)(x1, **ELEMENTWISE[name])
        out1.backward()
    assert out.shape == x.grad.shape == ()
    np.testing.assert_array_equal(out.data, out1.data[0])
    np.testing.assert_array_equal(x.grad, x1.grad[0])
    if np.isfinite(value):
        compare_with_mygrad(f"nnet.activations.{name}", np.array(value), **ELEMENTWISE[name])


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_numerical_grad(name):
    x = np.array([[-2.3, -0.7, 0.4], [1.1, 2.6, -1.4]])
    check_numerical_grad(getattr(A, name), x, **ELEMENTWISE[name])


@pytest.mark.parametrize("name", ["softmax", "logsoftmax"])
@given(data=st.data())
def test_softmax_like_vs_mygrad(name, data):
    x = data.draw(float_arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)))
    axes = [-1, 0, None] + ([(0, -1)] if x.ndim >= 2 else [])
    axis = data.draw(st.sampled_from(axes) if x.ndim else st.just(-1))
    compare_with_mygrad(f"nnet.activations.{name}", x, axis=axis)


@pytest.mark.parametrize("name", ["softmax", "logsoftmax"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_like_stable_and_dtype(name, dtype):
    x = np.array([[1e4, -1e4, 0.0], [3.0, 2.0, 1.0]], dtype=np.float64)
    if dtype == np.float16:
        x = np.array([[3e4, -3e4, 0.0], [3.0, 2.0, 1.0]])
    x = x.astype(dtype)
    tol = dict(rtol=1e-2, atol=1e-2) if dtype == np.float16 else {}
    out, _ = compare_with_mygrad(f"nnet.activations.{name}", x, **tol)
    assert np.all(np.isfinite(out.data))
    check_numerical_grad(getattr(A, name), np.array([[0.3, -1.2, 2.0], [1.0, 1.0, -0.5]]), axis=0)


def test_int_inputs_and_constant():
    for name, kw in ELEMENTWISE.items():
        compare_with_mygrad(f"nnet.activations.{name}", np.array([-2, 0, 3]), **kw)
        out = getattr(A, name)(mg.tensor([1.0, -1.0]), constant=True, **kw)
        assert out.constant
    for name in ["softmax", "logsoftmax", "glu"]:
        compare_with_mygrad(f"nnet.activations.{name}", np.array([-2, 0, 3, 1]))


@pytest.mark.parametrize("name", ["softmax", "logsoftmax"])
@pytest.mark.parametrize("x", [np.array([True, False]), np.zeros((0, 2), bool), np.array(True)])
@pytest.mark.parametrize("axis", [(0, 1), 1, -1, None, (0, 0)])
def test_softmax_like_of_booleans_as_mygrad(name, x, axis):
    """Booleans: MyGrad's result, or its exception (an axis error before the TypeError of
    ``x - max(x)``)."""
    import mygrad
    results = []
    for lib in (mg, mygrad):
        try:
            r = getattr(lib.nnet, name)(x, axis=axis)
            results.append((r.dtype, r.shape, r.data.tolist()))
        except Exception as e:
            results.append(type(e))
    assert results[0] == results[1]


@given(data=st.data())
def test_glu_vs_mygrad(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape = list(shape)
    shape[axis] *= 2
    x = data.draw(float_arrays(shape=tuple(shape)))
    compare_with_mygrad("nnet.activations.glu", x, axis=axis)


def test_glu_odd_axis_raises():
    with pytest.raises(ValueError):
        A.glu(mg.tensor(np.ones((2, 3))))


def test_single_fused_op():
    """relu, sigmoid and softmax are one graph node each."""
    x = mg.tensor(np.ones((2, 3)))
    for f in (A.relu, A.sigmoid, A.softmax):
        out = f(x)
        assert out.creator.variables == (x,)
